//! Select with type-to-filter: OUs as tree paths, certificates with role and
//! expiry (expired ones marked), queues, chatbots, assistants. Choosing
//! writes the id into the wizard's draft.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::choices::{self, Choice};
use crate::tui::form::{self as fields, FieldId};
use crate::tui::keymap::Cmd;
use crate::tui::msg::Outcome;
use crate::tui::screens::wizard::Wizard;
use crate::tui::state::Shared;
use crate::tui::text::truncate;
use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::widgets::line_input::LineInput;
use crate::tui::widgets::popup::frame_box;

pub struct Select {
    pub field: FieldId,
    pub choices: Vec<Choice>,
    pub query: LineInput,
    /// Indexes into `choices` matching the query, best first.
    pub shown: Vec<usize>,
    pub selected: usize,
}

impl Select {
    pub fn new(field: FieldId, choices: Vec<Choice>, current: &str) -> Self {
        let mut s = Self { field, choices, query: LineInput::default(), shown: vec![], selected: 0 };
        s.refilter();
        s.selected = s.shown.iter().position(|&i| s.choices[i].id == current).unwrap_or(0);
        s
    }

    fn refilter(&mut self) {
        self.shown = choices::filter(&self.choices, &self.query.text());
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>, w: &mut Wizard, shared: &mut Shared) -> Outcome {
        match cmd {
            Cmd::Back => return Outcome::close(),
            Cmd::Activate => {
                let Some(&i) = self.shown.get(self.selected) else { return Outcome::none() };
                let id = self.choices[i].id.clone();
                w.set_text(self.field, id, shared);
                // on to the next field of the step, but never off the step:
                // the choice made in its last field stays in view
                let effects = w.update(Cmd::Down, None, shared);
                return effects.closing();
            }
            Cmd::Up => self.selected = self.selected.saturating_sub(1),
            Cmd::Down => self.selected = (self.selected + 1).min(self.shown.len().saturating_sub(1)),
            _ => {
                if crate::tui::screens::wizard::apply_edit(&mut self.query, cmd, c) {
                    self.refilter();
                }
            }
        }
        Outcome::none()
    }

    pub fn paste(&mut self, text: &str) {
        let _ = self.query.paste(text, |c| !c.is_control(), 64);
        self.refilter();
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme) {
        let label = fields::spec_of(self.field).label;
        let rows = self.shown.len().max(1) as u16;
        let inner = frame_box(frame, 70, rows + 4, &format!("{label} — type to filter"));
        let (query, col) = self.query.view(usize::from(inner.width).saturating_sub(10), None);
        frame.render_widget(
            Paragraph::new(Line::from(vec![Span::styled("filter: ", theme.dim()), Span::raw(query)])),
            Rect { height: 1, ..inner },
        );
        frame.set_cursor_position(Position { x: inner.x + 8 + col as u16, y: inner.y });
        let list_area = Rect { y: inner.y + 2, height: inner.height.saturating_sub(2), ..inner };
        let height = usize::from(list_area.height);
        let top = self.selected.saturating_sub(height.saturating_sub(1));
        let width = usize::from(list_area.width).saturating_sub(2);
        let mut lines = Vec::new();
        if self.shown.is_empty() {
            lines.push(Line::from(Span::styled("  nothing matches", theme.dim())));
        }
        for (pos, &i) in self.shown.iter().enumerate().skip(top).take(height) {
            let c = &self.choices[i];
            let selected = pos == self.selected;
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
}
