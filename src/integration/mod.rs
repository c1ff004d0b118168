//! Channel Integration (steps 6–8 of the AICC procedure) as a library: the
//! backend (`crate::client`) gives the integration URL, the channel's webhook
//! secret and its endpoint certificate; Telegram (`crate::telegram`) proves
//! the token, takes the webhook and confirms it; only then does the token go
//! to the backend. The CLI (`chanwiz webhook`) and the wizard's Integration
//! page both drive these calls.
//!
//! - [`prepare`] / [`prepare_for`] — the channel's integration details from
//!   the backend.
//! - [`plan`] — the checks run before Telegram is called (pure).
//! - [`connect`] — checks → `getMe` + `getWebhookInfo` → `setWebhook` →
//!   `getWebhookInfo` confirms → token stored in the backend.
//! - [`status`] — what Telegram reports for the bot's webhook now (asked
//!   with a token at hand).
//! - [`backend_status`] / [`diagnose`] — the webhook as the backend answers
//!   it (it asks Telegram with the token it holds: no token needed) beside
//!   its record of refused deliveries, and what they mean together.
//! - [`disconnect`] — `deleteWebhook`, confirmed.
//! - [`rotate`] — a new token with a fresh webhook secret, never left half
//!   done (see below).
//! - [`live`] — the live delivery test: wait for the next delivery, or say
//!   why none came.
//!
//! Each operation opens one [`Session`] (one Bot API client, one `getMe`
//! and one `getWebhookInfo`) after the checks pass and asks Telegram
//! nothing twice; undoing a change uses the same session. The options are
//! one type, [`Options`] (`crate::telegram::WebhookOptions`).
//!
//! Every step reports an [`Event`] to a callback as it completes, so a UI can
//! show each result. A webhook of the bot pointing somewhere else is never
//! replaced silently: the call returns [`IntegrationError::NeedsConfirmation`]
//! before anything changes, and the caller asks and calls again with
//! [`Replace::Only`] (the URL the user saw) or [`Replace::Any`].
//!
//! Endpoint certificate: Telegram calls the webhook URL, which reaches the
//! endpoint serving the channel's integration URL. That endpoint presents
//! the channel's *identity certificate* (`channel_info.identity_certificate`),
//! so its PEM comes from the backend ([`crate::api::Integration`]'s
//! `identity_certificate_pem`) and is uploaded with `setWebhook` only when it
//! is self-signed. [`Options::endpoint_certificate_pem`] overrides it (a
//! proxy in front presenting another certificate). chanwiz never connects to
//! the public webhook address itself to fetch a certificate: the admin's
//! machine often cannot reach it, and it must not send traffic there.
//!
//! One bot, one channel: before Telegram is touched, [`connect`] and
//! [`rotate`] refuse a bot another channel of the tenant holds
//! ([`IntegrationError::BotInUse`], unless [`Options::move_bot`]: that
//! channel's token is then cleared) and a bot other than the channel's
//! ([`IntegrationError::OtherBot`], unless [`Options::other_bot`]: once the
//! new webhook is confirmed and stored, the backend deletes the old bot's
//! webhook with the old token it kept).
//!
//! Rotation: the backend accepts a *staged* next secret beside the current
//! one (`PUT .../integration/next-secret`, expiring after 10 minutes unless
//! committed). [`rotate`] stages a fresh secret, sets the webhook with the new
//! token and that secret, confirms it, then commits token and secret to the
//! backend in one `PUT`. If Telegram refuses, the staged secret is dropped
//! (Telegram and the backend are as before). If the backend fails after
//! Telegram accepted, the bot's webhook is set back as it was (with the
//! current secret, which the backend still holds) and the staged secret is
//! dropped (or lapses by itself). Deliveries are accepted throughout.
//!
//! Secrets: the bot token and the webhook secrets are kept in
//! [`BotToken`] / [`WebhookSecret`] (masked when printed); every error text is
//! scrubbed of them ([`IntegrationError::scrubbed`] for callers that print).

pub mod live;

use std::fmt;

use url::Url;

use crate::api::{BotRef, Channel, ChannelRef, IntegrationUpdate, PreviousBot, PreviousBotOutcome, WebhookState};
use crate::client::{Client, ClientError};
use crate::error_kind::ErrorKind;
use crate::sanitize::clean;
use crate::telegram::checks::describe;
use crate::telegram::{
    ApiConfig, BotApi, BotInfo, BotToken, Problem, TelegramError, WebhookInfo, WebhookParams, WebhookSecret,
    registration_warnings, same_url,
};
pub use crate::telegram::{Face, Plan, Replace, WebhookOptions as Options};

/// The channel's integration details, from the backend.
#[derive(Debug, Clone)]
pub struct IntegrationInfo {
    pub channel_id: String,
    pub channel_name: String,
    /// "url used to send message to agent".
    pub integration_url: String,
    pub has_bot_token: bool,
    /// A rotation was staged and not finished (it lapses by itself).
    pub rotation_pending: bool,
    /// PEM of the channel's identity certificate, when it names one.
    pub endpoint_certificate_pem: Option<Vec<u8>>,
    /// The public webhook address stored with the channel.
    pub public_address: Option<String>,
    /// The bot the channel holds the token of.
    pub bot: Option<BotRef>,
    secret: WebhookSecret,
}

impl IntegrationInfo {
    /// The channel's current webhook secret (never print it).
    pub fn secret(&self) -> &WebhookSecret {
        &self.secret
    }

    /// The path every webhook URL of this channel ends in.
    pub fn path(&self) -> Option<String> {
        Url::parse(&self.integration_url).ok().map(|u| u.path().to_owned())
    }
}

/// The channel `key` (exact name or id) and its integration details.
pub async fn prepare(client: &Client, key: &str) -> Result<IntegrationInfo, IntegrationError> {
    let channel = client.find_channel(key).await?;
    prepare_for(client, &channel).await
}

/// The integration details of a channel already at hand (the wizard, right
/// after saving it or from the channel list).
pub async fn prepare_for(client: &Client, channel: &Channel) -> Result<IntegrationInfo, IntegrationError> {
    let integration = client.integration(&channel.id).await?;
    Ok(IntegrationInfo::from_wire(channel.document.basic.channel_name.clone(), integration))
}

impl IntegrationInfo {
    /// The details the backend answered (`GET .../integration`) for the
    /// channel named `channel_name`.
    pub fn from_wire(channel_name: String, integration: crate::api::Integration) -> Self {
        IntegrationInfo {
            channel_name,
            channel_id: integration.channel_id,
            integration_url: integration.integration_url,
            has_bot_token: integration.has_bot_token,
            rotation_pending: integration.rotation_pending,
            endpoint_certificate_pem: integration.identity_certificate_pem.map(String::into_bytes),
            public_address: integration.public_address,
            bot: integration.bot,
            secret: WebhookSecret::new(integration.webhook_secret),
        }
    }
}

/// The checks run before Telegram is called, all at once: the webhook URL
/// (HTTPS, port, public IPv4, the override), the secret, the update types,
/// the certificate. Gives the exact `setWebhook` parameters.
pub fn plan(
    info: &IntegrationInfo,
    options: &Options,
    token: Option<&BotToken>,
) -> Result<WebhookParams, Vec<Problem>> {
    plan_with(info, &info.secret, options, token).map(|p| p.params)
}

/// [`plan`] for `secret` (a rotation's next one), with the certificate's
/// warnings: the endpoint certificate of the options, else the channel's.
fn plan_with(
    info: &IntegrationInfo,
    secret: &WebhookSecret,
    options: &Options,
    token: Option<&BotToken>,
) -> Result<Plan, Vec<Problem>> {
    let pem = options.endpoint_certificate_pem.as_deref().or(info.endpoint_certificate_pem.as_deref());
    crate::telegram::plan(&info.integration_url, secret, token, options, pem)
}

/// A step's result, reported as soon as it is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The checks passed: this URL will be registered.
    Checked { webhook_url: String, certificate_upload: bool },
    /// `getMe` proved the token.
    Bot { bot: BotInfo, token_warning: Option<String> },
    /// Where the bot's webhook pointed before anything was changed.
    Before { webhook: WebhookInfo, ours: bool, delivery_warning: Option<String> },
    /// A webhook pointing elsewhere is being replaced (the user agreed).
    Replacing { url: String },
    /// The rotation's new secret is staged in the backend.
    SecretStaged,
    /// `setWebhook` accepted (Telegram's text).
    WebhookSet { telegram: String, certificate_uploaded: bool },
    /// `getWebhookInfo` agrees.
    Confirmed { webhook: WebhookInfo },
    /// The backend holds the token (and, for a rotation, the new secret).
    Stored,
    /// `deleteWebhook` (Telegram's text).
    Deleted { telegram: String },
    /// Something went wrong after a change: undoing it.
    RollingBack { reason: String },
    /// Undone.
    RolledBack { what: String },
    /// The bot was moved here from another channel (its token cleared there).
    Moved { from: ChannelRef },
    /// What became of the webhook of the bot the channel moved away from.
    PreviousBot(PreviousBot),
    /// Worth knowing, not an error.
    Warning(String),
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Checked { webhook_url, certificate_upload } => {
                write!(f, "checks passed: the webhook URL will be {}", clean(webhook_url))?;
                if *certificate_upload {
                    write!(f, " (its self-signed certificate is uploaded with it)")?;
                }
                Ok(())
            }
            Event::Bot { bot, .. } => {
                write!(f, "Telegram knows this token: bot {} ({})", clean(&bot.handle()), clean(&bot.name))
            }
            Event::Before { webhook, ours, .. } => {
                if !webhook.is_set() {
                    write!(f, "the bot has no webhook yet")
                } else if *ours {
                    write!(f, "the bot's webhook already points to this channel: {}", clean(&webhook.url))
                } else {
                    write!(f, "the bot's webhook points elsewhere: {}", clean(&webhook.url))
                }
            }
            Event::Replacing { url } => write!(f, "replacing the webhook that pointed to {}", clean(url)),
            Event::SecretStaged => write!(f, "the backend accepts the new webhook secret beside the current one"),
            Event::WebhookSet { telegram, certificate_uploaded } => {
                write!(f, "setWebhook: Telegram answered \"{}\"", clean(telegram))?;
                if *certificate_uploaded {
                    write!(f, " (self-signed certificate uploaded)")?;
                }
                Ok(())
            }
            Event::Confirmed { webhook } => write!(
                f,
                "getWebhookInfo confirms {} ({} pending updates)",
                clean(&webhook.url),
                webhook.pending_update_count
            ),
            Event::Stored => {
                write!(f, "the backend stored the bot token (write-only): the channel can answer customers")
            }
            Event::Deleted { telegram } => write!(f, "deleteWebhook: Telegram answered \"{}\"", clean(telegram)),
            Event::RollingBack { reason } => write!(f, "undoing the change: {}", clean(reason)),
            Event::RolledBack { what } => write!(f, "undone: {}", clean(what)),
            Event::Moved { from } => write!(
                f,
                "the bot was moved from channel {} ({}), whose token the backend cleared",
                clean(&from.name),
                clean(&from.id)
            ),
            Event::PreviousBot(p) => {
                let bot = p.bot.as_ref().map_or_else(|| "the previous bot".to_owned(), BotRef::handle);
                match p.outcome {
                    PreviousBotOutcome::Deleted => write!(
                        f,
                        "{}'s webhook was deleted with its old token (it no longer delivers into refused deliveries)",
                        clean(&bot)
                    ),
                    PreviousBotOutcome::Elsewhere => {
                        write!(f, "{}'s webhook points elsewhere now: left as it is", clean(&bot))
                    }
                    PreviousBotOutcome::NoWebhook => write!(f, "{} had no webhook left", clean(&bot)),
                    PreviousBotOutcome::NoPreviousBot => write!(f, "no previous bot to release"),
                    PreviousBotOutcome::Failed => write!(
                        f,
                        "{}'s webhook could not be deleted now ({}): the backend keeps its old token and tries again on the next rotation or registration",
                        clean(&bot),
                        clean(p.telegram.as_deref().unwrap_or("no answer"))
                    ),
                }
            }
            Event::Warning(w) => write!(f, "warning: {}", clean(w)),
        }
    }
}

/// A progress callback.
pub type Progress<'a> = &'a mut (dyn FnMut(Event) + Send);

/// A webhook registered, confirmed and its token stored.
#[derive(Debug, Clone)]
pub struct Report {
    pub bot: BotInfo,
    /// The URL Telegram now calls.
    pub webhook_url: String,
    /// Telegram's answer to setWebhook.
    pub telegram: String,
    pub certificate_uploaded: bool,
    /// `getWebhookInfo` after setting.
    pub webhook: WebhookInfo,
    /// The webhook that was replaced, if it pointed elsewhere.
    pub replaced: Option<String>,
    pub warnings: Vec<String>,
    /// The channel the bot was moved from.
    pub moved_from: Option<ChannelRef>,
    /// The bot the channel held before (another bot), and what became of
    /// its webhook.
    pub previous_bot: Option<PreviousBot>,
}

/// What Telegram reports now ([`status`]).
#[derive(Debug, Clone)]
pub struct Status {
    pub bot: BotInfo,
    pub token_warning: Option<String>,
    pub webhook: WebhookInfo,
    /// The webhook URL these options would register, when the checks pass.
    pub expected_url: Option<String>,
    /// The webhook is `expected_url`.
    pub matches_expected: bool,
    /// The webhook delivers to this channel (its path), maybe through
    /// another public address.
    pub points_to_channel: bool,
    pub warnings: Vec<String>,
}

/// A webhook deleted ([`disconnect`]).
#[derive(Debug, Clone)]
pub struct Disconnected {
    pub bot: BotInfo,
    pub telegram: String,
    /// The webhook URL removed (empty when none was set).
    pub removed: String,
}

/// Everything that can stop the integration.
#[derive(Debug, thiserror::Error)]
pub enum IntegrationError {
    /// The backend refused or could not be reached (nothing was changed at
    /// Telegram by this step).
    #[error(transparent)]
    Backend(#[from] ClientError),
    /// The checks failed: Telegram was not called.
    #[error("{}", describe(.0))]
    Checks(Vec<Problem>),
    /// Telegram refused or could not be reached.
    #[error(transparent)]
    Telegram(#[from] TelegramError),
    /// The bot's webhook points elsewhere: ask before replacing it (one
    /// webhook per bot). Nothing was changed.
    #[error(
        "bot {} has a webhook pointing elsewhere, not to this channel: {}. Telegram keeps one webhook per bot, so changing it takes the bot's messages away from there; nothing was changed (confirm to go ahead)",
        clean(&.bot.handle()),
        clean(.current)
    )]
    NeedsConfirmation { bot: BotInfo, current: String },
    /// One bot, one channel: the bot is bound to another channel of the
    /// tenant. Nothing was changed; confirm to move it ([`Options::move_bot`]).
    #[error(
        "bot {} is already bound to channel {} ({}): Telegram keeps one webhook per bot, so binding it here takes that channel's messages. Nothing was changed; confirm to move the bot here (that channel's token is then cleared)",
        clean(&.bot.handle()),
        clean(&.channel.name),
        clean(&.channel.id)
    )]
    BotInUse { bot: BotInfo, channel: ChannelRef },
    /// The token is of another bot than the channel's. Nothing was changed;
    /// confirm to switch bots ([`Options::other_bot`]).
    #[error(
        "this token is of another bot: {} → {}. Customers who write to {} would no longer reach this channel (its webhook is deleted once the new one works). Nothing was changed; confirm to switch bots",
        clean(.old),
        clean(.new),
        clean(.old)
    )]
    OtherBot { old: String, new: String },
    /// A step failed after Telegram had accepted a change; the change was
    /// undone and everything is as before.
    #[error(
        "{cause}; Telegram had already accepted the webhook, so that was undone ({undone}): nothing is left changed"
    )]
    RolledBack { cause: Box<IntegrationError>, undone: String },
    /// A step failed after a change and undoing it failed too: `state` says
    /// where things stand and how to fix them.
    #[error("{cause}; undoing the change failed too ({undo_error}): {state}")]
    Incomplete { cause: Box<IntegrationError>, undo_error: String, state: String },
}

impl IntegrationError {
    /// What kind of failure this is (the CLI maps kinds to exit codes).
    pub fn kind(&self) -> ErrorKind {
        match self {
            IntegrationError::Backend(e) => e.kind(),
            IntegrationError::Checks(_)
            | IntegrationError::NeedsConfirmation { .. }
            | IntegrationError::BotInUse { .. }
            | IntegrationError::OtherBot { .. } => ErrorKind::Refused,
            IntegrationError::Telegram(e) => e.kind(),
            IntegrationError::RolledBack { cause, .. } => cause.kind(),
            IntegrationError::Incomplete { .. } => ErrorKind::Refused,
        }
    }

    /// Telegram's refusal, when Telegram refused (also under a roll-back).
    pub fn telegram(&self) -> Option<&TelegramError> {
        match self {
            IntegrationError::Telegram(e) => Some(e),
            IntegrationError::RolledBack { cause, .. } | IntegrationError::Incomplete { cause, .. } => cause.telegram(),
            _ => None,
        }
    }

    /// The backend's error, when the backend failed (also under a roll-back).
    pub fn backend(&self) -> Option<&ClientError> {
        match self {
            IntegrationError::Backend(e) => Some(e),
            IntegrationError::RolledBack { cause, .. } | IntegrationError::Incomplete { cause, .. } => cause.backend(),
            _ => None,
        }
    }

    /// The same error with `secret` scrubbed out of every text it holds (a
    /// rotation's fresh secret, which no caller knows).
    pub fn redacted(self, secret: &WebhookSecret) -> IntegrationError {
        let r = |t: String| secret.redact(&t);
        match self {
            IntegrationError::Backend(e) => IntegrationError::Backend(e.map_text(&|t| secret.redact(t))),
            IntegrationError::Checks(problems) => IntegrationError::Checks(
                problems.into_iter().map(|p| Problem { kind: p.kind, message: r(p.message) }).collect(),
            ),
            IntegrationError::Telegram(e) => IntegrationError::Telegram(e.map_text(&|t| secret.redact(t))),
            IntegrationError::NeedsConfirmation { bot, current } => {
                IntegrationError::NeedsConfirmation { bot, current: r(current) }
            }
            e @ (IntegrationError::BotInUse { .. } | IntegrationError::OtherBot { .. }) => e,
            IntegrationError::RolledBack { cause, undone } => {
                IntegrationError::RolledBack { cause: Box::new(cause.redacted(secret)), undone: r(undone) }
            }
            IntegrationError::Incomplete { cause, undo_error, state } => IntegrationError::Incomplete {
                cause: Box::new(cause.redacted(secret)),
                undo_error: r(undo_error),
                state: r(state),
            },
        }
    }

    /// The message with `token` and `secrets` removed (defence in depth:
    /// the layers below already scrub their texts).
    pub fn scrubbed(&self, token: Option<&BotToken>, secrets: &[&WebhookSecret]) -> String {
        scrub(&self.to_string(), token, secrets)
    }
}

/// `text` without the token or the secrets.
pub fn scrub(text: &str, token: Option<&BotToken>, secrets: &[&WebhookSecret]) -> String {
    let mut out = token.map_or_else(|| text.to_owned(), |t| t.redact(text));
    for s in secrets {
        out = s.redact(&out);
    }
    out
}

/// `url` delivers to the channel whose integration URL has `path`.
fn same_path(url: &str, path: Option<&str>) -> bool {
    match (Url::parse(url), path) {
        (Ok(u), Some(p)) => u.path() == p,
        _ => false,
    }
}

/// One Bot API session for one operation: one HTTP client for the bot, the
/// bot proven by `getMe` and its webhook as `getWebhookInfo` reported it when
/// the session was opened. Every operation ([`connect`], [`rotate`],
/// [`status`], [`disconnect`]) opens one and asks Telegram nothing twice.
#[derive(Debug)]
pub struct Session {
    api: BotApi,
    bot: BotInfo,
    webhook: WebhookInfo,
}

/// A webhook set and confirmed ([`Session::register`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The URL Telegram now calls.
    pub url: String,
    /// Telegram's answer to setWebhook ("Webhook was set", "Webhook is already set").
    pub telegram: String,
    /// The self-signed endpoint certificate was uploaded.
    pub certificate_uploaded: bool,
    /// `getWebhookInfo` after setting.
    pub info: WebhookInfo,
    /// Things the user should know (a failing delivery, queued updates...).
    pub warnings: Vec<String>,
}

impl Session {
    /// `getMe` proves the token, `getWebhookInfo` shows where the bot's
    /// webhook points now.
    pub async fn open(config: &ApiConfig, token: &BotToken) -> Result<Session, TelegramError> {
        let api = BotApi::new(config.clone(), token.clone())?;
        let bot = api.get_me().await?;
        let webhook = api.get_webhook_info().await?;
        Ok(Session { api, bot, webhook })
    }

    /// The bot, as `getMe` proved it.
    pub fn bot(&self) -> &BotInfo {
        &self.bot
    }

    /// The bot's webhook when the session was opened.
    pub fn webhook(&self) -> &WebhookInfo {
        &self.webhook
    }

    /// The token does not look like @BotFather's tokens (it still worked).
    pub fn token_warning(&self) -> Option<String> {
        self.api.token().format_warning()
    }

    /// `setWebhook` with `plan`'s parameters, then `getWebhookInfo` confirms
    /// the URL. Asks nothing first: whether a webhook pointing elsewhere may
    /// be replaced is decided before (see [`connect`]).
    pub async fn register(&self, plan: &Plan) -> Result<Registration, TelegramError> {
        let params = &plan.params;
        let telegram = self.api.set_webhook(params).await?;
        let info = self
            .api
            .get_webhook_info()
            .await
            .map_err(|cause| TelegramError::Unconfirmed { url: params.url.clone(), cause: Box::new(cause) })?;
        if !same_url(&info.url, &params.url) {
            return Err(TelegramError::NotConfirmed { expected: params.url.clone(), actual: info.url });
        }
        let warnings = registration_warnings(plan, &info);
        Ok(Registration {
            url: params.url.clone(),
            telegram,
            certificate_uploaded: params.certificate_pem.is_some(),
            info,
            warnings,
        })
    }

    /// `deleteWebhook` (optionally dropping the queued updates); Telegram's
    /// answer ("Webhook was deleted", "Webhook is already deleted").
    pub async fn delete(&self, drop_pending_updates: bool) -> Result<String, TelegramError> {
        self.api.delete_webhook(drop_pending_updates).await
    }

    /// `getWebhookInfo` shows no webhook any more.
    async fn confirm_deleted(&self) -> Result<(), TelegramError> {
        let after = self.api.get_webhook_info().await?;
        if after.is_set() {
            return Err(TelegramError::NotConfirmed { expected: String::new(), actual: after.url });
        }
        Ok(())
    }

    /// Report the bot and its webhook, and decide whether the change to
    /// `webhook_url` may go ahead (a webhook elsewhere: only as `options`
    /// allow).
    fn before(
        &self,
        info: &IntegrationInfo,
        options: &Options,
        webhook_url: Option<&str>,
        progress: Progress<'_>,
    ) -> Result<Before, IntegrationError> {
        self.before_moving(info, options, webhook_url, None, progress)
    }

    /// [`Session::before`], where a webhook pointing to the channel the bot
    /// is being moved from (`moving_from`) may be replaced: the user agreed
    /// to the move.
    fn before_moving(
        &self,
        info: &IntegrationInfo,
        options: &Options,
        webhook_url: Option<&str>,
        moving_from: Option<&ChannelRef>,
        progress: Progress<'_>,
    ) -> Result<Before, IntegrationError> {
        tracing::info!(channel = %info.channel_id, bot = %self.bot.handle(), "bot proven by getMe");
        progress(Event::Bot { bot: self.bot.clone(), token_warning: self.token_warning() });
        let webhook = &self.webhook;
        let ours = webhook.is_set()
            && (webhook_url.is_some_and(|u| same_url(u, &webhook.url))
                || same_path(&webhook.url, info.path().as_deref()));
        progress(Event::Before {
            webhook: webhook.clone(),
            ours,
            delivery_warning: crate::telegram::delivery_warning(webhook, options.face),
        });
        let mut replacing = None;
        let moving = moving_from.is_some_and(|c| same_path(&webhook.url, Some(&channel_path(&c.id))));
        if webhook.is_set() && !ours {
            if !moving && !options.replace.allows(&webhook.url) {
                return Err(IntegrationError::NeedsConfirmation {
                    bot: self.bot.clone(),
                    current: webhook.url.clone(),
                });
            }
            replacing = Some(webhook.url.clone());
        }
        Ok(Before { ours, replacing })
    }

    /// Register `plan` and report each step.
    async fn set_and_confirm(
        &self,
        info: &IntegrationInfo,
        plan: &Plan,
        progress: Progress<'_>,
    ) -> Result<Registration, IntegrationError> {
        let registration = self.register(plan).await?;
        tracing::info!(channel = %info.channel_id, telegram = %registration.telegram, "webhook set and confirmed");
        progress(Event::WebhookSet {
            telegram: registration.telegram.clone(),
            certificate_uploaded: registration.certificate_uploaded,
        });
        progress(Event::Confirmed { webhook: registration.info.clone() });
        for w in &registration.warnings {
            progress(Event::Warning(w.clone()));
        }
        Ok(registration)
    }

    /// Put the bot's webhook back as it was when the session was opened.
    /// `current_secret` is the secret the backend holds now (used when it
    /// pointed to this channel). Returns what was done.
    async fn restore(
        &self,
        before: &Before,
        current_secret: &WebhookSecret,
        params: &WebhookParams,
    ) -> Result<String, TelegramError> {
        let was = &self.webhook;
        let (params, what) = if !was.is_set() {
            let telegram = self.api.delete_webhook(false).await?;
            return Ok(format!("the bot's webhook was removed again (Telegram: \"{}\")", clean(&telegram)));
        } else if before.ours {
            let mut p = params.clone();
            p.url = was.url.clone();
            p.secret_token = Some(current_secret.clone());
            p.drop_pending_updates = false;
            if let Some(a) = &was.allowed_updates {
                p.allowed_updates = a.clone();
            }
            (p, format!("the webhook points to {} with the backend's current secret again", clean(&was.url)))
        } else {
            let mut p = WebhookParams::new(was.url.clone());
            if let Some(a) = &was.allowed_updates {
                p.allowed_updates = a.clone();
            }
            p.max_connections = was.max_connections;
            (
                p,
                format!(
                    "the webhook points to {} again (its secret token and certificate are not known to chanwiz and were not restored: tell whoever runs that endpoint)",
                    clean(&was.url)
                ),
            )
        };
        self.api.set_webhook(&params).await?;
        let now = self.api.get_webhook_info().await?;
        if !same_url(&now.url, &params.url) {
            return Err(TelegramError::NotConfirmed { expected: params.url, actual: now.url });
        }
        Ok(what)
    }
}

/// Whether a change may go ahead, decided from the session's webhook.
struct Before {
    /// The webhook delivers to this channel already (any public address).
    ours: bool,
    /// The webhook points elsewhere and the user agreed to replace it.
    replacing: Option<String>,
}

impl Report {
    fn of(session: &Session, before: Before, registration: Registration) -> Report {
        Report {
            bot: session.bot.clone(),
            webhook_url: registration.url,
            telegram: registration.telegram,
            certificate_uploaded: registration.certificate_uploaded,
            webhook: registration.info,
            replaced: before.replacing,
            warnings: registration.warnings,
            moved_from: None,
            previous_bot: None,
        }
    }
}

/// The checks of `options` for `secret`, reported; Telegram is not called
/// when they fail.
fn checked(
    info: &IntegrationInfo,
    secret: &WebhookSecret,
    options: &Options,
    token: &BotToken,
    progress: Progress<'_>,
) -> Result<Plan, IntegrationError> {
    let plan = plan_with(info, secret, options, Some(token)).map_err(IntegrationError::Checks)?;
    progress(Event::Checked {
        webhook_url: plan.params.url.clone(),
        certificate_upload: plan.params.certificate_pem.is_some(),
    });
    Ok(plan)
}

/// The path of a channel's integration URL.
fn channel_path(channel_id: &str) -> String {
    crate::api::routes::TELEGRAM_DELIVERY.replace("{channel_id}", channel_id)
}

/// Before anything changes: the bot proven by the session may be bound
/// here. Another bot than the channel's asks first ([`Options::other_bot`]);
/// a bot bound to another channel of the tenant asks first
/// ([`Options::move_bot`]) and gives that channel, to move from.
async fn binding(
    client: &Client,
    info: &IntegrationInfo,
    session: &Session,
    options: &Options,
) -> Result<Option<ChannelRef>, IntegrationError> {
    if let Some(old) = &info.bot
        && old.id != session.bot.id
        && !options.other_bot
    {
        return Err(IntegrationError::OtherBot { old: old.handle(), new: session.bot.handle() });
    }
    let other = client
        .channels_of_bot(session.bot.id)
        .await?
        .into_iter()
        .find(|c| c.id != info.channel_id)
        .map(|c| ChannelRef { id: c.id, name: c.name });
    match other {
        Some(channel) if !options.move_bot => Err(IntegrationError::BotInUse { bot: session.bot.clone(), channel }),
        other => Ok(other),
    }
}

/// The token (and maybe secret) stored with what goes with it: the bot's
/// username, the public address used, the move when agreed.
fn update_for(
    token: &BotToken,
    secret: Option<&WebhookSecret>,
    bot: &BotInfo,
    options: &Options,
    moving: bool,
) -> IntegrationUpdate {
    IntegrationUpdate {
        bot_token: Some(token.expose().to_owned()),
        webhook_secret: secret.map(|s| s.expose().to_owned()),
        bot_username: Some(bot.username.clone()).filter(|u| !u.is_empty()),
        public_address: Some(options.public_address.clone().unwrap_or_default().trim().to_owned()),
        move_bot: moving,
    }
}

/// After the token is stored: the bot the channel held before, if another,
/// has its webhook deleted by the backend with the old token.
async fn release_previous(
    client: &Client,
    info: &IntegrationInfo,
    bot: &BotInfo,
    progress: Progress<'_>,
) -> Option<PreviousBot> {
    if info.bot.as_ref().is_none_or(|old| old.id == bot.id) {
        return None;
    }
    match client.release_previous_bot(&info.channel_id).await {
        Ok(p) => {
            progress(Event::PreviousBot(p.clone()));
            Some(p)
        }
        Err(e) => {
            progress(Event::Warning(format!(
                "the previous bot's webhook could not be deleted now ({e}): it may keep delivering into refused deliveries"
            )));
            None
        }
    }
}

/// Connect the channel to the bot: checks → `getMe` / `getWebhookInfo` →
/// `setWebhook` with the channel's secret (and self-signed certificate) →
/// `getWebhookInfo` confirms → the token is stored in the backend. When the
/// backend refuses the token after Telegram accepted, the bot's webhook is
/// put back as it was.
pub async fn connect(
    client: &Client,
    api: &ApiConfig,
    info: &IntegrationInfo,
    token: &BotToken,
    options: &Options,
    progress: Progress<'_>,
) -> Result<Report, IntegrationError> {
    let plan = checked(info, &info.secret, options, token, progress)?;
    let params = &plan.params;
    let session = Session::open(api, token).await?;
    let moving = binding(client, info, &session, options).await?;
    let before = session.before_moving(info, options, Some(&params.url), moving.as_ref(), progress)?;
    if let Some(url) = &before.replacing {
        progress(Event::Replacing { url: url.clone() });
    }
    let undo = async |cause: IntegrationError, progress: Progress<'_>| -> IntegrationError {
        let reason = cause.scrubbed(Some(token), &[&info.secret]);
        tracing::warn!(channel = %info.channel_id, error = %reason, "connecting failed after setWebhook: undoing it");
        progress(Event::RollingBack { reason });
        match session.restore(&before, &info.secret, params).await {
            Ok(undone) => {
                progress(Event::RolledBack { what: undone.clone() });
                IntegrationError::RolledBack { cause: Box::new(cause), undone }
            }
            Err(undo) => IntegrationError::Incomplete {
                cause: Box::new(cause),
                undo_error: undo.to_string(),
                state: format!(
                    "Telegram may deliver bot {}'s updates to {}, which the backend accepts, but the backend has no token to answer with: run `chanwiz webhook set` again",
                    clean(&session.bot.handle()),
                    clean(&params.url)
                ),
            },
        }
    };
    let registration = match session.set_and_confirm(info, &plan, progress).await {
        Ok(r) => r,
        Err(e) if matches!(&e, IntegrationError::Telegram(t) if t.may_have_changed_webhook()) => {
            return Err(undo(e, progress).await);
        }
        Err(e) => return Err(e),
    };
    let update = update_for(token, None, &session.bot, options, moving.is_some());
    if let Err(e) = client.put_integration(&info.channel_id, &update).await {
        return Err(undo(IntegrationError::Backend(e), progress).await);
    }
    tracing::info!(channel = %info.channel_id, bot = %session.bot.handle(), "bot token stored");
    Ok(stored(client, info, &session, before, registration, moving, progress).await)
}

/// A fresh webhook secret: 48 random bytes, base64url (64 characters).
pub fn fresh_secret() -> WebhookSecret {
    use base64::Engine;
    use rand::Rng;
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    WebhookSecret::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// Rotate to `new_token` with a fresh webhook secret: checks → `getMe` /
/// `getWebhookInfo` → the backend stages the new secret (accepting both) →
/// `setWebhook` with the new token and secret → `getWebhookInfo` confirms →
/// the backend commits token and secret at once. Any failure leaves
/// Telegram and the backend as they were (see the module documentation).
/// The fresh secret is known only here: every error is scrubbed of it
/// before it leaves.
pub async fn rotate(
    client: &Client,
    api: &ApiConfig,
    info: &IntegrationInfo,
    new_token: &BotToken,
    options: &Options,
    progress: Progress<'_>,
) -> Result<Report, IntegrationError> {
    let next = fresh_secret();
    rotate_to(client, api, info, new_token, &next, options, progress).await.map_err(|e| e.redacted(&next))
}

async fn rotate_to(
    client: &Client,
    api: &ApiConfig,
    info: &IntegrationInfo,
    new_token: &BotToken,
    next: &WebhookSecret,
    options: &Options,
    progress: Progress<'_>,
) -> Result<Report, IntegrationError> {
    let plan = checked(info, next, options, new_token, progress)?;
    let params = &plan.params;
    let session = Session::open(api, new_token).await?;
    let moving = binding(client, info, &session, options).await?;
    let before = session.before_moving(info, options, Some(&params.url), moving.as_ref(), progress)?;
    if let Some(url) = &before.replacing {
        progress(Event::Replacing { url: url.clone() });
    }
    client.stage_next_secret(&info.channel_id, next.expose()).await?;
    progress(Event::SecretStaged);
    let secrets = [&info.secret, next];

    let fail = async |cause: IntegrationError, telegram_changed: bool, progress: Progress<'_>| -> IntegrationError {
        let reason = cause.scrubbed(Some(new_token), &secrets);
        tracing::warn!(channel = %info.channel_id, error = %reason, "rotation failed: undoing it");
        progress(Event::RollingBack { reason });
        let mut undone = Vec::new();
        if telegram_changed {
            match session.restore(&before, &info.secret, params).await {
                Ok(what) => {
                    progress(Event::RolledBack { what: what.clone() });
                    undone.push(what);
                }
                Err(e) => {
                    // Telegram still sends the new secret: the staged one must
                    // stay accepted (it lapses by itself), so it is not dropped
                    return IntegrationError::Incomplete {
                        cause: Box::new(cause),
                        undo_error: scrub(&e.to_string(), Some(new_token), &secrets),
                        state: format!(
                            "bot {}'s webhook may still carry the new secret, which the backend accepts for 10 minutes only: run `chanwiz webhook rotate` again now, or `chanwiz webhook set` with the token the backend holds",
                            clean(&session.bot.handle())
                        ),
                    };
                }
            }
        }
        let dropped = match client.drop_next_secret(&info.channel_id).await {
            Ok(()) => "the staged secret was dropped".to_owned(),
            Err(_) => "the staged secret could not be dropped now and lapses by itself within 10 minutes".to_owned(),
        };
        progress(Event::RolledBack { what: dropped.clone() });
        undone.push(dropped);
        if telegram_changed {
            IntegrationError::RolledBack { cause: Box::new(cause), undone: undone.join("; ") }
        } else {
            // Telegram was never changed: report its own refusal as it is.
            cause
        }
    };

    let registration = match session.set_and_confirm(info, &plan, progress).await {
        Ok(r) => r,
        Err(e) => {
            // Telegram may hold the new webhook although the call failed
            let changed = matches!(&e, IntegrationError::Telegram(t) if t.may_have_changed_webhook());
            return Err(fail(e, changed, progress).await);
        }
    };
    let update = update_for(new_token, Some(next), &session.bot, options, moving.is_some());
    if let Err(e) = client.put_integration(&info.channel_id, &update).await {
        return Err(fail(IntegrationError::Backend(e), true, progress).await);
    }
    tracing::info!(channel = %info.channel_id, bot = %session.bot.handle(), "token and webhook secret rotated");
    Ok(stored(client, info, &session, before, registration, moving, progress).await)
}

/// After the backend stored the token (connect or rotate): say so, say a
/// moved bot's move, release the previous bot, and report.
async fn stored(
    client: &Client,
    info: &IntegrationInfo,
    session: &Session,
    before: Before,
    registration: Registration,
    moving: Option<ChannelRef>,
    progress: Progress<'_>,
) -> Report {
    progress(Event::Stored);
    if let Some(from) = &moving {
        progress(Event::Moved { from: from.clone() });
    }
    let previous_bot = release_previous(client, info, &session.bot, progress).await;
    let mut report = Report::of(session, before, registration);
    report.moved_from = moving;
    report.previous_bot = previous_bot;
    report
}

/// How the webhook stands, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It points to this channel and no delivery error is pending: the only
    /// verdict shown with a green tick.
    Working,
    /// It points to this channel and Telegram confirmed it, but no delivery
    /// was accepted since it was registered: not yet known to work.
    Registered,
    /// Telegram could not be asked, or something is worth a look.
    Warning,
    /// Deliveries fail, or go elsewhere, or nowhere.
    Failing,
    /// No bot token is stored: nothing to look at yet.
    NotSet,
}

/// What the webhook's state means, from both sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    pub verdict: Verdict,
    /// One line.
    pub headline: String,
    /// The explanation and what the backend saw, one line each.
    pub details: Vec<String>,
    /// How long before the backend's answer Telegram was asked, in seconds.
    pub asked_ago: Option<u64>,
    /// When the answer was received, on the clock of the face showing it:
    /// a page left open adds the time since ([`Diagnosis::details_at`]).
    pub received: Option<chrono::DateTime<chrono::Utc>>,
}

impl Diagnosis {
    /// [`Diagnosis::details`] and, last, how long ago Telegram was asked, as
    /// of `now` (a page left open ages; a printed answer is as of printing).
    pub fn details_at(&self, now: chrono::DateTime<chrono::Utc>) -> Vec<String> {
        let mut lines = self.details.clone();
        if let Some(ago) = self.asked_ago {
            let since = self.received.map_or(0, |r| u64::try_from((now - r).num_seconds()).unwrap_or(0));
            lines.push(format!("Telegram was asked {} ago.", describe_age(ago.saturating_add(since))));
        }
        lines
    }
}

/// The webhook as the backend answers it ([`backend_status`]).
#[derive(Debug, Clone)]
pub struct BackendStatus {
    pub state: WebhookState,
    pub diagnosis: Diagnosis,
}

/// The webhook from the backend, which asks Telegram with the token it holds
/// (no token needed here): cached unless `refresh`.
pub async fn backend_status(
    client: &Client,
    channel_id: &str,
    refresh: bool,
    face: Face,
) -> Result<BackendStatus, IntegrationError> {
    let state = client.webhook_state(channel_id, refresh).await?;
    let diagnosis = diagnose(&state, face);
    Ok(BackendStatus { state, diagnosis })
}

fn when(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// Read the webhook's state: Telegram's `getWebhookInfo` beside the
/// backend's record of deliveries. A delivery error counts while nothing was
/// delivered (nor registered) after it; a 403 while the backend refused
/// secrets is a secret mismatch, not a firewall.
pub fn diagnose(state: &WebhookState, face: Face) -> Diagnosis {
    use crate::api::{RefusalReason as R, WebhookStatus as S};
    let bot = state.bot.as_ref().map_or_else(|| "the bot".to_owned(), BotRef::handle);
    // refusals that go on since the last registration (an old one explains
    // nothing about an error now)
    let since = |reasons: &[R]| -> u64 {
        state
            .refusals
            .iter()
            .filter(|r| reasons.contains(&r.reason) && state.registered.is_none_or(|reg| r.last >= reg))
            .map(|r| r.count)
            .sum()
    };
    let record = crate::telegram::DeliveryRecord {
        secret_refused: since(&[R::SecretMissing, R::SecretWrong]),
        too_large: since(&[R::TooLarge]),
        unknown_channel: state.unknown_channel.as_ref().map_or(0, |u| u.count),
    };
    let mut details = Vec::new();
    if !state.has_bot_token {
        return Diagnosis {
            verdict: Verdict::NotSet,
            headline: format!("no bot token is stored for this channel yet: {}", face.register_with_a_token()),
            details,
            asked_ago: None,
            received: None,
        };
    }
    let (verdict, headline) = match (&state.webhook, state.status) {
        (None, _) => (
            Verdict::Warning,
            format!(
                "Telegram could not be asked about {}'s webhook: {}",
                clean(&bot),
                clean(state.error.as_deref().unwrap_or("no answer"))
            ),
        ),
        (Some(_), Some(S::None)) => (
            Verdict::Failing,
            format!(
                "{} has no webhook: Telegram delivers its messages nowhere; {}",
                clean(&bot),
                face.register_again()
            ),
        ),
        (Some(w), Some(S::Elsewhere)) => (
            Verdict::Failing,
            format!(
                "{}'s webhook points elsewhere ({}): another tool or channel took it; {} to take it back",
                clean(&bot),
                clean(&w.url),
                face.register_again()
            ),
        ),
        (Some(w), Some(S::Failing)) => {
            let message = w.last_error_message.as_deref().unwrap_or_default();
            let at = w.last_error_date.and_then(|d| chrono::DateTime::from_timestamp(d, 0));
            details.push(crate::telegram::explain_delivery_error(message, Some(&record), face));
            if let Some(t) = at {
                details.push(format!("Telegram's last failed delivery: {}.", when(t)));
            }
            (Verdict::Failing, format!("deliveries fail: \"{}\"", clean(message)))
        }
        (Some(w), _) => {
            if let Some(m) = w.last_error_message.as_deref().filter(|m| !m.trim().is_empty()) {
                details.push(format!(
                    "an earlier delivery error (\"{}\") was followed by a delivery or a registration: resolved",
                    clean(m)
                ));
            }
            // "works" only once a delivery came through since the registration
            let delivered = state.last_delivery.is_some_and(|d| state.registered.is_none_or(|reg| d >= reg));
            if delivered {
                (
                    Verdict::Working,
                    format!("the webhook works: Telegram delivers {}'s messages to {}", clean(&bot), clean(&w.url)),
                )
            } else {
                (
                    Verdict::Registered,
                    format!(
                        "registered and confirmed by Telegram, no delivery yet: {}'s messages are to go to {}; send the bot a message to see one arrive",
                        clean(&bot),
                        clean(&w.url)
                    ),
                )
            }
        }
    };
    if let Some(w) = &state.webhook
        && w.pending_update_count > 0
    {
        details.push(format!("{} update(s) are waiting at Telegram (not yet delivered).", w.pending_update_count));
    }
    for r in &state.refusals {
        details.push(format!(
            "the backend refused {} delivery(ies) {} (last at {}).",
            r.count,
            r.reason.describe(),
            when(r.last)
        ));
    }
    if let Some(u) = &state.unknown_channel
        && verdict != Verdict::Working
    {
        details.push(format!(
            "the backend refused {} delivery(ies) to channel ids that do not exist (counted for the whole backend, last at {}).",
            u.count,
            when(u.last)
        ));
    }
    if let Some(e) = state.error.as_deref().filter(|_| state.webhook.is_some()) {
        details.push(format!("asking Telegram again failed ({}): this is the answer cached before.", clean(e)));
    }
    Diagnosis { verdict, headline, details, asked_ago: state.age_seconds, received: None }
}

/// `42 s`, `3 min`, `2 h`.
fn describe_age(secs: u64) -> String {
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        _ => format!("{} h", secs / 3600),
    }
}

/// What Telegram reports for the bot's webhook, compared with this channel.
pub async fn status(
    api: &ApiConfig,
    info: &IntegrationInfo,
    token: &BotToken,
    options: &Options,
) -> Result<Status, IntegrationError> {
    let expected_url = plan(info, options, Some(token)).ok().map(|p| p.url);
    let session = Session::open(api, token).await?;
    let webhook = session.webhook.clone();
    let matches_expected = expected_url.as_deref().is_some_and(|e| webhook.is_set() && same_url(e, &webhook.url));
    let points_to_channel = webhook.is_set() && same_path(&webhook.url, info.path().as_deref());
    let mut warnings: Vec<String> = crate::telegram::delivery_warning(&webhook, options.face).into_iter().collect();
    if webhook.pending_update_count > 0 {
        warnings.push(format!("{} updates are waiting at Telegram (not yet delivered).", webhook.pending_update_count));
    }
    if info.rotation_pending {
        warnings.push(
            "A token rotation was started and not finished: its staged secret lapses within 10 minutes; run `chanwiz webhook rotate` again if it was interrupted.".to_owned(),
        );
    }
    Ok(Status {
        token_warning: session.token_warning(),
        bot: session.bot,
        webhook,
        expected_url,
        matches_expected,
        points_to_channel,
        warnings,
    })
}

/// Delete the bot's webhook (asking first, through
/// [`IntegrationError::NeedsConfirmation`], when it does not point to this
/// channel) and confirm it is gone. The backend keeps the token.
pub async fn disconnect(
    api: &ApiConfig,
    info: &IntegrationInfo,
    token: &BotToken,
    options: &Options,
    progress: Progress<'_>,
) -> Result<Disconnected, IntegrationError> {
    let session = Session::open(api, token).await?;
    session.before(info, options, None, progress)?;
    let telegram = session.delete(options.drop_pending_updates).await?;
    progress(Event::Deleted { telegram: telegram.clone() });
    session.confirm_deleted().await?;
    tracing::info!(channel = %info.channel_id, bot = %session.bot.handle(), "webhook deleted");
    Ok(Disconnected { bot: session.bot, telegram, removed: session.webhook.url })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> IntegrationInfo {
        IntegrationInfo {
            channel_id: "c0ffee".into(),
            channel_name: "Support".into(),
            integration_url: "https://192.0.2.10:28090/apiaccess/telegram/message/c0ffee".into(),
            has_bot_token: false,
            rotation_pending: false,
            endpoint_certificate_pem: None,
            public_address: None,
            bot: None,
            secret: WebhookSecret::new("Zq7_generated-by-backend-0123456789"),
        }
    }

    #[test]
    fn plan_needs_the_override_for_a_private_frontend_address() {
        let problems = plan(&info(), &Options::default(), None).unwrap_err();
        assert!(problems.len() >= 2, "{problems:?}");
        let options = Options { public_address: Some("https://93.184.216.34:8443".into()), ..Default::default() };
        let p = plan(&info(), &options, None).unwrap();
        assert_eq!(p.url, "https://93.184.216.34:8443/apiaccess/telegram/message/c0ffee");
    }

    #[test]
    fn fresh_secrets_follow_the_webhook_secret_rule_and_differ() {
        let a = fresh_secret();
        let b = fresh_secret();
        assert_ne!(a, b);
        assert_eq!(a.expose().len(), 64);
        assert!(crate::telegram::check_secret(a.expose(), None).is_empty());
    }

    #[test]
    fn a_rotation_error_is_scrubbed_of_the_fresh_secret_everywhere() {
        let next = fresh_secret();
        let n = next.expose();
        let backend = ClientError::Server { backend: "b".into(), status: 500, message: format!("echo {n}") };
        let telegram = TelegramError::Unconfirmed {
            url: "https://93.184.216.34/x".into(),
            cause: Box::new(TelegramError::Unreachable { base: "t".into(), detail: format!("d {n}"), timeout: true }),
        };
        let e = IntegrationError::RolledBack {
            cause: Box::new(IntegrationError::Incomplete {
                cause: Box::new(IntegrationError::Backend(backend)),
                undo_error: format!("u {n}"),
                state: format!("s {n}"),
            }),
            undone: format!("x {n}"),
        };
        for e in [e, IntegrationError::Telegram(telegram)] {
            let kind = e.kind();
            let e = e.redacted(&next);
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains(n), "{shown}");
            assert!(shown.contains(crate::sanitize::REDACTED), "{shown}");
            assert_eq!(e.kind(), kind, "scrubbing keeps what the error is");
        }
    }

    #[test]
    fn scrub_removes_token_and_secrets() {
        let t = BotToken::parse("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0").unwrap();
        let s = WebhookSecret::new("Zq7_generated-by-backend-0123456789");
        let text = "x 123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0 y Zq7_generated-by-backend-0123456789";
        let out = scrub(text, Some(&t), &[&s]);
        assert!(!out.contains("AAHdqTcv") && !out.contains("Zq7_"), "{out}");
    }
}
