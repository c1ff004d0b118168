//! The accessible wizard (`chanwiz --accessible`, `TERM=dumb`) as a user
//! meets it: the built binary in a real pty (tmux), answered line by line,
//! against `chanwiz serve` on loopback (temporary SQLite) and the local Bot
//! API stand-in. Everything the wizard writes is recorded raw (tmux
//! pipe-pane) and must hold no escape sequence at all.
//!
//! Also: `chanwiz new --from FILE` opens a partial document on its first
//! field with an error and a complete one on Review; a bot webhook pointing
//! elsewhere is replaced only after a yes; `chanwiz DRAFT_ID` opens that
//! draft; a mistyped command is refused as such.

#![cfg(feature = "server")]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::serve::Server;
use support::telegram_standin::{TelegramStandIn, token};
use support::tmux::*;

use chanwiz::tui::form::{FieldId as F, IntegrationInputs, spec, spec_of};

/// The fields asked after the keywords (their toggles off), in order.
const AFTER_KEYWORDS: [F; 10] = [
    F::Workday,
    F::NonWorkday,
    F::Notification,
    F::LaEnabled,
    F::SeEnabled,
    F::StEnabled,
    F::TrEnabled,
    F::OmEnabled,
    F::RobotEnabled,
    F::AssistantEnabled,
];

/// A field's label as the wizard says it (one table for both front ends).
fn label(id: F) -> &'static str {
    match id {
        F::BotToken | F::PublicAddress | F::AllowedUpdates | F::DropPending => spec::<IntegrationInputs>(id).label,
        _ => spec_of(id).label,
    }
}

/// The prompt of a secret read without echo.
fn hidden(id: F) -> String {
    format!("{} (hidden as you type)", label(id))
}

const PUBLIC: &str = "https://93.184.216.34:8443";
const SECRET: &str = "Sk-line-secret-1";

/// A pane whose output is recorded raw into `raw` from its first byte: the
/// command waits for a go file, made once the recording runs.
struct Recorded {
    pane: Pane,
    raw: PathBuf,
    dir: tempfile::TempDir,
    starts: std::cell::Cell<usize>,
}

impl Recorded {
    fn new(name: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        Self { pane: Pane::new(name), raw: dir.path().join("raw.out"), dir, starts: Default::default() }
    }

    fn start(&self, args: &[&str]) {
        self.starts.set(self.starts.get() + 1);
        let go = self.dir.path().join(format!("go-{}", self.starts.get()));
        let go_q = sh_quote(go.to_str().unwrap());
        let line = format!("while [ ! -e {go_q} ]; do sleep 0.02; done; {}", self.pane.command_line(args));
        self.pane.start_line(line);
        let pipe = format!("cat >> {}", sh_quote(self.raw.to_str().unwrap()));
        self.pane.tmux(&["pipe-pane", "-t", "e2e", &pipe]);
        std::fs::write(&go, b"").unwrap();
    }

    /// Type a line and Enter.
    fn line(&self, text: &str) {
        if !text.is_empty() {
            self.pane.type_text(text);
        }
        self.pane.keys(&["Enter"]);
    }

    /// Everything written to the terminal so far.
    fn raw(&self) -> String {
        String::from_utf8_lossy(&std::fs::read(&self.raw).unwrap_or_default()).into_owned()
    }

    fn assert_plain(&self) {
        let raw = self.raw();
        assert!(!raw.is_empty(), "nothing was recorded");
        assert!(!raw.contains('\u{1b}'), "an escape sequence was written:\n{raw:?}");
    }
}

/// The last screen line that starts with `prefix`.
fn last_line<'a>(screen: &'a str, prefix: &str) -> Option<&'a str> {
    screen.lines().rev().find(|l| l.starts_with(prefix))
}

/// Wait until the prompt for `label` is the last thing on the screen.
fn wait_prompt(pane: &Pane, label: &str) -> String {
    pane.wait_until(&format!("the prompt {label}>"), |s| {
        s.lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.starts_with(label) && l.trim_end().ends_with('>'))
    })
}

fn cli(home: &Path, server: &Server, args: &[&str]) -> support::Out {
    Command::new(BIN)
        .env("CHANWIZ_HOME", home)
        .env("CHANWIZ_BACKEND", &server.url)
        .env("CHANWIZ_TOKEN", &server.token)
        .args(args)
        .output()
        .unwrap()
        .into()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_channel_is_answered_line_by_line_resumed_after_quitting_submitted_and_its_bot_connected() {
    let standin = TelegramStandIn::start().await;
    let bot_token = token(7101);
    standin.add_bot(&bot_token, "Line_Support_bot", "Line Support");
    let server = Server::start(&["--telegram-api", &standin.base_url]);
    let mut r = Recorded::new("accessible");
    r.pane.backend = Some((server.url.clone(), server.token.clone()));
    r.pane.env.push(("CHANWIZ_TELEGRAM_API".into(), standin.base_url.clone()));

    tokio::task::block_in_place(|| {
        let p = &r.pane;
        r.start(&["--accessible"]);
        p.wait_for(&["online", "No drafts yet"]);
        wait_prompt(p, label(F::AppKey));
        r.line("AK_line_1");
        wait_prompt(p, &hidden(F::AppSecret));
        r.line(SECRET);
        wait_prompt(p, label(F::RememberSecret));
        assert!(!p.screen().contains(SECRET), "the secret was echoed:\n{}", p.screen());
        r.line("");
        wait_prompt(p, label(F::BaseUrl));
        // a bad answer: the error names the field and its rule, then the field again
        r.line("http://192.0.2.10:28090");
        let said = format!("error: {}:", label(F::BaseUrl));
        let s = p.wait_for(&[&said]);
        let error = last_line(&s, &said).unwrap();
        assert!(error.contains("https://") || s.contains("rule: text, at most 64 characters"), "{s}");
        wait_prompt(p, label(F::BaseUrl));
        // ? explains the field
        r.line("?");
        p.wait_for(&["In the channel document: channel_info.base_url"]);
        wait_prompt(p, label(F::BaseUrl));
        r.line("https://192.0.2.10:28090");
        // choices are numbered: by name, by number
        let s = wait_prompt(p, label(F::TrustCert));
        assert!(s.contains("1. API Fabric trust certificate · cert-trust-1"), "{s}");
        r.line("cert-trust-1");
        wait_prompt(p, label(F::IdentityCert));
        r.line("1");
        p.wait_for(&["Step 2 of 4: Basic configuration"]);
        wait_prompt(p, label(F::ChannelName));
        r.line("Line_Support");
        wait_prompt(p, label(F::Ou));
        // quit midway: the answers are in the draft, and how to resume is said
        r.line("q");
        let s = p.wait_exit();
        assert!(s.contains("WIZARD-EXIT:0") && s.contains("Resume with: chanwiz --accessible"), "{s}");
    });
    let drafts = r.pane.drafts();
    assert_eq!(drafts.len(), 1);
    let d = &drafts[0];
    assert_eq!(d.document.channel_info.app_key, "AK_line_1");
    assert_eq!(d.document.channel_info.base_url, "https://192.0.2.10:28090");
    assert_eq!(d.document.channel_info.identity_certificate, "cert-id-1");
    assert_eq!(d.document.basic.channel_name, "Line_Support");
    assert_eq!(d.meta.field.as_deref(), Some("basic.ou"));

    tokio::task::block_in_place(|| {
        let p = &r.pane;
        // resume from the list of drafts, at the field it was left on
        r.start(&["--accessible"]);
        p.wait_for(&["1 draft:", "1. Line_Support, step 2 of 4"]);
        r.line("1");
        wait_prompt(p, label(F::Ou));
        r.line("ou-2");
        wait_prompt(p, label(F::SkillQueue));
        r.line("Telegram Support");
        wait_prompt(p, label(F::Keywords));
        r.line("agent");
        r.line("human");
        r.line("");
        // Enter keeps every remaining value
        for f in AFTER_KEYWORDS {
            wait_prompt(p, label(f));
            r.line("");
        }
        // the secret was not kept in the draft: Review says so and leads to it
        let s = p.wait_for(&["1 error:", &format!("1. {}:", label(F::AppSecret))]);
        wait_prompt(p, "Review");
        assert!(r.raw().contains("Step 4 of 4: Review."), "{s}");
        assert!(s.contains(&format!("{}: agent, human", label(F::Keywords))), "{s}");
        r.line("s");
        p.wait_for(&["Submit refused: 1 error remains"]);
        r.line("1");
        wait_prompt(p, &hidden(F::AppSecret));
        r.line(SECRET);
        // back to the review, through the fields after it
        for f in [F::RememberSecret, F::BaseUrl, F::TrustCert, F::IdentityCert] {
            wait_prompt(p, label(f));
            r.line("");
        }
        for f in [F::ChannelName, F::Ou, F::SkillQueue, F::Keywords].into_iter().chain(AFTER_KEYWORDS) {
            wait_prompt(p, label(f));
            r.line("");
        }
        p.wait_for(&["No errors: ready to submit."]);
        wait_prompt(p, "Review");
        r.line("s");
        // asked once, naming the channel and the backend; Enter sends nothing
        let s = wait_prompt(p, "Create it? yes or no");
        assert!(s.contains("Create channel Line_Support on the backend http://127.0.0.1:"), "{s}");
        r.line("");
        p.wait_for(&["Not sent: back to Review."]);
        wait_prompt(p, "Review");
        r.line("s");
        wait_prompt(p, "Create it? yes or no");
        r.line("y");
        p.wait_for(&["Done: channel Line_Support is saved on the backend", "integration URL"]);
        // the Integration steps as prompts
        wait_prompt(p, &hidden(F::BotToken));
        r.line(&bot_token);
        wait_prompt(p, label(F::PublicAddress));
        r.line(PUBLIC);
        wait_prompt(p, label(F::AllowedUpdates));
        r.line("");
        wait_prompt(p, label(F::DropPending));
        r.line("");
        let s = p.wait_for(&["Done: webhook registered for @Line_Support_bot"]);
        assert!(!s.contains(&bot_token), "the bot token was shown:\n{s}");
        let s = p.wait_exit();
        assert!(s.contains("WIZARD-EXIT:0"), "{s}");
    });
    r.assert_plain();
    let raw = r.raw();
    assert!(!raw.contains(SECRET) && !raw.contains(&bot_token), "a secret reached the terminal");

    // the backend has the channel with what was typed, and Telegram the webhook
    let out = cli(r.pane.home(), &server, &["channels", "show", "Line_Support", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let channel: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let doc = &channel["document"];
    assert_eq!(doc["basic"]["ou"], "ou-2");
    assert_eq!(doc["basic"]["skill_queue"], "sq-2");
    assert_eq!(doc["basic"]["transfer_keywords"], serde_json::json!(["agent", "human"]));
    assert_eq!(channel["has_app_secret"], true);
    let sets = standin.requests_for("setWebhook");
    assert_eq!(sets.len(), 1);
    let id = channel["id"].as_str().unwrap();
    assert_eq!(sets[0].arg("url").unwrap(), format!("{PUBLIC}/apiaccess/telegram/message/{id}"));
    // the draft has served its purpose
    assert!(r.pane.drafts().is_empty());

    // the channel is offered to edit; an answer makes the edit's draft
    tokio::task::block_in_place(|| {
        let p = &r.pane;
        r.start(&["--accessible"]);
        p.wait_for(&["Channels on the backend", "c1. Line_Support (version 1"]);
        r.line("c1");
        let s = wait_prompt(p, label(F::AppKey));
        assert!(s.contains("current: AK_line_1"), "{s}");
        r.line("AK_line_2");
        wait_prompt(p, label(F::AppSecret));
        r.line("q");
        p.wait_exit();
    });
    let drafts = r.pane.drafts();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].meta.channel_id.as_deref(), Some(id));
    assert_eq!(drafts[0].document.channel_info.app_key, "AK_line_2");
    r.assert_plain();
}

#[test]
fn term_dumb_picks_the_accessible_mode_and_a_draft_id_opens_that_draft() {
    let mut r = Recorded::new("dumb");
    r.pane.env.push(("TERM".into(), "dumb".into()));
    r.start(&["--offline"]);
    let p = &r.pane;
    p.wait_for(&["Offline (--offline)", "No drafts yet"]);
    wait_prompt(p, label(F::AppKey));
    r.line("AK_dumb");
    wait_prompt(p, label(F::AppSecret));
    r.line("q");
    p.wait_exit();
    let id = p.drafts()[0].meta.id.clone();

    // `chanwiz DRAFT_ID` (a prefix will do): that draft, where it was left
    r.start(&["--offline", &id[..6]]);
    wait_prompt(p, label(F::AppSecret));
    r.line("<");
    let s = wait_prompt(p, label(F::AppKey));
    assert!(s.contains("current: AK_dumb"), "{s}");
    r.line("q");
    p.wait_exit();
    r.assert_plain();

    // a word that is neither a draft nor a command
    let out: support::Out =
        Command::new(BIN).env("CHANWIZ_HOME", p.home()).args(["chanels", "list"]).output().unwrap().into();
    assert_eq!(out.code, Some(2));
    assert!(
        out.stderr.contains("no draft or command named 'chanels' (did you mean `chanwiz channels`?)"),
        "{}",
        out.stderr
    );
    let out: support::Out = Command::new(BIN).env("CHANWIZ_HOME", p.home()).args(["0123abcd"]).output().unwrap().into();
    assert_eq!(out.code, Some(2));
    assert!(out.stderr.contains("no draft or command named '0123abcd'"), "{}", out.stderr);
}

#[test]
fn new_from_a_partial_file_opens_on_its_first_field_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("answers.json");
    std::fs::write(
        &file,
        r#"{"channel_info": {"app_key": "AK_file", "base_url": "https://192.0.2.10:28090"},
            "basic": {"channel_name": "From_File"}}"#,
    )
    .unwrap();
    // the full-screen wizard: on the APP Secret, the first field the file lacks
    let pane = Pane::new("from");
    pane.start(&["new", "--offline", "--from", file.to_str().unwrap()]);
    pane.wait_for(&["Step", "1/4"]);
    pane.wait_focus(label(F::AppSecret));
    pane.keys(&["C-q"]);
    pane.wait_exit();
    // nothing typed, nothing made: the file is still there
    assert!(pane.drafts().is_empty());

    // the accessible one alike, and an answer saves the draft with the file's values
    let r = Recorded::new("from-accessible");
    r.start(&["--accessible", "new", "--offline", "--from", file.to_str().unwrap()]);
    let s = wait_prompt(&r.pane, label(F::AppSecret));
    assert!(!s.contains(&format!("{}>", label(F::AppKey))), "it did not start on the first wrong field:\n{s}");
    r.line("Sk-from-file");
    wait_prompt(&r.pane, label(F::RememberSecret));
    r.line("q");
    r.pane.wait_exit();
    r.assert_plain();
    let drafts = r.pane.drafts();
    assert_eq!(drafts.len(), 1);
    assert_eq!(drafts[0].document.channel_info.app_key, "AK_file");
    assert_eq!(drafts[0].document.basic.channel_name, "From_File");

    // `chanwiz DRAFT_ID` in the full-screen wizard: where it was left
    let p = &r.pane;
    p.start(&["--offline", &drafts[0].meta.id]);
    p.wait_for(&["Step", "1/4"]);
    p.wait_focus(label(F::RememberSecret));
    p.keys(&["C-q"]);
    p.wait_exit();

    // a file that is not a document is refused before anything is drawn
    std::fs::write(&file, "{\"basic\": {\"nope\": 1}}").unwrap();
    let out: support::Out = Command::new(BIN)
        .env("CHANWIZ_HOME", r.pane.home())
        .args(["new", "--offline", "--from", file.to_str().unwrap()])
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains("--from") && out.stderr.contains("answers.json") && out.stderr.contains("nope"),
        "{}",
        out.stderr
    );
    // a file that is not there: the flag and the path named
    let out: support::Out = Command::new(BIN)
        .env("CHANWIZ_HOME", r.pane.home())
        .args(["new", "--offline", "--from", "/no/such/answers.json"])
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("--from /no/such/answers.json: No such file"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 3)]
async fn a_complete_file_opens_on_review_and_a_webhook_elsewhere_is_replaced_only_after_yes() {
    let standin = TelegramStandIn::start().await;
    let bot_token = token(7102);
    let elsewhere = "https://93.184.216.34:443/someone-else";
    standin.add_bot(&bot_token, "File_Support_bot", "File Support");
    standin.set_existing_webhook(&bot_token, elsewhere, 3);
    let server = Server::start(&["--telegram-api", &standin.base_url]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("channel.json");
    std::fs::write(&file, serde_json::to_vec(&support::named("File_Support")).unwrap()).unwrap();
    let mut r = Recorded::new("review-replace");
    r.pane.backend = Some((server.url.clone(), server.token.clone()));
    r.pane.env.push(("CHANWIZ_TELEGRAM_API".into(), standin.base_url.clone()));

    tokio::task::block_in_place(|| {
        let p = &r.pane;
        r.start(&["--accessible", "new", "--from", file.to_str().unwrap()]);
        p.wait_for(&["No errors: ready to submit."]);
        wait_prompt(p, "Review");
        r.line("s");
        wait_prompt(p, "Create it? yes or no");
        r.line("y");
        p.wait_for(&["Done: channel File_Support is saved on the backend"]);
        wait_prompt(p, &hidden(F::BotToken));
        r.line(&bot_token);
        wait_prompt(p, label(F::PublicAddress));
        r.line(PUBLIC);
        wait_prompt(p, label(F::AllowedUpdates));
        r.line("");
        wait_prompt(p, label(F::DropPending));
        r.line("");
        let s = p.wait_for(&["pointing elsewhere"]);
        assert!(s.contains("someone-else") && s.contains("nothing was changed"), "{s}");
        wait_prompt(p, "Replace that webhook? yes or no");
    });
    assert!(standin.requests_for("setWebhook").is_empty(), "nothing was set before the yes");
    assert_eq!(standin.webhook(&bot_token).url, elsewhere);
    tokio::task::block_in_place(|| {
        r.line("yes");
        r.pane.wait_for(&["Done: webhook registered for @File_Support_bot"]);
        r.pane.wait_exit();
    });
    assert!(standin.webhook(&bot_token).url.starts_with(&format!("{PUBLIC}/apiaccess/telegram/message/")));
    r.assert_plain();
}

#[test]
fn a_hang_up_or_sigterm_at_a_hidden_answer_gives_the_terminal_its_echo_back_and_keeps_the_answers() {
    for signal in ["TERM", "HUP"] {
        let r = Recorded::new("signal");
        r.start(&["--accessible", "--offline"]);
        let p = &r.pane;
        wait_prompt(p, label(F::AppKey));
        r.line("AK_signal");
        wait_prompt(p, &hidden(F::AppSecret));
        let tty = p.format("#{pane_tty}");
        let echo_off = |tty: &str| {
            let out = Command::new("stty").args(["-a", "-F", tty]).output().unwrap();
            String::from_utf8_lossy(&out.stdout).split_whitespace().any(|w| w == "-echo")
        };
        assert!(echo_off(&tty), "the hidden prompt turned echo off");
        let pid = p.wizard_pid();
        assert!(Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status().unwrap().success());
        p.wait_exit();
        assert!(!echo_off(&tty), "SIG{signal}: the terminal was left without echo");
        let drafts = p.drafts();
        assert_eq!(drafts[0].document.channel_info.app_key, "AK_signal", "SIG{signal}: the answer given is kept");
    }
}

#[test]
fn on_a_tenant_without_certificates_the_trust_certificate_question_imports_a_file_by_path() {
    let server = Server::start(&[]);
    let token = chanwiz::server::auth::add_tenant(&server.dir.path().join("server.db"), "fresh").unwrap();
    let r = Recorded::new("acccert");
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["gw.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Fresh Gateway");
    let file = r.pane.home().join("gw.pem");
    std::fs::write(&file, params.self_signed(&key).unwrap().pem()).unwrap();
    let mut r = r;
    r.pane.backend = Some((server.url.clone(), token));
    let p = &r.pane;
    r.start(&["--accessible"]);
    p.wait_for(&["online", "No drafts yet"]);
    wait_prompt(p, label(F::AppKey));
    r.line("AK_cert_1");
    wait_prompt(p, &hidden(F::AppSecret));
    r.line(SECRET);
    wait_prompt(p, label(F::RememberSecret));
    r.line("");
    wait_prompt(p, label(F::BaseUrl));
    r.line("https://192.0.2.10:28090");
    p.wait_for(&["No trust certificate is uploaded to this tenant: type the path of its file"]);
    wait_prompt(p, label(F::TrustCert));
    r.line(file.to_str().unwrap());
    p.wait_for(&["Imported trust certificate 'gw' (cert-", "chosen for Trust"]);
    wait_prompt(p, label(F::IdentityCert));
    p.wait_for(&["No identity certificate is uploaded"]);
    let draft = p
        .wait_draft("the trust certificate chosen", |d| d.document.channel_info.trust_certificate.starts_with("cert-"));
    assert!(draft.document.channel_info.identity_certificate.is_empty());
    r.assert_plain();
}
