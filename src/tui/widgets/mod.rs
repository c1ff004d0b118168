//! Drawing helpers for the wizard's field kinds and popups.

pub mod confirm;
pub mod help;
pub mod line_input;
pub mod list;
pub mod popup;
pub mod select;
pub mod text;
