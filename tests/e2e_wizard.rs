//! The wizard as a user meets it: the built binary in a real pseudo-terminal
//! (a tmux pane of 80×24), driven by keys, read back from the screen.
//!
//! Covered: a whole channel typed from the empty home screen and submitted to
//! a real `chanwiz serve`; quitting halfway and resuming at the same field;
//! SIGKILL mid-typing keeps what the 2 s autosave wrote; SIGTERM and SIGHUP
//! save the draft and give the terminal back; a terminal that hangs up
//! without a SIGHUP still ends the wizard; live resizing down to 60×16 and
//! "terminal too small" below it; Submit while `--offline`.
//!
//! Every wait polls the screen (or the draft files) for an expected word with
//! a generous deadline; nothing here asserts on time.

#![cfg(feature = "server")]

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use serde_json::Value;
use support::serve::Server;
use support::tmux::*;

/// A reviewed channel is sent only by a deliberate `y`: keys that mean
/// something else on the steps (Space, Enter) reach Review and its Submit
/// button, and there they ask once, naming the channel,
/// the backend and how many fields are set; nothing is created until `y`.
#[test]
fn enter_on_submit_asks_once_and_only_y_creates_the_channel() {
    let server = Server::start(&[]);
    let mut pane = Pane::new("ask");
    pane.backend = Some((server.url.clone(), server.token.clone()));
    let file = pane.home().join("doc.json");
    std::fs::write(&file, support::EXAMPLE).unwrap();
    pane.start(&["new", "--from", file.to_str().unwrap()]);
    // a whole document opens on Review, the focus on [Submit]
    pane.wait_for(&["Step", "4/4", "Review", "Submit", "ready"]);
    pane.keys(&["Space", "Enter"]);
    let ask = pane.wait_for(&["Create the channel?", "[y] create it", "[n] back to Review"]);
    let name = support::example().basic.channel_name;
    assert!(ask.contains(&format!("Create channel {name} on the backend")), "{ask}");
    assert!(ask.contains("fields set"), "{ask}");
    // Enter (and Space) on the question go back to Review; nothing was sent
    pane.keys(&["Enter"]);
    pane.wait_until("back on Review", |s| s.contains("Review") && !s.contains("Create the channel?"));
    let list = cli_json(&server, pane.home(), &["channels", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 0, "a channel was created without a y: {list:?}");
    pane.keys(&["Enter"]);
    pane.wait_for(&["Create the channel?"]);
    pane.keys(&["y"]);
    pane.wait_for(&["Channel", "Integration", "saved", "apiaccess"]);
    let list = cli_json(&server, pane.home(), &["channels", "list", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list:?}");
}

/// Kills a process when dropped, in case a test fails while it still runs.
struct Reaper(u32);

impl Drop for Reaper {
    fn drop(&mut self) {
        if Path::new(&format!("/proc/{}", self.0)).exists() {
            let _ = Command::new("kill").arg("-KILL").arg(self.0.to_string()).status();
        }
    }
}

fn kill(pid: u32, signal: &str) {
    let status = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status().unwrap();
    assert!(status.success(), "kill -{signal} {pid}");
}

/// `chanwiz ARGS` against `server`, its stdout as JSON.
fn cli_json(server: &Server, home: &Path, args: &[&str]) -> Value {
    let out = Command::new(BIN)
        .env("CHANWIZ_HOME", home)
        .env("CHANWIZ_BACKEND", &server.url)
        .env("CHANWIZ_TOKEN", &server.token)
        .args(args)
        .output()
        .unwrap();
    assert!(out.status.success(), "chanwiz {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Choose in a select field's type-to-filter popup.
fn choose(pane: &Pane, title: &str, filter: &str) {
    pane.keys(&["Enter"]);
    pane.wait_for(&[title, "filter"]);
    pane.type_text(filter);
    pane.wait_for(&[&format!("filter: {filter}")]);
    pane.keys(&["Enter"]);
    // chosen: the list has closed (a loaded machine draws it a while longer)
    pane.wait_until("the choice list to close", |s| !s.contains("type to filter"));
}

#[test]
fn a_channel_typed_from_the_empty_home_screen_is_submitted_to_the_backend() {
    let server = Server::start(&[]);
    let mut pane = Pane::new("submit");
    pane.backend = Some((server.url.clone(), server.token.clone()));
    pane.start(&[]);
    pane.wait_for(&["no", "drafts", "yet", "online"]);

    pane.keys(&["n"]);
    pane.wait_for(&["Step", "1/4", "Channel", "information"]);
    pane.wait_focus("APP Key");
    pane.type_text("AK_e2e_1");
    pane.keys(&["Tab"]);
    pane.wait_focus("APP Secret");
    pane.type_text("Sk-e2e-secret");
    pane.keys(&["Tab"]);
    pane.wait_focus("Keep secret");
    pane.keys(&["Tab"]);
    pane.wait_focus("BaseUrl");
    pane.type_text("https://192.0.2.10:28090");
    pane.keys(&["Tab"]);
    pane.wait_focus("Trust certificate");
    choose(&pane, "Trust", "trust");
    pane.wait_focus("Identity certificate");
    choose(&pane, "Identity", "identity");

    // choosing in the last field of step 1 stays there, the choice in view
    let screen = pane.wait_focus("Identity certificate");
    assert!(focused_row(&screen).is_some_and(|r| r.contains("cert-id")), "{screen}");
    pane.keys(&["Tab"]);
    pane.wait_for(&["Step", "2/4", "Basic", "configuration"]);
    pane.wait_focus("Channel Name");
    pane.type_text("Sales_E2E");
    pane.keys(&["Tab"]);
    pane.wait_focus("OU Configuration");
    choose(&pane, "OU", "ou-2");
    pane.wait_focus("Skill Queue");
    choose(&pane, "Skill", "sq-2");
    pane.wait_focus("Keyword for Transfer");
    pane.keys(&["Enter"]);
    pane.wait_for(&["keep", "undo"]);
    pane.type_text("agent");
    pane.keys(&["Enter"]);
    pane.wait_draft("the keyword kept", |d| d.document.basic.transfer_keywords == ["agent"]);
    // Enter opened the next line: Esc on it, empty, closes the editor
    pane.keys(&["Escape"]);
    pane.wait_until("the keyword beside its field", |s| {
        focused_row(s).is_some_and(|r| r.contains("Keyword for Transfer") && r.contains("agent"))
    });

    pane.keys(&["PageDown"]);
    pane.wait_for(&["Step", "3/4", "Robot"]);
    pane.wait_focus("Intelligent Robot");
    pane.keys(&["Space"]);
    pane.wait_until("the robot switched on", |s| focused_row(s).is_some_and(|r| r.contains("on")));
    pane.keys(&["Tab"]);
    pane.wait_focus("Chatbot");
    choose(&pane, "Chatbot", "bot-1");

    pane.keys(&["PageDown"]);
    let review = pane.wait_for(&["Step", "4/4", "Review", "Submit", "ready"]);
    for word in ["AK_e2e_1", "cert-trust-1", "cert-id-1", "Sales_E2E", "ou-2", "sq-2", "Telegram"] {
        assert!(review.contains(word), "review lacks {word}:\n{review}");
    }
    assert!(!review.contains("Sk-e2e-secret"), "the secret is shown on the review page:\n{review}");
    pane.keys(&["Enter"]);
    pane.wait_for(&["Create channel Sales_E2E on the backend", "[y] create it"]);
    pane.keys(&["y"]);
    let page = pane.wait_for(&["Channel", "Integration", "Sales_E2E", "saved", "apiaccess"]);

    // the backend has the channel, with what was typed
    let list = cli_json(&server, pane.home(), &["channels", "list", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1, "{list:?}");
    let id = list[0]["id"].as_str().unwrap();
    assert!(page.contains(id), "the integration page does not show the channel id {id}:\n{page}");
    let url = list[0]["integration_url"].as_str().unwrap();
    assert_eq!(url, format!("https://192.0.2.10:28090/apiaccess/telegram/message/{id}"));
    // the URL is longer than a row; copied from tmux it is one line, whole
    assert!(url.len() > 80 && !page.lines().any(|l| l.contains(url)), "not drawn over two rows:\n{page}");
    let joined = pane.joined();
    assert!(joined.lines().any(|l| l.trim_end() == url), "the copy breaks the URL:\n{joined}");
    let channel = cli_json(&server, pane.home(), &["channels", "show", "Sales_E2E", "--json"]);
    let doc = &channel["document"];
    assert_eq!(doc["channel_info"]["app_key"], "AK_e2e_1");
    assert_eq!(doc["channel_info"]["base_url"], "https://192.0.2.10:28090");
    assert_eq!(doc["channel_info"]["trust_certificate"], "cert-trust-1");
    assert_eq!(doc["channel_info"]["identity_certificate"], "cert-id-1");
    assert_eq!(doc["basic"]["channel_name"], "Sales_E2E");
    assert_eq!(doc["basic"]["ou"], "ou-2");
    assert_eq!(doc["basic"]["skill_queue"], "sq-2");
    assert_eq!(doc["basic"]["transfer_keywords"], serde_json::json!(["agent"]));
    assert_eq!(doc["robot"]["intelligent_robot"]["enabled"], true);
    assert_eq!(doc["robot"]["intelligent_robot"]["chatbot_access_code"], "bot-1");
    assert_eq!(channel["has_app_secret"], true);

    // the draft has served its purpose; quitting prints the URL in the scrollback
    pane.wait_until("the submitted draft removed", |_| pane.drafts().is_empty());
    pane.keys(&["q"]);
    let after = pane.wait_exit();
    assert!(after.contains("WIZARD-EXIT:0"), "{after}");
    assert!(after.contains("integration URL"), "{after}");
    assert!(after.contains("TTY-COOKED"), "{after}");
    assert_eq!(pane.format("#{alternate_on}"), "0", "still on the alternate screen after quitting");
}

#[test]
fn quitting_halfway_resumes_at_the_same_field_of_the_same_step() {
    let pane = Pane::new("resume");
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.type_text("AK_resume");
    pane.keys(&["PageDown"]);
    pane.wait_for(&["Step", "2/4"]);
    pane.wait_focus("Channel Name");
    pane.type_text("Half_Way");
    // down to a field that only exists once its toggle is on
    for label in [
        "OU Configuration",
        "Skill Queue",
        "Keyword for Transfer",
        "Workday",
        "Non-workday",
        "Non-Working",
        "Last Agent",
    ] {
        pane.keys(&["Tab"]);
        pane.wait_focus(label);
    }
    pane.keys(&["Space"]);
    pane.keys(&["Tab"]);
    pane.wait_focus("Remember for");
    pane.keys(&["C-u"]);
    pane.type_text("48");
    pane.wait_until("48 typed", |s| focused_row(s).is_some_and(|r| r.contains("48")));

    pane.keys(&["C-q"]);
    pane.wait_for(&["unsaved", "save", "quit"]);
    pane.keys(&["s"]);
    let after = pane.wait_exit();
    assert!(after.contains("WIZARD-EXIT:0"), "{after}");
    let drafts = pane.drafts();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].document.basic.channel_name, "Half_Way");
    assert_eq!(drafts[0].document.basic.last_agent_mode.retention_hours, 48);

    pane.start(&["--offline"]);
    pane.wait_for(&["Drafts", "Half_Way"]);
    pane.keys(&["Enter"]);
    let screen = pane.wait_for(&["Step", "2/4", "Basic", "configuration"]);
    let row = focused_row(&screen).unwrap_or_default();
    assert!(row.contains("Remember for") && row.contains("48"), "focus is not on the same field:\n{screen}");
    assert!(screen.contains("Half_Way"), "{screen}");
    // and it is a live focus: typing goes into that field
    pane.keys(&["BSpace"]);
    pane.wait_until("the field edited", |s| {
        focused_row(s).is_some_and(|r| r.contains("Remember for") && r.contains('4') && !r.contains("48"))
    });
}

#[test]
fn sigkill_mid_typing_loses_at_most_what_was_typed_since_the_last_pause() {
    let pane = Pane::new("kill");
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.type_text("AK_before_pause");
    pane.wait_until("the typed key on screen", |s| focused_row(s).is_some_and(|r| r.contains("AK_before_pause")));
    // a pause: the autosave writes the draft without any key pressed
    pane.wait_draft("the text typed before the pause", |d| d.document.channel_info.app_key == "AK_before_pause");

    pane.type_text("_after");
    pane.wait_until("the later text on screen", |s| {
        focused_row(s).is_some_and(|r| r.contains("AK_before_pause_after"))
    });
    kill(pane.wizard_pid(), "KILL");
    let after = pane.wait_exit();
    assert!(after.contains("WIZARD-EXIT:137"), "{after}");

    let drafts = pane.drafts();
    assert_eq!(drafts.len(), 1, "one readable draft after SIGKILL");
    let key = &drafts[0].document.channel_info.app_key;
    assert!(
        key.starts_with("AK_before_pause") && "AK_before_pause_after".starts_with(key.as_str()),
        "the draft holds {key:?}"
    );
    assert_eq!(drafts[0].meta.step, 1);

    // the next start offers it, and opening it shows the text
    pane.start(&["--offline"]);
    pane.wait_for(&["Drafts", "step 1/4"]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["Step", "1/4", "AK_before_pause"]);
}

fn signal_saves_and_restores(signal: &str) {
    let pane = Pane::new(&signal.to_lowercase());
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    assert_eq!(pane.format("#{alternate_on}"), "1", "the wizard draws on the alternate screen");
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    let typed = format!("AK_{signal}");
    pane.type_text(&typed);
    pane.wait_until("the typed key on screen", |s| focused_row(s).is_some_and(|r| r.contains(&typed)));
    // at once: well within the autosave delay, so only the signal can save it
    kill(pane.wizard_pid(), signal);
    let after = pane.wait_exit();
    assert!(after.contains("TTY-COOKED"), "the terminal is left in raw mode after {signal}:\n{after}");
    assert!(!after.contains("Step 1/4") && !after.contains("APP Key"), "the wizard is still on screen:\n{after}");
    assert_eq!(pane.format("#{alternate_on}"), "0", "still on the alternate screen after {signal}");
    assert_eq!(pane.format("#{cursor_flag}"), "1", "the cursor is hidden after {signal}");
    let drafts = pane.drafts();
    assert_eq!(drafts.len(), 1, "{signal}: the draft was not saved");
    assert_eq!(drafts[0].document.channel_info.app_key, typed);
}

#[test]
fn sigterm_saves_the_draft_and_restores_the_terminal() {
    signal_saves_and_restores("TERM");
}

#[test]
fn sighup_saves_the_draft_and_restores_the_terminal() {
    signal_saves_and_restores("HUP");
}

#[test]
fn the_wizard_follows_live_resizes_and_says_when_the_terminal_is_too_small() {
    let pane = Pane::new("resize");
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    let resize =
        |w: u16, h: u16| pane.tmux(&["resize-window", "-t", "e2e", "-x", &w.to_string(), "-y", &h.to_string()]);

    resize(60, 16);
    let small = pane.wait_until("a 60×16 layout", |s| {
        s.lines().count() <= 16 && s.lines().all(|l| l.chars().count() <= 60) && s.contains("APP Key")
    });
    assert!(!small.contains("too small"), "{small}");
    // still usable: typing goes into the field
    pane.type_text("AK_small");
    pane.wait_until("typing at 60×16", |s| focused_row(s).is_some_and(|r| r.contains("AK_small")));
    pane.keys(&["Tab"]);
    pane.wait_focus("APP Secret");

    for (w, h) in [(59, 16), (60, 15), (59, 15)] {
        resize(w, h);
        pane.wait_for(&["terminal", "small", "60×16"]);
    }
    resize(80, 24);
    let big = pane.wait_for(&["Step", "1/4", "APP Key", "AK_small", "BaseUrl"]);
    assert!(!big.contains("small (need"), "{big}");
    assert!(focused_row(&big).is_some_and(|r| r.contains("APP Secret")), "{big}");
}

#[test]
fn offline_submit_says_why_and_keeps_the_draft() {
    let pane = Pane::new("offline");
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    // offline there is no catalogue: the ids are typed
    for (label, text) in [
        ("APP Key", Some("AK_off")),
        ("APP Secret", Some("secret_off")),
        ("Keep secret", None),
        ("BaseUrl", Some("https://192.0.2.10:28090")),
        ("Trust certificate", Some("cert-trust-1")),
        ("Identity certificate", Some("cert-id-1")),
    ] {
        pane.wait_focus(label);
        if let Some(text) = text {
            pane.type_text(text);
        }
        pane.keys(&["Tab"]);
    }
    pane.wait_for(&["Step", "2/4"]);
    for (label, text) in [("Channel Name", "Offline_1"), ("OU Configuration", "ou-2"), ("Skill Queue", "sq-2")] {
        pane.wait_focus(label);
        pane.type_text(text);
        pane.keys(&["Tab"]);
    }
    pane.wait_focus("Keyword for Transfer");
    pane.keys(&["PageDown"]);
    pane.wait_for(&["Step", "3/4"]);
    pane.keys(&["PageDown"]);
    pane.wait_for(&["Step", "4/4", "Submit", "ready"]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["offline", "saved", "later", "submit"]);

    // saves are written in the background: wait for the one made on reaching Review
    let draft = pane.wait_draft("the typed channel at step 4", |d| {
        d.document.basic.channel_name == "Offline_1" && d.meta.step == 4
    });
    assert_eq!(draft.document.channel_info.app_key, "AK_off");
    assert_eq!(draft.document.channel_info.base_url, "https://192.0.2.10:28090");
    assert_eq!(draft.document.channel_info.trust_certificate, "cert-trust-1");
    assert_eq!(draft.document.basic.ou, "ou-2");
    assert_eq!(draft.document.basic.skill_queue, "sq-2");
    assert_eq!(draft.meta.step, 4);

    // still in the wizard; home lists the draft
    pane.keys(&["Escape"]);
    pane.wait_for(&["Drafts", "Offline_1"]);
    assert_eq!(pane.drafts().len(), 1);
}

/// The terminal goes away without a SIGHUP reaching the wizard (it runs in a
/// session of its own, so the kernel signals only the pane's shell) while
/// nothing is left to draw: the wizard still notices and exits, instead of
/// running on (and spinning in its input reader) against a dead terminal.
#[test]
fn a_terminal_that_hangs_up_without_sighup_still_ends_the_wizard_and_keeps_the_draft() {
    let pane = Pane::new("hangup");
    pane.start_line(pane.command_line_via("setsid", &["--offline"]));
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.type_text("AK_hangup");
    pane.wait_until("the typed key on screen", |s| focused_row(s).is_some_and(|r| r.contains("AK_hangup")));
    // idle: the autosave has run and the screen says so; nothing more to draw
    pane.wait_draft("the typed key", |d| d.document.channel_info.app_key == "AK_hangup");
    pane.wait_until("the saved mark", |s| {
        s.lines().next().is_some_and(|l| l.contains("saved") && !l.contains("unsaved"))
    });
    let pid = pane.wizard_pid();
    let _reaper = Reaper(pid);
    // closing the pane's terminal: what a dropped SSH connection does
    pane.tmux(&["kill-server"]);
    let start = Instant::now();
    while Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z")
    {
        assert!(start.elapsed() < DEADLINE, "the wizard {pid} still runs after its terminal hung up");
        std::thread::sleep(POLL);
    }
    let drafts = pane.drafts();
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!(drafts[0].document.channel_info.app_key, "AK_hangup");
}

#[test]
fn a_broken_config_file_is_reported_instead_of_falling_back_to_the_embedded_backend() {
    let pane = Pane::new("badconfig");
    let config = chanwiz::paths::Paths::under(pane.home()).config;
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.json"), "{ \"backend\": ").unwrap();
    pane.start(&[]);
    let screen = pane.wait_exit();
    assert!(screen.contains("config.json") && screen.contains("JSON"), "{screen}");
    assert!(screen.contains("WIZARD-EXIT:2"), "{screen}");
    assert!(
        !chanwiz::paths::Paths::under(pane.home()).data.join("backend.sqlite3").exists(),
        "no embedded backend was started"
    );
}

#[test]
fn offline_the_catalogue_cached_by_an_online_run_is_offered_with_its_age() {
    let pane = Pane::new("offline-catalogue");
    pane.start(&["--offline"]);
    pane.wait_for(&["offline", "no catalogue"]);
    pane.keys(&["q"]);
    pane.wait_exit();
    // a backend set (CHANWIZ_BACKEND) is named while --offline leaves it unasked
    let line = pane.command_line(&["--offline"]).replacen(
        "CHANWIZ_HOME=",
        "CHANWIZ_BACKEND=https://aicc.example.com:8443 CHANWIZ_HOME=",
        1,
    );
    pane.start_line(line);
    pane.wait_for(&["https://aicc.example.com:8443 · offline (--offline)"]);
    pane.keys(&["q"]);
    pane.wait_exit();
    // an online run (the local backend: none is set) caches the catalogue
    let out = std::process::Command::new(support::tmux::BIN)
        .args(["catalogue"])
        .env("CHANWIZ_HOME", pane.home())
        .env_remove("CHANWIZ_BACKEND")
        .env_remove("CHANWIZ_TOKEN")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    pane.start(&["--offline"]);
    pane.wait_for(&["local backend", "offline (--offline)", "catalogue fresh"]);
    // its ids are choices, not ids typed by hand
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    for label in ["APP Secret", "Keep secret", "BaseUrl", "Trust certificate"] {
        pane.keys(&["Tab"]);
        pane.wait_focus(label);
    }
    pane.keys(&["Enter"]);
    pane.wait_for(&["API Fabric trust certificate"]);
}

#[test]
fn the_wizard_and_commands_share_the_local_backend_and_its_token() {
    let pane = Pane::new("local-shared");
    // no backend set: the wizard starts the local backend
    pane.start(&[]);
    pane.wait_for(&["online"]);
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .env("CHANWIZ_HOME", pane.home())
            .env("CHANWIZ_RETRY_DELAY_MS", support::RETRY_DELAY_MS)
            .env_remove("CHANWIZ_BACKEND")
            .env_remove("CHANWIZ_TOKEN")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    // a command while the wizard runs, on the same file
    run(&["submit", "assets/examples/telegram-channel.json"]);
    // `serve --demo` on the file replaces the demo token, never the local one
    drop(support::serve::HomeServer::start(pane.home(), &["--demo"]));
    pane.keys(&["r"]);
    let screen = pane.wait_for(&["Channels on the backend", "Telegram_Support"]);
    assert!(screen.contains("online") && !screen.contains("401"), "{screen}");
    pane.keys(&["q"]);
    assert!(pane.wait_exit().contains("WIZARD-EXIT:0"));
}

#[test]
fn ctrl_l_repaints_a_screen_something_else_wrote_on() {
    let pane = Pane::new("repaint");
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    // another program writes over the wizard's screen (as a stray write to
    // the terminal, or a cluster the terminal draws wider than announced)
    let tty = pane.format("#{pane_tty}");
    std::fs::write(&tty, "\x1b[5;1HGARBAGE-OVER-THE-FORM\x1b[12;30HMORE-GARBAGE").unwrap();
    pane.wait_for(&["GARBAGE-OVER-THE-FORM", "MORE-GARBAGE"]);
    pane.keys(&["C-l"]);
    let screen = pane.wait_until("the garbage gone", |s| !s.contains("GARBAGE"));
    assert!(screen.contains("no drafts yet"), "{screen}");
    pane.keys(&["C-q"]);
    pane.wait_exit();
}

#[test]
fn a_paste_a_key_field_cannot_take_whole_is_refused_whole() {
    let pane = Pane::new("paste");
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.type_text("ak1");
    pane.wait_draft("the key typed", |d| d.document.channel_info.app_key == "ak1");
    // an inner space and a tab: nothing of it goes in, and it says why
    pane.paste(" aicc key\twith tab ");
    let screen = pane.wait_for(&["not", "taken"]);
    assert!(screen.contains("APP Key is unchanged") && screen.contains("space, tab"), "{screen}");
    assert!(focused_row(&screen).is_some_and(|r| r.contains("ak1") && !r.contains("aicc")), "{screen}");
    // surrounding whitespace is no part of a value (the spec trims it)
    pane.keys(&["C-u"]);
    pane.paste("  ak-good\t ");
    pane.wait_draft("the trimmed paste", |d| d.document.channel_info.app_key == "ak-good");
    // the message goes when the focus leaves the field
    pane.keys(&["Tab"]);
    pane.wait_until("the message gone", |s| !s.contains("taken"));
    // a secret longer than the rule allows is refused whole, not cut
    pane.wait_focus("APP Secret");
    pane.paste(&"s".repeat(300));
    let screen = pane.wait_for(&["not", "taken"]);
    assert!(screen.contains("at most 256"), "{screen}");
    pane.keys(&["C-s"]);
    pane.wait_draft("the draft saved without a cut secret", |d| d.document.channel_info.app_key == "ak-good");
    let secret = pane.drafts()[0].document.channel_info.app_secret.clone();
    assert!(secret.as_deref().unwrap_or("").is_empty(), "a cut secret was kept: {secret:?}");
    pane.keys(&["C-q"]);
    pane.wait_exit();
}

#[test]
fn a_terminal_without_utf8_gets_ascii_only() {
    for (args, env) in [(vec!["--offline", "--ascii"], None), (vec!["--offline"], Some("en_US.ISO-8859-1"))] {
        let mut pane = Pane::new("ascii");
        if let Some(lang) = env {
            pane.env.push(("LC_ALL".into(), lang.into()));
        }
        pane.start(&args);
        pane.wait_for(&["no", "drafts", "yet"]);
        pane.keys(&["n"]);
        let screen = pane.wait_until("the form drawn", |s| s.contains("> APP Key"));
        assert!(screen.is_ascii(), "{args:?} {env:?}: only ASCII is drawn:\n{screen}");
        assert!(screen.contains("Channel info x"), "the error counts still marked: {screen}");
        pane.keys(&["C-q"]);
        let s = pane.wait_until("quit or its question", |s| s.contains("WIZARD-EXIT") || s.contains("save and quit"));
        if !s.contains("WIZARD-EXIT") {
            pane.keys(&["d"]);
        }
        pane.wait_exit();
    }
}

#[test]
fn on_a_tenant_without_certificates_the_trust_picker_says_so_and_imports_a_file_by_path() {
    let server = Server::start(&[]);
    let token = chanwiz::server::auth::add_tenant(&server.dir.path().join("server.db"), "fresh").unwrap();
    let mut pane = Pane::new("certimport");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["gw.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Fresh Gateway");
    let cert = params.self_signed(&key).unwrap();
    let file = pane.home().join("gw.pem");
    std::fs::write(&file, cert.pem()).unwrap();
    let path = file.to_str().unwrap().to_string();
    pane.backend = Some((server.url.clone(), token.clone()));
    pane.start(&[]);
    pane.wait_for(&["online"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    for next in ["APP Secret", "Keep secret", "BaseUrl", "Trust certificate"] {
        pane.keys(&["Tab"]);
        pane.wait_focus(next);
    }
    pane.keys(&["Enter"]);
    pane.wait_for(&["No trust certificate has been uploaded", "press Enter to import it", "file:"]);

    // a path that is not there: refused out loud, the typed path kept
    pane.type_text(&format!("{path}x"));
    pane.wait_for(&[&format!("{path}x")]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["Certificate not imported", "gw.pemx"]);
    pane.keys(&["BSpace"]);
    pane.wait_until("the path without its last letter", |s| s.contains(&path) && !s.contains(&format!("{path}x")));
    pane.keys(&["Enter"]);
    let draft = pane
        .wait_draft("the trust certificate chosen", |d| d.document.channel_info.trust_certificate.starts_with("cert-"));
    pane.wait_for(&["Imported trust certificate 'gw'"]);
    let id = draft.document.channel_info.trust_certificate;
    // the field names it, and the tenant now lists it as a trust certificate
    pane.wait_until("the field showing the certificate", |s| {
        focused_row(s).is_some_and(|r| r.contains("gw")) || s.contains("Identity")
    });
    let rows = certs_listed(&pane, &server.url, &token);
    assert_eq!(rows.as_array().unwrap().len(), 1, "{rows}");
    assert_eq!((rows[0]["id"].as_str(), rows[0]["role"].as_str()), (Some(id.as_str()), Some("trust")));
    assert!(rows[0]["subject"].as_str().unwrap().contains("Fresh Gateway"));
}

/// `chanwiz certs list --json` of the tenant `token` on the backend `url`.
fn certs_listed(pane: &Pane, url: &str, token: &str) -> Value {
    let out = Command::new(BIN)
        .env("CHANWIZ_HOME", pane.home())
        .env("CHANWIZ_BACKEND", url)
        .env("CHANWIZ_TOKEN", token)
        .args(["certs", "list", "--json"])
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_empty_trust_picker_fetches_the_certificate_of_the_baseurl_typed_shows_it_and_imports_it() {
    use std::sync::Arc;
    let server = Server::start(&[]);
    let token = chanwiz::server::auth::add_tenant(&server.dir.path().join("server.db"), "fresh").unwrap();
    // the "API Fabric": a TLS listener presenting a certificate nothing trusts
    let _ = rustls::crypto::ring::default_provider().install_default();
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["fabric.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Fabric Frontend");
    let cert = params.self_signed(&key).unwrap();
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], rustls_pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()))
        .unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base_url = format!("https://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut sock, _) = listener.accept().unwrap();
        let mut conn = rustls::ServerConnection::new(Arc::new(config)).unwrap();
        while conn.is_handshaking() && conn.complete_io(&mut sock).is_ok() {}
        let _ = conn.complete_io(&mut sock);
    });
    use sha2::Digest;
    let fingerprint: Vec<String> = sha2::Sha256::digest(cert.der()).iter().map(|b| format!("{b:02X}")).collect();

    let mut pane = Pane::new("certfetch");
    pane.backend = Some((server.url.clone(), token.clone()));
    pane.start(&[]);
    pane.wait_for(&["online"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    for next in ["APP Secret", "Keep secret", "BaseUrl"] {
        pane.keys(&["Tab"]);
        pane.wait_focus(next);
    }
    pane.type_text(&base_url);
    pane.keys(&["Tab"]);
    pane.wait_focus("Trust certificate");
    pane.keys(&["Enter"]);
    pane.wait_for(&["No trust certificate has been uploaded", "with no path to fetch it from", &base_url]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["NOT verified", "CN=Fabric Frontend", &fingerprint[..8].join(":"), "y imports it"]);
    // a hurried Enter (or Space, Tab) does not take an unchecked certificate
    pane.keys(&["Enter", "Tab", "Enter"]);
    pane.wait_for(&["Press y to import it"]);
    let rows = certs_listed(&pane, &server.url, &token);
    assert_eq!(rows.as_array().unwrap().len(), 0, "Enter imported a certificate nobody checked: {rows}");
    pane.type_text("y");
    let draft = pane.wait_draft("the fetched certificate chosen", |d| {
        d.document.channel_info.trust_certificate.starts_with("cert-")
    });
    pane.wait_for(&["Imported trust certificate"]);
    let rows = certs_listed(&pane, &server.url, &token);
    assert_eq!(rows[0]["id"].as_str(), Some(draft.document.channel_info.trust_certificate.as_str()), "{rows}");
    assert!(rows[0]["subject"].as_str().unwrap().contains("Fabric Frontend"), "{rows}");
}

/// Admins back out with Esc, pressed as often as it takes: from a wizard step
/// to home, and on home Esc does nothing more; q quits.
#[test]
fn esc_pressed_again_and_again_backs_out_to_home_and_never_quits() {
    let pane = Pane::new("esc-thrice");
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.type_text("ak-esc");
    pane.keys(&["Escape"]);
    pane.wait_for(&["Drafts", "(unnamed)"]);
    pane.keys(&["Escape"]);
    pane.keys(&["Escape"]);
    // still running, still on home: n opens a wizard again
    pane.keys(&["n"]);
    pane.wait_focus("APP Key");
    pane.keys(&["Escape"]);
    pane.wait_for(&["Drafts"]);
    pane.keys(&["q"]);
    let end = pane.wait_exit();
    assert!(end.contains("WIZARD-EXIT:0"), "{end}");
}
