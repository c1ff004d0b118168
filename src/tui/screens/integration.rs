//! Channel Integration: the integration URL (copy with y), then the bot
//! token registered with Telegram as the channel's webhook (steps 6–8 of
//! the AICC procedure) — checks first, each step's result as it comes. Its
//! inputs are fields of the one field table ([`IntegrationInputs`]), drawn
//! by the same row renderer as the wizard's.

use std::time::Instant;

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::Channel;
use crate::integration::{IntegrationInfo, Options, Replace};
use crate::sanitize::clean;
use crate::tui::form::{self as fields, FieldId, IntegrationInputs, Kind};
use crate::tui::keymap::{Cmd, Ctx};
use crate::tui::msg::{Answer, Effect, Event, IntegrationFailure, Outcome, TelegramOp};
use crate::tui::popups::{Confirm, Popup};
use crate::tui::screens::wizard::apply_edit;
use crate::tui::state::{Level, Shared};
use crate::tui::text::{truncate, wrap};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::widgets::line_input::LineInput;
use crate::tui::widgets::row::{self, ValueCx};

/// The items of the page, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntItem {
    Url,
    Field(FieldId),
    Register,
    Rotate,
    Status,
    Delete,
}

pub const ITEMS: [IntItem; 9] = [
    IntItem::Url,
    IntItem::Field(FieldId::BotToken),
    IntItem::Field(FieldId::PublicAddress),
    IntItem::Field(FieldId::AllowedUpdates),
    IntItem::Field(FieldId::DropPending),
    IntItem::Register,
    IntItem::Rotate,
    IntItem::Status,
    IntItem::Delete,
];

impl IntItem {
    /// One line of guidance shown while the item is focused.
    pub fn hint(self) -> &'static str {
        match self {
            IntItem::Url => "Enter or y copies the URL (OSC 52: works over SSH and inside tmux).",
            IntItem::Field(id) => fields::spec::<IntegrationInputs>(id).hint,
            IntItem::Register => {
                "Checks, getMe, setWebhook with the channel's secret, getWebhookInfo; then the token is stored."
            }
            IntItem::Rotate => {
                "The token typed replaces the stored one, with a fresh webhook secret; undone on failure."
            }
            IntItem::Status => "What Telegram reports for this bot's webhook now.",
            IntItem::Delete => "deleteWebhook: Telegram stops delivering to the channel (asks first).",
        }
    }
}

pub struct IntegrationPage {
    pub channel: Channel,
    /// Reached right after a submit (else from the channel list).
    pub just_saved: bool,
    /// The channel's integration details (webhook secret inside, never drawn).
    pub info: Option<IntegrationInfo>,
    pub load_error: Option<String>,
    pub focus: IntItem,
    pub inputs: IntegrationInputs,
    /// The editor of the focused text field.
    pub input: Option<LineInput>,
    pub reveal: bool,
    /// What each step reported, newest last.
    pub log: Vec<(Level, String)>,
    /// The pre-checks of the current inputs: the URL that would be
    /// registered, or every problem with its fix; None until the
    /// integration details arrive.
    pub checks: Option<Result<String, Vec<String>>>,
    pub busy: Option<Instant>,
}

impl IntegrationPage {
    pub fn new(channel: Channel, just_saved: bool) -> Self {
        Self {
            channel,
            just_saved,
            info: None,
            load_error: None,
            // y copies and q quits at once; Tab leads to the token
            focus: IntItem::Url,
            inputs: IntegrationInputs::default(),
            input: None,
            reveal: false,
            log: Vec::new(),
            checks: None,
            busy: None,
        }
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        let mut out = match self.focus {
            IntItem::Field(id) => fields::contexts_of(fields::spec::<IntegrationInputs>(id).kind, false),
            _ => vec![],
        };
        out.push(Ctx::Integration);
        out
    }

    fn focus_on(&mut self, item: IntItem) {
        self.focus = item;
        self.input = match item {
            IntItem::Field(id) => {
                let spec = fields::spec::<IntegrationInputs>(id);
                fields::takes_line_input(spec.kind, false).then(|| LineInput::new(&spec.text(&self.inputs)))
            }
            _ => None,
        };
        if !matches!(item, IntItem::Field(FieldId::BotToken)) {
            self.reveal = false;
        }
    }

    /// The bot token typed, trimmed (None while empty).
    pub fn bot_token(&self) -> Result<Option<crate::telegram::BotToken>, String> {
        let text = &self.inputs.token;
        if text.trim().is_empty() {
            return Ok(None);
        }
        crate::telegram::BotToken::parse(text).map(Some).map_err(|e| e.to_string())
    }

    pub fn options(&self, replace: Replace) -> Options {
        let public = self.inputs.public_url.trim();
        Options {
            public_address: (!public.is_empty()).then(|| public.to_string()),
            allowed_updates: self
                .inputs
                .allowed
                .split(',')
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
            drop_pending_updates: self.inputs.drop_pending,
            replace,
            ..Default::default()
        }
    }

    /// Run the checks Telegram's rules need after an input changed (they
    /// parse the endpoint certificate, so they run here, not per frame).
    pub fn recheck(&mut self) {
        self.checks = self.info.as_ref().map(|info| {
            let token = self.bot_token().ok().flatten();
            let options = self.options(Replace::Ask);
            crate::integration::plan(info, &options, token.as_ref())
                .map(|p| p.url)
                .map_err(|problems| problems.iter().map(|p| p.message.clone()).collect())
        });
    }

    pub fn on_loaded(&mut self, result: Result<IntegrationInfo, String>) {
        match result {
            Ok(info) => {
                if info.has_bot_token {
                    self.log.push((
                        Level::Info,
                        "a bot token is stored for this channel (type one to register again or replace it)".into(),
                    ));
                }
                self.info = Some(info);
                self.load_error = None;
                self.recheck();
            }
            Err(e) => self.load_error = Some(e),
        }
    }

    pub fn on_done(&mut self, result: Result<String, IntegrationFailure>) -> Outcome {
        self.busy = None;
        match result {
            Ok(summary) => self.log.push((Level::Info, summary)),
            Err(IntegrationFailure { message, webhook_elsewhere }) => {
                self.log.push((Level::Error, message));
                if let Some(current) = webhook_elsewhere {
                    return Outcome::event(Event::OpenPopup(Popup::Confirm(Confirm::replace_webhook(current))));
                }
            }
        }
        Outcome::none()
    }

    pub fn on_answer(&mut self, answer: Answer, shared: &Shared) -> Outcome {
        match answer {
            Answer::ReplaceWebhook(current) => self.telegram_op(TelegramOp::Connect, Replace::Only(current), shared),
            Answer::KeepWebhook => {
                self.log.push((Level::Warn, "the other webhook was kept: nothing changed".into()));
                Outcome::none()
            }
            Answer::DeleteWebhook => self.telegram_op(TelegramOp::Delete, Replace::Ask, shared),
            _ => Outcome::none(),
        }
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>, shared: &mut Shared) -> Outcome {
        let at = ITEMS.iter().position(|i| *i == self.focus).unwrap_or(0);
        let next = ITEMS[(at + 1) % ITEMS.len()];
        match cmd {
            Cmd::NextField | Cmd::Down => self.focus_on(next),
            Cmd::PrevField | Cmd::Up => self.focus_on(ITEMS[(at + ITEMS.len() - 1) % ITEMS.len()]),
            // back to the channel list (AICC's Follow-up Procedure starts there)
            Cmd::Back => return Outcome::event(Event::Channels),
            Cmd::Quit => return Outcome::event(Event::Quit),
            Cmd::Reveal => self.reveal ^= true,
            Cmd::Copy => return self.copy_url(shared),
            Cmd::Activate => match self.focus {
                IntItem::Url => return self.copy_url(shared),
                IntItem::Field(id) if fields::spec::<IntegrationInputs>(id).kind == Kind::Toggle => {
                    fields::spec::<IntegrationInputs>(id).flip(&mut self.inputs);
                    self.recheck();
                }
                IntItem::Register => return self.telegram_op(TelegramOp::Connect, Replace::Ask, shared),
                IntItem::Rotate => return self.telegram_op(TelegramOp::Rotate, Replace::Ask, shared),
                IntItem::Status => return self.telegram_op(TelegramOp::Status, Replace::Ask, shared),
                IntItem::Delete => {
                    if self.busy.is_none() {
                        return Outcome::event(Event::OpenPopup(Popup::Confirm(Confirm::delete_webhook())));
                    }
                }
                // Enter in a field moves on
                IntItem::Field(_) => self.focus_on(next),
            },
            Cmd::Insert if self.focus == IntItem::Field(FieldId::BotToken) && c.is_some_and(char::is_whitespace) => {
                shared.flash(Level::Warn, "a bot token has no spaces");
            }
            _ => {
                if let IntItem::Field(id) = self.focus
                    && let Some(input) = self.input.as_mut()
                    && apply_edit(input, cmd, c)
                {
                    let text = input.text();
                    fields::spec::<IntegrationInputs>(id).set_text(&mut self.inputs, text);
                    self.recheck();
                }
            }
        }
        Outcome::none()
    }

    pub fn paste(&mut self, text: &str) {
        if let IntItem::Field(id) = self.focus
            && let Some(input) = self.input.as_mut()
        {
            let token = id == FieldId::BotToken;
            input.paste(text.trim(), |c| !(token && c.is_whitespace()), 512);
            let text = input.text();
            fields::spec::<IntegrationInputs>(id).set_text(&mut self.inputs, text);
            self.recheck();
        }
    }

    fn copy_url(&mut self, shared: &mut Shared) -> Outcome {
        shared.flash(Level::Info, "integration URL copied (OSC 52)");
        Outcome::effect(Effect::Copy(self.channel.integration_url.clone()))
    }

    /// Start a Telegram operation, or say what is missing.
    fn telegram_op(&mut self, op: TelegramOp, replace: Replace, shared: &Shared) -> Outcome {
        if self.busy.is_some() {
            return Outcome::none();
        }
        let Some(info) = self.info.clone() else {
            let why =
                self.load_error.clone().unwrap_or_else(|| "the channel's integration details are still loading".into());
            self.log.push((Level::Error, format!("cannot reach Telegram yet: {why}")));
            return Outcome::none();
        };
        let token = match self.bot_token() {
            Ok(Some(t)) => t,
            Ok(None) => {
                self.focus_on(IntItem::Field(FieldId::BotToken));
                self.log.push((Level::Error, "type the bot token from @BotFather first".into()));
                return Outcome::none();
            }
            Err(e) => {
                self.focus_on(IntItem::Field(FieldId::BotToken));
                self.log.push((Level::Error, e));
                return Outcome::none();
            }
        };
        if let Some(w) = token.format_warning() {
            self.log.push((Level::Warn, w));
        }
        self.busy = Some(shared.instant);
        let options = self.options(replace);
        Outcome::effect(Effect::Telegram { op, info: Box::new(info), token, options: Box::new(options) })
    }

    pub fn render(&self, shared: &Shared, frame: &mut Frame, area: Rect, theme: &Theme, cursor_shown: bool) {
        let width = usize::from(area.width);
        let mut lines: Vec<Line> = Vec::new();
        let name = clean(&self.channel.document.basic.channel_name).into_owned();
        lines.push(Line::from(Span::styled(format!(" Channel Integration · {name}"), theme.title())));
        if self.just_saved {
            lines.push(Line::from(vec![
                Span::styled("  ✓ ", theme.ok()),
                Span::raw(format!("saved as channel {} (version {})", clean(&self.channel.id), self.channel.version)),
            ]));
        } else {
            lines.push(Line::from(Span::styled(format!("  channel {}", clean(&self.channel.id)), theme.dim())));
        }
        lines.push(Line::from(Span::styled("  url used to send message to agent (y copies)", theme.dim())));
        let url_focused = self.focus == IntItem::Url;
        let url = truncate(&clean(&self.channel.integration_url), width.saturating_sub(4));
        lines.push(Line::from(vec![
            Span::raw(if url_focused { MARKER } else { NO_MARKER }),
            Span::styled(url, if url_focused { theme.focus() } else { Default::default() }),
        ]));
        lines.push(Line::raw(""));
        let label_w = 18;
        let value_w = width.saturating_sub(label_w + 4);
        let cx = ValueCx { catalogue: shared.catalogue.as_ref(), reveal: self.reveal, stored_secret: false, theme };
        let mut cursor = None;
        for spec in fields::INTEGRATION {
            let focused = self.focus == IntItem::Field(spec.id);
            let input = self.input.as_ref().filter(|_| focused);
            let (value, col) = row::value(spec, &self.inputs, input, &cx, value_w);
            if let Some(col) = col {
                cursor = Some((lines.len(), 2 + label_w + 1 + col));
            }
            lines.push(row::row(focused, spec.label, label_w, value, theme));
        }
        let mut buttons = vec![Span::raw("  ")];
        for (item, text) in [
            (IntItem::Register, "[ Register ]"),
            (IntItem::Rotate, "[ Rotate token ]"),
            (IntItem::Status, "[ Status ]"),
            (IntItem::Delete, "[ Delete ]"),
        ] {
            let style = if self.focus == item { theme.focus() } else { theme.title() };
            buttons.push(Span::raw(if self.focus == item { "▸" } else { " " }));
            buttons.push(Span::styled(text, style));
            buttons.push(Span::raw(" "));
        }
        if self.busy.is_some() {
            buttons.push(Span::styled(" working…", theme.dim()));
        }
        lines.push(Line::from(buttons));
        // the pre-checks, as the fields change
        match (&self.load_error, &self.checks) {
            (Some(e), _) => lines.push(Line::from(Span::styled(format!("  ✗ {}", clean(e)), theme.error()))),
            (None, None) => {
                lines.push(Line::from(Span::styled("  loading the channel's integration details…", theme.dim())))
            }
            (None, Some(Ok(url))) => lines.push(Line::from(vec![
                Span::styled("  ✓ webhook URL ", theme.ok()),
                Span::raw(truncate(&clean(url), width.saturating_sub(18))),
            ])),
            (None, Some(Err(problems))) => {
                for p in problems {
                    for (i, chunk) in wrap(&clean(p), width.saturating_sub(6)).into_iter().enumerate() {
                        let lead = if i == 0 { "  ✗ " } else { "    " };
                        lines.push(Line::from(Span::styled(format!("{lead}{chunk}"), theme.error())));
                    }
                }
            }
        }
        if let Ok(Some(token)) = self.bot_token()
            && let Some(w) = token.format_warning()
        {
            lines.push(Line::from(Span::styled(format!("  ! {}", clean(&w)), theme.warn())));
        }
        // the log of what Telegram and the backend answered, newest at the bottom
        let room = usize::from(area.height).saturating_sub(lines.len() + 1);
        let mut log_lines: Vec<Line> = Vec::new();
        for (level, text) in &self.log {
            let (mark, style) = match level {
                Level::Info => ("✓ ", theme.ok()),
                Level::Warn => ("! ", theme.warn()),
                Level::Error => ("✗ ", theme.error()),
            };
            for (i, chunk) in wrap(&clean(text), width.saturating_sub(6)).into_iter().enumerate() {
                log_lines.push(Line::from(vec![
                    Span::styled(if i == 0 { format!("  {mark}") } else { "    ".into() }, style),
                    Span::raw(chunk),
                ]));
            }
        }
        if !log_lines.is_empty() && room > 0 {
            lines.push(Line::raw(""));
            let skip = log_lines.len().saturating_sub(room.saturating_sub(1));
            lines.extend(log_lines.into_iter().skip(skip));
        }
        let height = usize::from(area.height);
        frame.render_widget(Paragraph::new(lines.into_iter().take(height).collect::<Vec<_>>()), area);
        if cursor_shown
            && let Some((line, col)) = cursor
            && line < height
        {
            frame.set_cursor_position(Position { x: area.x + col as u16, y: area.y + line as u16 });
        }
    }
}
