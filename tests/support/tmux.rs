//! A private tmux server running the built `chanwiz` in an 80×24 pane, for
//! end-to-end tests: keys in, screen out, waits that poll for words.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chanwiz::drafts::{Draft, DraftStore};
use chanwiz::paths::Paths;

pub const BIN: &str = env!("CARGO_BIN_EXE_chanwiz");

/// The binary the pane runs: the one built for these tests, or
/// `CHANWIZ_E2E_BIN` (to show a test failing on an older build).
pub fn bin() -> String {
    std::env::var("CHANWIZ_E2E_BIN").unwrap_or_else(|_| BIN.to_string())
}
/// How long any expected screen may take to appear (debug build, 2 busy cores).
pub const DEADLINE: Duration = Duration::from_secs(30);
pub const POLL: Duration = Duration::from_millis(40);

static SOCKETS: AtomicUsize = AtomicUsize::new(0);

/// Quote one word for `sh`.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A private tmux server with one 80×24 pane, and a CHANWIZ_HOME of its own.
/// Dropping it kills the server (and whatever runs in it), pass or fail.
pub struct Pane {
    socket: String,
    home: tempfile::TempDir,
    /// CHANWIZ_BACKEND / CHANWIZ_TOKEN for the wizard, when a backend runs.
    pub backend: Option<(String, String)>,
    /// More environment for the wizard (a CA certificate, the Bot API).
    pub env: Vec<(String, String)>,
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .stderr(Stdio::null())
            .stdout(Stdio::null())
            .status();
        // tmux leaves its socket file behind
        use std::os::unix::fs::MetadataExt;
        if let Ok(me) = std::fs::metadata("/proc/self") {
            let dir = std::env::var_os("TMUX_TMPDIR").unwrap_or_else(|| "/tmp".into());
            let _ = std::fs::remove_file(Path::new(&dir).join(format!("tmux-{}", me.uid())).join(&self.socket));
        }
    }
}

impl Pane {
    pub fn new(name: &str) -> Self {
        let n = SOCKETS.fetch_add(1, Ordering::SeqCst);
        Self {
            socket: format!("chanwiz-e2e-{}-{n}-{name}", std::process::id()),
            home: tempfile::Builder::new().prefix("chanwiz-e2e").tempdir().unwrap(),
            backend: None,
            env: Vec::new(),
        }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn tmux(&self, args: &[&str]) -> Output {
        let out = Command::new("tmux").arg("-L").arg(&self.socket).arg("-f").arg("/dev/null").args(args).output();
        let out = out.expect("tmux runs (install tmux)");
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    }

    /// The shell line that runs the wizard with `args`, then reports how it
    /// ended and whether the terminal is back in cooked mode, then waits.
    pub fn command_line(&self, args: &[&str]) -> String {
        self.command_line_via("", args)
    }

    /// The same, the wizard started through `wrapper` (e.g. `setsid`).
    pub fn command_line_via(&self, wrapper: &str, args: &[&str]) -> String {
        let mut line = format!("{wrapper} env -u CHANWIZ_BACKEND -u CHANWIZ_TOKEN -u CHANWIZ_CA_CERT -u NO_COLOR ");
        line += &format!("CHANWIZ_HOME={} ", sh_quote(self.home().to_str().unwrap()));
        if let Some((url, token)) = &self.backend {
            line += &format!("CHANWIZ_BACKEND={} CHANWIZ_TOKEN={} ", sh_quote(url), sh_quote(token));
        }
        // retries as in real use, without real seconds of waiting
        line += &format!("CHANWIZ_RETRY_DELAY_MS={} ", super::RETRY_DELAY_MS);
        for (k, v) in &self.env {
            line += &format!("{k}={} ", sh_quote(v));
        }
        line += &sh_quote(&bin());
        for a in args {
            line += " ";
            line += &sh_quote(a);
        }
        line += "; echo \"WIZARD-EXIT:$?\"; case $(stty -a) in *-icanon*) echo TTY-RAW;; *) echo TTY-COOKED;; esac; \
                 exec sleep 3600";
        line
    }

    /// Start (or restart, replacing whatever runs in the pane) the wizard.
    pub fn start(&self, args: &[&str]) {
        self.start_line(self.command_line(args));
    }

    pub fn start_line(&self, line: String) {
        let exists = Command::new("tmux")
            .args(["-L", &self.socket, "has-session", "-t", "e2e"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if exists {
            self.tmux(&["respawn-pane", "-k", "-t", "e2e", &line]);
        } else {
            self.tmux(&["new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", &line]);
        }
    }

    /// Keys by tmux name (`Tab`, `Enter`, `C-q`, `PageDown`, ...).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        self.tmux(&args);
    }

    /// Text typed literally, one character after another.
    pub fn type_text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "e2e", "-l", "--", text]);
    }

    /// Text pasted as a terminal pastes it (bracketed, when the program
    /// asked for that).
    pub fn paste(&self, text: &str) {
        self.tmux(&["set-buffer", "-b", "e2e-paste", "--", text]);
        self.tmux(&["paste-buffer", "-p", "-d", "-b", "e2e-paste", "-t", "e2e"]);
    }

    pub fn screen(&self) -> String {
        String::from_utf8(self.tmux(&["capture-pane", "-p", "-t", "e2e"]).stdout).unwrap()
    }

    /// The screen as a mouse selection or `capture-pane -J` copies it: rows
    /// the terminal wrapped itself are joined into one line.
    pub fn joined(&self) -> String {
        String::from_utf8(self.tmux(&["capture-pane", "-p", "-J", "-t", "e2e"]).stdout).unwrap()
    }

    pub fn format(&self, f: &str) -> String {
        String::from_utf8(self.tmux(&["display-message", "-p", "-t", "e2e", f]).stdout).unwrap().trim().to_string()
    }

    /// Poll until `ok(screen)`; the screen it saw. Fails with the screen.
    pub fn wait_until(&self, what: &str, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > DEADLINE {
                panic!("waited for {what}; the screen is:\n{screen}");
            }
            std::thread::sleep(POLL);
        }
    }

    /// Poll until every word is on the screen.
    pub fn wait_for(&self, words: &[&str]) -> String {
        self.wait_until(&format!("{words:?}"), |s| words.iter().all(|w| s.contains(w)))
    }

    /// Poll until the focused row (the `▸` marker) names `label`.
    pub fn wait_focus(&self, label: &str) -> String {
        self.wait_until(&format!("focus on {label:?}"), |s| focused_row(s).is_some_and(|r| r.contains(label)))
    }

    /// The pid of the wizard: the child of the pane's shell.
    pub fn wizard_pid(&self) -> u32 {
        let shell = self.format("#{pane_pid}");
        let start = Instant::now();
        loop {
            let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap_or_default();
            if let Some(pid) = children.split_whitespace().next() {
                return pid.parse().unwrap();
            }
            assert!(start.elapsed() < DEADLINE, "no wizard process under the pane's shell {shell}");
            std::thread::sleep(POLL);
        }
    }

    pub fn drafts(&self) -> Vec<Draft> {
        let store = DraftStore::open(&Paths::under(self.home()).drafts()).unwrap();
        let listing = store.list().unwrap();
        assert!(listing.problems.is_empty(), "unreadable drafts: {:?}", listing.problems);
        listing.drafts
    }

    /// Poll the draft files until one draft satisfies `ok`.
    pub fn wait_draft(&self, what: &str, ok: impl Fn(&Draft) -> bool) -> Draft {
        let start = Instant::now();
        loop {
            let drafts = self.drafts();
            if let Some(d) = drafts.iter().find(|d| ok(d)) {
                return d.clone();
            }
            if start.elapsed() > DEADLINE {
                let docs: Vec<_> = drafts.iter().map(|d| serde_json::to_string(&d.document).unwrap()).collect();
                panic!("waited for a draft with {what}; drafts: {docs:?}\nscreen:\n{}", self.screen());
            }
            std::thread::sleep(POLL);
        }
    }

    /// The wizard has ended and the pane's shell printed its report.
    pub fn wait_exit(&self) -> String {
        self.wait_for(&["WIZARD-EXIT:", "TTY-"])
    }
}

/// The row holding the focus marker.
pub fn focused_row(screen: &str) -> Option<&str> {
    screen.lines().find(|l| l.trim_start().starts_with('▸'))
}
