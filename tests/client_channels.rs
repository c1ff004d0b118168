//! `chanwiz channels list|show|rm` and HTTPS with a private CA, against the
//! real backend.

mod support;

use support::cli::*;

fn submit_example(cli: &Cli, name: &str) -> String {
    let d = cli.example_draft(name);
    let out = cli.run(&["submit", &d.meta.id, "--keep-draft"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    cli.store().load(&d.meta.id).unwrap().meta.channel_id.unwrap()
}

#[test]
fn channels_are_listed_shown_and_removed_by_name_or_id() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let a = submit_example(&cli, "Alpha_Channel");
    let b = submit_example(&cli, "Beta_Channel");

    let out = cli.run(&["channels", "list"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("Alpha_Channel") && out.stdout.contains("Beta_Channel"), "{}", out.stdout);
    assert!(out.stdout.contains(&a) && out.stdout.contains(&b));

    let out = cli.run(&["channels", "list", "--json"]);
    let rows: Vec<chanwiz::api::ChannelSummary> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows.len(), 2);

    let out = cli.run(&["channels", "show", "Beta_Channel", "--json"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let ch: chanwiz::api::Channel = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(ch.id, b);
    assert!(ch.has_app_secret);
    assert_eq!(ch.document.channel_info.app_secret, None);
    let by_id = cli.run(&["channels", "show", &b]);
    assert_eq!(by_id.code, Some(0), "{}", by_id.all());
    assert!(by_id.stdout.contains("Beta_Channel") && by_id.stdout.contains("APP Secret:      stored (never shown)"));

    // Not a terminal and no --yes: refused, nothing deleted.
    let out = cli.run(&["channels", "rm", "Alpha_Channel"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("--yes"), "{}", out.stderr);
    assert!(block_on(server.client().get_channel(&a)).is_ok());

    let out = cli.run(&["channels", "rm", "Alpha_Channel", "--yes"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains(&a), "{}", out.stdout);
    let gone = block_on(server.client().get_channel(&a)).unwrap_err();
    assert!(matches!(gone, chanwiz::client::ClientError::NotFound { .. }), "{gone:?}");
    let out = cli.run(&["channels", "rm", &a, "--yes"]);
    assert_eq!(out.code, Some(1), "{}", out.all());
    assert!(out.stderr.contains("(404)"), "{}", out.stderr);
}

#[test]
fn https_is_verified_and_a_private_ca_is_trusted_only_when_given() {
    let server = Server::start(&["--tls-self-signed"]);
    assert!(server.url.starts_with("https://"), "{}", server.url);
    let ca = server.certificate.clone().unwrap();
    let cli = Cli::new(&server.url, &server.token);

    // Without the CA the certificate is not trusted: no way around it but --ca-cert.
    let out = cli.run(&["channels", "list"]);
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert!(out.stderr.contains("TLS certificate could not be verified"), "{}", out.stderr);
    assert!(out.stderr.contains("--ca-cert"), "{}", out.stderr);

    let out = cli.run(&["channels", "list", "--ca-cert", ca.to_str().unwrap()]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stdout.contains("no channels"), "{}", out.stdout);

    // The same from the environment and from config.json.
    let mut env = cli.command(&["catalogue"]);
    env.env("CHANWIZ_CA_CERT", &ca);
    let o = env.output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let set = cli.run(&["config", "set", "--ca-cert", ca.to_str().unwrap()]);
    assert_eq!(set.code, Some(0), "{}", set.all());
    assert_eq!(cli.run(&["channels", "list"]).code, Some(0));
}

#[test]
fn the_config_file_holds_the_backend_and_token_and_flags_override_it() {
    let server = Server::start(&[]);
    let cli = Cli { home: tempfile::tempdir().unwrap(), backend: None, token: None };
    // nothing set: the local backend (its own, empty, tenant)
    let out = cli.run(&["channels", "list"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert_eq!(out.stdout.trim(), "no channels", "{}", out.all());

    assert_eq!(cli.run(&["config", "set", "--backend", &server.url]).code, Some(0));
    let out = cli.run_with_input(&["config", "set", "--token-stdin"], &format!("{}\n", server.token));
    assert_eq!(out.code, Some(0), "{}", out.all());
    use std::os::unix::fs::PermissionsExt;
    let file = cli.home.path().join("config/config.json");
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);

    let out = cli.run(&["channels", "list"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    let show = cli.run(&["config", "show"]);
    assert!(show.stdout.contains("set (from config.json; not shown)"), "{}", show.stdout);
    assert!(!show.all().contains(&server.token));

    // A flag wins over the file: a dead backend given by flag is what is used.
    let out = cli.run(&["channels", "list", "--backend", &dead_backend()]);
    assert_eq!(out.code, Some(3), "{}", out.all());
    // And the environment wins over the file too.
    let mut c = cli.command(&["channels", "list"]);
    c.env("CHANWIZ_TOKEN", "not-the-token-123");
    let o = c.output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("(401)"));
}
