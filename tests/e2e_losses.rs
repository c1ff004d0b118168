//! The loss paths of the wizard as a user meets them: the built binary in a
//! real pseudo-terminal (tmux), the drafts directory on a real filesystem
//! that fills up or turns read-only (a small tmpfs, where this machine lets
//! the test mount one; otherwise the test says why and does nothing), and a
//! real `chanwiz serve` behind a proxy that loses an answer.
//!
//! Each waits by polling the screen or the draft files; nothing sleeps.

#![cfg(feature = "server")]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::proxy::Proxy;
use support::serve::Server;
use support::tmux::*;

fn kill(pid: u32, signal: &str) {
    let status = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status().unwrap();
    assert!(status.success(), "kill -{signal} {pid}");
}

/// A tmpfs of `kib` KiB mounted at `dir`, unmounted when dropped; None (and
/// why, printed) where mounting is not allowed.
struct Tmpfs(PathBuf);

impl Tmpfs {
    fn mount(dir: &Path, kib: u32) -> Option<Self> {
        std::fs::create_dir_all(dir).unwrap();
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={kib}k,mode=0700"), "tmpfs"])
            .arg(dir)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(Tmpfs(dir.to_path_buf())),
            Ok(o) => {
                eprintln!("skipped: cannot mount a tmpfs here ({})", String::from_utf8_lossy(&o.stderr).trim());
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount ({e})");
                None
            }
        }
    }

    fn remount_read_only(&self) {
        let status = Command::new("mount").args(["-o", "remount,ro"]).arg(&self.0).status().unwrap();
        assert!(status.success(), "remount read-only");
    }

    /// Fill it up: every later write fails with "No space left on device".
    fn fill(&self) {
        let _ = Command::new("dd")
            .args(["if=/dev/zero", "bs=4k"])
            .arg(format!("of={}", self.0.join("filler").display()))
            .stderr(std::process::Stdio::null())
            .status();
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn go_to_field(pane: &Pane, label: &str) {
    for _ in 0..40 {
        let screen = pane.screen();
        let before = focused_row(&screen).unwrap_or_default().to_string();
        if before.contains(label) {
            return;
        }
        pane.keys(&["Tab"]);
        // the next Tab only once this one is drawn (else the focus overshoots)
        pane.wait_until("the focus to move", |s| focused_row(s).is_some_and(|r| r != before));
    }
    pane.wait_focus(label);
}

#[test]
fn text_typed_in_the_notification_popup_is_in_the_draft_and_survives_a_hang_up() {
    let pane = Pane::new("popup-hup");
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.type_text("ak-popup");
    pane.keys(&["PageDown"]);
    pane.wait_for(&["Step", "2/4"]);
    go_to_field(&pane, "Non-Working");
    pane.keys(&["Enter"]);
    pane.wait_for(&["characters"]);
    pane.type_text("Closed now");
    pane.wait_for(&["Closed now", "10/500"]);
    // the popup is still open: autosave has it within two seconds
    pane.wait_draft("the notification typed in the open popup", |d| {
        d.document.basic.non_working_time_notification == "Closed now"
    });
    // more typed, and the line hung up at once: saved on the way out
    pane.type_text(", back at 9");
    pane.wait_for(&["back at 9"]);
    let pid = pane.wizard_pid();
    kill(pid, "HUP");
    pane.wait_exit();
    let d = pane.wait_draft("the text typed before the hang-up", |d| {
        d.document.basic.non_working_time_notification == "Closed now, back at 9"
    });
    assert_eq!(d.document.channel_info.app_key, "ak-popup");
}

#[test]
fn a_keyword_half_typed_in_its_editor_survives_a_kill() {
    let pane = Pane::new("keyword-kill");
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.keys(&["PageDown"]);
    pane.wait_for(&["Step", "2/4"]);
    go_to_field(&pane, "Keyword for Transfer");
    pane.keys(&["Enter"]);
    pane.wait_for(&["keep", "undo"]);
    pane.type_text("operat");
    pane.wait_draft("the keyword being typed", |d| d.document.basic.transfer_keywords == ["operat"]);
    let pid = pane.wizard_pid();
    kill(pid, "KILL");
    pane.wait_until("the wizard to be gone", |_| !Path::new(&format!("/proc/{pid}")).exists());
    assert_eq!(pane.drafts()[0].document.basic.transfer_keywords, ["operat"]);
}

#[test]
fn on_a_full_disk_quitting_asks_and_the_document_can_be_written_elsewhere() {
    let pane = Pane::new("full-disk");
    let Some(fs) = Tmpfs::mount(&pane.home().join("data").join("drafts"), 256) else { return };
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    fs.fill();
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.type_text("ak-full-disk");
    pane.keys(&["C-s"]);
    pane.wait_for(&["not", "saved"]);
    pane.keys(&["C-q"]);
    pane.wait_for(&["could", "not", "be", "saved", "retry", "discard"]);
    // another Ctrl-Q does not drop it either
    pane.keys(&["C-q"]);
    pane.wait_for(&["could", "not", "be", "saved"]);
    pane.keys(&["w"]);
    pane.wait_for(&["Write", "the", "document", "to"]);
    let rescued = tempfile::tempdir().unwrap();
    let target = rescued.path().join("rescued.json");
    pane.keys(&["C-u"]);
    pane.type_text(target.to_str().unwrap());
    pane.keys(&["Enter"]);
    let end = pane.wait_exit();
    assert!(end.contains("WIZARD-EXIT:0") && end.contains("TTY-COOKED"), "{end}");
    let doc = chanwiz::model::parse_document(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(doc.channel_info.app_key, "ak-full-disk");
}

#[test]
fn on_a_read_only_disk_leaving_the_page_asks_instead_of_dropping_the_edit() {
    let pane = Pane::new("read-only");
    let Some(fs) = Tmpfs::mount(&pane.home().join("data").join("drafts"), 1024) else { return };
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.type_text("ak-1");
    pane.wait_draft("the first autosave", |d| d.document.channel_info.app_key == "ak-1");
    fs.remount_read_only();
    pane.type_text("-more");
    pane.wait_for(&["ak-1-more"]);
    pane.keys(&["Escape"]);
    let screen = pane.wait_for(&["could", "not", "be", "saved"]);
    assert!(screen.contains("Read-only") || screen.contains("read-only"), "{screen}");
    // stay: the page and the edit are there
    pane.keys(&["c"]);
    pane.wait_for(&["ak-1-more", "Step", "1/4"]);
    // quitting asks too; discard is an explicit answer
    pane.keys(&["C-q"]);
    pane.wait_for(&["could", "not", "be", "saved"]);
    pane.keys(&["d"]);
    let end = pane.wait_exit();
    assert!(end.contains("WIZARD-EXIT:0"), "{end}");
}

#[test]
fn a_create_whose_answer_is_lost_makes_one_channel_when_the_wizard_retries() {
    let server = Server::start(&[]);
    // every attempt of the first submit loses its answer (the client's own
    // retries included); the backend commits each time
    let proxy = Proxy::losing(&server.url, "POST /api/v1/channels ", 5);
    let mut pane = Pane::new("lost-answer");
    pane.backend = Some((proxy.url.clone(), server.token.clone()));
    pane.env.push(("CHANWIZ_RETRY_DELAY_MS".into(), "1".into()));
    let store = chanwiz::drafts::DraftStore::open(&chanwiz::paths::Paths::under(pane.home()).drafts()).unwrap();
    let example = chanwiz::model::parse_document(include_str!("../assets/examples/telegram-channel.json")).unwrap();
    store.create(example, true).unwrap();
    pane.start(&[]);
    pane.wait_for(&["Telegram_Support", "online"]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["Step", "1/4"]);
    for _ in 0..3 {
        pane.keys(&["PageDown"]);
    }
    pane.wait_for(&["Step", "4/4", "ready"]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["[y] create it"]);
    pane.keys(&["y"]);
    pane.wait_for(&["Submit", "unreachable"]);
    let key = pane.drafts()[0].meta.idempotency_key.clone().expect("the key is on disk");
    assert!(proxy.dropped.load(std::sync::atomic::Ordering::SeqCst) >= 1);
    // the backend answers now: the same key, one channel
    let proxy_drops = proxy.dropped.load(std::sync::atomic::Ordering::SeqCst);
    assert!(proxy_drops <= 5);
    pane.wait_until("the review page again", |s| s.contains("Submit"));
    pane.keys(&["Enter"]);
    pane.wait_for(&["[y] create it"]);
    pane.keys(&["y"]);
    pane.wait_for(&["Channel", "Integration", "Telegram_Support"]);
    let out = Command::new(BIN)
        .env("CHANWIZ_HOME", pane.home())
        .env("CHANWIZ_BACKEND", &server.url)
        .env("CHANWIZ_TOKEN", &server.token)
        .args(["channels", "list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = list.as_array().unwrap().iter().filter_map(|c| c["name"].as_str()).collect();
    assert_eq!(names, ["Telegram_Support"], "exactly one channel (key {key})");
}

/// The notification popup of a new offline draft, open and empty.
fn open_notification(pane: &Pane) {
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.keys(&["PageDown"]);
    pane.wait_for(&["Step", "2/4"]);
    go_to_field(pane, "Non-Working");
    pane.keys(&["Enter"]);
    pane.wait_for(&["0/500", "characters"]);
}

#[test]
fn a_multi_line_paste_keeps_its_line_breaks_as_the_terminal_sends_them() {
    // tmux pastes line breaks as CR, as xterm and VTE do
    let pane = Pane::new("paste-cr");
    open_notification(&pane);
    pane.paste("Closed now\nBack at 9\nCall us");
    pane.wait_for(&["Call us"]);
    pane.wait_draft("the pasted lines, each on its own line", |d| {
        d.document.basic.non_working_time_notification == "Closed now\nBack at 9\nCall us"
    });
    // and unbracketed (the keys one after another, a CR for each break)
    let pane = Pane::new("typed-cr");
    open_notification(&pane);
    pane.type_text("one\rtwo");
    pane.wait_draft("two lines typed with a CR between", |d| {
        d.document.basic.non_working_time_notification == "one\ntwo"
    });
}

#[test]
fn characters_typed_as_several_key_events_are_deleted_whole() {
    // a flag is two code points, a ZWJ sequence three, an accent written as
    // e + combining mark two: each arrives as its own key event
    let pane = Pane::new("clusters");
    open_notification(&pane);
    pane.type_text("Ab🇨🇳");
    pane.wait_draft("the flag typed", |d| d.document.basic.non_working_time_notification == "Ab🇨🇳");
    pane.keys(&["BSpace"]);
    pane.wait_draft("one Backspace takes the whole flag", |d| d.document.basic.non_working_time_notification == "Ab");
    pane.type_text("👩\u{200d}💻e\u{301}x");
    pane.wait_draft("more typed", |d| d.document.basic.non_working_time_notification == "Ab👩\u{200d}💻e\u{301}x");
    // ← over x and é, Backspace takes the whole ZWJ sequence
    pane.keys(&["Left", "Left", "BSpace"]);
    pane.wait_draft("the ZWJ sequence gone whole", |d| d.document.basic.non_working_time_notification == "Abe\u{301}x");
    // Delete takes é whole
    pane.keys(&["Delete"]);
    pane.wait_draft("é gone whole", |d| d.document.basic.non_working_time_notification == "Abx");
}

/// Basic's `label` field of a new offline draft, its list editor open.
fn open_list(pane: &Pane, label: &str) {
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.keys(&["PageDown"]);
    pane.wait_for(&["Step", "2/4"]);
    go_to_field(pane, label);
    pane.keys(&["Enter"]);
}

#[test]
fn keywords_typed_one_after_another_build_the_list_and_a_removal_can_be_undone() {
    let pane = Pane::new("keywords");
    open_list(&pane, "Keyword for Transfer");
    // each keyword typed code point by code point, Enter after each: letters
    // a keyword starts with (h, d, x, a, n) are never commands
    for word in ["agent", "human", "default", "xfer"] {
        pane.type_text(word);
        pane.keys(&["Enter"]);
    }
    pane.wait_draft("the four keywords", |d| {
        d.document.basic.transfer_keywords == ["agent", "human", "default", "xfer"]
    });
    // Enter on the empty new line closes the editor, adding nothing
    pane.keys(&["Enter"]);
    pane.wait_until("the editor closed", |s| !s.contains("Ctrl-Z"));
    let d = pane.drafts();
    assert_eq!(d[0].document.basic.transfer_keywords, ["agent", "human", "default", "xfer"]);
    // open again: the list, ↓↓ to "default", Delete removes it, Ctrl-Z puts it back
    pane.keys(&["Enter"]);
    pane.wait_for(&["xfer"]);
    pane.keys(&["Down", "Down"]);
    pane.keys(&["Delete"]);
    pane.wait_draft("default removed", |d| d.document.basic.transfer_keywords == ["agent", "human", "xfer"]);
    pane.wait_for(&["Ctrl-Z"]);
    pane.keys(&["C-z"]);
    pane.wait_draft("default back in its place", |d| {
        d.document.basic.transfer_keywords == ["agent", "human", "default", "xfer"]
    });
    // a letter typed on the list starts a new keyword with it
    pane.type_text("nomore");
    pane.keys(&["Enter"]);
    pane.wait_draft("a fifth keyword", |d| d.document.basic.transfer_keywords.len() == 5);
    assert_eq!(pane.drafts()[0].document.basic.transfer_keywords[4], "nomore");
}

#[test]
fn digits_typed_over_a_work_time_replace_it() {
    let pane = Pane::new("worktime");
    open_list(&pane, "Agent Work Time — Workday");
    pane.type_text("20301900");
    pane.wait_draft("the segment typed", |d| {
        d.document.basic.work_time.workday.first().is_some_and(|s| s.start == "20:30" && s.end == "19:00")
    });
    pane.keys(&["Enter"]);
    // edit it: typing replaces the start, then the end
    pane.keys(&["Up"]);
    pane.keys(&["Enter"]);
    pane.type_text("2200");
    pane.type_text("2330");
    pane.wait_draft("both ends replaced by what was typed", |d| {
        d.document.basic.work_time.workday.first().is_some_and(|s| s.start == "22:00" && s.end == "23:30")
    });
    // a digit past a whole time is refused out loud, never dropped silently
    pane.type_text("5");
    pane.wait_for(&["HH:MM", "complete"]);
}

/// The caret comes back where it was: in a message (the editor reopens
/// with it there) and in a line field, after quitting and resuming.
#[test]
fn a_resumed_draft_puts_the_caret_back_where_it_was() {
    let pane = Pane::new("caret");
    open_notification(&pane);
    pane.type_text("We are closed now. Leave a message.");
    pane.wait_for(&["Leave a message."]);
    for _ in 0..17 {
        pane.keys(&["Left"]);
    }
    pane.keys(&["Escape"]);
    pane.wait_focus("Non-Working");
    pane.keys(&["C-q"]);
    pane.wait_for(&["unsaved", "save", "quit"]);
    pane.keys(&["s"]);
    pane.wait_exit();
    assert_eq!(pane.drafts()[0].meta.caret, Some(18), "the caret is not in the draft");

    pane.start(&["--offline"]);
    pane.wait_for(&["Drafts"]);
    pane.keys(&["Enter"]);
    pane.wait_focus("Non-Working");
    pane.keys(&["Enter"]);
    pane.wait_for(&["characters"]);
    pane.type_text("!");
    pane.keys(&["Escape"]);
    pane.wait_draft("the typed ! at the caret", |d| {
        d.document.basic.non_working_time_notification == "We are closed now.! Leave a message."
    });

    // a line field: the caret inside the channel name (back up the step)
    for _ in 0..12 {
        let screen = pane.screen();
        let before = focused_row(&screen).unwrap_or_default().to_string();
        if before.contains("Channel Name") {
            break;
        }
        pane.keys(&["BTab"]);
        pane.wait_until("the focus to move", |s| focused_row(s).is_some_and(|r| r != before));
    }
    pane.wait_focus("Channel Name");
    pane.type_text("Care_Desk");
    pane.keys(&["Home", "Right", "Right", "Right", "Right"]);
    pane.keys(&["C-q"]);
    pane.wait_for(&["unsaved", "save", "quit"]);
    pane.keys(&["s"]);
    pane.wait_exit();
    pane.start(&["--offline"]);
    pane.wait_for(&["Drafts"]);
    pane.keys(&["Enter"]);
    pane.wait_focus("Channel Name");
    pane.type_text("X");
    pane.wait_draft("X typed at the caret", |d| d.document.basic.channel_name == "CareX_Desk");
}

#[test]
fn a_draft_open_in_one_wizard_is_neither_opened_nor_overwritten_nor_removed_by_another() {
    use chanwiz::drafts::DraftStore;
    use chanwiz::paths::Paths;
    let a = Pane::new("owner");
    let dir = Paths::under(a.home()).drafts();
    let mut doc = chanwiz::model::ChannelDocument::default();
    doc.basic.channel_name = "First_Desk".into();
    let id = DraftStore::open(&dir).unwrap().create(doc, false).unwrap().meta.id;
    a.start(&[&id, "--offline"]);
    a.wait_focus("APP Key");
    a.type_text("ak-one");
    a.wait_draft("the first wizard's edit", |d| d.document.channel_info.app_key == "ak-one");

    // a second wizard on the same draft, by its id: refused, saying who has it
    let b = Pane::new("second");
    b.start_line(a.command_line(&[&id, "--offline"]));
    let said = b.wait_exit();
    let pid = a.wizard_pid().to_string();
    assert!(said.contains("open in another chanwiz") && said.contains(&pid), "{said}");
    assert!(!said.contains("WIZARD-EXIT:0"), "{said}");
    // the same from its home screen's draft list
    b.start_line(a.command_line(&["--offline"]));
    b.wait_for(&["First_Desk"]);
    b.keys(&["Enter"]);
    let screen = b.wait_for(&["open in another chanwiz"]);
    assert!(!screen.contains("APP Key"), "the draft opened anyway:\n{screen}");
    quit(&b);
    // the accessible mode too
    b.start_line(a.command_line(&["--accessible", &id]));
    let said = b.wait_exit();
    assert!(said.contains("open in another chanwiz"), "{said}");
    // and the CLI's removal
    for args in [vec!["drafts", "rm", &id], vec!["submit", &id]] {
        let out = Command::new(bin())
            .args(&args)
            .env("CHANWIZ_HOME", a.home())
            .env_remove("CHANWIZ_BACKEND")
            .env_remove("CHANWIZ_TOKEN")
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}: {out:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("open in another chanwiz"), "{args:?}: {out:?}");
    }

    // the first wizard's edits go on being saved, none lost
    a.type_text("-x");
    a.wait_draft("the first wizard's next edit", |d| d.document.channel_info.app_key == "ak-one-x");
    quit(&a);

    // once it has quit, the draft opens in the other, with every edit
    b.start_line(a.command_line(&[&id, "--offline"]));
    b.wait_for(&["ak-one-x"]);
    b.type_text("-y");
    a.wait_draft("the second wizard's edit", |d| d.document.channel_info.app_key == "ak-one-x-y");
    quit(&b);
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".lock"))
        .collect();
    assert!(left.is_empty(), "lock files left behind: {left:?}");
}

/// Quit the wizard, saving if it asks.
fn quit(pane: &Pane) {
    pane.keys(&["C-q"]);
    let s = pane.wait_until("the wizard to quit or ask", |s| s.contains("WIZARD-EXIT:") || s.contains("unsaved"));
    if !s.contains("WIZARD-EXIT:") {
        pane.keys(&["s"]);
    }
    pane.wait_exit();
}

/// `chanwiz ARGS` against the backend `s`, with `home` as CHANWIZ_HOME.
fn cli_at(s: &Server, home: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .args(args)
        .env("CHANWIZ_HOME", home)
        .env("CHANWIZ_BACKEND", &s.url)
        .env("CHANWIZ_TOKEN", &s.token)
        .env("CHANWIZ_RETRY_DELAY_MS", "1")
        .output()
        .unwrap()
}

/// `chanwiz submit` of the example document named `name`.
fn submit_named(s: &Server, home: &Path, name: &str) -> std::process::Output {
    let mut doc: serde_json::Value = serde_json::from_str(support::EXAMPLE).unwrap();
    doc["basic"]["channel_name"] = serde_json::json!(name);
    let file = home.join(format!("{name}.json"));
    std::fs::write(&file, doc.to_string()).unwrap();
    cli_at(s, home, &["submit", file.to_str().unwrap()])
}

/// `GET /api/v1/health` of a plain-HTTP loopback server, as JSON.
fn health_of(s: &Server) -> serde_json::Value {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(s.url.trim_start_matches("http://")).unwrap();
    stream.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

/// A backend killed on a full disk, then started again before space was
/// freed, and again on a filesystem remounted read-only: it starts, says
/// why it is read-only (on its `read-only:` line and in health), serves
/// what it stored, and refuses every write with 507 saying so.
#[test]
fn a_backend_started_on_a_full_or_read_only_disk_serves_reads_and_refuses_writes_saying_why() {
    let dir = tempfile::tempdir().unwrap();
    let Some(fs) = Tmpfs::mount(dir.path(), 8192) else { return };
    let s = Server::start_in(dir, &[]);
    let home = tempfile::tempdir().unwrap();
    let run = |s: &Server, args: &[&str]| cli_at(s, home.path(), args);
    let submit = |s: &Server, name: &str| submit_named(s, home.path(), name);
    let health = health_of;
    assert!(submit(&s, "Before_Full").status.success());
    assert_eq!(health(&s).get("read_only"), None);
    let token = s.token.clone();
    fs.fill();
    let check = |s: &Server, how: &str| {
        let said = s.read_only.clone().unwrap_or_else(|| panic!("no read-only line ({how})"));
        assert!(said.contains(how), "{said}");
        let h = health(s);
        assert!(h["read_only"].as_str().is_some_and(|r| r.contains(how)), "{h}");
        let list = run(s, &["channels", "list", "--json"]);
        let text = String::from_utf8_lossy(&list.stdout);
        assert!(
            list.status.success() && text.contains("Before_Full"),
            "{text}{}",
            String::from_utf8_lossy(&list.stderr)
        );
        let out = submit(s, "While_Read_Only");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && err.contains("read-only") && err.contains(how), "{err}");
    };
    // killed (as kill -9) on the full disk, started again before space was freed
    let s = Server::restart_in(s.stop(), &token);
    check(&s, "disk is full");
    // then on the filesystem remounted read-only
    let dir = s.stop();
    let _ = std::fs::remove_file(dir.path().join("filler"));
    fs.remount_read_only();
    let s = Server::restart_in(dir, &token);
    check(&s, "file system is read-only");
    let _dir = s.stop();
    drop(fs);
}

#[test]
fn on_a_full_disk_the_backend_answers_507_saying_so_and_keeps_what_it_answered() {
    let dir = tempfile::tempdir().unwrap();
    let Some(fs) = Tmpfs::mount(dir.path(), 8192) else { return };
    let s = Server::start_in(dir, &[]);
    let home = tempfile::tempdir().unwrap();
    let submit = |name: &str| submit_named(&s, home.path(), name);
    let out = submit("Before_Full");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    fs.fill();
    let mut refused = None;
    // the WAL may still have room for a few: the disk fills for good
    for i in 0..50 {
        let out = submit(&format!("When_Full_{i}"));
        if !out.status.success() {
            refused = Some(out);
            break;
        }
    }
    let out = refused.expect("every create was stored on a full disk");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("disk is full"), "{err}");
    // what was answered is there
    let list = cli_at(&s, home.path(), &["channels", "list", "--json"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(list.status.success() && text.contains("Before_Full"), "{text}{}", String::from_utf8_lossy(&list.stderr));
    drop(s);
    drop(fs);
}
