//! No secret — the APP Secret, the tenant token, a bot token, the webhook
//! secret — appears in anything the CLI prints or logs, on success or failure.

mod support;

use chanwiz::api::IntegrationUpdate;
use support::cli::*;

const BOT_TOKEN: &str = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";

#[test]
fn no_secret_reaches_output_errors_or_logs() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);
    let mut outputs = Vec::new();

    // A draft that does not remember the APP Secret: it is given on stdin.
    let mut doc = chanwiz::model::parse_document(EXAMPLE).unwrap();
    doc.basic.channel_name = "Secret_Keeper".into();
    let draft = cli.store().create(doc, false).unwrap();
    let o = cli.run(&["submit", &draft.meta.id, "--keep-draft"]);
    assert_eq!(o.code, Some(1), "without the APP Secret the create is refused locally: {}", o.all());
    assert!(o.stderr.contains("--app-secret-stdin"), "{}", o.stderr);
    outputs.push(o);
    let o = cli
        .run_with_input(&["submit", &draft.meta.id, "--app-secret-stdin", "--keep-draft"], &format!("{APP_SECRET}\n"));
    assert_eq!(o.code, Some(0), "{}", o.all());
    outputs.push(o);
    let id = cli.store().load(&draft.meta.id).unwrap().meta.channel_id.unwrap();

    // A bot token and a webhook secret stored on the channel.
    let client = server.client();
    block_on(
        client.put_integration(&id, &IntegrationUpdate { bot_token: Some(BOT_TOKEN.into()), ..Default::default() }),
    )
    .unwrap();
    let webhook_secret = block_on(client.integration(&id)).unwrap().webhook_secret;

    for args in [
        vec!["channels", "list"],
        vec!["channels", "list", "--json"],
        vec!["channels", "show", "Secret_Keeper"],
        vec!["channels", "show", &id, "--json"],
        vec!["catalogue", "--json"],
        vec!["config", "show"],
        vec!["submit", &draft.meta.id, "--keep-draft"],
    ] {
        let o = cli.run(&args);
        assert_eq!(o.code, Some(0), "{args:?}: {}", o.all());
        outputs.push(o);
    }
    // Failures: a stale draft, a refused token, the token echoed in a flag error.
    let mut stale = cli.store().load(&draft.meta.id).unwrap();
    stale.meta.channel_version = Some(1);
    cli.store().save(&mut stale).unwrap();
    outputs.push(
        cli.run_with_input(
            &["submit", &draft.meta.id, "--app-secret-stdin", "--keep-draft"],
            &format!("{APP_SECRET}\n"),
        ),
    );
    let o = cli.run(&["channels", "list", "--token", &format!("{}x", server.token)]);
    assert_eq!(o.code, Some(1));
    outputs.push(o);
    let o = cli.run(&["channels", "list", "--backend", "http://192.0.2.1:80", "--token", &server.token]);
    assert_eq!(o.code, Some(2));
    outputs.push(o);
    outputs.push(cli.run(&["channels", "list", "--backend", &dead_backend()]));

    let log = cli.log();
    assert!(log.contains("backend answered"), "the debug log was written: {log}");
    let mut everything: String = outputs.iter().map(Out::all).collect();
    everything.push_str(&log);
    for (what, secret) in [
        ("APP Secret", APP_SECRET),
        ("tenant token", server.token.as_str()),
        ("bot token", BOT_TOKEN),
        ("webhook secret", &webhook_secret),
    ] {
        assert!(!everything.contains(secret), "the {what} leaked:\n{everything}");
    }
    // The bot token's secret half alone does not leak either.
    assert!(!everything.contains(BOT_TOKEN.split(':').nth(1).unwrap()));
}
