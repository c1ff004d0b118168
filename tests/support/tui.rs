//! The wizard's state driven as the runtime drives it, for the `tui_*`
//! tests: keys in, effects out, the disk's answer to a save given by hand.
#![allow(dead_code)]

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use chanwiz::drafts::Draft;
use chanwiz::model::ChannelDocument;
use chanwiz::tui::form::FieldId;
use chanwiz::tui::state::{DraftRow, Link, State};
use chanwiz::tui::update::{Action, Effect, open_wizard, update};

pub fn key(code: KeyCode) -> Action {
    Action::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn ctrl(c: char) -> Action {
    Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

/// Type `text` one key at a time; every effect asked for.
pub fn typed(s: &mut State, text: &str) -> Vec<Effect> {
    text.chars().flat_map(|c| update(s, key(KeyCode::Char(c)))).collect()
}

/// Enter on Review's [Submit]: the question opens and nothing is sent
/// yet; then `y` answers it. The effects of the `y`.
pub fn submit_confirmed(s: &mut State) -> Vec<Effect> {
    let fx = update(s, key(KeyCode::Enter));
    assert!(!fx.iter().any(|e| matches!(e, Effect::Submit(_))), "Enter alone sent the draft: {fx:?}");
    assert!(
        matches!(s.popup, Some(chanwiz::tui::popups::Popup::Confirm(_))),
        "Enter on Submit did not ask: {:?}",
        s.shared.flash
    );
    update(s, key(KeyCode::Char('y')))
}

/// The example document (`assets/examples/telegram-channel.json`).
pub fn example() -> ChannelDocument {
    chanwiz::model::parse_document(super::EXAMPLE).unwrap()
}

/// The wizard open on a new draft of `doc`, offline.
pub fn wizard(doc: ChannelDocument) -> State {
    let mut s = State::new(None, Link::Offline);
    open_wizard(&mut s, Draft::new(doc));
    s
}

pub fn focus(s: &State) -> FieldId {
    s.wizard().unwrap().focus
}

pub fn doc(s: &State) -> &ChannelDocument {
    &s.wizard().unwrap().draft.document
}

/// Tab until `field` has the focus.
pub fn go_to(s: &mut State, field: FieldId) {
    for _ in 0..80 {
        if focus(s) == field {
            return;
        }
        update(s, key(KeyCode::Tab));
    }
    panic!("never reached {field:?}");
}

/// A tick `secs` seconds after the last one (the state's clock).
pub fn tick(s: &mut State, secs: u64) -> Vec<Effect> {
    let now = s.shared.instant + Duration::from_secs(secs);
    update(s, Action::Tick { now, wall: chrono::Utc::now() })
}

/// The drafts `effects` ask to save, with their revisions.
pub fn saved_drafts(effects: &[Effect]) -> Vec<(&Draft, u64)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SaveDraft { draft, revision } => Some((draft.as_ref(), *revision)),
            _ => None,
        })
        .collect()
}

pub fn saves(effects: &[Effect]) -> usize {
    saved_drafts(effects).len()
}

/// The disk's answer to each save in `effects`: taken, or refused with
/// `err`. The effects the answers ask for.
pub fn answer(s: &mut State, effects: &[Effect], err: Option<&str>) -> Vec<Effect> {
    let mut out = Vec::new();
    for (d, revision) in saved_drafts(effects) {
        let result = match err {
            None => Ok(DraftRow::of(d)),
            Some(e) => Err(e.to_string()),
        };
        out.extend(update(s, Action::Saved { id: d.meta.id.clone(), revision, result }));
    }
    out
}

/// Answer every save in `effects` as taken, and the saves those answers
/// ask for; the other effects.
pub fn disk_ok(s: &mut State, effects: Vec<Effect>) -> Vec<Effect> {
    let mut out = Vec::new();
    let mut queue = effects;
    while !queue.is_empty() {
        let next = answer(s, &queue, None);
        out.extend(queue.into_iter().filter(|e| !matches!(e, Effect::SaveDraft { .. })));
        queue = next;
    }
    out
}

/// A channel as the backend returns it after a create.
pub fn saved_channel() -> chanwiz::api::Channel {
    chanwiz::api::Channel {
        id: "ch-1".into(),
        version: 1,
        created: chrono::Utc::now(),
        updated: chrono::Utc::now(),
        integration_url: "https://192.0.2.10:28090/apiaccess/telegram/message/ch-1".into(),
        has_app_secret: true,
        has_bot_token: false,
        document: example().without_secrets(),
    }
}

/// A channel row of a backend holding `Chan_000001`, `Chan_000002`…
pub fn channel_row(i: usize) -> chanwiz::api::ChannelSummary {
    chanwiz::api::ChannelSummary { id: format!("id-{i:06}"), name: format!("Chan_{i:06}"), ..Default::default() }
}

/// The Channels screen open on a backend of `total` channels, the pages it
/// asked for answered.
pub fn open_channels(total: usize) -> State {
    let mut s = State::new(None, Link::Online);
    update(&mut s, Action::DraftsLoaded { drafts: vec![], problems: vec![] });
    let fx = update(&mut s, key(KeyCode::Char('c')));
    assert!(matches!(s.screen, chanwiz::tui::state::Screen::Channels(_)));
    answer_pages(&mut s, fx, total);
    s
}

/// Answer each page request in `effects` from a backend of `total` rows;
/// the pages asked for.
pub fn answer_pages(s: &mut State, effects: Vec<Effect>, total: usize) -> Vec<u32> {
    let mut asked = Vec::new();
    let mut queue = effects;
    while !queue.is_empty() {
        let mut next = Vec::new();
        for e in queue {
            if let Effect::LoadChannelPage { generation, query } = e {
                let page = query.page.unwrap();
                asked.push(page);
                let filter = query.name.clone().unwrap_or_default();
                let all: Vec<_> = (1..=total).map(channel_row).filter(|r| r.name.contains(&filter)).collect();
                let per = query.per_page.unwrap() as usize;
                let items = all.iter().skip((page as usize - 1) * per).take(per).cloned().collect();
                let result = Ok(chanwiz::api::Page { items, page, per_page: per as u32, total: all.len() as u64 });
                next.extend(update(s, Action::ChannelPage { generation, page, result, cached: None }));
            }
        }
        queue = next;
    }
    asked
}

/// What the backend answers for `saved_channel()`'s integration details:
/// a stored public address and, when `bot` is given, its bot token.
pub fn integration_info(public_address: Option<&str>, bot: Option<&str>) -> chanwiz::integration::IntegrationInfo {
    chanwiz::integration::IntegrationInfo::from_wire(
        "Telegram_Support".into(),
        chanwiz::api::Integration {
            channel_id: "ch-1".into(),
            integration_url: "https://192.0.2.10:28090/apiaccess/telegram/message/ch-1".into(),
            webhook_secret: "Zq7_generated-by-backend-0123456789".into(),
            has_bot_token: bot.is_some(),
            identity_certificate_pem: None,
            rotation_pending: false,
            public_address: public_address.map(Into::into),
            bot: bot.map(|b| chanwiz::api::BotRef { id: 7001, username: Some(b.into()) }),
        },
    )
}

/// The webhook's state as the backend answers it for `saved_channel()`:
/// registered an hour ago, pointing to the channel through the public
/// address, with Telegram's `last_error` (message, seconds ago) and the
/// backend's refused deliveries with a wrong secret. Without an error a
/// message was delivered ten minutes ago (the webhook is known to work).
pub fn webhook_state(last_error: Option<(&str, i64)>, wrong_secrets: u64) -> chanwiz::api::WebhookState {
    use chanwiz::api::*;
    let now = chrono::Utc::now();
    let registered = now - chrono::TimeDelta::hours(1);
    WebhookState {
        channel_id: "ch-1".into(),
        has_bot_token: true,
        bot: Some(BotRef { id: 7001, username: Some("AICCCustomize_TWbot".into()) }),
        webhook: Some(TelegramWebhook {
            url: "https://93.184.216.34:8443/apiaccess/telegram/message/ch-1".into(),
            pending_update_count: 0,
            last_error_date: last_error.map(|(_, ago)| (now - chrono::TimeDelta::seconds(ago)).timestamp()),
            last_error_message: last_error.map(|(m, _)| m.into()),
            ..Default::default()
        }),
        status: Some(match last_error {
            Some((_, ago)) if ago < 3600 => WebhookStatus::Failing,
            _ => WebhookStatus::Ok,
        }),
        fetched: Some(now),
        age_seconds: Some(0),
        error: None,
        points_here: true,
        registered: Some(registered),
        last_delivery: last_error.is_none().then(|| now - chrono::TimeDelta::minutes(10)),
        refusals: (wrong_secrets > 0)
            .then_some(DeliveryRefusal { reason: RefusalReason::SecretWrong, count: wrong_secrets, last: now })
            .into_iter()
            .collect(),
        unknown_channel: None,
        public_address: Some("https://93.184.216.34:8443".into()),
    }
}

/// The Integration page of `saved_channel()` with its details loaded and
/// the webhook's state answered.
pub fn integration_loaded(state: Option<chanwiz::api::WebhookState>) -> State {
    let mut s = State::new(None, Link::Online);
    s.screen = chanwiz::tui::state::Screen::Integration(Box::new(
        chanwiz::tui::screens::integration::IntegrationPage::new(saved_channel(), false),
    ));
    let bot = state.as_ref().map(|_| "AICCCustomize_TWbot");
    chanwiz::tui::update::update(
        &mut s,
        Action::IntegrationLoaded(Ok(integration_info(Some("https://93.184.216.34:8443"), bot))),
    );
    if let Some(st) = state {
        let diagnosis = chanwiz::integration::diagnose(&st, chanwiz::integration::Face::Wizard);
        chanwiz::tui::update::update(
            &mut s,
            Action::WebhookStateLoaded(Ok(chanwiz::integration::BackendStatus { state: st, diagnosis })),
        );
    }
    s
}
