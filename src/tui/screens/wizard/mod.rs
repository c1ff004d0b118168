//! The Configure Channel wizard: the one owner of the draft it edits. Every
//! change of the draft (its document and its metadata, the Idempotency-Key
//! included) happens here or through the methods popups call on it; the
//! runtime only carries out the [`Effect`]s and reports back.
//!
//! Saving: each change bumps `revision`; a save carries the revision it
//! wrote and the runtime answers with it, so what is on disk is always
//! known. A failed save keeps everything in memory, shows "not saved", and
//! is retried with backoff; leaving the page or quitting waits for the save
//! and, when it fails, asks (retry / write to a file / discard).

pub mod form;
pub mod page;
pub mod review;
pub mod schedule;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::super::choices;
use super::super::form::{self as fields, FieldId, Kind, Step};
use super::super::keymap::{Cmd, Ctx};
use super::super::msg::{Answer, Effect, Event, Outcome, SubmitError};
use super::super::popups::{self, Confirm, Popup, SaveFailed};
use super::super::state::{Level, Shared};
use super::super::widgets::line_input::LineInput;
use crate::api::Channel;
use crate::drafts::Draft;
use crate::model::{FieldError, Mode, validate_all};

/// Autosave this long after the last change.
pub const AUTOSAVE_AFTER: Duration = Duration::from_secs(2);
/// Waits between retries of a failed save: 2 s, 4 s, 8 s… at most 30 s.
pub fn save_retry_after(attempt: u32) -> Duration {
    Duration::from_secs(2u64.saturating_pow(attempt.clamp(1, 5)).min(30))
}

#[derive(Debug, Clone, PartialEq)]
pub enum Submit {
    Idle,
    Busy { since: Instant },
    Failed(String),
}

/// What waits for the save in flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pending {
    /// Going back to the home screen.
    Home,
    Quit,
    /// Sending the draft (its Idempotency-Key must be on disk first).
    Submit,
}

pub struct Wizard {
    pub draft: Draft,
    pub step: Step,
    pub focus: FieldId,
    /// The editor of the focused field, when it takes typed text.
    pub input: Option<LineInput>,
    /// Local and catalogue rule errors of the document as it is.
    pub errors: Vec<FieldError>,
    /// Errors the server reported on the last submit, until the field changes.
    pub server_errors: Vec<FieldError>,
    /// Fields the user has been to: their errors show under them.
    pub touched: HashSet<FieldId>,
    /// Show every error (after Review or a refused submit).
    pub show_all: bool,
    pub reveal_secret: bool,
    /// Bumped by every change of the draft.
    pub revision: u64,
    /// The newest revision known to be on disk.
    pub saved_revision: u64,
    /// The revision of the save sent and not yet answered.
    pub in_flight: Option<u64>,
    /// The step or focused field changed since the last save.
    pub moved: bool,
    /// Where the caret stands in the focused message's editor (kept while
    /// the focus stays; saved with the draft).
    pub caret: Option<usize>,
    /// The caret the draft was saved with, until its field's editor opens.
    resume_caret: Option<usize>,
    pub last_change: Option<Instant>,
    pub saved_at: Option<DateTime<Utc>>,
    /// The draft file exists (it has been saved at least once).
    pub persisted: bool,
    /// Why the last save failed (cleared by the next one that works).
    pub save_error: Option<String>,
    /// Failed saves in a row, and when the next try is due.
    pub retry: Option<(u32, Instant)>,
    pub pending: Option<Pending>,
    /// Review page: 0 = Submit, 1.. = the errors.
    pub review_sel: usize,
    pub submit: Submit,
    /// First body line shown (decided here, so that render changes nothing).
    pub scroll: usize,
    /// Esc leads back to the Channels screen (the edit was opened there)
    /// rather than home.
    pub back_to_channels: bool,
    /// Required numbers the user emptied: they show empty, with their
    /// error, until a number is typed (the draft keeps the last number,
    /// which a submit never sends while the field is empty).
    pub blank: HashSet<FieldId>,
    /// The moment the week view tells what customers get at (`t`; None:
    /// now), as `chanwiz schedule --at` takes it.
    pub schedule_at: Option<String>,
}

impl Wizard {
    pub fn new(draft: Draft, shared: &Shared) -> Self {
        let step = Step::from_number(draft.meta.step);
        let mut w = Self {
            focus: FieldId::AppKey,
            draft,
            step,
            input: None,
            errors: Vec::new(),
            server_errors: Vec::new(),
            touched: HashSet::new(),
            show_all: step == Step::Review,
            reveal_secret: false,
            revision: 0,
            saved_revision: 0,
            in_flight: None,
            moved: false,
            caret: None,
            resume_caret: None,
            last_change: None,
            saved_at: None,
            persisted: false,
            save_error: None,
            retry: None,
            pending: None,
            review_sel: 0,
            submit: Submit::Idle,
            scroll: 0,
            back_to_channels: false,
            blank: HashSet::new(),
            schedule_at: None,
        };
        let saved_field = w.draft.meta.field.as_deref().and_then(fields::field_named);
        let visible = w.fields();
        w.focus = match saved_field {
            Some(f) if visible.contains(&f) => {
                w.resume_caret = w.draft.meta.caret;
                f
            }
            _ => visible.first().copied().unwrap_or(FieldId::AppKey),
        };
        w.revalidate(shared);
        w.open_input(shared);
        w
    }

    /// The draft as it is to be saved: with the step and field the user is on.
    pub fn snapshot(&self) -> Draft {
        let mut draft = self.draft.clone();
        draft.meta.step = self.step.number();
        draft.meta.field = Some(fields::field_name(self.focus));
        draft.meta.caret = self.input.as_ref().map(LineInput::cursor).or(self.caret).or(self.resume_caret);
        draft
    }

    /// The message editor's caret moved to `chars`: saved with the draft.
    pub fn caret_at(&mut self, chars: usize) {
        if self.caret != Some(chars) {
            self.caret = Some(chars);
            self.moved = true;
        }
    }

    pub fn mode(&self) -> Mode {
        if self.draft.meta.channel_id.is_some() { Mode::Update } else { Mode::Create }
    }

    /// Changes not yet on disk.
    pub fn dirty(&self) -> bool {
        self.revision > self.saved_revision
    }

    /// Whether a save would write something new: a change, or (for a draft
    /// that has a file) a new place. A pristine new draft makes no file.
    pub fn needs_save(&self) -> bool {
        self.dirty() || (self.moved && self.persisted)
    }

    /// The fields of the current step as the draft now shows them.
    pub fn fields(&self) -> Vec<FieldId> {
        if self.step == Step::Review { Vec::new() } else { fields::visible(self.step, &self.draft) }
    }

    pub fn revalidate(&mut self, shared: &Shared) {
        let editing = self.draft.meta.channel_id.clone();
        self.errors = validate_all(&self.draft.document, self.mode(), shared.catalogue.as_ref(), editing.as_deref());
        for &field in &self.blank {
            let spec = fields::spec_of(field);
            if let Kind::Number { min, max, unit, .. } = spec.kind
                && spec.shown(&self.draft)
            {
                self.errors.retain(|e| e.path != spec.path);
                self.errors.push(FieldError::new(
                    spec.path,
                    format!("{} is required: a whole number from {min} to {max} {unit}.", spec.label),
                ));
            }
        }
    }

    /// The text a single-line editor of `field` starts with.
    fn input_text(&self, field: FieldId) -> String {
        if self.blank.contains(&field) { String::new() } else { fields::spec_of(field).text(&self.draft) }
    }

    /// Every error, local and from the server, without repeating a path.
    pub fn all_errors(&self) -> Vec<&FieldError> {
        fields::all_errors(&self.errors, &self.server_errors)
    }

    /// The errors belonging to `field`.
    pub fn errors_of(&self, field: FieldId) -> Vec<&FieldError> {
        fields::errors_of(self.all_errors(), field, &self.draft)
    }

    /// Error counts of steps 1–3.
    pub fn step_counts(&self) -> [usize; 3] {
        let mut counts = [0; 3];
        for e in self.all_errors() {
            let s = crate::model::fields::step_of(&e.path);
            counts[usize::from(s.clamp(1, 3)) - 1] += 1;
        }
        counts
    }

    /// The focused field's keys, most specific first.
    pub fn contexts(&self, shared: &Shared) -> Vec<Ctx> {
        let mut out = if self.step == Step::Review {
            let mut v = vec![Ctx::Review];
            if !self.all_errors().is_empty() {
                v.push(Ctx::ReviewList);
            }
            let (total, view) = self.review_extent(shared);
            if self.scroll + view < total {
                v.push(Ctx::ReviewDown);
            }
            if self.scroll > 0 {
                v.push(Ctx::ReviewUp);
            }
            v
        } else {
            let kind = fields::spec_of(self.focus).kind;
            let mut v = fields::contexts_shown(kind, has_choices(kind, shared), self.reveal_secret);
            v.push(Ctx::Fields);
            v
        };
        if self.week_shown() {
            out.push(Ctx::WeekView);
        }
        if self.step.next().is_some() {
            out.push(Ctx::StepForward);
        }
        if self.step.prev().is_some() {
            out.push(Ctx::StepBack);
        }
        out.push(Ctx::Wizard);
        out
    }

    /// The week view is on the page: on Review, and on Basic while a
    /// work-time field or the notification has the focus.
    pub fn week_shown(&self) -> bool {
        self.step == Step::Review
            || (self.step == Step::Basic
                && matches!(self.focus, FieldId::Workday | FieldId::NonWorkday | FieldId::Notification))
    }

    /// (Re)create the editor for the focused field when it takes text.
    fn open_input(&mut self, shared: &Shared) {
        let kind = fields::spec_of(self.focus).kind;
        let resume = self.resume_caret;
        self.input =
            (self.step != Step::Review && fields::takes_line_input(kind, has_choices(kind, shared))).then(|| {
                match resume {
                    Some(chars) => LineInput::with_caret(&self.input_text(self.focus), chars),
                    None => LineInput::new(&self.input_text(self.focus)),
                }
            });
        if self.input.is_some() {
            self.resume_caret = None;
        }
    }

    // --- changing the draft -------------------------------------------------

    /// Bookkeeping after `field`'s value changed: a new revision, errors
    /// rechecked, the server's errors of that field dropped.
    pub fn changed(&mut self, field: FieldId, shared: &Shared) {
        self.revision += 1;
        self.last_change = Some(shared.instant);
        self.touched.insert(field);
        let draft = &self.draft;
        self.server_errors.retain(|e| fields::field_for_path(&e.path, draft) != Some(field));
        self.revalidate(shared);
    }

    /// Change the draft with `f`, then do the bookkeeping for `field`.
    pub fn edit<R>(&mut self, field: FieldId, shared: &Shared, f: impl FnOnce(&mut Draft) -> R) -> R {
        let r = f(&mut self.draft);
        self.changed(field, shared);
        r
    }

    pub fn set_text(&mut self, field: FieldId, text: String, shared: &Shared) {
        if fields::spec_of(field).text(&self.draft) == text {
            return;
        }
        self.edit(field, shared, |d| fields::spec_of(field).set_text(d, text));
        if self.focus == field {
            self.open_input(shared);
        }
    }

    // --- saving -------------------------------------------------------------

    /// Save the draft as it is now, with the place the user is at.
    pub fn save(&mut self) -> Effect {
        self.in_flight = Some(self.revision);
        self.moved = false;
        Effect::SaveDraft { draft: Box::new(self.snapshot()), revision: self.revision }
    }

    fn save_if_needed(&mut self) -> Vec<Effect> {
        if self.needs_save() { vec![self.save()] } else { vec![] }
    }

    /// A save ended.
    pub fn on_saved(&mut self, revision: u64, result: Result<DateTime<Utc>, String>, shared: &mut Shared) -> Outcome {
        if self.in_flight.is_some_and(|r| r <= revision) {
            self.in_flight = None;
        }
        match result {
            Ok(at) => {
                self.saved_revision = self.saved_revision.max(revision);
                self.saved_at = Some(at);
                self.persisted = true;
                self.save_error = None;
                self.retry = None;
                match self.pending {
                    Some(_) if self.needs_save() => Outcome::effect(self.save()),
                    Some(p) => self.proceed(p),
                    None => Outcome::none(),
                }
            }
            Err(e) => {
                // nothing is lost: it is all in memory, and tried again later
                self.moved = true;
                let attempts = self.retry.map_or(1, |(n, _)| n + 1);
                self.retry = Some((attempts, shared.instant + save_retry_after(attempts)));
                self.save_error = Some(e.clone());
                shared.flash(Level::Error, format!("draft not saved: {e}"));
                match self.pending {
                    Some(Pending::Submit) => {
                        // the key is in memory: every retry in this session reuses it
                        shared.flash(
                            Level::Warn,
                            format!("draft not saved ({e}): submitting anyway; the Idempotency-Key is kept in memory"),
                        );
                        self.proceed(Pending::Submit)
                    }
                    Some(p) => Outcome::event(Event::OpenPopup(Popup::SaveFailed(SaveFailed::new(&self.draft, e, p)))),
                    None => Outcome::none(),
                }
            }
        }
    }

    /// Carry out what waited for the save.
    fn proceed(&mut self, pending: Pending) -> Outcome {
        self.pending = None;
        match pending {
            Pending::Home if self.back_to_channels => Outcome::event(Event::Channels),
            Pending::Home => Outcome::event(Event::Home),
            Pending::Quit => Outcome::event(Event::QuitNow),
            Pending::Submit => Outcome::effect(Effect::Submit(Box::new(self.snapshot()))),
        }
    }

    /// Leave for `pending` once the draft is safe.
    fn leave(&mut self, pending: Pending) -> Outcome {
        if self.save_error.is_some() && self.needs_save() {
            self.pending = Some(pending);
            return Outcome::event(Event::OpenPopup(Popup::SaveFailed(SaveFailed::new(
                &self.draft,
                self.save_error.clone().unwrap_or_default(),
                pending,
            ))));
        }
        if self.needs_save() || self.in_flight.is_some() {
            self.pending = Some(pending);
            return Outcome::none().with_effects(self.save_if_needed());
        }
        self.proceed(pending)
    }

    /// Ctrl-Q: quit, asking first while changes are not on disk.
    pub fn request_quit(&mut self) -> Outcome {
        if self.save_error.is_some() && self.dirty() {
            return self.leave(Pending::Quit);
        }
        if self.dirty() {
            return Outcome::event(Event::OpenPopup(Popup::Confirm(Confirm::quit())));
        }
        Outcome::event(Event::QuitNow)
    }

    /// SIGHUP / SIGTERM: no one to ask; save what there is.
    pub fn terminate(&mut self) -> Vec<Effect> {
        self.save_if_needed()
    }

    /// The answer of a confirmation or of the save-failed popup.
    pub fn on_answer(&mut self, answer: Answer, shared: &mut Shared) -> Outcome {
        match answer {
            Answer::SaveAndQuit if self.save_error.is_some() && self.needs_save() => {
                // the disk refused before: try again, and ask if it still does
                self.pending = Some(Pending::Quit);
                Outcome::effect(self.save())
            }
            Answer::SaveAndQuit => self.leave(Pending::Quit),
            Answer::RetrySave => {
                if self.pending.is_none() {
                    self.pending = Some(Pending::Quit);
                }
                Outcome::effect(self.save())
            }
            Answer::Discard => {
                let p = self.pending.take().unwrap_or(Pending::Quit);
                self.proceed(p)
            }
            Answer::WriteTo(path) => Outcome::effect(Effect::WriteDocument { draft: Box::new(self.snapshot()), path }),
            Answer::Stay => {
                self.pending = None;
                Outcome::none()
            }
            Answer::Merged { document, current } => {
                // the edit is now based on the server's version, with my
                // changes (and the choices made) on top; saved, then sent
                self.draft.document = *document;
                self.draft.meta.channel_version = Some(current.version);
                self.draft.meta.base = Some(current.document.normalized().without_secrets());
                self.server_errors.clear();
                self.submit = Submit::Idle;
                let field = self.focus;
                self.changed(field, shared);
                self.open_input(shared);
                shared.flash(Level::Info, format!("merged with version {}: submitting", current.version));
                self.submit(shared)
            }
            Answer::Submit => self.submit(shared),
            Answer::ReplaceWebhook(_)
            | Answer::KeepWebhook
            | Answer::MoveBot
            | Answer::SwitchBot
            | Answer::KeepBot
            | Answer::DeleteWebhook
            | Answer::DeleteChannel(_)
            | Answer::Export
            | Answer::DownloadTo { .. }
            | Answer::ImportFrom(_) => Outcome::none(),
            Answer::ScheduleAt(at) => {
                self.schedule_at = at;
                Outcome::none()
            }
        }
    }

    /// The document written to a file the user named (a failed save).
    pub fn on_written(&mut self, path: &str, result: Result<(), String>, shared: &mut Shared) -> Outcome {
        match result {
            Ok(()) => {
                shared.flash(Level::Info, format!("the draft's document was written to {path}"));
                let p = self.pending.take().unwrap_or(Pending::Quit);
                self.proceed(p)
            }
            Err(e) => {
                let p = self.pending.unwrap_or(Pending::Quit);
                let mut popup = SaveFailed::new(&self.draft, self.save_error.clone().unwrap_or_default(), p);
                popup.write_error = Some(format!("{path}: {e}"));
                Outcome::event(Event::OpenPopup(Popup::SaveFailed(popup)))
            }
        }
    }

    /// A tick: autosave after a pause in typing, and retry a failed save.
    pub fn on_tick(&mut self, now: Instant) -> Vec<Effect> {
        if self.in_flight.is_some() || !self.needs_save() {
            return vec![];
        }
        let due = match (self.retry, &self.save_error) {
            (Some((_, at)), Some(_)) => now >= at,
            _ => self.dirty() && self.last_change.is_some_and(|t| now.duration_since(t) >= AUTOSAVE_AFTER),
        };
        if due { vec![self.save()] } else { vec![] }
    }

    // --- moving -------------------------------------------------------------

    fn focus_on(&mut self, field: FieldId, shared: &Shared) {
        if self.focus != field {
            self.moved = true;
            self.touched.insert(self.focus);
            self.focus = field;
            self.caret = None;
            self.resume_caret = None;
            self.reveal_secret = false;
            self.open_input(shared);
        }
    }

    fn next_field(&mut self, shared: &Shared) -> Vec<Effect> {
        let visible = self.fields();
        match visible.iter().position(|f| *f == self.focus) {
            Some(i) if i + 1 < visible.len() => {
                self.focus_on(visible[i + 1], shared);
                vec![]
            }
            _ => match self.step.next() {
                Some(s) => self.goto_step(s, shared),
                None => vec![],
            },
        }
    }

    fn prev_field(&mut self, across_steps: bool, shared: &Shared) -> Vec<Effect> {
        let visible = self.fields();
        match visible.iter().position(|f| *f == self.focus) {
            Some(i) if i > 0 => {
                self.focus_on(visible[i - 1], shared);
                vec![]
            }
            _ if across_steps => match self.step.prev() {
                Some(s) => {
                    let effects = self.goto_step(s, shared);
                    if let Some(last) = self.fields().last().copied() {
                        self.focus_on(last, shared);
                    }
                    effects
                }
                None => vec![],
            },
            _ => vec![],
        }
    }

    /// Move to `step`, saving the draft when it changed.
    pub fn goto_step(&mut self, step: Step, shared: &Shared) -> Vec<Effect> {
        if step == self.step {
            return vec![];
        }
        self.touched.insert(self.focus);
        self.moved = true;
        self.step = step;
        if step == Step::Review {
            self.show_all = true;
            self.review_sel = 0;
            self.input = None;
        } else if let Some(first) = self.fields().first().copied() {
            self.focus = first;
            self.reveal_secret = false;
            self.open_input(shared);
        }
        self.scroll = 0;
        self.save_if_needed()
    }

    /// Make the toggle that reveals `field` show it.
    fn reveal(&mut self, field: FieldId, shared: &Shared) {
        if let Some(toggle) = fields::spec_of(field).revealed_by
            && !fields::spec_of(toggle).flag(&self.draft)
        {
            self.edit(toggle, shared, |d| fields::spec_of(toggle).flip(d));
        }
    }

    /// What the message line says on this page (None: the backend's
    /// status): a message, a save that failed, else the focused field's
    /// guidance (`None` as its level).
    pub fn message(&self, shared: &Shared) -> Option<(Option<Level>, String)> {
        if let Some(flash) = shared.flash_message() {
            return Some(flash);
        }
        if self.save_error.is_some() && self.dirty() {
            let why = crate::sanitize::clean(self.save_error.as_deref().unwrap_or("")).into_owned();
            return Some((
                Some(Level::Error),
                format!("not saved: {why} — kept in memory, retried by itself (Ctrl-S now)"),
            ));
        }
        if self.step == Step::Review {
            return None;
        }
        let spec = fields::spec_of(self.focus);
        let mut hint = crate::tui::widgets::row::hint_of(spec, form::label_width(self.step, shared.size.0));
        if self.focus == FieldId::ChannelName {
            // what the name is checked against as it is typed
            hint.push_str(match (&shared.catalogue, &shared.link) {
                (None, _) => " Unchecked: no channel list (offline).",
                (Some(c), _) if c.channels_omitted > 0 => " Checked when saved (too many channels to list).",
                (Some(_), crate::tui::state::Link::Online) => " Checked against the tenant's channels.",
                (Some(_), _) => " Checked against the cached channel list (offline).",
            });
        }
        Some((None, hint))
    }

    /// The Review page's line count and how many show at once.
    pub fn review_extent(&self, shared: &Shared) -> (usize, usize) {
        let (width, height) = form::body_size(shared, self);
        let theme = crate::tui::theme::Theme { color: shared.color };
        let total = review::lines(shared, self, width, &theme).0.len();
        (total, review::view_height(total, height))
    }

    /// Scroll the Review page by `delta` lines (clamped to the page).
    fn review_scroll(&mut self, delta: isize, shared: &Shared) {
        let (total, view) = self.review_extent(shared);
        let max = total.saturating_sub(view);
        self.scroll = self.scroll.saturating_add_signed(delta).min(max);
    }

    /// Keep the selected item of the Review page in view.
    fn review_follow(&mut self, shared: &Shared) {
        let (width, height) = form::body_size(shared, self);
        let theme = crate::tui::theme::Theme { color: shared.color };
        let (lines, at) = review::lines(shared, self, width, &theme);
        let view = review::view_height(lines.len(), height);
        if at < self.scroll {
            self.scroll = at;
        } else if at >= self.scroll + view {
            self.scroll = at + 1 - view;
        }
    }

    /// Keep the focused field in view (the layout is the one render draws).
    pub fn scroll_into_view(&mut self, shared: &Shared) {
        if self.step == Step::Review {
            self.review_scroll(0, shared);
            return;
        }
        let (width, height) = form::body_size(shared, self);
        let layout = form::layout(self, shared, width);
        let (start, end) = layout.focus;
        let total = layout.lines.len();
        // the rows the mark of a page that does not fit leaves
        let height = review::view_height(total, height);
        let mut top = self.scroll;
        if start < top {
            top = start;
        } else if end > top + height {
            top = end.saturating_sub(height);
        }
        self.scroll = top.min(total.saturating_sub(height));
    }

    // --- commands -------------------------------------------------------------

    pub fn update(&mut self, cmd: Cmd, c: Option<char>, shared: &mut Shared) -> Outcome {
        let out = self.command(cmd, c, shared);
        self.scroll_into_view(shared);
        // a message about a field the user left says nothing any more
        if shared.flash_field.is_some_and(|f| f != self.focus || self.step == Step::Review) {
            shared.flash = None;
            shared.flash_field = None;
        }
        out
    }

    fn command(&mut self, cmd: Cmd, c: Option<char>, shared: &mut Shared) -> Outcome {
        let review = self.step == Step::Review;
        let effects = match cmd {
            Cmd::NextField if review => {
                let n = 1 + self.all_errors().len();
                self.review_sel = (self.review_sel + 1) % n;
                self.review_follow(shared);
                vec![]
            }
            Cmd::PrevField if review => {
                let n = 1 + self.all_errors().len();
                self.review_sel = (self.review_sel + n - 1) % n;
                self.review_follow(shared);
                vec![]
            }
            Cmd::Down | Cmd::Up | Cmd::PageDown | Cmd::PageUp | Cmd::Home | Cmd::End if review => {
                let page = self.review_extent(shared).1.saturating_sub(1).max(1) as isize;
                let delta = match cmd {
                    Cmd::Down => 1,
                    Cmd::Up => -1,
                    Cmd::PageDown => page,
                    Cmd::PageUp => -page,
                    Cmd::Home => isize::MIN / 2,
                    _ => isize::MAX / 2,
                };
                self.review_scroll(delta, shared);
                vec![]
            }
            Cmd::ScheduleAt => {
                let prompt =
                    popups::prompt::Prompt::schedule_at(self.schedule_at.as_deref(), shared.tz.clone(), shared.now);
                return Outcome::event(Event::OpenPopup(Popup::Prompt(prompt)));
            }
            Cmd::NextField => self.next_field(shared),
            Cmd::PrevField => self.prev_field(true, shared),
            Cmd::Down if self.fields().last() != Some(&self.focus) => self.next_field(shared),
            Cmd::Down => vec![],
            Cmd::Up => self.prev_field(false, shared),
            Cmd::NextStep => self.step.next().map(|s| self.goto_step(s, shared)).unwrap_or_default(),
            Cmd::PrevStep => self.step.prev().map(|s| self.goto_step(s, shared)).unwrap_or_default(),
            Cmd::Save => {
                shared.flash(Level::Info, "saving the draft…");
                vec![self.save()]
            }
            Cmd::Back => return self.leave(Pending::Home),
            Cmd::Reveal => {
                self.reveal_secret ^= true;
                vec![]
            }
            Cmd::ExternalEditor => {
                let field = self.focus;
                if matches!(fields::spec_of(field).kind, Kind::Multiline { .. }) {
                    vec![Effect::ExternalEditor { field, text: fields::spec_of(field).text(&self.draft) }]
                } else {
                    vec![]
                }
            }
            Cmd::Activate if review => {
                if self.review_sel == 0 {
                    return self.ask_submit(shared);
                }
                let target = self.all_errors().get(self.review_sel - 1).map(|e| e.path.clone());
                match target.and_then(|path| fields::field_for_path(&path, &self.draft)) {
                    Some(field) => {
                        let step = fields::spec_of(field).step.unwrap_or(Step::ChannelInfo);
                        let effects = self.goto_step(step, shared);
                        self.reveal(field, shared);
                        self.focus_on(field, shared);
                        effects
                    }
                    None => vec![],
                }
            }
            Cmd::Submit if review => return self.ask_submit(shared),
            Cmd::Activate => return self.activate(shared),
            Cmd::Clear => {
                let field = self.focus;
                self.set_text(field, String::new(), shared);
                vec![]
            }
            Cmd::Insert
            | Cmd::Backspace
            | Cmd::Delete
            | Cmd::Left
            | Cmd::Right
            | Cmd::Home
            | Cmd::End
            | Cmd::KillToStart
            | Cmd::KillToEnd
            | Cmd::DeleteWord => {
                self.edit_text(cmd, c, shared);
                vec![]
            }
            _ => vec![],
        };
        Outcome::none().with_effects(effects)
    }

    fn activate(&mut self, shared: &mut Shared) -> Outcome {
        let field = self.focus;
        let spec = fields::spec_of(field);
        match spec.kind {
            Kind::Toggle => {
                self.edit(field, shared, |d| spec.flip(d));
                Outcome::none()
            }
            Kind::Select(source) => {
                let list = choices::choices(source, shared.catalogue.as_ref());
                let role = match source {
                    fields::Source::TrustCertificates => Some(crate::api::CertRole::Trust),
                    fields::Source::IdentityCertificates => Some(crate::api::CertRole::Identity),
                    _ => None,
                };
                if list.is_empty()
                    && shared.catalogue.is_some()
                    && let Some(role) = role
                {
                    return Outcome::event(Event::OpenPopup(Popup::Select(popups::select::Select::importing(
                        field,
                        role,
                        &self.draft.document.channel_info.base_url,
                    ))));
                }
                if list.is_empty() {
                    return Outcome::none().with_effects(self.next_field(shared));
                }
                let current = spec.text(&self.draft);
                Outcome::event(Event::OpenPopup(Popup::Select(popups::select::Select::new(field, list, &current))))
            }
            Kind::Multiline { .. } => {
                let text = spec.text(&self.draft);
                let editor = match self.caret.or(self.resume_caret.take()) {
                    Some(chars) => popups::text::TextEditor::with_caret(field, &text, chars),
                    None => popups::text::TextEditor::new(field, &text),
                };
                Outcome::event(Event::OpenPopup(Popup::Text(editor)))
            }
            Kind::Keywords | Kind::WorkTime => {
                let popup = popups::list::ListEditor::open(self, field);
                Outcome::event(Event::OpenPopup(Popup::List(popup)))
            }
            Kind::Text { .. } | Kind::Secret { .. } | Kind::Number { .. } => {
                Outcome::none().with_effects(self.next_field(shared))
            }
        }
    }

    fn edit_text(&mut self, cmd: Cmd, c: Option<char>, shared: &mut Shared) {
        let field = self.focus;
        let kind = fields::spec_of(field).kind;
        if self.input.is_none() {
            self.input = Some(LineInput::new(&self.input_text(field)));
        }
        let Some(input) = self.input.as_mut() else { return };
        if cmd == Cmd::Insert
            && let Some(why) = c.and_then(|c| refusal(field, kind, c, input.len()))
        {
            shared.flash_about(field, Level::Warn, why);
            return;
        }
        let before = input.cursor();
        if apply_edit(input, cmd, c) {
            // "is at most N" spoke of the text before: shorter now, it goes
            let limit = match kind {
                Kind::Number { .. } => Some((6, '0')),
                Kind::Text { max } | Kind::Secret { max } => Some((max, 'x')),
                _ => None,
            };
            if let Some((max, c)) = limit
                && input.len() < max
                && let Some(said) = refusal(field, kind, c, usize::MAX)
            {
                shared.retract(field, &said);
            }
            self.commit_input(shared);
        }
        if self.input.as_ref().is_some_and(|i| i.cursor() != before) {
            self.moved = true;
        }
    }

    /// Write the focused input's text into the draft.
    fn commit_input(&mut self, shared: &Shared) {
        let Some(input) = self.input.as_ref() else { return };
        let field = self.focus;
        let spec = fields::spec_of(field);
        let text = input.text();
        match spec.kind {
            Kind::Number { optional, .. } => match text.parse::<i64>() {
                Ok(n) => {
                    self.blank.remove(&field);
                    self.edit(field, shared, |d| spec.set_number(d, Some(n)))
                }
                Err(_) if text.is_empty() && optional => self.edit(field, shared, |d| spec.set_number(d, None)),
                // an emptied required number stays empty, with its error
                Err(_) => {
                    if text.is_empty() && self.blank.insert(field) {
                        self.touched.insert(field);
                        self.revalidate(shared);
                    }
                }
            },
            _ => self.edit(field, shared, |d| spec.set_text(d, text)),
        }
    }

    /// Pasted text into the focused single-line field.
    pub fn paste(&mut self, text: &str, shared: &mut Shared) {
        if self.step == Step::Review {
            return;
        }
        let field = self.focus;
        let kind = fields::spec_of(field).kind;
        let Some(input) = self.input.as_mut() else { return };
        let max = match kind {
            Kind::Text { max } | Kind::Secret { max } => max,
            Kind::Number { .. } => 6,
            _ => 128,
        };
        let before = input.len();
        let report = input.paste(text, |c| refusal(field, kind, c, 0).is_none(), max);
        if input.len() != before {
            self.commit_input(shared);
        }
        // a paste never changes a value silently
        if let Some(message) = report.message(fields::spec_of(field).label, max) {
            shared.flash_about(field, Level::Warn, message);
        }
        self.scroll_into_view(shared);
    }

    // --- submitting -----------------------------------------------------------

    /// Enter on Submit (or Ctrl-X on Review): what would refuse the submit
    /// is said at once; otherwise one question names the channel, the
    /// backend and the number of changes, and only its `y` sends.
    pub fn ask_submit(&mut self, shared: &mut Shared) -> Outcome {
        if let Some(refused) = self.refuse_submit(shared) {
            return refused;
        }
        let (question, create) =
            fields::submit_question(&self.draft, shared.backend_url.as_deref(), shared.backend_local);
        Outcome::event(Event::OpenPopup(crate::tui::popups::Popup::Confirm(
            crate::tui::popups::confirm::Confirm::submit(question, create),
        )))
    }

    /// Why a submit cannot go now (said, with what it does), if it cannot.
    fn refuse_submit(&mut self, shared: &mut Shared) -> Option<Outcome> {
        if matches!(self.submit, Submit::Busy { .. }) {
            return Some(Outcome::none());
        }
        let n = self.all_errors().len();
        if n > 0 {
            self.show_all = true;
            let msg = format!(
                "submit refused: {n} error{} remain{} (Enter on one jumps to its field)",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            );
            shared.flash(Level::Error, msg);
            return Some(Outcome::none());
        }
        if let Some(base) = &self.draft.meta.base
            && crate::model::diff::changes(base, &self.draft.document).is_empty()
        {
            shared.flash(Level::Warn, "nothing to submit: the edit changes no field yet");
            return Some(Outcome::none());
        }
        if !shared.link.has_backend() {
            shared
                .flash(Level::Error, "offline (--offline): the draft is saved; submit it later with `chanwiz submit`");
            return Some(Outcome::none().with_effects(self.save_if_needed()));
        }
        None
    }

    /// Send the draft (Submit was confirmed, or a merge was chosen).
    pub fn submit(&mut self, shared: &mut Shared) -> Outcome {
        if let Some(refused) = self.refuse_submit(shared) {
            return refused;
        }
        // one key per intended create, on disk before the request leaves,
        // reused by every retry until the backend answers
        if self.draft.ensure_idempotency_key() {
            self.revision += 1;
        }
        self.submit = Submit::Busy { since: shared.instant };
        if self.needs_save() || self.in_flight.is_some() {
            self.pending = Some(Pending::Submit);
            return Outcome::none().with_effects(self.save_if_needed());
        }
        self.proceed(Pending::Submit)
    }

    /// The backend answered a submit. A created or updated channel ends the
    /// draft (the channel is the truth): the caller opens its Integration page.
    pub fn on_submitted(&mut self, result: Result<Channel, SubmitError>, shared: &mut Shared) -> Outcome {
        self.submit = Submit::Idle;
        match result {
            Ok(channel) => {
                // what was said while it was sent ("submitting") is over
                let created = self.draft.meta.channel_id.is_none();
                shared.flash(
                    Level::Info,
                    format!(
                        "{} {}: version {}",
                        if created { "created" } else { "saved" },
                        crate::sanitize::clean(&channel.document.basic.channel_name),
                        channel.version
                    ),
                );
                self.draft.confirmed(&channel.id, channel.version, &channel.document);
                if shared.keep_draft {
                    // --keep-draft: the draft now edits the channel as
                    // confirmed (the secret is on the backend)
                    self.revision += 1;
                    return Outcome::effect(self.save());
                }
                // the channel is the truth: the draft is done
                Outcome::effect(Effect::DeleteDraft(self.draft.meta.id.clone()))
            }
            Err(SubmitError::Invalid(errors)) => {
                let n = errors.len();
                self.server_errors = errors;
                self.show_all = true;
                self.submit = Submit::Failed(format!("the backend refused {n} field{}", if n == 1 { "" } else { "s" }));
                shared.flash(Level::Error, format!("the backend refused the channel: {n} error(s) listed below"));
                Outcome::none()
            }
            Err(SubmitError::Stale { current: Some(current), .. }) => {
                self.submit = Submit::Failed(format!(
                    "the channel changed on the server (now version {}): Submit merges again",
                    current.version
                ));
                let popup =
                    popups::merge::MergePopup::new(self.draft.meta.base.as_ref(), &self.draft.document, current);
                Outcome::event(Event::OpenPopup(Popup::Merge(popup)))
            }
            Err(SubmitError::Stale { message, current: None })
            | Err(SubmitError::Unreachable(message))
            | Err(SubmitError::Unauthorized(message))
            | Err(SubmitError::Other(message)) => {
                self.submit = Submit::Failed(message.clone());
                shared.flash(Level::Error, format!("{message} (the draft is kept; Enter on Submit tries again)"));
                Outcome::none()
            }
        }
    }
}

/// A select has a list to choose from (routing modes always; the rest need
/// a catalogue).
pub fn has_choices(kind: Kind, shared: &Shared) -> bool {
    match kind {
        Kind::Select(source) => choices::available(source, shared.catalogue.as_ref()),
        _ => false,
    }
}

/// Which characters a text field takes as typed: what can be prevented is.
fn refusal(field: FieldId, kind: Kind, c: char, len: usize) -> Option<String> {
    let label = fields::spec_of(field).label;
    match kind {
        Kind::Number { .. } if !c.is_ascii_digit() => Some(format!("{label} takes digits only")),
        Kind::Number { .. } if len >= 6 => Some(format!("{label} is at most 6 digits")),
        Kind::Text { max } | Kind::Secret { max } if len >= max => Some(format!("{label} is at most {max} characters")),
        _ if c.is_whitespace() => Some(format!("{label} takes no spaces")),
        Kind::Secret { .. } if !c.is_ascii_graphic() => Some(format!("{label} takes printable ASCII characters only")),
        Kind::Text { .. } if field == FieldId::AppKey && !c.is_ascii_graphic() => {
            Some(format!("{label} takes printable ASCII characters only"))
        }
        _ => None,
    }
}

/// Apply an editing command to a single-line input; true when the text
/// changed.
pub fn apply_edit(input: &mut LineInput, cmd: Cmd, c: Option<char>) -> bool {
    match cmd {
        Cmd::Insert => match c {
            Some(c) => {
                input.insert(c);
                true
            }
            None => false,
        },
        Cmd::Backspace => input.backspace(),
        Cmd::Delete => input.delete(),
        Cmd::KillToStart => input.kill_to_start(),
        Cmd::KillToEnd => input.kill_to_end(),
        Cmd::DeleteWord => input.delete_word(),
        Cmd::Left => {
            input.left();
            false
        }
        Cmd::Right => {
            input.right();
            false
        }
        Cmd::Home => {
            input.home();
            false
        }
        Cmd::End => {
            input.end();
            false
        }
        _ => false,
    }
}
