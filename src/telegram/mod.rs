//! Telegram Bot API: the client (`getMe`, `setWebhook`, `getWebhookInfo`,
//! `deleteWebhook`), the checks run before Telegram is called and the
//! `setWebhook` plan they give, and the types. No UI, no backend calls and
//! no orchestration here (that is `crate::integration`, around one Bot API
//! session): everything comes in as data.
//!
//! The bot token is a secret that sits in every request URL: it is kept in
//! a [`BotToken`] (masked when printed) and scrubbed from every error and
//! log line.

pub mod cert;
pub mod checks;
pub mod client;
pub mod error;
pub mod face;
pub mod plan;
pub mod token;
pub mod types;

pub use cert::{CertError, CertificateFacts, certificate_warnings, is_self_signed, read_certificate};
pub use checks::{Problem, ProblemKind, apply_override, check_secret, check_webhook_url};
pub use client::{API_ENV, ApiConfig, BotApi, DEFAULT_API, RetryPolicy, Sleeper, api_base_from_env};
pub use error::{ApiFailure, FailureKind, TelegramError};
pub use face::Face;
pub use plan::{
    DeliveryRecord, Plan, Replace, WebhookOptions, delivery_warning, explain_delivery_error, likely_cause, plan,
    registration_warnings, same_url,
};
pub use token::{BotToken, TokenError, WebhookSecret, format_warning};
pub use types::{BotInfo, User, WebhookInfo, WebhookParams};
