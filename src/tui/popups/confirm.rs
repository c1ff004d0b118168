//! Questions that need an answer: quit with unsaved changes, delete a draft,
//! replace or delete a webhook, an export. Each answer becomes an
//! [`Answer`] for the screen beneath (or, for a draft, the delete itself).

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::sanitize::clean;
use crate::tui::keymap::Cmd;
use crate::tui::msg::{Answer, Effect, Event, Outcome};
use crate::tui::theme::Theme;
use crate::tui::widgets::popup::frame_box;

pub enum Kind {
    /// Quit with unsaved changes: save / discard / cancel.
    Quit,
    /// Delete the home screen's selected draft.
    DeleteDraft { id: String, name: String },
    /// The bot's webhook points elsewhere: replace it?
    ReplaceWebhook { current: String },
    /// Delete the bot's webhook?
    DeleteWebhook,
    /// The bot is bound to another channel of the tenant: move it here?
    MoveBot { bot: String, channel: crate::api::ChannelRef },
    /// The token is of another bot than the channel's: switch bots?
    SwitchBot { old: String, new: String },
    /// Start an export of what `what` says (how many, which).
    Export { what: String },
}

pub struct Confirm {
    pub kind: Kind,
}

impl Confirm {
    pub fn quit() -> Self {
        Self { kind: Kind::Quit }
    }

    pub fn delete_draft(id: String, name: String) -> Self {
        Self { kind: Kind::DeleteDraft { id, name } }
    }

    pub fn replace_webhook(current: String) -> Self {
        Self { kind: Kind::ReplaceWebhook { current } }
    }

    pub fn delete_webhook() -> Self {
        Self { kind: Kind::DeleteWebhook }
    }

    pub fn move_bot(bot: String, channel: crate::api::ChannelRef) -> Self {
        Self { kind: Kind::MoveBot { bot, channel } }
    }

    pub fn switch_bot(old: String, new: String) -> Self {
        Self { kind: Kind::SwitchBot { old, new } }
    }

    pub fn export(what: String) -> Self {
        Self { kind: Kind::Export { what } }
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>) -> Outcome {
        let answer = |a: Answer| Outcome::event(Event::Answer(a)).closing();
        let key = match (cmd, c) {
            (Cmd::Back, _) => None,
            (Cmd::Answer, Some(c)) => Some(c.to_ascii_lowercase()),
            _ => return Outcome::none(),
        };
        match (&self.kind, key) {
            (Kind::Quit, Some('s')) => answer(Answer::SaveAndQuit),
            (Kind::Quit, Some('d')) => Outcome::event(Event::QuitNow).closing(),
            (Kind::Quit, None | Some('c')) => Outcome::close(),
            (Kind::DeleteDraft { id, .. }, Some('y')) => Outcome::effect(Effect::DeleteDraft(id.clone())).closing(),
            (Kind::DeleteDraft { .. }, None | Some('n')) => Outcome::close(),
            (Kind::ReplaceWebhook { current }, Some('y')) => answer(Answer::ReplaceWebhook(current.clone())),
            (Kind::ReplaceWebhook { .. }, None | Some('n')) => answer(Answer::KeepWebhook),
            (Kind::DeleteWebhook, Some('y')) => answer(Answer::DeleteWebhook),
            (Kind::DeleteWebhook, None | Some('n')) => Outcome::close(),
            (Kind::MoveBot { .. }, Some('y')) => answer(Answer::MoveBot),
            (Kind::MoveBot { .. }, None | Some('n')) => answer(Answer::KeepBot),
            (Kind::SwitchBot { .. }, Some('y')) => answer(Answer::SwitchBot),
            (Kind::SwitchBot { .. }, None | Some('n')) => answer(Answer::KeepBot),
            (Kind::Export { .. }, Some('y')) => answer(Answer::Export),
            (Kind::Export { .. }, None | Some('n')) => Outcome::close(),
            _ => Outcome::none(),
        }
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme) {
        let (title, question, answers) = match &self.kind {
            Kind::Quit => (
                "Quit",
                "The draft has unsaved changes.".to_string(),
                "[s] save and quit   [d] discard changes   [c] cancel",
            ),
            Kind::DeleteDraft { name, .. } => {
                let name = if name.is_empty() { "(unnamed)".to_string() } else { clean(name).into_owned() };
                ("Delete draft", format!("Delete the draft {name}? This cannot be undone."), "[y] delete   [n] keep")
            }
            Kind::ReplaceWebhook { current } => (
                "Replace the bot's webhook?",
                format!(
                    "This bot's webhook points to {}. Telegram keeps one webhook per bot: replacing it takes the bot's messages away from there.",
                    clean(current)
                ),
                "[y] replace it   [n] keep it",
            ),
            Kind::Export { what } => (
                "Export channels",
                format!(
                    "Export {what}: Basic and Robot configuration, at most 2,000 records a CSV file, in one zip. Keys, secrets and certificates are never exported."
                ),
                "[y] export   [n] cancel",
            ),
            Kind::MoveBot { bot, channel } => (
                "Move the bot to this channel?",
                format!(
                    "Bot {} is bound to channel {} ({}). Telegram keeps one webhook per bot: moving it here takes that channel's messages, and its bot token is cleared.",
                    clean(bot),
                    clean(&channel.name),
                    clean(&channel.id)
                ),
                "[y] move it here   [n] keep it there",
            ),
            Kind::SwitchBot { old, new } => (
                "Switch to another bot?",
                format!(
                    "This token is of another bot: {} → {}. Customers who write to {} no longer reach this channel; its webhook is deleted once the new one works.",
                    clean(old),
                    clean(new),
                    clean(old)
                ),
                "[y] switch bots   [n] keep the bot",
            ),
            Kind::DeleteWebhook => (
                "Delete the webhook?",
                "Telegram will stop delivering this bot's messages to the channel until a webhook is set again."
                    .to_string(),
                "[y] delete   [n] keep",
            ),
        };
        let inner = frame_box(frame, 64, 10, title);
        let lines = vec![Line::raw(question), Line::raw(""), Line::from(Span::styled(answers, theme.key()))];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
