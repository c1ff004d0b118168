//! Steps 1–3: the step's fields, one row each (the shared row renderer), the
//! errors of touched fields under them. [`layout`] is computed the same way
//! for `update` (which decides the scroll) and for `render` (which only
//! draws it).

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Wizard;
use crate::sanitize::clean;
use crate::tui::form::{self as fields};
use crate::tui::state::Shared;
use crate::tui::text::wrap;
use crate::tui::theme::Theme;
use crate::tui::widgets::row::{self, ValueCx};

/// Rows above the body (step, tabs, intro, a blank line).
pub const HEADER_ROWS: u16 = 4;

/// The form body's columns and rows in a terminal of `size`.
pub fn body_size(size: (u16, u16)) -> (u16, usize) {
    // the message line and the key bar sit below
    (size.0, usize::from(size.1.saturating_sub(HEADER_ROWS + 2)))
}

pub struct Layout {
    pub lines: Vec<Line<'static>>,
    /// The focused field's lines (its heading included), `start..end`.
    pub focus: (usize, usize),
    /// Where the cursor stands while the focused field is typed into.
    pub cursor: Option<(usize, usize)>,
}

pub fn layout(w: &Wizard, shared: &Shared, width: u16) -> Layout {
    let theme = Theme { color: shared.color };
    let label_w = row::label_width(width);
    let value_w = usize::from(width).saturating_sub(label_w + 3);
    let cx = ValueCx {
        catalogue: shared.catalogue.as_ref(),
        reveal: w.reveal_secret,
        stored_secret: w.draft.meta.channel_id.is_some(),
        theme: &theme,
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut focus = (0, 0);
    let mut cursor = None;
    let warned = crate::model::warnings(&w.draft.document);
    for field in w.fields() {
        let spec = fields::spec_of(field);
        if let Some(h) = spec.heading {
            lines.push(Line::from(Span::styled(format!("  ── {h} ──"), theme.dim())));
        }
        let focused = field == w.focus;
        let start = lines.len();
        let input = w.input.as_ref().filter(|_| focused);
        let (value, col) = row::value(spec, &w.draft, input, &cx, value_w);
        if let Some(col) = col {
            cursor = Some((lines.len(), 2 + label_w + 1 + col));
        }
        lines.push(row::row(focused, &row::label_of(spec), label_w, value, &theme));
        if w.show_all || w.touched.contains(&field) {
            for e in w.errors_of(field) {
                for (i, chunk) in wrap(&clean(&e.message), usize::from(width).saturating_sub(6)).into_iter().enumerate()
                {
                    let lead = if i == 0 { "    ✗ " } else { "      " };
                    lines.push(Line::from(Span::styled(format!("{lead}{chunk}"), theme.error())));
                }
            }
            lines.extend(super::schedule::warning_lines(&warned, spec.path, width, &theme));
        }
        lines.extend(super::schedule::week_under(field, w, shared, width, &theme));
        if focused {
            focus = (start.saturating_sub(usize::from(spec.heading.is_some())), lines.len());
        }
    }
    Layout { lines, focus, cursor }
}

pub fn render(shared: &Shared, w: &Wizard, frame: &mut Frame, area: Rect, cursor_shown: bool) {
    let layout = layout(w, shared, area.width);
    let height = usize::from(area.height);
    let top = w.scroll.min(layout.lines.len().saturating_sub(1));
    let visible: Vec<Line> = layout.lines.into_iter().skip(top).take(height).collect();
    frame.render_widget(Paragraph::new(visible), area);
    if cursor_shown
        && let Some((line, col)) = layout.cursor
        && line >= top
        && line < top + height
    {
        frame.set_cursor_position(Position { x: area.x + col as u16, y: area.y + (line - top) as u16 });
    }
}
