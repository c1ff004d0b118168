//! chanwiz: set up a Telegram customer-service channel of a contact center
//! from a terminal. The layers: `model` (document and rules, pure), `drafts`
//! (local store), `api` (wire types), `client` (HTTP client), `server` (the
//! reference backend), `telegram` (Bot API), `tui` (the wizard), `cli`
//! (commands, thin).

pub mod api;
pub mod cli;
pub mod client;
pub mod drafts;
pub mod error_kind;
pub mod fsutil;
pub mod http;
pub mod integration;
pub mod logging;
pub mod model;
pub mod paths;
pub mod sanitize;
pub mod schema;
#[cfg(feature = "server")]
pub mod server;
pub mod telegram;
pub mod tui;
