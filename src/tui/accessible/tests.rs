//! The accessible wizard driven by a scripted console, offline: what a
//! user types lands in the draft (on disk after every answer), errors name
//! the field and its rule, and nothing written holds an escape sequence.

use super::*;
use crate::drafts::DraftStore;
use FieldId as F;

/// A field's label (the tests follow the one field table).
fn l(id: FieldId) -> &'static str {
    form::spec_of(id).label
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: DraftStore,
    runtime: Runtime,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = DraftStore::open(&dir.path().join("drafts")).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    Fixture { _dir: dir, store, runtime }
}

/// Run a session offline on `answers`; what it wrote, and the draft.
fn session(fx: &Fixture, start: Option<(Draft, bool)>, answers: &[&str]) -> (String, Draft) {
    let mut con = Script::new(answers.iter().copied());
    let mut s = Session::new(&fx.store, &fx.runtime, None, Err("no Bot API in tests".into()), false);
    s.run(&mut con, start);
    assert!(!con.out.contains('\u{1b}'), "an escape sequence was written:\n{}", con.out);
    (con.out, s.draft)
}

fn only_draft(store: &DraftStore) -> Draft {
    let listing = store.list().unwrap();
    assert_eq!(listing.drafts.len(), 1, "{:?}", listing.drafts);
    listing.drafts.into_iter().next().unwrap()
}

/// A scripted console that looks at the draft files at every question.
struct Watching<'a> {
    script: Script,
    store: &'a DraftStore,
    /// The prompt, and the APP Key and BaseUrl on disk when it was asked.
    seen: Vec<(String, Option<(String, String)>)>,
}

impl Console for Watching<'_> {
    fn say(&mut self, text: &str) {
        self.script.say(text)
    }

    fn ask(&mut self, prompt: &str) -> Option<String> {
        let on_disk = self
            .store
            .list()
            .unwrap()
            .drafts
            .first()
            .map(|d| (d.document.channel_info.app_key.clone(), d.document.channel_info.base_url.clone()));
        self.seen.push((prompt.to_string(), on_disk));
        self.script.ask(prompt)
    }

    fn ask_secret(&mut self, prompt: &str) -> Option<String> {
        self.seen.push((prompt.to_string(), None));
        self.script.ask_secret(prompt)
    }
}

#[test]
fn answers_fill_the_draft_and_every_answer_is_on_disk_before_the_next_question() {
    let fx = fixture();
    // the answers stop after the BaseUrl: the input ended (a hang-up)
    let answers = ["AK_line_1", "Secret-line-1", "", "https://192.0.2.10:28090"];
    let mut con = Watching { script: Script::new(answers), store: &fx.store, seen: Vec::new() };
    let mut s = Session::new(&fx.store, &fx.runtime, None, Err("no Bot API in tests".into()), false);
    s.run(&mut con, None);
    let out = con.script.out;
    let at = |prompt: &str| con.seen.iter().find(|(p, _)| p.starts_with(prompt)).map(|(_, d)| d.clone());
    // the APP Key was on disk when the next question came, the BaseUrl too
    assert_eq!(at(l(F::RememberSecret)), Some(Some(("AK_line_1".into(), String::new()))));
    assert_eq!(at(l(F::TrustCert)), Some(Some(("AK_line_1".into(), "https://192.0.2.10:28090".into()))));
    let d = only_draft(&fx.store);
    assert_eq!(d.document.channel_info.app_key, "AK_line_1");
    assert_eq!(d.document.channel_info.base_url, "https://192.0.2.10:28090");
    // the secret stays in memory only unless the draft keeps it
    assert_eq!(d.document.channel_info.app_secret, None);
    assert!(out.contains(&format!("Resume with: chanwiz --accessible {}", d.meta.id)), "{out}");
    // it resumes at the field after the last answer
    assert_eq!(d.meta.field.as_deref(), Some(crate::model::fields::TRUST_CERTIFICATE));
    let (out, _) = session(&fx, Some((d, true)), &[]);
    let first_field = out.lines().find(|l| l.contains(" — ")).unwrap_or_default();
    assert!(first_field.starts_with(l(F::TrustCert)), "{out}");
}

#[test]
fn a_bad_answer_is_refused_with_the_field_and_its_rule_and_asked_again() {
    let fx = fixture();
    let (out, d) = session(&fx, None, &["AK_1", "", "", "http://192.0.2.10:28090", "https://192.0.2.10:28090", "q"]);
    let error = out
        .lines()
        .find(|line| line.starts_with(&format!("error: {}:", l(F::BaseUrl))))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(error.contains("https://") && error.contains("rule: text, at most 64 characters"), "{error}");
    // asked again after the error, and the second answer taken
    assert_eq!(out.matches(&format!("{} — text", l(F::BaseUrl))).count(), 2, "{out}");
    assert_eq!(d.document.channel_info.base_url, "https://192.0.2.10:28090");
    // a number that is not one, a toggle that is neither yes nor no
    let fx = fixture();
    let (out, _) = session(&fx, None, &["AK_1", "", "maybe", "q"]);
    assert!(
        out.contains(&format!("error: {}: 'maybe' is neither yes nor no (rule: yes or no)", l(F::RememberSecret))),
        "{out}"
    );
}

#[test]
fn question_mark_explains_the_field_and_back_returns_to_the_one_before() {
    let fx = fixture();
    let (out, d) = session(&fx, None, &["AK_1", "?", "<", "AK_2", "q"]);
    assert!(out.contains("Rule: secret, at most 256 characters, never shown. The SK from API Fabric"), "{out}");
    assert!(out.contains("In the channel document: channel_info.app_secret"), "{out}");
    assert_eq!(d.document.channel_info.app_key, "AK_2");
    // a leading backslash takes a command word as a value
    let fx = fixture();
    let (_, d) = session(&fx, None, &["\\q", "q"]);
    assert_eq!(d.document.channel_info.app_key, "q");
}

#[test]
fn lists_end_with_an_empty_line_and_messages_with_a_dot() {
    let fx = fixture();
    let mut doc = crate::model::ChannelDocument::default();
    doc.basic.channel_name = "Lines".into();
    let mut draft = Draft::new(doc);
    draft.meta.step = 2;
    draft.meta.field = Some(crate::model::fields::KEYWORDS.into());
    let answers = [
        "agent",
        "human",
        "", // keywords
        "09:00-12:00",
        "13:00 to 18:00",
        "", // workday
        "25:00-26:00",
        "", // a bad segment: refused, asked again
        "10:00-14:00",
        "", // non-workday
        "Closed now.",
        "",
        "Back at 9.",
        ".", // the notice, an empty line inside
        "q",
    ];
    let (out, d) = session(&fx, Some((draft, false)), &answers);
    let b = &d.document.basic;
    assert_eq!(b.transfer_keywords, vec!["agent", "human"]);
    assert_eq!(b.work_time.workday, vec![Segment::new("09:00", "12:00"), Segment::new("13:00", "18:00")]);
    assert!(out.contains("'25:00-26:00' is not a segment HH:MM-HH:MM"), "{out}");
    assert_eq!(b.work_time.non_workday, vec![Segment::new("10:00", "14:00")]);
    assert_eq!(b.non_working_time_notification, "Closed now.\n\nBack at 9.");
    assert_eq!(only_draft(&fx.store).document.basic.transfer_keywords, vec!["agent", "human"]);
}

#[test]
fn choices_are_numbered_and_answered_by_number_or_name() {
    let choices = vec![
        Choice { id: "sq-1".into(), label: "Telegram L1".into(), detail: String::new(), warning: None },
        Choice { id: "sq-2".into(), label: "Telegram L2".into(), detail: String::new(), warning: None },
        Choice { id: "sq-3".into(), label: "WhatsApp".into(), detail: String::new(), warning: None },
    ];
    assert_eq!(pick(&choices, "2").unwrap(), "sq-2");
    assert_eq!(pick(&choices, "sq-3").unwrap(), "sq-3");
    assert_eq!(pick(&choices, "telegram l1").unwrap(), "sq-1");
    assert_eq!(pick(&choices, "whats").unwrap(), "sq-3");
    assert!(pick(&choices, "telegram").unwrap_err().contains("more than one"));
    assert!(pick(&choices, "4").unwrap_err().contains("1 to 3"));
    assert!(pick(&choices, "zzz").unwrap_err().contains("no choice"));
}

#[test]
fn review_lists_the_document_and_its_errors_and_a_number_goes_to_the_field() {
    let fx = fixture();
    let mut draft = Draft::new(
        crate::model::parse_document(include_str!("../../../assets/examples/telegram-channel.json")).unwrap(),
    );
    draft.document.basic.channel_name = "9 bad".into();
    draft.meta.step = 4;
    let (out, d) = session(&fx, Some((draft, false)), &["s", "1", "Good_Name", "q"]);
    assert!(out.contains(&format!("{}: 9 bad", l(F::ChannelName))), "{out}");
    assert!(out.contains("Submit refused: 1 error remains"), "{out}");
    assert!(out.contains(&format!("1. {}:", l(F::ChannelName))), "{out}");
    assert!(!out.contains("Example-Secret"), "the secret was shown:\n{out}");
    assert_eq!(d.document.basic.channel_name, "Good_Name");
}

#[test]
fn quitting_a_new_draft_before_any_answer_makes_no_file() {
    let fx = fixture();
    let (out, _) = session(&fx, None, &["q"]);
    assert!(out.contains("no draft was made"), "{out}");
    assert!(fx.store.list().unwrap().drafts.is_empty());
}

#[test]
fn review_of_an_edit_prints_its_changes_field_by_field() {
    let fx = fixture();
    let doc = crate::model::parse_document(include_str!("../../../assets/examples/telegram-channel.json")).unwrap();
    let mut draft = Draft::editing("ch-1", 3, &doc);
    draft.document.basic.skill_queue = "sq-9".into();
    draft.meta.step = 4;
    let (out, _) = session(&fx, Some((draft, true)), &["q"]);
    let at = out.find("Changes from the channel on the backend (1):").unwrap_or_else(|| panic!("{out}"));
    let change = out[at..].lines().nth(1).unwrap();
    assert!(change.contains("Skill Queue") && change.contains("sq-1 → sq-9"), "{change}");
    // an edit needs no APP Secret: nothing else is wrong
    assert!(out.contains("No errors: ready to submit."), "{out}");
}

#[test]
fn review_says_the_schedule_in_words_and_the_timer_warnings() {
    let fx = fixture();
    let mut draft = Draft::new(
        crate::model::parse_document(include_str!("../../../assets/examples/telegram-channel.json")).unwrap(),
    );
    // the no-agent transfer (180 s) comes after the session end (2 min)
    draft.document.basic.session_transfer_no_agent_reply.timeout_seconds = 180;
    draft.document.basic.session_end_no_customer_reply.timeout_minutes = 2;
    draft.document.basic.offline_messages.called_customer_reply_timeout_minutes = 1;
    draft.meta.step = 4;
    let (out, _) = session(&fx, Some((draft, false)), &["q"]);
    assert!(
        out.contains("Schedule: Mon–Fri workdays 08:30–12:00, 13:00–18:00; Sat–Sun non-workdays 10:00–16:00"),
        "{out}"
    );
    assert!(out.contains("1 warning (they do not block submit):"), "{out}");
    let warning = out.lines().find(|l| l.starts_with("  warning: ")).unwrap_or_else(|| panic!("{out}"));
    assert!(warning.contains("Session End Due to No Customer Reply"), "{warning}");
}
