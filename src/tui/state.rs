//! Everything the wizard shows, in one value. `update` changes it; `render`
//! only reads it.

use std::cell::Cell;
use std::collections::HashSet;
use std::time::Instant;

use chrono::{DateTime, Utc};
use ratatui_textarea::TextArea;

use super::form::{self, FieldId, Kind};
use super::widgets::line_input::LineInput;
use crate::api::{Channel, ChannelSummary};
use crate::drafts::Draft;
use crate::model::{Catalogue, FieldError, Mode, validate_all};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    Home,
    Wizard,
    Integration,
}

/// What the status line says about the backend.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Started with `--offline`: no backend at all.
    Offline,
    Connecting,
    Online,
    /// Configured but not answering, with the reason.
    Unreachable(String),
}

#[derive(Debug, Clone)]
pub struct DraftRow {
    pub id: String,
    pub name: String,
    pub step: u8,
    pub updated: DateTime<Utc>,
    pub errors: usize,
}

impl DraftRow {
    pub fn of(d: &Draft) -> Self {
        let mode = if d.meta.channel_id.is_some() { Mode::Update } else { Mode::Create };
        Self {
            id: d.meta.id.clone(),
            name: d.document.basic.channel_name.clone(),
            step: d.meta.step,
            updated: d.meta.updated,
            errors: crate::model::validate(&d.document, mode).len(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Home {
    pub drafts: Vec<DraftRow>,
    pub drafts_loaded: bool,
    pub channels: Vec<ChannelSummary>,
    /// Index into drafts, then channels.
    pub selected: usize,
    /// Messages about draft files that could not be loaded.
    pub problems: Vec<String>,
}

impl Home {
    pub fn len(&self) -> usize {
        self.drafts.len() + self.channels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Submit {
    Idle,
    Busy { since: Instant },
    Failed(String),
}

pub struct Wizard {
    pub draft: Draft,
    /// 1–4.
    pub step: u8,
    pub focus: FieldId,
    /// The editor of the focused field, when it takes typed text.
    pub input: Option<LineInput>,
    /// Local and catalogue rule errors of the document as it is.
    pub errors: Vec<FieldError>,
    /// Errors the server reported on the last submit, until the field changes.
    pub server_errors: Vec<FieldError>,
    /// Fields the user has been to: their errors show under them.
    pub touched: HashSet<FieldId>,
    /// Show every error (after Review or a refused submit).
    pub show_all: bool,
    pub reveal_secret: bool,
    /// Changed since the last save.
    pub dirty: bool,
    /// The step or focused field changed since the last save.
    pub moved: bool,
    pub last_change: Option<Instant>,
    pub saved_at: Option<DateTime<Utc>>,
    /// The draft file exists (it has been saved at least once).
    pub persisted: bool,
    /// Review page: 0 = Submit, 1.. = the errors.
    pub review_sel: usize,
    pub submit: Submit,
    /// First body line shown; remembered between frames so that the page
    /// scrolls only when the focus would leave it.
    pub scroll: Cell<usize>,
}

impl Wizard {
    pub fn new(draft: Draft, catalogue: Option<&Catalogue>) -> Self {
        let step = draft.meta.step.clamp(1, 4);
        let mut w = Self {
            // set below, once the step's fields are known
            focus: FieldId::AppKey,
            draft,
            step,
            input: None,
            errors: Vec::new(),
            server_errors: Vec::new(),
            touched: HashSet::new(),
            show_all: false,
            reveal_secret: false,
            dirty: false,
            moved: false,
            last_change: None,
            saved_at: None,
            persisted: false,
            review_sel: 0,
            submit: Submit::Idle,
            scroll: Cell::new(0),
        };
        let saved_field = w.draft.meta.field.as_deref().and_then(form::field_named);
        let fields = w.fields();
        w.focus = match saved_field {
            Some(f) if fields.contains(&f) => f,
            _ => fields.first().copied().unwrap_or(FieldId::AppKey),
        };
        w.revalidate(catalogue);
        w.open_input();
        w
    }

    /// The draft as it is to be saved: with the step and field the user is on.
    pub fn snapshot(&self) -> Draft {
        let mut draft = self.draft.clone();
        draft.meta.step = self.step;
        draft.meta.field = Some(form::field_name(self.focus));
        draft
    }

    pub fn mode(&self) -> Mode {
        if self.draft.meta.channel_id.is_some() { Mode::Update } else { Mode::Create }
    }

    /// The fields of the current step as the document now shows them.
    pub fn fields(&self) -> Vec<FieldId> {
        if self.step > 3 {
            return Vec::new();
        }
        form::visible(self.step, &self.draft.document, self.draft.meta.remember_secrets)
    }

    pub fn revalidate(&mut self, catalogue: Option<&Catalogue>) {
        let editing = self.draft.meta.channel_id.clone();
        self.errors = validate_all(&self.draft.document, self.mode(), catalogue, editing.as_deref());
    }

    /// Every error, local and from the server, without repeating a path.
    pub fn all_errors(&self) -> Vec<&FieldError> {
        let mut out: Vec<&FieldError> = self.errors.iter().collect();
        for e in &self.server_errors {
            if !out.iter().any(|x| x.path == e.path) {
                out.push(e);
            }
        }
        out
    }

    /// The errors belonging to `field`.
    pub fn errors_of(&self, field: FieldId) -> Vec<&FieldError> {
        self.all_errors()
            .into_iter()
            .filter(|e| form::field_for_path(&e.path, &self.draft.document) == Some(field))
            .collect()
    }

    /// Error counts of steps 1–3.
    pub fn step_counts(&self) -> [usize; 3] {
        let mut counts = [0; 3];
        for e in self.all_errors() {
            let s = crate::model::fields::step_of(&e.path);
            counts[usize::from(s.clamp(1, 3)) - 1] += 1;
        }
        counts
    }

    /// (Re)create the editor for the focused field when it takes text.
    pub fn open_input(&mut self) {
        let kind = form::spec_of(self.focus).kind;
        self.input = match kind {
            Kind::Text { .. } | Kind::Secret { .. } | Kind::Number { .. } => {
                Some(LineInput::new(&form::text_value(self.focus, &self.draft.document)))
            }
            _ => None,
        };
    }
}

/// One choice of a select popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// Role, expiry, tree path… shown dimmed.
    pub detail: String,
    /// Shown but marked (an expired certificate).
    pub warning: Option<String>,
}

pub struct SelectPopup {
    pub field: FieldId,
    pub choices: Vec<Choice>,
    pub query: LineInput,
    /// Indexes into `choices` matching the query, best first.
    pub shown: Vec<usize>,
    pub selected: usize,
}

/// A list being edited in a popup: keywords, or work-time segments.
pub struct ListPopup {
    pub field: FieldId,
    pub selected: usize,
    /// The line being edited: which item (None = a new one) and its inputs
    /// (one for a keyword; start and end for a segment).
    pub editing: Option<ListEdit>,
    /// Why the last edit was refused.
    pub note: Option<String>,
}

pub struct ListEdit {
    pub index: Option<usize>,
    pub inputs: Vec<LineInput>,
    pub part: usize,
}

pub enum Popup {
    Help,
    /// The bot's webhook points elsewhere: replace it?
    ConfirmReplace {
        current: String,
    },
    /// Delete the bot's webhook?
    ConfirmWebhookDelete,
    /// Submit met a newer version on the server: overwrite, take theirs, or
    /// decide later.
    Conflict {
        current: Box<Channel>,
        fields: Vec<String>,
    },
    /// Quit with unsaved changes: save / discard / cancel.
    ConfirmQuit,
    /// Delete the home screen's selected draft.
    ConfirmDelete {
        id: String,
        name: String,
    },
    Select(SelectPopup),
    List(ListPopup),
    Text {
        field: FieldId,
        area: Box<TextArea<'static>>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

pub struct State {
    pub screen: Screen,
    pub home: Home,
    pub wizard: Option<Wizard>,
    pub popup: Option<Popup>,
    /// The Channel Integration page.
    pub integration: Option<IntegrationPage>,
    pub backend_url: Option<String>,
    pub link: Link,
    pub catalogue: Option<Catalogue>,
    pub catalogue_fetched: Option<DateTime<Utc>>,
    /// A one-line message (saved, refused key, copy done…).
    pub flash: Option<(Level, String)>,
    pub flash_since: Option<Instant>,
    /// Wall clock and monotonic clock as of the last tick.
    pub now: DateTime<Utc>,
    pub instant: Instant,
    pub quit: bool,
    /// Colours allowed (NO_COLOR unset).
    pub color: bool,
}

impl State {
    pub fn new(backend_url: Option<String>, link: Link) -> Self {
        Self {
            screen: Screen::Home,
            home: Home::default(),
            wizard: None,
            popup: None,
            integration: None,
            backend_url,
            link,
            catalogue: None,
            catalogue_fetched: None,
            flash: None,
            flash_since: None,
            now: Utc::now(),
            instant: Instant::now(),
            quit: false,
            color: true,
        }
    }
}

/// The items of the Channel Integration page, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntItem {
    Url,
    Token,
    PublicUrl,
    Allowed,
    DropPending,
    Register,
    Rotate,
    Status,
    Delete,
}

impl IntItem {
    pub const ALL: [IntItem; 9] = [
        IntItem::Url,
        IntItem::Token,
        IntItem::PublicUrl,
        IntItem::Allowed,
        IntItem::DropPending,
        IntItem::Register,
        IntItem::Rotate,
        IntItem::Status,
        IntItem::Delete,
    ];

    pub fn is_input(self) -> bool {
        matches!(self, IntItem::Token | IntItem::PublicUrl | IntItem::Allowed)
    }

    /// One line of guidance shown while the item is focused.
    pub fn hint(self) -> &'static str {
        match self {
            IntItem::Url => "Enter or y copies the URL (OSC 52: works over SSH and inside tmux).",
            IntItem::Token => "The token from @BotFather; kept in memory only and sent to the backend write-only.",
            IntItem::PublicUrl => {
                "Telegram calls public IPv4 on ports 443, 80, 88, 8443 only: the address forwarding here."
            }
            IntItem::Allowed => "Update types Telegram sends, comma-separated.",
            IntItem::DropPending => "Drop the updates Telegram queued while no webhook worked.",
            IntItem::Register => {
                "Checks, getMe, setWebhook with the channel's secret, getWebhookInfo; then the token is stored."
            }
            IntItem::Rotate => {
                "The token typed replaces the stored one, with a fresh webhook secret; undone on failure."
            }
            IntItem::Status => "What Telegram reports for this bot's webhook now.",
            IntItem::Delete => "deleteWebhook: Telegram stops delivering to the channel (asks first).",
        }
    }
}

/// Channel Integration: the integration URL, and the bot token registered
/// with Telegram as the channel's webhook (steps 6–8 of the AICC procedure).
pub struct IntegrationPage {
    pub channel: Channel,
    /// Reached right after a submit (else from the channel list).
    pub just_saved: bool,
    /// The channel's integration details (webhook secret inside, never drawn).
    pub info: Option<crate::integration::IntegrationInfo>,
    pub load_error: Option<String>,
    pub focus: IntItem,
    /// The bot token: in memory only, never in a draft, never drawn unmasked
    /// unless revealed.
    pub token: LineInput,
    pub public_url: LineInput,
    pub allowed: LineInput,
    pub drop_pending: bool,
    pub reveal: bool,
    /// What each step reported, newest last.
    pub log: Vec<(Level, String)>,
    /// The pre-checks of the current inputs (see [`IntegrationPage::recheck`]);
    /// None until the integration details arrive.
    pub checks: Option<Result<String, Vec<String>>>,
    pub busy: Option<Instant>,
}

impl IntegrationPage {
    pub fn new(channel: Channel, just_saved: bool) -> Self {
        Self {
            channel,
            just_saved,
            info: None,
            load_error: None,
            // y copies and q quits at once; Tab leads to the token
            focus: IntItem::Url,
            token: LineInput::default(),
            public_url: LineInput::default(),
            allowed: LineInput::new(&crate::telegram::types::default_allowed_updates().join(",")),
            drop_pending: false,
            reveal: false,
            log: Vec::new(),
            checks: None,
            busy: None,
        }
    }

    pub fn input_mut(&mut self) -> Option<&mut LineInput> {
        match self.focus {
            IntItem::Token => Some(&mut self.token),
            IntItem::PublicUrl => Some(&mut self.public_url),
            IntItem::Allowed => Some(&mut self.allowed),
            _ => None,
        }
    }

    /// The bot token typed, trimmed (None while empty).
    pub fn bot_token(&self) -> Result<Option<crate::telegram::BotToken>, String> {
        let text = self.token.text();
        if text.trim().is_empty() {
            return Ok(None);
        }
        crate::telegram::BotToken::parse(&text).map(Some).map_err(|e| e.to_string())
    }

    pub fn options(&self, replace: crate::integration::Replace) -> crate::integration::Options {
        let public = self.public_url.text();
        crate::integration::Options {
            public_address: (!public.trim().is_empty()).then(|| public.trim().to_string()),
            allowed_updates: self
                .allowed
                .text()
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            drop_pending_updates: self.drop_pending,
            replace,
            ..Default::default()
        }
    }

    /// Run the checks Telegram's rules need (the URL that would be
    /// registered, or every problem with its fix) after an input changed.
    /// They parse the endpoint certificate, so they run here, not per frame.
    pub fn recheck(&mut self) {
        self.checks = self.info.as_ref().map(|info| {
            let token = self.bot_token().ok().flatten();
            let options = self.options(crate::integration::Replace::Ask);
            crate::integration::plan(info, &options, token.as_ref())
                .map(|p| p.url)
                .map_err(|problems| problems.iter().map(|p| p.message.clone()).collect())
        });
    }
}
