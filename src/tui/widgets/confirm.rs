//! Questions that need an answer: quit with unsaved changes, delete a draft.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::popup::frame_box;
use crate::sanitize::clean;
use crate::tui::state::Popup;
use crate::tui::theme::Theme;

pub fn render(popup: &Popup, frame: &mut Frame, theme: &Theme) {
    let (title, question, answers) = match popup {
        Popup::ConfirmQuit => (
            "Quit",
            "The draft has unsaved changes.".to_string(),
            "[s] save and quit   [d] discard changes   [c] cancel",
        ),
        Popup::ConfirmDelete { name, .. } => {
            let name = if name.is_empty() { "(unnamed)".to_string() } else { clean(name).into_owned() };
            ("Delete draft", format!("Delete the draft {name}? This cannot be undone."), "[y] delete   [n] keep")
        }
        Popup::ConfirmReplace { current } => (
            "Replace the bot's webhook?",
            format!(
                "This bot's webhook points to {}. Telegram keeps one webhook per bot: replacing it takes the bot's messages away from there.",
                clean(current)
            ),
            "[y] replace it   [n] keep it",
        ),
        Popup::Conflict { current, fields } => (
            "The channel changed on the server",
            format!(
                "It is now at version {} (updated {}). Fields that differ from your edit: {}.",
                current.version,
                current.updated.format("%Y-%m-%d %H:%M UTC"),
                if fields.is_empty() {
                    "none".to_string()
                } else {
                    fields.iter().map(|f| clean(f).into_owned()).collect::<Vec<_>>().join(", ")
                }
            ),
            "[o] overwrite with yours  [r] take theirs  [c] later",
        ),
        Popup::ConfirmWebhookDelete => (
            "Delete the webhook?",
            "Telegram will stop delivering this bot's messages to the channel until a webhook is set again."
                .to_string(),
            "[y] delete   [n] keep",
        ),
        _ => return,
    };
    let inner = frame_box(frame, 64, 10, title);
    let lines = vec![Line::raw(question), Line::raw(""), Line::from(Span::styled(answers, theme.key()))];
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
