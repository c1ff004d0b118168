//! Telegram Bot API: the client (`getMe`, `setWebhook`, `getWebhookInfo`,
//! `deleteWebhook`), the checks run before Telegram is called, and the
//! Channel Integration steps built on them. No UI and no backend calls here:
//! the wizard and the CLI pass everything in as data.
//!
//! The bot token is a secret that sits in every request URL: it is kept in
//! a [`BotToken`] (masked when printed) and scrubbed from every error and
//! log line.

pub mod cert;
pub mod checks;
pub mod client;
pub mod error;
pub mod flow;
pub mod token;
pub mod types;

pub use cert::{CertError, certificate_warnings, is_self_signed};
pub use checks::{Problem, ProblemKind, apply_override, check_secret, check_webhook_url};
pub use client::{API_ENV, ApiConfig, BotApi, DEFAULT_API, RetryPolicy, Sleeper, api_base_from_env};
pub use error::{ApiFailure, FailureKind, TelegramError};
pub use flow::{
    Deletion, Inspection, RegisterOptions, Registration, delete, delivery_warning, inspect, plan, register,
};
pub use token::{BotToken, TokenError, WebhookSecret, format_warning};
pub use types::{BotInfo, User, WebhookInfo, WebhookParams};
