//! A centred box drawn over the page.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear};

/// Clear a centred `width`×`height` box (clamped to the frame) with a border
/// and title; returns its inner area.
pub fn frame_box(frame: &mut Frame, width: u16, height: u16, title: &str) -> Rect {
    let area = frame.area();
    let w = width.min(area.width.saturating_sub(2)).max(10);
    let h = height.min(area.height.saturating_sub(2)).max(3);
    let rect = Rect { x: area.x + (area.width - w) / 2, y: area.y + (area.height - h) / 2, width: w, height: h };
    frame.render_widget(Clear, rect);
    let block = Block::default().borders(Borders::ALL).title(format!(" {title} "));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}
