//! `chanwiz catalogue`: fetched live and cached; offline, the cached copy
//! with its age.

mod support;

use support::cli::*;

#[test]
fn the_cached_catalogue_stands_in_offline_and_says_how_old_it_is() {
    let server = Server::start(&[]);
    let cli = Cli::new(&server.url, &server.token);

    let live = cli.run(&["catalogue", "--json"]);
    assert_eq!(live.code, Some(0), "{}", live.all());
    let v: serde_json::Value = serde_json::from_str(&live.stdout).unwrap();
    assert_eq!(v["from_cache"], false);
    let ous: Vec<&str> = v["catalogue"]["ous"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert!(ous.contains(&"ou-2"), "{ous:?}");

    let text = cli.run(&["catalogue"]);
    assert_eq!(text.code, Some(0), "{}", text.all());
    assert!(text.stdout.contains("Headquarters / Customer Service"), "{}", text.stdout);
    assert!(text.stdout.contains("cert-trust-1"), "{}", text.stdout);

    // The backend goes away: the cached copy is shown, with its age.
    drop(server);
    let offline = cli.run(&["catalogue", "--json"]);
    assert_eq!(offline.code, Some(0), "{}", offline.all());
    assert!(offline.stderr.contains("unreachable"), "{}", offline.stderr);
    assert!(offline.stderr.contains("showing the cached catalogue fetched just now"), "{}", offline.stderr);
    let cached: serde_json::Value = serde_json::from_str(&offline.stdout).unwrap();
    assert_eq!(cached["from_cache"], true);
    assert_eq!(cached["catalogue"], v["catalogue"]);
}

#[test]
fn an_old_cache_reports_its_age_through_the_library_and_the_cli() {
    let backend = dead_backend();
    let cli = Cli::new(&backend, "some-token-value");
    let client = client_for(&backend, "some-token-value");
    let cache = client.catalogue_cache(&cli.home.path().join("cache"));

    // Nothing cached yet: the error is the unreachable backend (exit 3).
    let out = cli.run(&["catalogue"]);
    assert_eq!(out.code, Some(3), "{}", out.all());
    assert!(out.stderr.contains("no cached catalogue"), "{}", out.stderr);

    let cat = chanwiz::api::Catalogue {
        skill_queues: vec![chanwiz::api::SkillQueue { id: "sq-9".into(), name: "Night shift".into() }],
        ..Default::default()
    };
    let fetched = chrono::Utc::now() - chrono::TimeDelta::hours(5);
    cache.store(&cat, fetched).unwrap();

    let got = block_on(client.refresh_catalogue(&cache)).unwrap();
    assert!(got.offline.as_ref().is_some_and(|e| e.is_unreachable()));
    assert_eq!(got.catalogue, cat);
    assert_eq!(got.fetched, fetched);
    assert_eq!(got.age().num_hours(), 5);

    let out = cli.run(&["catalogue"]);
    assert_eq!(out.code, Some(0), "{}", out.all());
    assert!(out.stderr.contains("fetched 5 hours ago"), "{}", out.stderr);
    assert!(out.stdout.contains("Night shift"), "{}", out.stdout);
}

#[test]
fn a_tenant_with_very_many_channels_gets_its_catalogue_without_every_name() {
    let server = Server::start(&["--seed-channels", "5001"]);
    let cat = block_on(server.client().catalogue()).unwrap();
    assert!(cat.channels.is_empty(), "{} names sent", cat.channels.len());
    assert_eq!(cat.channels_omitted, 5001);
    assert!(!cat.ous.is_empty(), "the rest of the catalogue is there");
    let small = Server::start(&["--seed-channels", "3"]);
    let cat = block_on(small.client().catalogue()).unwrap();
    assert_eq!((cat.channels.len(), cat.channels_omitted), (3, 0));
}
