//! The draft store as a user relies on it: nothing lost, secrets kept out of
//! files unless asked, bad files moved aside without hiding the good ones.

use std::fs;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};

use chanwiz::drafts::{DraftError, DraftStore};
use chanwiz::model::{ChannelDocument, parse_document};

fn example() -> ChannelDocument {
    parse_document(include_str!("../assets/examples/telegram-channel.json")).unwrap()
}

fn store() -> (tempfile::TempDir, DraftStore) {
    let root = tempfile::tempdir().unwrap();
    let store = DraftStore::open(&root.path().join("data/drafts")).unwrap();
    (root, store)
}

#[test]
fn a_saved_draft_loads_back_with_its_place() {
    let (_root, store) = store();
    let mut draft = store.create(example(), true).unwrap();
    draft.meta.step = 2;
    draft.meta.field = Some("basic.work_time.workday[1].end".into());
    draft.meta.channel_id = Some("ch-1".into());
    draft.meta.channel_version = Some(7);
    let before = draft.meta.updated;
    store.save(&mut draft).unwrap();
    assert!(draft.meta.updated >= before);
    let back = store.load(&draft.meta.id).unwrap();
    assert_eq!(back, draft);
}

#[test]
fn the_app_secret_stays_out_of_the_file_unless_remembered() {
    let (_root, store) = store();
    let forgetful = store.create(example(), false).unwrap();
    let text = fs::read_to_string(store.dir().join(format!("{}.json", forgetful.meta.id))).unwrap();
    assert!(!text.contains("Example-Secret"), "{text}");
    assert_eq!(store.load(&forgetful.meta.id).unwrap().document.channel_info.app_secret, None);
    // the draft in memory keeps it for the session
    assert!(forgetful.document.channel_info.app_secret.is_some());

    let remembering = store.create(example(), true).unwrap();
    let back = store.load(&remembering.meta.id).unwrap();
    assert_eq!(back.document.channel_info.app_secret.as_deref(), Some("Example-Secret-Replace-Me-0123456789"));
}

#[test]
fn files_are_private() {
    let (root, store) = store();
    let d = store.create(example(), false).unwrap();
    let file = store.dir().join(format!("{}.json", d.meta.id));
    assert_eq!(fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    assert_eq!(fs::metadata(store.dir()).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(fs::metadata(root.path().join("data")).unwrap().permissions().mode() & 0o777, 0o700);
}

#[test]
fn a_corrupt_draft_is_moved_aside_and_the_rest_still_load() {
    let (_root, store) = store();
    let good = store.create(example(), false).unwrap();
    let other = store.create(ChannelDocument::default(), false).unwrap();
    let bad_id = "0123456789ab";
    let bad = store.dir().join(format!("{bad_id}.json"));
    fs::write(&bad, b"{\"draft\": {\"id\": \"0123").unwrap();
    let wrong_shape = store.dir().join("0123456789ac.json");
    fs::write(&wrong_shape, b"{\"draft\": 5, \"document\": {}}").unwrap();

    let listing = store.list().unwrap();
    let ids: Vec<&str> = listing.drafts.iter().map(|d| d.meta.id.as_str()).collect();
    assert_eq!(listing.drafts.len(), 2, "{ids:?}");
    assert!(ids.contains(&good.meta.id.as_str()) && ids.contains(&other.meta.id.as_str()));
    assert_eq!(listing.problems.len(), 2);
    for p in &listing.problems {
        let DraftError::Corrupt { moved_to, .. } = &p.0 else { panic!("{p}") };
        assert!(moved_to.to_string_lossy().contains(".json.corrupt-"), "{}", moved_to.display());
        assert!(moved_to.exists(), "the bad file is kept, renamed");
        assert!(p.to_string().contains("moved aside to"), "{p}");
    }
    assert!(!bad.exists() && !wrong_shape.exists());
    // nothing was lost: the moved file holds the bytes it had
    let moved: Vec<_> = fs::read_dir(store.dir())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(bad_id))
        .collect();
    assert_eq!(fs::read(moved[0].path()).unwrap(), b"{\"draft\": {\"id\": \"0123");
    // and the next listing is quiet
    assert!(store.list().unwrap().problems.is_empty());
}

#[test]
fn a_draft_from_a_newer_chanwiz_is_refused_and_left_untouched() {
    let (_root, store) = store();
    let d = store.create(example(), false).unwrap();
    let file = store.dir().join(format!("{}.json", d.meta.id));
    let text = fs::read_to_string(&file)
        .unwrap()
        .replace("\"schema_version\": 1", "\"schema_version\": 2")
        .replace("\"channel_type\": \"telegram\"", "\"channel_type\": \"telegram\", \"future_field\": true");
    fs::write(&file, &text).unwrap();
    let err = store.load(&d.meta.id).unwrap_err();
    assert!(matches!(err, DraftError::TooNew { .. }), "{err}");
    assert!(err.to_string().contains("newer chanwiz"), "{err}");
    assert_eq!(fs::read_to_string(&file).unwrap(), text, "left untouched");
    let listing = store.list().unwrap();
    assert_eq!(listing.drafts.len(), 0);
    assert_eq!(listing.problems.len(), 1);
    assert!(file.exists());
}

#[test]
fn ids_resolve_by_unique_prefix_and_never_name_other_files() {
    let (_root, store) = store();
    let a = store.create(example(), false).unwrap();
    assert_eq!(store.resolve(&a.meta.id).unwrap(), a.meta.id);
    assert_eq!(store.resolve(&a.meta.id[..5]).unwrap(), a.meta.id);
    assert!(matches!(store.resolve("abc"), Err(DraftError::NotFound(_))), "too short");
    for evil in ["../../etc/passwd", "..", "/tmp/x", "0123456789ab/../x"] {
        assert!(matches!(store.resolve(evil), Err(DraftError::NotFound(_))), "{evil}");
        assert!(matches!(store.load(evil), Err(DraftError::NotFound(_))), "{evil}");
        assert!(matches!(store.remove(evil), Err(DraftError::NotFound(_))), "{evil}");
    }
    // two drafts sharing a prefix are ambiguous
    let dir = store.dir();
    let text = fs::read_to_string(dir.join(format!("{}.json", a.meta.id))).unwrap();
    for id in ["aaaa00000001", "aaaa00000002"] {
        fs::write(dir.join(format!("{id}.json")), text.replace(&a.meta.id, id)).unwrap();
    }
    assert!(matches!(store.resolve("aaaa"), Err(DraftError::Ambiguous(_))));
    assert_eq!(store.resolve("aaaa00000002").unwrap(), "aaaa00000002");
}

#[test]
fn removing_a_draft_deletes_its_file() {
    let (_root, store) = store();
    let a = store.create(example(), false).unwrap();
    store.remove(&a.meta.id).unwrap();
    assert!(matches!(store.load(&a.meta.id), Err(DraftError::NotFound(_))));
    assert!(matches!(store.remove(&a.meta.id), Err(DraftError::NotFound(_))));
}

#[test]
fn leftover_temporary_files_are_not_drafts() {
    let (_root, store) = store();
    store.create(example(), false).unwrap();
    fs::write(store.dir().join(".tmp-0123456789ab.json-deadbeef"), b"{\"half").unwrap();
    let listing = store.list().unwrap();
    assert_eq!(listing.drafts.len(), 1);
    assert!(listing.problems.is_empty());
}

#[test]
fn drafts_list_newest_first() {
    let (_root, store) = store();
    let mut a = store.create(example(), false).unwrap();
    let b = store.create(example(), false).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    store.save(&mut a).unwrap();
    let ids: Vec<String> = store.list().unwrap().drafts.into_iter().map(|d| d.meta.id).collect();
    assert_eq!(ids, vec![a.meta.id, b.meta.id]);
}

/// Make every draft file look written an hour ago (the index trusts only
/// files clearly older than itself).
fn age_files(store: &DraftStore) {
    let past = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for e in fs::read_dir(store.dir()).unwrap().flatten() {
        if e.file_name() != chanwiz::drafts::INDEX_FILE {
            fs::File::options().write(true).open(e.path()).unwrap().set_modified(past).unwrap();
        }
    }
}

/// The index's header line and its entries (JSON Lines).
fn index_json(store: &DraftStore) -> (serde_json::Value, Vec<serde_json::Value>) {
    let text = fs::read_to_string(store.dir().join(chanwiz::drafts::INDEX_FILE)).unwrap();
    let mut lines = text.lines().map(|l| serde_json::from_str(l).unwrap());
    let header = lines.next().unwrap();
    (header, lines.collect())
}

fn write_index(store: &DraftStore, header: &serde_json::Value, entries: &[serde_json::Value]) {
    let mut text = format!("{header}\n");
    for e in entries {
        text.push_str(&format!("{e}\n"));
    }
    fs::write(store.dir().join(chanwiz::drafts::INDEX_FILE), text).unwrap();
}

fn index_names(store: &DraftStore) -> Vec<String> {
    let mut names: Vec<String> =
        index_json(store).1.iter().map(|e| e["row"]["name"].as_str().unwrap().to_string()).collect();
    names.sort();
    names
}

fn named(name: &str) -> ChannelDocument {
    let mut d = example();
    d.basic.channel_name = name.into();
    d
}

fn row_names(store: &DraftStore) -> Vec<String> {
    let (rows, problems) = store.rows().unwrap();
    assert!(problems.is_empty(), "{problems:?}");
    rows.into_iter().map(|r| r.name).collect()
}

#[test]
fn the_index_follows_every_save_and_remove() {
    let (_root, store) = store();
    let a = store.create(named("A"), false).unwrap();
    let mut b = store.create(named("B"), true).unwrap();
    assert_eq!(row_names(&store), ["B", "A"], "newest first");
    let (rows, _) = store.rows().unwrap();
    assert_eq!((rows[0].errors, rows[1].errors), (0, 1), "A's secret is not stored: one error");
    // saves and removes change the index without a listing in between
    b.document.basic.channel_name = "B2".into();
    store.save(&mut b).unwrap();
    let c = store.create(named("C"), true).unwrap();
    assert_eq!(index_names(&store), ["A", "B2", "C"]);
    store.remove(&a.meta.id).unwrap();
    assert_eq!(index_names(&store), ["B2", "C"]);
    let (made, result) = store.create_all([named("D"), named("E")], false);
    result.unwrap();
    assert_eq!(made.len(), 2);
    assert_eq!(index_names(&store), ["B2", "C", "D", "E"]);
    assert_eq!(row_names(&store), ["E", "D", "C", "B2"]);
    let (rows, _) = store.rows().unwrap();
    assert_eq!(rows.iter().find(|r| r.id == c.meta.id).unwrap().step, 1);
}

#[test]
fn listing_trusts_the_index_for_unchanged_files_and_drafts_list_uses_it() {
    let root = tempfile::tempdir().unwrap();
    let store = DraftStore::open(&root.path().join("data/drafts")).unwrap();
    let a = store.create(named("A"), true).unwrap();
    store.create(named("B"), true).unwrap();
    age_files(&store);
    assert_eq!(row_names(&store), ["B", "A"]);
    // what the index says of an unchanged file is what is listed
    let (header, mut entries) = index_json(&store);
    for e in &mut entries {
        if e["row"]["id"] == a.meta.id.as_str() {
            e["row"]["name"] = "From_Index".into();
        }
    }
    write_index(&store, &header, &entries);
    assert_eq!(row_names(&store), ["B", "From_Index"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chanwiz"))
        .args(["drafts", "list", "--json"])
        .env("CHANWIZ_HOME", root.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("From_Index"), "{out:?}");
}

#[test]
fn a_draft_file_newer_than_the_index_wins() {
    let (_root, store) = store();
    let a = store.create(named("A"), true).unwrap();
    age_files(&store);
    assert_eq!(row_names(&store), ["A"]);
    // another program (or an older chanwiz) rewrites the file behind the index
    let file = store.dir().join(format!("{}.json", a.meta.id));
    let text = fs::read_to_string(&file).unwrap().replace("\"channel_name\": \"A\"", "\"channel_name\": \"Z\"");
    fs::write(&file, text).unwrap();
    assert_eq!(row_names(&store), ["Z"]);
    assert_eq!(index_names(&store), ["Z"], "the index is brought up to date");
    // a file the index never saw, and one that vanished
    let other = store.dir().join("0123456789ab.json");
    fs::write(&other, fs::read_to_string(&file).unwrap().replace(&a.meta.id, "0123456789ab")).unwrap();
    fs::remove_file(&file).unwrap();
    let (rows, _) = store.rows().unwrap();
    assert_eq!(rows.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), ["0123456789ab"]);
}

#[test]
fn a_missing_or_corrupt_index_is_rebuilt_from_the_files() {
    let (_root, store) = store();
    store.create(named("A"), true).unwrap();
    store.create(named("B"), true).unwrap();
    age_files(&store);
    let index = store.dir().join(chanwiz::drafts::INDEX_FILE);
    assert!(!index.exists(), "no listing yet");
    assert_eq!(row_names(&store), ["B", "A"]);
    assert_eq!(index_names(&store), ["A", "B"]);
    fs::remove_file(&index).unwrap();
    assert_eq!(row_names(&store), ["B", "A"]);
    assert_eq!(index_names(&store), ["A", "B"]);
    fs::write(&index, b"{\"version\": 1, \"drafts\": 2}\n{\"row\": 12").unwrap();
    assert_eq!(row_names(&store), ["B", "A"]);
    assert_eq!(index_names(&store), ["A", "B"]);
    // the first screenful comes from the index's first lines, newest first
    assert_eq!(store.first_rows(1).unwrap().iter().map(|r| r.name.as_str()).collect::<Vec<_>>(), ["B"]);
    // a corrupt draft is still moved aside and reported
    fs::write(store.dir().join("0123456789ab.json"), b"{oops").unwrap();
    let (rows, problems) = store.rows().unwrap();
    assert_eq!((rows.len(), problems.len()), (2, 1));
}

#[test]
fn a_draft_file_with_null_for_its_fields_loads_as_if_they_were_left_out() {
    let (_root, store) = store();
    let d = store.create(example(), false).unwrap();
    let file = store.dir().join(format!("{}.json", d.meta.id));
    let mut on_disk: serde_json::Value = serde_json::from_str(&fs::read_to_string(&file).unwrap()).unwrap();
    on_disk["document"] = serde_json::from_str(include_str!("support/every-field-null.json")).unwrap();
    fs::write(&file, on_disk.to_string()).unwrap();
    let loaded = store.load(&d.meta.id).unwrap();
    assert_eq!(loaded.document, ChannelDocument::default());

    let with_nulls = include_str!("support/example-with-nulls.json");
    on_disk["document"] = serde_json::from_str(with_nulls).unwrap();
    fs::write(&file, on_disk.to_string()).unwrap();
    let loaded = store.load(&d.meta.id).unwrap();
    let mut want = example();
    want.basic.non_working_time_notification.clear();
    want.basic.session_end_no_customer_reply.end_message.clear();
    want.basic.session_transfer_no_agent_reply = Default::default();
    want.basic.offline_messages.agent_outbound_time_limit_minutes = None;
    want.robot.robot_assistant = Default::default();
    assert_eq!(loaded.document, want);
    assert_eq!(store.list().unwrap().problems.len(), 0, "nothing moved aside");
}

/// `chanwiz drafts ARGS` with its home in `root`, killed (and the test
/// failed) if it has not ended by itself after a long while: a hang is
/// the failure being looked for.
fn drafts_cli(root: &std::path::Path, args: &[&str]) -> std::process::Output {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_chanwiz"))
        .arg("drafts")
        .args(args)
        .env("CHANWIZ_HOME", root)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!("chanwiz drafts {args:?} hung: {}", String::from_utf8_lossy(&out.stderr));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn drafts_show_and_list_json_print_no_control_characters_and_stay_json() {
    let root = tempfile::tempdir().unwrap();
    let store = DraftStore::open(&root.path().join("data/drafts")).unwrap();
    let mut doc = named("Bad\u{9b}31mName\u{1b}]0;title\u{7}");
    doc.basic.non_working_time_notification = "line one\nline\u{85} two\u{9b}".into();
    let d = store.create(doc, false).unwrap();
    for args in [vec!["show", d.meta.id.as_str(), "--json"], vec!["list", "--json"]] {
        let out = drafts_cli(root.path(), &args);
        assert!(out.status.success(), "{out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'), "{args:?} printed a control character: {text:?}");
        let value: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        assert!(value.to_string().contains("BadName"), "{value}");
    }
}

#[test]
fn drafts_list_skips_a_fifo_a_device_link_and_a_huge_file_without_reading_them() {
    let root = tempfile::tempdir().unwrap();
    let store = DraftStore::open(&root.path().join("data/drafts")).unwrap();
    let good = store.create(named("Still_Here"), false).unwrap();
    let fifo = store.dir().join("aaaaaaaaaaaa.json");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    std::os::unix::fs::symlink("/dev/zero", store.dir().join("bbbbbbbbbbbb.json")).unwrap();
    // a regular file far larger than any draft
    let big = store.dir().join("cccccccccccc.json");
    let f = fs::File::create(&big).unwrap();
    f.set_len(64 * 1024 * 1024).unwrap();
    drop(f);
    for args in [vec!["list"], vec!["list", "--json"]] {
        let out = drafts_cli(root.path(), &args);
        let (stdout, stderr) = (String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(stdout.contains("Still_Here") && stdout.contains(&good.meta.id), "{stdout}");
        for id in ["aaaaaaaaaaaa", "bbbbbbbbbbbb", "cccccccccccc"] {
            assert!(!stdout.contains(id), "{id} listed as a draft: {stdout}");
            assert!(stderr.contains(&format!("{id}.json")), "{id} not reported: {stderr}");
        }
    }
    // each is left where it was (nothing of the user's is moved or lost)
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(fs::metadata(&big).unwrap().len(), 64 * 1024 * 1024);
    let out = drafts_cli(root.path(), &["show", "aaaaaaaaaaaa"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a regular file"), "{stderr}");
    let out = drafts_cli(root.path(), &["show", "cccccccccccc"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && stderr.contains("at most"), "{stderr}");
}
