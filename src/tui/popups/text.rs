//! Multi-line text (the notification and the messages) in ratatui-textarea.
//! What is typed is in the draft at once (autosave covers it); Esc closes.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui_textarea::TextArea;

use crate::sanitize::clean;
use crate::tui::form::{self as fields, FieldId, Kind};
use crate::tui::keymap::Cmd;
use crate::tui::msg::{Effect, Outcome};
use crate::tui::screens::wizard::Wizard;
use crate::tui::state::Shared;
use crate::tui::text::wrap;
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
        // long lines wrap by word (a run without spaces, as Chinese is, by
        // grapheme) instead of scrolling every line sideways
        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
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
        use crossterm::event::{KeyCode, KeyModifiers};
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        // the line-editing keys of every other input: Ctrl-U erases to the
        // line's start (the text area's own Ctrl-U, undo, is Ctrl-Z here)
        let changed = match key.code {
            KeyCode::Char('u') if ctrl => self.area.delete_line_by_head(),
            KeyCode::Char('z') if ctrl => self.area.undo(),
            _ => self.area.input(*key),
        };
        if changed {
            self.commit(w, shared);
        }
    }

    pub fn paste(&mut self, text: &str, w: &mut Wizard, shared: &mut Shared) {
        let clean: String = text.replace("\r\n", "\n").chars().filter(|c| *c == '\n' || !c.is_control()).collect();
        self.area.insert_str(clean);
        self.commit(w, shared);
    }

    /// The editor, the field's errors as they are now (checked as it is
    /// typed, the same rules as everywhere), and the count.
    pub fn render(&self, w: &Wizard, frame: &mut Frame, theme: &Theme) {
        let spec = fields::spec_of(self.field);
        let max = match spec.kind {
            Kind::Multiline { max } => max,
            _ => 0,
        };
        let inner = frame_box(frame, 70, 12, &format!("{} — Esc done · Ctrl-E $EDITOR", spec.label));
        let used: usize = self.area.lines().iter().map(|l| l.chars().count()).sum::<usize>()
            + self.area.lines().len().saturating_sub(1);
        let mut errors: Vec<Line> = Vec::new();
        for e in w.errors_of(self.field) {
            for (i, chunk) in
                wrap(&clean(&e.message), usize::from(inner.width).saturating_sub(3)).into_iter().enumerate()
            {
                let lead = if i == 0 { "✗ " } else { "  " };
                errors.push(Line::styled(format!("{lead}{chunk}"), theme.error()));
            }
        }
        let shown = (errors.len() as u16).min(inner.height.saturating_sub(3));
        let text_area = Rect { height: inner.height.saturating_sub(1 + shown), ..inner };
        frame.render_widget(
            Paragraph::new(errors.into_iter().take(usize::from(shown)).collect::<Vec<_>>()),
            Rect { y: text_area.bottom(), height: shown, ..inner },
        );
        frame.render_widget(&*self.area, text_area);
        // the terminal's own cursor stands where the text cursor is, for
        // screen magnifiers and input methods
        let at = self.area.screen_cursor();
        let (top, left) = self.area.scroll_offset();
        if let (Some(row), Some(col)) = (at.row.checked_sub(usize::from(top)), at.col.checked_sub(usize::from(left)))
            && row < usize::from(text_area.height)
            && col < usize::from(text_area.width)
        {
            frame.set_cursor_position(ratatui::layout::Position {
                x: text_area.x + col as u16,
                y: text_area.y + row as u16,
            });
        }
        let count = format!("{used}/{max} characters");
        let style = if used > max { theme.error() } else { theme.dim() };
        frame.render_widget(
            Paragraph::new(Line::styled(count, style)),
            Rect { y: inner.bottom().saturating_sub(1), height: 1, ..inner },
        );
    }
}
