//! Bot API objects chanwiz reads and the parameters it sends. Unknown
//! fields are ignored: Telegram adds fields over time.

use serde::{Deserialize, Serialize};

use super::checks::DEFAULT_ALLOWED_UPDATES;
use super::token::WebhookSecret;

/// Every Bot API answer.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Envelope {
    pub ok: bool,
    #[serde(default)]
    pub result: Option<serde_json::Value>,
    #[serde(default)]
    pub error_code: Option<i64>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parameters: Option<ResponseParameters>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct ResponseParameters {
    #[serde(default)]
    pub retry_after: Option<u64>,
}

/// `getMe`'s `User`, as far as chanwiz uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub is_bot: bool,
    pub first_name: String,
    #[serde(default)]
    pub last_name: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub can_join_groups: Option<bool>,
    #[serde(default)]
    pub can_read_all_group_messages: Option<bool>,
    #[serde(default)]
    pub supports_inline_queries: Option<bool>,
}

/// The bot a token belongs to, proven by `getMe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotInfo {
    pub id: i64,
    /// Without the `@`.
    pub username: String,
    /// The bot's display name (`first_name`, plus `last_name` if any).
    pub name: String,
}

impl BotInfo {
    /// `@username`, as users know the bot.
    pub fn handle(&self) -> String {
        format!("@{}", self.username)
    }
}

/// `getWebhookInfo`'s answer: the one type the Bot API client reads and the
/// backend's webhook state carries (`crate::api::TelegramWebhook`).
pub use crate::api::TelegramWebhook as WebhookInfo;

impl WebhookInfo {
    /// Whether a webhook is set at all.
    pub fn is_set(&self) -> bool {
        !self.url.is_empty()
    }
}

/// `setWebhook`'s parameters. `Debug` masks the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookParams {
    pub url: String,
    pub secret_token: Option<WebhookSecret>,
    pub allowed_updates: Vec<String>,
    pub drop_pending_updates: bool,
    /// PEM of the endpoint's self-signed certificate, uploaded as the
    /// multipart file `certificate`.
    pub certificate_pem: Option<Vec<u8>>,
    /// 1–100; Telegram's default (40) when `None`.
    pub max_connections: Option<u32>,
    /// Fixed IP for Telegram to call instead of resolving the host.
    pub ip_address: Option<String>,
}

impl WebhookParams {
    /// `url` with chanwiz's defaults: `allowed_updates` =
    /// [`DEFAULT_ALLOWED_UPDATES`]; nothing dropped; no certificate.
    pub fn new(url: impl Into<String>) -> Self {
        WebhookParams {
            url: url.into(),
            secret_token: None,
            allowed_updates: default_allowed_updates(),
            drop_pending_updates: false,
            certificate_pem: None,
            max_connections: None,
            ip_address: None,
        }
    }
}

/// [`DEFAULT_ALLOWED_UPDATES`]: messages, edited messages and the Telegram
/// Business message types.
pub fn default_allowed_updates() -> Vec<String> {
    DEFAULT_ALLOWED_UPDATES.iter().map(|s| (*s).to_owned()).collect()
}
