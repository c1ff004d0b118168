//! The wizard: event → [`msg::Action`] → `update` (a small dispatcher over
//! one [`screens`] module per screen and one [`popups`] module per popup) →
//! `render` from the state, which it never changes.
//!
//! - `form` — the one field table (labels, kinds, accessors, keys);
//! - `keymap` — the one key table (dispatch, help bar, help overlay);
//! - `state` — the one [`state::Screen`], at most one popup, what is shared;
//! - `app` — the runtime: terminal, event loop, effects; `backend` — what
//!   the wizard needs of a configuration backend; `term` — the lean terminal.

pub mod accessible;
pub mod app;
pub mod backend;
pub mod choices;
pub mod clipboard;
pub mod form;
pub mod keymap;
pub mod msg;
pub mod popups;
pub mod render;
pub mod screens;
pub mod start;
pub mod state;
pub mod term;
pub mod text;
pub mod theme;
pub mod update;
pub mod widgets;
