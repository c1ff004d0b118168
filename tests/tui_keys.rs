//! State updates for every key in the table: each binding, in its context,
//! does what its help text says.

mod support;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use support::tui::*;

use chanwiz::drafts::Draft;
use chanwiz::model::ChannelDocument;
use chanwiz::tui::form::{FieldId, Step};
use chanwiz::tui::keymap::{self, BINDINGS, Ctx, K};
use chanwiz::tui::popups::Popup;
use chanwiz::tui::popups::confirm::Kind as Ask;
use chanwiz::tui::screens::integration::{IntItem, IntegrationPage};
use chanwiz::tui::state::{DraftRow, Link, Screen, State};
use chanwiz::tui::update::{Action, Effect, contexts, update};

/// The help bar as (label, help) pairs.
fn bar_of(s: &State) -> Vec<(&'static str, &'static str)> {
    keymap::bar(&contexts(s)).into_iter().map(|i| (i.label, i.help)).collect()
}

#[test]
fn every_binding_dispatches_to_its_command_in_its_context() {
    for b in BINDINGS {
        for k in b.keys {
            let event = match *k {
                K::Key(code) => {
                    KeyEvent::new(code, if code == KeyCode::BackTab { KeyModifiers::SHIFT } else { KeyModifiers::NONE })
                }
                K::Shift(code) => KeyEvent::new(code, KeyModifiers::SHIFT),
                K::Ctrl(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL),
                K::Char(c) => KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
                K::AnyChar => KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
            };
            let got = keymap::dispatch(&[b.ctx], &event).map(|(c, _)| c);
            assert_eq!(got, Some(b.cmd), "{:?} {:?} in {:?}", k, b.help, b.ctx);
        }
    }
}

#[test]
fn the_help_bar_comes_from_the_table_of_the_focused_field() {
    let s = wizard(ChannelDocument::default());
    let ctxs = contexts(&s);
    assert_eq!(ctxs, vec![Ctx::TextInput, Ctx::Fields, Ctx::StepForward, Ctx::Wizard, Ctx::Global]);
    let bar = bar_of(&s);
    assert!(bar.contains(&("Tab", "next")) && bar.contains(&("Ctrl-S", "save")), "{bar:?}");
    // the secret field adds its reveal key
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(focus(&s), FieldId::AppSecret);
    assert!(bar_of(&s).contains(&("Ctrl-R", "reveal")));
    // and a toggle offers Space
    update(&mut s, key(KeyCode::Tab));
    assert!(bar_of(&s).contains(&("Space", "toggle")));
}

#[test]
fn home_keys() {
    let mut s = State::new(None, Link::Offline);
    let row = |id: &str| DraftRow {
        id: id.into(),
        name: id.into(),
        step: 2,
        updated: chrono::Utc::now(),
        errors: 0,
        channel_id: None,
        refs: Default::default(),
    };
    update(&mut s, Action::DraftsLoaded { drafts: vec![row("aaaaaaaaaaaa"), row("bbbbbbbbbbbb")], problems: vec![] });
    update(&mut s, key(KeyCode::Down));
    assert_eq!(s.home().unwrap().selected, 1);
    update(&mut s, key(KeyCode::Char('k')));
    assert_eq!(s.home().unwrap().selected, 0);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::OpenDraft(id)] if id == "aaaaaaaaaaaa"));
    // d asks, y deletes
    update(&mut s, key(KeyCode::Char('d')));
    assert!(matches!(&s.popup, Some(Popup::Confirm(c)) if matches!(c.kind, Ask::DeleteDraft { .. })));
    update(&mut s, key(KeyCode::Char('x')));
    assert!(
        matches!(&s.popup, Some(Popup::Confirm(c)) if matches!(c.kind, Ask::DeleteDraft { .. })),
        "other keys do not answer"
    );
    let fx = update(&mut s, key(KeyCode::Char('y')));
    assert!(matches!(&fx[..], [Effect::DeleteDraft(id)] if id == "aaaaaaaaaaaa"));
    // n asks nothing and deletes nothing
    update(&mut s, key(KeyCode::Char('d')));
    assert!(update(&mut s, key(KeyCode::Char('n'))).is_empty());
    assert!(s.popup.is_none());
    let fx = update(&mut s, key(KeyCode::Char('r')));
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadDrafts)));
    update(&mut s, key(KeyCode::Char('?')));
    assert!(s.help.is_some());
    update(&mut s, key(KeyCode::Esc));
    assert!(s.help.is_none());
    // n puts the cursor in the first field of a new channel
    update(&mut s, key(KeyCode::Char('n')));
    assert!(matches!(s.screen, Screen::Wizard(_)));
    assert_eq!(focus(&s), FieldId::AppKey);
    let mut s = State::new(None, Link::Offline);
    let fx = update(&mut s, key(KeyCode::Char('q')));
    assert!(s.quit && matches!(&fx[..], [Effect::Quit]));
}

#[test]
fn tab_enter_and_arrows_move_between_fields_and_across_steps() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(focus(&s), FieldId::AppSecret);
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(focus(&s), FieldId::AppKey);
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(focus(&s), FieldId::AppSecret, "Enter in a text field moves on");
    update(&mut s, key(KeyCode::Up));
    assert_eq!(focus(&s), FieldId::AppKey);
    update(&mut s, key(KeyCode::Up));
    assert_eq!(focus(&s), FieldId::AppKey, "Up stops at the top");
    for _ in 0..6 {
        update(&mut s, key(KeyCode::Tab));
    }
    let w = s.wizard().unwrap();
    assert_eq!((w.step, w.focus), (Step::Basic, FieldId::ChannelName), "Tab past the last field goes to the next step");
    update(&mut s, key(KeyCode::BackTab));
    let w = s.wizard().unwrap();
    assert_eq!((w.step, w.focus), (Step::ChannelInfo, FieldId::IdentityCert));
}

#[test]
fn steps_change_with_pgdn_pgup_and_ctrl_n_p_and_saving_happens_on_leaving_a_changed_step() {
    let mut s = wizard(ChannelDocument::default());
    assert_eq!(saves(&update(&mut s, key(KeyCode::PageDown))), 0, "nothing changed: nothing to save");
    assert_eq!(s.wizard().unwrap().step, Step::Basic);
    typed(&mut s, "Sales");
    let fx = update(&mut s, ctrl('n'));
    assert_eq!(saves(&fx), 1);
    assert_eq!(s.wizard().unwrap().step, Step::Robot);
    update(&mut s, ctrl('p'));
    update(&mut s, key(KeyCode::PageUp));
    assert_eq!(s.wizard().unwrap().step, Step::ChannelInfo);
    update(&mut s, key(KeyCode::PageUp));
    assert_eq!(s.wizard().unwrap().step, Step::ChannelInfo, "no step before the first");
    for _ in 0..5 {
        update(&mut s, key(KeyCode::PageDown));
    }
    assert_eq!(s.wizard().unwrap().step, Step::Review);
}

#[test]
fn typing_edits_the_document_and_validates_at_once() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    typed(&mut s, "9lives");
    let w = s.wizard().unwrap();
    assert_eq!(w.draft.document.basic.channel_name, "9lives");
    assert!(w.errors_of(FieldId::ChannelName)[0].message.contains("must start with a letter"));
    update(&mut s, key(KeyCode::Home));
    update(&mut s, key(KeyCode::Delete));
    update(&mut s, key(KeyCode::End));
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Left));
    update(&mut s, key(KeyCode::Char('X')));
    update(&mut s, key(KeyCode::Right));
    typed(&mut s, "_1");
    assert_eq!(doc(&s).basic.channel_name, "livXe_1");
    assert!(s.wizard().unwrap().errors_of(FieldId::ChannelName).is_empty());
    update(&mut s, ctrl('w'));
    assert_eq!(doc(&s).basic.channel_name, "");
    typed(&mut s, "abc");
    update(&mut s, key(KeyCode::Left));
    update(&mut s, ctrl('k'));
    assert_eq!(doc(&s).basic.channel_name, "ab");
    update(&mut s, ctrl('u'));
    assert_eq!(doc(&s).basic.channel_name, "");
}

#[test]
fn what_can_be_prevented_is_refused_with_a_reason() {
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "a b");
    assert_eq!(doc(&s).channel_info.app_key, "ab");
    assert!(s.shared.flash.as_ref().unwrap().1.contains("APP Key takes no spaces"));
    // numbers take digits only, and show their range in the label
    let mut d = ChannelDocument::default();
    d.basic.last_agent_mode.enabled = true;
    let mut s = wizard(d);
    update(&mut s, key(KeyCode::PageDown));
    while focus(&s) != FieldId::LaRetention {
        update(&mut s, key(KeyCode::Tab));
    }
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Backspace));
    typed(&mut s, "4x8");
    assert_eq!(doc(&s).basic.last_agent_mode.retention_hours, 48);
    assert!(s.shared.flash.as_ref().unwrap().1.contains("digits only"));
}

#[test]
fn the_secret_is_masked_until_ctrl_r() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::Tab));
    typed(&mut s, "s3cr3t");
    assert!(!s.wizard().unwrap().reveal_secret);
    update(&mut s, ctrl('r'));
    assert!(s.wizard().unwrap().reveal_secret);
    update(&mut s, ctrl('r'));
    assert!(!s.wizard().unwrap().reveal_secret);
    update(&mut s, ctrl('r'));
    update(&mut s, key(KeyCode::Tab));
    assert!(!s.wizard().unwrap().reveal_secret, "leaving the field hides it again");
}

#[test]
fn space_and_enter_toggle_and_reveal_fields() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    while focus(&s) != FieldId::OmEnabled {
        update(&mut s, key(KeyCode::Tab));
    }
    assert!(!s.wizard().unwrap().fields().contains(&FieldId::OmPrompt));
    update(&mut s, key(KeyCode::Char(' ')));
    assert!(doc(&s).basic.offline_messages.enabled);
    assert!(s.wizard().unwrap().fields().contains(&FieldId::OmPrompt));
    update(&mut s, key(KeyCode::Enter));
    assert!(!doc(&s).basic.offline_messages.enabled);
    // Keep secret in draft is the draft's, not the document's
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    assert_eq!(focus(&s), FieldId::RememberSecret);
    update(&mut s, key(KeyCode::Char(' ')));
    assert!(s.wizard().unwrap().draft.meta.remember_secrets);
}

#[test]
fn select_filters_as_you_type_and_enter_chooses() {
    let mut s = wizard(example());
    update(&mut s, key(KeyCode::PageDown));
    update(&mut s, key(KeyCode::PageDown));
    update(&mut s, key(KeyCode::PageUp));
    while focus(&s) != FieldId::OmRoutingMode {
        update(&mut s, key(KeyCode::Tab));
    }
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(s.popup, Some(Popup::Select(_))));
    assert_eq!(contexts(&s), vec![Ctx::SelectPopup, Ctx::TextInput, Ctx::Global]);
    typed(&mut s, "chat");
    let Some(Popup::Select(sel)) = &s.popup else { panic!() };
    assert_eq!(sel.shown.len(), 1);
    update(&mut s, key(KeyCode::Backspace));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Enter));
    assert!(s.popup.is_none());
    assert_eq!(doc(&s).basic.offline_messages.routing_mode.as_str(), "chatbot");
    // Esc closes without choosing
    let before = doc(&s).clone();
    update(&mut s, key(KeyCode::BackTab));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Esc));
    assert!(s.popup.is_none());
    assert_eq!(doc(&s), &before);
}

#[test]
fn without_a_catalogue_ids_are_typed_by_hand() {
    let mut s = wizard(ChannelDocument::default());
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(focus(&s), FieldId::TrustCert);
    assert_eq!(contexts(&s)[0], Ctx::TextInput);
    typed(&mut s, "cert-trust-1");
    assert_eq!(doc(&s).channel_info.trust_certificate, "cert-trust-1");
}

#[test]
fn the_keyword_list_adds_edits_and_removes() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    while focus(&s) != FieldId::Keywords {
        update(&mut s, key(KeyCode::Tab));
    }
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(contexts(&s)[0], Ctx::ListEdit, "an empty list starts adding at once");
    assert!(!bar_of(&s).iter().any(|(_, h)| h.contains("time")), "no time keys for a keyword");
    typed(&mut s, "agent");
    // Enter keeps it and the next keyword is typed at once
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(contexts(&s)[0], Ctx::ListEdit, "a new line follows a kept keyword");
    typed(&mut s, "hu,man");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["agent", "human"]);
    typed(&mut s, "AGENT");
    update(&mut s, key(KeyCode::Enter));
    let w = s.wizard().unwrap();
    assert!(w.errors_of(FieldId::Keywords)[0].message.contains("already in the list"));
    // ↑ leaves the empty new line for the list; edit the first
    update(&mut s, key(KeyCode::Up));
    assert_eq!(contexts(&s)[0], Ctx::ListPopup);
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Enter));
    update(&mut s, key(KeyCode::Backspace));
    typed(&mut s, "s");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(doc(&s).basic.transfer_keywords[0], "agens");
    assert_eq!(contexts(&s)[0], Ctx::ListPopup, "Enter on an edited keyword goes back to the list");
    // Delete removes the selected one, Ctrl-Z puts it back where it was
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Delete));
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["agens", "human"]);
    assert!(list_note(&s).unwrap().contains("Ctrl-Z"), "{:?}", list_note(&s));
    update(&mut s, ctrl('z'));
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["agens", "human", "AGENT"]);
    update(&mut s, key(KeyCode::Delete));
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["agens", "human"]);
    // letters on the list are no commands: d, x, a, n, k, j start a keyword
    typed(&mut s, "dxankj");
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["agens", "human", "dxankj"]);
    // Esc in an edit cancels it; Esc in the list closes it
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["agens", "human"]);
    update(&mut s, key(KeyCode::Esc));
    assert!(s.popup.is_none());
}

#[test]
fn work_time_takes_digits_only_and_fills_the_colon() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    while focus(&s) != FieldId::Workday {
        update(&mut s, key(KeyCode::Tab));
    }
    update(&mut s, key(KeyCode::Char(' ')));
    assert_eq!(contexts(&s)[0], Ctx::TimeEdit);
    assert!(bar_of(&s).contains(&("Tab", "end time")));
    typed(&mut s, "0x830");
    typed(&mut s, "1200");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(doc(&s).basic.work_time.workday, vec![chanwiz::model::Segment::new("08:30", "12:00")]);
    // a second, overlapping segment is kept and flagged (digits typed on
    // the list start a new segment)
    typed(&mut s, "1100");
    update(&mut s, key(KeyCode::Tab));
    typed(&mut s, "1300");
    update(&mut s, key(KeyCode::Enter));
    let w = s.wizard().unwrap();
    assert!(w.errors_of(FieldId::Workday).iter().any(|e| e.message.contains("overlaps")), "{:?}", w.errors);
    for _ in 0..2 {
        typed(&mut s, "20002100");
        update(&mut s, key(KeyCode::Enter));
    }
    update(&mut s, ctrl('n'));
    let Some(Popup::List(list)) = &s.popup else { panic!() };
    assert!(list.note.as_deref().unwrap().contains("at most 4"), "a fifth segment is refused");
}

#[test]
fn multiline_fields_edit_in_a_text_area_and_ctrl_x_asks_for_the_editor() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    while focus(&s) != FieldId::Notification {
        update(&mut s, key(KeyCode::Tab));
    }
    // Ctrl-E is no editor key (it is line end); Ctrl-X opens the editor
    assert!(update(&mut s, ctrl('e')).is_empty());
    let fx = update(&mut s, ctrl('x'));
    assert!(matches!(&fx[..], [Effect::ExternalEditor { field: FieldId::Notification, .. }]));
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "closed");
    update(&mut s, key(KeyCode::Enter)); // a new line inside the text area
    typed(&mut s, "sorry");
    update(&mut s, Action::Paste("\r\nback at 9\u{1b}[31m".into()));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(doc(&s).basic.non_working_time_notification, "closed\nsorry\nback at 9[31m");
    update(&mut s, Action::EditorDone { field: FieldId::Notification, text: Ok("from the editor\n".into()) });
    assert_eq!(doc(&s).basic.non_working_time_notification, "from the editor");
}

#[test]
fn paste_into_a_single_line_field_drops_line_breaks() {
    let mut s = wizard(ChannelDocument::default());
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(focus(&s), FieldId::BaseUrl);
    update(&mut s, Action::Paste("https://192.0.2.10:28090\n".into()));
    assert_eq!(doc(&s).channel_info.base_url, "https://192.0.2.10:28090");
    assert!(s.shared.flash.is_none(), "a trailing line break is no content: {:?}", s.shared.flash);
}

#[test]
fn a_paste_says_what_the_field_did_not_take() {
    let mut s = wizard(ChannelDocument::default());
    assert_eq!(focus(&s), FieldId::AppKey);
    update(&mut s, Action::Paste("ak 12\t3".into()));
    assert_eq!(doc(&s).channel_info.app_key, "", "a paste that cannot go in whole changes nothing");
    let (_, said) = s.shared.flash.clone().expect("the paste says why it was refused");
    assert_eq!(said, "paste not taken, APP Key is unchanged: APP Key does not take space, tab");
    // a message about a field goes when the focus leaves it
    typed(&mut s, " ");
    assert!(s.shared.flash.as_ref().is_some_and(|(_, t)| t.contains("APP Key takes no spaces")));
    update(&mut s, key(KeyCode::Tab));
    assert!(s.shared.flash.is_none(), "the APP Key's message stayed on another field: {:?}", s.shared.flash);
}

#[test]
fn ctrl_s_saves_and_autosave_follows_a_pause_in_typing() {
    use std::time::{Duration, Instant};
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "key");
    let fx = update(&mut s, ctrl('s'));
    assert_eq!(saves(&fx), 1);
    let Effect::SaveDraft { draft: d, .. } = &fx[0] else { panic!() };
    assert_eq!(d.meta.field.as_deref(), Some("channel_info.app_key"));
    assert!(s.wizard().unwrap().dirty(), "unsaved until the disk said so");
    disk_ok(&mut s, fx);
    assert!(!s.wizard().unwrap().dirty());
    typed(&mut s, "x");
    let t0 = s.shared.instant;
    assert_eq!(
        saves(&update(&mut s, Action::Tick { now: t0 + Duration::from_millis(500), wall: chrono::Utc::now() })),
        0
    );
    let fx = update(&mut s, Action::Tick { now: t0 + Duration::from_secs(3), wall: chrono::Utc::now() });
    assert_eq!(saves(&fx), 1);
    assert_eq!(
        saves(&update(&mut s, Action::Tick { now: t0 + Duration::from_secs(4), wall: chrono::Utc::now() })),
        0,
        "one save in flight at a time"
    );
    disk_ok(&mut s, fx);
    assert_eq!(saves(&update(&mut s, Action::Tick { now: t0 + Duration::from_secs(6), wall: chrono::Utc::now() })), 0);
    let _ = Instant::now();
}

#[test]
fn quitting_with_unsaved_changes_asks_save_discard_or_cancel() {
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "k");
    assert!(update(&mut s, ctrl('q')).is_empty());
    assert!(matches!(&s.popup, Some(Popup::Confirm(c)) if matches!(c.kind, Ask::Quit)));
    update(&mut s, key(KeyCode::Char('c')));
    assert!(s.popup.is_none() && !s.quit);
    update(&mut s, ctrl('c'));
    update(&mut s, key(KeyCode::Esc));
    assert!(!s.quit);
    update(&mut s, ctrl('q'));
    let fx = update(&mut s, key(KeyCode::Char('s')));
    assert_eq!(saves(&fx), 1);
    assert!(!s.quit, "it quits once the disk took the draft");
    let fx = disk_ok(&mut s, fx);
    assert!(s.quit);
    assert!(matches!(fx.last(), Some(Effect::Quit)));

    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "k");
    update(&mut s, ctrl('q'));
    let fx = update(&mut s, key(KeyCode::Char('d')));
    assert!(s.quit);
    assert_eq!(saves(&fx), 0, "discard saves nothing");
}

#[test]
fn esc_goes_home_saving_the_draft_and_its_place() {
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "k");
    update(&mut s, key(KeyCode::Tab));
    let fx = update(&mut s, key(KeyCode::Esc));
    assert!(matches!(s.screen, Screen::Wizard(_)), "the page waits for the save");
    let Some(Effect::SaveDraft { draft: d, .. }) = fx.first() else { panic!("{fx:?}") };
    assert_eq!(d.meta.field.as_deref(), Some("channel_info.app_secret"));
    assert_eq!(d.meta.step, 1);
    disk_ok(&mut s, fx);
    assert!(matches!(s.screen, Screen::Home(_)));
    assert_eq!(s.shared.drafts.rows.len(), 1, "the new draft is on the home list at once");
    assert_eq!(s.shared.drafts.rows[0].name, "");
}

#[test]
fn a_saved_place_is_where_the_wizard_reopens() {
    let mut draft = Draft::new(example());
    draft.meta.step = 2;
    draft.meta.field = Some("basic.work_time.non_workday".into());
    let mut s = State::new(None, Link::Offline);
    update(&mut s, Action::DraftOpened(Ok(Box::new(draft))));
    let w = s.wizard().unwrap();
    assert_eq!((w.step, w.focus), (Step::Basic, FieldId::NonWorkday));
}

#[test]
fn review_lists_errors_enter_jumps_and_submit_is_refused_while_any_remain() {
    let mut d = example();
    d.basic.channel_name = "9x".into();
    d.basic.offline_messages.prompt = String::new();
    let mut s = wizard(d);
    s.shared.link = Link::Online;
    for _ in 0..3 {
        update(&mut s, key(KeyCode::PageDown));
    }
    assert_eq!(contexts(&s)[0], Ctx::Review);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Submit(_))));
    assert!(s.shared.flash.as_ref().unwrap().1.contains("submit refused: 2 errors remain"));
    assert!(update(&mut s, ctrl('x')).iter().all(|e| !matches!(e, Effect::Submit(_))));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Up));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::BackTab));
    update(&mut s, key(KeyCode::Enter));
    let w = s.wizard().unwrap();
    assert_eq!((w.step, w.focus), (Step::Basic, FieldId::ChannelName));
    // fix both, then submit goes out
    update(&mut s, ctrl('u'));
    typed(&mut s, "ok_name");
    while focus(&s) != FieldId::OmPrompt {
        update(&mut s, key(KeyCode::Tab));
    }
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "leave a message");
    update(&mut s, key(KeyCode::Esc));
    update(&mut s, key(KeyCode::PageDown));
    update(&mut s, key(KeyCode::PageDown));
    let fx = submit_confirmed(&mut s);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Submit(_))), "the key is saved before the request leaves");
    let fx = disk_ok(&mut s, fx);
    assert!(fx.iter().any(|e| matches!(e, Effect::Submit(_))), "{fx:?}");
}

#[test]
fn offline_submit_says_why_and_keeps_the_draft() {
    let mut s = wizard(example());
    for _ in 0..3 {
        update(&mut s, key(KeyCode::PageDown));
    }
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Submit(_))));
    assert!(s.shared.flash.as_ref().unwrap().1.contains("offline"));
    assert!(matches!(s.screen, Screen::Wizard(_)));
}

#[test]
fn help_opens_with_question_mark_or_f1_and_closes_with_esc() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::F(1)));
    assert!(s.help.is_some());
    update(&mut s, key(KeyCode::Char('?')));
    assert!(s.popup.is_none());
    // in a text field ? is typed
    typed(&mut s, "?");
    assert_eq!(doc(&s).channel_info.app_key, "?");
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::Char('?')));
    assert!(s.help.is_some(), "on a toggle ? opens help");
}

#[test]
fn a_select_field_clears_with_delete() {
    let mut s = wizard(example());
    update(&mut s, Action::CatalogueLoaded { catalogue: Default::default(), fetched: chrono::Utc::now() });
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(contexts(&s)[0], Ctx::Select);
    update(&mut s, key(KeyCode::Delete));
    assert_eq!(doc(&s).channel_info.trust_certificate, "");
}

fn integration_state() -> State {
    let mut s = State::new(None, Link::Online);
    s.screen = Screen::Integration(Box::new(IntegrationPage::new(saved_channel(), true)));
    s
}

#[test]
fn integration_page_copies_the_url() {
    let mut s = integration_state();
    // in the token field y is typed, not a copy
    update(&mut s, key(KeyCode::Tab));
    let fx = update(&mut s, key(KeyCode::Char('y')));
    assert!(fx.is_empty());
    assert_eq!(s.integration().unwrap().inputs.token, "y");
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.integration().unwrap().focus, IntItem::Url);
    let fx = update(&mut s, key(KeyCode::Char('y')));
    assert!(matches!(&fx[..], [Effect::Copy(u)] if u.ends_with("/message/ch-1")));
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::Copy(_)]));
    // Esc returns to the channel list, which loads its first page
    let fx = update(&mut s, key(KeyCode::Esc));
    assert!(matches!(s.screen, Screen::Channels(_)));
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadChannelPage { .. })));
    // on arrival y copies and q quits
    let mut s = integration_state();
    assert!(matches!(&update(&mut s, key(KeyCode::Char('y')))[..], [Effect::Copy(_)]));
    update(&mut s, key(KeyCode::Char('q')));
    assert!(s.quit);
}

#[test]
fn integration_page_takes_a_masked_token_and_asks_telegram_only_when_ready() {
    let mut s = integration_state();
    // Register before the details arrived: says why, asks nothing of Telegram
    for _ in 0..5 {
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(s.integration().unwrap().focus, IntItem::Register);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(fx.is_empty());
    assert!(s.integration().unwrap().log.last().unwrap().1.contains("still loading"));
    // the token field refuses spaces and reveals with Ctrl-R
    let mut s = integration_state();
    update(&mut s, key(KeyCode::Tab));
    typed(&mut s, "12 34");
    assert_eq!(s.integration().unwrap().inputs.token, "1234");
    update(&mut s, ctrl('r'));
    assert!(s.integration().unwrap().reveal);
    // drop pending toggles with Space
    for _ in 0..3 {
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(s.integration().unwrap().focus, IntItem::Field(FieldId::DropPending));
    update(&mut s, key(KeyCode::Char(' ')));
    assert!(s.integration().unwrap().inputs.drop_pending);
    // Delete asks first
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Tab));
    }
    assert_eq!(s.integration().unwrap().focus, IntItem::Delete);
    update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&s.popup, Some(Popup::Confirm(c)) if matches!(c.kind, Ask::DeleteWebhook)));
    update(&mut s, key(KeyCode::Char('n')));
    assert!(s.popup.is_none());
}

#[test]
fn a_webhook_elsewhere_is_replaced_only_after_yes() {
    use chanwiz::tui::update::IntegrationFailure;
    let mut s = integration_state();
    update(
        &mut s,
        Action::IntegrationDone(Err(IntegrationFailure {
            message: "bot @x_bot has a webhook pointing elsewhere".into(),
            webhook_elsewhere: Some("https://203.0.113.9/other".into()),
            ..Default::default()
        })),
    );
    assert!(
        matches!(&s.popup, Some(Popup::Confirm(c)) if matches!(&c.kind, Ask::ReplaceWebhook { current } if current == "https://203.0.113.9/other"))
    );
    update(&mut s, key(KeyCode::Char('n')));
    assert!(s.popup.is_none());
    assert!(s.integration().unwrap().log.last().unwrap().1.contains("nothing changed"));
}

#[test]
fn a_submitted_channel_opens_its_integration_page_and_drops_the_draft() {
    let mut s = wizard(example());
    s.shared.link = Link::Online;
    let id = s.wizard().unwrap().draft.meta.id.clone();
    let fx = update(&mut s, Action::Submitted(Ok(saved_channel())));
    assert!(matches!(s.screen, Screen::Integration(_)));
    assert!(fx.iter().any(|e| matches!(e, Effect::DeleteDraft(d) if *d == id)));
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadIntegration(c) if c == "ch-1")));
}

#[test]
fn home_i_opens_a_channels_integration_page() {
    let mut s = State::new(None, Link::Online);
    update(&mut s, Action::DraftsLoaded { drafts: vec![], problems: vec![] });
    update(
        &mut s,
        Action::ChannelsLoaded {
            total: 1,
            items: vec![chanwiz::api::ChannelSummary {
                id: "ch-1".into(),
                name: "Existing".into(),
                channel_type: "telegram".into(),
                version: 1,
                updated: chrono::Utc::now(),
                integration_url: String::new(),
                ..Default::default()
            }],
        },
    );
    let fx = update(&mut s, key(KeyCode::Char('i')));
    assert!(matches!(&fx[..], [Effect::OpenIntegration(id)] if id == "ch-1"));
    update(&mut s, Action::IntegrationOpened(Ok(saved_channel())));
    assert!(matches!(s.screen, Screen::Integration(_)));
    let fx = update(&mut s, key(KeyCode::Enter));
    let _ = fx;
}

#[test]
fn backspace_and_arrows_take_a_flag_or_a_zwj_emoji_whole() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::ChannelName);
    typed(&mut s, "Ab🇨🇳");
    assert_eq!(doc(&s).basic.channel_name, "Ab🇨🇳");
    update(&mut s, key(KeyCode::Backspace));
    assert_eq!(doc(&s).basic.channel_name, "Ab", "half a flag was left");
    typed(&mut s, "👩‍💻x");
    update(&mut s, key(KeyCode::Left));
    update(&mut s, key(KeyCode::Left));
    update(&mut s, key(KeyCode::Delete));
    assert_eq!(doc(&s).basic.channel_name, "Abx", "Left landed inside the emoji");
    // Ctrl-L asks for a repaint wherever the user is
    let fx = update(&mut s, ctrl('l'));
    assert!(matches!(&fx[..], [Effect::Repaint]), "{fx:?}");
}

#[test]
fn the_confirm_dialog_takes_enter_and_arrows_and_enter_alone_changes_nothing() {
    let mut s = wizard(ChannelDocument::default());
    typed(&mut s, "x");
    update(&mut s, ctrl('q'));
    let Some(Popup::Confirm(c)) = &s.popup else { panic!("no question") };
    assert_eq!(c.options().iter().map(|o| o.0).collect::<String>(), "sdc");
    assert_eq!(c.selected(), 2, "Enter's answer is the one that changes nothing");
    // Enter at once: cancel; the wizard stays, nothing is lost
    update(&mut s, key(KeyCode::Enter));
    assert!(s.popup.is_none() && !s.quit);
    assert_eq!(doc(&s).channel_info.app_key, "x");
    // → moves (wrapping) to "save and quit", Enter gives it
    update(&mut s, ctrl('q'));
    update(&mut s, key(KeyCode::Right));
    let Some(Popup::Confirm(c)) = &s.popup else { panic!("no question") };
    assert_eq!(c.selected(), 0);
    update(&mut s, key(KeyCode::Left));
    update(&mut s, key(KeyCode::Tab));
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(fx.iter().any(|e| matches!(e, Effect::SaveDraft { .. })), "save and quit saves first: {fx:?}");
}

fn paste(s: &mut State, text: &str) {
    update(s, Action::Paste(text.into()));
}

fn list_note(s: &State) -> Option<String> {
    match &s.popup {
        Some(Popup::List(l)) => l.note.clone(),
        _ => None,
    }
}

#[test]
fn a_paste_into_a_list_editor_is_typed_with_its_rules_and_says_what_it_refused() {
    let mut d = ChannelDocument::default();
    d.basic.transfer_keywords.clear();
    let mut s = wizard(d);
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::Keywords);
    update(&mut s, key(KeyCode::Enter));
    // separators make separate keywords
    paste(&mut s, "agent, human;operator\n");
    assert_eq!(list_note(&s).as_deref(), Some("pasted 3 keywords"));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["agent", "human", "operator"]);
    // too long: cut at the limit, and said (on the new line Enter opened)
    paste(&mut s, &"x".repeat(40));
    assert!(list_note(&s).unwrap().contains("at most 32 characters"), "{:?}", list_note(&s));
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(doc(&s).basic.transfer_keywords[3], "x".repeat(32));
    update(&mut s, key(KeyCode::Esc));
    // a time range pasted into the work-time editor fills both ends
    go_to(&mut s, FieldId::NonWorkday);
    update(&mut s, key(KeyCode::Enter));
    paste(&mut s, "09:00-17:30");
    update(&mut s, key(KeyCode::Enter));
    let seg = &doc(&s).basic.work_time.non_workday;
    assert_eq!((seg[0].start.as_str(), seg[0].end.as_str()), ("09:00", "17:30"));
}

#[test]
fn ctrl_u_erases_to_the_line_start_in_every_text_input() {
    let mut d = ChannelDocument::default();
    d.basic.transfer_keywords.clear();
    d.basic.offline_messages.enabled = true;
    let mut s = wizard(d);
    update(&mut s, key(KeyCode::PageDown));
    // a keyword being typed
    go_to(&mut s, FieldId::Keywords);
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "wrong");
    update(&mut s, ctrl('u'));
    typed(&mut s, "agent");
    update(&mut s, key(KeyCode::Enter));
    assert_eq!(doc(&s).basic.transfer_keywords, vec!["agent"]);
    update(&mut s, key(KeyCode::Esc));
    // a message: the line being typed goes, the one above stays
    go_to(&mut s, FieldId::Notification);
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "keep");
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "drop this");
    update(&mut s, ctrl('u'));
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(doc(&s).basic.non_working_time_notification, "keep\n");
    // a choice's filter
    go_to(&mut s, FieldId::OmRoutingMode);
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "zzz");
    let Some(Popup::Select(sel)) = &s.popup else { panic!("the choices") };
    assert!(sel.shown.is_empty());
    update(&mut s, ctrl('u'));
    let Some(Popup::Select(sel)) = &s.popup else { panic!("the choices") };
    assert!(sel.query.is_empty() && sel.shown.len() == 3);
}

#[test]
fn below_the_smallest_layout_only_quit_and_repaint_act() {
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, Action::Resize(50, 12));
    let before = doc(&s).clone();
    typed(&mut s, "abc");
    update(&mut s, key(KeyCode::Tab));
    update(&mut s, key(KeyCode::PageDown));
    update(&mut s, Action::Paste("pasted".into()));
    assert_eq!(doc(&s), &before, "nothing acts on a form that cannot be seen");
    assert_eq!(focus(&s), FieldId::AppKey);
    assert_eq!(contexts(&s), vec![Ctx::TooSmall]);
    let fx = update(&mut s, ctrl('q'));
    assert!(s.quit || !fx.is_empty(), "Ctrl-Q still quits");
    // back to a size that fits, the keys act again
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, Action::Resize(50, 12));
    update(&mut s, Action::Resize(60, 16));
    typed(&mut s, "abc");
    assert_eq!(doc(&s).channel_info.app_key, "abc");
}

fn draw(s: &State) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| chanwiz::tui::render::render(s, f)).unwrap();
    t.backend().to_string()
}

#[test]
fn an_emptied_number_stays_empty_with_its_error_until_one_is_typed() {
    let mut s = wizard(example());
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::OmRoutingLimit);
    let before = doc(&s).basic.offline_messages.routing_time_limit_minutes;
    for _ in 0..4 {
        update(&mut s, key(KeyCode::Backspace));
    }
    update(&mut s, key(KeyCode::Tab));
    let w = s.wizard().unwrap();
    let errors: Vec<_> = w.errors_of(FieldId::OmRoutingLimit).into_iter().map(|e| e.message.clone()).collect();
    assert_eq!(errors, vec!["Offline Message Routing Time Limit is required: a whole number from 1 to 60 min."]);
    let screen = draw(&s);
    assert!(screen.contains("is required: a whole number from 1"), "{screen}");
    assert!(!screen.contains(&format!("{before} min")), "the old number is not shown as if kept:\n{screen}");
    // back on the field, it is still empty; a number typed ends the error
    update(&mut s, key(KeyCode::BackTab));
    assert_eq!(s.wizard().unwrap().input.as_ref().unwrap().text(), "");
    typed(&mut s, "45");
    assert_eq!(doc(&s).basic.offline_messages.routing_time_limit_minutes, 45);
    assert!(s.wizard().unwrap().errors_of(FieldId::OmRoutingLimit).is_empty());
}

#[test]
fn a_message_editor_shows_every_refused_character_as_it_is_typed_and_clears_when_fixed() {
    let mut d = example();
    d.basic.offline_messages.prompt.clear();
    let mut s = wizard(d);
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::OmPrompt);
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "it's <b>; ok");
    let screen = draw(&s);
    assert!(screen.contains("may not contain ' < > ; (none of"), "every character, once, while typing:\n{screen}");
    for _ in 0.."it's <b>; ok".len() {
        update(&mut s, key(KeyCode::Backspace));
    }
    typed(&mut s, "Leave a message");
    assert!(!draw(&s).contains("may not contain"), "the error goes the moment it is fixed");
}

#[test]
fn the_work_time_editor_drops_an_overlap_the_moment_it_is_fixed() {
    let mut d = example();
    d.basic.work_time.workday =
        vec![chanwiz::model::Segment::new("08:00", "12:00"), chanwiz::model::Segment::new("11:00", "14:00")];
    let mut s = wizard(d);
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::Workday);
    update(&mut s, key(KeyCode::Enter));
    assert!(draw(&s).contains("overlaps"));
    update(&mut s, key(KeyCode::Down));
    update(&mut s, key(KeyCode::Enter));
    // the start 11:00 becomes 12:00, digit by digit
    for _ in 0..5 {
        update(&mut s, key(KeyCode::Backspace));
    }
    typed(&mut s, "12:00");
    assert!(!draw(&s).contains("overlaps"), "{}", draw(&s));
}

#[test]
fn a_taken_channel_name_is_found_as_it_is_typed_and_offline_the_hint_says_unchecked() {
    let mut s = wizard(ChannelDocument::default());
    let mut cat = chanwiz::model::Catalogue::default();
    cat.channels.push(chanwiz::model::catalogue::ChannelRef { id: "ch-1".into(), name: "Support".into() });
    update(&mut s, Action::CatalogueLoaded { catalogue: cat, fetched: chrono::Utc::now() });
    s.shared.link = Link::Online;
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::ChannelName);
    typed(&mut s, "Support");
    let errors: Vec<_> =
        s.wizard().unwrap().errors_of(FieldId::ChannelName).into_iter().map(|e| e.message.clone()).collect();
    assert!(errors.iter().any(|e| e.contains("already exists")), "{errors:?}");
    assert!(draw(&s).contains("tenant's channels."), "{}", draw(&s));
    typed(&mut s, "2");
    assert!(s.wizard().unwrap().errors_of(FieldId::ChannelName).is_empty());
    // without a channel list the hint says the name is not checked
    let mut s = wizard(ChannelDocument::default());
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::ChannelName);
    assert!(draw(&s).contains("Unchecked: no"), "{}", draw(&s));
}

#[test]
fn t_beside_the_week_view_tells_what_customers_get_at_a_time_typed_checked_as_typed() {
    let mut s = wizard(example());
    s.shared.tz = chanwiz::client::config::parse_zone("UTC").unwrap();
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::Workday);
    assert!(contexts(&s).contains(&Ctx::WeekView));
    update(&mut s, key(KeyCode::Char('t')));
    assert!(matches!(s.popup, Some(Popup::Prompt(_))), "t asks for a time");
    typed(&mut s, "Sun 25:00");
    let Some(Popup::Prompt(p)) = &s.popup else { panic!() };
    assert!(p.note.as_deref().is_some_and(|n| n.contains("is not a time")), "checked as typed: {:?}", p.note);
    update(&mut s, key(KeyCode::Enter));
    assert!(s.popup.is_some(), "a wrong time is not taken");
    update(&mut s, ctrl('u'));
    typed(&mut s, "Mon 09:00");
    let Some(Popup::Prompt(p)) = &s.popup else { panic!() };
    assert_eq!(p.note, None, "the error goes once the time is right");
    update(&mut s, key(KeyCode::Enter));
    assert!(s.popup.is_none());
    // the example's workday runs 08:30–12:00
    let screen = draw(&s);
    assert!(screen.contains("At, Mon 09:00 UTC: an agent, until 12:00"), "{screen}");
    // an empty answer is now again
    update(&mut s, key(KeyCode::Char('t')));
    update(&mut s, ctrl('u'));
    update(&mut s, key(KeyCode::Enter));
    assert!(draw(&s).contains("Now, "), "{}", draw(&s));
}

/// The readline keys the README lists work in every input: `abc` Ctrl-A
/// `X` Ctrl-E `Y` gives `XabcY` in a line field and in a message.
#[test]
fn ctrl_a_and_ctrl_e_move_to_the_line_start_and_end_in_every_text_input() {
    let mut s = wizard(ChannelDocument::default());
    go_to(&mut s, FieldId::AppKey);
    typed(&mut s, "abc");
    update(&mut s, ctrl('a'));
    typed(&mut s, "X");
    update(&mut s, ctrl('e'));
    typed(&mut s, "Y");
    assert_eq!(doc(&s).channel_info.app_key, "XabcY");
    update(&mut s, key(KeyCode::PageDown));
    go_to(&mut s, FieldId::Notification);
    update(&mut s, key(KeyCode::Enter));
    typed(&mut s, "abc");
    update(&mut s, ctrl('a'));
    typed(&mut s, "X");
    update(&mut s, ctrl('e'));
    typed(&mut s, "Y");
    update(&mut s, key(KeyCode::Esc));
    assert_eq!(doc(&s).basic.non_working_time_notification, "XabcY");
}

/// Esc never quits: pressed repeatedly to back out, it stops at home.
#[test]
fn esc_on_home_does_not_quit_and_q_does() {
    let mut s = State::new(None, Link::Offline);
    for _ in 0..3 {
        let fx = update(&mut s, key(KeyCode::Esc));
        assert!(!s.quit && !fx.iter().any(|e| matches!(e, Effect::Quit)), "Esc quit the home screen");
    }
    update(&mut s, key(KeyCode::Char('q')));
    assert!(s.quit);
}
