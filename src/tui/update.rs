//! `update(state, action) -> effects`: the dispatcher. It routes keys to the
//! help overlay, the popup or the screen (whichever is on top), applies what
//! they answer ([`Outcome`]: effects for the runtime, events for the
//! dispatcher), and files what the runtime reports where it belongs. No IO
//! here: what must touch the world comes back as an [`Effect`].

use crossterm::event::{KeyEvent, KeyEventKind};

use super::keymap::{self, Cmd, Ctx};
pub use super::msg::{Action, Answer, Effect, Effects, Event, IntegrationFailure, Outcome, SubmitError, TelegramOp};
use super::popups::{Help, Popup, confirm, help};
use super::screens::channels::Channels;
use super::screens::home::Home;
use super::screens::integration::IntegrationPage;
use super::screens::wizard::{Pending, Wizard};
use super::state::{Level, Screen, State};
use crate::drafts::Draft;

/// A flash message stays this long.
pub const FLASH_FOR: std::time::Duration = std::time::Duration::from_secs(4);

pub fn update(state: &mut State, action: Action) -> Effects {
    let mut effects = Vec::new();
    let mut events = Vec::new();
    match action {
        Action::Key(key) => {
            let out = on_key(state, &key);
            effects.extend(out.effects);
            events.extend(out.events);
        }
        Action::Paste(text) => on_paste(state, &text),
        Action::Tick { now, wall } => {
            state.shared.instant = now;
            state.shared.now = wall;
            if state.shared.flash_since.is_some_and(|t| now.duration_since(t) >= super::update::FLASH_FOR) {
                state.shared.flash = None;
                state.shared.flash_field = None;
                state.shared.flash_since = None;
            }
            let shared = &state.shared;
            match &mut state.screen {
                Screen::Wizard(w) => effects.extend(w.on_tick(now)),
                Screen::Channels(c) => effects.extend(c.on_tick(now, shared)),
                _ => {}
            }
        }
        Action::Resize(w, h) => {
            state.shared.size = (w, h);
            let shared = &state.shared;
            if let Screen::Wizard(wz) = &mut state.screen {
                wz.scroll_into_view(shared);
            }
        }
        Action::DraftsLoaded { drafts, problems } => {
            state.shared.drafts.rows = drafts;
            state.shared.drafts.loaded = true;
            state.shared.drafts.problems = problems;
            clamp_home(state);
        }
        Action::DraftsPeeked(rows) => {
            if !state.shared.drafts.loaded && state.shared.drafts.rows.is_empty() {
                state.shared.drafts.rows = rows;
                clamp_home(state);
            }
        }
        Action::DraftOpened(Ok(draft)) => {
            let from_channels = matches!(state.screen, Screen::Channels(_));
            let edit = draft.meta.channel_id.is_some();
            if edit {
                let name = draft.base_name().to_string();
                state.shared.flash(
                    Level::Info,
                    format!(
                        "your edit of {} begun {} is reopened",
                        crate::sanitize::clean(&name),
                        draft.meta.created.format("%Y-%m-%d %H:%M UTC")
                    ),
                );
            }
            open_wizard(state, *draft);
            if let Some(w) = state.wizard_mut() {
                w.persisted = true;
                w.back_to_channels = from_channels && edit;
            }
        }
        Action::DraftOpened(Err(e)) | Action::ChannelOpened(Err(e)) | Action::IntegrationOpened(Err(e)) => {
            state.shared.flash(Level::Error, e);
        }
        Action::ChannelOpened(Ok(channel)) => {
            let from_channels = matches!(state.screen, Screen::Channels(_));
            if let Some(row) = state.shared.drafts.edit_of(&channel.id) {
                // an edit draft showed up meanwhile (the list was loading)
                effects.push(Effect::OpenDraft(row.id.clone()));
                return effects;
            }
            let draft = Draft::editing(&channel.id, channel.version, &channel.document);
            open_wizard(state, draft);
            if let Some(w) = state.wizard_mut() {
                w.back_to_channels = from_channels;
            }
        }
        Action::Saved { id, revision, result } => {
            if let Ok(row) = &result {
                state.shared.drafts.upsert(row.clone());
            }
            let shared = &mut state.shared;
            match &mut state.screen {
                Screen::Wizard(w) if w.draft.meta.id == id => {
                    let out = w.on_saved(revision, result.map(|r| r.updated), shared);
                    effects.extend(out.effects);
                    events.extend(out.events);
                }
                _ => {
                    if let Err(e) = result {
                        shared.flash(Level::Error, format!("draft not saved: {e}"));
                    }
                }
            }
        }
        Action::Written { path, result } => {
            let shared = &mut state.shared;
            if let Screen::Wizard(w) = &mut state.screen {
                let out = w.on_written(&path, result, shared);
                effects.extend(out.effects);
                events.extend(out.events);
            }
        }
        Action::Deleted { id, result } => match result {
            Ok(()) => {
                state.shared.drafts.remove(&id);
                clamp_home(state);
            }
            Err(e) => state.shared.flash(Level::Error, format!("draft not deleted: {e}")),
        },
        Action::LinkChanged(link) => state.shared.link = link,
        Action::BackendUrl(url) => {
            state.shared.backend_url = Some(url);
            state.shared.backend_local = true;
        }
        Action::CatalogueLoaded { catalogue, fetched } => {
            state.shared.catalogue = Some(catalogue);
            state.shared.catalogue_fetched = Some(fetched);
            let shared = &state.shared;
            if let Screen::Wizard(w) = &mut state.screen {
                w.revalidate(shared);
            }
        }
        Action::ChannelsLoaded { items, total } => {
            state.shared.channels = items;
            state.shared.channels_total = total;
            clamp_home(state);
        }
        Action::ChannelPage { generation, page, result, cached } => {
            let shared = &mut state.shared;
            if let Screen::Channels(c) = &mut state.screen {
                effects.extend(c.on_page(generation, page, result, cached, shared));
            }
        }
        Action::ChannelDeleted { id, result } => {
            let shared = &mut state.shared;
            if let Screen::Channels(c) = &mut state.screen {
                effects.extend(c.on_deleted(&id, result, shared));
            }
            effects.push(Effect::RefreshBackend);
        }
        Action::ExportProgress(task) => {
            if let Screen::Channels(c) = &mut state.screen {
                c.on_progress(task);
            }
        }
        Action::ExportEnded(result) => {
            if let Screen::Channels(c) = &mut state.screen {
                let out = c.on_export(result);
                effects.extend(out.effects);
                events.extend(out.events);
            }
        }
        Action::ExportsListed(result) => {
            let shared = &mut state.shared;
            if let Screen::Channels(c) = &mut state.screen {
                c.on_tasks(result, shared);
            }
        }
        Action::CertificateFetched { field, result } => {
            if let Some(Popup::Select(p)) = state.popup.as_mut()
                && p.field == field
            {
                p.fetched(result);
            }
        }
        Action::CertificateImported { field, result } => {
            let picker_open = matches!(&state.popup, Some(Popup::Select(p)) if p.field == field);
            match result {
                Ok(cert) => {
                    let id = cert.id.clone();
                    let what = format!(
                        "Imported {} certificate '{}' ({}): chosen for {}.",
                        cert.role.as_str(),
                        crate::sanitize::clean(&cert.name),
                        crate::sanitize::clean(&id),
                        crate::tui::form::spec_of(field).label
                    );
                    if let Some(cat) = state.shared.catalogue.as_mut() {
                        cat.certificates.retain(|c| c.id != cert.id);
                        cat.certificates.push(cert);
                    }
                    if picker_open {
                        state.popup = None;
                    }
                    let shared = &state.shared;
                    if let Screen::Wizard(w) = &mut state.screen {
                        w.set_text(field, id, shared);
                        w.revalidate(shared);
                    }
                    state.shared.flash(Level::Info, what);
                }
                Err(e) => {
                    if let Some(Popup::Select(p)) = state.popup.as_mut() {
                        p.import_failed(&e);
                    }
                    state.shared.flash(Level::Error, format!("Certificate not imported: {e}"));
                }
            }
        }
        Action::Imported(result) => match result {
            Ok((summary, rows, refused)) => {
                for row in rows {
                    state.shared.drafts.upsert(row);
                }
                clamp_home(state);
                let level = if refused { Level::Warn } else { Level::Info };
                state.shared.flash(level, summary);
            }
            Err(e) => state.shared.flash(Level::Error, format!("not imported: {e}")),
        },
        Action::Downloaded(result) => {
            let shared = &mut state.shared;
            match &mut state.screen {
                Screen::Channels(c) => c.on_downloaded(result, shared),
                _ => match result {
                    Ok((path, _)) => shared.flash(Level::Info, format!("downloaded to {path}")),
                    Err(e) => shared.flash(Level::Error, format!("not downloaded: {e}")),
                },
            }
        }
        Action::Submitted(result) => {
            let channel = result.as_ref().ok().cloned();
            let shared = &mut state.shared;
            if let Screen::Wizard(w) = &mut state.screen {
                let out = w.on_submitted(result, shared);
                effects.extend(out.effects);
                events.extend(out.events);
                if let Some(channel) = channel {
                    let id = channel.id.clone();
                    state.screen = Screen::Integration(Box::new(IntegrationPage::new(channel, true)));
                    state.popup = None;
                    effects.push(Effect::LoadIntegration(id));
                }
            }
        }
        Action::EditorDone { field, text } => match text {
            Ok(text) => {
                let shared = &state.shared;
                if let Screen::Wizard(w) = &mut state.screen {
                    let text = text.strip_suffix('\n').unwrap_or(&text).replace("\r\n", "\n");
                    w.set_text(field, text, shared);
                }
            }
            Err(e) => state.shared.flash(Level::Error, format!("editor: {e}")),
        },
        Action::IntegrationOpened(Ok(channel)) => {
            let id = channel.id.clone();
            let mut page = IntegrationPage::new(channel, false);
            if state.test_on_open.take().is_some_and(|t| t == id) {
                effects.extend(page.start_test());
            }
            state.screen = Screen::Integration(Box::new(page));
            state.popup = None;
            effects.push(Effect::LoadIntegration(id));
        }
        Action::DeliveryTest { generation, progress } => {
            let now = state.shared.instant;
            if let Some(page) = state.integration_mut() {
                page.on_test(generation, progress, now);
            }
        }
        Action::IntegrationLoaded(result) => {
            if let Some(page) = state.integration_mut() {
                let out = page.on_loaded(result);
                effects.extend(out.effects);
                events.extend(out.events);
            }
        }
        Action::WebhookStateLoaded(mut result) => {
            // the answer's age counts on from now, on this clock
            if let Ok(status) = &mut result {
                status.diagnosis.received = Some(state.shared.now);
            }
            if let Some(page) = state.integration_mut() {
                page.on_status(result);
            }
        }
        Action::Copied(level, text) => {
            if let Some(page) = state.integration_mut() {
                page.on_copied(level, text.clone());
            }
            state.shared.flash(level, text);
        }
        Action::IntegrationEvent(level, text) => {
            if let Some(page) = state.integration_mut() {
                page.note((level, text));
            }
        }
        Action::IntegrationDone(result) => {
            if let Some(page) = state.integration_mut() {
                let out = page.on_done(result);
                effects.extend(out.effects);
                events.extend(out.events);
            }
        }
        Action::Terminate => {
            state.quit = true;
            if let Some(w) = state.wizard_mut() {
                effects.extend(w.terminate());
            }
            effects.push(Effect::Quit);
        }
    }
    apply_events(state, events, &mut effects);
    effects
}

/// Carry out what components asked for, in order (an event may queue more).
fn apply_events(state: &mut State, events: Vec<Event>, effects: &mut Effects) {
    let mut queue: std::collections::VecDeque<Event> = events.into();
    while let Some(event) = queue.pop_front() {
        let out = match event {
            Event::OpenPopup(p) => {
                match (&mut state.popup, p) {
                    // a retry failed again while its dialog is open: the
                    // dialog stays, with the name typed and the answer chosen
                    (Some(Popup::SaveFailed(open)), Popup::SaveFailed(newer)) => open.renew(newer),
                    (_, p) => state.popup = Some(p),
                }
                Outcome::none()
            }
            Event::TestDeliveryOnOpen(id) => {
                state.test_on_open = Some(id);
                Outcome::none()
            }
            Event::Home => {
                state.screen = Screen::Home(Home::default());
                state.popup = None;
                clamp_home(state);
                Outcome::effect(Effect::RefreshBackend)
            }
            Event::Channels => {
                let (screen, fx) = Channels::open(&state.shared);
                state.screen = Screen::Channels(Box::new(screen));
                state.popup = None;
                Outcome::none().with_effects(fx)
            }
            Event::Quit => {
                // quit asked again while the wizard asks about its draft:
                // save and quit (never a silent discard)
                let asking = match &state.popup {
                    Some(Popup::Confirm(c)) => matches!(c.kind, confirm::Kind::Quit),
                    Some(Popup::SaveFailed(_)) => true,
                    _ => false,
                };
                let shared = &mut state.shared;
                match &mut state.screen {
                    Screen::Wizard(w) if asking => {
                        state.popup = None;
                        w.pending = Some(Pending::Quit);
                        w.on_answer(Answer::SaveAndQuit, shared)
                    }
                    Screen::Wizard(w) => w.request_quit(),
                    _ => Outcome::event(Event::QuitNow),
                }
            }
            Event::QuitNow => {
                state.quit = true;
                Outcome::effect(Effect::Quit)
            }
            Event::OpenWizard(draft) => {
                open_wizard(state, *draft);
                Outcome::none()
            }
            Event::EditChannel(id) => match state.shared.drafts.edit_of(&id) {
                // one edit per channel: the one begun is reopened
                Some(row) => Outcome::effect(Effect::OpenDraft(row.id.clone())),
                None => Outcome::effect(Effect::OpenChannel(id)),
            },
            Event::Answer(answer) => {
                let shared = &mut state.shared;
                match &mut state.screen {
                    Screen::Wizard(w) => w.on_answer(answer, shared),
                    Screen::Integration(p) => p.on_answer(answer, shared),
                    Screen::Channels(c) => c.on_answer(answer, shared),
                    Screen::Home(h) => h.on_answer(answer),
                }
            }
        };
        effects.extend(out.effects);
        queue.extend(out.events);
    }
}

fn clamp_home(state: &mut State) {
    let shared = &state.shared;
    if let Screen::Home(h) = &mut state.screen {
        h.clamp(shared);
    }
}

pub fn open_wizard(state: &mut State, draft: Draft) {
    let mut w = Wizard::new(draft, &state.shared);
    w.scroll_into_view(&state.shared);
    state.screen = Screen::Wizard(Box::new(w));
    state.popup = None;
}

/// The contexts whose bindings apply now, most specific first.
pub fn contexts(state: &State) -> Vec<Ctx> {
    if super::render::too_small(state.shared.size) {
        return vec![Ctx::TooSmall];
    }
    if state.help.is_some() {
        let rows = keymap::overlay(&contexts_beneath(state)).len();
        if rows > help::visible_rows(state.shared.size.1) {
            return vec![Ctx::Help, Ctx::HelpScroll, Ctx::Global];
        }
        return vec![Ctx::Help, Ctx::Global];
    }
    contexts_beneath(state)
}

/// The contexts beneath the help overlay (what it lists).
pub fn contexts_beneath(state: &State) -> Vec<Ctx> {
    let mut out = match &state.popup {
        Some(p) => p.contexts(),
        None => match &state.screen {
            Screen::Home(h) => h.contexts(&state.shared),
            Screen::Wizard(w) => w.contexts(&state.shared),
            Screen::Integration(p) => p.contexts(&state.shared),
            Screen::Channels(c) => c.contexts(),
        },
    };
    out.push(Ctx::Global);
    out
}

fn on_key(state: &mut State, key: &KeyEvent) -> Outcome {
    if key.kind == KeyEventKind::Release {
        return Outcome::none();
    }
    let ctxs = contexts(state);
    let Some((cmd, c)) = keymap::dispatch(&ctxs, key) else {
        // a multi-line editor takes every other key itself
        if state.help.is_none()
            && let Some(p) = state.popup.as_mut()
        {
            p.raw_key(key, &mut state.screen, &mut state.shared);
        }
        return Outcome::none();
    };
    if cmd == Cmd::Quit {
        return Outcome::event(Event::Quit);
    }
    if cmd == Cmd::Repaint {
        return Outcome::effect(Effect::Repaint);
    }
    if state.help.is_some() {
        let total = keymap::overlay(&contexts_beneath(state)).len();
        let shown = help::visible_rows(state.shared.size.1);
        if let Some(h) = state.help.as_mut()
            && h.update(cmd, total, shown).close
        {
            state.help = None;
        }
        return Outcome::none();
    }
    if cmd == Cmd::Help {
        state.help = Some(Help::default());
        return Outcome::none();
    }
    if let Some(mut popup) = state.popup.take() {
        let out = popup.update(cmd, c, &mut state.screen, &mut state.shared);
        if !out.close && state.popup.is_none() {
            state.popup = Some(popup);
        }
        return out;
    }
    let shared = &mut state.shared;
    match &mut state.screen {
        Screen::Home(h) => h.update(cmd, shared),
        Screen::Wizard(w) => w.update(cmd, c, shared),
        Screen::Integration(p) => p.update(cmd, c, shared),
        Screen::Channels(ch) => ch.update(cmd, c, shared),
    }
}

fn on_paste(state: &mut State, text: &str) {
    if state.help.is_some() || super::render::too_small(state.shared.size) {
        return;
    }
    if let Some(p) = state.popup.as_mut() {
        p.paste(text, &mut state.screen, &mut state.shared);
        return;
    }
    let shared = &mut state.shared;
    match &mut state.screen {
        Screen::Wizard(w) => w.paste(text, shared),
        Screen::Integration(p) => p.paste(text),
        Screen::Home(_) | Screen::Channels(_) => {}
    }
}
