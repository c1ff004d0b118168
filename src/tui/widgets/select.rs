//! Select with type-to-filter: OUs as tree paths, certificates with role and
//! expiry (expired ones marked), queues, chatbots, assistants.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::popup::frame_box;
use crate::tui::form;
use crate::tui::pages::home::truncate;
use crate::tui::state::{SelectPopup, State};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};

pub fn render(state: &State, sel: &SelectPopup, frame: &mut Frame, theme: &Theme) {
    let _ = state;
    let label = form::spec_of(sel.field).label;
    let rows = sel.shown.len().max(1) as u16;
    let inner = frame_box(frame, 70, rows + 4, &format!("{label} — type to filter"));
    let (query, col) = sel.query.view(usize::from(inner.width).saturating_sub(10), None);
    frame.render_widget(
        Paragraph::new(Line::from(vec![Span::styled("filter: ", theme.dim()), Span::raw(query)])),
        Rect { height: 1, ..inner },
    );
    frame.set_cursor_position(Position { x: inner.x + 8 + col as u16, y: inner.y });
    let list_area = Rect { y: inner.y + 2, height: inner.height.saturating_sub(2), ..inner };
    let height = usize::from(list_area.height);
    let top = sel.selected.saturating_sub(height.saturating_sub(1));
    let width = usize::from(list_area.width).saturating_sub(2);
    let mut lines = Vec::new();
    if sel.shown.is_empty() {
        lines.push(Line::from(Span::styled("  nothing matches", theme.dim())));
    }
    for (pos, &i) in sel.shown.iter().enumerate().skip(top).take(height) {
        let c = &sel.choices[i];
        let selected = pos == sel.selected;
        let mut spans = vec![
            Span::raw(if selected { MARKER } else { NO_MARKER }),
            Span::styled(truncate(&c.label, width / 2), if selected { theme.focus() } else { Default::default() }),
            Span::styled(format!("  {}", truncate(&c.detail, width / 2)), theme.dim()),
        ];
        if let Some(w) = &c.warning {
            spans.push(Span::styled(format!("  {w}"), theme.error()));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), list_area);
}
