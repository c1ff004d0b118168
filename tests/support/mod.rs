//! Helpers shared by integration tests (`mod support;`).

pub mod telegram_standin;
pub mod tmux;
