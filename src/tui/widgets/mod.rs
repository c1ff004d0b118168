//! Drawing pieces shared by the screens and popups.

pub mod line_input;
pub mod popup;
pub mod row;
pub mod week;
