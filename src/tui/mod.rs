//! The wizard: event → action → `update` → `render` from a frozen state.

pub mod app;
pub mod backend;
pub mod choices;
pub mod form;
pub mod keymap;
pub mod pages;
pub mod render;
pub mod state;
pub mod term;
pub mod theme;
pub mod update;
pub mod widgets;
