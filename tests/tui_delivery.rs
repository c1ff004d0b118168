//! The live delivery test on the Integration page: t starts it (the runtime
//! waits, the page stays responsive), the prompt and the seconds waited are
//! shown, Esc stops it without leaving the page, the message that arrived
//! or why none did is shown, and the Channels screen starts it with w.

mod support;

use std::time::Duration;

use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use support::tui::*;

use chanwiz::integration::live::Arrival;
use chanwiz::integration::{BackendStatus, diagnose};
use chanwiz::tui::keymap::Ctx;
use chanwiz::tui::render::render;
use chanwiz::tui::screens::delivery::{Phase, Progress};
use chanwiz::tui::state::{Screen, State};
use chanwiz::tui::update::{Action, Effect, update};

fn draw(s: &State) -> String {
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| render(s, f)).unwrap();
    t.backend().to_string()
}

/// Press t on a working webhook's page: the generation of the test started.
fn started(s: &mut State) -> u64 {
    let fx = update(s, key(KeyCode::Char('t')));
    let generations: Vec<u64> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::TestDelivery { channel, generation, timeout } => {
                assert_eq!(channel, "ch-1");
                assert_eq!(*timeout, s.integration().unwrap().delivery_timeout);
                Some(*generation)
            }
            _ => None,
        })
        .collect();
    assert_eq!(generations.len(), 1, "t starts one test");
    generations[0]
}

fn report(s: &mut State, generation: u64, progress: Progress) -> Vec<Effect> {
    update(s, Action::DeliveryTest { generation, progress })
}

#[test]
fn t_waits_for_a_message_and_shows_who_sent_what_and_how_fast() {
    let mut s = integration_loaded(Some(webhook_state(None, 0)));
    assert!(draw(&s).contains("t tests delivery"), "the step is offered once the webhook works");
    let g = started(&mut s);
    assert!(draw(&s).contains("asking the backend"));
    report(&mut s, g, Progress::Waiting("Send any message to @AICCCustomize_TWbot now.".into()));
    tick(&mut s, 7);
    let screen = draw(&s);
    assert!(screen.contains("Send any message to @AICCCustomize_TWbot now."), "{screen}");
    assert!(screen.contains("Waiting 7 s of 120 s"), "the seconds waited count up: {screen}");
    assert!(screen.contains("Esc stop waiting"), "the bar says how to stop: {screen}");
    // a second t while it waits starts nothing
    assert!(update(&mut s, key(KeyCode::Char('t'))).iter().all(|e| !matches!(e, Effect::TestDelivery { .. })));
    // the page stays usable while it waits
    update(&mut s, key(KeyCode::Tab));
    report(
        &mut s,
        g,
        Progress::Arrived(Arrival {
            headline: "✓ Ann: hello — reached the channel within 1.3 s after it was sent".into(),
            within_seconds: Some(1.3),
            note: Some("Telegram stamps messages in whole seconds: this is the most it took.".into()),
        }),
    );
    let screen = draw(&s);
    assert!(screen.contains("✓ Ann: hello — reached the channel within 1.3 s after it was sent"), "{screen}");
    assert!(!screen.contains("Esc stop waiting"));
    assert!(matches!(s.screen, Screen::Integration(_)));
}

#[test]
fn esc_stops_the_wait_and_stays_on_the_page_and_a_late_report_is_ignored() {
    let mut s = integration_loaded(Some(webhook_state(None, 0)));
    let g = started(&mut s);
    report(&mut s, g, Progress::Waiting("Send any message to @AICCCustomize_TWbot now.".into()));
    assert!(s.integration().unwrap().contexts(&s.shared).contains(&Ctx::DeliveryWaiting));
    let fx = update(&mut s, key(KeyCode::Esc));
    assert!(fx.iter().any(|e| matches!(e, Effect::StopDeliveryTest)), "the wait is stopped");
    assert!(matches!(s.screen, Screen::Integration(_)), "Esc stops the wait, not the page");
    assert!(draw(&s).contains("delivery test stopped"));
    report(&mut s, g, Progress::Nothing { advice: vec!["late".into()], status: None });
    assert_eq!(s.integration().unwrap().test.as_ref().unwrap().phase, Phase::Stopped);
    // Esc again leaves for the channel list
    update(&mut s, key(KeyCode::Esc));
    assert!(matches!(s.screen, Screen::Channels(_)));
}

#[test]
fn when_nothing_arrives_the_page_says_what_telegram_and_the_backend_report() {
    let mut s = integration_loaded(Some(webhook_state(None, 0)));
    s.integration_mut().unwrap().delivery_timeout = Duration::from_secs(5);
    let failing = webhook_state(Some(("Wrong response from the webhook: 403 Forbidden", 2)), 1);
    let g = started(&mut s);
    report(&mut s, g, Progress::Waiting("Send any message to @AICCCustomize_TWbot now.".into()));
    report(
        &mut s,
        g,
        Progress::Nothing {
            advice: vec![
                "During the test the backend refused 1 delivery(ies) with a wrong secret token: Register again.".into(),
            ],
            status: Some(Box::new(BackendStatus {
                diagnosis: diagnose(&failing, chanwiz::integration::Face::Wizard),
                state: failing,
            })),
        },
    );
    let screen = draw(&s);
    assert!(screen.contains("✗ Nothing reached the channel within 5 s."), "{screen}");
    assert!(screen.contains("refused 1 delivery(ies) with a wrong"), "{screen}");
    assert!(
        screen.contains("✗ deliveries fail: \"Wrong response from the webhook: 403 Forbidden\""),
        "the webhook's state shown is the one the test ended on: {screen}"
    );
}

#[test]
fn w_on_the_channels_screen_opens_the_integration_page_testing() {
    let mut s = open_channels(3);
    let fx = update(&mut s, key(KeyCode::Char('w')));
    let id = fx
        .iter()
        .find_map(|e| match e {
            Effect::OpenIntegration(id) => Some(id.clone()),
            _ => None,
        })
        .expect("the channel's Integration page is opened");
    assert_eq!(id, "id-000001");
    let mut channel = saved_channel();
    channel.id = id;
    let fx = update(&mut s, Action::IntegrationOpened(Ok(channel)));
    assert!(fx.iter().any(|e| matches!(e, Effect::TestDelivery { channel, .. } if channel == "id-000001")));
    assert!(s.integration().unwrap().test.as_ref().is_some_and(|t| t.running()));
    // i opens the page without a test
    let mut s = open_channels(3);
    let fx = update(&mut s, key(KeyCode::Char('i')));
    assert!(fx.iter().any(|e| matches!(e, Effect::OpenIntegration(_))));
    let fx = update(&mut s, Action::IntegrationOpened(Ok(saved_channel())));
    assert!(!fx.iter().any(|e| matches!(e, Effect::TestDelivery { .. })));
}
