//! Multi-line text (the notification and the messages) in ratatui-textarea.
//! What is typed is in the draft at once (autosave covers it); Esc closes.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use crate::tui::form::{self as fields, FieldId, Kind};
use crate::tui::keymap::Cmd;
use crate::tui::msg::{Effect, Outcome};
use crate::tui::screens::wizard::Wizard;
use crate::tui::state::Shared;
use crate::tui::theme::Theme;
use crate::tui::widgets::popup::frame_box;

pub struct TextEditor {
    pub field: FieldId,
    pub area: Box<TextArea<'static>>,
}

impl TextEditor {
    pub fn new(field: FieldId, text: &str) -> Self {
        let mut area = TextArea::new(text.split('\n').map(str::to_string).collect());
        area.set_cursor_line_style(ratatui::style::Style::default());
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        Self { field, area: Box::new(area) }
    }

    pub fn text(&self) -> String {
        self.area.lines().join("\n")
    }

    /// The text as it is now goes into the draft.
    fn commit(&self, w: &mut Wizard, shared: &Shared) {
        w.set_text(self.field, self.text(), shared);
    }

    pub fn update(&mut self, cmd: Cmd, w: &mut Wizard, shared: &mut Shared) -> Outcome {
        match cmd {
            Cmd::Back => {
                self.commit(w, shared);
                w.touched.insert(self.field);
                Outcome::close()
            }
            Cmd::ExternalEditor => {
                Outcome::effect(Effect::ExternalEditor { field: self.field, text: self.text() }).closing()
            }
            _ => Outcome::none(),
        }
    }

    pub fn input(&mut self, key: &KeyEvent, w: &mut Wizard, shared: &mut Shared) {
        if self.area.input(*key) {
            self.commit(w, shared);
        }
    }

    pub fn paste(&mut self, text: &str, w: &mut Wizard, shared: &mut Shared) {
        let clean: String = text.replace("\r\n", "\n").chars().filter(|c| *c == '\n' || !c.is_control()).collect();
        self.area.insert_str(clean);
        self.commit(w, shared);
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme) {
        let spec = fields::spec_of(self.field);
        let max = match spec.kind {
            Kind::Multiline { max } => max,
            _ => 0,
        };
        let inner = frame_box(frame, 70, 12, &format!("{} — Esc done · Ctrl-E $EDITOR", spec.label));
        let used: usize = self.area.lines().iter().map(|l| l.chars().count()).sum::<usize>()
            + self.area.lines().len().saturating_sub(1);
        let text_area = Rect { height: inner.height.saturating_sub(1), ..inner };
        frame.render_widget(&*self.area, text_area);
        let count = format!("{used}/{max} characters");
        let style = if used > max { theme.error() } else { theme.dim() };
        frame.render_widget(
            Paragraph::new(Line::styled(count, style)),
            Rect { y: inner.bottom().saturating_sub(1), height: 1, ..inner },
        );
    }
}
