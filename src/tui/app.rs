//! The wizard's runtime: the terminal, the event loop, and the effects that
//! `update` asks for (files, backend, editor, clipboard). Everything that
//! waits runs on tokio; the screen never freezes.

use std::io::{self, IsTerminal};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{self, Event};
use crossterm::{execute, terminal};
use ratatui::Terminal;
use tokio::sync::mpsc;

use super::backend::Backend;
use super::backend::Failure;
use super::msg::SubmitError;
use super::render::render;
use super::screens::delivery::Progress;
use super::state::{DraftRow, Link, State};
use super::term::LeanBackend;
use super::update::{Action, Effect, update};
use crate::drafts::DraftStore;

pub struct Options {
    pub mouse: bool,
    /// Draw ASCII only (`--ascii`, or a locale without UTF-8).
    pub ascii: bool,
    /// Keep a draft after its submit was confirmed (`--keep-draft`).
    pub keep_draft: bool,
    /// The Bot API (`--telegram-api`, `CHANWIZ_TELEGRAM_API`), or why it is
    /// unusable.
    pub telegram: Result<crate::telegram::ApiConfig, String>,
    /// None: offline (`--offline`), everything but Submit works.
    pub backend: Option<Arc<dyn Backend>>,
    /// Shown in the status line.
    pub backend_url: Option<String>,
    /// The tenant's time zone (the week view's "now").
    pub tz: crate::model::schedule::Zone,
    /// Offline: the caches of the backend used by default, so that choices
    /// are offered and channel pages shown (with their age).
    pub offline_catalogue: Option<crate::client::cache::Caches>,
    /// A draft to open at once (`chanwiz DRAFT_ID`, `chanwiz new --from
    /// FILE`), and whether its file exists.
    pub start: Option<(crate::drafts::Draft, bool)>,
}

/// What the wizard leaves in the scrollback when it ends.
pub struct Outcome {
    pub integration_url: Option<String>,
}

type Term = Terminal<LeanBackend<io::Stdout>>;

/// Draw a frame; the integration URL, when the frame shows it over several
/// rows, is then written once more as one run so that it stays one line when
/// copied (see [`LeanBackend::write_wrapped`]).
fn draw(term: &mut Term, state: &State) -> io::Result<()> {
    let frame = term.draw(|f| render(state, f))?;
    let wrapped = super::render::soft_wrapped(state, frame.buffer);
    if let Some((row, text)) = wrapped {
        term.backend_mut().write_wrapped(row, &text)?;
    }
    Ok(())
}

/// Puts the terminal back however the wizard ends: return, error or panic.
struct Restore {
    mouse: bool,
}

fn restore_terminal(mouse: bool) {
    let mut out = io::stdout();
    if mouse {
        let _ = execute!(out, crossterm::event::DisableMouseCapture);
    }
    let _ = execute!(
        out,
        crossterm::style::ResetColor,
        crossterm::event::DisableBracketedPaste,
        terminal::LeaveAlternateScreen,
        crossterm::cursor::Show
    );
    let _ = terminal::disable_raw_mode();
}

impl Drop for Restore {
    fn drop(&mut self) {
        restore_terminal(self.mouse);
    }
}

fn enter_terminal(mouse: bool) -> io::Result<()> {
    terminal::enable_raw_mode()?;
    let mut out = io::stdout();
    execute!(out, terminal::EnterAlternateScreen, crossterm::event::EnableBracketedPaste)?;
    if mouse {
        execute!(out, crossterm::event::EnableMouseCapture)?;
    }
    Ok(())
}

/// Reads terminal events on its own thread; can be paused while an external
/// editor owns the terminal.
struct Input {
    paused: Arc<AtomicBool>,
    idle: Arc<AtomicBool>,
}

impl Input {
    fn start(tx: mpsc::UnboundedSender<Event>) -> Self {
        let paused = Arc::new(AtomicBool::new(false));
        let idle = Arc::new(AtomicBool::new(false));
        let (p, i) = (paused.clone(), idle.clone());
        std::thread::spawn(move || {
            loop {
                if p.load(Ordering::SeqCst) {
                    i.store(true, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(20));
                    continue;
                }
                i.store(false, Ordering::SeqCst);
                match event::poll(Duration::from_millis(50)) {
                    Ok(true) => match event::read() {
                        Ok(ev) => {
                            if tx.send(ev).is_err() {
                                return;
                            }
                        }
                        Err(_) => return,
                    },
                    Ok(false) => {
                        if tx.is_closed() {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
        });
        Self { paused, idle }
    }

    fn pause(&self) {
        self.paused.store(true, Ordering::SeqCst);
        while !self.idle.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn resume(&self) {
        self.paused.store(false, Ordering::SeqCst);
    }
}

/// Run the wizard on a runtime of its own. `make_backend` is called inside
/// it (an embedded server must live on that runtime).
#[allow(clippy::too_many_arguments)]
pub fn run(
    store: Arc<DraftStore>,
    mouse: bool,
    ascii: bool,
    keep_draft: bool,
    telegram: Result<crate::telegram::ApiConfig, String>,
    offline_catalogue: Option<crate::client::cache::Caches>,
    start: Option<(crate::drafts::Draft, bool)>,
    tz: crate::model::schedule::Zone,
    make_backend: impl FnOnce() -> (Option<Arc<dyn Backend>>, Option<String>),
) -> io::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let (backend, backend_url) = make_backend();
        let opts = Options { mouse, ascii, keep_draft, telegram, backend, backend_url, tz, offline_catalogue, start };
        run_async(store, opts).await
    })
}

async fn run_async(store: Arc<DraftStore>, opts: Options) -> io::Result<Outcome> {
    let link = if opts.backend.is_none() { Link::Offline } else { Link::Connecting };
    let mut state = State::new(opts.backend_url.clone(), link);
    state.shared.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    state.shared.keep_draft = opts.keep_draft;
    state.shared.tz = opts.tz;
    if let Some((draft, persisted)) = opts.start {
        super::update::open_wizard(&mut state, draft);
        if let Some(w) = state.wizard_mut() {
            w.persisted = persisted;
        }
    }

    let mouse = opts.mouse;
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal(mouse);
        previous_hook(info);
    }));
    enter_terminal(mouse)?;
    let _restore = Restore { mouse };
    let mut term: Term = Terminal::new(LeanBackend::new(io::stdout())?.with_ascii(opts.ascii))?;
    term.clear()?;
    if let Ok((w, h)) = terminal::size() {
        update(&mut state, Action::Resize(w, h));
    }
    // the first frame, before anything is read from disk or the network
    draw(&mut term, &state)?;

    let (event_tx, mut events) = mpsc::unbounded_channel();
    let input = Input::start(event_tx);
    let (tx, mut actions) = mpsc::unbounded_channel::<Action>();
    let mut jobs = Runner::new(store.clone(), opts.backend.clone(), opts.telegram, tx.clone());
    jobs.offline_catalogue = opts.offline_catalogue;
    jobs.run(Effect::LoadDrafts);
    jobs.run(Effect::RefreshBackend);

    let mut hangup = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())?;
    let mut term_sig = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    let mut interrupt = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?;
    let mut tick = tokio::time::interval(Duration::from_millis(250));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut terminated = false;

    loop {
        let action = tokio::select! {
            ev = events.recv() => match ev {
                Some(Event::Key(key)) => Action::Key(key),
                Some(Event::Paste(text)) => Action::Paste(text),
                Some(Event::Resize(w, h)) => Action::Resize(w, h),
                Some(_) => continue,
                None => Action::Terminate,
            },
            Some(a) = actions.recv() => a,
            _ = tick.tick() => {
                // A terminal that hung up without a SIGHUP reaching us (the
                // wizard in a session of its own): crossterm's reader spins on
                // it and nothing fails while there is nothing to draw, so
                // notice it here, save and leave.
                if io::stdout().is_terminal() {
                    Action::Tick { now: Instant::now(), wall: Utc::now() }
                } else {
                    terminated = true;
                    Action::Terminate
                }
            }
            _ = hangup.recv() => { terminated = true; Action::Terminate },
            _ = term_sig.recv() => { terminated = true; Action::Terminate },
            _ = interrupt.recv() => { terminated = true; Action::Terminate },
        };
        for effect in update(&mut state, action) {
            match effect {
                Effect::ExternalEditor { field, text } => {
                    input.pause();
                    let result = edit_externally(&text, mouse);
                    let _ = enter_terminal(mouse);
                    term.backend_mut().invalidate();
                    let _ = term.clear();
                    input.resume();
                    let _ = tx.send(Action::EditorDone { field, text: result });
                }
                Effect::Repaint => {
                    term.backend_mut().invalidate();
                    let _ = term.clear();
                }
                Effect::Copy(text) => {
                    let (level, said) = super::clipboard::copy(&text, "integration URL");
                    term.backend_mut().invalidate();
                    let _ = tx.send(Action::Copied(level, said));
                }
                other => jobs.run(other),
            }
        }
        if state.quit {
            break;
        }
        // a draft the wizard has left is free for another chanwiz again
        store.release_all_but(state.wizard().map(|w| w.draft.meta.id.as_str()));
        if !terminated {
            draw(&mut term, &state)?;
        }
    }
    // every save asked for reaches the disk (or fails) before we go
    let last = jobs.finish_saves();
    drop(term);
    drop(_restore);
    // Hung up or killed with changes the disk refused: nobody can be asked,
    // so a copy goes wherever it can be written.
    if let Some(w) = state.wizard()
        && w.dirty()
        && last.as_ref().is_none_or(|(rev, ok)| !ok || *rev < w.revision)
    {
        match rescue(&store, &w.snapshot()) {
            Ok(path) => {
                tracing::warn!(draft = %w.draft.meta.id, path = %path.display(), "draft not saved: a copy was written elsewhere");
                eprintln!(
                    "chanwiz: the draft could not be saved in the data directory; a copy is in {}",
                    path.display()
                );
            }
            Err(e) => {
                tracing::error!(draft = %w.draft.meta.id, error = %e, "draft not saved anywhere");
                eprintln!("chanwiz: the draft could not be saved anywhere: {e}");
            }
        }
    }
    Ok(Outcome { integration_url: state.integration().map(|p| p.channel.integration_url.clone()) })
}

/// Save `draft` where it belongs, else in the first place that takes it:
/// `$TMPDIR`, then the home directory, then the current one.
pub(super) fn rescue(store: &DraftStore, draft: &crate::drafts::Draft) -> Result<std::path::PathBuf, String> {
    let mut copy = draft.clone();
    if store.save(&mut copy).is_ok() {
        return Ok(store.dir().join(format!("{}.json", draft.meta.id)));
    }
    let bytes = crate::drafts::document_bytes(draft);
    let name = format!("chanwiz-rescue-{}.json", draft.meta.id);
    let mut places = vec![std::env::temp_dir()];
    places.extend(std::env::var_os("HOME").map(std::path::PathBuf::from));
    places.push(std::path::PathBuf::from("."));
    let mut last = String::new();
    for dir in places {
        let path = dir.join(&name);
        match crate::fsutil::atomic_write(&path, &bytes) {
            Ok(()) => return Ok(path),
            Err(e) => last = format!("{}: {e}", path.display()),
        }
    }
    Err(last)
}

/// What the store jobs thread is asked to do, in order.
enum StoreJob {
    Save { draft: Box<crate::drafts::Draft>, revision: u64 },
    Delete(String),
}

/// Carries out effects in the background and reports back as actions.
/// Saves and deletes of drafts run one at a time, in the order asked, on a
/// thread of their own, so that what is on disk is the newest revision
/// asked for.
pub struct Runner {
    store: Arc<DraftStore>,
    backend: Option<Arc<dyn Backend>>,
    telegram: Result<crate::telegram::ApiConfig, String>,
    tx: mpsc::UnboundedSender<Action>,
    jobs: Option<std::sync::mpsc::Sender<StoreJob>>,
    worker: Option<std::thread::JoinHandle<Option<(u64, bool)>>>,
    /// With no backend: where a cached catalogue may be.
    pub offline_catalogue: Option<crate::client::cache::Caches>,
    /// The live delivery test running, to stop.
    delivery_test: Option<tokio::task::AbortHandle>,
}

impl Runner {
    pub fn new(
        store: Arc<DraftStore>,
        backend: Option<Arc<dyn Backend>>,
        telegram: Result<crate::telegram::ApiConfig, String>,
        tx: mpsc::UnboundedSender<Action>,
    ) -> Self {
        let (jobs, queue) = std::sync::mpsc::channel::<StoreJob>();
        let (s, t) = (store.clone(), tx.clone());
        let worker = std::thread::spawn(move || {
            let mut last = None;
            for job in queue {
                match job {
                    StoreJob::Save { mut draft, revision } => {
                        let id = draft.meta.id.clone();
                        // the wizard's draft stays claimed while it is open
                        // (given up when it is left: see the main loop)
                        let result = s.save_held(&mut draft).map(|()| DraftRow::of(&draft)).map_err(|e| e.to_string());
                        last = Some((revision, result.is_ok()));
                        let _ = t.send(Action::Saved { id, revision, result });
                    }
                    StoreJob::Delete(id) => {
                        let result = match s.remove(&id) {
                            Ok(()) | Err(crate::drafts::DraftError::NotFound(_)) => Ok(()),
                            Err(e) => Err(e.to_string()),
                        };
                        let _ = t.send(Action::Deleted { id, result });
                    }
                }
            }
            last
        });
        Self {
            store,
            backend,
            telegram,
            tx,
            jobs: Some(jobs),
            worker: Some(worker),
            offline_catalogue: None,
            delivery_test: None,
        }
    }

    /// Wait for every save and delete asked for; the revision of the last
    /// save and whether it worked.
    pub fn finish_saves(&mut self) -> Option<(u64, bool)> {
        self.jobs = None;
        self.worker.take().and_then(|w| w.join().ok()).flatten()
    }

    fn link(&self, link: Link) {
        let _ = self.tx.send(Action::LinkChanged(link));
    }

    pub fn run(&mut self, effect: Effect) {
        let store = self.store.clone();
        let tx = self.tx.clone();
        match effect {
            Effect::LoadDrafts => {
                tokio::task::spawn_blocking(move || {
                    // the first screenful at once from the index's first
                    // lines, whatever the number of drafts
                    if let Some(rows) = store.first_rows(FIRST_ROWS) {
                        let _ = tx.send(Action::DraftsPeeked(rows.into_iter().map(DraftRow::from).collect()));
                    }
                    // then every row, the index checked against the files
                    let action = match store.rows() {
                        Ok((rows, problems)) => Action::DraftsLoaded {
                            drafts: rows.into_iter().map(DraftRow::from).collect(),
                            problems: problems.iter().map(|p| p.to_string()).collect(),
                        },
                        Err(e) => Action::DraftsLoaded { drafts: vec![], problems: vec![e.to_string()] },
                    };
                    let _ = tx.send(action);
                });
            }
            Effect::OpenDraft(id) => {
                tokio::task::spawn_blocking(move || {
                    let _ =
                        tx.send(Action::DraftOpened(store.open_for_edit(&id).map(Box::new).map_err(|e| e.to_string())));
                });
            }
            Effect::SaveDraft { draft, revision } => {
                if let Some(jobs) = &self.jobs {
                    let _ = jobs.send(StoreJob::Save { draft, revision });
                }
            }
            Effect::DeleteDraft(id) => {
                if let Some(jobs) = &self.jobs {
                    let _ = jobs.send(StoreJob::Delete(id));
                }
            }
            Effect::WriteDocument { draft, path } => {
                tokio::task::spawn_blocking(move || {
                    let bytes = crate::drafts::document_bytes(&draft);
                    let file = std::path::PathBuf::from(&path);
                    let result = crate::fsutil::atomic_write(&file, &bytes).map_err(|e| e.to_string());
                    let shown = std::path::absolute(&file).unwrap_or(file).display().to_string();
                    let _ = tx.send(Action::Written { path: shown, result });
                });
            }
            Effect::RefreshBackend => {
                if let Some(backend) = self.backend.clone() {
                    tokio::spawn(async move { backend.refresh(tx).await });
                } else if let Some(cache) = self.offline_catalogue.as_ref().map(|c| c.catalogue.clone()) {
                    tokio::task::spawn_blocking(move || {
                        if let Some(c) = cache.load() {
                            let _ = tx.send(Action::CatalogueLoaded { catalogue: c.catalogue, fetched: c.fetched });
                        }
                    });
                }
            }
            Effect::OpenChannel(id) => match self.backend.clone() {
                Some(backend) => {
                    tokio::spawn(async move {
                        let result = backend.channel(&id).await;
                        let _ = tx.send(Action::LinkChanged(link_of(result.as_ref().err())));
                        let _ = tx.send(Action::ChannelOpened(result.map_err(|e| e.message)));
                    });
                }
                None => {
                    let _ = tx.send(Action::ChannelOpened(Err("offline: channels cannot be opened".into())));
                }
            },
            Effect::Submit(draft) => match self.backend.clone() {
                Some(backend) => {
                    tokio::spawn(async move {
                        let result = backend.submit(*draft).await;
                        let link = match &result {
                            Err(SubmitError::Unreachable(why)) => Link::Unreachable(why.clone()),
                            Err(SubmitError::Unauthorized(_)) => Link::TokenRefused,
                            _ => Link::Online,
                        };
                        let _ = tx.send(Action::LinkChanged(link));
                        let _ = tx.send(Action::Submitted(result));
                    });
                }
                None => {
                    self.link(Link::Offline);
                    let _ = tx.send(Action::Submitted(Err(SubmitError::Unreachable(
                        "offline: no backend to submit to".into(),
                    ))));
                }
            },
            Effect::OpenIntegration(id) => match self.backend.clone() {
                Some(backend) => {
                    tokio::spawn(async move {
                        let result = backend.channel(&id).await;
                        let _ = tx.send(Action::LinkChanged(link_of(result.as_ref().err())));
                        let _ = tx.send(Action::IntegrationOpened(result.map_err(|e| e.message)));
                    });
                }
                None => {
                    let _ = tx.send(Action::IntegrationOpened(Err("offline: no backend".into())));
                }
            },
            Effect::LoadIntegration(id) => match self.backend.clone() {
                Some(backend) => {
                    tokio::spawn(async move {
                        let result = match backend.client().await {
                            Ok(client) => crate::integration::prepare(&client, &id).await.map_err(|e| {
                                let failure = Failure::of_integration(&e);
                                let _ = tx.send(Action::LinkChanged(link_of(Some(&failure))));
                                failure.message
                            }),
                            Err(e) => {
                                let _ = tx.send(Action::LinkChanged(link_of(Some(&e))));
                                Err(e.message)
                            }
                        };
                        let _ = tx.send(Action::IntegrationLoaded(result));
                    });
                }
                None => {
                    let _ = tx.send(Action::IntegrationLoaded(Err("offline: no backend".into())));
                }
            },
            Effect::LoadWebhookState { channel, refresh } => {
                self.with_client(
                    move |client, tx| async move {
                        let result = crate::integration::backend_status(
                            &client,
                            &channel,
                            refresh,
                            crate::integration::Face::Wizard,
                        )
                        .await;
                        let result = result.map_err(|e| {
                            let failure = Failure::of_integration(&e);
                            let _ = tx.send(Action::LinkChanged(link_of(Some(&failure))));
                            failure.message
                        });
                        let _ = tx.send(Action::WebhookStateLoaded(result));
                    },
                    |tx, e| {
                        let _ = tx.send(Action::WebhookStateLoaded(Err(e)));
                    },
                );
            }
            Effect::LoadChannelPage { generation, query } => {
                let page = query.page.unwrap_or(1);
                match self.backend.clone() {
                    Some(backend) => {
                        tokio::spawn(async move {
                            let action = match backend.channel_page(query).await {
                                Ok((p, cached)) => {
                                    if cached.is_none() {
                                        let _ = tx.send(Action::LinkChanged(Link::Online));
                                    }
                                    Action::ChannelPage { generation, page, result: Ok(p), cached }
                                }
                                Err(e) => {
                                    let _ = tx.send(Action::LinkChanged(e.link()));
                                    Action::ChannelPage { generation, page, result: Err(e.message), cached: None }
                                }
                            };
                            let _ = tx.send(action);
                        });
                    }
                    None => {
                        // --offline: the pages seen last, if any
                        let action = match self.offline_catalogue.as_ref().and_then(|c| c.pages.load(&query)) {
                            Some((p, fetched)) => {
                                Action::ChannelPage { generation, page, result: Ok(p), cached: Some(fetched) }
                            }
                            None => Action::ChannelPage {
                                generation,
                                page,
                                result: Err(
                                    "offline (--offline), and these channels were not seen online before".into()
                                ),
                                cached: None,
                            },
                        };
                        let _ = tx.send(action);
                    }
                }
            }
            Effect::DeleteChannel(id) => {
                let id2 = id.clone();
                self.with_client(
                    move |client, tx| async move {
                        let result = client.delete_channel(&id).await.map_err(|e| e.to_string());
                        let _ = tx.send(Action::ChannelDeleted { id, result });
                    },
                    move |tx, e| {
                        let _ = tx.send(Action::ChannelDeleted { id: id2, result: Err(e) });
                    },
                );
            }
            Effect::StartExport { ids, filter } => {
                self.with_client(
                    move |client, tx| async move {
                        let result = export(&client, ids, filter, &tx).await;
                        let _ = tx.send(Action::ExportEnded(result));
                    },
                    |tx, e| {
                        let _ = tx.send(Action::ExportEnded(Err(e)));
                    },
                );
            }
            Effect::ListExports => {
                self.with_client(
                    move |client, tx| async move {
                        let _ = tx.send(Action::ExportsListed(client.list_exports().await.map_err(|e| e.to_string())));
                    },
                    |tx, e| {
                        let _ = tx.send(Action::ExportsListed(Err(e)));
                    },
                );
            }
            Effect::DownloadExport { task, dir } => {
                self.with_client(
                    move |client, tx| async move {
                        let result = async {
                            let path = client
                                .download_export(&task, std::path::Path::new(&dir))
                                .await
                                .map_err(|e| e.to_string())?;
                            let shown = std::path::absolute(&path).unwrap_or(path.clone());
                            let files =
                                tokio::task::spawn_blocking(move || crate::client::archive::export_files(&path))
                                    .await
                                    .map_err(|e| e.to_string())??;
                            Ok((shown.display().to_string(), files))
                        }
                        .await;
                        let _ = tx.send(Action::Downloaded(result));
                    },
                    |tx, e| {
                        let _ = tx.send(Action::Downloaded(Err(e)));
                    },
                );
            }
            Effect::FetchCertificate { field, url } => {
                tokio::task::spawn_blocking(move || {
                    let result = crate::client::certs::fetch_chain(&url, std::time::Duration::from_secs(10))
                        .map(|mut chain| chain.swap_remove(0))
                        .map_err(|e| crate::sanitize::clean(&e.to_string()).into_owned());
                    let _ = tx.send(Action::CertificateFetched { field, result });
                });
            }
            Effect::ImportCertificate { field, from, role } => match self.backend.clone() {
                Some(backend) => {
                    tokio::spawn(async move {
                        let result = match backend.client().await {
                            Ok(client) => {
                                let sent = match from {
                                    crate::tui::msg::CertSource::File(path) => {
                                        crate::client::certs::import_file(
                                            &client,
                                            std::path::Path::new(&path),
                                            role,
                                            None,
                                        )
                                        .await
                                    }
                                    crate::tui::msg::CertSource::Fetched { der, name } => {
                                        use base64::Engine;
                                        let upload = crate::api::CertificateUpload {
                                            name,
                                            role,
                                            pem: None,
                                            der_base64: Some(base64::engine::general_purpose::STANDARD.encode(der)),
                                        };
                                        client.upload_certificate(&upload).await
                                    }
                                };
                                sent.map_err(|e| crate::sanitize::clean(&e.to_string()).into_owned())
                            }
                            Err(e) => Err(e.message),
                        };
                        let _ = tx.send(Action::CertificateImported { field, result });
                    });
                }
                None => {
                    let result = Err("offline: no backend to import the certificate to".to_string());
                    let _ = tx.send(Action::CertificateImported { field, result });
                }
            },
            Effect::ImportDrafts(path) => {
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Action::Imported(import(&store, &path)));
                });
            }
            Effect::Telegram { op, info, token, options } => {
                let backend = self.backend.clone();
                let api = self.telegram.clone();
                tokio::spawn(async move {
                    let result = telegram_op(backend, api, op, *info, token, *options, tx.clone()).await;
                    let _ = tx.send(Action::IntegrationDone(result));
                });
            }
            Effect::TestDelivery { channel, generation, timeout } => {
                if let Some(running) = self.delivery_test.take() {
                    running.abort();
                }
                self.delivery_test = self.with_client(
                    move |client, tx| async move {
                        let progress = test_delivery(&client, &channel, timeout, |p| {
                            let _ = tx.send(Action::DeliveryTest { generation, progress: p });
                        })
                        .await;
                        let _ = tx.send(Action::DeliveryTest { generation, progress });
                    },
                    move |tx, e| {
                        let _ = tx.send(Action::DeliveryTest { generation, progress: Progress::Failed(e) });
                    },
                );
            }
            Effect::StopDeliveryTest => {
                if let Some(running) = self.delivery_test.take() {
                    running.abort();
                }
            }
            Effect::Quit | Effect::Repaint | Effect::ExternalEditor { .. } | Effect::Copy(_) => {}
        }
    }
}

impl Runner {
    /// Run `job` with the backend's HTTP client, or `offline` with why not;
    /// the task's handle, to stop it.
    fn with_client<J, Fut, O>(&self, job: J, offline: O) -> Option<tokio::task::AbortHandle>
    where
        J: FnOnce(crate::client::Client, mpsc::UnboundedSender<Action>) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
        O: FnOnce(&mpsc::UnboundedSender<Action>, String) + Send + 'static,
    {
        let tx = self.tx.clone();
        match self.backend.clone() {
            Some(backend) => Some(
                tokio::spawn(async move {
                    match backend.client().await {
                        Ok(client) => job(client, tx).await,
                        Err(e) => {
                            let _ = tx.send(Action::LinkChanged(e.link()));
                            offline(&tx, e.message)
                        }
                    }
                })
                .abort_handle(),
            ),
            None => {
                offline(&tx, "offline (--offline): no backend".into());
                None
            }
        }
    }
}

/// The live delivery test of `channel`: `waiting` once the backend's count
/// is noted (the prompt), then the outcome.
async fn test_delivery(
    client: &crate::client::Client,
    channel: &str,
    timeout: std::time::Duration,
    waiting: impl FnOnce(Progress),
) -> Progress {
    use crate::integration::live;
    let run = async {
        let baseline = live::start(client, channel, crate::integration::Face::Wizard).await?;
        if !baseline.has_bot_token {
            return Ok(Progress::Failed(
                "no bot token is stored for this channel: type the token from @BotFather and Register first".into(),
            ));
        }
        waiting(Progress::Waiting(baseline.prompt()));
        Ok(match live::wait(client, &baseline, timeout).await? {
            Some(sample) => Progress::Arrived(live::arrival(&sample)),
            None => {
                let e = live::explain(client, &baseline).await?;
                Progress::Nothing { advice: e.advice, status: Some(Box::new(e.status)) }
            }
        })
    };
    run.await.unwrap_or_else(|e: crate::integration::IntegrationError| Progress::Failed(e.to_string()))
}

/// Export `ids` (None: all, or those matching `filter`), following the task
/// to its end and reporting each status seen.
async fn export(
    client: &crate::client::Client,
    ids: Option<Vec<String>>,
    filter: Option<String>,
    tx: &mpsc::UnboundedSender<Action>,
) -> Result<crate::api::ExportTask, String> {
    let channel_ids = match (ids, filter) {
        (Some(ids), _) => ids,
        (None, Some(f)) => {
            let rows = client.all_channels(Some(&f)).await.map_err(|e| e.to_string())?;
            if rows.is_empty() {
                return Err(format!("no channel matches '{}'", crate::sanitize::clean(&f)));
            }
            rows.into_iter().map(|r| r.id).collect()
        }
        (None, None) => Vec::new(),
    };
    let task = client.create_export(&crate::api::ExportRequest { channel_ids }).await.map_err(|e| e.to_string())?;
    let progress_tx = tx.clone();
    client
        .wait_export(task, move |t| {
            let _ = progress_tx.send(Action::ExportProgress(t.clone()));
        })
        .await
        .map_err(|e| e.to_string())
}

/// Rows of the drafts index read before it is checked against the files.
const FIRST_ROWS: usize = 64;

/// Drafts from the file at `path`: an export zip or CSV file, or one
/// channel document.
fn import(store: &DraftStore, path: &str) -> Result<(String, Vec<DraftRow>, bool), String> {
    let bytes = std::fs::File::open(path)
        .map_err(|e| e.to_string())
        .and_then(crate::client::import::read_limited)
        .map_err(|e| format!("{path}: {e}"))?;
    if !crate::client::import::is_zip(&bytes) && bytes.trim_ascii_start().starts_with(b"{") {
        let text = std::str::from_utf8(&bytes).map_err(|e| format!("{path}: {e}"))?;
        let doc = crate::model::parse_document(text).map_err(|e| format!("{path}: {e}"))?;
        let draft = store.create(doc, false).map_err(|e| e.to_string())?;
        return Ok((format!("imported {path} as draft {}", draft.meta.id), vec![DraftRow::of(&draft)], false));
    }
    let import = crate::client::import::import_export(store, path, &bytes);
    if import.made.is_empty()
        && let Some(e) = import.stopped
    {
        // nothing made: the reason is the message, not a count of nothing
        return Err(e);
    }
    let rows = import.made.iter().map(DraftRow::of).collect();
    let mut summary = import.summary(path);
    if let Some(first) = import.refused.first() {
        summary.push_str(&format!(" (first: {first})"));
    }
    if let Some(e) = &import.stopped {
        summary.push_str(&format!("; stopped: {e}"));
    }
    Ok((summary, rows, !import.refused.is_empty() || import.stopped.is_some()))
}

/// What the status line says after a request ended (`None`: it worked).
fn link_of(failure: Option<&Failure>) -> Link {
    match failure {
        None => Link::Online,
        Some(f) => f.link(),
    }
}

/// Run `$VISUAL`/`$EDITOR` (default `vi`) on `text` in a private temporary
/// file; the edited text, or why not.
fn edit_externally(text: &str, mouse: bool) -> Result<String, String> {
    // the editor gets the terminal as the user's shell had it (no mouse capture)
    restore_terminal(mouse);
    let dir = tempfile::Builder::new().prefix("chanwiz-edit").tempdir().map_err(|e| e.to_string())?;
    let file = dir.path().join("message.txt");
    crate::fsutil::atomic_write(&file, text.as_bytes()).map_err(|e| e.to_string())?;
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var("EDITOR").ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "vi".into());
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("{editor} \"$1\""))
        .arg("sh")
        .arg(&file)
        .status()
        .map_err(|e| format!("cannot run {editor}: {e}"))?;
    if !status.success() {
        return Err(format!("{editor} exited with {status}; the text is unchanged"));
    }
    std::fs::read_to_string(&file).map_err(|e| e.to_string())
}

/// Run one operation of the Channel Integration page, reporting each step.
async fn telegram_op(
    backend: Option<Arc<dyn Backend>>,
    api: Result<crate::telegram::ApiConfig, String>,
    op: super::msg::TelegramOp,
    info: crate::integration::IntegrationInfo,
    token: crate::telegram::BotToken,
    options: crate::integration::Options,
    tx: mpsc::UnboundedSender<Action>,
) -> Result<String, super::msg::IntegrationFailure> {
    use super::msg::{IntegrationFailure, TelegramOp};
    use super::state::Level;
    use crate::integration::{self, Event, IntegrationError};
    let fail = |message: String| IntegrationFailure { message, ..Default::default() };
    // a refusal that asks a question: the page asks it
    let asking = |e: &IntegrationError, message: String| match e {
        IntegrationError::NeedsConfirmation { current, .. } => {
            IntegrationFailure { message, webhook_elsewhere: Some(current.clone()), ..Default::default() }
        }
        IntegrationError::BotInUse { bot, channel } => {
            IntegrationFailure { message, bot_in_use: Some((bot.handle(), channel.clone())), ..Default::default() }
        }
        IntegrationError::OtherBot { old, new } => {
            IntegrationFailure { message, other_bot: Some((old.clone(), new.clone())), ..Default::default() }
        }
        _ => IntegrationFailure { message, ..Default::default() },
    };
    let api = api.map_err(fail)?;
    let secrets = [info.secret()];
    let scrub = |e: &IntegrationError| e.scrubbed(Some(&token), &secrets);
    let progress_tx = tx.clone();
    let mut progress = move |event: Event| {
        let level = match event {
            Event::Warning(_) | Event::RollingBack { .. } | Event::Replacing { .. } => Level::Warn,
            Event::Before { ref webhook, ours, .. } if webhook.is_set() && !ours => Level::Warn,
            _ => Level::Info,
        };
        let _ = progress_tx.send(Action::IntegrationEvent(level, event.to_string()));
    };
    // connecting and rotating hand the token to the backend
    let client = || async {
        match &backend {
            Some(b) => b.client().await.map_err(|e| fail(e.message)),
            None => Err(fail("offline: the token must go to the backend".into())),
        }
    };
    match op {
        TelegramOp::Connect => {
            let client = client().await?;
            match integration::connect(&client, &api, &info, &token, &options, &mut progress).await {
                Ok(report) => Ok(format!(
                    "webhook registered for {}: Telegram is to deliver to {} and the channel can answer customers",
                    report.bot.handle(),
                    report.webhook_url
                )),
                Err(e) => Err(asking(&e, scrub(&e))),
            }
        }
        TelegramOp::Rotate => {
            let client = client().await?;
            match integration::rotate(&client, &api, &info, &token, &options, &mut progress).await {
                Ok(report) => Ok(format!(
                    "token rotated: {} delivers to {} with a fresh webhook secret, and the backend holds the new token",
                    report.bot.handle(),
                    report.webhook_url
                )),
                Err(e) => Err(asking(&e, scrub(&e))),
            }
        }
        TelegramOp::Delete => match integration::disconnect(&api, &info, &token, &options, &mut progress).await {
            Ok(d) if d.removed.is_empty() => Ok(format!("{} had no webhook: nothing to delete", d.bot.handle())),
            Ok(d) => Ok(format!("webhook {} deleted for {}", d.removed, d.bot.handle())),
            Err(e) => Err(fail(scrub(&e))),
        },
    }
}
