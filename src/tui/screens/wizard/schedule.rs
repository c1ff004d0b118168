//! The schedule on the wizard's pages: the week view under the work-time
//! fields of Basic (while one of them has the focus) and on Review, and the
//! timer warnings beside the fields they name and as a block on Review.
//! Warnings are styled apart from errors and never block Submit.

use ratatui::text::{Line, Span};

use super::Wizard;
use crate::model::Warning;
use crate::sanitize::clean;
use crate::tui::form::FieldId;
use crate::tui::state::Shared;
use crate::tui::text::wrap;
use crate::tui::theme::Theme;
use crate::tui::widgets::week;

/// The warnings about the field at `path`, wrapped under its row like its
/// errors.
pub fn warning_lines(warned: &[Warning], path: &str, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for w in warned.iter().filter(|w| w.names(path)) {
        for (i, chunk) in wrap(&clean(&w.message), usize::from(width).saturating_sub(7)).into_iter().enumerate() {
            let lead = if i == 0 { format!("    {} ", week::WARN) } else { "      ".to_string() };
            out.push(Line::from(Span::styled(format!("{lead}{chunk}"), theme.warn())));
        }
    }
    out
}

/// The week view, shown under the non-workday row while a work-time field
/// (or the notification sent outside it) has the focus.
pub fn week_under(field: FieldId, w: &Wizard, shared: &Shared, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let near = matches!(w.focus, FieldId::Workday | FieldId::NonWorkday | FieldId::Notification);
    if field != FieldId::NonWorkday || !near {
        return Vec::new();
    }
    week::lines(&w.draft.document, shared.now, w.schedule_at.as_deref(), &shared.tz, width, 4, theme)
}

/// After "ready" on Review: how many warnings there are below, if any.
pub fn warning_count(w: &Wizard) -> String {
    match crate::model::warnings(&w.draft.document).len() {
        0 => String::new(),
        1 => format!(" · {} 1 warning below", week::WARN),
        n => format!(" · {} {n} warnings below", week::WARN),
    }
}

/// Review's Warnings block (under the schedule), when there are any.
pub fn review_warnings(w: &Wizard, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let warned = crate::model::warnings(&w.draft.document);
    let mut out = Vec::new();
    if !warned.is_empty() {
        out.push(Line::from(Span::styled("    Warnings — they do not block Submit", theme.title())));
        for x in &warned {
            for (j, chunk) in wrap(&clean(&x.message), usize::from(width).saturating_sub(9)).into_iter().enumerate() {
                let text = if j == 0 { format!("    {} {chunk}", week::WARN) } else { format!("      {chunk}") };
                out.push(Line::from(Span::styled(text, theme.warn())));
            }
        }
    }
    out
}

/// Review's week view, under the Basic configuration's values.
pub fn review_week(w: &Wizard, shared: &Shared, width: u16, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(format!("    Schedule ({})", shared.tz.name()), theme.title()))];
    out.extend(week::lines(&w.draft.document, shared.now, w.schedule_at.as_deref(), &shared.tz, width, 6, theme));
    out
}
