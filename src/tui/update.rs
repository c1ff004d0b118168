//! `update(state, action) -> effects`: every change of the wizard's state,
//! with no IO. What must touch the world (files, the backend, the terminal)
//! comes back as an [`Effect`] for the runtime to carry out.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;
use ratatui_textarea::TextArea;

use super::choices;
use super::form::{self, FieldId, Kind};
use super::keymap::{self, Cmd, Ctx};
use super::state::*;
use super::widgets::line_input::LineInput;
use crate::api::{Channel, ChannelSummary};
use crate::drafts::Draft;
use crate::model::{Catalogue, ChannelDocument, FieldError, Segment, parse_hhmm};

/// Autosave this long after the last change.
pub const AUTOSAVE_AFTER: Duration = Duration::from_secs(2);
/// A flash message stays this long.
pub const FLASH_FOR: Duration = Duration::from_secs(4);

pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Tick {
        now: Instant,
        wall: DateTime<Utc>,
    },
    DraftsLoaded {
        drafts: Vec<DraftRow>,
        problems: Vec<String>,
    },
    DraftOpened(Result<Draft, String>),
    Saved {
        id: String,
        result: Result<DateTime<Utc>, String>,
    },
    Deleted {
        id: String,
        result: Result<(), String>,
    },
    LinkChanged(Link),
    /// The embedded backend is listening here.
    BackendUrl(String),
    CatalogueLoaded {
        catalogue: Catalogue,
        fetched: DateTime<Utc>,
    },
    ChannelsLoaded(Vec<ChannelSummary>),
    /// An existing channel fetched for editing.
    ChannelOpened(Result<Channel, String>),
    Submitted(Result<Channel, SubmitError>),
    /// A channel fetched to open its Channel Integration page.
    IntegrationOpened(Result<Channel, String>),
    /// The channel's integration details from the backend.
    IntegrationLoaded(Result<crate::integration::IntegrationInfo, String>),
    /// One step of a Telegram operation done.
    IntegrationEvent(Level, String),
    /// A Telegram operation ended: its summary, or why not.
    IntegrationDone(Result<String, IntegrationFailure>),
    EditorDone {
        field: FieldId,
        text: Result<String, String>,
    },
    /// SIGHUP / SIGTERM: save what there is and leave.
    Terminate,
}

/// Why a Telegram operation stopped (the text is already scrubbed of the
/// token and secrets).
#[derive(Debug, Clone)]
pub struct IntegrationFailure {
    pub message: String,
    /// The bot's webhook points here: ask before replacing it.
    pub webhook_elsewhere: Option<String>,
}

/// What the Integration page asks of Telegram.
#[derive(Debug, Clone)]
pub enum TelegramOp {
    Connect,
    /// The token typed replaces the stored one, with a fresh webhook secret.
    Rotate,
    Status,
    Delete,
}

#[derive(Debug, Clone)]
pub enum SubmitError {
    /// 422: the server's errors, by path.
    Invalid(Vec<FieldError>),
    /// 412: the channel changed on the server since the draft was made;
    /// `current` is the server's copy when it sent one.
    Stale {
        message: String,
        current: Option<Box<Channel>>,
    },
    Unreachable(String),
    Other(String),
}

#[derive(Debug)]
pub enum Effect {
    LoadDrafts,
    OpenDraft(String),
    SaveDraft(Box<Draft>),
    DeleteDraft(String),
    OpenChannel(String),
    Submit(Box<Draft>),
    RefreshBackend,
    ExternalEditor {
        field: FieldId,
        text: String,
    },
    Copy(String),
    /// Fetch a channel and open its Channel Integration page.
    OpenIntegration(String),
    /// Fetch the channel's integration details.
    LoadIntegration(String),
    Telegram {
        op: TelegramOp,
        info: Box<crate::integration::IntegrationInfo>,
        token: crate::telegram::BotToken,
        options: Box<crate::integration::Options>,
    },
    Quit,
}

type Effects = Vec<Effect>;

pub fn update(state: &mut State, action: Action) -> Effects {
    match action {
        Action::Key(key) => on_key(state, &key),
        Action::Paste(text) => on_paste(state, &text),
        Action::Tick { now, wall } => on_tick(state, now, wall),
        Action::DraftsLoaded { drafts, problems } => {
            state.home.drafts = drafts;
            state.home.drafts_loaded = true;
            state.home.problems = problems;
            clamp_home(state);
            vec![]
        }
        Action::DraftOpened(Ok(draft)) => {
            open_wizard(state, draft);
            if let Some(w) = state.wizard.as_mut() {
                w.persisted = true;
            }
            vec![]
        }
        Action::DraftOpened(Err(e)) | Action::ChannelOpened(Err(e)) => {
            flash(state, Level::Error, e);
            vec![Effect::LoadDrafts]
        }
        Action::ChannelOpened(Ok(channel)) => {
            let mut draft = Draft::new(channel.document.clone());
            draft.meta.channel_id = Some(channel.id.clone());
            draft.meta.channel_version = Some(channel.version);
            open_wizard(state, draft);
            vec![]
        }
        Action::Saved { id, result } => {
            if let Some(w) = state.wizard.as_mut().filter(|w| w.draft.meta.id == id) {
                match &result {
                    Ok(at) => {
                        w.saved_at = Some(*at);
                        w.persisted = true;
                    }
                    Err(_) => w.dirty = true,
                }
            }
            if let Err(e) = result {
                flash(state, Level::Error, format!("draft not saved: {e}"));
            }
            vec![]
        }
        Action::Deleted { id, result } => {
            match result {
                Ok(()) => {
                    state.home.drafts.retain(|d| d.id != id);
                    clamp_home(state);
                }
                Err(e) => flash(state, Level::Error, format!("draft not deleted: {e}")),
            }
            vec![]
        }
        Action::LinkChanged(link) => {
            state.link = link;
            vec![]
        }
        Action::BackendUrl(url) => {
            state.backend_url = Some(url);
            vec![]
        }
        Action::CatalogueLoaded { catalogue, fetched } => {
            state.catalogue = Some(catalogue);
            state.catalogue_fetched = Some(fetched);
            if let Some(w) = state.wizard.as_mut() {
                w.revalidate(state.catalogue.as_ref());
            }
            vec![]
        }
        Action::ChannelsLoaded(channels) => {
            state.home.channels = channels;
            clamp_home(state);
            vec![]
        }
        Action::Submitted(result) => on_submitted(state, result),
        Action::EditorDone { field, text } => {
            match text {
                Ok(text) => {
                    if let Some(w) = state.wizard.as_mut() {
                        let text = text.strip_suffix('\n').unwrap_or(&text).replace("\r\n", "\n");
                        form::set_text(field, &mut w.draft.document, text);
                        changed(state, field);
                    }
                }
                Err(e) => flash(state, Level::Error, format!("editor: {e}")),
            }
            vec![]
        }
        Action::IntegrationOpened(Ok(channel)) => {
            let id = channel.id.clone();
            state.integration = Some(IntegrationPage::new(channel, false));
            state.screen = Screen::Integration;
            vec![Effect::LoadIntegration(id)]
        }
        Action::IntegrationOpened(Err(e)) => {
            flash(state, Level::Error, e);
            vec![]
        }
        Action::IntegrationLoaded(result) => {
            if let Some(page) = state.integration.as_mut() {
                match result {
                    Ok(info) => {
                        if info.has_bot_token {
                            page.log.push((
                                Level::Info,
                                "a bot token is stored for this channel (type one to register again or replace it)"
                                    .into(),
                            ));
                        }
                        page.info = Some(info);
                        page.load_error = None;
                        page.recheck();
                    }
                    Err(e) => page.load_error = Some(e),
                }
            }
            vec![]
        }
        Action::IntegrationEvent(level, text) => {
            if let Some(page) = state.integration.as_mut() {
                page.log.push((level, text));
            }
            vec![]
        }
        Action::IntegrationDone(result) => {
            let Some(page) = state.integration.as_mut() else { return vec![] };
            page.busy = None;
            match result {
                Ok(summary) => page.log.push((Level::Info, summary)),
                Err(IntegrationFailure { message, webhook_elsewhere }) => {
                    page.log.push((Level::Error, message));
                    if let Some(current) = webhook_elsewhere {
                        state.popup = Some(Popup::ConfirmReplace { current });
                    }
                }
            }
            vec![]
        }
        Action::Terminate => {
            state.quit = true;
            let mut effects = save_if_dirty(state);
            effects.push(Effect::Quit);
            effects
        }
    }
}

fn flash(state: &mut State, level: Level, text: impl Into<String>) {
    state.flash = Some((level, text.into()));
    state.flash_since = Some(state.instant);
}

fn clamp_home(state: &mut State) {
    let n = state.home.len();
    if state.home.selected >= n {
        state.home.selected = n.saturating_sub(1);
    }
}

pub fn open_wizard(state: &mut State, draft: Draft) {
    state.wizard = Some(Wizard::new(draft, state.catalogue.as_ref()));
    state.screen = Screen::Wizard;
    state.popup = None;
}

/// The contexts whose bindings apply now, most specific first.
pub fn contexts(state: &State) -> Vec<Ctx> {
    contexts_of(state, false)
}

/// The contexts of the screen beneath any popup (for the help overlay).
pub fn contexts_beneath(state: &State) -> Vec<Ctx> {
    contexts_of(state, true)
}

fn contexts_of(state: &State, beneath: bool) -> Vec<Ctx> {
    if let Some(p) = state.popup.as_ref().filter(|_| !beneath) {
        let ctx = match p {
            Popup::Help => Ctx::Help,
            Popup::ConfirmQuit
            | Popup::ConfirmDelete { .. }
            | Popup::ConfirmReplace { .. }
            | Popup::ConfirmWebhookDelete
            | Popup::Conflict { .. } => Ctx::Confirm,
            Popup::Select(_) => Ctx::SelectPopup,
            Popup::List(l) if l.editing.is_some() && l.field != FieldId::Keywords => {
                return vec![Ctx::TimeEdit, Ctx::ListEdit, Ctx::Global];
            }
            Popup::List(l) if l.editing.is_some() => Ctx::ListEdit,
            Popup::List(_) => Ctx::ListPopup,
            Popup::Text { .. } => Ctx::TextPopup,
        };
        return vec![ctx, Ctx::Global];
    }
    match state.screen {
        Screen::Home => vec![Ctx::Home, Ctx::Global],
        Screen::Integration => match state.integration.as_ref().map(|p| p.focus) {
            Some(IntItem::Token) => vec![Ctx::Secret, Ctx::TextInput, Ctx::Integration, Ctx::Global],
            Some(f) if f.is_input() => vec![Ctx::TextInput, Ctx::Integration, Ctx::Global],
            _ => vec![Ctx::Integration, Ctx::Global],
        },
        Screen::Wizard => {
            let Some(w) = &state.wizard else { return vec![Ctx::Global] };
            let mut out = Vec::new();
            if w.step == 4 {
                out.push(Ctx::Review);
            } else {
                match form::spec_of(w.focus).kind {
                    Kind::Secret { .. } => out.extend([Ctx::Secret, Ctx::TextInput]),
                    Kind::Text { .. } | Kind::Number { .. } => out.push(Ctx::TextInput),
                    Kind::Select(source) if choices::available(source, state.catalogue.as_ref()) => {
                        out.push(Ctx::Select)
                    }
                    Kind::Select(_) => out.push(Ctx::TextInput),
                    Kind::Toggle => out.push(Ctx::Toggle),
                    Kind::Multiline { .. } => out.push(Ctx::Multiline),
                    Kind::Keywords | Kind::WorkTime => out.push(Ctx::ListField),
                }
            }
            out.extend([Ctx::Wizard, Ctx::Global]);
            out
        }
    }
}

fn on_key(state: &mut State, key: &KeyEvent) -> Effects {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return vec![];
    }
    let ctxs = contexts(state);
    match keymap::dispatch(&ctxs, key) {
        Some((cmd, c)) => on_cmd(state, cmd, c),
        None => {
            // a multi-line editor takes every other key itself
            if let Some(Popup::Text { area, .. }) = state.popup.as_mut() {
                area.input(*key);
            }
            vec![]
        }
    }
}

fn on_cmd(state: &mut State, cmd: Cmd, c: Option<char>) -> Effects {
    if cmd == Cmd::Quit {
        return request_quit(state);
    }
    if state.popup.is_some() {
        return on_popup_cmd(state, cmd, c);
    }
    match state.screen {
        Screen::Home => on_home_cmd(state, cmd),
        Screen::Integration => on_integration_cmd(state, cmd, c),
        Screen::Wizard => on_wizard_cmd(state, cmd, c),
    }
}

fn request_quit(state: &mut State) -> Effects {
    let dirty = state.wizard.as_ref().is_some_and(|w| w.dirty);
    if dirty && !matches!(state.popup, Some(Popup::ConfirmQuit)) {
        state.popup = Some(Popup::ConfirmQuit);
        return vec![];
    }
    state.quit = true;
    vec![Effect::Quit]
}

fn go_home(state: &mut State) -> Effects {
    let mut effects = save_if_dirty(state);
    state.wizard = None;
    state.screen = Screen::Home;
    state.popup = None;
    effects.extend([Effect::LoadDrafts, Effect::RefreshBackend]);
    effects
}

fn on_home_cmd(state: &mut State, cmd: Cmd) -> Effects {
    let home = &mut state.home;
    match cmd {
        Cmd::Up => home.selected = home.selected.saturating_sub(1),
        Cmd::Down if home.selected + 1 < home.len() => home.selected += 1,
        Cmd::NewDraft => {
            open_wizard(state, Draft::new(ChannelDocument::default()));
        }
        Cmd::Activate => {
            let i = home.selected;
            if let Some(d) = home.drafts.get(i) {
                return vec![Effect::OpenDraft(d.id.clone())];
            }
            if let Some(c) = home.channels.get(i - home.drafts.len().min(i)) {
                return vec![Effect::OpenChannel(c.id.clone())];
            }
        }
        Cmd::Integration => {
            if let Some(c) = home.selected.checked_sub(home.drafts.len()).and_then(|j| home.channels.get(j)) {
                return vec![Effect::OpenIntegration(c.id.clone())];
            }
            flash(state, Level::Warn, "choose a channel on the backend (below the drafts) to open its integration");
        }
        Cmd::DeleteItem => {
            if let Some(d) = home.drafts.get(home.selected) {
                state.popup = Some(Popup::ConfirmDelete { id: d.id.clone(), name: d.name.clone() });
            }
        }
        Cmd::Refresh => return vec![Effect::LoadDrafts, Effect::RefreshBackend],
        Cmd::Help => state.popup = Some(Popup::Help),
        _ => {}
    }
    vec![]
}

fn on_popup_cmd(state: &mut State, cmd: Cmd, c: Option<char>) -> Effects {
    let Some(popup) = state.popup.take() else { return vec![] };
    match popup {
        Popup::Help => {
            if cmd != Cmd::Back {
                state.popup = Some(Popup::Help);
            }
            vec![]
        }
        Popup::ConfirmQuit => match (cmd, c.map(|c| c.to_ascii_lowercase())) {
            (Cmd::Answer, Some('s')) => {
                state.quit = true;
                let mut effects = save_if_dirty(state);
                effects.push(Effect::Quit);
                effects
            }
            (Cmd::Answer, Some('d')) => {
                state.quit = true;
                vec![Effect::Quit]
            }
            (Cmd::Back, _) | (Cmd::Answer, Some('c')) => vec![],
            _ => {
                state.popup = Some(Popup::ConfirmQuit);
                vec![]
            }
        },
        Popup::ConfirmReplace { current } => match (cmd, c.map(|c| c.to_ascii_lowercase())) {
            (Cmd::Answer, Some('y')) => {
                telegram_op(state, TelegramOp::Connect, crate::integration::Replace::Only(current))
            }
            (Cmd::Back, _) | (Cmd::Answer, Some('n')) => {
                if let Some(page) = state.integration.as_mut() {
                    page.log.push((Level::Warn, "the other webhook was kept: nothing changed".into()));
                }
                vec![]
            }
            _ => {
                state.popup = Some(Popup::ConfirmReplace { current });
                vec![]
            }
        },
        Popup::Conflict { current, fields } => match (cmd, c.map(|c| c.to_ascii_lowercase())) {
            // overwrite: the edit now counts as based on the server's version
            (Cmd::Answer, Some('o')) => {
                if let Some(w) = state.wizard.as_mut() {
                    w.draft.meta.channel_version = Some(current.version);
                    w.dirty = true;
                }
                submit(state)
            }
            // take theirs: the server's document replaces the edit
            (Cmd::Answer, Some('r')) => {
                if let Some(w) = state.wizard.as_mut() {
                    w.draft.document = current.document.without_secrets();
                    w.draft.meta.channel_version = Some(current.version);
                    w.server_errors.clear();
                    w.submit = Submit::Idle;
                    w.open_input();
                }
                if let Some(w) = state.wizard.as_ref() {
                    let field = w.focus;
                    changed(state, field);
                }
                flash(state, Level::Info, format!("took the server's version {} of the channel", current.version));
                vec![]
            }
            (Cmd::Back, _) | (Cmd::Answer, Some('c')) => vec![],
            _ => {
                state.popup = Some(Popup::Conflict { current, fields });
                vec![]
            }
        },
        Popup::ConfirmWebhookDelete => match (cmd, c.map(|c| c.to_ascii_lowercase())) {
            (Cmd::Answer, Some('y')) => telegram_op(state, TelegramOp::Delete, crate::integration::Replace::Ask),
            (Cmd::Back, _) | (Cmd::Answer, Some('n')) => vec![],
            _ => {
                state.popup = Some(Popup::ConfirmWebhookDelete);
                vec![]
            }
        },
        Popup::ConfirmDelete { id, name } => match (cmd, c.map(|c| c.to_ascii_lowercase())) {
            (Cmd::Answer, Some('y')) => vec![Effect::DeleteDraft(id)],
            (Cmd::Back, _) | (Cmd::Answer, Some('n')) => vec![],
            _ => {
                state.popup = Some(Popup::ConfirmDelete { id, name });
                vec![]
            }
        },
        Popup::Select(mut sel) => {
            match cmd {
                Cmd::Back => return vec![],
                Cmd::Activate => {
                    if let Some(&i) = sel.shown.get(sel.selected) {
                        let id = sel.choices[i].id.clone();
                        if let Some(w) = state.wizard.as_mut() {
                            form::set_text(sel.field, &mut w.draft.document, id);
                            changed(state, sel.field);
                            next_field(state);
                        }
                    }
                    return vec![];
                }
                Cmd::Up => sel.selected = sel.selected.saturating_sub(1),
                Cmd::Down => sel.selected = (sel.selected + 1).min(sel.shown.len().saturating_sub(1)),
                Cmd::Insert => {
                    if let Some(c) = c {
                        sel.query.insert(c);
                        refilter(&mut sel);
                    }
                }
                Cmd::Backspace => {
                    sel.query.backspace();
                    refilter(&mut sel);
                }
                _ => {}
            }
            state.popup = Some(Popup::Select(sel));
            vec![]
        }
        Popup::List(list) => on_list_cmd(state, list, cmd, c),
        Popup::Text { field, area } => match cmd {
            Cmd::Back => {
                let text = area.lines().join("\n");
                if let Some(w) = state.wizard.as_mut() {
                    form::set_text(field, &mut w.draft.document, text);
                    changed(state, field);
                }
                vec![]
            }
            Cmd::ExternalEditor => {
                let text = area.lines().join("\n");
                vec![Effect::ExternalEditor { field, text }]
            }
            _ => {
                state.popup = Some(Popup::Text { field, area });
                vec![]
            }
        },
    }
}

pub fn refilter(sel: &mut SelectPopup) {
    sel.shown = choices::filter(&sel.choices, &sel.query.text());
    sel.selected = sel.selected.min(sel.shown.len().saturating_sub(1));
}

fn on_wizard_cmd(state: &mut State, cmd: Cmd, c: Option<char>) -> Effects {
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    match cmd {
        Cmd::NextField | Cmd::Down if w.step == 4 => {
            let n = 1 + w.all_errors().len();
            w.review_sel = (w.review_sel + 1) % n;
        }
        Cmd::PrevField | Cmd::Up if w.step == 4 => {
            let n = 1 + w.all_errors().len();
            w.review_sel = (w.review_sel + n - 1) % n;
        }
        Cmd::NextField => return next_field(state),
        Cmd::PrevField => return prev_field(state, true),
        Cmd::Down => {
            let fields = w.fields();
            if fields.last() != Some(&w.focus) {
                return next_field(state);
            }
        }
        Cmd::Up => return prev_field(state, false),
        Cmd::NextStep => {
            let step = w.step + 1;
            return goto_step(state, step);
        }
        Cmd::PrevStep => {
            let step = w.step.saturating_sub(1);
            return goto_step(state, step);
        }
        Cmd::Save => {
            let save = save_now(w);
            flash(state, Level::Info, "draft saved");
            return vec![save];
        }
        Cmd::Back => return go_home(state),
        Cmd::Help => state.popup = Some(Popup::Help),
        Cmd::Reveal => w.reveal_secret ^= true,
        Cmd::ExternalEditor => {
            let field = w.focus;
            if matches!(form::spec_of(field).kind, Kind::Multiline { .. }) {
                return vec![Effect::ExternalEditor { field, text: form::text_value(field, &w.draft.document) }];
            }
        }
        Cmd::Activate if w.step == 4 => {
            if w.review_sel == 0 {
                return submit(state);
            }
            let target = w.all_errors().get(w.review_sel - 1).map(|e| e.path.clone());
            if let Some(path) = target
                && let Some(field) = form::field_for_path(&path, &w.draft.document)
            {
                let step = form::spec_of(field).step;
                let effects = goto_step(state, step);
                if let Some(w) = state.wizard.as_mut() {
                    reveal(w, field);
                    focus(w, field);
                }
                return effects;
            }
        }
        Cmd::Submit if w.step == 4 => return submit(state),
        Cmd::Activate => return activate(state),
        Cmd::Clear => {
            let field = w.focus;
            form::set_text(field, &mut w.draft.document, String::new());
            changed(state, field);
        }
        Cmd::Insert
        | Cmd::Backspace
        | Cmd::Delete
        | Cmd::Left
        | Cmd::Right
        | Cmd::Home
        | Cmd::End
        | Cmd::KillToStart
        | Cmd::KillToEnd
        | Cmd::DeleteWord => edit_text(state, cmd, c),
        _ => {}
    }
    vec![]
}

/// Make the toggle that reveals `field` show it.
fn reveal(w: &mut Wizard, field: FieldId) {
    if let Some(toggle) = form::revealed_by(field)
        && !form::toggle_value(toggle, &w.draft.document, w.draft.meta.remember_secrets)
    {
        form::flip(toggle, &mut w.draft.document);
    }
}

fn focus(w: &mut Wizard, field: FieldId) {
    if w.focus != field {
        w.moved = true;
        w.touched.insert(w.focus);
        w.focus = field;
        w.reveal_secret = false;
        w.open_input();
    }
}

fn next_field(state: &mut State) -> Effects {
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    let fields = w.fields();
    match fields.iter().position(|f| *f == w.focus) {
        Some(i) if i + 1 < fields.len() => {
            focus(w, fields[i + 1]);
            vec![]
        }
        _ => {
            let step = w.step + 1;
            goto_step(state, step)
        }
    }
}

fn prev_field(state: &mut State, across_steps: bool) -> Effects {
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    let fields = w.fields();
    match fields.iter().position(|f| *f == w.focus) {
        Some(i) if i > 0 => {
            focus(w, fields[i - 1]);
            vec![]
        }
        _ if across_steps && w.step > 1 => {
            let step = w.step - 1;
            let effects = goto_step(state, step);
            if let Some(w) = state.wizard.as_mut()
                && let Some(last) = w.fields().last().copied()
            {
                focus(w, last);
            }
            effects
        }
        _ => vec![],
    }
}

/// Move to `step` (1–4), saving the draft when it changed.
pub fn goto_step(state: &mut State, step: u8) -> Effects {
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    if !(1..=4).contains(&step) || step == w.step {
        return vec![];
    }
    w.touched.insert(w.focus);
    w.moved = true;
    w.step = step;
    if step == 4 {
        w.show_all = true;
        w.review_sel = 0;
        w.input = None;
    } else if let Some(first) = w.fields().first().copied() {
        w.focus = first;
        w.reveal_secret = false;
        w.open_input();
    }
    w.scroll.set(0);
    save_if_dirty(state)
}

/// Save the draft as it is now, with the place the user is at.
fn save_now(w: &mut Wizard) -> Effect {
    w.dirty = false;
    w.moved = false;
    Effect::SaveDraft(Box::new(w.snapshot()))
}

/// Save when the document changed, or when only the place changed in a
/// draft that already has a file (a pristine new draft makes no file).
fn save_if_dirty(state: &mut State) -> Effects {
    match state.wizard.as_mut() {
        Some(w) if w.dirty || (w.moved && w.persisted) => vec![save_now(w)],
        _ => vec![],
    }
}

/// Bookkeeping after `field`'s value changed.
fn changed(state: &mut State, field: FieldId) {
    let Some(w) = state.wizard.as_mut() else { return };
    w.dirty = true;
    w.last_change = Some(state.instant);
    w.touched.insert(field);
    let doc = &w.draft.document;
    w.server_errors.retain(|e| form::field_for_path(&e.path, doc) != Some(field));
    w.revalidate(state.catalogue.as_ref());
}

fn activate(state: &mut State) -> Effects {
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    let field = w.focus;
    match form::spec_of(field).kind {
        Kind::Toggle => {
            if field == FieldId::RememberSecret {
                w.draft.meta.remember_secrets ^= true;
            } else {
                form::flip(field, &mut w.draft.document);
            }
            changed(state, field);
        }
        Kind::Select(source) => {
            let choices = choices::choices(source, state.catalogue.as_ref());
            if choices.is_empty() {
                return next_field(state);
            }
            let current = form::text_value(field, &w.draft.document);
            let mut sel = SelectPopup { field, choices, query: LineInput::default(), shown: vec![], selected: 0 };
            refilter(&mut sel);
            sel.selected = sel.shown.iter().position(|&i| sel.choices[i].id == current).unwrap_or(0);
            state.popup = Some(Popup::Select(sel));
        }
        Kind::Multiline { .. } => {
            let text = form::text_value(field, &w.draft.document);
            let mut area = TextArea::new(text.split('\n').map(str::to_string).collect());
            area.set_cursor_line_style(ratatui::style::Style::default());
            area.move_cursor(ratatui_textarea::CursorMove::Bottom);
            area.move_cursor(ratatui_textarea::CursorMove::End);
            state.popup = Some(Popup::Text { field, area: Box::new(area) });
        }
        Kind::Keywords | Kind::WorkTime => {
            // an empty list starts with a new line to type into
            let editing = (list_len(&w.draft.document, field) == 0).then(|| ListEdit {
                index: None,
                inputs: list_inputs(&w.draft.document, field, None),
                part: 0,
            });
            state.popup = Some(Popup::List(ListPopup { field, selected: 0, editing, note: None }));
        }
        Kind::Text { .. } | Kind::Secret { .. } | Kind::Number { .. } => return next_field(state),
    }
    vec![]
}

/// Which characters a text field takes as typed: what can be prevented is.
fn refusal(field: FieldId, kind: Kind, c: char, len: usize) -> Option<String> {
    let label = form::spec_of(field).label;
    match kind {
        Kind::Number { .. } if !c.is_ascii_digit() => Some(format!("{label} takes digits only")),
        Kind::Number { .. } if len >= 6 => Some(format!("{label} is at most 6 digits")),
        Kind::Text { max } | Kind::Secret { max } if len >= max => Some(format!("{label} is at most {max} characters")),
        _ if c.is_whitespace() && !matches!(field, FieldId::Notification) => Some(format!("{label} takes no spaces")),
        Kind::Secret { .. } if !c.is_ascii_graphic() => Some(format!("{label} takes printable ASCII characters only")),
        Kind::Text { .. } if field == FieldId::AppKey && !c.is_ascii_graphic() => {
            Some(format!("{label} takes printable ASCII characters only"))
        }
        _ => None,
    }
}

fn edit_text(state: &mut State, cmd: Cmd, c: Option<char>) {
    let Some(w) = state.wizard.as_mut() else { return };
    let field = w.focus;
    let kind = form::spec_of(field).kind;
    if w.input.is_none() {
        w.input = Some(LineInput::new(&form::text_value(field, &w.draft.document)));
    }
    let Some(input) = w.input.as_mut() else { return };
    if cmd == Cmd::Insert
        && let Some(why) = c.and_then(|c| refusal(field, kind, c, input.len()))
    {
        flash(state, Level::Warn, why);
        return;
    }
    let edited = apply_edit(input, cmd, c);
    if edited {
        commit_input(state);
    }
}

/// Write the focused input's text into the document.
fn commit_input(state: &mut State) {
    let Some(w) = state.wizard.as_mut() else { return };
    let Some(input) = w.input.as_ref() else { return };
    let field = w.focus;
    let text = input.text();
    match form::spec_of(field).kind {
        Kind::Number { optional, .. } => match text.parse::<i64>() {
            Ok(n) => form::set_number(field, &mut w.draft.document, Some(n)),
            Err(_) if text.is_empty() && optional => form::set_number(field, &mut w.draft.document, None),
            // an empty required number keeps its last value until one is typed
            Err(_) => return,
        },
        _ => form::set_text(field, &mut w.draft.document, text),
    }
    changed(state, field);
}

fn on_paste(state: &mut State, text: &str) -> Effects {
    match state.popup.as_mut() {
        Some(Popup::Text { area, .. }) => {
            let clean: String = text.replace("\r\n", "\n").chars().filter(|c| *c == '\n' || !c.is_control()).collect();
            area.insert_str(clean);
            return vec![];
        }
        Some(Popup::Select(sel)) => {
            sel.query.paste(text, |c| !c.is_control(), 64);
            refilter(sel);
            return vec![];
        }
        Some(_) => return vec![],
        None => {}
    }
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    if state.screen != Screen::Wizard || w.step == 4 {
        return vec![];
    }
    let field = w.focus;
    let kind = form::spec_of(field).kind;
    let Some(input) = w.input.as_mut() else { return vec![] };
    let max = match kind {
        Kind::Text { max } | Kind::Secret { max } => max,
        Kind::Number { .. } => 6,
        _ => 128,
    };
    let before = input.len();
    input.paste(text, |c| refusal(field, kind, c, 0).is_none(), max);
    if input.len() != before {
        commit_input(state);
    }
    vec![]
}

fn on_list_cmd(state: &mut State, mut list: ListPopup, cmd: Cmd, c: Option<char>) -> Effects {
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    let field = list.field;
    let is_time = field != FieldId::Keywords;
    let count = list_len(&w.draft.document, field);
    let max = if is_time { crate::model::validate::SEGMENTS_MAX } else { crate::model::validate::KEYWORDS_MAX };
    list.note = None;
    if let Some(edit) = list.editing.as_mut() {
        match cmd {
            Cmd::Back => list.editing = None,
            Cmd::NextField if is_time => edit.part = 1,
            Cmd::PrevField if is_time => edit.part = 0,
            Cmd::Insert => {
                let Some(c) = c else { return vec![] };
                let input = &mut edit.inputs[edit.part];
                if is_time {
                    if !c.is_ascii_digit() && c != ':' {
                        list.note = Some("a time is HH:MM: digits only".into());
                    } else if input.len() < 5 {
                        if c != ':' {
                            input.insert(c);
                        }
                        if input.len() == 2 && input.cursor() == 2 {
                            input.insert(':');
                        }
                        if input.len() == 5 && edit.part == 0 {
                            edit.part = 1;
                        }
                    }
                } else if c == ',' || c == ';' {
                    list.note = Some("a keyword may not contain ',' or ';'".into());
                } else if input.len() < crate::model::validate::KEYWORD_MAX {
                    input.insert(c);
                } else {
                    list.note =
                        Some(format!("a keyword is at most {} characters", crate::model::validate::KEYWORD_MAX));
                }
            }
            Cmd::Backspace => {
                let input = &mut edit.inputs[edit.part];
                input.backspace();
                if is_time && input.text().ends_with(':') {
                    input.backspace();
                }
            }
            Cmd::Delete => {
                edit.inputs[edit.part].delete();
            }
            Cmd::Left => edit.inputs[edit.part].left(),
            Cmd::Right => edit.inputs[edit.part].right(),
            Cmd::Home => edit.inputs[edit.part].home(),
            Cmd::End => edit.inputs[edit.part].end(),
            Cmd::Activate => {
                let edit = list.editing.take().expect("editing");
                commit_list_edit(w, field, edit);
                let n = list_len(&w.draft.document, field);
                list.selected = list.selected.min(n);
                changed(state, field);
            }
            _ => {}
        }
        state.popup = Some(Popup::List(list));
        return vec![];
    }
    match cmd {
        Cmd::Back => {
            w.touched.insert(field);
            return vec![];
        }
        Cmd::Up => list.selected = list.selected.saturating_sub(1),
        Cmd::Down => list.selected = (list.selected + 1).min(count),
        Cmd::Activate | Cmd::NewDraft => {
            let index = if cmd == Cmd::Activate && list.selected < count { Some(list.selected) } else { None };
            if index.is_none() && count >= max {
                list.note = Some(format!("at most {max} are allowed"));
            } else {
                list.editing = Some(ListEdit { index, inputs: list_inputs(&w.draft.document, field, index), part: 0 });
                if index.is_none() {
                    list.selected = count;
                }
            }
        }
        Cmd::DeleteItem if list.selected < count => {
            remove_list_item(&mut w.draft.document, field, list.selected);
            changed(state, field);
        }
        _ => {}
    }
    state.popup = Some(Popup::List(list));
    vec![]
}

fn segments_mut(doc: &mut ChannelDocument, field: FieldId) -> &mut Vec<Segment> {
    if field == FieldId::Workday { &mut doc.basic.work_time.workday } else { &mut doc.basic.work_time.non_workday }
}

pub fn list_len(doc: &ChannelDocument, field: FieldId) -> usize {
    match field {
        FieldId::Keywords => doc.basic.transfer_keywords.len(),
        FieldId::Workday => doc.basic.work_time.workday.len(),
        _ => doc.basic.work_time.non_workday.len(),
    }
}

fn list_inputs(doc: &ChannelDocument, field: FieldId, index: Option<usize>) -> Vec<LineInput> {
    match (field, index) {
        (FieldId::Keywords, Some(i)) => vec![LineInput::new(&doc.basic.transfer_keywords[i])],
        (FieldId::Keywords, None) => vec![LineInput::default()],
        (_, Some(i)) => {
            let mut d = doc.clone();
            let s = segments_mut(&mut d, field)[i].clone();
            vec![LineInput::new(&s.start), LineInput::new(&s.end)]
        }
        (_, None) => vec![LineInput::default(), LineInput::default()],
    }
}

fn commit_list_edit(w: &mut Wizard, field: FieldId, edit: ListEdit) {
    let doc = &mut w.draft.document;
    if field == FieldId::Keywords {
        let word = edit.inputs[0].text().trim().to_string();
        let list = &mut doc.basic.transfer_keywords;
        match (edit.index, word.is_empty()) {
            (Some(i), true) => {
                list.remove(i);
            }
            (Some(i), false) => list[i] = word,
            (None, false) => list.push(word),
            (None, true) => {}
        }
    } else {
        let seg = Segment { start: edit.inputs[0].text(), end: edit.inputs[1].text() };
        let list = segments_mut(doc, field);
        match edit.index {
            Some(i) => list[i] = seg,
            None if !seg.start.is_empty() || !seg.end.is_empty() => list.push(seg),
            None => {}
        }
        // keep segments in time order, as the day bar shows them
        list.sort_by_key(|s| parse_hhmm(&s.start).unwrap_or(u32::MAX));
    }
}

fn remove_list_item(doc: &mut ChannelDocument, field: FieldId, i: usize) {
    if field == FieldId::Keywords {
        doc.basic.transfer_keywords.remove(i);
    } else {
        segments_mut(doc, field).remove(i);
    }
}

fn submit(state: &mut State) -> Effects {
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    if matches!(w.submit, Submit::Busy { .. }) {
        return vec![];
    }
    let n = w.all_errors().len();
    if n > 0 {
        w.show_all = true;
        let msg = format!(
            "submit refused: {n} error{} remain{} (Enter on one jumps to its field)",
            if n == 1 { "" } else { "s" },
            if n == 1 { "s" } else { "" }
        );
        flash(state, Level::Error, msg);
        return vec![];
    }
    match &state.link {
        Link::Online | Link::Connecting => {}
        Link::Offline => {
            flash(
                state,
                Level::Error,
                "offline (--offline): the draft is saved; submit it later with `chanwiz submit`",
            );
            return save_if_dirty(state);
        }
        Link::Unreachable(why) => {
            let msg = format!("backend unreachable ({why}): the draft is kept; try again when it answers");
            flash(state, Level::Error, msg);
            return save_if_dirty(state);
        }
    }
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    w.submit = Submit::Busy { since: state.instant };
    // the create's key is part of the draft from now on, reused by every
    // retry until the backend answers (saved with the draft's next save)
    w.draft.ensure_idempotency_key();
    let draft = w.snapshot();
    let mut effects = save_if_dirty(state);
    effects.push(Effect::Submit(Box::new(draft)));
    effects
}

fn on_submitted(state: &mut State, result: Result<Channel, SubmitError>) -> Effects {
    let Some(w) = state.wizard.as_mut() else { return vec![] };
    w.submit = Submit::Idle;
    match result {
        Ok(channel) => {
            let id = w.draft.meta.id.clone();
            let channel_id = channel.id.clone();
            state.integration = Some(IntegrationPage::new(channel, true));
            state.wizard = None;
            state.screen = Screen::Integration;
            // the server has it now: the draft has served its purpose
            vec![Effect::DeleteDraft(id), Effect::LoadIntegration(channel_id)]
        }
        Err(SubmitError::Invalid(errors)) => {
            let n = errors.len();
            w.server_errors = errors;
            w.show_all = true;
            w.submit = Submit::Failed(format!("the backend refused {n} field{}", if n == 1 { "" } else { "s" }));
            flash(state, Level::Error, format!("the backend refused the channel: {n} error(s) listed below"));
            vec![]
        }
        Err(SubmitError::Stale { current: Some(current), .. }) => {
            let fields = crate::model::changed_fields(&w.draft.document, &current.document);
            w.submit = Submit::Failed(format!("the channel changed on the server (now version {})", current.version));
            state.popup = Some(Popup::Conflict { current, fields });
            vec![]
        }
        Err(SubmitError::Stale { message: msg, current: None })
        | Err(SubmitError::Unreachable(msg))
        | Err(SubmitError::Other(msg)) => {
            w.submit = Submit::Failed(msg.clone());
            flash(state, Level::Error, msg);
            vec![]
        }
    }
}

fn on_tick(state: &mut State, now: Instant, wall: DateTime<Utc>) -> Effects {
    state.instant = now;
    state.now = wall;
    if state.flash_since.is_some_and(|t| now.duration_since(t) >= FLASH_FOR) {
        state.flash = None;
        state.flash_since = None;
    }
    match state.wizard.as_ref() {
        Some(w) if w.dirty && w.last_change.is_some_and(|t| now.duration_since(t) >= AUTOSAVE_AFTER) => {
            save_if_dirty(state)
        }
        _ => vec![],
    }
}

/// Apply an editing command to a single-line input; true when the text
/// changed.
pub fn apply_edit(input: &mut LineInput, cmd: Cmd, c: Option<char>) -> bool {
    match cmd {
        Cmd::Insert => match c {
            Some(c) => {
                input.insert(c);
                true
            }
            None => false,
        },
        Cmd::Backspace => input.backspace(),
        Cmd::Delete => input.delete(),
        Cmd::KillToStart => input.kill_to_start(),
        Cmd::KillToEnd => input.kill_to_end(),
        Cmd::DeleteWord => input.delete_word(),
        Cmd::Left => {
            input.left();
            false
        }
        Cmd::Right => {
            input.right();
            false
        }
        Cmd::Home => {
            input.home();
            false
        }
        Cmd::End => {
            input.end();
            false
        }
        _ => false,
    }
}

fn on_integration_cmd(state: &mut State, cmd: Cmd, c: Option<char>) -> Effects {
    let Some(page) = state.integration.as_mut() else { return vec![] };
    let at = IntItem::ALL.iter().position(|i| *i == page.focus).unwrap_or(0);
    match cmd {
        Cmd::NextField | Cmd::Down => page.focus = IntItem::ALL[(at + 1) % IntItem::ALL.len()],
        Cmd::PrevField | Cmd::Up => page.focus = IntItem::ALL[(at + IntItem::ALL.len() - 1) % IntItem::ALL.len()],
        Cmd::Back => return go_home(state),
        Cmd::Help => state.popup = Some(Popup::Help),
        Cmd::Reveal => page.reveal ^= true,
        Cmd::Copy => return copy_url(state),
        Cmd::Activate => match page.focus {
            IntItem::Url => return copy_url(state),
            IntItem::DropPending => page.drop_pending ^= true,
            IntItem::Register => return telegram_op(state, TelegramOp::Connect, crate::integration::Replace::Ask),
            IntItem::Rotate => return telegram_op(state, TelegramOp::Rotate, crate::integration::Replace::Ask),
            IntItem::Status => return telegram_op(state, TelegramOp::Status, crate::integration::Replace::Ask),
            IntItem::Delete => {
                if page.busy.is_none() {
                    state.popup = Some(Popup::ConfirmWebhookDelete);
                }
            }
            // Enter in a field moves on
            _ => page.focus = IntItem::ALL[(at + 1) % IntItem::ALL.len()],
        },
        Cmd::Insert if page.focus == IntItem::Token && c.is_some_and(char::is_whitespace) => {
            flash(state, Level::Warn, "a bot token has no spaces");
        }
        _ => {
            if let Some(input) = page.input_mut()
                && apply_edit(input, cmd, c)
            {
                page.recheck();
            }
        }
    }
    vec![]
}

fn copy_url(state: &mut State) -> Effects {
    let url = state.integration.as_ref().map(|p| p.channel.integration_url.clone()).unwrap_or_default();
    flash(state, Level::Info, "integration URL copied (OSC 52)");
    vec![Effect::Copy(url)]
}

/// Start a Telegram operation of the Integration page, or say what is
/// missing.
fn telegram_op(state: &mut State, op: TelegramOp, replace: crate::integration::Replace) -> Effects {
    let Some(page) = state.integration.as_mut() else { return vec![] };
    if page.busy.is_some() {
        return vec![];
    }
    let Some(info) = page.info.clone() else {
        let why =
            page.load_error.clone().unwrap_or_else(|| "the channel's integration details are still loading".into());
        page.log.push((Level::Error, format!("cannot reach Telegram yet: {why}")));
        return vec![];
    };
    let token = match page.bot_token() {
        Ok(Some(t)) => t,
        Ok(None) => {
            page.focus = IntItem::Token;
            page.log.push((Level::Error, "type the bot token from @BotFather first".into()));
            return vec![];
        }
        Err(e) => {
            page.focus = IntItem::Token;
            page.log.push((Level::Error, e));
            return vec![];
        }
    };
    if let Some(w) = token.format_warning() {
        page.log.push((Level::Warn, w));
    }
    page.busy = Some(state.instant);
    let options = page.options(replace);
    vec![Effect::Telegram { op, info: Box::new(info), token, options: Box::new(options) }]
}
