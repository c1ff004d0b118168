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

pub use crate::model::catalogue::{Assistant, Catalogue, CertRole, Certificate, ChannelRef, Chatbot, Ou, SkillQueue};

pub mod export_csv;

/// Route templates, as axum writes them.
pub mod routes {
    pub const HEALTH: &str = "/api/v1/health";
    pub const CATALOGUE: &str = "/api/v1/catalogue";
    pub const OUS: &str = "/api/v1/ous";
    pub const SKILL_QUEUES: &str = "/api/v1/skill-queues";
    pub const CERTIFICATES: &str = "/api/v1/certificates";
    pub const CHATBOTS: &str = "/api/v1/chatbots";
    pub const ASSISTANTS: &str = "/api/v1/assistants";
    pub const CHANNELS: &str = "/api/v1/channels";
    pub const CHANNEL: &str = "/api/v1/channels/{id}";
    pub const CHANNEL_INTEGRATION: &str = "/api/v1/channels/{id}/integration";
    pub const CHANNEL_UPDATES: &str = "/api/v1/channels/{id}/updates";
    /// A webhook secret staged for a rotation (`PUT` stages, `DELETE` drops).
    pub const CHANNEL_NEXT_SECRET: &str = "/api/v1/channels/{id}/integration/next-secret";
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
}

/// `GET /api/v1/health` (no token needed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    pub ok: bool,
    /// chanwiz version of the server.
    pub version: String,
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
/// the webhook secret, both at once or neither (204). Setting
/// `webhook_secret` also clears a staged [`NextSecret`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_token: Option<String>,
    /// 32–256 characters of `A-Za-z0-9_-`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
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
