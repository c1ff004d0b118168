//! Channels: the tenant's channels as the backend pages them (so 100,000
//! stay smooth: only the pages in view are fetched), filtered as you type
//! (the loaded rows at once, the backend after a pause), sorted by name or by
//! last update; select some or all, then edit, open the Channel Integration
//! page, delete (after typing the name) or export — the AICC channel list
//! with its Follow-up Procedure: export, watch the task to Success,
//! download. `t` lists the tenant's export tasks.

use std::collections::{BTreeMap, HashSet};
use std::time::{Duration, Instant};

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::api::{ChannelQuery, ChannelSort, ChannelSummary, ExportStatus, ExportTask};
use crate::client::archive::ExportFile;
use crate::sanitize::clean;
use crate::tui::keymap::{Cmd, Ctx};
use crate::tui::msg::{Answer, Effect, Event, Outcome};
use crate::tui::popups::prompt::Prompt;
use crate::tui::popups::{Confirm, Popup};
use crate::tui::screens::wizard::apply_edit;
use crate::tui::state::{Level, Shared};
use crate::tui::text::{fit, truncate};
use crate::tui::theme::{MARKER, NO_MARKER, Theme};
use crate::tui::widgets::line_input::LineInput;

/// Rows a page of the backend holds.
pub const PER_PAGE: u32 = 100;
/// The backend is asked for a new filter this long after the last key.
pub const FILTER_AFTER: Duration = Duration::from_millis(300);
/// An export task holds at most this many records (AICC's rule).
pub const EXPORT_MAX: u64 = 100_000;
/// Rows above the list: title, status, column names.
const HEAD_ROWS: usize = 3;
/// The most lines the export's state takes under the list (after a blank).
const EXPORT_LINES: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Channels,
    /// The tenant's export tasks.
    Tasks,
}

/// Where an export stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Export {
    /// Asked for; the task is being made.
    Starting,
    Task(ExportTask),
    Failed(String),
    Downloaded {
        path: String,
        files: Vec<ExportFile>,
    },
}

/// What an export would take: these ids (None: every channel, or those
/// matching `filter`), in words.
struct Scope {
    ids: Option<Vec<String>>,
    filter: Option<String>,
    what: String,
}

pub struct Channels {
    pub view: View,
    pub sort: ChannelSort,
    /// The filter the loaded pages answer.
    pub filter: String,
    /// The filter being typed (`/`).
    pub filter_input: Option<LineInput>,
    /// When the backend is to be asked for the filter typed.
    pub filter_due: Option<Instant>,
    /// Bumped by every new query; answers to an older one are dropped.
    pub generation: u64,
    pub pages: BTreeMap<u32, Vec<ChannelSummary>>,
    pub requested: HashSet<u32>,
    /// Channels matching `filter`, as the backend counted them.
    pub total: Option<u64>,
    pub cursor: usize,
    pub top: usize,
    /// Selected channels, id → name.
    pub marked: BTreeMap<String, String>,
    /// Every channel matching the filter is selected.
    pub all: bool,
    pub error: Option<String>,
    pub export: Option<Export>,
    pub tasks: Vec<ExportTask>,
    pub task_cursor: usize,
    /// The rows shown come from the cache (the backend does not answer):
    /// the oldest page's fetch time.
    pub cached: Option<chrono::DateTime<chrono::Utc>>,
}

impl Channels {
    /// A new screen and the effect that loads its first page.
    pub fn open(shared: &Shared) -> (Self, Vec<Effect>) {
        let mut s = Self {
            view: View::Channels,
            sort: ChannelSort::Name,
            filter: String::new(),
            filter_input: None,
            filter_due: None,
            generation: 0,
            pages: BTreeMap::new(),
            requested: HashSet::new(),
            total: None,
            cursor: 0,
            top: 0,
            marked: BTreeMap::new(),
            all: false,
            error: None,
            export: None,
            tasks: Vec::new(),
            task_cursor: 0,
            cached: None,
        };
        let effects = s.requery(shared);
        (s, effects)
    }

    /// The list's rows in a body of `body_h` rows: all but the head, the
    /// expiry warnings and (while one is shown) the export line.
    fn list_rows(&self, body_h: usize, width: usize, warnings: usize) -> usize {
        body_h.saturating_sub(HEAD_ROWS + self.export_rows(width) + warnings).max(1)
    }

    /// Rows under the list for the export's state: a blank and its lines.
    fn export_rows(&self, width: usize) -> usize {
        let lines = self.export_lines(&Theme { color: false }, width).len();
        if lines > 0 { 1 + lines } else { 0 }
    }

    /// The list's rows on the screen (the message line and the key bar
    /// below the body).
    fn height(&self, shared: &Shared) -> usize {
        let (width, height) = shared.size;
        self.list_rows(usize::from(height.saturating_sub(2)), usize::from(width), expiring_certificates(shared).len())
    }

    /// The rows as shown: while a new filter is typed and not yet asked of
    /// the backend, the loaded rows that match it.
    pub fn rows(&self) -> Vec<&ChannelSummary> {
        let loaded = self.pages.values().flatten();
        match self.typed_filter() {
            Some(f) if self.filter_due.is_some() => {
                let f = f.to_lowercase();
                loaded.filter(|c| c.name.to_lowercase().contains(&f)).collect()
            }
            _ => loaded.collect(),
        }
    }

    fn typed_filter(&self) -> Option<String> {
        self.filter_input.as_ref().map(|i| i.text())
    }

    /// Rows there are (the backend's count; the loaded rows while typing).
    pub fn count(&self) -> usize {
        if self.filter_due.is_some() {
            return self.rows().len();
        }
        self.total.map_or_else(|| self.rows().len(), |t| usize::try_from(t).unwrap_or(usize::MAX))
    }

    /// The channel at list position `i`, if its page is loaded.
    pub fn row(&self, i: usize) -> Option<&ChannelSummary> {
        if self.filter_due.is_some() {
            return self.rows().get(i).copied();
        }
        let page = u32::try_from(i / PER_PAGE as usize).ok()? + 1;
        self.pages.get(&page)?.get(i % PER_PAGE as usize)
    }

    /// Start over: a new query (filter or sort changed, a refresh).
    fn requery(&mut self, shared: &Shared) -> Vec<Effect> {
        self.generation += 1;
        self.pages.clear();
        self.requested.clear();
        self.total = None;
        self.cursor = 0;
        self.top = 0;
        self.all = false;
        self.ensure_loaded(shared)
    }

    fn query(&self, page: u32) -> ChannelQuery {
        ChannelQuery {
            name: (!self.filter.is_empty()).then(|| self.filter.clone()),
            page: Some(page),
            per_page: Some(PER_PAGE),
            sort: Some(self.sort),
            bot_id: None,
        }
    }

    /// Ask for the pages the view shows and is about to show.
    fn ensure_loaded(&mut self, shared: &Shared) -> Vec<Effect> {
        if self.filter_due.is_some() {
            return vec![];
        }
        let height = self.height(shared);
        let first = self.top / PER_PAGE as usize;
        let last = (self.top + height) / PER_PAGE as usize + 1;
        let pages = self.total.map(|t| t.div_ceil(u64::from(PER_PAGE)).max(1) as usize);
        let mut out = Vec::new();
        for p in first..=last.min(pages.unwrap_or(first + 1).saturating_sub(1)).max(first) {
            let page = u32::try_from(p).unwrap_or(u32::MAX - 1) + 1;
            if !self.pages.contains_key(&page) && self.requested.insert(page) {
                out.push(Effect::LoadChannelPage { generation: self.generation, query: self.query(page) });
            }
        }
        out
    }

    fn keep_in_view(&mut self, shared: &Shared) -> Vec<Effect> {
        let height = self.height(shared);
        let n = self.count();
        self.cursor = self.cursor.min(n.saturating_sub(1));
        if self.cursor < self.top {
            self.top = self.cursor;
        } else if self.cursor >= self.top + height {
            self.top = self.cursor + 1 - height;
        }
        self.ensure_loaded(shared)
    }

    pub fn on_page(
        &mut self,
        generation: u64,
        page: u32,
        result: Result<crate::api::Page<ChannelSummary>, String>,
        cached: Option<chrono::DateTime<chrono::Utc>>,
        shared: &mut Shared,
    ) -> Vec<Effect> {
        if generation != self.generation {
            return vec![];
        }
        self.requested.remove(&page);
        match result {
            Ok(p) => {
                self.error = None;
                match cached {
                    Some(t) => {
                        self.cached = Some(self.cached.map_or(t, |c: chrono::DateTime<chrono::Utc>| c.min(t)));
                    }
                    None => self.cached = None,
                }
                self.total = Some(p.total);
                self.pages.insert(page, p.items);
                self.keep_in_view(shared)
            }
            Err(e) => {
                self.error = Some(e);
                vec![]
            }
        }
    }

    pub fn on_tick(&mut self, now: Instant, shared: &Shared) -> Vec<Effect> {
        if self.filter_due.is_some_and(|t| now >= t) {
            self.filter_due = None;
            self.filter = self.typed_filter().unwrap_or_default().trim().to_string();
            return self.requery(shared);
        }
        vec![]
    }

    pub fn contexts(&self) -> Vec<Ctx> {
        if self.filter_input.is_some() {
            return vec![Ctx::ChannelsFilter, Ctx::TextInput];
        }
        let mut out = Vec::new();
        match self.view {
            View::Tasks => {
                if self.tasks.get(self.task_cursor).is_some_and(|t| t.status == ExportStatus::Success) {
                    out.push(Ctx::TaskDone);
                }
                out.push(Ctx::ExportTasks);
                if self.tasks.len() > 1 {
                    out.push(Ctx::ListMove);
                }
            }
            View::Channels => {
                if self.row(self.cursor).is_some() {
                    out.push(Ctx::ChannelRow);
                }
                if self.count() > 1 {
                    out.push(Ctx::ListMove);
                }
                out.push(Ctx::Channels);
            }
        }
        out
    }

    /// Which channels an export takes now, and the sentence that says so.
    fn export_scope(&self) -> Result<Scope, String> {
        let total = self.total.unwrap_or(0);
        let (ids, filter, n, what) = if self.all || self.marked.is_empty() {
            let filter = (!self.filter.is_empty()).then(|| self.filter.clone());
            let which = match &filter {
                Some(f) => format!("all {total} channels matching '{}'", clean(f)),
                None if self.marked.is_empty() && !self.all => format!("all {total} channels (none is selected)"),
                None => format!("all {total} channels"),
            };
            (None, filter, total, which)
        } else {
            let names: Vec<String> = self.marked.values().take(3).map(|n| clean(n).into_owned()).collect();
            let more = self.marked.len().saturating_sub(3);
            let mut which = format!("the {} selected: {}", self.marked.len(), names.join(", "));
            if more > 0 {
                which.push_str(&format!(" and {more} more"));
            }
            (Some(self.marked.keys().cloned().collect()), None, self.marked.len() as u64, which)
        };
        if n == 0 {
            return Err("there is no channel to export".into());
        }
        if n > EXPORT_MAX {
            return Err(format!(
                "{n} channels are more than an export task takes ({EXPORT_MAX}): filter or select fewer"
            ));
        }
        Ok(Scope { ids, filter, what })
    }

    pub fn update(&mut self, cmd: Cmd, c: Option<char>, shared: &mut Shared) -> Outcome {
        if let Some(input) = self.filter_input.as_mut() {
            match cmd {
                Cmd::Activate => {
                    let typed = input.text();
                    self.filter_input = None;
                    if self.filter_due.take().is_some() {
                        self.filter = typed.trim().to_string();
                        return Outcome::none().with_effects(self.requery(shared));
                    }
                    return Outcome::none();
                }
                Cmd::Back => {
                    self.filter_input = None;
                    self.filter_due = None;
                    if !self.filter.is_empty() {
                        self.filter.clear();
                        return Outcome::none().with_effects(self.requery(shared));
                    }
                    return Outcome::none();
                }
                _ => {
                    if apply_edit(input, cmd, c) {
                        self.filter_due = Some(shared.instant + FILTER_AFTER);
                        self.cursor = 0;
                        self.top = 0;
                    }
                    return Outcome::none();
                }
            }
        }
        if self.view == View::Tasks {
            return self.update_tasks(cmd);
        }
        let height = self.height(shared);
        let n = self.count();
        match cmd {
            Cmd::Up => self.cursor = self.cursor.saturating_sub(1),
            Cmd::Down => self.cursor = (self.cursor + 1).min(n.saturating_sub(1)),
            Cmd::PageUp => self.cursor = self.cursor.saturating_sub(height),
            Cmd::PageDown => self.cursor = (self.cursor + height).min(n.saturating_sub(1)),
            Cmd::Home => self.cursor = 0,
            Cmd::End => self.cursor = n.saturating_sub(1),
            Cmd::Filter => {
                self.filter_input = Some(LineInput::new(&self.filter));
                return Outcome::none();
            }
            Cmd::Refresh => return Outcome::none().with_effects(self.requery(shared)),
            Cmd::Sort => {
                self.sort = match self.sort {
                    ChannelSort::Name => ChannelSort::Updated,
                    ChannelSort::Updated => ChannelSort::Name,
                };
                return Outcome::none().with_effects(self.requery(shared));
            }
            Cmd::Select => {
                if let Some(row) = self.row(self.cursor).cloned() {
                    self.all = false;
                    if self.marked.remove(&row.id).is_none() {
                        self.marked.insert(row.id, row.name);
                    }
                    self.cursor = (self.cursor + 1).min(n.saturating_sub(1));
                }
            }
            Cmd::SelectAll => {
                self.all = !self.all;
                self.marked.clear();
            }
            Cmd::Activate => {
                if let Some(row) = self.row(self.cursor) {
                    return Outcome::event(Event::EditChannel(row.id.clone()));
                }
            }
            Cmd::Integration => {
                if let Some(row) = self.row(self.cursor) {
                    return Outcome::effect(Effect::OpenIntegration(row.id.clone()));
                }
            }
            // the live delivery test runs on the channel's Integration page
            Cmd::TestDelivery => {
                if let Some(row) = self.row(self.cursor) {
                    return Outcome::effect(Effect::OpenIntegration(row.id.clone()))
                        .with_event(Event::TestDeliveryOnOpen(row.id.clone()));
                }
            }
            Cmd::DeleteItem => {
                if let Some(row) = self.row(self.cursor) {
                    let popup = Popup::Prompt(Prompt::delete_channel(row.id.clone(), row.name.clone()));
                    return Outcome::event(Event::OpenPopup(popup));
                }
            }
            Cmd::Export if !shared.link.has_backend() => {
                shared.flash(Level::Warn, "an export is made by the backend, which is not asked offline (--offline)")
            }
            Cmd::Export => match self.export_scope() {
                Ok(Scope { what, .. }) => {
                    return Outcome::event(Event::OpenPopup(Popup::Confirm(Confirm::export(what))));
                }
                Err(e) => shared.flash(Level::Warn, e),
            },
            Cmd::Tasks => {
                self.view = View::Tasks;
                return Outcome::effect(Effect::ListExports);
            }
            Cmd::Back => return Outcome::event(Event::Home),
            _ => {}
        }
        Outcome::none().with_effects(self.keep_in_view(shared))
    }

    fn update_tasks(&mut self, cmd: Cmd) -> Outcome {
        match cmd {
            Cmd::Up => self.task_cursor = self.task_cursor.saturating_sub(1),
            Cmd::Down => self.task_cursor = (self.task_cursor + 1).min(self.tasks.len().saturating_sub(1)),
            Cmd::Refresh => return Outcome::effect(Effect::ListExports),
            Cmd::Activate => {
                if let Some(t) = self.tasks.get(self.task_cursor)
                    && t.status == ExportStatus::Success
                {
                    return Outcome::event(Event::OpenPopup(Popup::Prompt(Prompt::download(t.id.clone()))));
                }
            }
            Cmd::Back | Cmd::Tasks => self.view = View::Channels,
            _ => {}
        }
        Outcome::none()
    }

    pub fn on_answer(&mut self, answer: Answer, shared: &mut Shared) -> Outcome {
        match answer {
            Answer::DeleteChannel(id) => Outcome::effect(Effect::DeleteChannel(id)),
            Answer::Export => match self.export_scope() {
                Ok(Scope { ids, filter, .. }) => {
                    self.export = Some(Export::Starting);
                    Outcome::effect(Effect::StartExport { ids, filter })
                }
                Err(e) => {
                    shared.flash(Level::Warn, e);
                    Outcome::none()
                }
            },
            Answer::DownloadTo { task, dir } => Outcome::effect(Effect::DownloadExport { task, dir }),
            _ => Outcome::none(),
        }
    }

    pub fn on_deleted(&mut self, id: &str, result: Result<(), String>, shared: &mut Shared) -> Vec<Effect> {
        match result {
            Ok(()) => {
                let known = self.pages.values().flatten().find(|c| c.id == id).map(|c| c.name.clone());
                self.marked.remove(id);
                shared
                    .flash(Level::Info, format!("channel {} deleted", clean(&known.unwrap_or_else(|| id.to_string()))));
                let cursor = self.cursor;
                let effects = self.requery(shared);
                self.cursor = cursor;
                effects
            }
            Err(e) => {
                shared.flash(Level::Error, format!("not deleted: {e}"));
                vec![]
            }
        }
    }

    pub fn on_export(&mut self, task: Result<ExportTask, String>) -> Outcome {
        match task {
            Ok(t) => {
                let done = t.status == ExportStatus::Success;
                let id = t.id.clone();
                self.export = Some(Export::Task(t));
                if done {
                    // Follow-up: the task is a Success; download it
                    return Outcome::event(Event::OpenPopup(Popup::Prompt(Prompt::download(id))));
                }
                Outcome::none()
            }
            Err(e) => {
                self.export = Some(Export::Failed(e));
                Outcome::none()
            }
        }
    }

    pub fn on_progress(&mut self, task: ExportTask) {
        self.export = Some(Export::Task(task));
    }

    pub fn on_tasks(&mut self, result: Result<Vec<ExportTask>, String>, shared: &mut Shared) {
        match result {
            Ok(tasks) => {
                self.tasks = tasks;
                self.task_cursor = self.task_cursor.min(self.tasks.len().saturating_sub(1));
            }
            Err(e) => shared.flash(Level::Error, format!("export tasks: {e}")),
        }
    }

    pub fn on_downloaded(&mut self, result: Result<(String, Vec<ExportFile>), String>, shared: &mut Shared) {
        match result {
            Ok((path, files)) => {
                shared.flash(Level::Info, format!("downloaded to {}", clean(&path)));
                self.export = Some(Export::Downloaded { path, files });
            }
            Err(e) => shared.flash(Level::Error, format!("not downloaded: {e}")),
        }
    }

    pub fn render(&self, shared: &Shared, frame: &mut Frame, area: Rect, theme: &Theme, cursor_shown: bool) {
        let width = usize::from(area.width);
        let mut lines: Vec<Line> = Vec::new();
        let count = self.count();
        let sort = match self.sort {
            ChannelSort::Name => "by name",
            ChannelSort::Updated => "newest first",
        };
        let title = match self.view {
            View::Channels => {
                format!(" Channels · {} {}", grouped(count), if count == 1 { "channel" } else { "channels" })
            }
            View::Tasks => format!(" Export tasks · {}", self.tasks.len()),
        };
        lines.push(Line::from(Span::styled(title, theme.title())));
        // where the cursor is, of how many ("3 of 10,002"); the sort only
        // orders the channels
        let mut status = match self.view {
            View::Channels if count > 0 => {
                vec![Span::raw(format!("  {sort} · {} of {}", grouped(self.cursor + 1), grouped(count)))]
            }
            View::Channels => vec![Span::raw(format!("  {sort}"))],
            View::Tasks if !self.tasks.is_empty() => {
                vec![Span::raw(format!("  {} of {}", grouped(self.task_cursor + 1), grouped(self.tasks.len())))]
            }
            View::Tasks => vec![Span::raw("  no export task yet".to_string())],
        };
        if !self.filter.is_empty() || self.filter_input.is_some() {
            let f = self.typed_filter().unwrap_or_else(|| self.filter.clone());
            status.push(Span::raw(format!(" · filter /{}", clean(&f))));
            if self.filter_due.is_some() {
                let note = if shared.link.has_backend() {
                    " (loaded rows; asking the backend…)"
                } else {
                    " (the rows seen last: offline, the backend is not asked)"
                };
                status.push(Span::styled(note, theme.dim()));
            }
        }
        if self.all {
            status.push(Span::styled(format!(" · all {count} matching selected"), theme.ok()));
        } else if !self.marked.is_empty() {
            status.push(Span::styled(format!(" · {} selected", self.marked.len()), theme.ok()));
        }
        if let Some(t) = self.cached {
            let age = crate::client::describe_age((shared.now - t).max(chrono::TimeDelta::zero()));
            let why = if shared.link.has_backend() { "the backend does not answer" } else { "offline (--offline)" };
            status.push(Span::styled(format!(" · cached (fetched {age}): {why}"), theme.warn()));
        }
        if let Some(e) = &self.error {
            status.push(Span::styled(format!(" · ✗ {}", clean(e)), theme.error()));
        }
        lines.push(Line::from(cut_spans(status, width.saturating_sub(1))));
        // certificates in use that expire within 30 days, and their channels
        let expiring = expiring_certificates(shared);
        for (warning, users) in &expiring {
            let text = format!("  ⚠ used by {}: {}", clean(&users.join(", ")), clean(warning));
            lines.push(Line::from(Span::styled(truncate(&text, width.saturating_sub(1)), theme.warn())));
        }
        let mut cursor = None;
        match self.view {
            View::Channels => {
                let name_w = (width / 3).clamp(12, 32);
                let q_w = if width < 80 { 8 } else { 10 };
                // the date only where it fits whole (the last column free)
                let dated = width > name_w + 2 * q_w + 29 + 12;
                let updated = if dated { "  updated" } else { "" };
                lines.push(Line::from(Span::styled(
                    format!(
                        "    {} {} {} {} {}{updated}",
                        fit("name", name_w),
                        fit("OU", q_w),
                        fit("queue", q_w),
                        fit("robot", 5),
                        if dated { fit("webhook", 10) } else { "webhook".to_string() },
                    ),
                    theme.dim(),
                )));
                let height = self.list_rows(usize::from(area.height), width, expiring.len());
                // while a filter is typed the rows are filtered once a frame
                let typed = self.filter_due.map(|_| self.rows());
                for i in self.top..(self.top + height).min(count) {
                    let focused = i == self.cursor;
                    let row = match &typed {
                        Some(rows) => rows.get(i).copied(),
                        None => self.row(i),
                    };
                    let line = match row {
                        Some(c) => {
                            let mark = if self.all || self.marked.contains_key(&c.id) { "[x] " } else { "[ ] " };
                            let date =
                                if dated { format!("  {}", c.updated.format("%Y-%m-%d")) } else { String::new() };
                            let text = format!(
                                "{mark}{} {} {} {} {}{date}",
                                fit(&clean(&c.name), name_w.saturating_sub(4)),
                                fit(&clean(&c.ou), q_w),
                                fit(&clean(&c.skill_queue), q_w),
                                fit(if c.robot { "on" } else { "off" }, 5),
                                if dated { fit(webhook_column(c), 10) } else { webhook_column(c).to_string() },
                            );
                            let text = if expiring.iter().any(|(_, users)| users.contains(&c.name)) {
                                format!("{text} ⚠ cert")
                            } else {
                                text
                            };
                            Line::from(vec![
                                Span::raw(if focused { MARKER } else { NO_MARKER }),
                                Span::styled(
                                    truncate(&text, width.saturating_sub(2)),
                                    if focused { theme.focus() } else { Default::default() },
                                ),
                            ])
                        }
                        None => Line::from(vec![
                            Span::raw(if focused { MARKER } else { NO_MARKER }),
                            Span::styled("loading…", theme.dim()),
                        ]),
                    };
                    lines.push(line);
                }
                if count == 0 {
                    let text = if self.total.is_none() && self.error.is_none() {
                        "  loading…"
                    } else if self.filter.is_empty() {
                        "  no channels yet: n on the home screen configures one"
                    } else {
                        "  no channel matches the filter"
                    };
                    lines.push(Line::from(Span::styled(text, theme.dim())));
                }
            }
            View::Tasks => {
                // the column names and the rows from one layout
                let columns = |cells: [&str; 6]| {
                    let [id, status, records, files, size, created] = cells;
                    format!(
                        "{} {} {} {} {}  {created}",
                        fit(id, 14),
                        fit(status, 10),
                        fit(records, 14),
                        fit(files, 6),
                        fit(size, 9)
                    )
                };
                lines.push(Line::from(Span::styled(
                    format!("{NO_MARKER}{}", columns(["task", "status", "records", "files", "size", "created"])),
                    theme.dim(),
                )));
                for (i, t) in self.tasks.iter().enumerate() {
                    let focused = i == self.task_cursor;
                    let size = t.size.map(|b| format!("{:.1} KB", b as f64 / 1024.0)).unwrap_or_else(|| "-".into());
                    let text = columns([
                        &clean(&t.id),
                        t.status.as_str(),
                        &format!("{}/{}", t.done, t.total),
                        &t.files.to_string(),
                        &size,
                        &t.created.format("%Y-%m-%d %H:%M").to_string(),
                    ]);
                    lines.push(Line::from(vec![
                        Span::raw(if focused { MARKER } else { NO_MARKER }),
                        Span::styled(text, if focused { theme.focus() } else { Default::default() }),
                    ]));
                }
                if self.tasks.is_empty() {
                    lines.push(Line::from(Span::styled(
                        "  no export task yet: e on the channel list starts one",
                        theme.dim(),
                    )));
                }
            }
        }
        let body_h = usize::from(area.height);
        let export = self.export_lines(theme, width);
        let below = if export.is_empty() { 0 } else { 1 + export.len() };
        let mut shown: Vec<Line> = lines.into_iter().take(body_h.saturating_sub(below)).collect();
        if below > 0 {
            while shown.len() < body_h.saturating_sub(below) {
                shown.push(Line::raw(""));
            }
            shown.push(Line::raw(""));
            shown.extend(export);
        }
        frame.render_widget(Paragraph::new(shown), area);
        if let Some(input) = &self.filter_input {
            let (_, col) = input.view(40, None);
            let x = 2 + sort.len() + " · filter /".chars().count() + col;
            cursor = Some((1u16, x as u16));
        }
        if cursor_shown && let Some((y, x)) = cursor {
            frame.set_cursor_position(Position { x: area.x + x, y: area.y + y });
        }
    }

    /// The export's state under the list, wrapped (a downloaded file's path
    /// is shown whole, and its CSV files), at most [`EXPORT_LINES`] lines.
    fn export_lines(&self, theme: &Theme, width: usize) -> Vec<Line<'static>> {
        let text = match &self.export {
            None => return Vec::new(),
            Some(Export::Starting) => Span::styled("  export: starting…".to_string(), theme.dim()),
            Some(Export::Failed(e)) => Span::styled(format!("  ✗ export failed: {}", clean(e)), theme.error()),
            Some(Export::Task(t)) => match t.status {
                ExportStatus::Pending => Span::raw(format!("  export {}: pending", clean(&t.id))),
                ExportStatus::Running => Span::raw(format!(
                    "  export {}: running {}/{} ({})",
                    clean(&t.id),
                    t.done,
                    t.total,
                    count(t.files.into(), "file")
                )),
                ExportStatus::Success => Span::styled(
                    format!(
                        "  ✓ export {}: done, {} in {}",
                        clean(&t.id),
                        count(t.total, "record"),
                        count(t.files.into(), "file")
                    ),
                    theme.ok(),
                ),
                ExportStatus::Failed => Span::styled(
                    format!(
                        "  ✗ export {}: failed: {}",
                        clean(&t.id),
                        clean(t.error.as_deref().unwrap_or("no reason given"))
                    ),
                    theme.error(),
                ),
                ExportStatus::Expired => {
                    Span::styled(format!("  export {}: expired (its file was deleted)", clean(&t.id)), theme.warn())
                }
            },
            Some(Export::Downloaded { path, files }) => {
                let list: Vec<String> =
                    files.iter().map(|f| format!("{} {}", clean(&f.name), count(f.records, "record"))).collect();
                Span::styled(format!("  ✓ downloaded {}: {}", clean(path), list.join(", ")), theme.ok())
            }
        };
        // the last column stays free; further lines are indented
        let content = text.content.trim_start();
        let rows = crate::tui::text::wrap_rows(content, width.saturating_sub(5), EXPORT_LINES);
        rows.into_iter()
            .enumerate()
            .map(|(i, l)| Line::from(Span::styled(format!("{}{l}", if i == 0 { "  " } else { "    " }), text.style)))
            .collect()
    }
}

/// The webhook column: the state the backend last learnt from Telegram
/// (`GET .../webhook` keeps it), else whether a token is held.
pub fn webhook_column(c: &crate::api::ChannelSummary) -> &'static str {
    use crate::api::WebhookStatus;
    match (&c.webhook, c.has_bot_token) {
        (_, false) => "not set",
        (None, true) => "registered",
        (Some(w), true) => match w.status {
            WebhookStatus::Ok => "working",
            WebhookStatus::Failing => "failing",
            WebhookStatus::Elsewhere => "elsewhere",
            WebhookStatus::None => "deleted",
            WebhookStatus::Unknown => "unchecked",
        },
    }
}

/// The warnings of the catalogue's certificates that channels use and that
/// expire within 30 days, each with the names of those channels.
fn expiring_certificates(shared: &Shared) -> Vec<(String, Vec<String>)> {
    let Some(cat) = shared.catalogue.as_ref() else { return Vec::new() };
    cat.certificates
        .iter()
        .filter(|c| !c.used_by.is_empty())
        .filter_map(|c| {
            let not_after = chrono::DateTime::parse_from_rfc3339(&c.not_after).ok()?.with_timezone(&chrono::Utc);
            crate::model::warnings::expiry_warning(&c.id, not_after, shared.now).map(|w| (w, c.used_by.clone()))
        })
        .collect()
}

/// `1 record`, `2 records`.
fn count(n: u64, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

/// `10,002`: thousands grouped, as the count is read.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `spans` cut to `max` columns, the last one kept ending in `…` (each
/// keeps its style), so a long status line never reaches the last column.
fn cut_spans(spans: Vec<Span<'static>>, max: usize) -> Vec<Span<'static>> {
    let mut used = 0;
    let mut out = Vec::new();
    for span in spans {
        let w = crate::tui::text::width(&span.content);
        if used + w <= max {
            used += w;
            out.push(span);
            continue;
        }
        let room = max.saturating_sub(used);
        if room > 0 {
            out.push(Span::styled(truncate(&span.content, room), span.style));
        }
        break;
    }
    out
}
