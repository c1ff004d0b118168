//! AICC's Follow-up Procedure in the wizard, as a user does it: the channel
//! list (paged from a real `chanwiz serve` holding many channels), a filter,
//! three channels selected, exported, the task followed to Success,
//! downloaded and its records checked; a channel deleted after typing its
//! name.

#![cfg(feature = "server")]

mod support;

use std::io::Read;

use support::serve::Server;
use support::tmux::*;

#[test]
fn filter_select_three_export_download_and_delete_from_the_channels_screen() {
    let server = Server::start(&["--seed-channels", "10000"]);
    let mut pane = Pane::new("channels");
    pane.backend = Some((server.url.clone(), server.token.clone()));
    let out = tempfile::tempdir().unwrap();
    pane.start(&[]);
    pane.wait_for(&["online"]);
    pane.keys(&["c"]);
    // the home screen names the channels too: wait for the rows of the Channels screen
    let screen = pane.wait_for(&["Channels", "10,000", "channels", "[ ]"]);
    assert!(screen.contains("[ ]"), "{screen}");
    // the last page, fetched when it comes into view
    pane.keys(&["End"]);
    pane.wait_until("the last channel", |s| focused_row(s).is_some_and(|r| r.contains("0010000")));
    pane.keys(&["Home"]);
    // a filter: the backend answers after a pause in typing
    pane.keys(&["/"]);
    pane.type_text("000123");
    pane.wait_for(&["Channels", "11", "channels", "filter", "/000123"]);
    pane.keys(&["Enter"]);
    pane.wait_for(&["Enter", "edit"]);
    pane.keys(&["Space", "Space", "Space"]);
    pane.wait_for(&["3", "selected"]);
    pane.keys(&["e"]);
    pane.wait_for(&["Export", "the", "3", "selected"]);
    pane.keys(&["y"]);
    pane.wait_for(&["done, 3 records in 1 file", "Download"]);
    pane.keys(&["C-u"]);
    pane.type_text(out.path().to_str().unwrap());
    pane.keys(&["Enter"]);
    pane.wait_for(&["downloaded", "to"]);
    // the zip holds the three selected channels, once each
    let zip_path = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|x| x == "zip"));
    let zip_path = zip_path.expect("a zip in the folder typed");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let mut csv = String::new();
    for i in 0..zip.len() {
        zip.by_index(i).unwrap().read_to_string(&mut csv).unwrap();
    }
    let names: Vec<&str> = csv.lines().skip(1).filter_map(|l| l.split(',').find(|f| f.contains("Seed_"))).collect();
    assert_eq!(names.len(), 3, "{csv}");
    for n in ["0000123", "0001230", "0001231"] {
        assert!(names.iter().any(|x| x.contains(n)), "{n} in {names:?}");
    }
    // delete the channel under the cursor by typing its name
    let row = focused_row(&pane.screen()).unwrap().to_string();
    let name = row.split_whitespace().find(|w| w.starts_with("Seed_")).unwrap().to_string();
    pane.keys(&["d"]);
    pane.wait_for(&["Type", "its", "name"]);
    pane.type_text("wrong");
    pane.keys(&["Enter"]);
    pane.wait_for(&["type", "the", "channel's", "name", "exactly"]);
    pane.keys(&["C-u"]);
    pane.type_text(&name);
    pane.keys(&["Enter"]);
    pane.wait_for(&[&format!("channel {name} deleted"), "10 channels"]);
    let list = std::process::Command::new(BIN)
        .env("CHANWIZ_HOME", pane.home())
        .env("CHANWIZ_BACKEND", &server.url)
        .env("CHANWIZ_TOKEN", &server.token)
        .args(["channels", "show", &name])
        .output()
        .unwrap();
    assert!(!list.status.success(), "{name} is gone: {}\n{}", String::from_utf8_lossy(&list.stdout), pane.screen());
    // the zip imported back as drafts, from home
    pane.keys(&["Escape"]);
    pane.wait_for(&["Drafts", "I", "import"]);
    pane.keys(&["I"]);
    pane.wait_for(&["Import", "drafts", "Path"]);
    pane.type_text(zip_path.to_str().unwrap());
    pane.keys(&["Enter"]);
    pane.wait_for(&["imported", "3", "draft(s)"]);
    let drafts = pane.drafts();
    let mut names: Vec<String> = drafts.iter().map(|d| d.document.basic.channel_name.clone()).collect();
    names.sort();
    assert_eq!(names.len(), 3, "{names:?}");
    for (got, n) in names.iter().zip(["0000123", "0001230", "0001231"]) {
        assert!(got.ends_with(n), "{got} is {n}");
    }
}

/// The README's two commands and nothing else: no backend configured, the
/// CLI and the wizard share the local backend.
#[test]
fn with_no_backend_configured_the_cli_and_the_wizard_share_one_local_backend() {
    let pane = Pane::new("two-commands");
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(BIN)
            .env("CHANWIZ_HOME", pane.home())
            .env_remove("CHANWIZ_BACKEND")
            .env_remove("CHANWIZ_TOKEN")
            .env("CHANWIZ_RETRY_DELAY_MS", "1")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "chanwiz {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    cli(&["submit", "assets/examples/telegram-channel.json"]);
    pane.start(&[]);
    pane.wait_for(&["Telegram_Support", "online"]);
    pane.keys(&["c"]);
    pane.wait_for(&["Channels", "1 channel", "Telegram_Support"]);
    // and the export of it, from the CLI, while the wizard runs
    let dir = tempfile::tempdir().unwrap();
    let zip = cli(&["export", "-o", dir.path().to_str().unwrap()]);
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip.trim()).unwrap()).unwrap();
    let mut csv = String::new();
    archive.by_index(0).unwrap().read_to_string(&mut csv).unwrap();
    assert!(csv.contains("Telegram_Support"), "{csv}");
    pane.keys(&["q"]);
    pane.wait_exit();
}

#[test]
fn offline_the_channels_seen_last_are_shown_marked_cached() {
    let server = Server::start(&["--seed-channels", "30"]);
    let mut pane = Pane::new("channels-offline");
    pane.backend = Some((server.url.clone(), server.token.clone()));
    pane.start(&[]);
    pane.wait_for(&["online"]);
    pane.keys(&["c"]);
    pane.wait_for(&["Channels", "30", "channels", "Seed_"]);
    // the rows may be the home screen's: quit once the Channels screen's own
    // first page is in the cache (a loaded machine answers it later)
    let page_key = format!("\"key\":\"name||1|{}\"", chanwiz::tui::screens::channels::PER_PAGE);
    let cached = || {
        std::fs::read_dir(pane.home().join("cache")).into_iter().flatten().flatten().any(|e| {
            e.file_name().to_string_lossy().starts_with("channels-")
                && std::fs::read_to_string(e.path()).is_ok_and(|t| t.contains(&page_key))
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !cached() {
        assert!(std::time::Instant::now() < deadline, "the Channels screen's first page was never cached");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    pane.keys(&["q"]);
    pane.wait_exit();
    // the same backend configured, the wizard started --offline
    pane.start(&["--offline"]);
    pane.wait_for(&["offline"]);
    pane.keys(&["c"]);
    let screen = pane.wait_for(&["Channels", "30", "channels", "cached", "just now"]);
    assert!(screen.contains("Seed_"), "{screen}");
}

#[test]
fn importing_a_file_that_is_not_an_export_says_why_and_makes_nothing() {
    let pane = Pane::new("bad-import");
    let bad = pane.home().join("notes.csv");
    std::fs::write(&bad, "garbage\n1\n").unwrap();
    pane.start(&["--offline"]);
    pane.wait_for(&["no", "drafts", "yet"]);
    pane.keys(&["I"]);
    pane.wait_for(&["Import", "drafts", "Path"]);
    pane.type_text(bad.to_str().unwrap());
    pane.keys(&["Enter"]);
    pane.wait_for(&["not", "imported", "column", "'garbage'", "is", "not", "one"]);
    assert!(pane.drafts().is_empty());
}
