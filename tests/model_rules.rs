//! Every catalogue rule, on both sides of each bound. Each test starts from
//! the complete valid example and changes one thing.

use chanwiz::model::catalogue::{Assistant, CertRole, Certificate, ChannelRef, Chatbot, Ou, SkillQueue};
use chanwiz::model::{
    Catalogue, ChannelDocument, FieldError, Mode, RoutingMode, Segment, TransferTarget, parse_document, validate,
    validate_all, validate_all_bounded, validate_catalogue,
};

fn example() -> ChannelDocument {
    parse_document(include_str!("../assets/examples/telegram-channel.json")).unwrap()
}

fn errors(d: &ChannelDocument) -> Vec<FieldError> {
    validate(d, Mode::Create)
}

/// The message at `path`, failing when there is none.
#[track_caller]
fn err_at(d: &ChannelDocument, path: &str) -> String {
    let all = errors(d);
    match all.iter().find(|e| e.path == path) {
        Some(e) => e.message.clone(),
        None => panic!("expected an error at {path}, got {all:#?}"),
    }
}

#[track_caller]
fn ok_at(d: &ChannelDocument, path: &str) {
    let all = errors(d);
    assert!(!all.iter().any(|e| e.path.starts_with(path)), "expected no error at {path}, got {all:#?}");
}

#[track_caller]
fn one_sentence(msg: &str) {
    assert!(msg.ends_with('.'), "not a sentence: {msg}");
    assert!(!msg.contains('\n'), "more than a line: {msg}");
}

#[test]
fn the_example_is_valid() {
    assert_eq!(errors(&example()), vec![]);
}

#[test]
fn an_empty_document_names_every_required_field() {
    let all = errors(&ChannelDocument::default());
    let paths: Vec<&str> = all.iter().map(|e| e.path.as_str()).collect();
    for p in [
        "channel_info.app_key",
        "channel_info.app_secret",
        "channel_info.base_url",
        "channel_info.trust_certificate",
        "channel_info.identity_certificate",
        "basic.channel_name",
        "basic.ou",
        "basic.skill_queue",
    ] {
        assert!(paths.contains(&p), "{p} missing from {paths:?}");
    }
    // nothing optional or disabled is reported
    assert_eq!(paths.len(), 8, "{all:#?}");
    for e in &all {
        one_sentence(&e.message);
    }
}

#[test]
fn app_key_is_1_to_128_printable_ascii_without_spaces() {
    let mut d = example();
    d.channel_info.app_key = "k".repeat(128);
    ok_at(&d, "channel_info.app_key");
    d.channel_info.app_key = "k".repeat(129);
    assert!(err_at(&d, "channel_info.app_key").contains("at most 128"));
    d.channel_info.app_key = "a key".into();
    assert!(err_at(&d, "channel_info.app_key").contains("without spaces"));
    d.channel_info.app_key = "ключ".into();
    err_at(&d, "channel_info.app_key");
    d.channel_info.app_key = "!~".into();
    ok_at(&d, "channel_info.app_key");
    d.channel_info.app_key = "   ".into();
    assert!(err_at(&d, "channel_info.app_key").contains("required"));
}

#[test]
fn app_secret_is_required_on_create_only() {
    let mut d = example();
    d.channel_info.app_secret = None;
    assert!(err_at(&d, "channel_info.app_secret").contains("required when creating"));
    assert!(!validate(&d, Mode::Update).iter().any(|e| e.path == "channel_info.app_secret"));
    d.channel_info.app_secret = Some("s".repeat(256));
    ok_at(&d, "channel_info.app_secret");
    d.channel_info.app_secret = Some("s".repeat(257));
    assert!(err_at(&d, "channel_info.app_secret").contains("at most 256"));
    d.channel_info.app_secret = Some("has space".into());
    err_at(&d, "channel_info.app_secret");
}

#[test]
fn an_error_never_shows_the_app_secret() {
    let mut d = example();
    d.channel_info.app_secret = Some(format!("TopSecret{}", "x".repeat(300)));
    let all = errors(&d);
    assert!(all.iter().all(|e| !e.message.contains("TopSecret")), "{all:#?}");
    d.channel_info.app_secret = Some("TopSecret\u{1b}".into());
    let all = errors(&d);
    assert!(all.iter().all(|e| !e.message.contains("TopSecret")), "{all:#?}");
}

#[test]
fn base_url_is_https_ip_and_port() {
    let mut d = example();
    for good in [
        "https://192.0.2.10:28090",
        "https://192.0.2.10:28090/",
        "https://10.1.2.3:1",
        "https://10.1.2.3:65535",
        "https://[2001:db8::1]:8443",
        "HTTPS://192.0.2.10:443",
        "  https://192.0.2.10:28090  ",
    ] {
        d.channel_info.base_url = good.into();
        ok_at(&d, "channel_info.base_url");
    }
    for (bad, says) in [
        ("", "required"),
        ("http://192.0.2.10:28090", "not http://"),
        ("192.0.2.10:28090", "must start with https://"),
        (
            "https://aicc.example.com:28090",
            "a domain name is not supported for the Telegram channel: use the IP address",
        ),
        ("https://localhost:28090", "a domain name is not supported"),
        ("https://192.0.2.10", "must include the port"),
        ("https://192.0.2.10:", "must include the port"),
        ("https://192.0.2.10:0", "from 1 to 65535"),
        ("https://192.0.2.10:65536", "from 1 to 65535"),
        ("https://192.0.2.10:+80", "from 1 to 65535"),
        ("https://192.0.2.10:28090/aicc", "remove the path"),
        ("https://192.0.2.10:28090?x=1", "remove the path"),
        ("https://192.0.2.300:28090", "not a valid IPv4"),
        ("https://2001:db8::1:8443", "in brackets"),
        ("https://[2001:db8::zz]:8443", "not an IPv6"),
        ("https://user@192.0.2.10:28090", "user name"),
        ("https://192.0.2.10 :28090", "spaces"),
    ] {
        d.channel_info.base_url = bad.into();
        let msg = err_at(&d, "channel_info.base_url");
        assert!(msg.contains(says), "{bad}: {msg}");
    }
}

#[test]
fn certificates_are_required_ids() {
    let mut d = example();
    d.channel_info.trust_certificate = String::new();
    d.channel_info.identity_certificate = "x".repeat(129);
    assert!(err_at(&d, "channel_info.trust_certificate").contains("required"));
    assert!(err_at(&d, "channel_info.identity_certificate").contains("at most 128"));
    d.channel_info.identity_certificate = "x".repeat(128);
    ok_at(&d, "channel_info.identity_certificate");
    d.channel_info.trust_certificate = "cert\u{7}".into();
    assert!(err_at(&d, "channel_info.trust_certificate").contains("control characters"));
}

#[test]
fn channel_name_rule() {
    let mut d = example();
    for good in ["a", "_", "_1", "Z9_x", &"n".repeat(64)] {
        d.basic.channel_name = good.to_string();
        ok_at(&d, "basic.channel_name");
    }
    for (bad, says) in [
        ("", "required"),
        ("1abc", "must start with a letter or an underscore"),
        ("has-dash", "only letters, digits and underscores"),
        ("with space", "U+0020"),
        ("café", "'é'"),
    ] {
        d.basic.channel_name = bad.into();
        let msg = err_at(&d, "basic.channel_name");
        assert!(msg.contains(says), "{bad}: {msg}");
    }
    d.basic.channel_name = "n".repeat(65);
    assert!(err_at(&d, "basic.channel_name").contains("at most 64"));
}

#[test]
fn ou_and_skill_queue_are_required() {
    let mut d = example();
    d.basic.ou = " ".into();
    d.basic.skill_queue = String::new();
    assert!(err_at(&d, "basic.ou").contains("OU Configuration is required"));
    assert!(err_at(&d, "basic.skill_queue").contains("Skill Queue is required"));
}

#[test]
fn keywords_are_required_only_while_the_robot_is_on() {
    let mut d = example();
    d.basic.transfer_keywords.clear();
    // the example routes offline messages to the chatbot's sibling settings; keep them consistent
    assert!(err_at(&d, "basic.transfer_keywords").contains("while Connecting to the Intelligent Robot is on"));
    d.robot.intelligent_robot.enabled = false;
    d.basic.session_transfer.targets.retain(|t| *t != TransferTarget::Chatbot);
    ok_at(&d, "basic.transfer_keywords");
}

#[test]
fn keyword_limits() {
    let mut d = example();
    d.basic.transfer_keywords = (0..20).map(|i| format!("kw{i}")).collect();
    ok_at(&d, "basic.transfer_keywords");
    d.basic.transfer_keywords.push("kw20".into());
    assert!(err_at(&d, "basic.transfer_keywords").contains("at most 20"));

    d.basic.transfer_keywords = vec!["k".repeat(32)];
    ok_at(&d, "basic.transfer_keywords");
    d.basic.transfer_keywords = vec!["ok".into(), "k".repeat(33)];
    assert!(err_at(&d, "basic.transfer_keywords[1]").contains("1–32 characters"));
    d.basic.transfer_keywords = vec!["  ".into()];
    err_at(&d, "basic.transfer_keywords[0]");
    d.basic.transfer_keywords = vec!["a,b".into(), "c;d".into()];
    assert!(err_at(&d, "basic.transfer_keywords[0]").contains("','"));
    err_at(&d, "basic.transfer_keywords[1]");
    d.basic.transfer_keywords = vec!["Agent".into(), "human".into(), "AGENT".into()];
    assert!(err_at(&d, "basic.transfer_keywords[2]").contains("ignoring case"));
    ok_at(&d, "basic.transfer_keywords[1]");
    d.basic.transfer_keywords = vec!["人工客服".into()];
    ok_at(&d, "basic.transfer_keywords");
}

#[test]
fn work_time_segments_are_well_formed() {
    let mut d = example();
    let wd = "basic.work_time.workday";
    d.basic.work_time.workday = vec![Segment::new("00:00", "24:00")];
    ok_at(&d, wd);
    d.basic.work_time.workday = vec![Segment::new("24:00", "24:00")];
    assert!(err_at(&d, &format!("{wd}[0].start")).contains("00:00 to 23:59"));
    d.basic.work_time.workday = vec![Segment::new("9:00", "18:00")];
    err_at(&d, &format!("{wd}[0].start"));
    d.basic.work_time.workday = vec![Segment::new("09:00", "24:01")];
    assert!(err_at(&d, &format!("{wd}[0].end")).contains("00:00 to 24:00"));
    d.basic.work_time.workday = vec![Segment::new("09:00", "09:60")];
    err_at(&d, &format!("{wd}[0].end"));
    d.basic.work_time.workday = vec![Segment::new("09:00", "09:00")];
    assert!(err_at(&d, &format!("{wd}[0].end")).contains("later than the start (09:00)"));
    d.basic.work_time.workday = vec![Segment::new("09:00", "09:01")];
    ok_at(&d, wd);
    d.basic.work_time.non_workday = vec![Segment::new("", "")];
    err_at(&d, "basic.work_time.non_workday[0].start");
    err_at(&d, "basic.work_time.non_workday[0].end");
}

#[test]
fn at_most_four_segments() {
    let mut d = example();
    let seg = |h: u32| Segment::new(&format!("{h:02}:00"), &format!("{:02}:00", h + 1));
    d.basic.work_time.non_workday = (0..4).map(seg).collect();
    ok_at(&d, "basic.work_time.non_workday");
    d.basic.work_time.non_workday = (0..5).map(seg).collect();
    assert!(err_at(&d, "basic.work_time.non_workday").contains("at most 4"));
}

#[test]
fn segments_may_touch_but_not_overlap() {
    let mut d = example();
    let wd = "basic.work_time.workday";
    d.basic.work_time.workday = vec![Segment::new("13:00", "18:00"), Segment::new("08:00", "13:00")];
    ok_at(&d, wd);
    d.basic.work_time.workday = vec![Segment::new("13:00", "18:00"), Segment::new("08:00", "13:01")];
    let msg = err_at(&d, &format!("{wd}[0].start"));
    assert!(msg.contains("13:00–18:00 overlaps 08:00–13:01"), "{msg}");
    // a segment inside another
    d.basic.work_time.workday = vec![Segment::new("08:00", "18:00"), Segment::new("10:00", "11:00")];
    err_at(&d, &format!("{wd}[1].start"));
    // the other day type is independent
    d.basic.work_time.workday = vec![Segment::new("08:00", "12:00")];
    d.basic.work_time.non_workday = vec![Segment::new("08:00", "12:00")];
    ok_at(&d, "basic.work_time");
}

#[test]
fn notification_at_most_500_with_newlines() {
    let mut d = example();
    d.basic.non_working_time_notification = format!("{}\n{}", "a".repeat(249), "b".repeat(250));
    ok_at(&d, "basic.non_working_time_notification");
    d.basic.non_working_time_notification = "a".repeat(501);
    assert!(err_at(&d, "basic.non_working_time_notification").contains("at most 500"));
    d.basic.non_working_time_notification = "tab\there".into();
    assert!(err_at(&d, "basic.non_working_time_notification").contains("other than line breaks"));
    d.basic.non_working_time_notification = "bell\u{7}".into();
    err_at(&d, "basic.non_working_time_notification");
}

/// Set a numeric field to each side of both bounds.
#[track_caller]
fn check_range(path: &str, (lo, hi): (i64, i64), set: impl Fn(&mut ChannelDocument, i64)) {
    let mut d = example();
    for ok in [lo, hi] {
        set(&mut d, ok);
        ok_at(&d, path);
    }
    for bad in [lo - 1, hi + 1] {
        set(&mut d, bad);
        let msg = err_at(&d, path);
        assert!(msg.contains(&format!("from {lo} to {hi}")), "{path}={bad}: {msg}");
        one_sentence(&msg);
    }
}

#[test]
fn last_agent_mode_ranges() {
    check_range("basic.last_agent_mode.retention_hours", (1, 72), |d, v| d.basic.last_agent_mode.retention_hours = v);
    check_range("basic.last_agent_mode.wait_seconds", (10, 600), |d, v| d.basic.last_agent_mode.wait_seconds = v);
}

#[test]
fn session_end_ranges_and_message() {
    check_range("basic.session_end_no_customer_reply.timeout_minutes", (2, 1440), |d, v| {
        d.basic.session_end_no_customer_reply.timeout_minutes = v;
        // the called-customer timeout (1–5) must stay below it: 1 always does
        d.basic.offline_messages.called_customer_reply_timeout_minutes = 1;
    });
    let mut d = example();
    d.basic.session_end_no_customer_reply.end_message = "m".repeat(256);
    ok_at(&d, "basic.session_end_no_customer_reply");
    d.basic.session_end_no_customer_reply.end_message = "m".repeat(257);
    assert!(err_at(&d, "basic.session_end_no_customer_reply.end_message").contains("at most 256"));
}

#[test]
fn session_transfer_no_agent_reply_rules() {
    check_range("basic.session_transfer_no_agent_reply.timeout_seconds", (30, 3600), |d, v| {
        d.basic.session_transfer_no_agent_reply.timeout_seconds = v
    });
    let path = "basic.session_transfer_no_agent_reply.target_skill_queue";
    let mut d = example();
    d.basic.session_transfer_no_agent_reply.target_skill_queue = String::new();
    assert!(err_at(&d, path).contains("required"));
    d.basic.session_transfer_no_agent_reply.target_skill_queue = d.basic.skill_queue.clone();
    assert!(err_at(&d, path).contains("must differ from the channel's own skill queue ('sq-1')"));
    d.basic.session_transfer_no_agent_reply.notice = "n".repeat(257);
    err_at(&d, "basic.session_transfer_no_agent_reply.notice");
}

#[test]
fn session_transfer_targets() {
    let path = "basic.session_transfer.targets";
    let mut d = example();
    d.basic.session_transfer.targets.clear();
    assert!(err_at(&d, path).contains("at least one target"));
    d.basic.session_transfer.targets = vec![TransferTarget::Agent, TransferTarget::Agent];
    assert!(err_at(&d, &format!("{path}[1]")).contains("listed twice"));
    d.basic.session_transfer.targets = vec![TransferTarget::Agent, TransferTarget::Chatbot];
    ok_at(&d, path);
    d.robot.intelligent_robot.enabled = false;
    d.basic.offline_messages.routing_mode = RoutingMode::SkillQueue;
    assert!(err_at(&d, &format!("{path}[1]")).contains("needs Connecting to the Intelligent Robot"));
}

#[test]
fn offline_prompt_rules() {
    let path = "basic.offline_messages.prompt";
    let mut d = example();
    d.basic.offline_messages.prompt = String::new();
    assert!(err_at(&d, path).contains("required while Offline Messages is on"));
    d.basic.offline_messages.prompt = "p".repeat(256);
    ok_at(&d, path);
    d.basic.offline_messages.prompt = "p".repeat(257);
    assert!(err_at(&d, path).contains("at most 256"));
    for c in ['\'', '"', '/', '<', '>', '\\', ';'] {
        d.basic.offline_messages.prompt = format!("leave a message {c} please");
        let msg = err_at(&d, path);
        assert!(msg.contains(&format!("may not contain {c}")), "{msg}");
    }
    d.basic.offline_messages.prompt = "Leave a message, please! (we reply soon)".into();
    ok_at(&d, path);
}

#[test]
fn offline_numeric_ranges() {
    check_range("basic.offline_messages.routing_time_limit_minutes", (1, 60), |d, v| {
        d.basic.offline_messages.routing_time_limit_minutes = v
    });
    check_range("basic.offline_messages.called_customer_reply_timeout_minutes", (1, 5), |d, v| {
        d.basic.offline_messages.called_customer_reply_timeout_minutes = v
    });
    let path = "basic.offline_messages.agent_outbound_time_limit_minutes";
    let mut d = example();
    for ok in [None, Some(0), Some(10080)] {
        d.basic.offline_messages.agent_outbound_time_limit_minutes = ok;
        ok_at(&d, path);
    }
    for bad in [-1, 10081] {
        d.basic.offline_messages.agent_outbound_time_limit_minutes = Some(bad);
        assert!(err_at(&d, path).contains("empty (unlimited) or a whole number of minutes from 0 to 10080"));
    }
}

#[test]
fn called_customer_timeout_below_the_session_end_timeout() {
    let path = "basic.offline_messages.called_customer_reply_timeout_minutes";
    let mut d = example();
    d.basic.session_end_no_customer_reply.timeout_minutes = 4;
    d.basic.offline_messages.called_customer_reply_timeout_minutes = 3;
    ok_at(&d, path);
    d.basic.offline_messages.called_customer_reply_timeout_minutes = 4;
    assert!(err_at(&d, path).contains("must be less than the 4 min of Session End Due to No Customer Reply"));
    d.basic.session_end_no_customer_reply.enabled = false;
    ok_at(&d, path);
}

#[test]
fn routing_mode_prerequisites() {
    let path = "basic.offline_messages.routing_mode";
    let mut d = example();
    d.basic.offline_messages.routing_mode = RoutingMode::LastAgent;
    ok_at(&d, path);
    d.basic.last_agent_mode.enabled = false;
    assert!(err_at(&d, path).contains("needs Last Agent Mode turned on"));
    d.basic.offline_messages.routing_mode = RoutingMode::Chatbot;
    ok_at(&d, path);
    d.robot.intelligent_robot.chatbot_access_code = String::new();
    assert!(err_at(&d, path).contains("with a chatbot access code"));
    d.robot.intelligent_robot.chatbot_access_code = "bot-1".into();
    d.robot.intelligent_robot.enabled = false;
    d.basic.session_transfer.targets.retain(|t| *t != TransferTarget::Chatbot);
    err_at(&d, path);
    d.basic.offline_messages.routing_mode = RoutingMode::SkillQueue;
    ok_at(&d, path);
}

#[test]
fn robot_codes_required_when_enabled() {
    let mut d = example();
    d.robot.intelligent_robot.chatbot_access_code = String::new();
    assert!(
        err_at(&d, "robot.intelligent_robot.chatbot_access_code")
            .contains("required while the intelligent robot is on")
    );
    d.robot.robot_assistant.assistant_access_code = "  ".into();
    err_at(&d, "robot.robot_assistant.assistant_access_code");
    d.robot.robot_assistant.enabled = false;
    ok_at(&d, "robot.robot_assistant");
}

#[test]
fn disabled_sections_are_not_checked_and_keep_their_values() {
    let mut d = example();
    d.basic.last_agent_mode.retention_hours = 999;
    d.basic.session_end_no_customer_reply.timeout_minutes = 0;
    d.basic.session_transfer_no_agent_reply.target_skill_queue = String::new();
    d.basic.session_transfer.targets.clear();
    d.basic.offline_messages.prompt = "<bad>".into();
    d.robot.intelligent_robot.chatbot_access_code = String::new();
    d.robot.robot_assistant.assistant_access_code = String::new();
    for on in [true, false] {
        d.basic.last_agent_mode.enabled = on;
        d.basic.session_end_no_customer_reply.enabled = on;
        d.basic.session_transfer_no_agent_reply.enabled = on;
        d.basic.session_transfer.enabled = on;
        d.basic.offline_messages.enabled = on;
        d.robot.intelligent_robot.enabled = on;
        d.robot.robot_assistant.enabled = on;
        let n = errors(&d).len();
        if on {
            assert!(n >= 7, "{:#?}", errors(&d));
        } else {
            assert_eq!(errors(&d), vec![]);
        }
    }
    assert_eq!(d.basic.last_agent_mode.retention_hours, 999, "values survive toggling");
}

#[test]
fn control_characters_are_rejected_everywhere() {
    let mut d = example();
    d.basic.transfer_keywords[0] = "age\u{1b}nt".into();
    assert!(err_at(&d, "basic.transfer_keywords[0]").contains("U+001B"));
    let mut d = example();
    d.basic.session_transfer_no_agent_reply.notice = "line\nbreak ok".into();
    ok_at(&d, "basic.session_transfer_no_agent_reply.notice");
    d.basic.session_transfer_no_agent_reply.notice = "nul\u{0}".into();
    err_at(&d, "basic.session_transfer_no_agent_reply.notice");
}

fn catalogue() -> Catalogue {
    Catalogue {
        ous: vec![
            Ou { id: "ou-1".into(), name: "Headquarters".into(), parent: None },
            Ou { id: "ou-2".into(), name: "Support".into(), parent: Some("ou-1".into()) },
        ],
        skill_queues: vec![
            SkillQueue { id: "sq-1".into(), name: "Telegram L1".into() },
            SkillQueue { id: "sq-2".into(), name: "Telegram L2".into() },
        ],
        certificates: vec![
            Certificate {
                id: "cert-trust-1".into(),
                name: "API Fabric".into(),
                role: CertRole::Trust,
                subject: "CN=apifabric".into(),
                not_after: "2030-01-01T00:00:00Z".into(),
                expired: false,
                used_by: Vec::new(),
            },
            Certificate {
                id: "cert-id-1".into(),
                name: "AICC".into(),
                role: CertRole::Identity,
                subject: "CN=aicc".into(),
                not_after: "2030-01-01T00:00:00Z".into(),
                expired: false,
                used_by: Vec::new(),
            },
        ],
        chatbots: vec![Chatbot { id: "bot-1".into(), name: "FAQ bot".into() }],
        assistants: vec![Assistant { id: "asst-1".into(), name: "Agent helper".into() }],
        channels: vec![ChannelRef { id: "ch-9".into(), name: "Existing".into() }],
        channels_omitted: 0,
    }
}

#[track_caller]
fn cat_err(d: &ChannelDocument, path: &str) -> String {
    let all = validate_catalogue(d, &catalogue(), None);
    all.iter().find(|e| e.path == path).unwrap_or_else(|| panic!("no error at {path}: {all:#?}")).message.clone()
}

#[test]
fn the_example_matches_the_demo_catalogue() {
    assert_eq!(validate_catalogue(&example(), &catalogue(), None), vec![]);
    assert_eq!(catalogue().ou_path("ou-2").as_deref(), Some("Headquarters / Support"));
}

#[test]
fn channel_names_are_unique_per_tenant_case_sensitively() {
    let mut d = example();
    d.basic.channel_name = "Existing".into();
    assert!(cat_err(&d, "basic.channel_name").contains("already exists"));
    // the channel being edited keeps its own name
    assert_eq!(validate_catalogue(&d, &catalogue(), Some("ch-9")), vec![]);
    d.basic.channel_name = "existing".into();
    assert_eq!(validate_catalogue(&d, &catalogue(), None), vec![]);
}

#[test]
fn catalogue_ids_must_exist_with_the_right_kind() {
    let mut d = example();
    d.channel_info.trust_certificate = "cert-id-1".into();
    assert!(
        cat_err(&d, "channel_info.trust_certificate")
            .contains("is an identity certificate: choose a trust certificate")
    );
    d.channel_info.identity_certificate = "cert-trust-1".into();
    assert!(cat_err(&d, "channel_info.identity_certificate").contains("is a trust certificate"));
    d.channel_info.identity_certificate = "cert-nope".into();
    assert!(cat_err(&d, "channel_info.identity_certificate").contains("has not been uploaded"));
    let mut d = example();
    d.basic.ou = "ou-9".into();
    d.basic.skill_queue = "sq-wa".into();
    d.basic.session_transfer_no_agent_reply.target_skill_queue = "sq-9".into();
    d.robot.intelligent_robot.chatbot_access_code = "bot-9".into();
    d.robot.robot_assistant.assistant_access_code = "asst-9".into();
    cat_err(&d, "basic.ou");
    cat_err(&d, "basic.skill_queue");
    cat_err(&d, "basic.session_transfer_no_agent_reply.target_skill_queue");
    cat_err(&d, "robot.intelligent_robot.chatbot_access_code");
    cat_err(&d, "robot.robot_assistant.assistant_access_code");
    // disabled sections are not looked up
    d.basic.session_transfer_no_agent_reply.enabled = false;
    d.robot.robot_assistant.enabled = false;
    let paths: Vec<String> = validate_catalogue(&d, &catalogue(), None).into_iter().map(|e| e.path).collect();
    assert!(!paths.iter().any(|p| p.contains("session_transfer_no_agent_reply") || p.contains("robot_assistant")));
}

#[test]
fn an_expired_certificate_is_refused() {
    let mut cat = catalogue();
    cat.certificates[0].expired = true;
    cat.certificates[0].not_after = "2020-01-01T00:00:00Z".into();
    let all = validate_catalogue(&example(), &cat, None);
    assert_eq!(all.len(), 1);
    assert!(all[0].message.contains("expired on 2020-01-01"));
}

#[test]
fn validate_all_runs_both_steps_without_repeating_a_field() {
    let mut d = example();
    d.basic.ou = "ou-9".into();
    d.basic.channel_name = "1bad".into();
    let all = validate_all(&d, Mode::Create, Some(&catalogue()), None);
    assert_eq!(all.iter().filter(|e| e.path == "basic.ou").count(), 1);
    assert_eq!(all.iter().filter(|e| e.path == "basic.channel_name").count(), 1);
    assert_eq!(validate_all(&d, Mode::Create, None, None).len(), 1);
}

#[test]
fn a_bounded_validation_lists_the_first_errors_and_counts_every_other_once() {
    let mut d = example();
    d.basic.transfer_keywords = vec![String::new(); 5_000];
    d.basic.work_time.workday = vec![Segment { start: "x".into(), end: "y".into() }; 300];
    // broken for the local rules (too long) and unknown to the catalogue:
    // one field, one error, also when it falls past the cap
    d.robot.intelligent_robot.chatbot_access_code = "b".repeat(200);
    d.basic.ou = "ou-9".into();
    let all = validate_all(&d, Mode::Create, Some(&catalogue()), None);
    assert_eq!(all.iter().filter(|e| e.path == "robot.intelligent_robot.chatbot_access_code").count(), 1);
    for cap in [0, 1, 100, 5_000, all.len(), all.len() + 1] {
        let found = validate_all_bounded(&d, Mode::Create, Some(&catalogue()), None, cap);
        assert_eq!(found.errors, all[..cap.min(all.len())], "cap {cap}");
        assert_eq!(found.errors.len() + found.more, all.len(), "cap {cap}");
    }
}
