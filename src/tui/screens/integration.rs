//! Channel Integration: the integration URL (copy with y), then the bot
//! token registered with Telegram as the channel's webhook (steps 6–8 of
//! the AICC procedure) — checks first, each step's result as it comes. Its
//! inputs are fields of the one field table ([`IntegrationInputs`]), drawn
//! by the same row renderer as the wizard's.
//!
//! The page starts from the backend's state: the public address stored with
//! the channel is prefilled, and the webhook's state (which the backend asks
//! Telegram for with the token it holds) is loaded at once and on Status,
//! with what it means ([`crate::integration::diagnose`]): no token is typed
//! to look. The integration URL is drawn whole, over as many full-width
//! lines as it needs, so that it can be selected with the mouse.
//!
//! The page scrolls below its title (PgDn, PgUp) rather than cut anything:
//! every step's report is kept whole, the newest report's first warning
//! leads the view after the steps ran, and the last row says how much is
//! above and below and how many warnings or errors that hides.

use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::Channel;
use crate::integration::{BackendStatus, IntegrationInfo, Options, Replace, Verdict};
use crate::sanitize::clean;
use crate::tui::form::{self as fields, FieldId, IntegrationInputs, Kind};
use crate::tui::keymap::{Cmd, Ctx};
use crate::tui::msg::{Answer, Effect, Event, IntegrationFailure, Outcome, TelegramOp};
use crate::tui::popups::{Confirm, Popup};
use crate::tui::screens::delivery::{DeliveryTest, Progress};
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

/// The buttons, left to right.
const BUTTONS: [IntItem; 4] = [IntItem::Register, IntItem::Rotate, IntItem::Status, IntItem::Delete];

impl IntItem {
    /// One line of guidance shown while the item is focused.
    pub fn hint(self) -> &'static str {
        match self {
            IntItem::Url => "y copies (OSC 52; tmux: set-clipboard on), or select the URL with the mouse.",
            IntItem::Field(id) => fields::spec::<IntegrationInputs>(id).hint,
            IntItem::Register => "Checks, getMe, setWebhook, getWebhookInfo; only then is the token stored.",
            IntItem::Rotate => "Replaces the stored token, with a fresh webhook secret; undone on failure.",
            IntItem::Status => "The backend asks Telegram now with the token it holds (none typed here).",
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
    /// The webhook's state from the backend, with its diagnosis.
    pub status: Option<BackendStatus>,
    /// Why the backend could not answer the webhook's state.
    pub status_error: Option<String>,
    /// The backend is being asked for the webhook's state.
    pub status_busy: bool,
    /// A field was changed since the page opened (until then a working
    /// webhook is not shown beside red checks).
    pub edited: bool,
    /// The last operation asked for, to run again once a move or a switch
    /// of bots is confirmed.
    pub last_op: Option<TelegramOp>,
    /// Confirmed: move the bot here from its other channel.
    pub move_bot: bool,
    /// Confirmed: switch to the token's other bot.
    pub other_bot: bool,
    /// The live delivery test (t), running or its outcome.
    pub test: Option<DeliveryTest>,
    /// How long the delivery test waits for a message.
    pub delivery_timeout: Duration,
    /// The first line shown, once the user scrolled (PgDn, PgUp); None
    /// follows what `follow` says.
    pub scroll: Option<usize>,
    /// What the page keeps in view until the user scrolls: the focused item
    /// (after a move) or the newest report (after a step reported).
    pub follow: Follow,
    /// The log entry the newest report begins with.
    pub report_from: usize,
    /// The inputs of the Register running now, then of the last one that
    /// succeeded: Enter on Register with the same inputs asks again first.
    pub registering: Option<IntegrationInputs>,
    pub registered: Option<IntegrationInputs>,
    /// Enter on Register was pressed with the registered inputs: the next
    /// Enter registers once more.
    pub again: bool,
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
            status: None,
            status_error: None,
            status_busy: false,
            edited: false,
            last_op: None,
            move_bot: false,
            other_bot: false,
            test: None,
            delivery_timeout: crate::tui::screens::delivery::timeout_from_env(),
            scroll: None,
            follow: Follow::Focus,
            report_from: 0,
            registering: None,
            registered: None,
            again: false,
        }
    }

    /// Start the live delivery test (t): wait for a message sent to the
    /// bot. None while one runs.
    pub fn start_test(&mut self) -> Option<Effect> {
        if self.test.as_ref().is_some_and(DeliveryTest::running) {
            return None;
        }
        let (test, effect) = DeliveryTest::start(&self.channel.id, self.delivery_timeout);
        self.test = Some(test);
        self.scroll = None;
        self.follow = Follow::Bottom;
        Some(effect)
    }

    /// What the running delivery test reports.
    pub fn on_test(&mut self, generation: u64, progress: Progress, now: Instant) {
        let Some(test) = self.test.as_mut() else { return };
        let current = test.generation == generation && test.running();
        // the state the test ended on is the newest: it replaces the one shown
        if current && let Progress::Nothing { status: Some(status), .. } = &progress {
            self.status = Some((**status).clone());
            self.status_error = None;
        }
        test.on_progress(generation, progress, now);
    }

    pub fn contexts(&self, shared: &Shared) -> Vec<Ctx> {
        let mut out = match self.focus {
            IntItem::Field(id) => {
                fields::contexts_shown(fields::spec::<IntegrationInputs>(id).kind, false, self.reveal)
            }
            // the buttons stand in one row: ← → move along it
            _ if BUTTONS.contains(&self.focus) => vec![Ctx::IntegrationButtons],
            _ => vec![],
        };
        if self.test.as_ref().is_some_and(DeliveryTest::running) {
            out.insert(0, Ctx::DeliveryWaiting);
        }
        out.push(Ctx::Integration);
        let (total, top, view) = self.extent(shared);
        if top + view < total {
            out.push(Ctx::IntegrationDown);
        }
        if top > 0 {
            out.push(Ctx::IntegrationUp);
        }
        out
    }

    /// A line of the report: the page shows the newest report again.
    pub fn note(&mut self, (level, text): (Level, String)) {
        self.log.push((level, text));
        self.scroll = None;
        self.follow = Follow::Report;
    }

    fn focus_on(&mut self, item: IntItem) {
        self.focus = item;
        self.scroll = None;
        self.follow = Follow::Focus;
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
            move_bot: self.move_bot,
            other_bot: self.other_bot,
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

    /// The integration details arrived: the stored public address is
    /// prefilled, and the webhook's state asked of the backend.
    pub fn on_loaded(&mut self, result: Result<IntegrationInfo, String>) -> Outcome {
        match result {
            Ok(info) => {
                if self.inputs.public_url.trim().is_empty()
                    && let Some(p) = &info.public_address
                {
                    self.inputs.public_url = p.clone();
                    if self.focus == IntItem::Field(FieldId::PublicAddress) {
                        self.focus_on(self.focus);
                    }
                }
                let has_token = info.has_bot_token;
                self.info = Some(info);
                self.load_error = None;
                self.recheck();
                if has_token {
                    self.status_busy = true;
                    return Outcome::effect(Effect::LoadWebhookState {
                        channel: self.channel.id.clone(),
                        refresh: false,
                    });
                }
            }
            Err(e) => self.load_error = Some(e),
        }
        Outcome::none()
    }

    /// The webhook's state from the backend.
    pub fn on_status(&mut self, result: Result<BackendStatus, String>) {
        self.status_busy = false;
        match result {
            Ok(status) => {
                self.status = Some(status);
                self.status_error = None;
            }
            Err(e) => self.status_error = Some(e),
        }
    }

    /// Ask the backend for the webhook's state now (it asks Telegram).
    fn refresh_status(&mut self) -> Outcome {
        if self.status_busy {
            return Outcome::none();
        }
        self.status_busy = true;
        Outcome::effect(Effect::LoadWebhookState { channel: self.channel.id.clone(), refresh: true })
    }

    pub fn on_done(&mut self, result: Result<String, IntegrationFailure>) -> Outcome {
        self.busy = None;
        match result {
            Ok(mut summary) => {
                // the next step after a registration: see a message arrive
                if self.last_op == Some(TelegramOp::Connect) {
                    summary.push_str(" (t tests delivery)");
                }
                // a rotation or a deletion leaves nothing "already registered"
                self.registered = self.registering.take().filter(|_| self.last_op == Some(TelegramOp::Connect));
                self.note((Level::Info, summary));
                self.move_bot = false;
                self.other_bot = false;
                // the page shows the state the backend now sees
                self.status_busy = false;
                return self.refresh_status();
            }
            Err(IntegrationFailure { message, webhook_elsewhere, bot_in_use, other_bot }) => {
                self.note((Level::Error, message));
                if let Some(current) = webhook_elsewhere {
                    return Outcome::event(Event::OpenPopup(Popup::Confirm(Confirm::replace_webhook(current))));
                }
                if let Some((bot, channel)) = bot_in_use {
                    return Outcome::event(Event::OpenPopup(Popup::Confirm(Confirm::move_bot(bot, channel))));
                }
                if let Some((old, new)) = other_bot {
                    return Outcome::event(Event::OpenPopup(Popup::Confirm(Confirm::switch_bot(old, new))));
                }
            }
        }
        Outcome::none()
    }

    pub fn on_answer(&mut self, answer: Answer, shared: &Shared) -> Outcome {
        match answer {
            Answer::ReplaceWebhook(current) => {
                let op = self.last_op.unwrap_or(TelegramOp::Connect);
                self.telegram_op(op, Replace::Only(current), shared)
            }
            Answer::KeepWebhook => {
                self.note((Level::Warn, "the other webhook was kept: nothing changed".into()));
                Outcome::none()
            }
            Answer::DeleteWebhook => self.telegram_op(TelegramOp::Delete, Replace::Ask, shared),
            Answer::MoveBot => {
                self.move_bot = true;
                let op = self.last_op.unwrap_or(TelegramOp::Connect);
                self.telegram_op(op, Replace::Ask, shared)
            }
            Answer::SwitchBot => {
                self.other_bot = true;
                let op = self.last_op.unwrap_or(TelegramOp::Rotate);
                self.telegram_op(op, Replace::Ask, shared)
            }
            Answer::KeepBot => {
                self.note((Level::Warn, "the bot was kept where it is: nothing changed".into()));
                Outcome::none()
            }
            _ => Outcome::none(),
        }
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>, shared: &mut Shared) -> Outcome {
        let at = ITEMS.iter().position(|i| *i == self.focus).unwrap_or(0);
        let next = ITEMS[(at + 1) % ITEMS.len()];
        // a second Enter on Register must follow the first at once
        let again = std::mem::take(&mut self.again);
        match cmd {
            Cmd::NextField | Cmd::Down => self.focus_on(next),
            Cmd::PrevField | Cmd::Up => self.focus_on(ITEMS[(at + ITEMS.len() - 1) % ITEMS.len()]),
            // Esc while the delivery test waits stops it
            Cmd::Back if self.test.as_ref().is_some_and(DeliveryTest::running) => {
                return Outcome::none().with_effects(self.test.as_mut().and_then(DeliveryTest::stop));
            }
            Cmd::PageDown => self.scroll_page(shared, 1),
            Cmd::PageUp => self.scroll_page(shared, -1),
            Cmd::Left | Cmd::Right if BUTTONS.contains(&self.focus) => {
                let at = BUTTONS.iter().position(|b| *b == self.focus).unwrap_or(0);
                // round the row, as Tab goes round the page
                let n = BUTTONS.len();
                let to = if cmd == Cmd::Left { (at + n - 1) % n } else { (at + 1) % n };
                self.focus_on(BUTTONS[to]);
            }
            Cmd::TestDelivery => return Outcome::none().with_effects(self.start_test()),
            // back to the channel list (AICC's Follow-up Procedure starts there)
            Cmd::Back => return Outcome::event(Event::Channels),
            Cmd::Quit => return Outcome::event(Event::Quit),
            Cmd::Reveal => self.reveal ^= true,
            Cmd::Copy => return self.copy_url(shared),
            Cmd::Activate => match self.focus {
                IntItem::Url => return self.copy_url(shared),
                IntItem::Field(id) if fields::spec::<IntegrationInputs>(id).kind == Kind::Toggle => {
                    fields::spec::<IntegrationInputs>(id).flip(&mut self.inputs);
                    self.edited = true;
                    self.recheck();
                }
                IntItem::Register
                    if !again && self.busy.is_none() && self.registered.as_ref() == Some(&self.inputs) =>
                {
                    self.again = true;
                    self.note((
                        Level::Warn,
                        "already registered with these inputs: Enter again registers once more (Telegram then keeps the same webhook)".into(),
                    ));
                }
                IntItem::Register => return self.telegram_op(TelegramOp::Connect, Replace::Ask, shared),
                IntItem::Rotate => return self.telegram_op(TelegramOp::Rotate, Replace::Ask, shared),
                IntItem::Status => {
                    // the answer ends the page: it is what is shown next
                    self.scroll = None;
                    self.follow = Follow::Bottom;
                    return self.refresh_status();
                }
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
                    self.edited = true;
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
            let _ = input.paste(text.trim(), |c| !(token && c.is_whitespace()), 512);
            let text = input.text();
            fields::spec::<IntegrationInputs>(id).set_text(&mut self.inputs, text);
            self.edited = true;
            self.recheck();
        }
    }

    /// The runtime says what the copy did (which depends on tmux).
    fn copy_url(&mut self, _shared: &mut Shared) -> Outcome {
        Outcome::effect(Effect::Copy(self.channel.integration_url.clone()))
    }

    /// What a copy did, said on the page (and in the status line).
    pub fn on_copied(&mut self, level: Level, text: String) {
        self.note((level, text));
    }

    /// Start a Telegram operation, or say what is missing.
    fn telegram_op(&mut self, op: TelegramOp, replace: Replace, shared: &Shared) -> Outcome {
        if self.busy.is_some() {
            return Outcome::none();
        }
        let Some(info) = self.info.clone() else {
            let why =
                self.load_error.clone().unwrap_or_else(|| "the channel's integration details are still loading".into());
            self.note((Level::Error, format!("cannot reach Telegram yet: {why}")));
            return Outcome::none();
        };
        let token = match self.bot_token() {
            Ok(Some(t)) => t,
            Ok(None) => {
                self.focus_on(IntItem::Field(FieldId::BotToken));
                self.note((Level::Error, "type the bot token from @BotFather first".into()));
                return Outcome::none();
            }
            Err(e) => {
                self.focus_on(IntItem::Field(FieldId::BotToken));
                self.note((Level::Error, e));
                return Outcome::none();
            }
        };
        if let Some(w) = token.format_warning() {
            self.note((Level::Warn, w));
        }
        self.last_op = Some(op);
        self.registering = (op == TelegramOp::Connect).then(|| self.inputs.clone());
        self.busy = Some(shared.instant);
        self.report_from = self.log.len();
        self.scroll = None;
        let options = self.options(replace);
        Outcome::effect(Effect::Telegram { op, info: Box::new(info), token, options: Box::new(options) })
    }

    /// The page's rows and message rows in the terminal (the message line
    /// shows the flash message, else the focused item's hint).
    fn body_size(&self, shared: &Shared) -> (u16, usize) {
        let (width, height) = shared.size;
        let message = shared.flash_message().map_or_else(|| self.focus.hint().to_string(), |(_, t)| t);
        let rows = crate::tui::screens::wizard::form::message_lines(&message, width).len().max(1);
        // the key bar, the message rows and the title row
        (width, usize::from(height).saturating_sub(2 + rows))
    }

    /// The first line shown of `page` in `height` rows: where the user
    /// scrolled to (PgDn, PgUp); else what [`Follow`] says.
    fn top(&self, page: &PageLines, height: usize) -> usize {
        let total = page.lines.len();
        let view = view_height(total, height);
        let max = total.saturating_sub(view);
        if let Some(top) = self.scroll {
            return top.min(max);
        }
        let top = match self.follow {
            // from the top, as far down as the focused item needs
            Follow::Focus => (page.focus + 1).saturating_sub(view),
            Follow::Bottom => max,
            Follow::Report => match page.report.and_then(|start| page.alerts.iter().find(|&&a| a >= start)) {
                Some(&alert) => alert.min(max),
                None => max,
            },
        };
        top.min(max)
    }

    /// (lines in all, first shown, lines shown) at the terminal's size.
    fn extent(&self, shared: &Shared) -> (usize, usize, usize) {
        let (width, height) = self.body_size(shared);
        let theme = Theme { color: shared.color };
        let page = self.lines(shared, width, &theme);
        let total = page.lines.len();
        (total, self.top(&page, height), view_height(total, height))
    }

    /// Scroll by a page (PgDn `1`, PgUp `-1`).
    fn scroll_page(&mut self, shared: &Shared, dir: isize) {
        let (total, top, view) = self.extent(shared);
        let step = view.saturating_sub(1).max(1) as isize;
        let max = total.saturating_sub(view);
        self.scroll = Some(top.saturating_add_signed(step * dir).min(max));
    }

    /// Every line of the page, nothing cut for want of rows (the page
    /// scrolls): header, URL, inputs, buttons, the webhook's state, the
    /// checks and the whole report of the steps run.
    fn lines(&self, shared: &Shared, width: u16, theme: &Theme) -> PageLines {
        let width = usize::from(width);
        let mut lines: Vec<Line<'static>> = Vec::new();
        let mut alerts = Vec::new();
        let mut focus_line = 0;
        if self.just_saved {
            lines.push(Line::from(vec![
                Span::styled("  ✓ ", theme.ok()),
                Span::raw(truncate(
                    &format!("saved as channel {} (version {})", clean(&self.channel.id), self.channel.version),
                    width.saturating_sub(5),
                )),
            ]));
        } else {
            lines.push(Line::from(Span::styled(format!("  channel {}", clean(&self.channel.id)), theme.dim())));
        }
        let url_focused = self.focus == IntItem::Url;
        if url_focused {
            focus_line = lines.len();
        }
        lines.push(Line::from(vec![
            Span::raw(if url_focused { MARKER } else { NO_MARKER }),
            Span::styled(
                truncate("url used to send message to agent (y copies):", width.saturating_sub(2)),
                if url_focused { theme.focus() } else { theme.dim() },
            ),
        ]));
        // the URL whole, over full-width lines from the first column, so a
        // mouse selection takes it and nothing else
        for chunk in url_lines(&clean(&self.channel.integration_url), width) {
            lines.push(Line::raw(chunk));
        }
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
            if focused {
                focus_line = lines.len();
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
        if self.busy.is_some() || self.status_busy {
            buttons.push(Span::styled(" working…", theme.dim()));
        }
        if !matches!(self.focus, IntItem::Url | IntItem::Field(_)) {
            focus_line = lines.len();
        }
        lines.push(Line::from(buttons));
        let wrap_w = width.saturating_sub(6);
        let mut push_wrapped = |lines: &mut Vec<Line<'static>>, lead: &'static str, text: &str, style| {
            if lead.contains('!') || lead.contains('✗') {
                alerts.push(lines.len());
            }
            for (i, chunk) in wrap(&clean(text), wrap_w).into_iter().enumerate() {
                let lead = if i == 0 { lead } else { "    " };
                lines.push(Line::from(vec![Span::styled(lead, style), Span::raw(chunk)]));
            }
        };
        let verdict = self.status.as_ref().map(|s| s.diagnosis.verdict);
        let working = matches!(verdict, Some(Verdict::Working | Verdict::Registered));
        // the pre-checks, as the fields change: a set webhook is not shown
        // beside checks of fields nobody touched, and no green tick stands
        // beside a webhook that does not work
        let troubled = verdict.is_some() && !working;
        match (&self.load_error, &self.checks) {
            (Some(e), _) => push_wrapped(&mut lines, "  ✗ ", e, theme.error()),
            (None, None) => {
                lines.push(Line::from(Span::styled("  loading the channel's integration details…", theme.dim())))
            }
            (None, Some(_)) if working && !self.edited => {}
            (None, Some(Ok(url))) if troubled => lines.push(Line::from(vec![
                Span::styled("  · checks pass: ", theme.dim()),
                Span::raw(truncate(&clean(url), width.saturating_sub(20))),
            ])),
            (None, Some(Ok(url))) => lines.push(Line::from(vec![
                Span::styled("  ✓ webhook URL ", theme.ok()),
                Span::raw(truncate(&clean(url), width.saturating_sub(18))),
            ])),
            (None, Some(Err(problems))) => {
                for p in problems {
                    push_wrapped(&mut lines, "  ✗ ", p, theme.error());
                }
            }
        }
        if let Ok(Some(token)) = self.bot_token()
            && let Some(w) = token.format_warning()
        {
            push_wrapped(&mut lines, "  ! ", &w, theme.warn());
        }
        // the report of what Telegram and the backend answered, whole,
        // then the webhook's state and the delivery test: the newest at the bottom
        let mut report = None;
        if !self.log.is_empty() {
            lines.push(Line::raw(""));
            if self.report_from == 0 {
                report = Some(lines.len() - 1);
            }
        }
        for (i, (level, text)) in self.log.iter().enumerate() {
            if i == self.report_from && i > 0 {
                report = Some(lines.len());
            }
            let (mark, style) = match level {
                Level::Info => ("  ✓ ", theme.ok()),
                Level::Warn => ("  ! ", theme.warn()),
                Level::Error => ("  ✗ ", theme.error()),
            };
            push_wrapped(&mut lines, mark, text, style);
        }
        // the webhook's state from the backend, with what it means: a green
        // tick only for a webhook that works (a delivery came through)
        if let Some(status) = &self.status {
            let (mark, style) = match status.diagnosis.verdict {
                Verdict::Working => ("  ✓ ", theme.ok()),
                Verdict::Registered => ("  · ", theme.ok()),
                Verdict::Warning | Verdict::NotSet => ("  ! ", theme.warn()),
                Verdict::Failing => ("  ✗ ", theme.error()),
            };
            push_wrapped(&mut lines, mark, &status.diagnosis.headline, style);
            for d in &status.diagnosis.details_at(shared.now) {
                push_wrapped(&mut lines, "    ", d, theme.dim());
            }
        } else if let Some(e) = &self.status_error {
            push_wrapped(
                &mut lines,
                "  ! ",
                &format!("the backend could not say how the webhook stands: {e}"),
                theme.warn(),
            );
        } else if self.status_busy {
            lines.push(Line::from(Span::styled("  asking the backend how the webhook stands…", theme.dim())));
        }
        // the live delivery test, or the offer of it once the webhook is set
        match &self.test {
            Some(test) => {
                for (level, headline, text) in test.lines(shared.instant) {
                    let (mark, style) = match (level, headline) {
                        (_, false) => ("    ", theme.dim()),
                        (Level::Info, true) => ("  ✓ ", theme.ok()),
                        (Level::Warn, true) => ("  … ", theme.warn()),
                        (Level::Error, true) => ("  ✗ ", theme.error()),
                    };
                    push_wrapped(&mut lines, mark, &text, style);
                }
            }
            None if working && self.log.is_empty() => push_wrapped(
                &mut lines,
                "  · ",
                "t tests delivery: send any message to the bot and see it reach the channel",
                theme.dim(),
            ),
            None => {}
        }
        PageLines { lines, cursor, focus: focus_line, report, alerts }
    }

    pub fn render(&self, shared: &Shared, frame: &mut Frame, area: Rect, theme: &Theme, cursor_shown: bool) {
        // the title stays; the rest scrolls below it
        let name = clean(&self.channel.document.basic.channel_name).into_owned();
        let title = Line::from(Span::styled(
            truncate(&format!(" Channel Integration · {name}"), usize::from(area.width)),
            theme.title(),
        ));
        frame.render_widget(Paragraph::new(title), Rect { height: area.height.min(1), ..area });
        let area = Rect { y: area.y + 1, height: area.height.saturating_sub(1), ..area };
        let page = self.lines(shared, area.width, theme);
        let height = usize::from(area.height);
        let total = page.lines.len();
        let top = self.top(&page, height);
        let view = view_height(total, height);
        let mut shown: Vec<Line> = page.lines.iter().skip(top).take(view).cloned().collect();
        if total > height {
            shown.push(more_mark(&page, top, view, usize::from(area.width), theme));
        }
        frame.render_widget(Paragraph::new(shown), area);
        if cursor_shown
            && let Some((line, col)) = page.cursor
            && (top..top + view).contains(&line)
        {
            frame.set_cursor_position(Position { x: area.x + col as u16, y: area.y + (line - top) as u16 });
        }
    }
}

/// What the Integration page keeps in view while the user has not scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Follow {
    /// The focused item (after a move).
    Focus,
    /// The page's end, unless a warning or error of the newest report
    /// would go out at the top: then that leads.
    Report,
    /// The page's end (the delivery test, which ends the page).
    Bottom,
}

/// The page's lines and what scrolling needs to know of them.
struct PageLines {
    lines: Vec<Line<'static>>,
    /// Where the cursor stands while a field is typed into (line, column).
    cursor: Option<(usize, usize)>,
    /// The focused item's line.
    focus: usize,
    /// Where the newest report begins.
    report: Option<usize>,
    /// The first line of each warning and error.
    alerts: Vec<usize>,
}

/// Lines shown at once of `total` in `height` rows: the last row is the
/// mark when the page does not fit.
fn view_height(total: usize, height: usize) -> usize {
    crate::tui::screens::wizard::review::view_height(total, height)
}

/// The last row of a page that does not fit: how much is below and above,
/// which key scrolls there, and how many warnings or errors are out of view
/// (a warning is never hidden without a word).
fn more_mark(page: &PageLines, top: usize, view: usize, width: usize, theme: &Theme) -> Line<'static> {
    let total = page.lines.len();
    let below = total.saturating_sub(top + view);
    let lines = |n: usize, more: &str| if n == 1 { format!("1 {more}line") } else { format!("{n} {more}lines") };
    let alerts = |n: usize| match n {
        0 => String::new(),
        1 => " (1 warning or error)".to_string(),
        n => format!(" ({n} warnings or errors)"),
    };
    let hidden_below = page.alerts.iter().filter(|&&a| a >= top + view).count();
    let hidden_above = page.alerts.iter().filter(|&&a| a < top).count();
    let mut parts = Vec::new();
    if below > 0 {
        parts.push(format!("↓ {} below{} · PgDn", lines(below, "more "), alerts(hidden_below)));
    }
    if top > 0 {
        parts.push(format!("↑ {} above{} · PgUp", lines(top, ""), alerts(hidden_above)));
    }
    let style = if hidden_below + hidden_above > 0 { theme.warn() } else { theme.dim() };
    Line::from(Span::styled(truncate(&format!("  {}", parts.join("   ")), width), style))
}

/// The URL cut into lines of exactly `width` columns (the last one
/// shorter), never at a space: it has none, and a selection across the
/// lines gives it back whole.
pub fn url_lines(url: &str, width: usize) -> Vec<String> {
    let width = width.max(8);
    let mut out = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for c in url.chars() {
        let w = crate::tui::text::width(c.encode_utf8(&mut [0; 4]));
        if used + w > width {
            out.push(std::mem::take(&mut line));
            used = 0;
        }
        line.push(c);
        used += w;
    }
    if !line.is_empty() || out.is_empty() {
        out.push(line);
    }
    out
}
