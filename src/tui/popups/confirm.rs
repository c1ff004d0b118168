//! Questions that need an answer: quit with unsaved changes, delete a draft,
//! replace or delete a webhook, an export. Each answer becomes an
//! [`Answer`] for the screen beneath (or, for a draft, the delete itself).

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::sanitize::clean;
use crate::tui::keymap::{Cmd, Ctx};
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
    /// Send the reviewed draft: `question` names the channel, the backend
    /// and the number of changes; `create` or update.
    Submit { question: String, create: bool },
}

pub struct Confirm {
    pub kind: Kind,
    /// The answer Enter gives (moved with Tab and the arrows); `None`: the
    /// last one, which never changes anything (keep, cancel).
    pub sel: Option<usize>,
}

impl Confirm {
    pub fn quit() -> Self {
        Self { kind: Kind::Quit, sel: None }
    }

    pub fn delete_draft(id: String, name: String) -> Self {
        Self { kind: Kind::DeleteDraft { id, name }, sel: None }
    }

    pub fn replace_webhook(current: String) -> Self {
        Self { kind: Kind::ReplaceWebhook { current }, sel: None }
    }

    pub fn delete_webhook() -> Self {
        Self { kind: Kind::DeleteWebhook, sel: None }
    }

    pub fn move_bot(bot: String, channel: crate::api::ChannelRef) -> Self {
        Self { kind: Kind::MoveBot { bot, channel }, sel: None }
    }

    pub fn switch_bot(old: String, new: String) -> Self {
        Self { kind: Kind::SwitchBot { old, new }, sel: None }
    }

    /// Enter gives "back to Review": only `y` sends, a key that means
    /// nothing on Review, so hurried Tab, Space or Enter never submit.
    pub fn submit(question: String, create: bool) -> Self {
        Self { kind: Kind::Submit { question, create }, sel: None }
    }

    pub fn export(what: String) -> Self {
        Self { kind: Kind::Export { what }, sel: None }
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        match self.kind {
            Kind::Submit { .. } => vec![Ctx::ConfirmSend],
            _ => vec![Ctx::Confirm],
        }
    }

    /// The answers offered, as (key, what it does), in the order shown.
    pub fn options(&self) -> Vec<(char, &'static str)> {
        self.texts()
            .2
            .split("   ")
            .filter_map(|o| {
                let o = o.trim().strip_prefix('[')?;
                let (k, label) = o.split_once(']')?;
                Some((k.chars().next()?, label.trim()))
            })
            .collect()
    }

    /// The answer Enter gives.
    pub fn selected(&self) -> usize {
        let n = self.options().len();
        self.sel.unwrap_or(n.saturating_sub(1)).min(n.saturating_sub(1))
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>) -> Outcome {
        let answer = |a: Answer| Outcome::event(Event::Answer(a)).closing();
        let n = self.options().len().max(1);
        let key = match (cmd, c) {
            (Cmd::Back, _) => None,
            (Cmd::Answer, Some(c)) => Some(c.to_ascii_lowercase()),
            (Cmd::NextField | Cmd::Right, _) => {
                self.sel = Some((self.selected() + 1) % n);
                return Outcome::none();
            }
            (Cmd::PrevField | Cmd::Left, _) => {
                self.sel = Some((self.selected() + n - 1) % n);
                return Outcome::none();
            }
            (Cmd::Activate, _) => self.options().get(self.selected()).map(|(k, _)| *k),
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
            (Kind::Submit { .. }, Some('y')) => answer(Answer::Submit),
            (Kind::Submit { .. }, None | Some('n')) => Outcome::close(),
            _ => Outcome::none(),
        }
    }

    /// Title, question and the answers line (`[k] label` separated by three spaces).
    fn texts(&self) -> (&'static str, String, &'static str) {
        match &self.kind {
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
            Kind::Submit { question, create: true } => {
                ("Create the channel?", question.clone(), "[y] create it   [n] back to Review")
            }
            Kind::Submit { question, create: false } => {
                ("Update the channel?", question.clone(), "[y] update it   [n] back to Review")
            }
            Kind::DeleteWebhook => (
                "Delete the webhook?",
                "Telegram will stop delivering this bot's messages to the channel until a webhook is set again."
                    .to_string(),
                "[y] delete   [n] keep",
            ),
        }
    }

    pub fn render(&self, frame: &mut Frame, theme: &Theme) {
        let (title, question, _) = self.texts();
        let inner = frame_box(frame, 64, 10, title);
        // the answer Enter gives stands out; each keeps its key
        let sel = self.selected();
        let mut answers = Vec::new();
        for (i, (k, label)) in self.options().into_iter().enumerate() {
            if i > 0 {
                answers.push(Span::raw("   "));
            }
            let style = if i == sel { theme.focus() } else { theme.key() };
            let text = if i == sel { format!("▸[{k}] {label}") } else { format!("[{k}] {label}") };
            answers.push(Span::styled(text, style));
        }
        let hint = match self.kind {
            Kind::Submit { .. } => "only y sends; Enter, n or Esc go back",
            _ => "Enter chooses ▸, Tab/←→ move",
        };
        let lines =
            vec![Line::raw(question), Line::raw(""), Line::from(answers), Line::from(Span::styled(hint, theme.dim()))];
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
    }
}
