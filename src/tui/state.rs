//! Everything the wizard shows, in one value: one [`Screen`] at a time, at
//! most one popup, the help overlay, and what every screen shares. `update`
//! changes it; `render` only reads it.

use std::time::Instant;

use chrono::{DateTime, Utc};

use super::popups::{Help, Popup};
use super::screens::channels::Channels;
use super::screens::home::Home;
use super::screens::integration::IntegrationPage;
use super::screens::wizard::Wizard;
use crate::api::ChannelSummary;
use crate::drafts::Draft;
use crate::model::Catalogue;

pub enum Screen {
    Home(Home),
    Channels(Box<Channels>),
    Wizard(Box<Wizard>),
    Integration(Box<IntegrationPage>),
}

/// What the status line says about the backend: the outcome of the last
/// request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Link {
    /// Started with `--offline`: no backend at all.
    Offline,
    Connecting,
    Online,
    /// Configured but not answering, with the reason.
    Unreachable(String),
    /// The backend answered 401: the tenant token is refused.
    TokenRefused,
}

impl Link {
    /// A backend exists to send requests to (it may be down right now).
    pub fn has_backend(&self) -> bool {
        !matches!(self, Link::Offline)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftRow {
    pub id: String,
    pub name: String,
    pub step: u8,
    pub updated: DateTime<Utc>,
    /// The rules broken that need no catalogue.
    pub errors: usize,
    /// The channel the draft edits.
    pub channel_id: Option<String>,
    /// What the draft names from the catalogue.
    pub refs: crate::model::Refs,
}

/// A draft's standing as its row says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowStatus {
    /// `n` rules broken (with the catalogue's, when one is known).
    Errors(usize),
    /// Valid, the catalogue's rules included.
    Valid,
    /// Valid by the rules that need no catalogue; what it names from the
    /// catalogue was not checked (none is known yet).
    ValidOffline,
}

impl RowStatus {
    /// `✓ valid`, `✗ 1 error`, `✓ valid offline` (the list explains the
    /// last once under itself: [`RowStatus::OFFLINE_NOTE`]).
    pub fn short(self) -> String {
        match self {
            Self::Valid => "valid".into(),
            Self::ValidOffline => "valid offline".into(),
            Self::Errors(1) => "1 error".into(),
            Self::Errors(n) => format!("{n} errors"),
        }
    }

    pub const OFFLINE_NOTE: &str = "valid offline: the catalogue (certificates, OUs, queues, robots, names) is not checked until the backend answers";
}

impl DraftRow {
    pub fn of(d: &Draft) -> Self {
        crate::drafts::Row::of(d).into()
    }

    /// The row's standing: checked against `catalogue` when one is known
    /// (a cached one offline), else only by the rules that need none.
    pub fn status(&self, catalogue: Option<&Catalogue>) -> RowStatus {
        let unchecked = self.errors;
        match catalogue {
            Some(cat) => match unchecked + self.refs.check(cat, self.channel_id.as_deref()).len() {
                0 => RowStatus::Valid,
                n => RowStatus::Errors(n),
            },
            None if unchecked > 0 => RowStatus::Errors(unchecked),
            None if self.refs.is_empty() => RowStatus::Valid,
            None => RowStatus::ValidOffline,
        }
    }
}

impl From<crate::drafts::Row> for DraftRow {
    fn from(r: crate::drafts::Row) -> Self {
        Self {
            id: r.id,
            name: r.name,
            step: r.step,
            updated: r.updated,
            errors: r.errors,
            channel_id: r.channel_id,
            refs: r.refs,
        }
    }
}

/// The local drafts as the home list shows them, kept up to date by every
/// save and delete (no refresh needed to see a new draft).
#[derive(Debug, Default)]
pub struct DraftList {
    pub rows: Vec<DraftRow>,
    pub loaded: bool,
    /// Messages about draft files that could not be loaded.
    pub problems: Vec<String>,
}

impl DraftList {
    /// Put `row` in (replacing the draft's old row), newest first.
    pub fn upsert(&mut self, row: DraftRow) {
        self.rows.retain(|r| r.id != row.id);
        let at = self.rows.iter().position(|r| (r.updated, &r.id) < (row.updated, &row.id)).unwrap_or(self.rows.len());
        self.rows.insert(at, row);
    }

    /// The draft that edits `channel_id`, if there is one.
    pub fn edit_of(&self, channel_id: &str) -> Option<&DraftRow> {
        self.rows.iter().find(|r| r.channel_id.as_deref() == Some(channel_id))
    }

    pub fn remove(&mut self, id: &str) {
        self.rows.retain(|r| r.id != id);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Warn,
    Error,
}

/// What every screen and popup may read, and the few things they all may
/// change (the one-line message).
pub struct Shared {
    pub backend_url: Option<String>,
    /// The backend is the one embedded in this process (its URL is a
    /// loopback port of this machine).
    pub backend_local: bool,
    pub link: Link,
    pub catalogue: Option<Catalogue>,
    pub catalogue_fetched: Option<DateTime<Utc>>,
    pub drafts: DraftList,
    /// The backend's most recently updated channels (home lists them).
    pub channels: Vec<ChannelSummary>,
    /// How many channels the backend holds.
    pub channels_total: u64,
    /// A one-line message (saved, refused key, copy done…) and when it came.
    pub flash: Option<(Level, String)>,
    pub flash_since: Option<Instant>,
    /// The wizard field the message is about (a refused key, a paste): it
    /// goes when the focus leaves that field.
    pub flash_field: Option<crate::tui::form::FieldId>,
    /// Wall clock and monotonic clock as of the last tick.
    pub now: DateTime<Utc>,
    pub instant: Instant,
    /// Colours allowed (NO_COLOR unset).
    pub color: bool,
    /// The terminal's columns and rows.
    pub size: (u16, u16),
    /// Keep a draft after its submit was confirmed (`--keep-draft`): it
    /// then edits the channel. Off: the channel is the truth and the draft
    /// is removed.
    pub keep_draft: bool,
    /// The tenant's time zone (the week view's "now").
    pub tz: crate::model::schedule::Zone,
}

impl Shared {
    pub fn flash(&mut self, level: Level, text: impl Into<String>) {
        self.flash = Some((level, text.into()));
        self.flash_since = Some(self.instant);
        self.flash_field = None;
    }

    /// The message as the message line shows it (cleaned), with its level.
    pub fn flash_message(&self) -> Option<(Option<Level>, String)> {
        self.flash.as_ref().map(|(level, text)| (Some(*level), crate::sanitize::clean(text).into_owned()))
    }

    /// A message about one field: it stays only while that field has the
    /// focus (and at most as long as any message).
    pub fn flash_about(&mut self, field: crate::tui::form::FieldId, level: Level, text: impl Into<String>) {
        self.flash(level, text);
        self.flash_field = Some(field);
    }

    /// The message `text` about `field` is no longer so (the field was
    /// edited since): it goes.
    pub fn retract(&mut self, field: crate::tui::form::FieldId, text: &str) {
        if self.flash_field == Some(field) && self.flash.as_ref().is_some_and(|(_, t)| t == text) {
            self.flash = None;
            self.flash_since = None;
            self.flash_field = None;
        }
    }
}

pub struct State {
    pub screen: Screen,
    pub popup: Option<Popup>,
    /// The help overlay, above everything else.
    pub help: Option<Help>,
    pub shared: Shared,
    pub quit: bool,
    /// The Integration page about to open for this channel starts the live
    /// delivery test (asked from the Channels screen).
    pub test_on_open: Option<String>,
}

impl State {
    pub fn new(backend_url: Option<String>, link: Link) -> Self {
        Self {
            screen: Screen::Home(Home::default()),
            popup: None,
            help: None,
            shared: Shared {
                backend_url,
                backend_local: false,
                link,
                catalogue: None,
                catalogue_fetched: None,
                drafts: DraftList::default(),
                channels: Vec::new(),
                channels_total: 0,
                flash: None,
                flash_since: None,
                flash_field: None,
                now: Utc::now(),
                instant: Instant::now(),
                color: true,
                size: (80, 24),
                keep_draft: false,
                tz: crate::model::schedule::Zone::utc(),
            },
            quit: false,
            test_on_open: None,
        }
    }

    pub fn wizard(&self) -> Option<&Wizard> {
        match &self.screen {
            Screen::Wizard(w) => Some(w),
            _ => None,
        }
    }

    pub fn wizard_mut(&mut self) -> Option<&mut Wizard> {
        match &mut self.screen {
            Screen::Wizard(w) => Some(w),
            _ => None,
        }
    }

    pub fn integration(&self) -> Option<&IntegrationPage> {
        match &self.screen {
            Screen::Integration(p) => Some(p),
            _ => None,
        }
    }

    pub fn integration_mut(&mut self) -> Option<&mut IntegrationPage> {
        match &mut self.screen {
            Screen::Integration(p) => Some(p),
            _ => None,
        }
    }

    pub fn channels(&self) -> Option<&Channels> {
        match &self.screen {
            Screen::Channels(c) => Some(c),
            _ => None,
        }
    }

    pub fn home(&self) -> Option<&Home> {
        match &self.screen {
            Screen::Home(h) => Some(h),
            _ => None,
        }
    }
}
