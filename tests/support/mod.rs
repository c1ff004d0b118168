//! Helpers shared by integration tests (`mod support;`).

pub mod serve;
pub mod telegram_standin;
pub mod tmux;
