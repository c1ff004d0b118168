//! Multi-line text (the notification and the messages) in ratatui-textarea.
//! What is typed is in the draft at once (autosave covers it); Esc closes.
//!
//! The text area counts in code points; here the cursor moves, and Backspace
//! and Delete remove, one extended grapheme cluster at a time, whatever key
//! events built it (a flag typed as two regional indicators goes with one
//! Backspace), as in every line input. A pasted CR, LF or CRLF is a line
//! break: terminals send pasted newlines as CR.

use crossterm::event::KeyEvent;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;
use ratatui_textarea::{CursorMove, TextArea};
use unicode_segmentation::UnicodeSegmentation;

use crate::sanitize::clean;
use crate::tui::form::{self as fields, FieldId, Kind};
use crate::tui::keymap::Cmd;
use crate::tui::msg::{Effect, Outcome};
use crate::tui::screens::wizard::Wizard;
use crate::tui::state::Shared;
use crate::tui::text::wrap;
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::Pasted;
use crate::tui::widgets::popup::{Place, frame_box_at};

/// The cluster boundaries of `line`, in code points (0 first, the length last).
fn boundaries(line: &str) -> Vec<usize> {
    let mut at = vec![0];
    let mut n = 0;
    for g in line.graphemes(true) {
        n += g.chars().count();
        at.push(n);
    }
    at
}

/// Pasted text as lines: CR, LF and CRLF each break a line; what else a
/// message does not take (control characters) is left out and reported.
fn paste_text(text: &str) -> (String, Pasted) {
    let mut report = Pasted::default();
    let text: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| {
            let keep = *c == '\n' || !c.is_control();
            if !keep {
                report.dropped.push(*c);
            }
            keep
        })
        .collect();
    (text, report)
}

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

    /// An editor holding `text`, the caret after `chars` characters (line
    /// breaks counted as one), as a resumed draft left it.
    pub fn with_caret(field: FieldId, text: &str, chars: usize) -> Self {
        let mut e = Self::new(field, text);
        let mut left = chars;
        for (row, line) in text.split('\n').enumerate() {
            let n = line.chars().count();
            if left <= n {
                e.jump(row, left);
                e.settle();
                return e;
            }
            left -= n + 1;
        }
        e
    }

    /// Characters before the caret, line breaks counted as one each.
    pub fn caret(&self) -> usize {
        let (row, col) = (self.area.cursor().0, self.area.cursor().1);
        self.area.lines()[..row].iter().map(|l| l.chars().count() + 1).sum::<usize>() + col
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
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let changed = match key.code {
            KeyCode::Char('u') if ctrl => self.area.delete_line_by_head(),
            KeyCode::Char('z') if ctrl => self.area.undo(),
            KeyCode::Backspace if !alt && !ctrl => self.delete_cluster(false),
            KeyCode::Char('h') if ctrl => self.delete_cluster(false),
            KeyCode::Delete if !alt && !ctrl => self.delete_cluster(true),
            KeyCode::Char('d') if ctrl => self.delete_cluster(true),
            KeyCode::Left if !alt && !ctrl => self.step_cluster(false),
            KeyCode::Char('b') if ctrl => self.step_cluster(false),
            KeyCode::Right if !alt && !ctrl => self.step_cluster(true),
            KeyCode::Char('f') if ctrl => self.step_cluster(true),
            _ => self.area.input(*key),
        };
        self.settle();
        if changed {
            self.commit(w, shared);
        }
        w.caret_at(self.caret());
    }

    /// The cursor's line, its column in code points, and the cluster
    /// boundaries of the line.
    fn at(&self) -> (usize, usize, Vec<usize>) {
        let (row, col) = (self.area.cursor().0, self.area.cursor().1);
        (row, col, boundaries(&self.area.lines()[row]))
    }

    fn jump(&mut self, row: usize, col: usize) {
        self.area.move_cursor(CursorMove::Jump(row as u16, col as u16));
    }

    /// The cluster boundary after (`forward`) or before the cursor on its
    /// line; `None` at the line's edge.
    fn neighbour(&self, forward: bool) -> Option<(usize, usize, usize)> {
        let (row, col, at) = self.at();
        let to =
            if forward { at.iter().copied().find(|&b| b > col) } else { at.iter().copied().rev().find(|&b| b < col) };
        to.map(|to| (row, col, to))
    }

    /// Backspace (or Delete, `forward`): the whole cluster beside the
    /// cursor; at a line's edge the line break, as the text area does.
    fn delete_cluster(&mut self, forward: bool) -> bool {
        match self.neighbour(forward) {
            Some((row, col, to)) => {
                let (from, to) = if forward { (col, to) } else { (to, col) };
                self.jump(row, from);
                self.area.delete_str(to - from)
            }
            None if forward => self.area.delete_next_char(),
            None => self.area.delete_char(),
        }
    }

    /// ← / → over one cluster (across the line break at a line's edge).
    fn step_cluster(&mut self, forward: bool) -> bool {
        match self.neighbour(forward) {
            Some((row, _, to)) => self.jump(row, to),
            None => self.area.move_cursor(if forward { CursorMove::Forward } else { CursorMove::Back }),
        }
        false
    }

    /// A cursor inside a cluster (after ↑/↓, or a mark typed after a
    /// letter) goes to the cluster's end.
    fn settle(&mut self) {
        let (row, col, at) = self.at();
        if !at.contains(&col)
            && let Some(&end) = at.iter().find(|&&b| b > col)
        {
            self.jump(row, end);
        }
    }

    pub fn paste(&mut self, text: &str, w: &mut Wizard, shared: &mut Shared) {
        let (text, report) = paste_text(text);
        self.area.insert_str(text);
        self.commit(w, shared);
        // a paste never changes what was pasted silently
        if let Some(message) = report.message(fields::spec_of(self.field).label, 0) {
            shared.flash_about(self.field, crate::tui::state::Level::Warn, message);
        }
    }

    /// The editor, the field's errors as they are now (checked as it is
    /// typed, the same rules as everywhere), and the count.
    pub fn render(&self, w: &Wizard, frame: &mut Frame, theme: &Theme, place: Place) {
        let spec = fields::spec_of(self.field);
        let max = match spec.kind {
            Kind::Multiline { max } => max,
            _ => 0,
        };
        let inner = frame_box_at(frame, 70, 12, &format!("{} — Esc done · Ctrl-X $EDITOR", spec.label), place);
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
