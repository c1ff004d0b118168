//! A box drawn over the page: centred, or beside the row of the field it
//! edits so that the field's label stays in view.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Block, Borders, Clear};

/// Where a popup goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Place {
    #[default]
    Centre,
    /// Below the field's row (`y` on the screen) where the box fits there,
    /// else above it; centred only when it fits on neither side.
    Beside(u16),
}

/// A centred box: [`frame_box_at`] with [`Place::Centre`].
pub fn frame_box(frame: &mut Frame, width: u16, height: u16, title: &str) -> Rect {
    frame_box_at(frame, width, height, title, Place::Centre)
}

/// Clear a `width`×`height` box (clamped to the frame) with a border and
/// title at `place`; returns its inner area. The rows the box spans are
/// cleared from edge to edge: no text of the page shows beside it.
pub fn frame_box_at(frame: &mut Frame, width: u16, height: u16, title: &str, place: Place) -> Rect {
    let area = frame.area();
    let w = width.min(area.width.saturating_sub(2)).max(10);
    let h = height.min(area.height.saturating_sub(2)).max(3);
    let centred = area.y + (area.height - h) / 2;
    let y = match place {
        Place::Centre => centred,
        Place::Beside(row) => {
            // the title row above, the message line and the key bar below stay
            let below = area.bottom().saturating_sub(2).saturating_sub(row + 1);
            let above = row.saturating_sub(area.y + 1);
            if h <= below {
                row + 1
            } else if h <= above {
                row - h
            } else {
                centred
            }
        }
    };
    let rect = Rect { x: area.x + (area.width - w) / 2, y, width: w, height: h };
    frame.render_widget(Clear, Rect { x: area.x, width: area.width, ..rect });
    let block = Block::default().borders(Borders::ALL).title(format!(" {title} "));
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    inner
}
