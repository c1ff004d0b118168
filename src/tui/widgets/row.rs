//! One row renderer for every field of the field table, on the wizard pages
//! and the Channel Integration page alike: the focus marker, the label in
//! its column, and the value as the field's kind shows it (with the cursor
//! column while it is typed into).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::model::Catalogue;
use crate::sanitize::clean;
use crate::tui::choices;
use crate::tui::form::{Kind, Record, Spec, Value};
use crate::tui::text::{fit, truncate, width};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::widgets::line_input::LineInput;

/// Width of the label column for `specs` in `total` columns: as wide as
/// the longest label (indent included), at most about half the screen, so
/// the AICC console's full labels show at 80 columns and short forms only
/// where the screen forces them.
pub fn label_width<'a, T: 'static>(total: u16, specs: impl IntoIterator<Item = &'a Spec<T>>) -> usize {
    let cap = (usize::from(total) * 48 / 100).clamp(18, 38);
    let longest = specs.into_iter().map(|s| width(&full_label(s))).max().unwrap_or(0);
    longest.clamp(12, cap)
}

fn full_label<T>(spec: &Spec<T>) -> String {
    format!("{}{}", "  ".repeat(usize::from(spec.indent)), spec.label)
}

/// The label a field shows in a column of `col`: its full AICC label when
/// it fits, else its short form; cut with `…` only when even that does not.
pub fn label_of<T>(spec: &Spec<T>, col: usize) -> String {
    let full = full_label(spec);
    if width(&full) <= col {
        return full;
    }
    let short = format!("{}{}", "  ".repeat(usize::from(spec.indent)), spec.short.unwrap_or(spec.label));
    truncate(&short, col)
}

/// The focused field's guidance: the full label when the column shows less,
/// a number's range and unit, then the hint.
pub fn hint_of<T>(spec: &Spec<T>, col: usize) -> String {
    let cut = width(&full_label(spec)) > col;
    let range = match spec.kind {
        Kind::Number { min, max, unit, .. } => Some(format!("{min}–{max} {unit}")),
        _ => None,
    };
    match (cut, range) {
        (true, Some(r)) => format!("{} ({r}): {}", spec.label, spec.hint),
        (true, None) => format!("{}: {}", spec.label, spec.hint),
        (false, Some(r)) => format!("{r}. {}", spec.hint),
        (false, None) => spec.hint.to_string(),
    }
}

/// What a value needs besides its record.
pub struct ValueCx<'a> {
    pub catalogue: Option<&'a Catalogue>,
    /// Show the secret unmasked (Ctrl-R).
    pub reveal: bool,
    /// A secret that is empty here is kept by the backend (an edit).
    pub stored_secret: bool,
    pub theme: &'a Theme,
}

/// A whole row: marker, label padded to `label_w`, a space, the value.
pub fn row(focused: bool, label: &str, label_w: usize, value: Span<'static>, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::raw(if focused { MARKER } else { NO_MARKER }),
        Span::styled(fit(label, label_w), if focused { theme.focus() } else { Style::default() }),
        Span::raw(" "),
        value,
    ])
}

/// The value column of a field in `width` columns, and the cursor column
/// in it when `input` is the field's editor.
pub fn value<T: Record>(
    spec: &Spec<T>,
    record: &T,
    input: Option<&LineInput>,
    cx: &ValueCx<'_>,
    width: usize,
) -> (Span<'static>, Option<usize>) {
    let dim = cx.theme.dim();
    if let Some(i) = input {
        // an empty secret says when it will show as typed (hidden is the
        // default and says nothing, so the first key typed costs no erasing)
        if i.is_empty() && cx.reveal && matches!(spec.kind, Kind::Secret { .. }) {
            return (Span::styled(truncate("(shown as typed · Ctrl-R hides)", width.saturating_sub(1)), dim), Some(0));
        }
        let mask = matches!(spec.kind, Kind::Secret { .. }) && !cx.reveal;
        let (text, col) = i.view(width.saturating_sub(1), mask.then_some('*'));
        let text = if mask { text } else { clean(&text).into_owned() };
        return (Span::raw(text), Some(col));
    }
    let text = spec.text(record);
    if text.is_empty() && !spec.placeholder.is_empty() {
        return (Span::styled(truncate(spec.placeholder, width), dim), None);
    }
    let shown = match spec.kind {
        Kind::Text { .. } => clean(&text).into_owned(),
        Kind::Number { optional: true, .. } if text.is_empty() => "unlimited".to_string(),
        Kind::Number { unit, .. } if !text.is_empty() => format!("{text} {unit}"),
        Kind::Number { .. } => text,
        Kind::Secret { .. } => {
            let n = text.chars().count();
            if n > 0 {
                if cx.reveal { clean(&text).into_owned() } else { "*".repeat(n.min(width)) }
            } else if cx.stored_secret {
                "(stored on the server; type to replace)".to_string()
            } else {
                String::new()
            }
        }
        Kind::Toggle => (if spec.flag(record) { "[x] on" } else { "[ ] off" }).to_string(),
        Kind::Select(source) => {
            if !choices::available(source, cx.catalogue) && text.is_empty() {
                return (Span::styled("(no catalogue yet: type the id)", dim), None);
            }
            if text.is_empty() { "(choose: Enter)".to_string() } else { choices::describe(source, &text, cx.catalogue) }
        }
        Kind::Multiline { max } => {
            let n = text.lines().count();
            let first = clean(text.lines().next().unwrap_or("")).into_owned();
            if text.is_empty() {
                format!("(empty; Enter edits, up to {max})")
            } else if n > 1 {
                format!("{first} … ({n} lines)")
            } else {
                first
            }
        }
        Kind::Keywords => match &spec.value {
            Value::Words { get, .. } if !get(record).is_empty() => {
                get(record).iter().map(|w| clean(w).into_owned()).collect::<Vec<_>>().join(", ")
            }
            _ => "(none; Enter adds)".to_string(),
        },
        Kind::WorkTime => match &spec.value {
            Value::Segments { get, .. } if !get(record).is_empty() => get(record)
                .iter()
                .map(|s| format!("{}–{}", clean(&s.start), clean(&s.end)))
                .collect::<Vec<_>>()
                .join(", "),
            // the console shows one empty segment: so does chanwiz (it is
            // saved once it holds a time)
            _ => "--:-- – --:--  (Enter fills)".to_string(),
        },
    };
    (Span::raw(truncate(&shown, width)), None)
}
