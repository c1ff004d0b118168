//! List editors: keywords for transfer, and work-time segments with the day
//! drawn as a 00–24 bar.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::popup::frame_box;
use crate::model::{Segment, parse_hhmm};
use crate::sanitize::clean;
use crate::tui::form::{self, FieldId};
use crate::tui::state::{ListPopup, State};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};

/// The day as 48 half-hour cells: `█` worked, `·` not.
pub fn day_bar(segments: &[Segment]) -> String {
    (0..48u32)
        .map(|cell| {
            let (from, to) = (cell * 30, cell * 30 + 30);
            let covered = segments.iter().any(|s| match (parse_hhmm(&s.start), parse_hhmm(&s.end)) {
                (Some(a), Some(b)) => a < to && b > from,
                _ => false,
            });
            if covered { '█' } else { '·' }
        })
        .collect()
}

pub fn render(state: &State, list: &ListPopup, frame: &mut Frame, theme: &Theme) {
    let Some(w) = &state.wizard else { return };
    let doc = &w.draft.document;
    let is_time = list.field != FieldId::Keywords;
    let items: Vec<String> = if is_time {
        let segs = if list.field == FieldId::Workday {
            &doc.basic.work_time.workday
        } else {
            &doc.basic.work_time.non_workday
        };
        segs.iter().map(|s| format!("{}–{}", clean(&s.start), clean(&s.end))).collect()
    } else {
        doc.basic.transfer_keywords.iter().map(|k| clean(k).into_owned()).collect()
    };
    let label = form::spec_of(list.field).label;
    let inner = frame_box(frame, 66, items.len() as u16 + 9, label);
    let mut lines: Vec<Line> = Vec::new();
    let mut cursor = None;
    if is_time {
        let segs = if list.field == FieldId::Workday {
            &doc.basic.work_time.workday
        } else {
            &doc.basic.work_time.non_workday
        };
        lines.push(Line::from(Span::styled("  00    03    06    09    12    15    18    21   24", theme.dim())));
        lines.push(Line::raw(format!("  {}", day_bar(segs))));
        lines.push(Line::raw(""));
    }
    let path = form::spec_of(list.field).path;
    for (i, item) in items.iter().enumerate() {
        let selected = i == list.selected;
        let editing = list.editing.as_ref().filter(|e| e.index == Some(i));
        let error = w.errors_of(list.field).into_iter().find(|e| e.path.starts_with(&format!("{path}[{i}]")));
        let mut spans = vec![Span::raw(if selected { MARKER } else { NO_MARKER })];
        match editing {
            Some(edit) => {
                let (spans_edit, col) = edit_spans(edit, is_time, theme);
                cursor = Some((lines.len(), 2 + col));
                spans.extend(spans_edit);
            }
            None => spans.push(Span::styled(item.clone(), if selected { theme.focus() } else { Default::default() })),
        }
        if let Some(e) = error {
            spans.push(Span::styled(format!("  ✗ {}", clean(&e.message)), theme.error()));
        }
        lines.push(Line::from(spans));
    }
    let adding = list.editing.as_ref().filter(|e| e.index.is_none());
    let add_selected = list.selected >= items.len();
    match adding {
        Some(edit) => {
            let (spans_edit, col) = edit_spans(edit, is_time, theme);
            cursor = Some((lines.len(), 2 + col));
            let mut spans = vec![Span::raw(MARKER)];
            spans.extend(spans_edit);
            lines.push(Line::from(spans));
        }
        None => lines.push(Line::from(vec![
            Span::raw(if add_selected { MARKER } else { NO_MARKER }),
            Span::styled(
                if is_time { "+ add segment" } else { "+ add keyword" },
                if add_selected { theme.focus() } else { theme.dim() },
            ),
        ])),
    }
    lines.push(Line::raw(""));
    if let Some(note) = &list.note {
        lines.push(Line::from(Span::styled(format!("  {note}"), theme.warn())));
    } else if let Some(e) = w.errors_of(list.field).into_iter().find(|e| e.path == path) {
        lines.push(Line::from(Span::styled(format!("  ✗ {}", clean(&e.message)), theme.error())));
    }
    frame.render_widget(Paragraph::new(lines), inner);
    if let Some((line, col)) = cursor {
        frame.set_cursor_position(Position { x: inner.x + col as u16, y: inner.y + line as u16 });
    }
    let _ = Rect::default();
}

/// The line being edited, and the cursor column in it.
fn edit_spans(edit: &crate::tui::state::ListEdit, is_time: bool, theme: &Theme) -> (Vec<Span<'static>>, usize) {
    if is_time {
        let start = edit.inputs[0].text();
        let end = edit.inputs[1].text();
        let spans = vec![
            Span::styled("start ", theme.dim()),
            Span::raw(format!("{start:<5}")),
            Span::styled("  end ", theme.dim()),
            Span::raw(format!("{end:<5}")),
            Span::styled("   HH:MM, Tab switches", theme.dim()),
        ];
        let col = if edit.part == 0 { 6 + edit.inputs[0].cursor() } else { 6 + 5 + 6 + edit.inputs[1].cursor() };
        (spans, col)
    } else {
        let (text, col) = edit.inputs[0].view(40, None);
        (vec![Span::raw(text)], col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_marks_worked_half_hours() {
        let bar = day_bar(&[Segment::new("00:00", "01:00"), Segment::new("23:30", "24:00")]);
        assert_eq!(bar.chars().count(), 48);
        assert!(bar.starts_with("██·"));
        assert!(bar.ends_with("·█"));
        assert_eq!(day_bar(&[]).chars().filter(|c| *c == '█').count(), 0);
    }
}
