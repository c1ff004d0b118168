//! The Channel Integration page's state: it starts from the backend's state
//! (the stored public address prefilled, the webhook's state asked at
//! once), Status needs no token, a failing delivery is never shown with a
//! green tick, and moving a bot or switching bots asks first.

mod support;

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::tui::*;

use chanwiz::api::ChannelRef;
use chanwiz::tui::popups::Popup;
use chanwiz::tui::popups::confirm::Kind as Ask;
use chanwiz::tui::render::render;
use chanwiz::tui::screens::integration::{IntItem, url_lines};
use chanwiz::tui::state::{Level, State};
use chanwiz::tui::update::{Action, Effect, IntegrationFailure, update};

fn draw(s: &State, w: u16, h: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| render(s, f)).unwrap();
    t.backend().to_string()
}

fn focus_on(s: &mut State, item: IntItem) {
    for _ in 0..12 {
        if s.integration().unwrap().focus == item {
            return;
        }
        update(s, key(KeyCode::Tab));
    }
    panic!("{item:?} not reached");
}

#[test]
fn the_stored_public_address_is_prefilled_and_the_webhook_state_asked_at_once() {
    let mut s = State::new(None, chanwiz::tui::state::Link::Online);
    s.screen = chanwiz::tui::state::Screen::Integration(Box::new(
        chanwiz::tui::screens::integration::IntegrationPage::new(saved_channel(), false),
    ));
    let fx = update(
        &mut s,
        Action::IntegrationLoaded(Ok(integration_info(
            Some("https://93.184.216.34:8443"),
            Some("AICCCustomize_TWbot"),
        ))),
    );
    let page = s.integration().unwrap();
    assert_eq!(page.inputs.public_url, "https://93.184.216.34:8443");
    // the checks pass with it: no red checks on opening
    assert!(
        matches!(&page.checks, Some(Ok(url)) if url.starts_with("https://93.184.216.34:8443/")),
        "{:?}",
        page.checks
    );
    assert!(
        fx.iter().any(|e| matches!(e, Effect::LoadWebhookState { channel, refresh: false } if channel == "ch-1")),
        "the backend is asked how the webhook stands"
    );
    // without a stored token there is nothing to ask
    let mut s = integration_loaded(None);
    assert!(!s.integration().unwrap().status_busy);
    let fx = update(&mut s, Action::Resize(80, 24));
    assert!(fx.is_empty());
}

#[test]
fn status_asks_the_backend_without_a_token() {
    let mut s = integration_loaded(Some(webhook_state(None, 0)));
    assert!(s.integration().unwrap().inputs.token.is_empty());
    focus_on(&mut s, IntItem::Status);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(
        fx.iter().any(|e| matches!(e, Effect::LoadWebhookState { refresh: true, .. })),
        "Status asks the backend to ask Telegram now"
    );
    assert!(!fx.iter().any(|e| matches!(e, Effect::Telegram { .. })), "no token is needed");
    assert!(!s.integration().unwrap().log.iter().any(|(_, t)| t.contains("type the bot token")));
    // pressed again while asking: one question at a time
    assert!(update(&mut s, key(KeyCode::Enter)).is_empty());
}

#[test]
fn a_working_webhook_opens_on_a_green_tick_and_a_failing_one_never_does() {
    let s = integration_loaded(Some(webhook_state(None, 0)));
    let screen = draw(&s, 80, 24);
    assert!(screen.contains("✓ the webhook works"), "{screen}");
    assert!(!screen.contains("✗"), "{screen}");

    // registered and confirmed, but nothing delivered since: not "works"
    let mut registered = webhook_state(None, 0);
    registered.last_delivery = None;
    let screen = draw(&integration_loaded(Some(registered.clone())), 80, 24);
    assert!(screen.contains("registered and confirmed by Telegram, no delivery yet"), "{screen}");
    assert!(!screen.contains("works") && !screen.contains("✓ the webhook"), "{screen}");
    // a delivery before the registration says nothing of the new webhook
    registered.last_delivery = registered.registered.map(|r| r - chrono::TimeDelta::minutes(1));
    let screen = draw(&integration_loaded(Some(registered)), 80, 24);
    assert!(screen.contains("no delivery yet") && !screen.contains("works"), "{screen}");

    // an old error, followed by the registration and a delivery: resolved, green
    let mut old = webhook_state(Some(("Wrong response from the webhook: 403 Forbidden", 7200)), 0);
    old.last_delivery = Some(chrono::Utc::now() - chrono::TimeDelta::minutes(5));
    let s = integration_loaded(Some(old));
    let screen = draw(&s, 80, 24);
    assert!(screen.contains("✓ the webhook works"), "{screen}");

    // a 403 after the registration, the backend refused wrong secrets
    let s = integration_loaded(Some(webhook_state(Some(("Wrong response from the webhook: 403 Forbidden", 60)), 4)));
    let screen = draw(&s, 80, 24);
    assert!(!screen.contains("✓ the webhook works"), "{screen}");
    assert!(screen.contains("✗ deliveries fail"), "{screen}");
    assert!(!screen.contains("✓"), "a green tick beside a failing delivery:\n{screen}");
    assert!(screen.contains("Secret mismatch"), "{screen}");
    assert!(screen.contains("another secret"), "{screen}");
    assert!(!screen.contains("firewall"), "{screen}");
}

#[test]
fn a_bot_bound_to_another_channel_is_moved_only_after_yes() {
    let mut s = integration_loaded(None);
    focus_on(&mut s, IntItem::Field(chanwiz::tui::form::FieldId::BotToken));
    typed(&mut s, "7001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALD7001");
    focus_on(&mut s, IntItem::Register);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::Telegram { options, .. }] if !options.move_bot));
    let other = ChannelRef { id: "ch-0".into(), name: "Sales_Telegram".into() };
    update(
        &mut s,
        Action::IntegrationDone(Err(IntegrationFailure {
            message: "bot @AICCCustomize_TWbot is already bound to channel Sales_Telegram".into(),
            bot_in_use: Some(("@AICCCustomize_TWbot".into(), other.clone())),
            ..Default::default()
        })),
    );
    assert!(
        matches!(&s.popup, Some(Popup::Confirm(c)) if matches!(&c.kind, Ask::MoveBot { channel, .. } if *channel == other))
    );
    let screen = draw(&s, 80, 24);
    assert!(screen.contains("Sales_Telegram") && screen.contains("cleared"), "{screen}");
    // no: nothing is sent
    let fx = update(&mut s, key(KeyCode::Char('n')));
    assert!(fx.is_empty() && s.popup.is_none());
    assert!(s.integration().unwrap().log.last().unwrap().1.contains("nothing changed"));
    // yes: Register runs again, allowed to move the bot
    update(
        &mut s,
        Action::IntegrationDone(Err(IntegrationFailure {
            message: "in use".into(),
            bot_in_use: Some(("@AICCCustomize_TWbot".into(), other)),
            ..Default::default()
        })),
    );
    let fx = update(&mut s, key(KeyCode::Char('y')));
    assert!(
        matches!(&fx[..], [Effect::Telegram { op: chanwiz::tui::msg::TelegramOp::Connect, options, .. }] if options.move_bot),
        "{fx:?}"
    );
}

#[test]
fn a_token_of_another_bot_says_which_and_asks() {
    let mut s = integration_loaded(Some(webhook_state(None, 0)));
    focus_on(&mut s, IntItem::Field(chanwiz::tui::form::FieldId::BotToken));
    typed(&mut s, "7002:AAHdqTcvCH1vGWJxfSeofSAs0K5PALD7002");
    focus_on(&mut s, IntItem::Rotate);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::Telegram { options, .. }] if !options.other_bot));
    update(
        &mut s,
        Action::IntegrationDone(Err(IntegrationFailure {
            message: "this token is of another bot".into(),
            other_bot: Some(("@old_bot".into(), "@new_bot".into())),
            ..Default::default()
        })),
    );
    let screen = draw(&s, 80, 24);
    assert!(screen.contains("@old_bot → @new_bot"), "{screen}");
    let fx = update(&mut s, key(KeyCode::Char('y')));
    assert!(
        matches!(&fx[..], [Effect::Telegram { op: chanwiz::tui::msg::TelegramOp::Rotate, options, .. }] if options.other_bot),
        "{fx:?}"
    );
    // once done, the page asks the backend how the webhook stands now
    let fx = update(&mut s, Action::IntegrationDone(Ok("token rotated".into())));
    assert!(fx.iter().any(|e| matches!(e, Effect::LoadWebhookState { refresh: true, .. })));
    assert!(!s.integration().unwrap().other_bot, "the yes holds for one operation");
}

#[test]
fn the_url_is_drawn_whole_and_the_copy_says_what_it_did() {
    let mut s = integration_loaded(None);
    for (w, h) in [(80, 24), (60, 16)] {
        update(&mut s, Action::Resize(w, h));
        let screen = draw(&s, w, h);
        let url = "https://192.0.2.10:28090/apiaccess/telegram/message/ch-1";
        let joined: String = screen.lines().map(|l| l.trim_matches('"').trim_end()).collect();
        assert!(joined.contains(url), "{w}x{h}: the URL is not whole:\n{screen}");
        assert!(!screen.contains('…') || !screen.contains("apiaccess…"), "{screen}");
    }
    let fx = update(&mut s, key(KeyCode::Char('y')));
    assert!(matches!(&fx[..], [Effect::Copy(u)] if u.ends_with("/message/ch-1")));
    update(
        &mut s,
        Action::Copied(
            Level::Warn,
            chanwiz::tui::clipboard::report(
                "integration URL",
                Some(&chanwiz::tui::clipboard::Tmux {
                    set_clipboard: Some("external".into()),
                    allow_passthrough: Some("off".into()),
                }),
            )
            .1,
        ),
    );
    let screen = draw(&s, 80, 24);
    assert!(screen.contains("`set -g set-clipboard") && screen.contains("tmux.conf"), "{screen}");
}

#[test]
fn a_long_url_is_cut_into_full_width_lines_that_join_back() {
    let url = format!("https://192.0.2.10:28090/apiaccess/telegram/message/{}", "0123456789abcdef".repeat(8));
    for width in [60, 80] {
        let lines = url_lines(&url, width);
        assert!(lines.len() > 1);
        assert!(lines[..lines.len() - 1].iter().all(|l| l.chars().count() == width));
        assert_eq!(lines.concat(), url);
    }
}

#[test]
fn secret_refusals_from_before_the_last_registration_explain_nothing_now() {
    let mut state = webhook_state(Some(("Wrong response from the webhook: 403 Forbidden", 60)), 3);
    // the refusals ended before the token was last stored
    let registered = state.registered.unwrap();
    state.refusals[0].last = registered - chrono::TimeDelta::minutes(5);
    let d = chanwiz::integration::diagnose(&state, chanwiz::integration::Face::Wizard);
    assert_eq!(d.verdict, chanwiz::integration::Verdict::Failing);
    let text = d.details.join("\n");
    assert!(!text.contains("Secret mismatch"), "{text}");
    assert!(text.contains("no refused delivery") && text.contains("firewall"), "{text}");
}

#[test]
fn the_channels_webhook_column_says_what_the_backend_last_learnt() {
    use chanwiz::api::{ChannelSummary, WebhookStatus, WebhookSummary};
    use chanwiz::tui::screens::channels::webhook_column;
    let row = |token: bool, status: Option<WebhookStatus>| ChannelSummary {
        has_bot_token: token,
        webhook: status.map(|status| WebhookSummary { status, checked: chrono::Utc::now() }),
        ..Default::default()
    };
    assert_eq!(webhook_column(&row(false, None)), "not set");
    assert_eq!(webhook_column(&row(true, None)), "registered");
    assert_eq!(webhook_column(&row(true, Some(WebhookStatus::Ok))), "working");
    assert_eq!(webhook_column(&row(true, Some(WebhookStatus::Failing))), "failing");
    assert_eq!(webhook_column(&row(true, Some(WebhookStatus::Elsewhere))), "elsewhere");
    assert_eq!(webhook_column(&row(false, Some(WebhookStatus::Ok))), "not set", "a cleared token shows no state");
}

/// The page scrolls instead of cutting its report: after the steps report,
/// the report's first warning leads the view, the rest is behind a mark
/// naming PgDn, and PgDn, PgUp reach every line.
#[test]
fn a_report_longer_than_the_page_scrolls_and_its_warning_is_in_view() {
    let mut s = integration_loaded(Some(webhook_state(None, 0)));
    for i in 0..30 {
        let level = if i == 4 { Level::Warn } else { Level::Info };
        update(&mut s, Action::IntegrationEvent(level, format!("step {i} of the report")));
    }
    let screen = draw(&s, 80, 24);
    assert!(screen.contains("! step 4 of the report"), "the warning is out of view:\n{screen}");
    assert!(screen.contains("more lines below · PgDn"), "{screen}");
    assert!(!screen.contains("step 29 of"), "{screen}");
    update(&mut s, key(KeyCode::PageDown));
    let screen = draw(&s, 80, 24);
    assert!(screen.contains("step 29 of the report"), "PgDn reaches the end:\n{screen}");
    // the warning now above is counted in the mark
    assert!(screen.contains("22 lines above (1 warning or error) · PgUp"), "{screen}");
    for _ in 0..4 {
        update(&mut s, key(KeyCode::PageUp));
    }
    let screen = draw(&s, 80, 24);
    assert!(screen.contains("url used to send message"), "PgUp reaches the top:\n{screen}");
    assert!(!screen.contains("above · PgUp"), "{screen}");
}

/// "Telegram was asked … ago" ages with the clock while the page is open.
#[test]
fn the_age_of_telegrams_answer_follows_the_clock() {
    let mut s = integration_loaded(Some(webhook_state(None, 0)));
    let screen = |s: &chanwiz::tui::state::State| {
        let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 40)).unwrap();
        t.draw(|f| chanwiz::tui::render::render(s, f)).unwrap();
        t.backend().to_string()
    };
    assert!(screen(&s).contains("Telegram was asked 0 s ago"), "{}", screen(&s));
    let later = chrono::Utc::now() + chrono::TimeDelta::minutes(3);
    let now = s.shared.instant + std::time::Duration::from_secs(180);
    chanwiz::tui::update::update(&mut s, chanwiz::tui::update::Action::Tick { now, wall: later });
    assert!(screen(&s).contains("Telegram was asked 3 min ago"), "{}", screen(&s));
}

#[test]
fn enter_on_register_after_a_registration_says_so_and_asks_for_a_second_enter() {
    let mut s = integration_loaded(None);
    focus_on(&mut s, IntItem::Field(chanwiz::tui::form::FieldId::BotToken));
    typed(&mut s, "7001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALD7001");
    focus_on(&mut s, IntItem::Register);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::Telegram { .. }]), "{fx:?}");
    update(&mut s, Action::IntegrationDone(Ok("registered https://aicc.example.com/x".into())));
    // the same inputs again: nothing is sent, the page says why
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Telegram { .. })), "{fx:?}");
    let said = &s.integration().unwrap().log.last().unwrap().1;
    assert!(said.contains("already registered") && said.contains("Enter again"), "{said}");
    assert!(draw(&s, 80, 24).contains("already registered"), "{}", draw(&s, 80, 24));
    // a second Enter registers once more
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::Telegram { op: chanwiz::tui::msg::TelegramOp::Connect, .. }]), "{fx:?}");
    // changed inputs register at the first Enter
    update(&mut s, Action::IntegrationDone(Ok("registered".into())));
    focus_on(&mut s, IntItem::Field(chanwiz::tui::form::FieldId::BotToken));
    update(&mut s, key(KeyCode::Backspace));
    typed(&mut s, "2");
    focus_on(&mut s, IntItem::Register);
    let fx = update(&mut s, key(KeyCode::Enter));
    assert!(matches!(&fx[..], [Effect::Telegram { .. }]), "{fx:?}");
}

#[test]
fn left_and_right_move_along_the_row_of_buttons() {
    let mut s = integration_loaded(None);
    focus_on(&mut s, IntItem::Register);
    let bar = draw(&s, 80, 24);
    assert!(bar.contains("←→"), "the bar offers the arrows: {bar}");
    update(&mut s, key(KeyCode::Right));
    assert_eq!(s.integration().unwrap().focus, IntItem::Rotate);
    update(&mut s, key(KeyCode::Right));
    update(&mut s, key(KeyCode::Right));
    assert_eq!(s.integration().unwrap().focus, IntItem::Delete);
    update(&mut s, key(KeyCode::Right));
    assert_eq!(s.integration().unwrap().focus, IntItem::Register, "the row goes round");
    update(&mut s, key(KeyCode::Left));
    assert_eq!(s.integration().unwrap().focus, IntItem::Delete);
}
