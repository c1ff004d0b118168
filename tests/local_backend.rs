//! One local backend for every command: with no backend set, `submit`,
//! `channels`, `export` and `catalogue` each start the embedded backend on
//! the same SQLite file in the data directory, with one stable token;
//! `chanwiz serve` without `--db` serves that file.

mod support;

use std::path::Path;

use support::cli::{Cli, block_on, client_for};
use support::serve::HomeServer;

fn local() -> Cli {
    Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None }
}

fn token_file(cli: &Cli) -> std::path::PathBuf {
    cli.home.path().join("data/backend.sqlite3.token")
}

fn names_in_zip(zip: &Path) -> Vec<String> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let mut names = Vec::new();
    for i in 0..archive.len() {
        let entry = archive.by_index(i).unwrap();
        let mut csv = csv::Reader::from_reader(entry);
        let at = csv.headers().unwrap().iter().position(|h| h == "name").unwrap();
        for record in csv.records() {
            names.push(record.unwrap()[at].to_string());
        }
    }
    names.sort();
    names
}

fn write_named(cli: &Cli, name: &str) -> String {
    let file = cli.home.path().join(format!("{name}.json"));
    std::fs::write(&file, serde_json::to_vec(&support::named(name)).unwrap()).unwrap();
    file.to_str().unwrap().to_string()
}

#[test]
fn with_no_backend_set_submit_list_and_export_share_the_local_backend() {
    let cli = local();
    let show = cli.run(&["config", "show"]);
    let db = cli.home.path().join("data/backend.sqlite3");
    assert!(show.stdout.contains(&format!("backend:     embedded ({})", db.display())), "{}", show.all());

    let out = cli.run(&["submit", "assets/examples/telegram-channel.json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("created channel"), "{}", out.all());
    assert!(db.exists());

    let out = cli.run(&["channels", "list", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Telegram_Support"]);

    let dir = tempfile::tempdir().unwrap();
    let out = cli.run(&["export", "-o", dir.path().to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let zip = std::path::PathBuf::from(out.stdout.trim());
    assert!(zip.starts_with(dir.path()), "{}", out.all());
    assert_eq!(names_in_zip(&zip), ["Telegram_Support"]);

    let out = cli.run(&["catalogue", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("\"ou-2\""), "{}", out.all());

    // the local token never reaches the output or the log
    let token = std::fs::read_to_string(token_file(&cli)).unwrap();
    assert!(token.trim().starts_with("cwt_"));
    assert!(!show.all().contains(token.trim()) && !cli.log().contains(token.trim()));
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(token_file(&cli)).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn commands_at_once_on_the_file_all_succeed_and_keep_one_token() {
    let cli = local();
    // a fresh home: the first runs race to make the database and the token
    let first: Vec<_> = ["A_1", "A_2", "A_3"]
        .iter()
        .map(|n| {
            let file = write_named(&cli, n);
            cli.command(&["submit", &file])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in first {
        let out = support::Out::from(child.wait_with_output().unwrap());
        assert_eq!(out.code, Some(0), "{}", out.all());
    }
    let token = std::fs::read_to_string(token_file(&cli)).unwrap();

    // an export running while other commands start their own backend on the file
    let dir = tempfile::tempdir().unwrap();
    let mut children = vec![cli.command(&["export", "-o", dir.path().to_str().unwrap()])];
    for n in ["B_1", "B_2"] {
        let file = write_named(&cli, n);
        children.push(cli.command(&["submit", &file]));
    }
    children.push(cli.command(&["channels", "list", "--json"]));
    children.push(cli.command(&["catalogue"]));
    let running: Vec<_> = children
        .iter_mut()
        .map(|c| c.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped()).spawn().unwrap())
        .collect();
    let outs: Vec<support::Out> = running.into_iter().map(|c| c.wait_with_output().unwrap().into()).collect();
    for out in &outs {
        assert_eq!(out.code, Some(0), "{}", out.all());
    }
    let zip = std::path::PathBuf::from(outs[0].stdout.trim());
    let exported = names_in_zip(&zip);
    assert!(exported.starts_with(&["A_1".to_string(), "A_2".into(), "A_3".into()]), "{exported:?}");

    let out = cli.run(&["channels", "list", "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 5, "{}", out.all());
    assert_eq!(std::fs::read_to_string(token_file(&cli)).unwrap(), token, "no run replaced the token");
}

#[test]
fn serve_without_db_serves_the_local_file_and_never_rotates_the_local_token() {
    let cli = local();
    let out = cli.run(&["submit", "assets/examples/telegram-channel.json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let token = std::fs::read_to_string(token_file(&cli)).unwrap().trim().to_string();

    // `serve --demo` on the file rotates the demo token only
    let demo = HomeServer::start(cli.home.path(), &["--demo"]);
    drop(demo);
    let server = HomeServer::start(cli.home.path(), &[]);
    let listed = block_on(client_for(&server.url, &token).all_channels(None)).unwrap();
    assert_eq!(listed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["Telegram_Support"]);
    let said = server.stderr.lock().unwrap().clone();
    assert!(!said.contains(&token), "{said}");

    // a command run meanwhile uses the same file and token
    let out = cli.run(&["channels", "show", "Telegram_Support"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(std::fs::read_to_string(token_file(&cli)).unwrap().trim(), token);
    assert_eq!(block_on(client_for(&server.url, &token).all_channels(None)).unwrap().len(), 1);
}

/// The local backend asks the Bot API the command names (`--telegram-api`):
/// `webhook info` needs no token, the embedded backend asks with its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_local_backend_asks_the_bot_api_the_command_names() {
    use support::telegram_standin::{TelegramStandIn, token};
    let standin = TelegramStandIn::start().await;
    let t = token(9101);
    standin.add_bot(&t, "AICCCustomize_TWbot", "AICC Support");
    let cli = local();
    let api = standin.base_url.clone();
    tokio::task::block_in_place(|| {
        assert_eq!(cli.run(&["submit", "assets/examples/telegram-channel.json"]).code, Some(0));
        let set = cli
            .command(&[
                "webhook",
                "set",
                "--channel",
                "Telegram_Support",
                "--public-url",
                support::webhook::PUBLIC,
                "--telegram-api",
                &api,
            ])
            .env("CHANWIZ_BOT_TOKEN", &t)
            .env_remove("CHANWIZ_TELEGRAM_API")
            .output()
            .unwrap();
        let set = support::Out::from(set);
        assert_eq!(set.code, Some(0), "{}", set.all());
        let before = standin.requests_for("getWebhookInfo").len();
        let info = cli
            .command(&["webhook", "info", "--channel", "Telegram_Support", "--telegram-api", &api])
            .env_remove("CHANWIZ_BOT_TOKEN")
            .env_remove("CHANWIZ_TELEGRAM_API")
            .output()
            .unwrap();
        let info = support::Out::from(info);
        assert_eq!(info.code, Some(0), "{}", info.all());
        // registered and confirmed; nothing was delivered yet, so not "works"
        assert!(
            info.stdout.contains("Status: ok: registered and confirmed by Telegram, no delivery yet"),
            "{}",
            info.stdout
        );
        assert!(standin.requests_for("getWebhookInfo").len() > before, "the local backend asked the stand-in");
    });
}

/// A self-signed certificate for `cn`: (PEM text, DER bytes).
fn test_cert(cn: &str) -> (String, Vec<u8>) {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["gw.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, cn);
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), cert.der().to_vec())
}

#[test]
fn certs_import_pem_and_der_list_them_with_their_channels_and_rm_is_refused_while_one_is_used() {
    let cli = local();
    let (pem, _) = test_cert("Imported Gateway");
    let (_, der) = test_cert("Imported Identity");
    let pem_file = cli.home.path().join("gateway.pem");
    let der_file = cli.home.path().join("aicc-id.cer");
    std::fs::write(&pem_file, pem).unwrap();
    std::fs::write(&der_file, der).unwrap();

    let out =
        cli.run(&["certs", "import", pem_file.to_str().unwrap(), "--role", "trust", "--name", "Gateway", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let trust: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!((trust["role"].as_str(), trust["name"].as_str()), (Some("trust"), Some("Gateway")));
    assert!(trust["subject"].as_str().unwrap().contains("Imported Gateway"), "{trust}");
    let trust_id = trust["id"].as_str().unwrap().to_string();

    // DER, named after its file by default
    let out = cli.run(&["certs", "import", der_file.to_str().unwrap(), "--role", "identity"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("imported identity certificate") && out.stdout.contains("(aicc-id)"), "{}", out.all());

    // a file that is no certificate is refused, naming it
    let junk = cli.home.path().join("notes.txt");
    std::fs::write(&junk, "hello").unwrap();
    let out = cli.run(&["certs", "import", junk.to_str().unwrap(), "--role", "trust"]);
    assert_eq!(out.code, Some(2), "{}", out.all());
    assert!(out.stderr.contains("notes.txt") && out.stderr.contains("not an X.509 certificate"), "{}", out.all());

    // a channel uses the trust certificate: the list says so
    let mut doc = support::named("Uses_Gateway");
    doc.channel_info.trust_certificate = trust_id.clone();
    let file = cli.home.path().join("uses.json");
    std::fs::write(&file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = cli.run(&["submit", file.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let out = cli.run(&["certs", "list", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let rows: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let row = |name: &str| rows.as_array().unwrap().iter().find(|r| r["name"] == name).cloned().unwrap();
    assert_eq!(row("Gateway")["used_by"], serde_json::json!(["Uses_Gateway"]));
    assert_eq!(row("aicc-id")["role"], "identity");
    assert!(row("aicc-id")["used_by"].is_null());
    let out = cli.run(&["certs", "list"]);
    assert!(
        out.stdout.lines().any(|l| l.contains(&trust_id) && l.contains("trust") && l.ends_with("Uses_Gateway")),
        "{}",
        out.all()
    );

    // removal is refused while the channel uses it, naming the channel; then done
    let out = cli.run(&["certs", "rm", &trust_id]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("'Uses_Gateway'") && out.stderr.contains("409"), "{}", out.all());
    assert_eq!(cli.run(&["channels", "rm", "Uses_Gateway", "--yes"]).code, Some(0));
    let out = cli.run(&["certs", "rm", &trust_id]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let out = cli.run(&["certs", "list", "--json"]);
    assert!(!out.stdout.contains(&trust_id), "{}", out.all());
    let out = cli.run(&["certs", "rm", &trust_id]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("404"), "{}", out.all());
}

#[test]
fn validate_warns_of_a_chosen_certificate_expiring_within_30_days_from_the_cached_catalogue() {
    use chrono::Datelike;
    let cli = local();
    let end = chrono::Utc::now() + chrono::Duration::days(10);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["gw.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Short Lived");
    params.not_after = rcgen::date_time_ymd(end.year(), end.month() as u8, end.day() as u8);
    let file = cli.home.path().join("short.pem");
    std::fs::write(&file, params.self_signed(&key).unwrap().pem()).unwrap();
    let out = cli.run(&["certs", "import", file.to_str().unwrap(), "--role", "trust", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let id = serde_json::from_str::<serde_json::Value>(&out.stdout).unwrap()["id"].as_str().unwrap().to_string();
    // the list marks it
    let out = cli.run(&["certs", "list"]);
    assert!(out.stdout.lines().any(|l| l.contains(&id) && l.contains("SOON")), "{}", out.all());
    assert_eq!(cli.run(&["catalogue"]).code, Some(0));

    let mut doc = support::named("Short_Lived");
    doc.channel_info.trust_certificate = id.clone();
    let doc_file = cli.home.path().join("short.json");
    std::fs::write(&doc_file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = cli.run(&["validate", doc_file.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let expected = format!("warning: channel_info.trust_certificate: Certificate '{id}' expires in ");
    assert!(out.stderr.contains(&expected), "{}", out.all());
    assert!(out.stderr.contains("upload a renewed one"), "{}", out.all());
    assert!(out.stdout.contains("valid, with"), "{}", out.all());
    // the other certificates (a year off) are not warned about
    doc.channel_info.trust_certificate = "cert-trust-1".into();
    std::fs::write(&doc_file, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = cli.run(&["validate", doc_file.to_str().unwrap()]);
    assert!(!out.stderr.contains("expires in"), "{}", out.all());
}
