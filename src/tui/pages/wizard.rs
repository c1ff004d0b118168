//! The Configure Channel pages: a header with the step and the error count
//! of every step, then the step's body.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::form::{STEP_INTROS, STEP_TITLES};
use crate::tui::state::{Link, State};
use crate::tui::theme::Theme;

pub fn render(state: &State, frame: &mut Frame, area: Rect, theme: &Theme) {
    let Some(w) = &state.wizard else { return };
    let step = usize::from(w.step.clamp(1, 4));
    let link = match &state.link {
        Link::Online => Span::styled("● online", theme.ok()),
        Link::Connecting => Span::styled("○ connecting", theme.dim()),
        Link::Offline => Span::styled("○ offline", theme.warn()),
        Link::Unreachable(_) => Span::styled("○ unreachable", theme.error()),
    };
    let saved = if w.dirty {
        "● unsaved"
    } else if w.saved_at.is_some() {
        "saved"
    } else {
        ""
    };
    let title = format!(" Step {step}/4 · {}", STEP_TITLES[step - 1]);
    let right_w = saved.chars().count() + 2 + link.content.chars().count() + 1;
    let pad = usize::from(area.width).saturating_sub(title.chars().count() + right_w);
    let header = Line::from(vec![
        Span::styled(title, theme.title()),
        Span::raw(" ".repeat(pad)),
        Span::styled(saved, theme.dim()),
        Span::raw("  "),
        link,
    ]);
    let counts = w.step_counts();
    let mut tabs = vec![Span::raw(" ")];
    for (i, name) in ["Channel info", "Basic", "Robot", "Review"].iter().enumerate() {
        let current = i + 1 == step;
        let label = format!("{} {name}", i + 1);
        tabs.push(Span::styled(label, if current { theme.focus() } else { theme.dim() }));
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
            Line::from(Span::styled(format!(" {}", STEP_INTROS[step - 1]), theme.dim())),
        ]),
        header_area,
    );
    let body = Rect { y: area.y + 4, height: area.height.saturating_sub(4), ..area };
    if step == 4 {
        super::review::render(state, w, frame, body, theme);
    } else {
        super::form::render(state, w, frame, body, theme);
    }
}
