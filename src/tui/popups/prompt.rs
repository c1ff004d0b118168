//! One line to type before something irreversible or that needs a place:
//! the name of a channel to delete, the folder to download an export into.

use ratatui::Frame;
use ratatui::layout::Position;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use crate::sanitize::clean;
use crate::tui::keymap::{Cmd, Ctx};
use crate::tui::msg::{Answer, Event, Outcome};
use crate::tui::screens::wizard::apply_edit;
use crate::tui::text::wrap;
use crate::tui::theme::Theme;
use crate::tui::widgets::line_input::LineInput;
use crate::tui::widgets::popup::frame_box;

pub enum Purpose {
    /// Delete channel `id` once its name is typed exactly.
    DeleteChannel { id: String, name: String },
    /// Download export task `task` into the folder typed.
    Download { task: String },
    /// Make drafts from the file typed (an export zip or CSV file, or a
    /// channel document).
    Import,
    /// The moment the week view tells what customers get at (empty: now),
    /// read in `zone` as `chanwiz schedule --at` reads it.
    ScheduleAt { zone: crate::model::schedule::Zone, now: chrono::DateTime<chrono::Utc> },
}

pub struct Prompt {
    pub purpose: Purpose,
    pub input: LineInput,
    /// Why Enter did nothing (yet).
    pub note: Option<String>,
}

impl Prompt {
    pub fn delete_channel(id: String, name: String) -> Self {
        Self { purpose: Purpose::DeleteChannel { id, name }, input: LineInput::default(), note: None }
    }

    /// The download folder defaults to the current directory.
    pub fn download(task: String) -> Self {
        Self { purpose: Purpose::Download { task }, input: LineInput::new("."), note: None }
    }

    pub fn import() -> Self {
        Self { purpose: Purpose::Import, input: LineInput::default(), note: None }
    }

    pub fn schedule_at(
        current: Option<&str>,
        zone: crate::model::schedule::Zone,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Self { purpose: Purpose::ScheduleAt { zone, now }, input: LineInput::new(current.unwrap_or("")), note: None }
    }

    /// Why the text typed is not a moment (checked as it is typed).
    fn moment_error(&self) -> Option<String> {
        let Purpose::ScheduleAt { zone, now } = &self.purpose else { return None };
        let text = self.input.text();
        if text.trim().is_empty() {
            return None;
        }
        crate::model::schedule::parse_moment(Some(&text), zone, *now).err()
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        vec![Ctx::Prompt, Ctx::TextInput]
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>) -> Outcome {
        let text = self.input.text();
        match cmd {
            Cmd::Back => Outcome::close(),
            Cmd::Activate => match &self.purpose {
                Purpose::DeleteChannel { id, name } if text == *name => {
                    Outcome::event(Event::Answer(Answer::DeleteChannel(id.clone()))).closing()
                }
                Purpose::DeleteChannel { .. } => {
                    self.note = Some("type the channel's name exactly to delete it".into());
                    Outcome::none()
                }
                Purpose::Download { .. } if text.trim().is_empty() => {
                    self.note = Some("type a folder (. is the current directory)".into());
                    Outcome::none()
                }
                Purpose::Download { task } => {
                    let answer = Answer::DownloadTo { task: task.clone(), dir: text.trim().to_string() };
                    Outcome::event(Event::Answer(answer)).closing()
                }
                Purpose::Import if text.trim().is_empty() => {
                    self.note = Some("type the path of a file".into());
                    Outcome::none()
                }
                Purpose::Import => Outcome::event(Event::Answer(Answer::ImportFrom(text.trim().to_string()))).closing(),
                Purpose::ScheduleAt { .. } => match self.moment_error() {
                    Some(why) => {
                        self.note = Some(why);
                        Outcome::none()
                    }
                    None => {
                        let at = (!text.trim().is_empty()).then(|| text.trim().to_string());
                        Outcome::event(Event::Answer(Answer::ScheduleAt(at))).closing()
                    }
                },
            },
            _ => {
                if apply_edit(&mut self.input, cmd, c) {
                    // a moment is checked as it is typed; other notes go
                    self.note = self.moment_error();
                }
                Outcome::none()
            }
        }
    }

    pub fn paste(&mut self, text: &str) {
        let _ = self.input.paste(text, |c| !c.is_control(), 4096);
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme) {
        let (title, question, action) = match &self.purpose {
            Purpose::DeleteChannel { name, .. } => (
                "Delete channel",
                format!(
                    "This deletes the channel {} on the backend; Telegram's webhook keeps pointing at it until it is deleted too. Type its name to confirm:",
                    clean(name)
                ),
                "[Enter] delete   [Esc] keep it",
            ),
            Purpose::Import => (
                "Import drafts",
                "An export zip or one of its CSV files (one draft per channel, secrets empty), or a channel document (JSON). Path:".to_string(),
                "[Enter] import   [Esc] cancel",
            ),
            Purpose::ScheduleAt { zone, .. } => (
                "What customers get at",
                format!(
                    "A time in {}: 14:30, a weekday and a time (Sat 10:00) or an instant (2026-12-05T10:00:00Z); empty: now.",
                    zone.name()
                ),
                "[Enter] show   [Esc] cancel",
            ),
            Purpose::Download { .. } => (
                "Download the export",
                "Download into this folder (the file is chanwiz-export-<task>.zip; an existing file is never overwritten: a new name is taken):".to_string(),
                "[Enter] download   [Esc] later",
            ),
        };
        let inner = frame_box(frame, 66, 10, title);
        let (text, col) = self.input.view(usize::from(inner.width).saturating_sub(4), None);
        let mut lines: Vec<Line> = wrap(&question, usize::from(inner.width)).into_iter().map(Line::raw).collect();
        let input_line = lines.len() as u16;
        lines.push(Line::raw(format!("  {}", clean(&text))));
        lines.push(Line::raw(""));
        if let Some(n) = &self.note {
            lines.push(Line::styled(n.clone(), theme.warn()));
        }
        lines.push(Line::styled(action, theme.key()));
        frame.render_widget(Paragraph::new(lines), inner);
        frame.set_cursor_position(Position { x: inner.x + 2 + col as u16, y: inner.y + input_line });
    }
}
