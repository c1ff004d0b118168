//! The help overlay: every binding of the screen beneath, from the key table.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::popup::frame_box;
use crate::tui::keymap;
use crate::tui::state::State;
use crate::tui::theme::Theme;
use crate::tui::update::contexts_beneath;

pub fn render(state: &State, frame: &mut Frame, theme: &Theme) {
    let rows = keymap::overlay(&contexts_beneath(state));
    let height = (rows.len() as u16 + 3).min(frame.area().height);
    let inner = frame_box(frame, 64, height, "Keys — Esc closes");
    let key_w = rows.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(8).min(28);
    let lines: Vec<Line> = rows
        .into_iter()
        .map(|(keys, help)| Line::from(vec![Span::styled(format!("{keys:<key_w$}  "), theme.key()), Span::raw(help)]))
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
