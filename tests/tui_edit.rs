//! Editing a channel that an admin can trust (state level): the Review page
//! scrolls to its last line, an edit says what it edits and shows its diff,
//! an edit draft is reopened rather than doubled, a 412 is a three-way
//! merge that never drops what was typed, and the draft after a submit.

mod support;

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::tui::*;

use chanwiz::api::{Channel, ChannelSummary};
use chanwiz::model::diff::Side;
use chanwiz::tui::form::{self, FieldId, Step};
use chanwiz::tui::popups::Popup;
use chanwiz::tui::render::render;
use chanwiz::tui::state::{DraftRow, Link, Screen, State};
use chanwiz::tui::update::{Action, Effect, SubmitError, update};

fn draw_at(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| render(s, f)).unwrap();
    t.backend().to_string()
}

fn draw(s: &State) -> String {
    draw_at(s, 80, 24)
}

/// The wizard editing `saved_channel()` (version 1), online.
fn editing() -> State {
    let mut s = State::new(None, Link::Online);
    update(&mut s, Action::DraftsLoaded { drafts: vec![], problems: vec![] });
    update(&mut s, Action::ChannelOpened(Ok(saved_channel())));
    assert!(matches!(s.screen, Screen::Wizard(_)));
    s
}

fn to_review(s: &mut State) {
    for _ in 0..3 {
        update(s, key(KeyCode::PageDown));
    }
    assert_eq!(s.wizard().unwrap().step, Step::Review);
}

fn replace_text(s: &mut State, field: FieldId, text: &str) {
    go_to(s, field);
    update(s, ctrl('u'));
    typed(s, text);
}

#[test]
fn the_review_scrolls_to_its_last_line_at_80x24_and_60x16() {
    for (w, h) in [(80u16, 24u16), (60, 16)] {
        let mut s = wizard(example());
        update(&mut s, Action::Resize(w, h));
        to_review(&mut s);
        let last = form::spec_of(*form::visible(Step::Robot, &s.wizard().unwrap().draft).last().unwrap()).label;
        let screen = draw_at(&s, w, h);
        assert!(!screen.contains(last), "{w}x{h}: the review fits? {screen}");
        assert!(screen.contains("more lines below"), "{w}x{h}: no mark says more follows: {screen}");
        // ↓ scrolls a line, PgDn a page, End to the last line
        update(&mut s, key(KeyCode::Down));
        assert_eq!(s.wizard().unwrap().scroll, 1);
        update(&mut s, key(KeyCode::End));
        let screen = draw_at(&s, w, h);
        assert!(screen.contains(last), "{w}x{h}: End does not show the last value: {screen}");
        assert!(screen.contains("above"), "{screen}");
        // the More sub-values and the robot settings are on the way
        let mut seen = String::new();
        update(&mut s, key(KeyCode::Home));
        for _ in 0..60 {
            seen.push_str(&draw_at(&s, w, h));
            update(&mut s, key(KeyCode::Down));
        }
        for value in ["Leave us a message", "bot-1", "asst-1", "1440"] {
            assert!(seen.contains(value), "{w}x{h}: {value} never shown");
        }
        // at the top PgUp goes back a step, as on every page
        update(&mut s, key(KeyCode::Home));
        assert_eq!(s.wizard().unwrap().scroll, 0);
        update(&mut s, key(KeyCode::PageUp));
        assert_eq!(s.wizard().unwrap().step, Step::Robot);
    }
}

#[test]
fn an_edit_says_what_it_edits_and_lists_its_changes_with_the_secret_only_as_replaced() {
    let mut s = editing();
    assert!(draw(&s).contains("Editing Telegram_Support (version 1)"), "{}", draw(&s));
    replace_text(&mut s, FieldId::AppKey, "ak-rotated-2026");
    replace_text(&mut s, FieldId::AppSecret, "sk-rotated-very-secret");
    to_review(&mut s);
    let screen = draw(&s);
    assert!(screen.contains("Changes to Telegram_Support (version 1): 2 fields"), "{screen}");
    assert!(screen.contains("APP Key: aicc-telegram-app-7f3a → ak-rotated-2026"), "{screen}");
    assert!(screen.contains("APP Secret: replaced"), "{screen}");
    assert!(!screen.contains("sk-rotated"), "the secret is drawn: {screen}");
    // Submit asks, then sends it
    let fx = submit_confirmed(&mut s);
    let fx = disk_ok(&mut s, fx);
    let Some(Effect::Submit(d)) = fx.iter().find(|e| matches!(e, Effect::Submit(_))) else { panic!("{fx:?}") };
    assert_eq!(d.document.channel_info.app_key, "ak-rotated-2026");
    assert_eq!(d.document.channel_info.app_secret.as_deref(), Some("sk-rotated-very-secret"));
    assert_eq!(d.meta.channel_version, Some(1));
}

#[test]
fn an_edit_that_changes_nothing_is_not_sent() {
    let mut s = editing();
    to_review(&mut s);
    assert!(draw(&s).contains("No changes to Telegram_Support (version 1) yet"));
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Submit(_))), "{fx:?}");
    assert!(draw(&s).contains("nothing to submit"), "{}", draw(&s));
}

#[test]
fn enter_on_a_channel_with_an_edit_draft_reopens_it() {
    let mut s = State::new(None, Link::Online);
    let row = DraftRow {
        id: "0123456789ab".into(),
        name: "Telegram_Support".into(),
        step: 2,
        updated: chrono::Utc::now(),
        errors: 0,
        channel_id: Some("ch-1".into()),
        refs: Default::default(),
    };
    update(&mut s, Action::DraftsLoaded { drafts: vec![row], problems: vec![] });
    let summary = |id: &str| ChannelSummary { id: id.into(), name: "Telegram_Support".into(), ..Default::default() };
    update(&mut s, Action::ChannelsLoaded { items: vec![summary("ch-1"), summary("ch-2")], total: 2 });
    // home: the draft, then the channels
    update(&mut s, key(KeyCode::Down));
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::OpenDraft(id)] if id == "0123456789ab"), "{fx:?}");
    // a channel without one gets a new edit
    update(&mut s, key(KeyCode::Down));
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::OpenChannel(id)] if id == "ch-2"), "{fx:?}");
    // the channel arriving while an edit draft of it turned up meanwhile
    let fx = update(&mut s, Action::ChannelOpened(Ok(saved_channel())));
    assert!(matches!(&fx[..], [Effect::OpenDraft(id)] if id == "0123456789ab"), "{fx:?}");
    assert!(matches!(s.screen, Screen::Home(_)));
}

/// The channel as another admin left it: version 3, OU and the
/// notification changed.
fn theirs() -> Box<Channel> {
    let mut c = saved_channel();
    c.version = 3;
    c.document.basic.ou = "ou-theirs".into();
    c.document.basic.non_working_time_notification = "Back at 9.".into();
    Box::new(c)
}

fn stale() -> Action {
    Action::Submitted(Err(SubmitError::Stale { message: "412".into(), current: Some(theirs()) }))
}

#[test]
fn a_conflict_is_merged_per_field_and_what_was_typed_is_never_dropped() {
    let mut s = editing();
    replace_text(&mut s, FieldId::AppKey, "ak-rotated-2026");
    replace_text(&mut s, FieldId::AppSecret, "sk-rotated-very-secret");
    s.wizard_mut().unwrap().draft.document.basic.ou = "ou-mine".into();
    update(&mut s, stale());
    let Some(Popup::Merge(m)) = &s.popup else { panic!("no merge popup") };
    assert_eq!(m.merge.kept, vec!["channel_info.app_key".to_string()]);
    assert_eq!(m.merge.taken, vec!["basic.non_working_time_notification".to_string()]);
    assert_eq!(m.merge.conflicts.len(), 1);
    let screen = draw(&s);
    for text in
        ["version 3", "yours kept: APP Key", "APP Secret (replaced)", "OU Configuration", "ou-mine", "ou-theirs"]
    {
        assert!(screen.contains(text), "{text}: {screen}");
    }
    // later: nothing changes
    update(&mut s, key(KeyCode::Esc));
    assert!(s.popup.is_none());
    let w = s.wizard().unwrap();
    assert_eq!(w.draft.meta.channel_version, Some(1));
    assert_eq!(w.draft.document.basic.ou, "ou-mine");
    // again: theirs chosen for the OU, Enter submits the merge
    update(&mut s, stale());
    update(&mut s, key(KeyCode::Char(' ')));
    let Some(Popup::Merge(m)) = &s.popup else { panic!("no merge popup") };
    assert_eq!(m.choices, vec![Side::Theirs]);
    let fx = update(&mut s, key(KeyCode::Enter));
    let fx = disk_ok(&mut s, fx);
    let Some(Effect::Submit(d)) = fx.iter().find(|e| matches!(e, Effect::Submit(_))) else { panic!("{fx:?}") };
    assert_eq!(d.meta.channel_version, Some(3));
    assert_eq!(d.document.channel_info.app_key, "ak-rotated-2026");
    assert_eq!(d.document.channel_info.app_secret.as_deref(), Some("sk-rotated-very-secret"));
    assert_eq!(d.document.basic.ou, "ou-theirs");
    assert_eq!(d.document.basic.non_working_time_notification, "Back at 9.");
    // the new base is theirs: the review's diff is against version 3
    assert_eq!(d.meta.base.as_ref().unwrap().basic.ou, "ou-theirs");
    // once the merge is confirmed, nothing still says it is being submitted
    assert!(s.shared.flash.as_ref().is_some_and(|f| f.1.contains("submitting")));
    let mut confirmed = saved_channel();
    confirmed.version = 4;
    update(&mut s, Action::Submitted(Ok(confirmed)));
    let said = s.shared.flash.as_ref().map(|f| f.1.clone()).unwrap_or_default();
    assert!(!said.contains("submitting"), "still said: {said}");
    assert!(said.contains("version 4"), "{said}");
}

#[test]
fn a_confirmed_submit_removes_the_draft_unless_keep_draft() {
    let mut s = wizard(example());
    s.shared.link = Link::Online;
    let id = s.wizard().unwrap().draft.meta.id.clone();
    let fx = update(&mut s, Action::Submitted(Ok(saved_channel())));
    assert!(fx.iter().any(|e| matches!(e, Effect::DeleteDraft(d) if *d == id)), "{fx:?}");

    let mut s = wizard(example());
    s.shared.link = Link::Online;
    s.shared.keep_draft = true;
    let fx = update(&mut s, Action::Submitted(Ok(saved_channel())));
    assert!(!fx.iter().any(|e| matches!(e, Effect::DeleteDraft(_))), "{fx:?}");
    let saved = saved_drafts(&fx);
    let (d, _) = saved.first().expect("the kept draft is saved");
    assert_eq!(d.meta.channel_id.as_deref(), Some("ch-1"));
    assert_eq!(d.meta.channel_version, Some(1));
    assert!(d.meta.base.is_some(), "it now edits the channel as confirmed");
    assert_eq!(d.document.channel_info.app_secret, None, "the secret is on the backend now");
    assert!(matches!(s.screen, Screen::Integration(_)));
}

/// An error names a field as the screen labels it: each number field's
/// error, with the value out of range, starts with that field's label.
#[test]
fn every_number_fields_error_names_it_by_its_label_on_screen() {
    use chanwiz::tui::form::{Kind, Record};
    let mut d = support::tui::example();
    d.basic.last_agent_mode.enabled = true;
    d.basic.session_end_no_customer_reply.enabled = true;
    d.basic.offline_messages.enabled = true;
    let mut s = support::tui::wizard(d);
    let w = s.wizard_mut().unwrap();
    let numbers: Vec<_> =
        chanwiz::drafts::Draft::table().iter().filter(|spec| matches!(spec.kind, Kind::Number { .. })).collect();
    assert!(numbers.len() >= 3, "{}", numbers.len());
    for spec in &numbers {
        spec.set_number(&mut w.draft, Some(999_999));
    }
    let errors = chanwiz::model::validate(&w.draft.document, chanwiz::model::Mode::Create);
    for spec in numbers {
        if !spec.shown(&w.draft) {
            continue;
        }
        let error = errors.iter().find(|e| e.path == spec.path).unwrap_or_else(|| panic!("no error at {}", spec.path));
        assert!(
            error.message.starts_with(spec.label),
            "{} is labelled '{}' but its error says: {}",
            spec.path,
            spec.label,
            error.message
        );
    }
}
