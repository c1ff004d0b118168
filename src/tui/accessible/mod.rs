//! The accessible wizard (`chanwiz --accessible`, `ACCESSIBLE=1`,
//! `TERM=dumb`): the same flow as the full-screen wizard as plain line
//! prompts, one field at a time, for screen readers and the dumbest serial
//! console. Nothing is drawn: no alternate screen, no colour, no cursor
//! addressing — lines of text out, lines of text in.
//!
//! It reads the same field table ([`super::form::SPECS`]: labels, kinds,
//! hints, what reveals what), validates with the same rules
//! ([`crate::model::validate_all`]), saves the same drafts after every
//! answer, submits through the same [`Backend`] and connects the bot with
//! the same [`crate::integration`] steps.
//!
//! At any prompt: Enter keeps the current value, `?` explains the field,
//! `-` clears it, `<` (or `back`) goes back one field, `q` (or `quit`, or
//! Ctrl-D) saves the draft and says how to resume; a leading `\` takes the
//! rest of the line as it is (`\?` is a question mark). Choices are
//! numbered: a number or a name answers. A list (keywords, work-time
//! segments) is one item per line, ended by an empty line; a message is
//! its lines, ended by a line holding only `.`.

pub mod console;

use std::collections::HashSet;
use std::io;
use std::sync::Arc;

use tokio::runtime::Runtime;

pub use console::{Console, Plain, Script};

use super::app::Outcome;
use super::backend::Backend;
use super::choices::{self, Choice};
use super::form::{self, FieldId, IntegrationInputs, Kind, Record, Spec, Step, Value};
use super::msg::{Action, SubmitError};
use super::state::{DraftRow, Link, RowStatus};
use crate::api::Channel;
use crate::drafts::{Draft, DraftStore};
use crate::model::{Catalogue, FieldError, Mode, Segment, parse_hhmm, validate_all};
use crate::sanitize::clean;

/// What the accessible wizard is given besides the store.
pub struct Options {
    /// Keep a draft after its submit was confirmed (`--keep-draft`).
    pub keep_draft: bool,
    /// The Bot API, or why it is unusable.
    pub telegram: Result<crate::telegram::ApiConfig, String>,
    /// Offline: the caches of the backend used by default.
    pub offline_catalogue: Option<crate::client::cache::Caches>,
}

/// Run the accessible wizard on standard input and output. `start`: the
/// draft to open (and whether its file exists), else the list of drafts is
/// offered. `make_backend` runs inside the wizard's runtime.
pub fn run(
    store: Arc<DraftStore>,
    start: Option<(Draft, bool)>,
    opts: Options,
    make_backend: impl FnOnce() -> (Option<Arc<dyn Backend>>, Option<String>),
) -> io::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let guard = runtime.enter();
    restore_terminal_on_signals();
    let (backend, url) = make_backend();
    let mut con = Plain::new();
    let mut s = Session::new(&store, &runtime, backend, opts.telegram, opts.keep_draft);
    s.connect(&mut con, url, opts.offline_catalogue.as_ref());
    let outcome = s.run(&mut con, start);
    drop(guard);
    Ok(outcome)
}

/// A hang-up or SIGTERM while a hidden answer is read would end the process
/// with the terminal's echo off (the prompt's guard never runs). A thread
/// of its own waits for them, puts the terminal's settings from the start
/// back and ends the process; every answer is on disk already, and a save
/// under way is a temporary file beside the draft, never the draft itself.
fn restore_terminal_on_signals() {
    use std::os::fd::AsRawFd;
    let fd = io::stdin().as_raw_fd();
    // SAFETY: termios is plain data; tcgetattr fills it or fails.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: a valid fd and a pointer to our termios.
    if unsafe { libc::tcgetattr(fd, &mut saved) } != 0 {
        return; // not a terminal: nothing to put back
    }
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
        rt.block_on(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut hup), Ok(mut term)) = (signal(SignalKind::hangup()), signal(SignalKind::terminate())) else {
                return;
            };
            let code = tokio::select! {
                _ = hup.recv() => 129,
                _ = term.recv() => 143,
            };
            // SAFETY: the fd and the settings read at the start.
            unsafe { libc::tcsetattr(fd, libc::TCSANOW, &saved) };
            println!();
            println!("Stopped: every answer given is saved in the draft.");
            std::process::exit(code);
        });
    });
}

/// Where the walk through the fields is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Field(FieldId),
    Review,
}

/// What an answer at a field leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Move {
    Next,
    Back,
    Stay,
    Quit,
}

/// One accessible wizard session: the draft being edited and what it talks to.
pub struct Session<'a> {
    store: &'a DraftStore,
    runtime: &'a Runtime,
    backend: Option<Arc<dyn Backend>>,
    telegram: Result<crate::telegram::ApiConfig, String>,
    keep_draft: bool,
    pub catalogue: Option<Catalogue>,
    /// Where the backend is (said in Submit's question); `None` when it is
    /// the local one on this machine.
    backend_url: Option<String>,
    /// The backend is the one embedded in this process.
    backend_local: bool,
    /// The backend's most recently updated channels (offered to edit).
    pub channels: Vec<crate::api::ChannelSummary>,
    pub draft: Draft,
    /// The draft file exists.
    persisted: bool,
    /// Changes not yet on disk.
    dirty: bool,
    /// Why the last save failed (said once, until a save works).
    save_error: Option<String>,
    errors: Vec<FieldError>,
    /// What the backend refused on the last submit, until the field changes.
    server_errors: Vec<FieldError>,
    /// Fields answered (their errors are said when they are asked again).
    touched: HashSet<FieldId>,
    /// The step last announced.
    announced: Option<Step>,
    /// The field whose errors were just said (not said again at once).
    just_said: Option<FieldId>,
    pub place: Place,
}

impl<'a> Session<'a> {
    pub fn new(
        store: &'a DraftStore,
        runtime: &'a Runtime,
        backend: Option<Arc<dyn Backend>>,
        telegram: Result<crate::telegram::ApiConfig, String>,
        keep_draft: bool,
    ) -> Self {
        Self {
            store,
            runtime,
            backend,
            telegram,
            keep_draft,
            catalogue: None,
            backend_url: None,
            backend_local: false,
            channels: Vec::new(),
            draft: Draft::new(Default::default()),
            persisted: false,
            dirty: false,
            save_error: None,
            errors: Vec::new(),
            server_errors: Vec::new(),
            touched: HashSet::new(),
            announced: None,
            just_said: None,
            place: Place::Field(FieldId::AppKey),
        }
    }

    /// Ask the backend for its catalogue (or read the cached one) and say
    /// where things stand.
    pub fn connect(
        &mut self,
        con: &mut dyn Console,
        url: Option<String>,
        offline: Option<&crate::client::cache::Caches>,
    ) {
        let mut url = url;
        let mut link = Link::Offline;
        match self.backend.clone() {
            Some(backend) => {
                con.say("Connecting to the backend…");
                let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                self.runtime.block_on(backend.refresh(tx));
                while let Ok(action) = rx.try_recv() {
                    match action {
                        Action::CatalogueLoaded { catalogue, .. } => self.catalogue = Some(catalogue),
                        Action::LinkChanged(l) => link = l,
                        Action::BackendUrl(u) => {
                            url = Some(u);
                            self.backend_local = true;
                        }
                        Action::ChannelsLoaded { items, .. } => self.channels = items,
                        _ => {}
                    }
                }
            }
            None => {
                self.catalogue = offline.and_then(|c| c.catalogue.load()).map(|c| c.catalogue);
            }
        }
        let at = url.as_deref().map(|u| format!(" {}", clean(u))).unwrap_or_default();
        self.backend_url = url.clone();
        let said = match &link {
            Link::Online => format!("Backend{at}: online."),
            Link::Offline => "Offline (--offline): everything but Submit works.".to_string(),
            Link::Connecting => format!("Backend{at}: no answer yet."),
            Link::Unreachable(why) => format!("Backend{at} unreachable: {}.", clean(why)),
            Link::TokenRefused => format!("Backend{at}: the tenant token is refused."),
        };
        con.say(&said);
        if self.catalogue.is_none() {
            con.say("No catalogue: certificates, OUs, skill queues and robots are typed as ids.");
        }
    }

    /// The whole session: choose or open a draft, walk its fields, review,
    /// submit, connect the bot.
    pub fn run(&mut self, con: &mut dyn Console, start: Option<(Draft, bool)>) -> Outcome {
        con.say("chanwiz accessible mode. At any prompt: Enter keeps the value, ? explains the field, - clears it, < goes back, q saves and quits.");
        let (draft, persisted) = match start {
            Some(s) => s,
            None => match self.choose_draft(con) {
                Some(s) => s,
                None => return Outcome { integration_url: None },
            },
        };
        self.open(draft, persisted);
        if persisted {
            con.say(&format!("Draft {}: every answer is saved as it is given.", self.draft.meta.id));
        }
        self.walk(con)
    }

    /// Open `draft` where it was left (its step and field).
    pub fn open(&mut self, draft: Draft, persisted: bool) {
        self.draft = draft;
        self.persisted = persisted;
        self.dirty = false;
        self.revalidate();
        let walk = self.fields();
        let saved = self.draft.meta.field.as_deref().and_then(form::field_named);
        let step = Step::from_number(self.draft.meta.step);
        self.place = match saved {
            _ if step == Step::Review => Place::Review,
            Some(f) if walk.contains(&f) => Place::Field(f),
            _ => form::visible(step, &self.draft).first().or(walk.first()).map_or(Place::Review, |f| Place::Field(*f)),
        };
        // a value brought in with an error says so at once
        self.touched = walk.into_iter().filter(|f| !self.empty(*f) && !self.errors_of(*f).is_empty()).collect();
    }

    fn choose_draft(&mut self, con: &mut dyn Console) -> Option<(Draft, bool)> {
        let rows = match self.store.rows() {
            Ok((rows, _)) => rows,
            Err(e) => {
                con.say(&format!("The drafts cannot be listed: {}", clean(&e.to_string())));
                Vec::new()
            }
        };
        if rows.is_empty() && self.channels.is_empty() {
            con.say("No drafts yet: a new channel.");
            return Some((Draft::new(Default::default()), false));
        }
        loop {
            if !rows.is_empty() {
                con.say(&format!("{} draft{}:", rows.len(), if rows.len() == 1 { "" } else { "s" }));
            }
            let mut offline_note = false;
            for (i, r) in rows.iter().enumerate() {
                let name = if r.name.is_empty() { "(unnamed)".to_string() } else { clean(&r.name).into_owned() };
                let status = DraftRow::from(r.clone()).status(self.catalogue.as_ref());
                offline_note |= status == RowStatus::ValidOffline;
                let edit = if r.channel_id.is_some() { ", edits a channel" } else { "" };
                con.say(&format!(
                    "  {}. {name}, step {} of 4, {}{edit} (draft {})",
                    i + 1,
                    r.step,
                    status.short(),
                    r.id
                ));
            }
            if offline_note {
                con.say(&format!("  ({})", RowStatus::OFFLINE_NOTE));
            }
            if !self.channels.is_empty() {
                con.say("Channels on the backend, most recently updated first (c and the number edits one):");
            }
            for (i, c) in self.channels.iter().enumerate() {
                con.say(&format!("  c{}. {} (version {}, id {})", i + 1, clean(&c.name), c.version, clean(&c.id)));
            }
            let question = match (rows.is_empty(), self.channels.is_empty()) {
                (false, true) => "Open which draft? A number or id; Enter or n for a new channel; q quits> ",
                (true, false) => "Edit which channel? c and its number; Enter or n for a new channel; q quits> ",
                _ => {
                    "Open a draft (its number or id) or edit a channel (c and its number); Enter or n for a new channel; q quits> "
                }
            };
            let answer = con.ask(question)?;
            let a = answer.trim();
            match a {
                "" | "n" | "new" => return Some((Draft::new(Default::default()), false)),
                "q" | "quit" => return None,
                _ => {}
            }
            if let Some(n) = a.strip_prefix('c').and_then(|n| n.parse::<usize>().ok()) {
                match self.channels.get(n.wrapping_sub(1)).cloned() {
                    Some(c) => match self.edit(&c, &rows) {
                        Ok(open) => return Some(open),
                        Err(e) => con.say(&format!("error: {}", clean(&e))),
                    },
                    None => con.say(&format!("error: there is no channel c{n}")),
                }
                continue;
            }
            let id = match a.parse::<usize>() {
                Ok(n) if (1..=rows.len()).contains(&n) => Ok(rows[n - 1].id.clone()),
                _ => self.store.resolve(a).map_err(|e| e.to_string()),
            };
            match id.and_then(|id| self.store.open_for_edit(&id).map_err(|e| e.to_string())) {
                Ok(d) => return Some((d, true)),
                Err(e) => con.say(&format!("error: {}", clean(&e))),
            }
        }
    }

    /// The draft that edits channel `c`: the one begun before, else a new
    /// one from the channel as the backend has it now.
    fn edit(&self, c: &crate::api::ChannelSummary, rows: &[crate::drafts::Row]) -> Result<(Draft, bool), String> {
        if let Some(r) = rows.iter().find(|r| r.channel_id.as_deref() == Some(c.id.as_str())) {
            return self.store.open_for_edit(&r.id).map(|d| (d, true)).map_err(|e| e.to_string());
        }
        let backend = self.backend.clone().ok_or("offline: no backend")?;
        let channel = self.runtime.block_on(backend.channel(&c.id)).map_err(|f| f.message)?;
        Ok((Draft::editing(&channel.id, channel.version, &channel.document), false))
    }

    // --- the walk -------------------------------------------------------------

    /// Every field the draft shows now, steps 1–3 in order.
    pub fn fields(&self) -> Vec<FieldId> {
        Step::FORMS.iter().flat_map(|s| form::visible(*s, &self.draft)).collect()
    }

    fn walk(&mut self, con: &mut dyn Console) -> Outcome {
        loop {
            let step = match self.place {
                Place::Field(f) => form::spec_of(f).step.unwrap_or(Step::ChannelInfo),
                Place::Review => Step::Review,
            };
            if self.announced != Some(step) {
                self.announced = Some(step);
                con.say("");
                con.say(&format!("Step {} of 4: {}. {}", step.number(), step.title(), step.intro()));
                if step == Step::ChannelInfo {
                    con.say(&self.channel_selection());
                }
            }
            match self.place {
                Place::Field(f) => match self.field(con, f) {
                    Move::Next => self.place = self.after(f),
                    Move::Back => match self.before(f) {
                        Some(p) => self.place = p,
                        None => con.say("This is the first field."),
                    },
                    Move::Stay => {}
                    Move::Quit => return self.quit(con),
                },
                Place::Review => match self.review(con) {
                    Ok(Some(place)) => self.place = place,
                    Ok(None) => return self.quit(con),
                    Err(channel) => return self.integration(con, *channel),
                },
            }
            self.save_place(con);
        }
    }

    fn after(&self, f: FieldId) -> Place {
        let walk = self.fields();
        match walk.iter().position(|x| *x == f) {
            Some(i) => walk.get(i + 1).map_or(Place::Review, |n| Place::Field(*n)),
            None => {
                // hidden meanwhile: the next shown field after it in the table
                let at = spec_index(f);
                walk.into_iter().find(|x| spec_index(*x) > at).map_or(Place::Review, Place::Field)
            }
        }
    }

    fn before(&self, f: FieldId) -> Option<Place> {
        let walk = self.fields();
        let i = walk.iter().position(|x| *x == f)?;
        i.checked_sub(1).map(|i| Place::Field(walk[i]))
    }

    // --- one field ------------------------------------------------------------

    /// Ask `f`, apply the answer, say what is wrong with it.
    fn field(&mut self, con: &mut dyn Console, f: FieldId) -> Move {
        let spec = form::spec_of(f);
        if let Some(h) = spec.heading {
            con.say(&format!("{h}:"));
        }
        let choices = self.choices(spec.kind);
        describe(con, spec, &self.value(f), &choices);
        let import_role = self.import_role(f, &choices);
        if let Some(role) = import_role {
            con.say(&format!(
                "No {} certificate is uploaded to this tenant: type the path of its file (PEM or DER) to import it.",
                role.as_str()
            ));
        }
        if self.touched.contains(&f) && self.just_said.take() != Some(f) {
            self.say_errors(con, f, "error");
        }
        self.just_said = None;
        let answer = match ask(con, spec) {
            None => return Move::Quit,
            Some(a) => a,
        };
        match command(&answer) {
            Some(Cmd::Help) => {
                help(con, spec, &choices);
                return Move::Stay;
            }
            Some(Cmd::Back) => return Move::Back,
            Some(Cmd::Quit) => return Move::Quit,
            Some(Cmd::Keep) => {
                self.touched.insert(f);
                self.say_errors(con, f, "still");
                return Move::Next;
            }
            None => {}
        }
        if let Some(role) = import_role {
            let path = literal(&answer).trim();
            if !path.is_empty() && std::path::Path::new(path).is_file() {
                return self.import_certificate(con, f, role, path);
            }
        }
        let before = self.draft.clone();
        let applied = apply(con, spec, &mut self.draft, literal(&answer), &choices);
        let eof = matches!(applied, Ok(Applied::Eof));
        match applied {
            Err(why) => {
                con.say(&format!("error: {}: {} (rule: {})", spec.label, why, rule(spec.kind)));
                self.just_said = Some(f);
                return Move::Stay;
            }
            Ok(_) if self.draft != before => {
                self.touched.insert(f);
                self.server_errors.retain(|e| form::field_for_path(&e.path, &self.draft) != Some(f));
                self.revalidate();
                // saved by the walk before the next question, with its place
                self.dirty = true;
            }
            Ok(_) => {
                self.touched.insert(f);
            }
        }
        if eof {
            return Move::Quit;
        }
        if self.errors_of(f).is_empty() {
            con.say(&format!("{}: {}", spec.label, self.value(f)));
            Move::Next
        } else {
            self.say_errors(con, f, "error");
            self.just_said = Some(f);
            Move::Stay
        }
    }

    fn say_errors(&self, con: &mut dyn Console, f: FieldId, word: &str) {
        let spec = form::spec_of(f);
        for e in self.errors_of(f) {
            con.say(&format!("{word}: {}: {} (rule: {})", spec.label, clean(&e.message), rule(spec.kind)));
        }
    }

    fn choices(&self, kind: Kind) -> Vec<Choice> {
        match kind {
            Kind::Select(source) => choices::choices(source, self.catalogue.as_ref()),
            _ => Vec::new(),
        }
    }

    /// The field's value as said: names for choices, never a secret.
    pub fn value(&self, f: FieldId) -> String {
        let spec = form::spec_of(f);
        match spec.kind {
            Kind::Select(source) => match spec.text(&self.draft) {
                t if t.is_empty() => "(empty)".into(),
                t => choices::describe(source, &t, self.catalogue.as_ref()),
            },
            _ => shown(spec, &self.draft),
        }
    }

    fn empty(&self, f: FieldId) -> bool {
        let spec = form::spec_of(f);
        match &spec.value {
            Value::Text { get, .. } => get(&self.draft).is_empty(),
            Value::Number { get, .. } => get(&self.draft).is_none(),
            Value::Flag { .. } => false,
            Value::Words { get, .. } => get(&self.draft).is_empty(),
            Value::Segments { get, .. } => get(&self.draft).is_empty(),
        }
    }

    // --- validation and saving -----------------------------------------------

    fn mode(&self) -> Mode {
        if self.draft.meta.channel_id.is_some() { Mode::Update } else { Mode::Create }
    }

    /// The role of the certificate field `f` when the tenant has none of it
    /// (and a backend to import one to).
    fn import_role(&self, f: FieldId, choices: &[Choice]) -> Option<crate::api::CertRole> {
        let role = match f {
            FieldId::TrustCert => crate::api::CertRole::Trust,
            FieldId::IdentityCert => crate::api::CertRole::Identity,
            _ => return None,
        };
        (choices.is_empty() && self.catalogue.is_some() && self.backend.is_some()).then_some(role)
    }

    /// Upload the certificate file at `path` and choose it in `f`.
    fn import_certificate(
        &mut self,
        con: &mut dyn Console,
        f: FieldId,
        role: crate::api::CertRole,
        path: &str,
    ) -> Move {
        let spec = form::spec_of(f);
        let Some(backend) = self.backend.clone() else { return Move::Stay };
        let path = std::path::PathBuf::from(path);
        con.say("Importing the certificate…");
        let result = self.runtime.block_on(async move {
            let client = backend.client().await.map_err(|e| e.message)?;
            crate::client::certs::import_file(&client, &path, role, None).await.map_err(|e| e.to_string())
        });
        match result {
            Ok(cert) => {
                con.say(&format!(
                    "Imported {} certificate '{}' ({}): chosen for {}.",
                    role.as_str(),
                    clean(&cert.name),
                    clean(&cert.id),
                    spec.label
                ));
                if let form::Value::Text { set, .. } = &spec.value {
                    set(&mut self.draft, cert.id.clone());
                }
                if let Some(cat) = self.catalogue.as_mut() {
                    cat.certificates.push(cert);
                }
                self.touched.insert(f);
                self.revalidate();
                self.dirty = true;
                Move::Next
            }
            Err(e) => {
                con.say(&format!("error: {}: the certificate was not imported: {}", spec.label, clean(&e)));
                self.just_said = Some(f);
                Move::Stay
            }
        }
    }

    fn revalidate(&mut self) {
        let editing = self.draft.meta.channel_id.clone();
        self.errors = validate_all(&self.draft.document, self.mode(), self.catalogue.as_ref(), editing.as_deref());
    }

    /// Every error, local and from the server, without repeating a path.
    pub fn all_errors(&self) -> Vec<&FieldError> {
        form::all_errors(&self.errors, &self.server_errors)
    }

    pub fn errors_of(&self, f: FieldId) -> Vec<&FieldError> {
        form::errors_of(self.all_errors(), f, &self.draft)
    }

    /// The draft as saved: with the step and field the walk is at.
    fn snapshot(&self) -> Draft {
        let mut d = self.draft.clone();
        match self.place {
            Place::Field(f) => {
                d.meta.step = form::spec_of(f).step.map_or(1, Step::number);
                d.meta.field = Some(form::field_name(f));
            }
            Place::Review => d.meta.step = Step::Review.number(),
        }
        d
    }

    /// Write the draft now (every answer is on disk before the next question).
    fn save(&mut self, con: &mut dyn Console) -> bool {
        let mut d = self.snapshot();
        match self.store.save_held(&mut d) {
            Ok(()) => {
                self.draft.meta.updated = d.meta.updated;
                if !self.persisted {
                    con.say(&format!(
                        "Saved as draft {}: every answer is kept as it is given (Ctrl-C or a hang-up loses only the line being typed).",
                        d.meta.id
                    ));
                }
                self.persisted = true;
                self.dirty = false;
                if self.save_error.take().is_some() {
                    con.say("The draft is saved again.");
                }
                true
            }
            Err(e) => {
                let e = e.to_string();
                if self.save_error.as_deref() != Some(e.as_str()) {
                    con.say(&format!(
                        "warning: the draft could not be saved ({}); your answers are kept and saving is tried again after the next one",
                        clean(&e)
                    ));
                }
                self.save_error = Some(e);
                false
            }
        }
    }

    /// A draft that has a file records where the walk is.
    fn save_place(&mut self, con: &mut dyn Console) {
        if self.persisted || self.dirty {
            self.save(con);
        }
    }

    fn quit(&mut self, con: &mut dyn Console) -> Outcome {
        con.say("");
        if !self.persisted && !self.dirty {
            con.say("Nothing was typed: no draft was made.");
            return Outcome { integration_url: None };
        }
        let id = self.draft.meta.id.clone();
        if self.save(con) {
            con.say(&format!("Saved as draft {id}. Resume with: chanwiz --accessible {id}"));
        } else {
            match super::app::rescue(self.store, &self.snapshot()) {
                Ok(path) => con.say(&format!(
                    "The draft could not be saved in the data directory; a copy is in {}. Open it with: chanwiz new --from {}",
                    path.display(),
                    path.display()
                )),
                Err(e) => con.say(&format!("The draft could not be saved anywhere: {}", clean(&e))),
            }
        }
        Outcome { integration_url: None }
    }

    // --- review and submit ----------------------------------------------------

    /// Ok(Some(place)): go there; Ok(None): quit; Err(channel): submitted.
    fn review(&mut self, con: &mut dyn Console) -> Result<Option<Place>, Box<Channel>> {
        self.print_review(con);
        loop {
            let Some(answer) = con.ask("Review (s submits, a number goes to that error, < goes back, q quits)> ")
            else {
                return Ok(None);
            };
            let a = answer.trim();
            match a {
                "s" | "submit" => match self.submit(con) {
                    Some(channel) => return Err(Box::new(channel)),
                    None => continue,
                },
                "<" | "back" => return Ok(self.fields().last().map(|f| Place::Field(*f))),
                "q" | "quit" => return Ok(None),
                "?" | "" => {
                    self.print_review(con);
                    continue;
                }
                _ => {}
            }
            let errors = self.all_errors();
            match a.parse::<usize>() {
                Ok(n) if (1..=errors.len()).contains(&n) => {
                    let path = errors[n - 1].path.clone();
                    let walk = self.fields();
                    let target = form::field_for_path(&path, &self.draft).map(|f| {
                        // a field hidden by its toggle: the toggle
                        if walk.contains(&f) { f } else { form::spec_of(f).revealed_by.unwrap_or(f) }
                    });
                    match target {
                        Some(f) => {
                            self.touched.insert(f);
                            return Ok(Some(Place::Field(f)));
                        }
                        None => con.say(&format!("error {n} belongs to no field of the wizard")),
                    }
                }
                _ => con.say(&format!("'{}' is not an answer here: s, a number, < or q", clean(a))),
            }
        }
    }

    /// `Channel Selection: Telegram` (set by the page, not asked).
    fn channel_selection(&self) -> String {
        let label = crate::model::fields::label(crate::model::fields::CHANNEL_TYPE);
        format!("{label}: {}", self.draft.document.channel_type.title())
    }

    /// The whole document, the changes of an edit, and every error.
    pub fn print_review(&self, con: &mut dyn Console) {
        for step in Step::FORMS {
            con.say(&format!("{}:", step.title()));
            if step == Step::ChannelInfo {
                con.say(&format!("  {}", self.channel_selection()));
            }
            for f in form::visible(step, &self.draft) {
                con.say(&format!("  {}: {}", form::spec_of(f).label, self.value(f)));
            }
        }
        if let Some(base) = &self.draft.meta.base {
            let changes = crate::model::diff::changes(base, &self.draft.document);
            match changes.len() {
                0 => con.say("Changes from the channel on the backend: none yet."),
                n => {
                    con.say(&format!("Changes from the channel on the backend ({n}):"));
                    for c in changes {
                        con.say(&format!("  {}", c.line()));
                    }
                }
            }
        }
        // the schedule in words (no bars: a screen reader reads times)
        let doc = &self.draft.document;
        let times = |segs: &[Segment]| match segs.is_empty() {
            true => "no work time".to_string(),
            false => {
                segs.iter().map(|s| format!("{}–{}", clean(&s.start), clean(&s.end))).collect::<Vec<_>>().join(", ")
            }
        };
        con.say(&format!(
            "Schedule: Mon–Fri workdays {}; Sat–Sun non-workdays {}; outside work time customers get {}.",
            times(&doc.basic.work_time.workday),
            times(&doc.basic.work_time.non_workday),
            crate::model::schedule::outside_work_time(doc).describe()
        ));
        let warned = crate::model::warnings(doc);
        if !warned.is_empty() {
            con.say(&format!(
                "{} warning{} (they do not block submit):",
                warned.len(),
                if warned.len() == 1 { "" } else { "s" }
            ));
            for w in &warned {
                con.say(&format!("  warning: {}", clean(&w.message)));
            }
        }
        let errors = self.all_errors();
        if errors.is_empty() {
            con.say("No errors: ready to submit.");
        } else {
            con.say(&format!("{} error{}:", errors.len(), if errors.len() == 1 { "" } else { "s" }));
            for (i, e) in errors.iter().enumerate() {
                let name = form::field_for_path(&e.path, &self.draft)
                    .map(|f| form::spec_of(f).label)
                    .unwrap_or_else(|| crate::model::fields::name_of(&e.path));
                con.say(&format!("  {}. {}: {}", i + 1, name, clean(&e.message)));
            }
        }
    }

    /// Send the draft; the channel when the backend took it.
    fn submit(&mut self, con: &mut dyn Console) -> Option<Channel> {
        let n = self.all_errors().len();
        if n > 0 {
            con.say(&format!(
                "Submit refused: {n} error{} remain{}; type its number to go to one.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            ));
            return None;
        }
        if let Some(base) = &self.draft.meta.base
            && crate::model::diff::changes(base, &self.draft.document).is_empty()
        {
            con.say("Nothing to submit: the edit changes no field yet.");
            return None;
        }
        let Some(backend) = self.backend.clone() else {
            self.save(con);
            con.say("Offline (--offline): the draft is saved; submit it later with `chanwiz submit`.");
            return None;
        };
        // asked once, as on the full screen: only a typed y sends
        let (question, create) = form::submit_question(&self.draft, self.backend_url.as_deref(), self.backend_local);
        con.say(&question);
        let prompt = if create { "Create it? yes or no> " } else { "Update it? yes or no> " };
        match con.ask(prompt).as_deref().map(yes_no) {
            Some(Some(true)) => {}
            Some(_) => {
                con.say("Not sent: back to Review.");
                return None;
            }
            None => return None,
        }
        // one key per intended create, on disk before the request leaves
        if self.draft.ensure_idempotency_key() {
            self.dirty = true;
        }
        if self.dirty && !self.save(con) {
            con.say("Not sent: the draft must be saved before it is submitted (it holds the request's key).");
            return None;
        }
        con.say("Submitting…");
        match self.runtime.block_on(backend.submit(self.draft.clone())) {
            Ok(channel) => {
                self.draft.confirmed(&channel.id, channel.version, &channel.document);
                if self.keep_draft {
                    self.dirty = true;
                    self.save(con);
                } else if let Err(e) = self.store.remove(&self.draft.meta.id)
                    && !matches!(e, crate::drafts::DraftError::NotFound(_))
                {
                    con.say(&format!("warning: the submitted draft could not be removed: {}", clean(&e.to_string())));
                }
                con.say(&format!(
                    "Done: channel {} is saved on the backend (id {}, version {}).",
                    clean(&channel.document.basic.channel_name),
                    clean(&channel.id),
                    channel.version
                ));
                Some(channel)
            }
            Err(SubmitError::Invalid(errors)) => {
                con.say(&format!("The backend refused the channel: {} error(s).", errors.len()));
                self.server_errors = errors;
                self.print_review(con);
                None
            }
            Err(SubmitError::Stale { message, .. }) => {
                con.say(&format!(
                    "{}. Merge the changes in the full-screen wizard: chanwiz {}",
                    clean(&message),
                    self.draft.meta.id
                ));
                None
            }
            Err(SubmitError::Unreachable(m)) | Err(SubmitError::Unauthorized(m)) | Err(SubmitError::Other(m)) => {
                con.say(&format!("{} (the draft is kept; s tries again)", clean(&m)));
                None
            }
        }
    }

    // --- Channel Integration --------------------------------------------------

    /// The Channel Integration steps: the bot token, the webhook.
    fn integration(&mut self, con: &mut dyn Console, channel: Channel) -> Outcome {
        let url = channel.integration_url.clone();
        con.say("");
        con.say(&format!("Channel Integration: {}", clean(&channel.document.basic.channel_name)));
        con.say(&format!("integration URL (url used to send message to agent): {}", clean(&url)));
        let outcome = Outcome { integration_url: Some(url) };
        let Some(backend) = self.backend.clone() else { return outcome };
        let api = match &self.telegram {
            Ok(api) => api.clone(),
            Err(e) => {
                con.say(&format!("The bot cannot be connected from here: {}", clean(e)));
                return outcome;
            }
        };
        let info = self.runtime.block_on(async {
            let client = backend.client().await.map_err(|e| e.message)?;
            crate::integration::prepare_for(&client, &channel).await.map_err(|e| e.to_string()).map(|i| (client, i))
        });
        let (client, info) = match info {
            Ok(x) => x,
            Err(e) => {
                con.say(&format!("The integration details cannot be loaded: {}", clean(&e)));
                return outcome;
            }
        };
        con.say("Connect the Telegram bot now: type its token, or press Enter to do it later (chanwiz webhook set).");
        let mut inputs = IntegrationInputs::default();
        let (mut move_bot, mut other_bot) = (false, false);
        let mut replace = crate::integration::Replace::Ask;
        'fields: loop {
            for spec in IntegrationInputs::table() {
                loop {
                    describe(con, spec, &shown(spec, &inputs), &[]);
                    let Some(answer) = ask(con, spec) else { return outcome };
                    match command(&answer) {
                        Some(Cmd::Help) => {
                            help(con, spec, &[]);
                            continue;
                        }
                        Some(Cmd::Quit) => return outcome,
                        Some(Cmd::Keep) if spec.id == FieldId::BotToken && inputs.token.is_empty() => {
                            con.say("Not connected now. Later: chanwiz webhook set, or the full-screen wizard.");
                            return outcome;
                        }
                        Some(Cmd::Keep) | Some(Cmd::Back) => break,
                        None => {}
                    }
                    match apply(con, spec, &mut inputs, literal(&answer), &[]) {
                        Err(why) => con.say(&format!("error: {}: {} (rule: {})", spec.label, why, rule(spec.kind))),
                        Ok(Applied::Eof) => return outcome,
                        Ok(Applied::Done) if spec.id == FieldId::BotToken => {
                            match crate::telegram::BotToken::parse(&inputs.token) {
                                Ok(t) => {
                                    if let Some(w) = t.format_warning() {
                                        con.say(&format!("warning: {w}"));
                                    }
                                    break;
                                }
                                Err(e) => {
                                    inputs.token.clear();
                                    con.say(&format!("error: {}: {}", spec.label, clean(&e.to_string())));
                                }
                            }
                        }
                        Ok(Applied::Done) => break,
                    }
                }
            }
            loop {
                let Ok(token) = crate::telegram::BotToken::parse(&inputs.token) else { continue 'fields };
                let public = inputs.public_url.trim();
                let options = crate::integration::Options {
                    public_address: (!public.is_empty()).then(|| public.to_string()),
                    allowed_updates: inputs
                        .allowed
                        .split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect(),
                    drop_pending_updates: inputs.drop_pending,
                    replace: replace.clone(),
                    move_bot,
                    other_bot,
                    ..Default::default()
                };
                con.say("Registering the webhook…");
                let secrets = [info.secret()];
                let mut lines: Vec<String> = Vec::new();
                let result = self.runtime.block_on(async {
                    let mut progress = |e: crate::integration::Event| lines.push(e.to_string());
                    crate::integration::connect(&client, &api, &info, &token, &options, &mut progress).await
                });
                for l in &lines {
                    con.say(&format!("  {}", clean(&crate::integration::scrub(l, Some(&token), &secrets))));
                }
                use crate::integration::IntegrationError as E;
                let question = match result {
                    Ok(report) => {
                        con.say(&format!(
                            "Done: webhook registered for {}: Telegram is to deliver to {} and the channel can answer customers.",
                            clean(&report.bot.handle()),
                            clean(&report.webhook_url)
                        ));
                        return outcome;
                    }
                    Err(e) => {
                        con.say(&format!("error: {}", e.scrubbed(Some(&token), &secrets)));
                        match e {
                            E::NeedsConfirmation { current, .. } => {
                                replace = crate::integration::Replace::Only(current);
                                "Replace that webhook? yes or no> "
                            }
                            E::BotInUse { .. } => {
                                move_bot = true;
                                "Move the bot to this channel? yes or no> "
                            }
                            E::OtherBot { .. } => {
                                other_bot = true;
                                "Switch to the new bot? yes or no> "
                            }
                            _ => "Change the answers and try again? yes or no> ",
                        }
                    }
                };
                let yes = con.ask(question).and_then(|a| yes_no(&a)).unwrap_or(false);
                if !yes {
                    con.say("Not connected. Later: chanwiz webhook set, or the full-screen wizard.");
                    return outcome;
                }
                if question.starts_with("Change") {
                    continue 'fields;
                }
            }
        }
    }
}

/// The place of `f` in the field table.
fn spec_index(f: FieldId) -> usize {
    form::SPECS.iter().position(|s| s.id == f).unwrap_or(usize::MAX)
}

/// What an answer at a prompt means besides a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Help,
    Back,
    Quit,
    Keep,
}

fn command(answer: &str) -> Option<Cmd> {
    match answer.trim() {
        "?" | "help" => Some(Cmd::Help),
        "<" | "back" => Some(Cmd::Back),
        "q" | "quit" => Some(Cmd::Quit),
        "" => Some(Cmd::Keep),
        _ => None,
    }
}

/// The answer as a value: a leading `\` is dropped (`\?`, `\q`, `\<`).
fn literal(answer: &str) -> &str {
    answer.strip_prefix('\\').unwrap_or(answer)
}

/// The rule of a kind of field, in words.
pub fn rule(kind: Kind) -> String {
    match kind {
        Kind::Text { max } => format!("text, at most {max} characters"),
        Kind::Secret { max } => format!("secret, at most {max} characters, never shown"),
        Kind::Multiline { max } => {
            format!("a message of at most {max} characters: type its lines, then a line holding only .")
        }
        Kind::Select(_) => "one of a list: its number or its name".into(),
        Kind::Toggle => "yes or no".into(),
        Kind::Number { min, max, unit, optional } => {
            let unit = match unit {
                "h" => " hours",
                "s" => " seconds",
                "min" => " minutes",
                _ => "",
            };
            let none = if optional { "; - for none" } else { "" };
            format!("a whole number from {min} to {max}{unit}{none}")
        }
        Kind::Keywords => format!(
            "words, one per line (each at most {} characters, at most {}), then an empty line",
            crate::model::validate::KEYWORD_MAX,
            crate::model::validate::KEYWORDS_MAX
        ),
        Kind::WorkTime => format!(
            "time segments HH:MM-HH:MM, one per line (at most {}), then an empty line",
            crate::model::validate::SEGMENTS_MAX
        ),
    }
}

/// A value as said (the generic part: no catalogue names).
fn shown<T: Record>(spec: &Spec<T>, r: &T) -> String {
    let said = match (&spec.value, spec.kind) {
        (Value::Text { get, .. }, Kind::Secret { .. }) => {
            if get(r).is_empty() {
                "(empty)".into()
            } else {
                "set (hidden)".into()
            }
        }
        (Value::Text { get, .. }, Kind::Multiline { .. }) => match get(r) {
            "" => "(empty)".to_string(),
            t => t.lines().collect::<Vec<_>>().join(" / "),
        },
        (Value::Text { get, .. }, _) => match get(r) {
            "" => "(empty)".to_string(),
            t => t.to_string(),
        },
        (Value::Number { get, .. }, Kind::Number { unit, .. }) => match get(r) {
            None => "(empty)".into(),
            Some(n) => format!("{n} {unit}"),
        },
        (Value::Number { get, .. }, _) => get(r).map_or("(empty)".into(), |n| n.to_string()),
        (Value::Flag { get, .. }, _) => if get(r) { "on" } else { "off" }.into(),
        (Value::Words { get, .. }, _) => match get(r) {
            w if w.is_empty() => "(none)".into(),
            w => w.join(", "),
        },
        (Value::Segments { get, .. }, _) => match get(r) {
            s if s.is_empty() => "(none)".into(),
            s => s.iter().map(|s| format!("{}-{}", s.start, s.end)).collect::<Vec<_>>().join(", "),
        },
    };
    clean(&said).into_owned()
}

/// Say the field: label and rule, current value, the choices.
fn describe<T: Record>(con: &mut dyn Console, spec: &Spec<T>, value: &str, choices: &[Choice]) {
    con.say("");
    con.say(&format!("{} — {}", spec.label, rule(spec.kind)));
    con.say(&format!("  {}", spec.hint));
    con.say(&format!("current: {value}"));
    list_choices(con, choices);
}

fn list_choices(con: &mut dyn Console, choices: &[Choice]) {
    for (i, c) in choices.iter().enumerate() {
        let warning = c.warning.as_deref().map(|w| format!(" [{w}]")).unwrap_or_default();
        let detail = if c.detail.is_empty() || c.detail == c.id { String::new() } else { format!(" ({})", c.detail) };
        con.say(&format!("  {}. {} · {}{detail}{warning}", i + 1, c.label, c.id));
    }
}

/// `?`: everything known about the field.
fn help<T: Record>(con: &mut dyn Console, spec: &Spec<T>, choices: &[Choice]) {
    let console = crate::model::fields::label(spec.path);
    if !console.is_empty() && console != spec.label {
        con.say(&format!("{} (the AICC console calls it {console})", spec.label));
    } else {
        con.say(spec.label);
    }
    con.say(&format!("  Rule: {}. {}", rule(spec.kind), spec.hint));
    if let Some(t) = spec.revealed_by {
        con.say(&format!("  Asked because {} is on.", form::spec::<T>(t).label));
    }
    if !spec.path.is_empty() && !spec.path.starts_with("draft.") {
        con.say(&format!("  In the channel document: {}", spec.path));
    }
    if !choices.is_empty() {
        con.say("  Choices:");
        list_choices(con, choices);
    }
    con.say("  Enter keeps the current value; - clears it; < goes back; q saves and quits; \\ before an answer takes it as it is (\\? is a question mark).");
}

/// Read the answer to a field (secrets without echo).
fn ask<T: Record>(con: &mut dyn Console, spec: &Spec<T>) -> Option<String> {
    let prompt = format!("{}> ", spec.label);
    match spec.kind {
        Kind::Secret { .. } => con.ask_secret(&prompt),
        _ => con.ask(&prompt),
    }
}

fn yes_no(a: &str) -> Option<bool> {
    match a.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" | "on" | "1" | "true" => Some(true),
        "n" | "no" | "off" | "0" | "false" => Some(false),
        _ => None,
    }
}

/// How applying an answer ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applied {
    Done,
    /// The input ended while more lines were read: what came is applied.
    Eof,
}

/// Put `answer` (the first line; lists and messages read more) into the
/// field, or say why not.
fn apply<T: Record>(
    con: &mut dyn Console,
    spec: &Spec<T>,
    r: &mut T,
    answer: &str,
    choices: &[Choice],
) -> Result<Applied, String> {
    let clear = answer.trim() == "-";
    match (&spec.value, spec.kind) {
        (Value::Text { set, .. }, Kind::Multiline { .. }) => {
            if clear {
                set(r, String::new());
                return Ok(Applied::Done);
            }
            let mut lines = vec![answer.to_string()];
            let mut end = Applied::Done;
            if answer.trim() != "." {
                loop {
                    match con.ask("next line, or . to end> ") {
                        None => {
                            end = Applied::Eof;
                            break;
                        }
                        Some(l) if l.trim() == "." => break,
                        Some(l) => lines.push(l),
                    }
                }
            } else {
                lines.clear();
            }
            set(r, lines.join("\n"));
            Ok(end)
        }
        (Value::Text { set, .. }, Kind::Select(_)) if !choices.is_empty() => {
            if clear {
                set(r, String::new());
                return Ok(Applied::Done);
            }
            set(r, pick(choices, answer.trim())?);
            Ok(Applied::Done)
        }
        (Value::Text { set, .. }, _) => {
            set(r, if clear { String::new() } else { answer.trim().to_string() });
            Ok(Applied::Done)
        }
        (Value::Number { set, .. }, Kind::Number { optional, .. }) => {
            if clear {
                if !optional {
                    return Err("it cannot be empty".into());
                }
                set(r, None);
                return Ok(Applied::Done);
            }
            let n = answer.trim().parse::<i64>().map_err(|_| format!("'{}' is not a whole number", clean(answer)))?;
            set(r, Some(n));
            Ok(Applied::Done)
        }
        (Value::Number { set, .. }, _) => {
            set(r, answer.trim().parse::<i64>().ok());
            Ok(Applied::Done)
        }
        (Value::Flag { set, .. }, _) => {
            let on = yes_no(answer).ok_or_else(|| format!("'{}' is neither yes nor no", clean(answer)))?;
            set(r, on);
            Ok(Applied::Done)
        }
        (Value::Words { get_mut, .. }, _) => {
            let (items, end) = if clear { (Vec::new(), Applied::Done) } else { more_lines(con, answer) };
            *get_mut(r) = items.into_iter().map(|w| w.trim().to_string()).filter(|w| !w.is_empty()).collect();
            Ok(end)
        }
        (Value::Segments { get_mut, .. }, _) => {
            let (items, end) = if clear { (Vec::new(), Applied::Done) } else { more_lines(con, answer) };
            let mut segments = Vec::new();
            for item in items.iter().filter(|i| !i.trim().is_empty()) {
                segments.push(segment(item)?);
            }
            segments.sort_by_key(|s: &Segment| parse_hhmm(&s.start).unwrap_or(u32::MAX));
            *get_mut(r) = segments;
            Ok(end)
        }
    }
}

/// The first line and those after it up to an empty line.
fn more_lines(con: &mut dyn Console, first: &str) -> (Vec<String>, Applied) {
    let mut items = vec![first.to_string()];
    loop {
        match con.ask("next, or an empty line to end> ") {
            None => return (items, Applied::Eof),
            Some(l) if l.trim().is_empty() => return (items, Applied::Done),
            Some(l) => items.push(l),
        }
    }
}

/// `HH:MM-HH:MM` (also with `–` or ` to `).
fn segment(text: &str) -> Result<Segment, String> {
    let t = text.trim().replace('–', "-").replace(" to ", "-");
    let bad = || format!("'{}' is not a segment HH:MM-HH:MM", clean(text));
    let (a, b) = t.split_once('-').ok_or_else(bad)?;
    let (a, b) = (a.trim(), b.trim());
    if parse_hhmm(a).is_none() || parse_hhmm(b).is_none() {
        return Err(bad());
    }
    Ok(Segment::new(a, b))
}

/// The id a choice answer names: its number, its id, its name, or the one
/// choice the text matches.
fn pick(choices: &[Choice], answer: &str) -> Result<String, String> {
    if let Ok(n) = answer.parse::<usize>() {
        return match choices.get(n.wrapping_sub(1)) {
            Some(c) => Ok(c.id.clone()),
            None => Err(format!("there is no choice {n}: type 1 to {}", choices.len())),
        };
    }
    if let Some(c) = choices.iter().find(|c| c.id == answer) {
        return Ok(c.id.clone());
    }
    if let Some(c) = choices.iter().find(|c| c.label.eq_ignore_ascii_case(answer)) {
        return Ok(c.id.clone());
    }
    let found = choices::filter(choices, answer);
    match found.as_slice() {
        [] => Err(format!("no choice is called '{}': type a number from the list", clean(answer))),
        [i] => Ok(choices[*i].id.clone()),
        many => {
            let names: Vec<String> = many.iter().take(5).map(|i| format!("{}. {}", i + 1, choices[*i].label)).collect();
            Err(format!("'{}' matches more than one choice ({}): type its number", clean(answer), names.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests;
