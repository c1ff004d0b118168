//! The wizard's runtime: the terminal, the event loop, and the effects that
//! `update` asks for (files, backend, editor, clipboard). Everything that
//! waits runs on tokio; the screen never freezes.

use std::io::{self, IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{self, Event};
use crossterm::{execute, terminal};
use ratatui::Terminal;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::backend::Backend;
use super::render::render;
use super::state::{DraftRow, Link, State};
use super::term::LeanBackend;
use super::update::{Action, Effect, update};
use crate::drafts::DraftStore;

pub struct Options {
    pub mouse: bool,
    /// The Bot API (`--telegram-api`, `CHANWIZ_TELEGRAM_API`), or why it is
    /// unusable.
    pub telegram: Result<crate::telegram::ApiConfig, String>,
    /// None: offline (`--offline`), everything but Submit works.
    pub backend: Option<Arc<dyn Backend>>,
    /// Shown in the status line.
    pub backend_url: Option<String>,
}

/// What the wizard leaves in the scrollback when it ends.
pub struct Outcome {
    pub integration_url: Option<String>,
}

type Term = Terminal<LeanBackend<io::Stdout>>;

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
pub fn run(
    store: Arc<DraftStore>,
    mouse: bool,
    telegram: Result<crate::telegram::ApiConfig, String>,
    make_backend: impl FnOnce() -> (Option<Arc<dyn Backend>>, Option<String>),
) -> io::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async move {
        let (backend, backend_url) = make_backend();
        run_async(store, Options { mouse, telegram, backend, backend_url }).await
    })
}

async fn run_async(store: Arc<DraftStore>, opts: Options) -> io::Result<Outcome> {
    let link = if opts.backend.is_none() { Link::Offline } else { Link::Connecting };
    let mut state = State::new(opts.backend_url.clone(), link);
    state.color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());

    let mouse = opts.mouse;
    let previous_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal(mouse);
        previous_hook(info);
    }));
    enter_terminal(mouse)?;
    let _restore = Restore { mouse };
    let mut term: Term = Terminal::new(LeanBackend::new(io::stdout())?)?;
    term.clear()?;
    // the first frame, before anything is read from disk or the network
    term.draw(|f| render(&state, f))?;

    let (event_tx, mut events) = mpsc::unbounded_channel();
    let input = Input::start(event_tx);
    let (tx, mut actions) = mpsc::unbounded_channel::<Action>();
    let mut jobs = Effects {
        store,
        backend: opts.backend.clone(),
        telegram: opts.telegram,
        tx: tx.clone(),
        saves: JoinSet::new(),
    };
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
                Some(Event::Resize(_, _)) => Action::Tick { now: Instant::now(), wall: Utc::now() },
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
                Effect::Copy(text) => {
                    let _ = osc52(&text);
                    term.backend_mut().invalidate();
                }
                other => jobs.run(other),
            }
        }
        if state.quit {
            break;
        }
        if !terminated {
            term.draw(|f| render(&state, f))?;
        }
    }
    // every save asked for must reach the disk before we go
    while jobs.saves.join_next().await.is_some() {}
    drop(term);
    drop(_restore);
    Ok(Outcome { integration_url: state.integration.map(|p| p.channel.integration_url) })
}

/// Runs effects in the background and reports back as actions.
struct Effects {
    store: Arc<DraftStore>,
    backend: Option<Arc<dyn Backend>>,
    telegram: Result<crate::telegram::ApiConfig, String>,
    tx: mpsc::UnboundedSender<Action>,
    saves: JoinSet<()>,
}

impl Effects {
    fn run(&mut self, effect: Effect) {
        let store = self.store.clone();
        let tx = self.tx.clone();
        match effect {
            Effect::LoadDrafts => {
                tokio::task::spawn_blocking(move || {
                    // one draft at a time: only the rows stay in memory
                    let mut rows = Vec::new();
                    let action = match store.visit(|d| rows.push(DraftRow::of(&d))) {
                        Ok(problems) => {
                            rows.sort_by(|a, b| b.updated.cmp(&a.updated).then_with(|| a.id.cmp(&b.id)));
                            Action::DraftsLoaded {
                                drafts: rows,
                                problems: problems.iter().map(|p| p.to_string()).collect(),
                            }
                        }
                        Err(e) => Action::DraftsLoaded { drafts: vec![], problems: vec![e.to_string()] },
                    };
                    let _ = tx.send(action);
                });
            }
            Effect::OpenDraft(id) => {
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Action::DraftOpened(store.load(&id).map_err(|e| e.to_string())));
                });
            }
            Effect::SaveDraft(mut draft) => {
                self.saves.spawn_blocking(move || {
                    let id = draft.meta.id.clone();
                    let result = store.save(&mut draft).map(|()| draft.meta.updated).map_err(|e| e.to_string());
                    let _ = tx.send(Action::Saved { id, result });
                });
            }
            Effect::DeleteDraft(id) => {
                self.saves.spawn_blocking(move || {
                    let result = match store.remove(&id) {
                        Ok(()) | Err(crate::drafts::DraftError::NotFound(_)) => Ok(()),
                        Err(e) => Err(e.to_string()),
                    };
                    let _ = tx.send(Action::Deleted { id, result });
                });
            }
            Effect::RefreshBackend => {
                if let Some(backend) = self.backend.clone() {
                    tokio::spawn(async move { backend.refresh(tx).await });
                }
            }
            Effect::OpenChannel(id) => match self.backend.clone() {
                Some(backend) => {
                    tokio::spawn(async move {
                        let _ = tx.send(Action::ChannelOpened(backend.channel(&id).await));
                    });
                }
                None => {
                    let _ = tx.send(Action::ChannelOpened(Err("offline: channels cannot be opened".into())));
                }
            },
            Effect::Submit(draft) => match self.backend.clone() {
                Some(backend) => {
                    tokio::spawn(async move {
                        let _ = tx.send(Action::Submitted(backend.submit(*draft).await));
                    });
                }
                None => {
                    let _ = tx.send(Action::Submitted(Err(super::update::SubmitError::Unreachable(
                        "offline: no backend to submit to".into(),
                    ))));
                }
            },
            Effect::OpenIntegration(id) => match self.backend.clone() {
                Some(backend) => {
                    tokio::spawn(async move {
                        let _ = tx.send(Action::IntegrationOpened(backend.channel(&id).await));
                    });
                }
                None => {
                    let _ = tx.send(Action::IntegrationOpened(Err("offline: no backend".into())));
                }
            },
            Effect::LoadIntegration(id) => match self.backend.clone() {
                Some(backend) => {
                    tokio::spawn(async move {
                        let result = async {
                            let client = backend.client().await?;
                            crate::integration::prepare(&client, &id).await.map_err(|e| e.to_string())
                        }
                        .await;
                        let _ = tx.send(Action::IntegrationLoaded(result));
                    });
                }
                None => {
                    let _ = tx.send(Action::IntegrationLoaded(Err("offline: no backend".into())));
                }
            },
            Effect::Telegram { op, info, token, options } => {
                let backend = self.backend.clone();
                let api = self.telegram.clone();
                tokio::spawn(async move {
                    let result = telegram_op(backend, api, op, *info, token, *options, tx.clone()).await;
                    let _ = tx.send(Action::IntegrationDone(result));
                });
            }
            Effect::Quit | Effect::ExternalEditor { .. } | Effect::Copy(_) => {}
        }
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

/// Copy through OSC 52: the terminal (even over SSH) puts it on the
/// clipboard; inside tmux the sequence is also passed through.
fn osc52(text: &str) -> io::Result<()> {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = io::stdout();
    write!(out, "\x1b]52;c;{b64}\x07")?;
    if std::env::var_os("TMUX").is_some() {
        write!(out, "\x1bPtmux;\x1b\x1b]52;c;{b64}\x07\x1b\\")?;
    }
    out.flush()
}

/// Run one operation of the Channel Integration page, reporting each step.
async fn telegram_op(
    backend: Option<Arc<dyn Backend>>,
    api: Result<crate::telegram::ApiConfig, String>,
    op: super::update::TelegramOp,
    info: crate::integration::IntegrationInfo,
    token: crate::telegram::BotToken,
    options: crate::integration::Options,
    tx: mpsc::UnboundedSender<Action>,
) -> Result<String, super::update::IntegrationFailure> {
    use super::state::Level;
    use super::update::{IntegrationFailure, TelegramOp};
    use crate::integration::{self, Event, IntegrationError};
    let fail = |message: String| IntegrationFailure { message, webhook_elsewhere: None };
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
            Some(b) => b.client().await.map_err(fail),
            None => Err(fail("offline: the token must go to the backend".into())),
        }
    };
    match op {
        TelegramOp::Connect => {
            let client = client().await?;
            match integration::connect(&client, &api, &info, &token, &options, &mut progress).await {
                Ok(report) => Ok(format!(
                    "webhook registered for {}: Telegram delivers to {} and the channel can answer customers",
                    report.bot.handle(),
                    report.webhook_url
                )),
                Err(e @ IntegrationError::NeedsConfirmation { .. }) => {
                    let IntegrationError::NeedsConfirmation { current, .. } = &e else { unreachable!() };
                    Err(IntegrationFailure { message: scrub(&e), webhook_elsewhere: Some(current.clone()) })
                }
                Err(e) => Err(fail(scrub(&e))),
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
                Err(e) => Err(fail(scrub(&e))),
            }
        }
        TelegramOp::Status => match integration::status(&api, &info, &token, &options).await {
            Ok(status) => {
                for w in &status.warnings {
                    let _ = tx.send(Action::IntegrationEvent(Level::Warn, w.clone()));
                }
                let webhook =
                    if status.webhook.url.is_empty() { "no webhook".to_string() } else { status.webhook.url.clone() };
                let verdict = if status.matches_expected {
                    "points to this channel"
                } else if status.points_to_channel {
                    "points to this channel through another address"
                } else if status.webhook.url.is_empty() {
                    "is not set"
                } else {
                    "points elsewhere"
                };
                Ok(format!(
                    "{}: webhook {verdict} ({webhook}); {} pending update(s)",
                    status.bot.handle(),
                    status.webhook.pending_update_count
                ))
            }
            Err(e) => Err(fail(scrub(&e))),
        },
        TelegramOp::Delete => match integration::disconnect(&api, &info, &token, &options, &mut progress).await {
            Ok(d) if d.removed.is_empty() => Ok(format!("{} had no webhook: nothing to delete", d.bot.handle())),
            Ok(d) => Ok(format!("webhook {} deleted for {}", d.removed, d.bot.handle())),
            Err(e) => Err(fail(scrub(&e))),
        },
    }
}
