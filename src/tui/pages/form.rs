//! Steps 1–3: the step's fields, one row each, the errors of touched fields
//! under them, scrolled so that the focused field stays in view.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use unicode_width::UnicodeWidthStr;

use crate::sanitize::clean;
use crate::tui::choices;
use crate::tui::form::{self, FieldId, Kind};
use crate::tui::state::{State, Wizard};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};

/// Width of the label column.
pub fn label_width(total: u16) -> usize {
    if total >= 80 { 30 } else { 24 }
}

pub fn render(state: &State, w: &Wizard, frame: &mut Frame, area: Rect, theme: &Theme) {
    let label_w = label_width(area.width);
    let value_w = usize::from(area.width).saturating_sub(label_w + 3);
    let mut lines: Vec<Line> = Vec::new();
    let mut focus_range = (0, 0);
    let mut cursor: Option<(usize, usize)> = None; // (line, column)
    for field in w.fields() {
        let spec = form::spec_of(field);
        if let Some(h) = spec.heading {
            lines.push(Line::from(Span::styled(format!("  ── {h} ──"), theme.dim())));
        }
        let focused = field == w.focus;
        let start = lines.len();
        let indent = "  ".repeat(usize::from(spec.indent));
        let mut label = format!("{indent}{}", spec.label);
        if let Kind::Number { min, max, unit, .. } = spec.kind {
            label = format!("{label} ({min}–{max} {unit})");
        }
        let label = crate::tui::pages::home::truncate(&label, label_w);
        let pad = " ".repeat(label_w.saturating_sub(label.width()));
        let (value, cursor_col) = value_of(state, w, field, focused, value_w);
        if let Some(col) = cursor_col {
            cursor = Some((lines.len(), 2 + label_w + 1 + col));
        }
        lines.push(Line::from(vec![
            Span::raw(if focused { MARKER } else { NO_MARKER }),
            Span::styled(label, if focused { theme.focus() } else { Default::default() }),
            Span::raw(pad),
            Span::raw(" "),
            value,
        ]));
        if w.show_all || w.touched.contains(&field) {
            for e in w.errors_of(field) {
                for (i, chunk) in
                    wrap(&clean(&e.message), usize::from(area.width).saturating_sub(6)).into_iter().enumerate()
                {
                    let lead = if i == 0 { "    ✗ " } else { "      " };
                    lines.push(Line::from(Span::styled(format!("{lead}{chunk}"), theme.error())));
                }
            }
        }
        if focused {
            focus_range = (start.saturating_sub(usize::from(spec.heading.is_some())), lines.len());
        }
    }
    let height = usize::from(area.height);
    let mut top = w.scroll.get();
    if focus_range.0 < top {
        top = focus_range.0;
    } else if focus_range.1 > top + height {
        top = focus_range.1.saturating_sub(height);
    }
    top = top.min(lines.len().saturating_sub(1));
    w.scroll.set(top);
    let visible: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
    frame.render_widget(Paragraph::new(visible), area);
    if state.popup.is_none()
        && let Some((line, col)) = cursor
        && line >= top
        && line < top + height
    {
        frame.set_cursor_position(Position { x: area.x + col as u16, y: area.y + (line - top) as u16 });
    }
}

/// The value column of a field, and the cursor column inside it when the
/// field is being typed into.
fn value_of(state: &State, w: &Wizard, field: FieldId, focused: bool, width: usize) -> (Span<'static>, Option<usize>) {
    let doc = &w.draft.document;
    let spec = form::spec_of(field);
    let input = w.input.as_ref().filter(|_| focused);
    match spec.kind {
        Kind::Text { .. } | Kind::Number { .. } => match input {
            Some(i) => {
                let (text, col) = i.view(width.saturating_sub(1), None);
                (Span::raw(clean(&text).into_owned()), Some(col))
            }
            None => {
                let text = form::text_value(field, doc);
                let shown = if text.is_empty() && matches!(spec.kind, Kind::Number { optional: true, .. }) {
                    "unlimited".to_string()
                } else {
                    clean(&text).into_owned()
                };
                (Span::raw(crate::tui::pages::home::truncate(&shown, width)), None)
            }
        },
        Kind::Secret { .. } => {
            let mask = if w.reveal_secret { None } else { Some('*') };
            match input {
                Some(i) => {
                    let (text, col) = i.view(width.saturating_sub(1), mask);
                    (Span::raw(text), Some(col))
                }
                None => {
                    let n = doc.channel_info.app_secret.as_deref().map_or(0, |s| s.chars().count());
                    let shown = if n > 0 {
                        "*".repeat(n.min(width))
                    } else if w.draft.meta.channel_id.is_some() {
                        "(stored on the server; type to replace)".to_string()
                    } else {
                        String::new()
                    };
                    (Span::raw(shown), None)
                }
            }
        }
        Kind::Toggle => {
            let on = form::toggle_value(field, doc, w.draft.meta.remember_secrets);
            (Span::raw(if on { "[x] on" } else { "[ ] off" }), None)
        }
        Kind::Select(source) => {
            let id = form::text_value(field, doc);
            if !choices::available(source, state.catalogue.as_ref()) {
                // no catalogue: the id is typed by hand, unchecked
                return match input {
                    Some(i) => {
                        let (text, col) = i.view(width.saturating_sub(12), None);
                        (Span::raw(clean(&text).into_owned()), Some(col))
                    }
                    None if id.is_empty() => (Span::styled("(no catalogue yet: type the id)", theme_dim()), None),
                    None => (Span::raw(choices::describe(source, &id, None)), None),
                };
            }
            let shown = if id.is_empty() {
                "(choose: Enter)".to_string()
            } else {
                choices::describe(source, &id, state.catalogue.as_ref())
            };
            (Span::raw(crate::tui::pages::home::truncate(&shown, width)), None)
        }
        Kind::Multiline { max } => {
            let text = form::text_value(field, doc);
            let n = text.lines().count();
            let first = clean(text.lines().next().unwrap_or("")).into_owned();
            let shown = if text.is_empty() {
                format!("(empty; Enter edits, up to {max})")
            } else if n > 1 {
                format!("{first} … ({n} lines)")
            } else {
                first
            };
            (Span::raw(crate::tui::pages::home::truncate(&shown, width)), None)
        }
        Kind::Keywords => {
            let words = &doc.basic.transfer_keywords;
            let shown = if words.is_empty() {
                "(none; Enter adds)".to_string()
            } else {
                words.iter().map(|w| clean(w).into_owned()).collect::<Vec<_>>().join(", ")
            };
            (Span::raw(crate::tui::pages::home::truncate(&shown, width)), None)
        }
        Kind::WorkTime => {
            let segs =
                if field == FieldId::Workday { &doc.basic.work_time.workday } else { &doc.basic.work_time.non_workday };
            let shown = if segs.is_empty() {
                "(no segments; Enter adds)".to_string()
            } else {
                segs.iter().map(|s| format!("{}–{}", clean(&s.start), clean(&s.end))).collect::<Vec<_>>().join(", ")
            };
            (Span::raw(crate::tui::pages::home::truncate(&shown, width)), None)
        }
    }
}

/// Split `text` into lines of at most `width` columns, at spaces when it can.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(10);
    let mut out = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        if !line.is_empty() && line.width() + 1 + word.width() > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.width() > width {
            let head: String = line.chars().take(width).collect();
            let rest: String = line.chars().skip(width).collect();
            out.push(head);
            line = rest;
        }
    }
    if !line.is_empty() {
        out.push(line);
    }
    out
}

fn theme_dim() -> ratatui::style::Style {
    ratatui::style::Style::default().add_modifier(ratatui::style::Modifier::DIM)
}
