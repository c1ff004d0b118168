//! Home: local drafts and, when the backend answers, its channels.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::drafts::Draft;
use crate::model::ChannelDocument;
use crate::sanitize::clean;
use crate::tui::keymap::{Cmd, Ctx};
use crate::tui::msg::{Effect, Event, Outcome};
use crate::tui::popups::{Confirm, Popup};
use crate::tui::state::{RowStatus, Shared};
use crate::tui::text::fit;
use crate::tui::theme::{MARKER, NO_MARKER, Theme};

#[derive(Debug, Default)]
pub struct Home {
    /// Index into the drafts, then the channels.
    pub selected: usize,
}

fn len(shared: &Shared) -> usize {
    shared.drafts.rows.len() + shared.channels.len()
}

impl Home {
    /// The home keys that do something now (Enter only on a row, ↑↓ only
    /// with rows to move between).
    pub fn contexts(&self, shared: &Shared) -> Vec<Ctx> {
        // the screen's own keys first (n new), then what the row takes
        let mut out = vec![Ctx::Home];
        let drafts = shared.drafts.rows.len();
        if self.selected < drafts {
            out.push(Ctx::HomeDraft);
        } else if self.selected - drafts < shared.channels.len() {
            out.push(Ctx::HomeChannel);
        }
        if len(shared) > 1 {
            out.push(Ctx::HomeList);
        }
        out
    }

    /// Keep the selection on the list after it changed.
    pub fn clamp(&mut self, shared: &Shared) {
        self.selected = self.selected.min(len(shared).saturating_sub(1));
    }

    pub fn update(&mut self, cmd: Cmd, shared: &mut Shared) -> Outcome {
        let drafts = &shared.drafts.rows;
        match cmd {
            Cmd::Up => self.selected = self.selected.saturating_sub(1),
            Cmd::Down if self.selected + 1 < len(shared) => self.selected += 1,
            Cmd::NewDraft => {
                return Outcome::event(Event::OpenWizard(Box::new(Draft::new(ChannelDocument::default()))));
            }
            Cmd::Activate => {
                let i = self.selected;
                if let Some(d) = drafts.get(i) {
                    return Outcome::effect(Effect::OpenDraft(d.id.clone()));
                }
                if let Some(c) = i.checked_sub(drafts.len()).and_then(|j| shared.channels.get(j)) {
                    return Outcome::event(Event::EditChannel(c.id.clone()));
                }
            }
            Cmd::Integration => {
                if let Some(c) = self.selected.checked_sub(drafts.len()).and_then(|j| shared.channels.get(j)) {
                    return Outcome::effect(Effect::OpenIntegration(c.id.clone()));
                }
            }
            Cmd::DeleteItem => {
                if let Some(d) = drafts.get(self.selected) {
                    let popup = Popup::Confirm(Confirm::delete_draft(d.id.clone(), d.name.clone()));
                    return Outcome::event(Event::OpenPopup(popup));
                }
            }
            Cmd::Refresh => return Outcome::none().with_effects([Effect::LoadDrafts, Effect::RefreshBackend]),
            Cmd::Quit => return Outcome::event(Event::Quit),
            Cmd::Channels => return Outcome::event(Event::Channels),
            Cmd::Import => {
                let popup = Popup::Prompt(crate::tui::popups::prompt::Prompt::import());
                return Outcome::event(Event::OpenPopup(popup));
            }
            _ => {}
        }
        Outcome::none()
    }

    pub fn on_answer(&mut self, answer: crate::tui::msg::Answer) -> Outcome {
        match answer {
            crate::tui::msg::Answer::ImportFrom(path) => Outcome::effect(Effect::ImportDrafts(path)),
            _ => Outcome::none(),
        }
    }

    pub fn render(&self, shared: &Shared, frame: &mut Frame, area: Rect, theme: &Theme) {
        let drafts = &shared.drafts;
        let mut lines: Vec<Line> = vec![
            Line::from(Span::styled(" chanwiz · Telegram customer-service channels", theme.title())),
            Line::raw(""),
        ];
        for p in &drafts.problems {
            // a file's path is kept whole: the problem goes on under itself
            let wrap_w = usize::from(area.width).saturating_sub(5);
            for (i, chunk) in crate::tui::text::wrap(&clean(p), wrap_w).into_iter().enumerate() {
                let lead = if i == 0 { "  ! " } else { "    " };
                lines.push(Line::from(Span::styled(format!("{lead}{chunk}"), theme.warn())));
            }
        }
        lines.push(Line::from(Span::styled("  Drafts", theme.title())));
        let mut selected_line = 0;
        if !drafts.loaded && drafts.rows.is_empty() {
            lines.push(Line::from(Span::styled("    loading drafts…", theme.dim())));
        } else if drafts.rows.is_empty() {
            lines.push(Line::from(Span::styled("    no drafts yet: press n to configure a new channel", theme.dim())));
        }
        let name_w = usize::from(area.width).saturating_sub(48).clamp(12, 40);
        let mut offline_note = false;
        for (i, d) in drafts.rows.iter().enumerate() {
            let selected = i == self.selected;
            if selected {
                selected_line = lines.len();
            }
            let name = if d.name.is_empty() { "(unnamed)".to_string() } else { clean(&d.name).into_owned() };
            // an edit of a backend channel says so (a new channel says nothing)
            let name = if d.channel_id.is_some() { format!("{name} (edit)") } else { name };
            let status = d.status(shared.catalogue.as_ref());
            offline_note |= status == RowStatus::ValidOffline;
            let status = match status {
                RowStatus::Errors(_) => Span::styled(format!("✗ {}", status.short()), theme.error()),
                _ => Span::styled(format!("✓ {}", status.short()), theme.ok()),
            };
            let row = format!("{}  step {}/4  {}  ", fit(&name, name_w), d.step, d.updated.format("%Y-%m-%d %H:%M"));
            lines.push(Line::from(vec![
                Span::raw(if selected { MARKER } else { NO_MARKER }),
                Span::styled(row, if selected { theme.focus() } else { Default::default() }),
                status,
            ]));
        }
        if offline_note {
            let wrap_w = usize::from(area.width).saturating_sub(5);
            for chunk in crate::tui::text::wrap(RowStatus::OFFLINE_NOTE, wrap_w) {
                lines.push(Line::from(Span::styled(format!("    {chunk}"), theme.dim())));
            }
        }
        if !shared.channels.is_empty() {
            lines.push(Line::raw(""));
            let shown = shared.channels.len() as u64;
            let title = if shared.channels_total > shown {
                format!(
                    "  Channels on the backend: the {shown} last updated of {} (c lists them all)",
                    shared.channels_total
                )
            } else {
                "  Channels on the backend (Enter edits, c lists them)".to_string()
            };
            lines.push(Line::from(Span::styled(title, theme.title())));
            for (j, c) in shared.channels.iter().enumerate() {
                let selected = drafts.rows.len() + j == self.selected;
                if selected {
                    selected_line = lines.len();
                }
                let row =
                    format!("{}  v{}  {}", fit(&clean(&c.name), name_w), c.version, c.updated.format("%Y-%m-%d %H:%M"));
                lines.push(Line::from(vec![
                    Span::raw(if selected { MARKER } else { NO_MARKER }),
                    Span::styled(row, if selected { theme.focus() } else { Default::default() }),
                ]));
            }
        }
        let height = usize::from(area.height);
        let top = selected_line.saturating_sub(height.saturating_sub(2));
        let visible: Vec<Line> = lines.into_iter().skip(top).take(height).collect();
        frame.render_widget(Paragraph::new(visible), area);
    }
}
