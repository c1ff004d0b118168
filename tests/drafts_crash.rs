//! SIGKILL a process in the middle of draft saves, many times over, then
//! load every draft: none may be unreadable. Runs without the test harness
//! so that the same binary can act as the saving child (`--child DIR`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use chanwiz::drafts::DraftStore;
use chanwiz::model::{ChannelDocument, parse_document};

const ROUNDS: u32 = 80;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--child") {
        child(Path::new(&args[i + 1]));
        return;
    }
    // Honour `cargo test <filter>` the way the harness would, roughly.
    let filters: Vec<&String> = args.iter().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "sigkill_mid_save_loses_no_draft".contains(f.as_str())) {
        println!("test result: ok. 0 passed; 0 failed; 1 filtered out");
        return;
    }
    println!("running 1 test");
    sigkill_mid_save_loses_no_draft();
    println!("test sigkill_mid_save_loses_no_draft ... ok");
    println!();
    println!("test result: ok. 1 passed; 0 failed");
}

/// Save forever: rewrite the existing drafts with growing and shrinking
/// content, and add a new one now and then.
fn child(dir: &Path) {
    let store = DraftStore::open(dir).expect("open store");
    let base = parse_document(include_str!("../assets/examples/telegram-channel.json")).unwrap();
    let mut drafts: Vec<_> = store.list().expect("list").drafts;
    if drafts.is_empty() {
        drafts.push(store.create(base.clone(), true).expect("create"));
    }
    let mut n: usize = 0;
    let mut announced = false;
    let started = std::time::Instant::now();
    while started.elapsed() < Duration::from_secs(20) {
        n += 1;
        if n.is_multiple_of(7) && drafts.len() < 40 {
            drafts.push(store.create(base.clone(), n.is_multiple_of(2)).expect("create"));
        }
        let k = n % drafts.len();
        let d = &mut drafts[k];
        d.document.basic.channel_name = format!("ch_{}_{n}", std::process::id());
        d.document.basic.non_working_time_notification = "x".repeat((n * 37) % 500);
        d.document.basic.transfer_keywords = (0..(n % 20)).map(|i| format!("kw{i}")).collect();
        d.meta.field = Some(format!("basic.transfer_keywords[{}]", n % 20));
        store.save(d).expect("save");
        if !announced {
            // tell the parent saving has begun, so its kill lands mid-work
            use std::io::Write;
            let mut out = std::io::stdout();
            let _ = writeln!(out, "saving");
            let _ = out.flush();
            announced = true;
        }
    }
}

/// Kills the child if the parent fails before it does.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl std::ops::Deref for KillOnDrop {
    type Target = std::process::Child;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for KillOnDrop {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

fn sigkill_mid_save_loses_no_draft() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("drafts");
    let me = std::env::current_exe().unwrap();
    let mut names_seen = std::collections::HashSet::new();
    for round in 0..ROUNDS {
        let mut child = KillOnDrop(
            Command::new(&me).arg("--child").arg(&dir).stdout(Stdio::piped()).stderr(Stdio::inherit()).spawn().unwrap(),
        );
        // wait until it is saving, then vary the moment of death: 0..=30 ms in
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(child.stdout.take().unwrap()), &mut line).unwrap();
        assert_eq!(line.trim(), "saving", "round {round}: the child did not start saving");
        std::thread::sleep(Duration::from_millis(u64::from(round * 17 % 31)));
        child.kill().unwrap(); // SIGKILL
        let status = child.wait().unwrap();
        assert!(status.code().is_none(), "round {round}: the child died of something else: {status}");

        let store = DraftStore::open(&dir).unwrap();
        let listing = store.list().unwrap();
        let problems: Vec<String> = listing.problems.iter().map(|p| p.to_string()).collect();
        assert!(problems.is_empty(), "round {round}: unreadable drafts: {problems:#?}");
        for d in &listing.drafts {
            names_seen.insert(d.document.basic.channel_name.clone());
            let _: &ChannelDocument = &d.document;
        }
    }
    let store = DraftStore::open(&dir).unwrap();
    let listing = store.list().unwrap();
    assert!(listing.problems.is_empty());
    assert!(!listing.drafts.is_empty(), "the child saved nothing: the test proved nothing");
    assert!(
        names_seen.len() > ROUNDS as usize / 2,
        "too few saves observed ({}): the child barely ran",
        names_seen.len()
    );
}
