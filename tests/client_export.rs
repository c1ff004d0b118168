//! `chanwiz export` against the real backend: a task with progress, a zip
//! split into files of at most 2,000 records, every record exactly once, and
//! the 100,000-record limit.

mod support;

use std::collections::HashMap;
use std::io::Read;

use support::cli::*;

/// Every CSV in the zip: file name → the `id` column of its rows.
fn ids_per_file(zip_path: &std::path::Path) -> HashMap<String, Vec<String>> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(zip_path).unwrap()).unwrap();
    let mut out = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap_or_default();
        let mut text = String::new();
        f.read_to_string(&mut text).unwrap();
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let headers = rows.headers().unwrap().clone();
        let col = headers.iter().position(|h| h == "id").expect("an id column");
        let ids = rows.records().map(|r| r.unwrap().get(col).unwrap().to_string()).collect();
        out.insert(name, ids);
    }
    out
}

#[test]
fn exporting_4500_channels_gives_three_files_with_every_record_once() {
    let server = Server::start(&["--seed-channels", "4500"]);
    let cli = Cli::new(&server.url, &server.token);
    let out_dir = cli.home.path().join("exports");

    let out = cli.run(&["export", "-o", out_dir.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let zip_path = std::path::PathBuf::from(out.stdout.trim());
    assert!(zip_path.starts_with(&out_dir), "{}", out.stdout);
    assert!(zip_path.extension().is_some_and(|e| e == "zip"));
    // Not a terminal: plain progress lines, ending in success.
    assert!(out.stderr.lines().any(|l| l.contains("success") && l.contains("4500/4500")), "{}", out.stderr);
    assert!(!out.stderr.contains('\r'), "no bar redrawing off a terminal");

    let files = ids_per_file(&zip_path);
    assert_eq!(files.len(), 3, "{:?}", files.keys());
    assert!(files.values().all(|ids| ids.len() <= 2000));
    let mut exported: Vec<String> = files.into_values().flatten().collect();
    assert_eq!(exported.len(), 4500);
    exported.sort();
    let mut stored: Vec<String> =
        block_on(server.client().all_channels(None)).unwrap().into_iter().map(|c| c.id).collect();
    stored.sort();
    assert_eq!(exported, stored, "every channel exactly once");

    // A second export lands beside the first, never over it.
    let again = cli.run(&["export", "-o", out_dir.to_str().unwrap()]);
    assert_eq!(again.code, Some(0), "{}", again.all());
    assert_ne!(again.stdout.trim(), out.stdout.trim());
    assert!(zip_path.exists());
}

#[test]
fn selected_channels_are_exported_by_name_or_id() {
    let server = Server::start(&["--seed-channels", "5"]);
    let cli = Cli::new(&server.url, &server.token);
    let all = block_on(server.client().all_channels(None)).unwrap();
    let (a, b) = (&all[0], &all[3]);
    let out_dir = cli.home.path().join("x");
    let out = cli.run(&["export", &a.name, &b.id, "-o", out_dir.to_str().unwrap(), "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let result: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(result["records"], 2, "{result}");
    assert_eq!(result["files"][0]["records"], 2, "{result}");
    assert!(result["task"].as_str().is_some_and(|t| !t.is_empty()), "{result}");
    let files = ids_per_file(std::path::Path::new(result["path"].as_str().unwrap()));
    let mut ids: Vec<String> = files.into_values().flatten().collect();
    ids.sort();
    let mut want = vec![a.id.clone(), b.id.clone()];
    want.sort();
    assert_eq!(ids, want);

    // the old spelling still works, with a note
    let out = cli.run(&["export", "--channel", "Nobody_Here", "-o", out_dir.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("Nobody_Here") && out.stderr.contains("not found"), "{}", out.stderr);
    assert!(out.stderr.contains("`--channel NAME` is deprecated"), "{}", out.stderr);
}

#[test]
fn more_than_100000_records_are_refused() {
    let server = Server::start(&["--seed-channels", "100001"]);
    let cli = Cli::new(&server.url, &server.token);
    let out_dir = cli.home.path().join("big");
    let out = cli.run(&["export", "-o", out_dir.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("100001") && out.stderr.contains("100000"), "{}", out.stderr);
    assert!(!out_dir.exists() || std::fs::read_dir(&out_dir).unwrap().next().is_none(), "no file was written");

    // Asking for 100,001 channels by id is refused as well.
    let ids: Vec<String> = (0..100_001).map(|i: u32| i.to_string()).collect();
    let err = block_on(server.client().create_export(&chanwiz::api::ExportRequest { channel_ids: ids })).unwrap_err();
    assert!(matches!(err, chanwiz::client::ClientError::Invalid { .. }), "{err:?}");
    assert!(err.to_string().contains("100000"), "{err}");
}

#[test]
fn export_list_and_download_reach_the_tasks_already_there() {
    let server = Server::start(&["--seed-channels", "3"]);
    let cli = Cli::new(&server.url, &server.token);
    let empty = cli.run(&["export", "list", "--json"]);
    assert_eq!(empty.code, Some(0), "{}", empty.all());
    assert_eq!(empty.stdout.trim(), "[]");
    let first = cli.run(&["export", "-o", cli.home.path().to_str().unwrap()]);
    assert_eq!(first.code, Some(0), "{}", first.all());
    // the task, as JSON and as lines
    let listed = cli.run(&["export", "list", "--json"]);
    let tasks: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let task = &tasks[0];
    assert_eq!(task["status"], "success");
    assert_eq!(task["total"], 3);
    let id = task["id"].as_str().unwrap().to_string();
    let lines = cli.run(&["export", "list"]);
    assert!(lines.stdout.contains(&id) && lines.stdout.contains("Success"), "{}", lines.all());
    // downloaded again elsewhere, its files listed with their records
    let dir = cli.home.path().join("again");
    let got = cli.run(&["export", "download", &id, "-o", dir.to_str().unwrap(), "--json"]);
    assert_eq!(got.code, Some(0), "{}", got.all());
    let v: serde_json::Value = serde_json::from_str(&got.stdout).unwrap();
    assert!(v["path"].as_str().unwrap().starts_with(dir.to_str().unwrap()));
    assert_eq!(v["files"][0]["records"], 3);
    assert_eq!(ids_per_file(std::path::Path::new(v["path"].as_str().unwrap())).values().flatten().count(), 3);
    // an unknown task is a refusal that names it
    let bad = cli.run(&["export", "download", "nope"]);
    assert_eq!(bad.code, Some(1), "{}", bad.all());
    assert!(bad.stderr.contains("nope"), "{}", bad.all());
}

/// A refusal is said once, and in the CLI's terms: an export of an empty
/// tenant names no field of the API twice.
#[test]
fn an_export_refusal_is_said_once() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let out = cli.run(&["export", "-o", cli.home.path().join("none").to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert_eq!(out.stderr.matches("There are no channels to export").count(), 1, "{}", out.stderr);
}
