//! A save failed while something waited for it (leaving the page, quitting):
//! the draft is still all in memory, and nothing goes ahead until the user
//! says what to do — retry, write the document to a file they name (default
//! the current directory), or discard.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Wrap};

use crate::drafts::Draft;
use crate::sanitize::clean;
use crate::tui::keymap::{Cmd, Ctx};
use crate::tui::msg::{Answer, Event, Outcome};
use crate::tui::screens::wizard::{Pending, apply_edit};
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::LineInput;
use crate::tui::widgets::popup::frame_box;

pub struct SaveFailed {
    pub reason: String,
    pub pending: Pending,
    /// Where to write the document, while it is being typed.
    pub path: Option<LineInput>,
    pub default_path: String,
    /// Why the last write to a file failed.
    pub write_error: Option<String>,
    /// The APP Secret goes into the file only when the draft keeps it.
    pub with_secret: bool,
    /// The answer Enter gives (Tab and the arrows move it): "stay" at first,
    /// which changes nothing.
    pub sel: usize,
}

/// The answers, in the order shown.
const OPTIONS: [(char, &str); 4] =
    [('r', "retry saving"), ('w', "write to a file"), ('d', "discard changes"), ('c', "stay")];

impl SaveFailed {
    pub fn new(draft: &Draft, reason: String, pending: Pending) -> Self {
        Self {
            reason,
            pending,
            path: None,
            default_path: format!("chanwiz-draft-{}.json", draft.meta.id),
            write_error: None,
            with_secret: draft.meta.remember_secrets,
            sel: OPTIONS.len() - 1,
        }
    }

    /// The same failure reported again (a retry failed): the reason and
    /// what waits are the newer ones; what the user typed or chose stays.
    pub fn renew(&mut self, newer: SaveFailed) {
        self.reason = newer.reason;
        self.pending = newer.pending;
        if newer.write_error.is_some() {
            self.write_error = newer.write_error;
        }
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        if self.path.is_some() { vec![Ctx::FileName, Ctx::TextInput] } else { vec![Ctx::Confirm] }
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>) -> Outcome {
        let answer = |a: Answer| Outcome::event(Event::Answer(a)).closing();
        if let Some(path) = self.path.as_mut() {
            match cmd {
                Cmd::Activate if !path.text().trim().is_empty() => {
                    return answer(Answer::WriteTo(path.text().trim().to_string()));
                }
                Cmd::Back => self.path = None,
                _ => {
                    apply_edit(path, cmd, c);
                }
            }
            return Outcome::none();
        }
        let n = OPTIONS.len();
        let key = match cmd {
            Cmd::NextField | Cmd::Right => {
                self.sel = (self.sel + 1) % n;
                return Outcome::none();
            }
            Cmd::PrevField | Cmd::Left => {
                self.sel = (self.sel + n - 1) % n;
                return Outcome::none();
            }
            Cmd::Activate => Some(OPTIONS[self.sel.min(n - 1)].0),
            _ => c.map(|c| c.to_ascii_lowercase()),
        };
        let cmd = if cmd == Cmd::Activate { Cmd::Answer } else { cmd };
        match (cmd, key) {
            (Cmd::Answer, Some('r')) => answer(Answer::RetrySave),
            (Cmd::Answer, Some('w')) => {
                self.path = Some(LineInput::new(&self.default_path));
                Outcome::none()
            }
            (Cmd::Answer, Some('d')) => answer(Answer::Discard),
            (Cmd::Back, _) | (Cmd::Answer, Some('c')) => answer(Answer::Stay),
            _ => Outcome::none(),
        }
    }

    pub fn paste(&mut self, text: &str) {
        if let Some(path) = self.path.as_mut() {
            let _ = path.paste(text, |c| !c.is_control(), 4096);
        }
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme) {
        let what = match self.pending {
            Pending::Home => "leaving the page",
            Pending::Quit => "quitting",
            Pending::Submit => "submitting",
        };
        let inner = frame_box(frame, 70, 13, "The draft could not be saved");
        let mut lines = vec![
            Line::styled(format!("Saving failed: {}", clean(&self.reason)), theme.error()),
            Line::raw(format!(
                "Nothing is lost yet: every change is still in memory. Before {what}, choose what happens to it."
            )),
            Line::raw(""),
        ];
        if let Some(e) = &self.write_error {
            lines.push(Line::styled(format!("Not written: {}", clean(e)), theme.error()));
        }
        let mut cursor = None;
        match &self.path {
            Some(path) => {
                lines.push(Line::raw(format!(
                    "Write the document to (relative to the current directory){}:",
                    if self.with_secret { "" } else { "; the APP Secret is left out" }
                )));
                let (text, col) = path.view(usize::from(inner.width).saturating_sub(4), None);
                cursor = Some((lines.len(), 2 + col));
                lines.push(Line::raw(format!("  {}", clean(&text))));
                lines.push(Line::raw(""));
                lines.push(Line::styled("[Enter] write it   [Esc] back", theme.key()));
            }
            None => {
                let mut answers = Vec::new();
                for (i, (k, label)) in OPTIONS.iter().enumerate() {
                    if i > 0 {
                        answers.push(ratatui::text::Span::raw("  "));
                    }
                    let (text, style) = if i == self.sel {
                        (format!("▸[{k}] {label}"), theme.focus())
                    } else {
                        (format!("[{k}] {label}"), theme.key())
                    };
                    answers.push(ratatui::text::Span::styled(text, style));
                }
                lines.push(Line::from(answers));
                lines.push(Line::styled("Enter chooses ▸, Tab/←→ move", theme.dim()));
            }
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
        if let Some((line, col)) = cursor {
            frame.set_cursor_position(Position { x: inner.x + col as u16, y: inner.y + line as u16 });
        }
    }
}
