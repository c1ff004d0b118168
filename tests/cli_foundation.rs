//! `chanwiz validate`, `chanwiz drafts …` and `chanwiz schema`, run as the
//! built binary the way a user runs them.

use std::path::Path;
use std::process::{Command, Output};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/examples/telegram-channel.json");

fn chanwiz(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_chanwiz"))
        .args(args)
        .env("CHANWIZ_HOME", home)
        .env_remove("CHANWIZ_BACKEND")
        .env_remove("CHANWIZ_TOKEN")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn the_example_validates() {
    let home = tempfile::tempdir().unwrap();
    let o = chanwiz(home.path(), &["validate", EXAMPLE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "valid\n");
}

#[test]
fn an_invalid_document_exits_1_with_one_line_per_error() {
    let home = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(EXAMPLE)
        .unwrap()
        .replace("\"Telegram_Support\"", "\"9lives\"")
        .replace("\"https://192.0.2.10:28090\"", "\"https://aicc.example.com:28090\"");
    let file = write(home.path(), "bad.json", &text);
    let o = chanwiz(home.path(), &["validate", &file]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(lines.iter().any(|l| l.starts_with("channel_info.base_url: a domain name is not supported")), "{out}");
    assert!(lines.iter().any(|l| l.starts_with("basic.channel_name: Channel Name must start with a letter")), "{out}");

    let o = chanwiz(home.path(), &["validate", "--json", &file]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), 2);
    assert!(arr.iter().all(|e| e["path"].is_string() && e["message"].is_string()));
    assert!(arr.iter().all(|e| e.as_object().unwrap().len() == 2));

    let o = chanwiz(home.path(), &["validate", "--json", EXAMPLE]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap(), serde_json::json!([]));
}

#[test]
fn a_secret_less_document_is_valid_as_an_update() {
    let home = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(EXAMPLE)
        .unwrap()
        .replace("\"app_secret\": \"Example-Secret-Replace-Me-0123456789\",", "");
    let file = write(home.path(), "nosecret.json", &text);
    let o = chanwiz(home.path(), &["validate", &file]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("channel_info.app_secret: APP Secret is required when creating"));
    let o = chanwiz(home.path(), &["validate", "--update", &file]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn an_unreadable_document_exits_2_saying_where() {
    let home = tempfile::tempdir().unwrap();
    let o = chanwiz(home.path(), &["validate", "/nonexistent/file.json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read /nonexistent/file.json"), "{}", stderr(&o));

    let file = write(home.path(), "syntax.json", "{\n  \"basic\": {\n    \"channel_name\": \"x\",\n  }\n}\n");
    let o = chanwiz(home.path(), &["validate", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("line 4, column 3"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());

    let file = write(home.path(), "typo.json", "{\n  \"basic\": {\n    \"chanel_name\": \"x\"\n  }\n}\n");
    let o = chanwiz(home.path(), &["validate", &file]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("line 3"), "{err}");
    assert!(err.contains("basic.chanel_name"), "{err}");
    assert!(err.contains("unknown field `chanel_name`"), "{err}");
    assert!(err.contains("`channel_name`") && err.contains("`offline_messages`"), "the allowed keys: {err}");

    let file = write(home.path(), "newer.json", "{\"schema_version\": 3}");
    let o = chanwiz(home.path(), &["validate", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("schema_version 3 is newer"), "{}", stderr(&o));
}

#[test]
fn every_command_has_help_and_there_is_a_version() {
    let home = tempfile::tempdir().unwrap();
    for args in [
        vec!["--help"],
        vec!["validate", "--help"],
        vec!["drafts", "--help"],
        vec!["drafts", "list", "--help"],
        vec!["drafts", "show", "--help"],
        vec!["drafts", "rm", "--help"],
        vec!["drafts", "import", "--help"],
        vec!["drafts", "export", "--help"],
        vec!["schema", "--help"],
    ] {
        let o = chanwiz(home.path(), &args);
        assert_eq!(o.status.code(), Some(0), "{args:?}");
        assert!(stdout(&o).contains("Usage: chanwiz"), "{args:?}: {}", stdout(&o));
    }
    let o = chanwiz(home.path(), &["--version"]);
    assert_eq!(stdout(&o).trim(), format!("chanwiz {}", env!("CARGO_PKG_VERSION")));
}

#[test]
fn drafts_round_trip_through_the_cli_without_leaking_the_secret() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let o = chanwiz(h, &["drafts", "list"]);
    assert_eq!(stdout(&o), "no drafts\n");

    let o = chanwiz(h, &["drafts", "import", EXAMPLE]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let id = stdout(&o).trim().to_string();
    assert_eq!(id.len(), 12);
    assert!(stderr(&o).contains("APP Secret was not stored"), "{}", stderr(&o));

    let o = chanwiz(h, &["drafts", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(rows[0]["id"], id.as_str());
    assert_eq!(rows[0]["channel_name"], "Telegram_Support");
    // the secret was not stored, so the draft needs it again
    assert_eq!(rows[0]["valid"], false);
    assert_eq!(rows[0]["errors"], 1);

    let o = chanwiz(h, &["drafts", "list"]);
    let out = stdout(&o);
    assert!(out.contains(&id) && out.contains("Telegram_Support") && out.contains("1 error"), "{out}");

    let o = chanwiz(h, &["drafts", "show", &id[..6]]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("channel_info.app_secret: APP Secret is required"), "{}", stdout(&o));

    let o = chanwiz(h, &["drafts", "import", "--remember-secrets", EXAMPLE]);
    let id2 = stdout(&o).trim().to_string();
    let o = chanwiz(h, &["drafts", "show", &id2]);
    let out = stdout(&o);
    assert!(out.contains("status:   valid"), "{out}");
    assert!(out.contains("remembered (not shown)"), "{out}");
    assert!(!out.contains("Example-Secret"), "{out}");
    let o = chanwiz(h, &["drafts", "show", "--json", &id2]);
    assert!(!stdout(&o).contains("Example-Secret"));

    let out_file = h.join("exported.json");
    let o = chanwiz(h, &["drafts", "export", &id2, "-o", out_file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let exported = std::fs::read_to_string(&out_file).unwrap();
    assert!(!exported.contains("Example-Secret") && !exported.contains("app_secret"), "{exported}");
    // the export is a document `validate` reads (as an update, having no secret)
    let o = chanwiz(h, &["validate", "--update", out_file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = chanwiz(h, &["drafts", "export", &id2]);
    assert!(!stdout(&o).contains("Example-Secret"));

    let o = chanwiz(h, &["drafts", "rm", &id]);
    assert_eq!(o.status.code(), Some(0));
    let o = chanwiz(h, &["drafts", "show", &id]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains(&format!("no draft '{id}'")), "{}", stderr(&o));
    assert!(stderr(&o).contains("`chanwiz drafts list` shows the ids"), "{}", stderr(&o));
}

#[test]
fn a_corrupt_draft_is_reported_and_the_others_still_list() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let o = chanwiz(h, &["drafts", "import", EXAMPLE]);
    let id = stdout(&o).trim().to_string();
    std::fs::write(h.join("data/drafts/abcdefabcdef.json"), "{ not json").unwrap();
    let o = chanwiz(h, &["drafts", "list"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains(&id));
    let err = stderr(&o);
    assert!(err.contains("abcdefabcdef.json is unreadable") && err.contains("moved aside to"), "{err}");
}

#[test]
fn import_refuses_what_validate_cannot_read() {
    let home = tempfile::tempdir().unwrap();
    let file = write(home.path(), "typo.json", "{\"robot\": {\"intelligent\": {}}}");
    let o = chanwiz(home.path(), &["drafts", "import", &file]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown field `intelligent`"));
    let o = chanwiz(home.path(), &["drafts", "list"]);
    assert_eq!(stdout(&o), "no drafts\n");
}

#[test]
fn the_schema_command_prints_the_committed_schema() {
    let home = tempfile::tempdir().unwrap();
    let o = chanwiz(home.path(), &["schema"]);
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/channel.schema.json")).unwrap();
    assert_eq!(stdout(&o).trim_end(), committed.trim_end());
}

const EVERY_FIELD_NULL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/every-field-null.json");
const EXAMPLE_WITH_NULLS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/example-with-nulls.json");

#[test]
fn validate_reads_null_for_any_field_as_the_field_left_out() {
    let home = tempfile::tempdir().unwrap();
    // the example with null for the fields it may leave out is valid
    let o = chanwiz(home.path(), &["validate", EXAMPLE_WITH_NULLS]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(stdout(&o), "valid\n");
    // every field null breaks exactly the rules an empty document breaks
    let empty = write(home.path(), "empty.json", "{}");
    for mode in [&[][..], &["--update"][..]] {
        let nulls = chanwiz(home.path(), &[&["validate", "--json"][..], mode, &[EVERY_FIELD_NULL]].concat());
        assert!(!stderr(&nulls).contains("invalid type"), "{}", stderr(&nulls));
        let want = chanwiz(home.path(), &[&["validate", "--json"][..], mode, &[empty.as_str()]].concat());
        assert_eq!(nulls.status.code(), want.status.code(), "{}", stderr(&nulls));
        assert_eq!(stdout(&nulls), stdout(&want));
        assert!(stdout(&want).contains("basic.channel_name"), "{}", stdout(&want));
    }
}
