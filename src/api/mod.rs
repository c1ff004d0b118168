//! Wire types and routes of the configuration API, shared by the client
//! (`crate::client`) and the reference backend (`crate::server`). JSON
//! throughout; `Authorization: Bearer <tenant admin token>` on every
//! `/api/v1` route except `health`.
//!
//! Conventions
//! - Errors: a 4xx/5xx status with an [`ApiError`] body of at most 64 KiB;
//!   a 422 lists at most 100 broken rules and counts the rest in `more`.
//! - Channel versions: a channel's `version` starts at 1 and grows by one per
//!   update. Responses carrying a channel send `ETag: "<version>"`; an update
//!   must send `If-Match: "<version>"` (428 without it, 412 with a stale one,
//!   the 412 body's `current` holding the channel as it now is).
//! - Creates send `Idempotency-Key: <client-chosen key>`: a retried create with
//!   the same key and document answers the first status with the channel that
//!   create made, as it is now, and never makes a second channel (410 once
//!   that channel was deleted; 422 for the same key with another document).
//! - Write-only secrets: `channel_info.app_secret` and the bot token are
//!   accepted, stored and never returned. On an update an absent APP Secret
//!   keeps the stored one.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::{ChannelDocument, FieldError};

mod deliveries;
pub use crate::model::catalogue::{Assistant, Catalogue, CertRole, Certificate, ChannelRef, Chatbot, Ou, SkillQueue};
pub use deliveries::{DELIVERY_WAIT_MAX_SECS, DeliverySample, LatestDelivery, LatestDeliveryQuery};

pub mod export_csv;

/// Route templates, as axum writes them.
pub mod routes {
    pub const HEALTH: &str = "/api/v1/health";
    pub const CATALOGUE: &str = "/api/v1/catalogue";
    pub const OUS: &str = "/api/v1/ous";
    pub const SKILL_QUEUES: &str = "/api/v1/skill-queues";
    pub const CERTIFICATES: &str = "/api/v1/certificates";
    pub const CERTIFICATE: &str = "/api/v1/certificates/{id}";
    pub const CHATBOTS: &str = "/api/v1/chatbots";
    pub const ASSISTANTS: &str = "/api/v1/assistants";
    pub const CHANNELS: &str = "/api/v1/channels";
    pub const CHANNEL: &str = "/api/v1/channels/{id}";
    pub const CHANNEL_INTEGRATION: &str = "/api/v1/channels/{id}/integration";
    pub const CHANNEL_UPDATES: &str = "/api/v1/channels/{id}/updates";
    /// A webhook secret staged for a rotation (`PUT` stages, `DELETE` drops).
    pub const CHANNEL_NEXT_SECRET: &str = "/api/v1/channels/{id}/integration/next-secret";
    /// The bot a rotation moved away from (`DELETE`: its webhook is deleted
    /// with the old token the backend held, then the token is forgotten).
    pub const CHANNEL_PREVIOUS_BOT: &str = "/api/v1/channels/{id}/integration/previous-bot";
    /// The bot's webhook as Telegram reports it (`getWebhookInfo` with the
    /// stored token, cached; `?refresh=true` asks again), with the backend's
    /// own record of refused deliveries.
    pub const CHANNEL_WEBHOOK: &str = "/api/v1/channels/{id}/webhook";
    /// The latest delivery the backend accepted for the channel, waiting a
    /// bounded time for one after a given count (`?after=N&wait=S`).
    pub const CHANNEL_LATEST_DELIVERY: &str = "/api/v1/channels/{id}/deliveries/latest";
    pub const EXPORTS: &str = "/api/v1/exports";
    pub const EXPORT: &str = "/api/v1/exports/{id}";
    pub const EXPORT_DOWNLOAD: &str = "/api/v1/exports/{id}/download";
    /// Telegram delivers updates here (no bearer token: the
    /// `X-Telegram-Bot-Api-Secret-Token` header authenticates).
    pub const TELEGRAM_DELIVERY: &str = "/apiaccess/telegram/message/{channel_id}";
}

pub const IDEMPOTENCY_KEY: &str = "idempotency-key";
pub const TELEGRAM_SECRET_HEADER: &str = "x-telegram-bot-api-secret-token";

/// Largest export task, in channel records.
pub const EXPORT_MAX_RECORDS: usize = 100_000;
/// Largest exported CSV file, in records.
pub const EXPORT_FILE_RECORDS: usize = 2_000;

/// Body of every error answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiError {
    /// One plain sentence.
    pub error: String,
    /// For 422: the broken rules, by field path (at most 100).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// For 422: how many more rules are broken than `errors` lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub more: Option<u64>,
    /// For 412: the channel as it is now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Box<Channel>>,
    /// For a 409 of `PUT .../integration`: the other channel of the tenant
    /// that the bot is bound to (one bot, one channel).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_channel: Option<Box<ChannelRef>>,
}

/// `GET /api/v1/health` (no token needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    /// chanwiz version of the server.
    pub version: String,
    /// Why the server serves read-only (its disk was full, or its
    /// filesystem read-only, when it started): reads are answered, every
    /// write is refused with 507. Absent when it writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only: Option<String>,
}

/// A stored channel as the API returns it. `document.channel_info.app_secret`
/// is always absent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Channel {
    pub id: String,
    pub version: u64,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// `{base_url}/apiaccess/telegram/message/{id}` ("url used to send message to agent").
    pub integration_url: String,
    /// An APP Secret is stored (it is never returned).
    pub has_app_secret: bool,
    /// A Telegram bot token is stored (it is never returned).
    pub has_bot_token: bool,
    pub document: ChannelDocument,
}

/// One row of `GET /api/v1/channels`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelSummary {
    pub id: String,
    pub name: String,
    pub channel_type: String,
    pub version: u64,
    pub updated: DateTime<Utc>,
    pub integration_url: String,
    /// `basic.ou`.
    #[serde(default)]
    pub ou: String,
    /// `basic.skill_queue`.
    #[serde(default)]
    pub skill_queue: String,
    /// `robot.intelligent_robot.enabled`.
    #[serde(default)]
    pub robot: bool,
    /// The backend holds a bot token: the webhook was registered.
    #[serde(default)]
    pub has_bot_token: bool,
    /// The bot bound to the channel (with its token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotRef>,
    /// The webhook's state as the backend last learnt it from Telegram
    /// (absent until it was asked once: `GET .../webhook`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookSummary>,
}

/// A Telegram bot as the backend knows it: its id (the part of the token
/// before `:`) and its username (as `getMe` gave it to the client).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotRef {
    pub id: i64,
    /// Without the `@`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

impl BotRef {
    /// `@username`, or `bot <id>` when the username is not known.
    pub fn handle(&self) -> String {
        match &self.username {
            Some(u) => format!("@{u}"),
            None => format!("bot {}", self.id),
        }
    }
}

/// The state of a channel's webhook, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookStatus {
    /// The webhook points to this channel and no delivery error is pending.
    Ok,
    /// It points to this channel, but Telegram's last delivery failed and
    /// nothing was delivered (nor registered) since.
    Failing,
    /// It points somewhere else.
    Elsewhere,
    /// The bot has no webhook.
    None,
    /// Telegram could not be asked (unreachable, or it refused the token).
    Unknown,
}

impl WebhookStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            WebhookStatus::Ok => "ok",
            WebhookStatus::Failing => "failing",
            WebhookStatus::Elsewhere => "elsewhere",
            WebhookStatus::None => "none",
            WebhookStatus::Unknown => "unknown",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "ok" => WebhookStatus::Ok,
            "failing" => WebhookStatus::Failing,
            "elsewhere" => WebhookStatus::Elsewhere,
            "none" => WebhookStatus::None,
            "unknown" => WebhookStatus::Unknown,
            _ => return None,
        })
    }
}

/// The webhook column of a channel list row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSummary {
    pub status: WebhookStatus,
    /// When the backend asked Telegram.
    pub checked: DateTime<Utc>,
}

/// `getWebhookInfo`'s answer, as Telegram gave it (in the backend's answer,
/// its texts cleaned of control characters: [`TelegramWebhook::cleaned`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TelegramWebhook {
    /// Empty when the bot has no webhook.
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub has_custom_certificate: bool,
    #[serde(default)]
    pub pending_update_count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_address: Option<String>,
    /// Unix time of Telegram's last failed delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_synchronization_error_date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_connections: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allowed_updates: Option<Vec<String>>,
}

impl TelegramWebhook {
    /// The same answer with every text cleaned of control characters.
    pub fn cleaned(&self) -> Self {
        let clean = |s: &str| crate::sanitize::clean(s).into_owned();
        Self {
            url: clean(&self.url),
            ip_address: self.ip_address.as_deref().map(clean),
            last_error_message: self.last_error_message.as_deref().map(clean),
            ..self.clone()
        }
    }
}

/// Why the delivery endpoint refused a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalReason {
    /// No `X-Telegram-Bot-Api-Secret-Token` header (403).
    SecretMissing,
    /// A secret that is not the channel's (403).
    SecretWrong,
    /// A body over 64 KiB (413).
    TooLarge,
    /// No channel has that id (403, counted for the whole backend: the
    /// delivery names no tenant).
    UnknownChannel,
}

impl RefusalReason {
    pub fn as_str(self) -> &'static str {
        match self {
            RefusalReason::SecretMissing => "secret_missing",
            RefusalReason::SecretWrong => "secret_wrong",
            RefusalReason::TooLarge => "too_large",
            RefusalReason::UnknownChannel => "unknown_channel",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "secret_missing" => RefusalReason::SecretMissing,
            "secret_wrong" => RefusalReason::SecretWrong,
            "too_large" => RefusalReason::TooLarge,
            "unknown_channel" => RefusalReason::UnknownChannel,
            _ => return None,
        })
    }

    /// In words, for people.
    pub fn describe(self) -> &'static str {
        match self {
            RefusalReason::SecretMissing => "without a secret token",
            RefusalReason::SecretWrong => "with a wrong secret token",
            RefusalReason::TooLarge => "too large (over 64 KiB)",
            RefusalReason::UnknownChannel => "to a channel id that does not exist",
        }
    }
}

/// Deliveries the backend refused, of one reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRefusal {
    pub reason: RefusalReason,
    pub count: u64,
    /// The last one.
    pub last: DateTime<Utc>,
}

/// `GET /api/v1/channels/{id}/webhook[?refresh=true]`: the channel's webhook
/// from both sides. Telegram's (`getWebhookInfo`, asked by the backend with
/// the bot token it holds, cached: `fetched` and `age_seconds` say how old it
/// is, `refresh=true` asks again) and the backend's (the last registration,
/// the last accepted delivery, the refused ones).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookState {
    pub channel_id: String,
    /// Without a token there is nothing to ask Telegram (`webhook` absent).
    pub has_bot_token: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotRef>,
    /// Telegram's answer (the cached one when `error` says asking failed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<TelegramWebhook>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<WebhookStatus>,
    /// When Telegram gave `webhook`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched: Option<DateTime<Utc>>,
    /// Seconds since `fetched`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age_seconds: Option<u64>,
    /// Why Telegram could not be asked now (scrubbed of the token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The webhook URL's path is this channel's integration path.
    #[serde(default)]
    pub points_here: bool,
    /// The bot token was last stored (a registration or a rotation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub registered: Option<DateTime<Utc>>,
    /// The last delivery the backend accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_delivery: Option<DateTime<Utc>>,
    /// Deliveries to this channel the backend refused, by reason.
    #[serde(default)]
    pub refusals: Vec<DeliveryRefusal>,
    /// Deliveries to channel ids that do not exist, counted for the whole
    /// backend (such a delivery names no tenant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_channel: Option<DeliveryRefusal>,
    /// The public webhook address stored with the channel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_address: Option<String>,
}

impl WebhookState {
    /// Refused deliveries of `reason` to this channel (0 when none).
    pub fn refused(&self, reason: RefusalReason) -> u64 {
        self.refusals.iter().filter(|r| r.reason == reason).map(|r| r.count).sum()
    }
}

/// `GET /api/v1/channels/{id}/webhook` query.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookQuery {
    /// Ask Telegram now instead of answering the cached state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh: Option<bool>,
}

/// `DELETE /api/v1/channels/{id}/integration/previous-bot`: what became of
/// the webhook of the bot a rotation moved away from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviousBot {
    /// The old bot, when the backend held one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotRef>,
    pub outcome: PreviousBotOutcome,
    /// Telegram's answer to deleteWebhook, or why it could not be asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub telegram: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PreviousBotOutcome {
    /// Its webhook pointed to this channel and was deleted.
    Deleted,
    /// Its webhook points elsewhere (someone else's): left alone.
    Elsewhere,
    /// It had no webhook.
    NoWebhook,
    /// No previous bot is held (none, or already released).
    NoPreviousBot,
    /// Telegram could not be asked; the old token is kept for another try.
    Failed,
}

/// The order of a channel list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelSort {
    /// By name (the default).
    #[default]
    Name,
    /// Most recently updated first.
    Updated,
}

impl ChannelSort {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelSort::Name => "name",
            ChannelSort::Updated => "updated",
        }
    }
}

/// `GET /api/v1/channels?name=<substring>&page=<1..>&per_page=<1..=500>&sort=name|updated`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_page: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<ChannelSort>,
    /// Only the channel bound to this bot (its id, the part of the token
    /// before `:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: u32,
    pub per_page: u32,
    pub total: u64,
}

/// `GET /api/v1/channels/{id}/integration`: what the Channel Integration page
/// needs to register the webhook. The only answer that carries the webhook
/// secret; never the bot token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Integration {
    pub channel_id: String,
    pub integration_url: String,
    /// Passed to Telegram's setWebhook as `secret_token`.
    pub webhook_secret: String,
    pub has_bot_token: bool,
    /// PEM of the channel's identity certificate (the certificate the
    /// integration URL's endpoint presents), when the channel names one:
    /// uploaded to Telegram with `setWebhook` when it is self-signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_certificate_pem: Option<String>,
    /// A webhook secret rotation was staged and is neither committed nor
    /// dropped nor expired (see [`NextSecret`]).
    #[serde(default)]
    pub rotation_pending: bool,
    /// The public webhook address stored with the channel (not a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_address: Option<String>,
    /// The bot bound to the channel (with its token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<BotRef>,
}

/// `PUT /api/v1/channels/{id}/integration/next-secret`: stage the webhook
/// secret a rotation is about to give Telegram. Until it is committed, dropped
/// or [`NEXT_SECRET_TTL_SECS`] have passed, deliveries carrying either the
/// current secret or this one are accepted, so Telegram can switch secrets
/// without a delivery being refused and without the backend being changed for
/// good. A `PUT /integration` that sets `webhook_secret` commits (the staged
/// secret is cleared); `DELETE` on this route drops it (204 either way).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextSecret {
    /// 32–256 characters of `A-Za-z0-9_-`.
    pub webhook_secret: String,
}

/// How long a staged webhook secret is accepted without being committed.
pub const NEXT_SECRET_TTL_SECS: i64 = 600;

/// `PUT /api/v1/channels/{id}/integration`: store a bot token and/or replace
/// the webhook secret and/or the public address, all at once or none (204).
/// Setting `webhook_secret` also clears a staged [`NextSecret`].
///
/// One bot, one channel: a token of a bot that another channel of the
/// tenant holds is refused with 409 naming that channel
/// ([`ApiError::bot_channel`]) unless `move_bot` is true; then the other
/// channel's token is cleared. A token of another bot than the one stored
/// keeps the old token aside for `DELETE .../integration/previous-bot`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_token: Option<String>,
    /// 32–256 characters of `A-Za-z0-9_-`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
    /// The bot's username (from `getMe`), stored with the token; ignored
    /// without `bot_token`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_username: Option<String>,
    /// `https://PUBLIC-IPv4:PORT`; an empty string removes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_address: Option<String>,
    /// Take the bot from the other channel of the tenant that holds it
    /// (`null` counts as absent: false).
    #[serde(default, deserialize_with = "null_is_false", skip_serializing_if = "std::ops::Not::not")]
    pub move_bot: bool,
}

/// A boolean where `null` means absent (false), as for every optional field.
fn null_is_false<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Ok(Option::<bool>::deserialize(d)?.unwrap_or(false))
}

/// One Telegram update received by the delivery endpoint
/// (`GET /api/v1/channels/{id}/updates`, newest first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReceivedUpdate {
    pub update_id: Option<i64>,
    pub received: DateTime<Utc>,
    pub body: serde_json::Value,
}

/// `POST /api/v1/certificates`: upload a certificate (PEM text, or DER as
/// base64) with its role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateUpload {
    pub name: String,
    pub role: CertRole,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pem: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub der_base64: Option<String>,
}

/// `POST /api/v1/exports`: export these channels, or all when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    #[serde(default)]
    pub channel_ids: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportStatus {
    Pending,
    Running,
    Success,
    Failed,
    /// Succeeded, and its file was deleted after the retention time.
    Expired,
}

impl ExportStatus {
    /// The status as AICC's console words it.
    pub fn as_str(self) -> &'static str {
        match self {
            ExportStatus::Pending => "pending",
            ExportStatus::Running => "running",
            ExportStatus::Success => "Success",
            ExportStatus::Failed => "failed",
            ExportStatus::Expired => "expired",
        }
    }
}

/// An export task (`POST` answers 202 with it; `GET /api/v1/exports/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportTask {
    pub id: String,
    pub status: ExportStatus,
    /// Records written so far.
    pub done: u64,
    /// Records the task will write.
    pub total: u64,
    /// CSV files in the zip (known once running).
    pub files: u32,
    pub created: DateTime<Utc>,
    pub finished: Option<DateTime<Utc>>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Bytes of the zip, while it is kept (task lists only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
}

/// DER bytes as a PEM `CERTIFICATE` block (the text of a certificate
/// upload, and of `certs fetch`'s `.pem` file).
pub fn pem_certificate(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

#[cfg(test)]
mod integration_update_tests {
    use super::*;

    #[test]
    fn null_means_absent_for_every_field_of_an_integration_update() {
        let up: IntegrationUpdate = serde_json::from_str(
            r#"{"bot_token":null,"webhook_secret":null,"bot_username":null,"public_address":null,"move_bot":null}"#,
        )
        .unwrap();
        assert_eq!(up, IntegrationUpdate::default());
        let up: IntegrationUpdate = serde_json::from_str(r#"{"move_bot":true}"#).unwrap();
        assert!(up.move_bot);
        assert!(serde_json::from_str::<IntegrationUpdate>(r#"{"move":true}"#).is_err(), "unknown keys are refused");
        assert_eq!(serde_json::to_string(&IntegrationUpdate::default()).unwrap(), "{}");
    }
}
