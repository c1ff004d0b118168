//! Render snapshots of every page at 80×24 and at the smallest supported
//! size (60×16), with errors showing.

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use chanwiz::drafts::Draft;
use chanwiz::model::catalogue::{Assistant, CertRole, Certificate, ChannelRef, Chatbot, Ou, SkillQueue};
use chanwiz::model::{Catalogue, ChannelDocument, parse_document};
use chanwiz::tui::form::FieldId;
use chanwiz::tui::render::render;
use chanwiz::tui::state::{DraftRow, Link, State};
use chanwiz::tui::update::{Action, open_wizard, update};

const SIZES: [(u16, u16); 2] = [(80, 24), (60, 16)];

fn draw(state: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| render(state, f)).unwrap();
    t.backend().to_string()
}

/// Drawn at each size, as after a resize to it (the scroll follows).
fn snap(name: &str, state: &mut State) {
    for (w, h) in SIZES {
        update(state, Action::Resize(w, h));
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(state, w, h));
    }
    update(state, Action::Resize(80, 24));
}

fn key(s: &mut State, code: KeyCode) {
    update(s, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn fixed_time() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 9, 30, 0).unwrap()
}

fn catalogue() -> Catalogue {
    let cert = |id: &str, name: &str, role, expired| Certificate {
        id: id.into(),
        name: name.into(),
        role,
        subject: format!("CN={name}"),
        not_after: if expired { "2025-01-01T00:00:00Z".into() } else { "2027-11-23T00:00:00Z".into() },
        expired,
        used_by: Vec::new(),
    };
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
            cert("cert-trust-1", "API Fabric CA", CertRole::Trust, false),
            cert("cert-trust-0", "Old API Fabric CA", CertRole::Trust, true),
            cert("cert-id-1", "AICC identity", CertRole::Identity, false),
        ],
        chatbots: vec![Chatbot { id: "bot-1".into(), name: "FAQ bot".into() }],
        assistants: vec![Assistant { id: "asst-1".into(), name: "Agent helper".into() }],
        channels: vec![ChannelRef { id: "ch-9".into(), name: "Existing".into() }],
        channels_omitted: 0,
    }
}

fn base_state(link: Link) -> State {
    let mut s = State::new(Some("http://127.0.0.1:8700".into()), link);
    s.shared.now = fixed_time();
    s
}

fn wizard_with(doc: ChannelDocument, with_catalogue: bool) -> State {
    let mut s = base_state(Link::Online);
    if with_catalogue {
        update(
            &mut s,
            Action::CatalogueLoaded { catalogue: catalogue(), fetched: fixed_time() - chrono::Duration::minutes(3) },
        );
    }
    let mut draft = Draft::new(doc);
    draft.meta.created = fixed_time();
    draft.meta.updated = fixed_time();
    open_wizard(&mut s, draft);
    s.wizard_mut().unwrap().show_all = true;
    s
}

fn example() -> ChannelDocument {
    parse_document(include_str!("../assets/examples/telegram-channel.json")).unwrap()
}

fn broken() -> ChannelDocument {
    let mut d = example();
    d.channel_info.base_url = "https://aicc.example.com:28090".into();
    d.channel_info.app_secret = None;
    d.basic.channel_name = "9lives".into();
    d.basic.work_time.workday.push(chanwiz::model::Segment::new("11:00", "14:00"));
    d.basic.offline_messages.prompt = "<b>bad</b>".into();
    d.robot.robot_assistant.assistant_access_code = String::new();
    d
}

#[test]
fn home_screens() {
    let mut s = base_state(Link::Offline);
    snap("home_loading", &mut s);
    update(&mut s, Action::DraftsLoaded { drafts: vec![], problems: vec![] });
    snap("home_empty", &mut s);
    let row = |id: &str, name: &str, step, errors| DraftRow {
        id: id.into(),
        name: name.into(),
        step,
        updated: fixed_time(),
        errors,
        channel_id: None,
        // the first names a certificate no catalogue seen here holds
        refs: chanwiz::model::Refs {
            channel_name: name.into(),
            trust_certificate: if id.starts_with('a') { "cert-gone".into() } else { String::new() },
            ..Default::default()
        },
    };
    update(
        &mut s,
        Action::DraftsLoaded {
            drafts: vec![
                row("aaaaaaaaaaaa", "Telegram_Support", 4, 0),
                row("bbbbbbbbbbbb", "", 1, 7),
                row("cccccccccccc", "Sales\u{1b}[31m_TG", 2, 1),
            ],
            problems: vec![
                "draft file /x/dddddddddddd.json is unreadable (EOF); moved aside to /x/dddddddddddd.json.corrupt-1"
                    .into(),
            ],
        },
    );
    // offline, no catalogue: the certificate is not checked, and the list says so
    snap("home_drafts_offline", &mut s);
    let text = draw(&s, 80, 24);
    assert!(text.contains("✓ valid offline") && text.contains("catalogue"), "{text}");
    let mut online = s;
    online.shared.link = Link::Online;
    online.shared.catalogue_fetched = Some(fixed_time() - chrono::Duration::minutes(42));
    update(
        &mut online,
        Action::CatalogueLoaded {
            catalogue: Default::default(),
            fetched: fixed_time() - chrono::Duration::minutes(42),
        },
    );
    let text = draw(&online, 80, 24);
    assert!(
        !text.contains("valid offline") && text.matches("✗ 1 error").count() == 2,
        "the unknown certificate counts: {text}"
    );
    update(
        &mut online,
        Action::ChannelsLoaded {
            total: 1,
            items: vec![chanwiz::api::ChannelSummary {
                id: "ch-1".into(),
                name: "Existing".into(),
                channel_type: "telegram".into(),
                version: 3,
                updated: fixed_time(),
                integration_url: "https://192.0.2.10:28090/apiaccess/telegram/message/ch-1".into(),
                ..Default::default()
            }],
        },
    );
    snap("home_drafts_and_channels", &mut online);
    let text = draw(&online, 80, 24);
    assert!(!text.contains('\u{1b}'), "escape sequences from a draft are never drawn");
    assert!(text.contains("Sales[31m_TG") || text.contains("Sales_TG"));
}

#[test]
fn each_step_with_errors() {
    let mut s = wizard_with(broken(), true);
    snap("step1_channel_info", &mut s);
    key(&mut s, KeyCode::PageDown);
    snap("step2_basic", &mut s);
    // scrolled down to the More settings
    while s.wizard().unwrap().focus != FieldId::OmPrompt {
        key(&mut s, KeyCode::Tab);
    }
    snap("step2_more", &mut s);
    key(&mut s, KeyCode::PageDown);
    snap("step3_robot", &mut s);
    key(&mut s, KeyCode::PageDown);
    snap("step4_review", &mut s);
}

#[test]
fn a_new_channel_offline_without_a_catalogue() {
    let mut s = base_state(Link::Offline);
    s.shared.backend_url = None;
    open_wizard(&mut s, Draft::new(ChannelDocument::default()));
    for c in "ak-1".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    key(&mut s, KeyCode::Tab);
    for c in "secret".chars() {
        key(&mut s, KeyCode::Char(c));
    }
    snap("new_offline", &mut s);
}

#[test]
fn popups() {
    let mut s = wizard_with(example(), true);
    for _ in 0..4 {
        key(&mut s, KeyCode::Tab);
    }
    key(&mut s, KeyCode::Enter);
    snap("popup_select_certificate", &mut s);
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::PageDown);
    while s.wizard().unwrap().focus != FieldId::Workday {
        key(&mut s, KeyCode::Tab);
    }
    key(&mut s, KeyCode::Enter);
    snap("popup_work_time", &mut s);
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::F(1));
    snap("popup_help", &mut s);
    key(&mut s, KeyCode::Esc);
    key(&mut s, KeyCode::Char(' '));
    update(&mut s, Action::Key(KeyEvent::new(KeyCode::Char('q'), KeyModifiers::CONTROL)));
    snap("popup_confirm_quit", &mut s);
}

#[test]
fn integration_page() {
    let mut s = base_state(Link::Online);
    s.screen =
        chanwiz::tui::state::Screen::Integration(Box::new(chanwiz::tui::screens::integration::IntegrationPage::new(
            chanwiz::api::Channel {
                id: "0f9d2c4e-1b7a-4c55-9a0e-2f1d3c4b5a69".into(),
                version: 1,
                created: fixed_time(),
                updated: fixed_time(),
                integration_url:
                    "https://192.0.2.10:28090/apiaccess/telegram/message/0f9d2c4e-1b7a-4c55-9a0e-2f1d3c4b5a69".into(),
                has_app_secret: true,
                has_bot_token: false,
                document: example().without_secrets(),
            },
            true,
        )));
    snap("integration", &mut s);
}

/// The Integration page of a registered channel, its details loaded (the
/// stored public address prefilled) and the webhook's state answered by the
/// backend: `last_error` Telegram's, `wrong_secrets` the backend's refusals
/// (without an error, a message was delivered half an hour ago).
fn integration_with_state(last_error: Option<&str>, wrong_secrets: u64) -> State {
    use chanwiz::api::*;
    let mut s = base_state(Link::Online);
    let channel = Channel {
        id: "0f9d2c4e1b7a4c559a0e2f1d3c4b5a69".into(),
        version: 2,
        created: fixed_time(),
        updated: fixed_time(),
        integration_url: "https://192.0.2.10:28090/apiaccess/telegram/message/0f9d2c4e1b7a4c559a0e2f1d3c4b5a69".into(),
        has_app_secret: true,
        has_bot_token: true,
        document: example().without_secrets(),
    };
    s.screen = chanwiz::tui::state::Screen::Integration(Box::new(
        chanwiz::tui::screens::integration::IntegrationPage::new(channel, false),
    ));
    let info = chanwiz::integration::IntegrationInfo::from_wire(
        "Telegram_Support".into(),
        Integration {
            channel_id: "0f9d2c4e1b7a4c559a0e2f1d3c4b5a69".into(),
            integration_url: "https://192.0.2.10:28090/apiaccess/telegram/message/0f9d2c4e1b7a4c559a0e2f1d3c4b5a69"
                .into(),
            webhook_secret: "Zq7_generated-by-backend-0123456789".into(),
            has_bot_token: true,
            identity_certificate_pem: None,
            rotation_pending: false,
            public_address: Some("https://93.184.216.34:8443".into()),
            bot: Some(BotRef { id: 7001, username: Some("AICCCustomize_TWbot".into()) }),
        },
    );
    update(&mut s, Action::IntegrationLoaded(Ok(info)));
    let at = fixed_time();
    let state = WebhookState {
        channel_id: "0f9d2c4e1b7a4c559a0e2f1d3c4b5a69".into(),
        has_bot_token: true,
        bot: Some(BotRef { id: 7001, username: Some("AICCCustomize_TWbot".into()) }),
        webhook: Some(TelegramWebhook {
            url: "https://93.184.216.34:8443/apiaccess/telegram/message/0f9d2c4e1b7a4c559a0e2f1d3c4b5a69".into(),
            pending_update_count: if last_error.is_some() { 3 } else { 0 },
            last_error_date: last_error.map(|_| at.timestamp()),
            last_error_message: last_error.map(Into::into),
            ..Default::default()
        }),
        status: Some(if last_error.is_some() { WebhookStatus::Failing } else { WebhookStatus::Ok }),
        fetched: Some(at),
        age_seconds: Some(12),
        error: None,
        points_here: true,
        registered: Some(at - chrono::TimeDelta::hours(2)),
        // a working webhook delivered since its registration
        last_delivery: last_error.is_none().then(|| at - chrono::TimeDelta::minutes(30)),
        refusals: (wrong_secrets > 0)
            .then_some(DeliveryRefusal { reason: RefusalReason::SecretWrong, count: wrong_secrets, last: at })
            .into_iter()
            .collect(),
        unknown_channel: None,
        public_address: Some("https://93.184.216.34:8443".into()),
    };
    let diagnosis = chanwiz::integration::diagnose(&state, chanwiz::integration::Face::Wizard);
    update(&mut s, Action::WebhookStateLoaded(Ok(chanwiz::integration::BackendStatus { state, diagnosis })));
    s
}

#[test]
fn integration_page_of_a_working_webhook() {
    snap("integration_working", &mut integration_with_state(None, 0));
}

#[test]
fn integration_page_of_a_wrong_secret() {
    snap(
        "integration_wrong_secret",
        &mut integration_with_state(Some("Wrong response from the webhook: 403 Forbidden"), 4),
    );
}

#[test]
fn integration_page_asking_to_move_a_bot() {
    let mut s = integration_with_state(None, 0);
    update(
        &mut s,
        Action::IntegrationDone(Err(chanwiz::tui::update::IntegrationFailure {
            message: "bot @AICCCustomize_TWbot is already bound to channel Sales_Telegram".into(),
            bot_in_use: Some((
                "@AICCCustomize_TWbot".into(),
                chanwiz::api::ChannelRef {
                    id: "5b0e9c1d2a3f4e6b8c7d9e0f1a2b3c4d".into(),
                    name: "Sales_Telegram".into(),
                },
            )),
            ..Default::default()
        })),
    );
    snap("integration_move_bot", &mut s);
}

#[test]
fn too_small() {
    let s = base_state(Link::Offline);
    insta::assert_snapshot!("too_small_59x16", draw(&s, 59, 16));
    insta::assert_snapshot!("too_small_80x15", draw(&s, 80, 15));
    assert!(draw(&s, 59, 16).contains("terminal too small (need 60×16)"));
}

#[test]
fn an_edit_with_its_changes_and_the_merge_after_a_conflict() {
    let mut s = base_state(Link::Online);
    update(
        &mut s,
        Action::CatalogueLoaded { catalogue: catalogue(), fetched: fixed_time() - chrono::Duration::minutes(3) },
    );
    let mut base = example().without_secrets();
    base.basic.transfer_keywords = vec!["人工".into(), "agent".into()];
    let mut draft = Draft::editing("ch-7", 3, &base);
    draft.meta.created = fixed_time();
    draft.meta.updated = fixed_time();
    draft.document.channel_info.app_key = "ak-rotated-2026".into();
    draft.document.channel_info.app_secret = Some("sk-rotated".into());
    draft.document.basic.non_working_time_notification = "下班了，明天见 🙂\nBack tomorrow.".into();
    open_wizard(&mut s, draft);
    for _ in 0..3 {
        key(&mut s, KeyCode::PageDown);
    }
    snap("edit_review", &mut s);
    let mut theirs = base.clone();
    theirs.basic.non_working_time_notification = "休息中 🌙".into();
    theirs.basic.skill_queue = "sq-2".into();
    let current = chanwiz::api::Channel {
        id: "ch-7".into(),
        version: 4,
        created: fixed_time(),
        updated: fixed_time(),
        integration_url: "https://192.0.2.10:28090/apiaccess/telegram/message/ch-7".into(),
        has_app_secret: true,
        has_bot_token: false,
        document: theirs,
    };
    update(
        &mut s,
        Action::Submitted(Err(chanwiz::tui::update::SubmitError::Stale {
            message: "412".into(),
            current: Some(Box::new(current)),
        })),
    );
    snap("edit_merge", &mut s);
}

/// Text that reaches a screen's last column was cut there: it must say so
/// with `…`. Every wrap and cut leaves that column free, so a line ending
/// in a letter at the edge is text silently lost. (Popup borders and lines
/// without a space — the integration URL drawn whole over full-width
/// lines — are not text cut at the edge.)
#[test]
fn no_line_of_any_snapshot_is_cut_without_an_ellipsis() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
    let mut cut = Vec::new();
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".snap") {
            continue;
        }
        seen += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            // a drawn row: "…", with insta's note of wide cells after it
            let Some(rest) = line.strip_prefix('"') else { continue };
            let row = match rest.split_once("\" Hidden by multi-width symbols:") {
                Some((row, _)) => row,
                None => match rest.strip_suffix('"') {
                    Some(row) => row,
                    None => continue,
                },
            };
            let Some(last) = row.chars().last() else { continue };
            let boxed = row.chars().any(|c| matches!(c, '│' | '┐' | '┘' | '┌' | '└' | '─' | '╭' | '╮' | '╯' | '╰'));
            if last == ' ' || last == '…' || boxed || !row.trim().contains(' ') {
                continue;
            }
            cut.push(format!("{name}: {row}"));
        }
    }
    assert!(seen >= 20, "the snapshots are there ({seen})");
    assert!(cut.is_empty(), "lines cut at the edge without …:\n{}", cut.join("\n"));
}

/// Chinese, Arabic and emoji (flags, ZWJ sequences) in every free-text field,
/// message and catalogue name: nothing overflows its column, a long line
/// without spaces wraps in the message editor, and every cut says `…`.
fn many_languages() -> ChannelDocument {
    let family = "👨\u{200D}👩\u{200D}👧";
    let mut d = example();
    d.basic.transfer_keywords = vec!["人工客服".into(), "وكيل".into(), format!("{family} agent"), "🇨🇳🇸🇦".into()];
    d.basic.non_working_time_notification = format!(
        "您好！我们的客服人员现在休息，工作时间为周一至周五早上八点半到下午六点，请留言，我们会尽快回复您。\n\
         مرحبا، فريق الدعم غير متاح الآن 🇸🇦\n{family} Back tomorrow 🇨🇳"
    );
    d.basic.session_end_no_customer_reply.end_message = format!("会话已结束 — انتهت المحادثة {family}");
    d.basic.session_transfer_no_agent_reply.notice = "正在为您转接其他团队 🇨🇳 سيتم تحويلك".into();
    d.basic.offline_messages.prompt = "请留言 · اترك رسالة · leave a message 🙋‍♀️".into();
    d
}

fn many_languages_catalogue() -> Catalogue {
    let mut c = catalogue();
    c.ous[0].name = "总部 الإدارة".into();
    c.ous[1].name = "客服中心 🇨🇳".into();
    c.skill_queues[0].name = "Telegram 一线支持 🧑‍💻".into();
    c.skill_queues[1].name = "الدعم الثاني".into();
    c
}

#[test]
fn every_text_field_in_chinese_arabic_and_emoji() {
    let mut s = base_state(Link::Online);
    update(
        &mut s,
        Action::CatalogueLoaded {
            catalogue: many_languages_catalogue(),
            fetched: fixed_time() - chrono::Duration::minutes(3),
        },
    );
    let mut draft = Draft::new(many_languages());
    draft.meta.created = fixed_time();
    draft.meta.updated = fixed_time();
    open_wizard(&mut s, draft);
    key(&mut s, KeyCode::PageDown);
    snap("languages_basic", &mut s);
    while s.wizard().unwrap().focus != FieldId::Notification {
        key(&mut s, KeyCode::Tab);
    }
    key(&mut s, KeyCode::Enter);
    snap("languages_message_editor", &mut s);
    key(&mut s, KeyCode::Esc);
    while s.wizard().unwrap().focus != FieldId::OmPrompt {
        key(&mut s, KeyCode::Tab);
    }
    snap("languages_more", &mut s);
    key(&mut s, KeyCode::PageDown);
    key(&mut s, KeyCode::PageDown);
    for _ in 0..12 {
        key(&mut s, KeyCode::Down);
    }
    snap("languages_review", &mut s);
}

/// The example with a no-agent transfer (180 s) that the session end (2 min)
/// comes before: a timer warning on both fields.
fn with_timer_warning() -> ChannelDocument {
    let mut d = example();
    d.basic.session_transfer_no_agent_reply.timeout_seconds = 180;
    d.basic.session_end_no_customer_reply.timeout_minutes = 2;
    d.basic.offline_messages.called_customer_reply_timeout_minutes = 1;
    d
}

#[test]
fn the_week_view_and_the_timer_warnings() {
    let mut s = wizard_with(with_timer_warning(), true);
    // 09:30 UTC on Monday is 10:30 in Berlin
    s.shared.tz = chanwiz::client::config::parse_zone("Europe/Berlin").unwrap();
    key(&mut s, KeyCode::PageDown);
    assert!(!draw(&s, 80, 24).contains("agents at work"), "the week view waits for the work-time fields");
    while s.wizard().unwrap().focus != FieldId::NonWorkday {
        key(&mut s, KeyCode::Tab);
    }
    snap("basic_week_view", &mut s);
    let text = draw(&s, 80, 24);
    assert!(text.contains("Now, Mon 10:30 Europe/Berlin: an agent, until 12:00"), "{text}");
    // the warning stands under both fields it names, not as an error
    while s.wizard().unwrap().focus != FieldId::StTimeout {
        key(&mut s, KeyCode::Tab);
    }
    snap("basic_timer_warning", &mut s);
    let text = draw(&s, 80, 24);
    assert!(text.contains("⚠ Session Transfer Due to No Agent Reply after 180 s comes later than"), "{text}");
    assert_eq!(s.wizard().unwrap().step_counts(), [0, 0, 0], "a warning is not an error");
    key(&mut s, KeyCode::PageDown);
    key(&mut s, KeyCode::PageDown);
    let text = draw(&s, 80, 24);
    assert!(text.contains("[ Submit ]  ready · ⚠ 1 warning below"), "Submit is not blocked: {text}");
    // under the Basic configuration's values: the week, then the warning,
    // at each size scrolled until the warning's last line shows
    for (w, h) in SIZES {
        update(&mut s, Action::Resize(w, h));
        for _ in 0..80 {
            if draw(&s, w, h).contains("transferred.") {
                break;
            }
            key(&mut s, KeyCode::Down);
        }
        insta::assert_snapshot!(format!("review_warnings_{w}x{h}"), draw(&s, w, h));
        assert!(draw(&s, w, h).contains("Warnings — they do not block Submit"));
    }
    update(&mut s, Action::Resize(80, 24));
    for _ in 0..80 {
        key(&mut s, KeyCode::Down);
    }
    let text = draw(&s, 80, 24);
    assert!(text.contains("Schedule (Europe/Berlin)"), "{text}");
    assert!(text.contains("      Mon–Fri workday     ·················███████··██████████············"), "{text}");
}

#[test]
fn the_channels_screen_with_names_from_the_server_in_any_language() {
    let mut s = base_state(Link::Online);
    update(&mut s, Action::DraftsLoaded { drafts: vec![], problems: vec![] });
    let mut queue = update(&mut s, Action::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE)));
    let rows: Vec<chanwiz::api::ChannelSummary> = (1..=30)
        .map(|i| chanwiz::api::ChannelSummary {
            id: format!("id-{i:04}"),
            name: format!("Telegram_Support_Region_{i:02}_with_a_long_name"),
            ou: ["总部客服中心", "الدعم الفني", "🇨🇳 客服 👨\u{200D}👩\u{200D}👧"][i % 3].into(),
            skill_queue: ["一线支持队列", "الطابور الثاني", "sq-1"][i % 3].into(),
            robot: i % 2 == 0,
            updated: fixed_time(),
            ..Default::default()
        })
        .collect();
    while !queue.is_empty() {
        let mut next = Vec::new();
        for e in queue {
            if let chanwiz::tui::update::Effect::LoadChannelPage { generation, query } = e {
                let page = query.page.unwrap();
                let per = query.per_page.unwrap() as usize;
                let items = rows.iter().skip((page as usize - 1) * per).take(per).cloned().collect();
                let result = Ok(chanwiz::api::Page { items, page, per_page: per as u32, total: rows.len() as u64 });
                next.extend(update(&mut s, Action::ChannelPage { generation, page, result, cached: None }));
            }
        }
        queue = next;
    }
    snap("channels_any_language", &mut s);
}

/// Below the smallest layout the notice always keeps its way out: at 40×12
/// and even 16×3 "Ctrl-Q quits" is shown whole.
#[test]
fn the_too_small_notice_keeps_its_quit_hint_at_any_size() {
    let s = chanwiz::tui::state::State::new(None, chanwiz::tui::state::Link::Offline);
    for (w, h) in [(40, 12), (59, 15), (16, 3), (14, 1)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| chanwiz::tui::render::render(&s, f)).unwrap();
        let screen = t.backend().to_string();
        assert!(screen.contains("Ctrl-Q quits"), "{w}×{h}:\n{screen}");
    }
}
