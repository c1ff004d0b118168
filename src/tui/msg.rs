//! The messages of the wizard: [`Action`]s come in (keys, ticks, what the
//! runtime did), [`Effect`]s go out (what must touch the world), and each
//! screen or popup answers a command with an [`Outcome`], queueing
//! [`Event`]s for the dispatcher instead of calling another component.

use std::time::Instant;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use super::form::FieldId;
use super::popups::Popup;
use super::state::{DraftRow, Link};
use crate::api::{Channel, ChannelSummary};
use crate::drafts::Draft;
use crate::model::{Catalogue, FieldError};

pub enum Action {
    Key(KeyEvent),
    Paste(String),
    Tick {
        now: Instant,
        wall: DateTime<Utc>,
    },
    /// The terminal's size (at start and on every resize).
    Resize(u16, u16),
    DraftsLoaded {
        drafts: Vec<DraftRow>,
        problems: Vec<String>,
    },
    /// The first rows of the drafts index, before it is checked against
    /// the files (`DraftsLoaded` follows).
    DraftsPeeked(Vec<DraftRow>),
    DraftOpened(Result<Box<Draft>, String>),
    /// A save ended: `revision` is the wizard revision it wrote; on success
    /// the draft's row as the home list shows it.
    Saved {
        id: String,
        revision: u64,
        result: Result<DraftRow, String>,
    },
    /// A draft's document written to a file the user named.
    Written {
        path: String,
        result: Result<(), String>,
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
    /// The most recently updated channels, for home, and how many there are.
    ChannelsLoaded {
        items: Vec<ChannelSummary>,
        total: u64,
    },
    /// A page of the Channels screen (`generation` names the query it answers).
    ChannelPage {
        generation: u64,
        page: u32,
        result: Result<crate::api::Page<ChannelSummary>, String>,
        /// The page comes from the cache: when it was fetched.
        cached: Option<DateTime<Utc>>,
    },
    ChannelDeleted {
        id: String,
        result: Result<(), String>,
    },
    /// An export task as it runs.
    ExportProgress(crate::api::ExportTask),
    /// An export task ended (succeeded or failed), or could not start.
    ExportEnded(Result<crate::api::ExportTask, String>),
    ExportsListed(Result<Vec<crate::api::ExportTask>, String>),
    /// Drafts made from a file: what was done (one line), their rows, and
    /// whether anything was refused or stopped it.
    Imported(Result<(String, Vec<DraftRow>, bool), String>),
    /// The certificate a server presented, for `field`'s picker.
    CertificateFetched {
        field: FieldId,
        result: Result<crate::client::certs::CertInfo, String>,
    },
    /// A certificate file uploaded for `field` (from its empty picker).
    CertificateImported {
        field: FieldId,
        result: Result<crate::api::Certificate, String>,
    },
    /// An export downloaded: where, and the files inside.
    Downloaded(Result<(String, Vec<crate::client::archive::ExportFile>), String>),
    /// An existing channel fetched for editing.
    ChannelOpened(Result<Channel, String>),
    Submitted(Result<Channel, SubmitError>),
    /// A channel fetched to open its Channel Integration page.
    IntegrationOpened(Result<Channel, String>),
    /// The channel's integration details from the backend.
    IntegrationLoaded(Result<crate::integration::IntegrationInfo, String>),
    /// One step of a Telegram operation done.
    IntegrationEvent(super::state::Level, String),
    /// A Telegram operation ended: its summary, or why not.
    IntegrationDone(Result<String, IntegrationFailure>),
    /// The webhook's state as the backend answered it (it asks Telegram
    /// with the token it holds), with what it means.
    WebhookStateLoaded(Result<crate::integration::BackendStatus, String>),
    /// What the live delivery test (of this generation) reports.
    DeliveryTest {
        generation: u64,
        progress: super::screens::delivery::Progress,
    },
    /// A copy to the terminal's clipboard: what happened.
    Copied(super::state::Level, String),
    EditorDone {
        field: FieldId,
        text: Result<String, String>,
    },
    /// SIGHUP / SIGTERM: save what there is and leave.
    Terminate,
}

/// Why a Telegram operation stopped (the text is already scrubbed of the
/// token and secrets).
#[derive(Debug, Clone, Default)]
pub struct IntegrationFailure {
    pub message: String,
    /// The bot's webhook points here: ask before replacing it.
    pub webhook_elsewhere: Option<String>,
    /// The bot (its handle) is bound to this other channel: ask before
    /// moving it here.
    pub bot_in_use: Option<(String, crate::api::ChannelRef)>,
    /// The token is of another bot (old handle, new handle): ask before
    /// switching bots.
    pub other_bot: Option<(String, String)>,
}

/// What the Integration page asks of Telegram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TelegramOp {
    Connect,
    /// The token typed replaces the stored one, with a fresh webhook secret.
    Rotate,
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
    /// 401: the backend refused the tenant token.
    Unauthorized(String),
    Other(String),
}

/// Where an imported certificate comes from.
#[derive(Debug, Clone)]
pub enum CertSource {
    /// A file (PEM or DER) at this path.
    File(String),
    /// DER bytes fetched from a server, and the name to give them.
    Fetched { der: Vec<u8>, name: String },
}

#[derive(Debug)]
pub enum Effect {
    /// Ctrl-L: forget what the terminal shows and draw everything again.
    Repaint,
    LoadDrafts,
    OpenDraft(String),
    /// Write the draft (the wizard's `revision` of it); saves are carried
    /// out one at a time, in order.
    SaveDraft {
        draft: Box<Draft>,
        revision: u64,
    },
    /// Write the draft's document to `path` (a draft that cannot be saved).
    WriteDocument {
        draft: Box<Draft>,
        path: String,
    },
    DeleteDraft(String),
    OpenChannel(String),
    /// Create or update the draft's channel. For a create, the draft already
    /// carries its Idempotency-Key (saved before this is sent).
    Submit(Box<Draft>),
    RefreshBackend,
    ExternalEditor {
        field: FieldId,
        text: String,
    },
    Copy(String),
    /// Fetch a channel and open its Channel Integration page.
    OpenIntegration(String),
    /// A page of channels for the Channels screen.
    LoadChannelPage {
        generation: u64,
        query: crate::api::ChannelQuery,
    },
    DeleteChannel(String),
    /// Export these channels (None: every channel of the tenant; a name
    /// filter: every channel matching it), following the task to its end.
    StartExport {
        ids: Option<Vec<String>>,
        filter: Option<String>,
    },
    ListExports,
    DownloadExport {
        task: String,
        dir: String,
    },
    /// Make drafts from the file at this path.
    ImportDrafts(String),
    /// Upload a certificate (a file, or one fetched) with `role`; chosen in `field`.
    ImportCertificate {
        field: FieldId,
        from: CertSource,
        role: crate::api::CertRole,
    },
    /// Take the certificate the server at `url` presents (not verified).
    FetchCertificate {
        field: FieldId,
        url: String,
    },
    /// Fetch the channel's integration details.
    LoadIntegration(String),
    /// The webhook's state from the backend (`refresh`: it asks Telegram now).
    LoadWebhookState {
        channel: String,
        refresh: bool,
    },
    /// The live delivery test: wait up to `timeout` for a message to reach
    /// the channel (one test at a time: a new one stops the one before).
    TestDelivery {
        channel: String,
        generation: u64,
        timeout: std::time::Duration,
    },
    /// Stop waiting for a message.
    StopDeliveryTest,
    Telegram {
        op: TelegramOp,
        info: Box<crate::integration::IntegrationInfo>,
        token: crate::telegram::BotToken,
        options: Box<crate::integration::Options>,
    },
    Quit,
}

pub type Effects = Vec<Effect>;

/// Something a component asks of the dispatcher.
pub enum Event {
    OpenPopup(Popup),
    /// Leave the current screen for the home screen.
    Home,
    /// Open the Channels screen.
    Channels,
    /// Ctrl-Q or q: quit, asking first when something is unsaved.
    Quit,
    /// Quit now (after a save confirmed, or the user said discard).
    QuitNow,
    /// Open the wizard on this draft.
    OpenWizard(Box<Draft>),
    /// Edit this channel: its edit draft when there is one, else a new
    /// draft made from the channel as the backend has it.
    EditChannel(String),
    /// An answer of a confirmation, for the screen beneath.
    Answer(Answer),
    /// The Integration page about to open for this channel starts the live
    /// delivery test at once.
    TestDeliveryOnOpen(String),
}

/// What a confirmation decided.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// Quit with unsaved changes: save first.
    SaveAndQuit,
    /// Replace the webhook that points to this URL.
    ReplaceWebhook(String),
    /// The replace was refused.
    KeepWebhook,
    /// Move the bot here from the other channel that holds it.
    MoveBot,
    /// Switch the channel to the token's (other) bot.
    SwitchBot,
    /// The move or the switch was refused.
    KeepBot,
    DeleteWebhook,
    /// A 412: the three-way merge of the edit with the channel as it now is
    /// (`current`), to be put in the draft and submitted.
    Merged {
        document: Box<crate::model::ChannelDocument>,
        current: Box<Channel>,
    },
    /// A failed save: try again.
    RetrySave,
    /// Delete this channel (its name was typed).
    DeleteChannel(String),
    /// Start the export that was confirmed.
    Export,
    /// Send the reviewed draft (Submit was confirmed).
    Submit,
    /// Download this export task into this folder.
    DownloadTo {
        task: String,
        dir: String,
    },
    /// Make drafts from this file.
    ImportFrom(String),
    /// The moment the week view tells about (None: now).
    ScheduleAt(Option<String>),
    /// A failed save: go on without it (what was pending goes ahead).
    Discard,
    /// A failed save: write the document to this file instead.
    WriteTo(String),
    /// Stay where I am (cancel what was pending).
    Stay,
}

/// A component's answer to one command.
#[derive(Default)]
pub struct Outcome {
    /// The popup is done (ignored by screens).
    pub close: bool,
    pub effects: Effects,
    pub events: Vec<Event>,
}

impl Outcome {
    pub fn none() -> Self {
        Self::default()
    }

    pub fn close() -> Self {
        Self { close: true, ..Self::default() }
    }

    pub fn effect(e: Effect) -> Self {
        Self { effects: vec![e], ..Self::default() }
    }

    pub fn event(e: Event) -> Self {
        Self { events: vec![e], ..Self::default() }
    }

    pub fn with_effects(mut self, effects: impl IntoIterator<Item = Effect>) -> Self {
        self.effects.extend(effects);
        self
    }

    pub fn with_event(mut self, e: Event) -> Self {
        self.events.push(e);
        self
    }

    pub fn closing(mut self) -> Self {
        self.close = true;
        self
    }
}
