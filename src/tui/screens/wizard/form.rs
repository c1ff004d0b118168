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

/// Rows the message line takes: a hint or message that does not fit goes
/// on to a second row rather than being cut.
pub const MESSAGE_ROWS: usize = 2;

/// The message area's lines for `text` in `width` columns (1 or 2).
pub fn message_lines(text: &str, width: u16) -> Vec<String> {
    // the last column stays free: text reaching it is text cut (with `…`)
    crate::tui::text::wrap_rows(text, usize::from(width).saturating_sub(1), MESSAGE_ROWS)
}

/// The form body's columns and rows in the terminal.
pub fn body_size(shared: &Shared, w: &Wizard) -> (u16, usize) {
    let (width, height) = shared.size;
    let message = w.message(shared).map_or(1, |(_, text)| message_lines(&text, width).len()) as u16;
    // the message line(s) and the key bar sit below
    (width, usize::from(height.saturating_sub(HEADER_ROWS + 1 + message)))
}

pub struct Layout {
    pub lines: Vec<Line<'static>>,
    /// The focused field's lines (its heading included), `start..end`.
    pub focus: (usize, usize),
    /// The focused field's own row (below its heading, if it has one).
    pub focus_row: usize,
    /// Where the cursor stands while the focused field is typed into.
    pub cursor: Option<(usize, usize)>,
}

/// The label column of `step`'s fields (all of them, shown or not, so it
/// does not move when a toggle reveals a field).
pub fn label_width(step: fields::Step, width: u16) -> usize {
    row::label_width(width, fields::SPECS.iter().filter(|s| s.step == Some(step)))
}

pub fn layout(w: &Wizard, shared: &Shared, width: u16) -> Layout {
    let theme = Theme { color: shared.color };
    let label_w = label_width(w.step, width);
    // the last column stays free: a value reaching it is cut (with `…`)
    let value_w = usize::from(width).saturating_sub(label_w + 4);
    let cx = ValueCx {
        catalogue: shared.catalogue.as_ref(),
        reveal: w.reveal_secret,
        stored_secret: w.draft.meta.channel_id.is_some(),
        theme: &theme,
    };
    let mut lines: Vec<Line<'static>> = Vec::new();
    let mut focus = (0, 0);
    let mut focus_row = 0;
    let mut cursor = None;
    let mut warned = crate::model::warnings(&w.draft.document);
    if let Some(cat) = shared.catalogue.as_ref() {
        warned.extend(crate::model::certificate_warnings(&w.draft.document, cat, shared.now));
    }
    if w.step == fields::Step::ChannelInfo {
        // the channel type is chosen by the page itself (the only one offered)
        lines.push(channel_selection(&w.draft.document, "", label_w, &theme));
    }
    for field in w.fields() {
        let spec = fields::spec_of(field);
        if let Some(h) = spec.heading {
            lines.push(Line::from(Span::styled(format!("  ── {h} ──"), theme.dim())));
        }
        let focused = field == w.focus;
        let start = lines.len();
        let input = w.input.as_ref().filter(|_| focused);
        let (value, col) = match input {
            // an emptied required number shows empty (its error says why)
            None if w.blank.contains(&field) => (Span::raw(""), None),
            _ => row::value(spec, &w.draft, input, &cx, value_w),
        };
        if let Some(col) = col {
            cursor = Some((lines.len(), 2 + label_w + 1 + col));
        }
        lines.push(row::row(focused, &row::label_of(spec, label_w), label_w, value, &theme));
        if w.show_all || w.touched.contains(&field) {
            for e in w.errors_of(field) {
                for (i, chunk) in wrap(&clean(&e.message), usize::from(width).saturating_sub(7)).into_iter().enumerate()
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
            focus_row = start;
        }
    }
    Layout { lines, focus, focus_row, cursor }
}

/// The Channel Selection row: not a field to edit (Telegram is the only
/// type a Telegram channel can have), shown as the console shows it.
/// `indent` goes before the label (Review indents it under the step).
pub fn channel_selection(
    doc: &crate::model::ChannelDocument,
    indent: &str,
    label_w: usize,
    theme: &Theme,
) -> Line<'static> {
    let label = format!("{indent}{}", crate::model::fields::label(crate::model::fields::CHANNEL_TYPE));
    row::row(false, &label, label_w, Span::styled(doc.channel_type.title(), theme.dim()), theme)
}

/// The first line shown of `total` lines in `area`, as [`render`] shows them.
fn top_of(w: &Wizard, total: usize, area: Rect) -> (usize, usize) {
    let view = super::review::view_height(total, usize::from(area.height));
    (w.scroll.min(total.saturating_sub(view)), view)
}

/// The screen row of the focused field in the form drawn in `area` (the
/// step's body), when it is in view: a popup editing it goes beside it.
pub fn focus_y(shared: &Shared, w: &Wizard, area: Rect) -> Option<u16> {
    let layout = layout(w, shared, area.width);
    let (top, view) = top_of(w, layout.lines.len(), area);
    let row = layout.focus_row.checked_sub(top).filter(|r| *r < view)?;
    Some(area.y + u16::try_from(row).ok()?)
}

pub fn render(shared: &Shared, w: &Wizard, frame: &mut Frame, area: Rect, cursor_shown: bool) {
    let theme = Theme { color: shared.color };
    let layout = layout(w, shared, area.width);
    let total = layout.lines.len();
    let (top, view) = top_of(w, total, area);
    let height = view;
    let mut visible: Vec<Line> = layout.lines.into_iter().skip(top).take(view).collect();
    if let Some(mark) = super::review::more_mark(total, top, view, usize::from(area.height), super::review::FOCUS_KEYS)
    {
        visible.push(Line::from(Span::styled(mark, theme.dim())));
    }
    frame.render_widget(Paragraph::new(visible), area);
    if cursor_shown
        && let Some((line, col)) = layout.cursor
        && line >= top
        && line < top + height
    {
        frame.set_cursor_position(Position { x: area.x + col as u16, y: area.y + (line - top) as u16 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::form::{SPECS, Step};

    #[test]
    fn the_console_labels_show_whole_at_80_columns_and_the_hint_says_them_when_cut() {
        let mut long = Vec::new();
        for step in Step::FORMS {
            let col = label_width(step, 80);
            for spec in SPECS.iter().filter(|s| s.step == Some(step)) {
                assert!(row::label_of(spec, col).ends_with(spec.label), "{} at 80 columns", spec.label);
            }
            let col = label_width(step, 60);
            for spec in SPECS.iter().filter(|s| s.step == Some(step)) {
                let shown = row::label_of(spec, col);
                assert!(!shown.ends_with('…'), "{} is cut at 60 columns: {shown}", spec.label);
                let hint = row::hint_of(spec, col);
                if !shown.ends_with(spec.label) {
                    assert!(hint.starts_with(spec.label), "the hint of {shown} names {}: {hint}", spec.label);
                }
                if let crate::tui::form::Kind::Number { min, max, .. } = spec.kind {
                    assert!(hint.contains(&format!("{min}–{max}")), "{hint}");
                }
                // the whole hint fits the two message rows, uncut
                for w in [60, 80] {
                    if message_lines(&hint, w).last().unwrap().ends_with('…') {
                        long.push(format!("{w}: {hint}"));
                    }
                }
            }
        }
        assert!(long.is_empty(), "hints cut:\n{}", long.join("\n"));
    }
}
