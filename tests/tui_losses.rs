//! Nothing typed is lost, at the level of the wizard's state: text typed in
//! any popup is in the draft as it is typed (so the 2 s autosave covers it);
//! a failed save keeps everything, retries with backoff, and never lets the
//! page go or the wizard quit without an answer; a create's Idempotency-Key
//! is minted once, saved before the request leaves and reused by every
//! retry. And the help bar tells the truth: in every context stack the app
//! can reach, each key the bar shows does what the bar says.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::tui::*;

use chanwiz::model::{ChannelDocument, Segment};
use chanwiz::tui::form::{FieldId, Step};
use chanwiz::tui::keymap::{self, Cmd};
use chanwiz::tui::popups::Popup;
use chanwiz::tui::render::{bar_shown, render};
use chanwiz::tui::screens::integration::IntegrationPage;
use chanwiz::tui::state::{DraftRow, Link, Screen, State};
use chanwiz::tui::update::{Action, Effect, SubmitError, contexts, update};

fn draw(s: &State) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| render(s, f)).unwrap();
    t.backend().to_string()
}

#[test]
fn text_typed_in_the_notification_popup_is_autosaved_while_the_popup_is_open() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::Notification);
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.popup, Some(Popup::Text(_))));
    typed(&mut s, "Closed now");
    assert_eq!(doc(&s).basic.non_working_time_notification, "Closed now", "in the draft as typed");
    let fx = tick(&mut s, 3);
    let saves = saved_drafts(&fx);
    assert_eq!(saves.len(), 1, "autosaved two seconds after the last key, the popup still open");
    assert_eq!(saves[0].0.document.basic.non_working_time_notification, "Closed now");
    assert!(matches!(s.popup, Some(Popup::Text(_))));
}

#[test]
fn the_other_message_popups_and_a_paste_are_in_the_draft_as_typed() {
    let mut d = ChannelDocument::default();
    d.basic.session_end_no_customer_reply.enabled = true;
    d.basic.session_transfer_no_agent_reply.enabled = true;
    d.basic.offline_messages.enabled = true;
    let mut s = wizard(d);
    update(&mut s, key(KeyCode::PageDown));
    for (field, text) in
        [(FieldId::SeMessage, "bye"), (FieldId::StNotice, "moving you"), (FieldId::OmPrompt, "leave one")]
    {
        go_to(&mut s, field);
        update(&mut s, key(KeyCode::Enter));
        typed(&mut s, text);
        update(&mut s, Action::Paste("!".into()));
        let fx = tick(&mut s, 3);
        let saves = saved_drafts(&fx);
        let b = &saves.last().expect("autosaved").0.document.basic;
        let got = match field {
            FieldId::SeMessage => &b.session_end_no_customer_reply.end_message,
            FieldId::StNotice => &b.session_transfer_no_agent_reply.notice,
            _ => &b.offline_messages.prompt,
        };
        assert_eq!(got, &format!("{text}!"));
        let fx2 = fx;
        answer(&mut s, &fx2, None);
        update(&mut s, key(KeyCode::Esc));
    }
}

#[test]
fn a_keyword_or_a_segment_being_typed_is_in_the_draft_and_esc_puts_back_what_was_there() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::Keywords);
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "agen");
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["agen"], "the line being typed is in the draft");
    let fx = tick(&mut s, 3);
    assert_eq!(saved_drafts(&fx)[0].0.document.basic.transfer_keywords, vec!["agen"]);
    answer(&mut s, &fx, None);
    update(&mut s, key(KeyCode::Esc));
    assert!(doc(&s).basic.transfer_keywords.is_empty(), "Esc on a new line takes it out again");
    // a letter typed on the list starts a new keyword; an existing one edited, then undone
    assert!(s.popup.is_some(), "Esc on a line with text goes back to the list");
    typed(&mut s, "human");
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Backspace));
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["huma"]);
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["human"]);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.popup.is_none());

    go_to(&mut s, FieldId::Workday);
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "0830");
    typed(&mut s, "12");
    assert_eq!(doc(&s).basic.work_time.workday, vec![Segment::new("08:30", "12:")]);
    let fx = tick(&mut s, 3);
    assert_eq!(saved_drafts(&fx)[0].0.document.basic.work_time.workday, vec![Segment::new("08:30", "12:")]);
    typed(&mut s, "00");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(doc(&s).basic.work_time.workday, vec![Segment::new("08:30", "12:00")]);
}

#[test]
fn a_failed_save_keeps_everything_retries_with_backoff_and_shows_not_saved() {
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "ak-1");
    let fx = update(&mut s, ctrl('s'));
    answer(&mut s, &fx, Some("No space left on device (os error 28)"));
    let w = s.wizard().unwrap();
    assert!(w.dirty() && w.save_error.is_some());
    assert_eq!(doc(&s).channel_info.app_key, "ak-1");
    // retried by itself: not before the backoff (2 s, then 4 s), then again
    assert!(saved_drafts(&tick(&mut s, 1)).is_empty());
    let fx = tick(&mut s, 1);
    assert_eq!(saved_drafts(&fx).len(), 1, "retried after the backoff");
    answer(&mut s, &fx, Some("No space left on device (os error 28)"));
    assert!(saved_drafts(&tick(&mut s, 3)).is_empty(), "the backoff grows");
    let screen = draw(&s);
    assert!(screen.contains("not saved"), "{screen}");
    let fx = tick(&mut s, 2);
    assert_eq!(saved_drafts(&fx).len(), 1);
    answer(&mut s, &fx, None);
    let w = s.wizard().unwrap();
    assert!(!w.dirty() && w.save_error.is_none());
}

#[test]
fn quitting_after_a_failed_save_asks_retry_write_or_discard_and_writes_where_told() {
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "ak-1");
    let fx = update(&mut s, ctrl('s'));
    answer(&mut s, &fx, Some("Read-only file system (os error 30)"));
    // Ctrl-Q does not quit: it asks
    let fx = update(&mut s, ctrl('q'));
    assert!(!s.quit && !fx.iter().any(|e| matches!(e, Effect::Quit)));
    assert!(matches!(s.popup, Some(Popup::SaveFailed(_))), "asks what to do");
    let screen = draw(&s);
    assert!(screen.contains("retry") && screen.contains("write to a file") && screen.contains("discard"), "{screen}");
    // retry fails again: asked again
    let fx = update(&mut s, key(KeyCode::Char('r')));
    answer(&mut s, &fx, Some("Read-only file system (os error 30)"));
    assert!(!s.quit && matches!(s.popup, Some(Popup::SaveFailed(_))));
    // write to a file, the current directory by default
    update(&mut s, key(KeyCode::Char('w')));
    let id = s.wizard().unwrap().draft.meta.id.clone();
    assert!(draw(&s).contains(&format!("chanwiz-draft-{id}.json")));
    let fx = update(&mut s, key(KeyCode::Enter));
    let Some(Effect::WriteDocument { draft, path }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(path, &format!("chanwiz-draft-{id}.json"));
    assert_eq!(draft.document.channel_info.app_key, "ak-1");
    // a file that cannot be written is said, and nothing goes
    update(&mut s, Action::Written { path: "/x".into(), result: Err("Permission denied".into()) });
    assert!(!s.quit && matches!(s.popup, Some(Popup::SaveFailed(_))));
    assert!(draw(&s).contains("Permission denied"));
    update(&mut s, key(KeyCode::Char('w')));
    update(&mut s, key(KeyCode::Enter));
    let fx = update(&mut s, Action::Written { path: "/tmp/x.json".into(), result: Ok(()) });
    assert!(s.quit && fx.iter().any(|e| matches!(e, Effect::Quit)), "quits once it is written");

    // discard is an explicit answer
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "ak-1");
    let fx = update(&mut s, ctrl('q'));
    assert!(fx.is_empty());
    let fx = update(&mut s, key(KeyCode::Char('s')));
    answer(&mut s, &fx, Some("No space left on device (os error 28)"));
    assert!(!s.quit && matches!(s.popup, Some(Popup::SaveFailed(_))), "save-and-quit that failed asks");
    update(&mut s, key(KeyCode::Char('d')));
    assert!(s.quit);
}

#[test]
fn a_retry_that_fails_while_the_file_name_is_typed_keeps_the_dialog_the_name_and_the_choice() {
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "ak-1");
    let fx = update(&mut s, ctrl('s'));
    answer(&mut s, &fx, Some("No space left on device (os error 28)"));
    update(&mut s, ctrl('q'));
    assert!(matches!(s.popup, Some(Popup::SaveFailed(_))));
    // write to a file: the name is being typed when the retry comes
    update(&mut s, key(KeyCode::Char('w')));
    for _ in 0..40 {
        update(&mut s, key(KeyCode::Backspace));
    }
    typed(&mut s, "mine.json");
    let mut retried = 0;
    for _ in 0..40 {
        let fx = tick(&mut s, 1);
        if !saved_drafts(&fx).is_empty() {
            retried += 1;
            answer(&mut s, &fx, Some("No space left on device (os error 28)"));
        }
    }
    assert!(retried >= 2, "the retries went on meanwhile");
    let Some(Popup::SaveFailed(p)) = &s.popup else { panic!("the dialog is gone: {:?}", s.popup.is_some()) };
    assert_eq!(p.path.as_ref().map(|p| p.text()), Some("mine.json".to_string()), "the typed name is kept");
    // the next Enter writes where typed, as it would have before the retry
    let fx = update(&mut s, key(KeyCode::Enter));
    let Some(Effect::WriteDocument { path, .. }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(path, "mine.json");

    // the choice moved to "retry" is kept through a failed retry too
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "ak-1");
    let fx = update(&mut s, ctrl('s'));
    answer(&mut s, &fx, Some("No space left on device (os error 28)"));
    update(&mut s, ctrl('q'));
    update(&mut s, key(KeyCode::Tab)); // stay -> retry
    for _ in 0..40 {
        let fx = tick(&mut s, 1);
        answer(&mut s, &fx, Some("Read-only file system (os error 30)"));
    }
    let Some(Popup::SaveFailed(p)) = &s.popup else { panic!("the dialog is gone") };
    assert_eq!(p.sel, 0, "still on retry");
    assert!(p.reason.contains("Read-only"), "the reason is the latest: {}", p.reason);
}

#[test]
fn leaving_the_page_waits_for_the_save_and_asks_when_it_fails() {
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "ak-1");
    let fx = update(&mut s, key(KeyCode::Esc));
    assert!(matches!(s.screen, Screen::Wizard(_)), "not gone before the draft is safe");
    answer(&mut s, &fx, Some("Read-only file system (os error 30)"));
    assert!(matches!(s.screen, Screen::Wizard(_)));
    assert!(matches!(s.popup, Some(Popup::SaveFailed(_))));
    // stay: back on the page, everything there
    update(&mut s, key(KeyCode::Char('c')));
    assert!(s.popup.is_none() && matches!(s.screen, Screen::Wizard(_)));
    assert_eq!(doc(&s).channel_info.app_key, "ak-1");
    // Esc again with the disk still refusing: asked at once
    update(&mut s, key(KeyCode::Esc));
    assert!(matches!(s.popup, Some(Popup::SaveFailed(_))));
    // the retry works: home, and the draft listed
    let fx = update(&mut s, key(KeyCode::Char('r')));
    answer(&mut s, &fx, None);
    assert!(matches!(s.screen, Screen::Home(_)));
    assert_eq!(s.shared.drafts.rows.len(), 1);
}

#[test]
fn a_hang_up_saves_what_there_is() {
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "k");
    let fx = update(&mut s, Action::Terminate);
    assert!(s.quit);
    assert_eq!(saved_drafts(&fx).len(), 1);
}

fn submit_ready(link: Link) -> State {
    let mut s = wizard(example());
    s.shared.link = link;
    for _ in 0..3 {
        update(&mut s, key(KeyCode::PageDown));
    }
    assert_eq!(s.wizard().unwrap().step, Step::Review);
    s
}

#[test]
fn a_create_mints_one_key_saves_it_before_sending_and_every_retry_reuses_it() {
    let mut s = submit_ready(Link::Online);
    let fx = submit_confirmed(&mut s);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Submit(_))), "nothing leaves before the key is on disk");
    let saves = saved_drafts(&fx);
    let key1 = saves[0].0.meta.idempotency_key.clone().expect("the key is in the saved draft");
    let fx = answer(&mut s, &fx, None);
    let Some(Effect::Submit(sent)) = fx.iter().find(|e| matches!(e, Effect::Submit(_))) else { panic!("{fx:?}") };
    assert_eq!(sent.meta.idempotency_key.as_deref(), Some(key1.as_str()));
    // the answer was lost
    update(&mut s, Action::Submitted(Err(SubmitError::Unreachable("connection reset".into()))));
    assert_eq!(s.wizard().unwrap().draft.meta.idempotency_key.as_deref(), Some(key1.as_str()));
    // an edit and its autosave in between keep the key on disk
    for _ in 0..3 {
        let fx = update(&mut s, key(KeyCode::PageUp));
        answer(&mut s, &fx, None);
    }
    typed(&mut s, "x");
    let fx = tick(&mut s, 3);
    assert_eq!(saved_drafts(&fx)[0].0.meta.idempotency_key.as_deref(), Some(key1.as_str()));
    answer(&mut s, &fx, None);
    // Submit again: the same key
    for _ in 0..3 {
        let fx = update(&mut s, key(KeyCode::PageDown));
        answer(&mut s, &fx, None);
    }
    let fx = submit_confirmed(&mut s);
    let fx = answer(&mut s, &fx, None).into_iter().chain(fx).collect::<Vec<_>>();
    let Some(Effect::Submit(sent)) = fx.iter().find(|e| matches!(e, Effect::Submit(_))) else { panic!("{fx:?}") };
    assert_eq!(sent.meta.idempotency_key.as_deref(), Some(key1.as_str()), "the retry reuses the key");
}

#[test]
fn on_submits_question_no_key_but_y_sends_not_tab_arrows_space_or_enter() {
    for keys in [
        vec![KeyCode::Tab, KeyCode::Enter],
        vec![KeyCode::Right, KeyCode::Enter],
        vec![KeyCode::Left, KeyCode::Enter],
        vec![KeyCode::BackTab, KeyCode::Enter],
        vec![KeyCode::Char(' ')],
        vec![KeyCode::Enter],
        vec![KeyCode::Esc],
        vec![KeyCode::Char('n')],
    ] {
        let mut s = submit_ready(Link::Online);
        update(&mut s, key(KeyCode::Enter));
        assert!(matches!(s.popup, Some(Popup::Confirm(_))), "Enter on Submit asks");
        let screen = draw(&s);
        assert!(screen.contains("Create channel Telegram_Support") && screen.contains("fields set?"), "{screen}");
        let mut fx = Vec::new();
        for k in &keys {
            let now = update(&mut s, key(*k));
            let then = answer(&mut s, &now, None);
            fx.extend(now);
            fx.extend(then);
        }
        assert!(!fx.iter().any(|e| matches!(e, Effect::Submit(_))), "{keys:?} sent the draft");
        assert!(saved_drafts(&fx).iter().all(|(d, _)| d.meta.idempotency_key.is_none()), "{keys:?} began a create");
    }
    let mut s = submit_ready(Link::Online);
    let fx = submit_confirmed(&mut s);
    let fx = answer(&mut s, &fx, None);
    assert!(fx.iter().any(|e| matches!(e, Effect::Submit(_))), "y sends: {fx:?}");
}

#[test]
fn submit_tries_even_when_the_last_request_failed_and_the_status_follows_the_outcome() {
    let mut s = submit_ready(Link::Unreachable("connection refused".into()));
    let fx = submit_confirmed(&mut s);
    let fx = answer(&mut s, &fx, None);
    assert!(fx.iter().any(|e| matches!(e, Effect::Submit(_))), "a backend that was down may be up now");
    update(&mut s, Action::LinkChanged(Link::TokenRefused));
    assert!(
        chanwiz::tui::render::status_line(&s.shared, &chanwiz::tui::theme::Theme { color: false }, 200)
            .to_string()
            .contains("token refused")
    );
}

// --- the help bar tells the truth -------------------------------------------

type Build = Box<dyn Fn() -> State>;

/// Every context stack the app can reach, each by the keys a user presses.
fn reachable() -> Vec<(String, Build)> {
    let mut out: Vec<(String, Build)> = Vec::new();
    fn home() -> State {
        let mut s = State::new(None, Link::Offline);
        update(&mut s, Action::DraftsLoaded { drafts: vec![], problems: vec![] });
        s
    }
    fn doc() -> ChannelDocument {
        let mut d = example();
        d.basic.offline_messages.enabled = true;
        d
    }
    fn on_field(step: usize, f: FieldId) -> State {
        let mut s = wizard(doc());
        update(&mut s, Action::CatalogueLoaded { catalogue: Default::default(), fetched: chrono::Utc::now() });
        for _ in 0..step {
            update(&mut s, key(KeyCode::PageDown));
        }
        go_to(&mut s, f);
        s
    }
    fn failed_save() -> State {
        let mut q = wizard(doc());
        typed(&mut q, "x");
        let fx = update(&mut q, ctrl('s'));
        answer(&mut q, &fx, Some("disk full"));
        update(&mut q, ctrl('q'));
        q
    }
    out.push(("home".into(), Box::new(home)));
    out.push((
        "home with drafts".into(),
        Box::new(|| {
            let mut s = home();
            let row = |id: &str| DraftRow {
                id: id.into(),
                name: id.into(),
                step: 1,
                updated: chrono::Utc::now(),
                errors: 0,
                channel_id: None,
                refs: Default::default(),
            };
            update(
                &mut s,
                Action::DraftsLoaded { drafts: vec![row("aaaaaaaaaaaa"), row("bbbbbbbbbbbb")], problems: vec![] },
            );
            s
        }),
    ));
    out.push((
        "help over home".into(),
        Box::new(|| {
            let mut h = home();
            update(&mut h, key(KeyCode::Char('?')));
            h
        }),
    ));
    out.push((
        "help over a field at 60x16".into(),
        Box::new(|| {
            let mut h = wizard(doc());
            update(&mut h, Action::Resize(60, 16));
            update(&mut h, Action::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)));
            h
        }),
    ));
    // every field of every step: each kind of field
    let mut s = wizard(doc());
    for step in 0..3 {
        for f in s.wizard().unwrap().fields() {
            out.push((format!("field {f:?}"), Box::new(move || on_field(step, f))));
        }
        update(&mut s, key(KeyCode::PageDown));
    }
    out.push(("review".into(), Box::new(|| submit_ready(Link::Online))));
    out.push((
        "submit's question".into(),
        Box::new(|| {
            let mut s = submit_ready(Link::Online);
            update(&mut s, key(KeyCode::Enter));
            assert!(matches!(s.popup, Some(Popup::Confirm(_))));
            s
        }),
    ));
    for (name, keys) in [("review scrolled", vec![KeyCode::Down]), ("review at its end", vec![KeyCode::End])] {
        out.push((
            name.into(),
            Box::new(move || {
                let mut s = submit_ready(Link::Online);
                for k in &keys {
                    update(&mut s, key(*k));
                }
                s
            }),
        ));
    }
    // the merge after a 412: two fields changed on both sides, then none
    for both in [true, false] {
        out.push((
            format!("merge, conflicts={both}"),
            Box::new(move || {
                let mut s = State::new(None, Link::Online);
                update(&mut s, Action::ChannelOpened(Ok(saved_channel())));
                let mut current = saved_channel();
                current.version = 2;
                current.document.basic.skill_queue = "sq-9".into();
                if both {
                    let w = s.wizard_mut().unwrap();
                    w.draft.document.basic.ou = "ou-mine".into();
                    w.draft.document.basic.non_working_time_notification = "mine".into();
                    current.document.basic.ou = "ou-theirs".into();
                    current.document.basic.non_working_time_notification = "theirs".into();
                }
                update(
                    &mut s,
                    Action::Submitted(Err(SubmitError::Stale {
                        message: "412".into(),
                        current: Some(Box::new(current)),
                    })),
                );
                assert!(matches!(s.popup, Some(Popup::Merge(_))));
                s
            }),
        ));
    }
    out.push((
        "review with errors".into(),
        Box::new(|| {
            let mut d = example();
            d.basic.channel_name = "9x".into();
            let mut s = wizard(d);
            for _ in 0..3 {
                update(&mut s, key(KeyCode::PageDown));
            }
            s
        }),
    ));
    // popups
    out.push((
        "text popup".into(),
        Box::new(|| {
            let mut p = on_field(1, FieldId::Notification);
            update(&mut p, key(KeyCode::Enter));
            p
        }),
    ));
    for (field, edit) in [(FieldId::Keywords, false), (FieldId::Keywords, true), (FieldId::Workday, true)] {
        out.push((
            format!("list popup {field:?} editing={edit}"),
            Box::new(move || {
                let mut p = on_field(1, field);
                update(&mut p, key(KeyCode::Enter));
                if edit {
                    update(&mut p, key(KeyCode::Enter));
                }
                p
            }),
        ));
    }
    out.push((
        "select popup".into(),
        Box::new(|| {
            let mut p = on_field(1, FieldId::OmRoutingMode);
            update(&mut p, key(KeyCode::Enter));
            p
        }),
    ));
    out.push((
        "confirm quit".into(),
        Box::new(|| {
            let mut p = wizard(doc());
            typed(&mut p, "x");
            update(&mut p, ctrl('q'));
            p
        }),
    ));
    out.push(("save failed".into(), Box::new(failed_save)));
    out.push((
        "save failed, file name".into(),
        Box::new(|| {
            let mut p = failed_save();
            update(&mut p, key(KeyCode::Char('w')));
            p
        }),
    ));
    // the Channels screen, its filter, its export tasks
    out.push(("channels".into(), Box::new(|| open_channels(5))));
    out.push(("one channel".into(), Box::new(|| open_channels(1))));
    out.push((
        "channels filter".into(),
        Box::new(|| {
            let mut s = open_channels(5);
            update(&mut s, key(KeyCode::Char('/')));
            s
        }),
    ));
    out.push((
        "export tasks".into(),
        Box::new(|| {
            let mut s = open_channels(5);
            update(&mut s, key(KeyCode::Char('t')));
            s
        }),
    ));
    // the Integration page on the backend's state, and its questions
    out.push(("integration, webhook working".into(), Box::new(|| integration_loaded(Some(webhook_state(None, 0))))));
    // a report longer than the page: it scrolls (PgDn, then PgUp too)
    fn long_report() -> State {
        let mut s = integration_loaded(Some(webhook_state(None, 0)));
        for i in 0..14 {
            let level = if i == 3 { chanwiz::tui::state::Level::Warn } else { chanwiz::tui::state::Level::Info };
            update(&mut s, Action::IntegrationEvent(level, format!("step {i} of a long report")));
        }
        s
    }
    out.push(("integration, a long report".into(), Box::new(long_report)));
    out.push((
        "integration, a long report scrolled up".into(),
        Box::new(|| {
            let mut s = long_report();
            update(&mut s, key(KeyCode::PageUp));
            s
        }),
    ));
    out.push((
        "integration, move the bot?".into(),
        Box::new(|| {
            let mut s = integration_loaded(None);
            update(
                &mut s,
                Action::IntegrationDone(Err(chanwiz::tui::update::IntegrationFailure {
                    message: "in use".into(),
                    bot_in_use: Some((
                        "@AICCCustomize_TWbot".into(),
                        chanwiz::api::ChannelRef { id: "ch-0".into(), name: "Sales".into() },
                    )),
                    ..Default::default()
                })),
            );
            s
        }),
    ));
    out.push((
        "integration, switch bots?".into(),
        Box::new(|| {
            let mut s = integration_loaded(None);
            update(
                &mut s,
                Action::IntegrationDone(Err(chanwiz::tui::update::IntegrationFailure {
                    message: "another bot".into(),
                    other_bot: Some(("@old_bot".into(), "@new_bot".into())),
                    ..Default::default()
                })),
            );
            s
        }),
    ));
    // the Integration page, each item
    for n in 0..9 {
        out.push((
            format!("integration item {n}"),
            Box::new(move || {
                let mut s = State::new(None, Link::Online);
                s.screen = Screen::Integration(Box::new(IntegrationPage::new(saved_channel(), true)));
                for _ in 0..n {
                    update(&mut s, key(KeyCode::Tab));
                }
                s
            }),
        ));
    }
    out
}

/// What a user can see change: the screen, the popup, the help, quitting,
/// or something sent to the world.
fn fingerprint(s: &State) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| render(s, f)).unwrap();
    let cursor = t.get_cursor_position().ok();
    format!("{}{cursor:?}", t.backend())
}

#[test]
fn in_every_reachable_context_each_key_the_bar_shows_does_what_the_bar_says() {
    for (name, build) in reachable() {
        let state = build();
        let ctxs = contexts(&state);
        for item in bar_shown(&state, 200) {
            // the dispatcher agrees
            let got = keymap::dispatch(&ctxs, &item.key).map(|(c, _)| c);
            assert_eq!(got, Some(item.cmd), "{name}: the bar says {} {}", item.label, item.help);
            // a key that types is offered only as typing ("type filter")
            assert!(item.cmd != Cmd::Insert || item.label == "type", "{name}: a typed key is offered as {}", item.help);
            // and pressing it (one of the keys it names: ↑ at the top of
            // a list does nothing, ↓ does) does something a user notices
            let changed = item.keys.iter().any(|k| {
                let mut s = build();
                let before = fingerprint(&s);
                let fx = update(&mut s, Action::Key(*k));
                fingerprint(&s) != before || !fx.is_empty() || s.quit
            });
            assert!(changed, "{name}: {} ({}) did nothing", item.label, item.help);
        }
    }
}

#[test]
fn a_key_that_types_is_never_offered_as_a_command_and_f1_helps_everywhere() {
    // on a text field ? is typed: the bar offers F1
    let s = wizard(ChannelDocument::default());
    let bar: Vec<_> = bar_shown(&s, 200).into_iter().map(|i| i.label).collect();
    assert!(!bar.contains(&"?"), "{bar:?}");
    assert!(bar.contains(&"F1"), "{bar:?}");
    // in the token field y and q are typed
    let mut s = State::new(None, Link::Online);
    s.screen = Screen::Integration(Box::new(IntegrationPage::new(saved_channel(), true)));
    update(&mut s, key(KeyCode::Tab));
    let bar: Vec<_> = bar_shown(&s, 200).into_iter().map(|i| i.label).collect();
    assert!(!bar.contains(&"y") && !bar.contains(&"q") && !bar.contains(&"?"), "{bar:?}");
    typed(&mut s, "yq?");
    assert_eq!(s.integration().unwrap().inputs.token, "yq?");
    // F1 in a popup shows the popup's keys, and the overlay scrolls
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::Keywords);
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, Action::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)));
    assert!(s.help.is_some());
    assert!(draw(&s).contains("keep"), "the list editor's keys");
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, Action::Resize(60, 16));
    update(&mut s, Action::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)));
    update(&mut s, key(KeyCode::PageDown));
    assert!(s.help.as_ref().unwrap().scroll > 0, "the overlay scrolls when it does not fit");
}

#[test]
fn in_every_reachable_context_the_help_lists_each_key_once_and_opens_with_f1() {
    for (name, build) in reachable() {
        let mut state = build();
        let rows = keymap::overlay(&contexts(&state));
        let mut seen = std::collections::HashMap::new();
        for (keys, help) in &rows {
            for k in keys.split(' ') {
                if let Some(other) = seen.insert(k.to_string(), *help) {
                    panic!("{name}: {k} is listed twice, for {other} and for {help}");
                }
            }
        }
        // ? types where text is typed, and asks for help everywhere else
        let q = keymap::dispatch(&contexts(&state), &KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
        let q = q.map(|(c, _)| c);
        // (the multi-line editor takes every unbound key as text)
        let types = q.is_none() && matches!(state.popup, Some(Popup::Text(_)));
        assert!(matches!(q, Some(Cmd::Insert | Cmd::Help)) || types || state.help.is_some(), "{name}: ? does {q:?}");
        if state.help.is_none() {
            update(&mut state, Action::Key(KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE)));
            assert!(state.help.is_some(), "{name}: F1 shows the keys");
        }
    }
}

/// A page that does not fit says how much is below and names the key that
/// brings it into view: pressing that key shows more of the same page
/// (on a page of fields PgDn is the next step, so it is not named there).
#[test]
fn the_more_mark_names_the_key_that_scrolls_the_page() {
    let mut s = wizard(example());
    update(&mut s, Action::Resize(60, 16));
    update(&mut s, key(KeyCode::PageDown));
    let step = s.wizard().unwrap().step;
    let drawn = |s: &State| {
        let mut t = Terminal::new(TestBackend::new(60, 16)).unwrap();
        t.draw(|f| render(s, f)).unwrap();
        t.backend().to_string()
    };
    let below = |screen: &str| -> Option<(usize, String)> {
        let line = screen.lines().find(|l| l.contains("more line"))?;
        let n = line.split('↓').nth(1)?.split_whitespace().next()?.parse().ok()?;
        let key = line.rsplit('·').next()?.trim().trim_end_matches('"').trim().to_string();
        Some((n, key))
    };
    let (n, named) = below(&drawn(&s)).expect("step 2 at 60x16 does not fit: a mark is shown");
    let code = match named.as_str() {
        "PgDn" => KeyCode::PageDown,
        "Tab" => KeyCode::Tab,
        other => panic!("the mark names {other}"),
    };
    // pressing it until the page moves, on the same step
    let mut moved = false;
    for _ in 0..12 {
        update(&mut s, key(code));
        assert_eq!(s.wizard().unwrap().step, step, "the key the mark names left the page");
        if below(&drawn(&s)).is_none_or(|(m, _)| m < n) {
            moved = true;
            break;
        }
    }
    assert!(moved, "the key the mark names ({named}) never showed more of the page");
}

/// Ctrl-R offers what it will do: "reveal" while the secret is hidden,
/// "hide" once it is shown.
#[test]
fn the_bar_offers_to_hide_a_secret_once_it_is_revealed() {
    let mut s = wizard(example());
    go_to(&mut s, FieldId::AppSecret);
    let bar = |s: &State| {
        let screen = draw(s);
        screen.lines().last().unwrap_or_default().to_string()
    };
    assert!(bar(&s).contains("Ctrl-R reveal"), "{}", bar(&s));
    update(&mut s, ctrl('r'));
    assert!(bar(&s).contains("Ctrl-R hide") && !bar(&s).contains("reveal"), "{}", bar(&s));
    update(&mut s, ctrl('r'));
    assert!(bar(&s).contains("Ctrl-R reveal"), "{}", bar(&s));
}

/// A refusal is about what was typed then: once the field is edited (here
/// emptied), its "at most 64 characters" is no longer said.
#[test]
fn a_refusal_goes_once_the_field_is_edited() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::ChannelName);
    typed(&mut s, &"n".repeat(65));
    assert!(draw(&s).contains("at most 64 characters"), "{}", draw(&s));
    update(&mut s, ctrl('u'));
    assert!(!draw(&s).contains("at most 64 characters"), "a stale refusal:\n{}", draw(&s));
}
