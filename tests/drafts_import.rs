//! `chanwiz drafts import` of an export: the zip (or one of its CSV files)
//! becomes one draft per record, secrets empty, the name kept; a record
//! that cannot be read is refused with its row and why. Round trip: the
//! drafts' Basic and Robot configuration equal the exported channels'.

#![cfg(feature = "server")]

mod support;

use std::collections::BTreeMap;

use chanwiz::model::{ChannelDocument, RoutingMode, Segment, TransferTarget};
use support::cli::{Cli, Server, block_on};

fn seg(start: &str, end: &str) -> Segment {
    Segment { start: start.into(), end: end.into() }
}

/// Channels that between them put a value other than the default in every
/// exported column, and every kind of cell the format escapes.
fn documents() -> Vec<ChannelDocument> {
    let full = support::named("RT_Full");

    let mut off = support::named("RT_Off");
    let b = &mut off.basic;
    b.transfer_keywords = vec!["+plus".into(), "@at".into(), "-minus".into()];
    b.work_time.workday = vec![];
    b.work_time.non_workday =
        vec![seg("00:00", "06:00"), seg("06:00", "09:30"), seg("10:00", "12:00"), seg("20:00", "24:00")];
    b.non_working_time_notification = "'quoted, with \"quotes\", commas\nand a second line".into();
    b.last_agent_mode.enabled = false;
    b.last_agent_mode.retention_hours = 72;
    b.last_agent_mode.wait_seconds = 600;
    b.session_end_no_customer_reply.enabled = false;
    b.session_end_no_customer_reply.timeout_minutes = 1440;
    b.session_end_no_customer_reply.end_message = "=SUM(A1)".into();
    b.session_transfer_no_agent_reply.enabled = false;
    b.session_transfer_no_agent_reply.timeout_seconds = 3600;
    b.session_transfer_no_agent_reply.target_skill_queue = "sq-3".into();
    b.session_transfer_no_agent_reply.notice = "-dash\tand tab".into();
    b.session_transfer.enabled = false;
    b.session_transfer.targets = vec![TransferTarget::Agent];
    b.offline_messages.enabled = false;
    b.offline_messages.routing_time_limit_minutes = 60;
    b.offline_messages.agent_outbound_time_limit_minutes = None;
    b.offline_messages.called_customer_reply_timeout_minutes = 5;
    b.offline_messages.routing_mode = RoutingMode::SkillQueue;
    off.robot.intelligent_robot.enabled = false;
    off.robot.robot_assistant.enabled = false;
    off.robot.robot_assistant.assistant_access_code = String::new();

    let mut chatbot = support::named("RT_Chatbot");
    let b = &mut chatbot.basic;
    b.ou = "ou-1".into();
    b.skill_queue = "sq-3".into();
    b.offline_messages.routing_mode = RoutingMode::Chatbot;
    b.offline_messages.agent_outbound_time_limit_minutes = Some(0);
    b.session_transfer.targets = vec![TransferTarget::Chatbot, TransferTarget::SkillQueue];
    b.non_working_time_notification = String::new();
    vec![full, off, chatbot]
}

#[test]
fn the_round_trip_documents_set_every_exported_column() {
    let blank = ChannelDocument::default();
    for c in chanwiz::api::export_csv::columns() {
        assert!(documents().iter().any(|d| (c.get)(d) != (c.get)(&blank)), "no document sets {}", c.name);
    }
}

#[test]
fn an_exported_zip_imports_back_as_one_draft_per_channel_with_every_exported_value() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    for doc in documents() {
        let file = cli.home.path().join(format!("{}.json", doc.basic.channel_name));
        std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
        let out = cli.run(&["submit", file.to_str().unwrap()]);
        assert_eq!(out.code, Some(0), "{}", out.all());
    }
    let dir = tempfile::tempdir().unwrap();
    let out = cli.run(&["export", "-o", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let zip = out.stdout.trim().to_string();

    let out = cli.run(&["drafts", "import", &zip]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stderr.contains("imported 3 draft(s)"), "{}", out.all());
    let store = cli.store();
    let drafts: BTreeMap<String, chanwiz::drafts::Draft> = out
        .stdout
        .lines()
        .map(|id| store.load(id).unwrap())
        .map(|d| (d.document.basic.channel_name.clone(), d))
        .collect();
    assert_eq!(drafts.len(), 3);

    let client = server.client();
    let channels = block_on(client.all_channels(None)).unwrap();
    assert_eq!(channels.len(), 3);
    for summary in channels {
        let channel = block_on(client.get_channel(&summary.id)).unwrap();
        let draft = &drafts[&channel.document.basic.channel_name];
        assert_eq!(draft.document.basic, channel.document.basic, "{}", summary.name);
        assert_eq!(draft.document.robot, channel.document.robot, "{}", summary.name);
        // nothing of page one (keys, secrets, certificates) comes from an export
        assert_eq!(draft.document.channel_info, Default::default());
        assert_eq!(draft.meta.channel_id, None, "a new draft, not an edit");
    }
    // what was submitted is what came back
    for doc in documents() {
        let d = &drafts[&doc.basic.channel_name].document;
        assert_eq!((&d.basic, &d.robot), (&doc.basic, &doc.robot));
    }
}

#[test]
fn one_csv_file_imports_and_a_bad_record_is_refused_with_its_row() {
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    let header = chanwiz::api::export_csv::header();
    let doc = support::named("Csv_One");
    let mut good: Vec<String> = vec!["id1".into(), "Csv_One".into(), "telegram".into()];
    good.extend(chanwiz::api::export_csv::columns().iter().map(|c| (c.get)(&doc)));
    let mut bad = good.clone();
    bad[1] = "Csv_Bad".into();
    let at = header.iter().position(|h| *h == "basic.last_agent_mode.wait_seconds").unwrap();
    bad[at] = "soon".into();
    let mut csv = csv::Writer::from_writer(Vec::new());
    csv.write_record(&header).unwrap();
    csv.write_record(&good).unwrap();
    csv.write_record(&bad).unwrap();
    let file = cli.home.path().join("channels-001.csv");
    std::fs::write(&file, csv.into_inner().unwrap()).unwrap();

    let out = cli.run(&["drafts", "import", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "a refused record is a refusal: {}", out.all());
    assert!(out.stderr.contains("imported 1 draft(s)") && out.stderr.contains("1 record(s) refused"), "{}", out.all());
    assert!(
        out.stderr.contains("row 3: refused: basic.last_agent_mode.wait_seconds: 'soon' is not a whole number"),
        "{}",
        out.all()
    );
    let listing = cli.store().list().unwrap();
    assert_eq!(listing.drafts.len(), 1);
    let d = &listing.drafts[0];
    assert_eq!(d.meta.id, out.stdout.trim());
    assert_eq!(d.document.basic, doc.basic);
    assert_eq!(d.document.channel_info.app_secret, None);

    // standard input: a CSV file, and a JSON document as before
    let text = std::fs::read_to_string(&file).unwrap().replace("Csv_One", "Csv_Stdin");
    let out = cli.run_with_input(&["drafts", "import", "-"], &text);
    assert!(out.stderr.contains("imported 1 draft(s)"), "{}", out.all());
    let out = cli.run_with_input(&["drafts", "import", "-"], support::EXAMPLE);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let names: Vec<String> =
        cli.store().list().unwrap().drafts.into_iter().map(|d| d.document.basic.channel_name).collect();
    assert_eq!(names.len(), 3);
    assert!(names.contains(&"Csv_Stdin".into()) && names.contains(&"Telegram_Support".into()), "{names:?}");

    // a file that is not an export is refused whole
    std::fs::write(&file, "id,name,colour\n1,x,red\n").unwrap();
    let out = cli.run(&["drafts", "import", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("column 'colour'"), "{}", out.all());
    assert_eq!(cli.store().list().unwrap().drafts.len(), 3);
}

/// A zip holding `files` (name, bytes), deflated.
fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn draft_files(cli: &Cli) -> usize {
    std::fs::read_dir(cli.drafts_dir())
        .map(|d| d.flatten().filter(|e| e.file_name().to_string_lossy().ends_with(".json")).count())
        .unwrap_or(0)
}

#[test]
fn an_import_past_an_exports_bounds_is_refused_whole_and_writes_nothing() {
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    let run = |name: &str, bytes: &[u8]| {
        let file = cli.home.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        cli.run(&["drafts", "import", file.to_str().unwrap()])
    };

    // more records than an export task holds (100,000): nothing is made
    let mut csv = String::from("name\n");
    for i in 0..100_001 {
        csv.push_str(&format!("N_{i}\n"));
    }
    let out = run("many.zip", &zip_of(&[("channels-001.csv", csv.as_bytes())]));
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("100000") && out.stderr.contains("nothing was imported"), "{}", out.all());
    assert!(out.stdout.trim().is_empty(), "{}", out.all());
    assert_eq!(draft_files(&cli), 0);

    // a field longer than the spec allows, after a good record: nothing is made
    let long = "n".repeat(1000);
    let out = run("long.csv", format!("name\nGood_One\n{long}\n").as_bytes());
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(
        out.stderr.contains("row 3: basic.channel_name") && out.stderr.contains("at most 64"),
        "the row, the field and the limit are named: {}",
        out.all()
    );
    assert!(!out.stderr.contains(&long), "the value is not echoed");
    assert_eq!(draft_files(&cli), 0);

    // a small zip that unpacks into a huge name: refused without reading it all
    let mut huge = b"name\nX".to_vec();
    huge.resize(48 * 1024 * 1024, b'a');
    huge.push(b'\n');
    let bomb = zip_of(&[("channels-001.csv", &huge)]);
    drop(huge);
    assert!(bomb.len() < 1024 * 1024, "{}", bomb.len());
    let out = run("bomb.zip", &bomb);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("at most 32 MiB") && out.stderr.contains("nothing was imported"), "{}", out.all());
    assert_eq!(draft_files(&cli), 0);

    // within the bounds, the import works as before
    let out = run("fine.csv", b"name\nFine_One\nFine_Two\n");
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(draft_files(&cli), 2);
}

/// What an import says of a draft is what `drafts list` says of it, and a
/// file it cannot read is refused without a summary claiming an import.
#[test]
fn an_import_says_of_each_draft_what_the_list_says() {
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    // a document with its APP Secret, imported without --remember-secrets
    let file = cli.home.path().join("doc.json");
    std::fs::write(&file, support::EXAMPLE).unwrap();
    let out = cli.run(&["drafts", "import", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let listed = cli.run(&["drafts", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let errors = rows[0]["errors"].as_u64().unwrap();
    assert_eq!(errors, 1, "the secret was not stored: {}", listed.stdout);
    assert!(out.stderr.contains("(1 error(s)"), "the import said otherwise: {}", out.stderr);
    // not an export file: one refusal, no "imported 0 draft(s)" first
    let bad = cli.home.path().join("not-an-export.csv");
    std::fs::write(&bad, "hello\n").unwrap();
    let out = cli.run(&["drafts", "import", bad.to_str().unwrap()]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("nothing was imported") && !out.stderr.contains("imported 0"), "{}", out.stderr);
}
