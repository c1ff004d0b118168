//! The Configure Channel pages: a header with the step, the save state and
//! the link, the error count of every step, then the step's body.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Wizard;
use crate::sanitize::clean;
use crate::tui::form::Step;
use crate::tui::state::{Link, Shared};
use crate::tui::text::{truncate, width};
use crate::tui::theme::Theme;

pub fn render(shared: &Shared, w: &Wizard, frame: &mut Frame, area: Rect, cursor_shown: bool) {
    let theme = Theme { color: shared.color };
    let link = match &shared.link {
        Link::Online => Span::styled("● online", theme.ok()),
        Link::Connecting => Span::styled("○ connecting", theme.dim()),
        Link::Offline => Span::styled("○ offline", theme.warn()),
        Link::Unreachable(_) => Span::styled("○ unreachable", theme.error()),
        Link::TokenRefused => Span::styled("○ token refused", theme.error()),
    };
    let (saved, saved_style) = if w.save_error.is_some() && w.dirty() {
        ("✗ not saved", theme.error())
    } else if w.dirty() {
        ("● unsaved", theme.dim())
    } else if w.saved_at.is_some() {
        ("saved", theme.dim())
    } else {
        ("", theme.dim())
    };
    let right_w = width(saved) + 2 + width(&link.content) + 1;
    let room = usize::from(area.width).saturating_sub(right_w);
    let step = format!("Step {}/4 · {}", w.step.number(), w.step.title());
    let title = match (&w.draft.meta.channel_id, w.draft.meta.channel_version) {
        // an edit says what it edits, the name cut before anything else
        (Some(_), version) => {
            let version = version.map_or(String::new(), |v| format!(" (version {v})"));
            let name = clean(w.draft.base_name()).into_owned();
            let name = if name.is_empty() { "(unnamed)".to_string() } else { name };
            let full = format!(" Editing {name}{version} · {step}");
            if width(&full) <= room {
                full
            } else {
                let short = format!(" · Step {}/4", w.step.number());
                let fixed = width(" Editing ") + width(&version) + width(&short);
                format!(" Editing {}{version}{short}", truncate(&name, room.saturating_sub(fixed).max(4)))
            }
        }
        (None, _) => format!(" {step}"),
    };
    let pad = usize::from(area.width).saturating_sub(width(&title) + right_w);
    let header = Line::from(vec![
        Span::styled(title, theme.title()),
        Span::raw(" ".repeat(pad)),
        Span::styled(saved, saved_style),
        Span::raw("  "),
        link,
    ]);
    let counts = w.step_counts();
    let mut tabs = vec![Span::raw(" ")];
    for (i, step) in Step::ALL.iter().enumerate() {
        let label = format!("{} {}", step.number(), step.tab());
        tabs.push(Span::styled(label, if *step == w.step { theme.focus() } else { theme.dim() }));
        if i < 3 {
            tabs.push(match counts[i] {
                0 => Span::styled(" ✓", theme.ok()),
                n => Span::styled(format!(" ✗{n}"), theme.error()),
            });
        }
        tabs.push(Span::raw("   "));
    }
    let header_area = Rect { height: 3.min(area.height), ..area };
    frame.render_widget(
        Paragraph::new(vec![
            header,
            Line::from(tabs),
            Line::from(Span::styled(truncate(&format!(" {}", w.step.intro()), usize::from(area.width)), theme.dim())),
        ]),
        header_area,
    );
    let body = body_of(area);
    if w.step == Step::Review {
        super::review::render(shared, w, frame, body, &theme);
    } else {
        super::form::render(shared, w, frame, body, cursor_shown);
    }
}

/// The step's body in the page's `area` (below the header).
fn body_of(area: Rect) -> Rect {
    Rect { y: area.y + super::form::HEADER_ROWS, height: area.height.saturating_sub(super::form::HEADER_ROWS), ..area }
}

/// The screen row of the focused field of steps 1–3 on the page drawn in
/// `area` (None on Review, or scrolled out of view).
pub fn focus_y(shared: &Shared, w: &Wizard, area: Rect) -> Option<u16> {
    (w.step != Step::Review).then(|| super::form::focus_y(shared, w, body_of(area))).flatten()
}
