//! The async client API the wizard uses, against the real backend: health,
//! certificate upload, the integration settings and received updates.

mod support;

use chanwiz::api::{CertRole, CertificateUpload, IntegrationUpdate};
use chanwiz::client::ClientError;
use support::cli::*;

fn pem_certificate(cn: &str) -> String {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, cn);
    params.self_signed(&key).unwrap().pem()
}

#[test]
fn health_certificates_and_integration_work_end_to_end() {
    let server = Server::start(&[]);
    let client = server.client();
    block_on(async {
        let health = client.health().await.unwrap();
        assert!(health.ok);
        assert_eq!(health.version, env!("CARGO_PKG_VERSION"));

        // A certificate uploaded by the wizard shows up in the catalogue.
        let up = CertificateUpload {
            name: "Gateway CA".into(),
            role: CertRole::Trust,
            pem: Some(pem_certificate("Gateway Test")),
            der_base64: None,
        };
        let cert = client.upload_certificate(&up).await.unwrap();
        assert_eq!(cert.role, CertRole::Trust);
        let dir = tempfile::tempdir().unwrap();
        let fetched = client.refresh_catalogue(&client.catalogue_cache(dir.path())).await.unwrap();
        assert!(fetched.offline.is_none());
        assert!(fetched.catalogue.certificates.iter().any(|c| c.id == cert.id && c.name == "Gateway CA"));
        // ... and in the cache, for offline use.
        let cached = client.catalogue_cache(dir.path()).load().unwrap();
        assert_eq!(cached.catalogue, fetched.catalogue);

        let bad = CertificateUpload { pem: Some("-----BEGIN CERTIFICATE-----\nnope\n".into()), ..up };
        match client.upload_certificate(&bad).await {
            Err(ClientError::Invalid { errors, .. }) => assert!(errors.iter().any(|e| e.path == "pem"), "{errors:?}"),
            other => panic!("expected a 422, got {other:?}"),
        }

        // The integration page: the secret for setWebhook, the bot token write-only.
        let mut doc = chanwiz::model::parse_document(EXAMPLE).unwrap();
        doc.basic.channel_name = "Api_Channel".into();
        let ch = client.create_channel(&doc, "api-test-key-1").await.unwrap();
        let integ = client.integration(&ch.id).await.unwrap();
        assert_eq!(integ.integration_url, ch.integration_url);
        assert!(integ.webhook_secret.len() >= 32);
        assert!(!integ.has_bot_token);
        let token = "1234567890:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw";
        client
            .put_integration(&ch.id, &IntegrationUpdate { bot_token: Some(token.into()), ..Default::default() })
            .await
            .unwrap();
        assert!(client.integration(&ch.id).await.unwrap().has_bot_token);
        assert!(client.get_channel(&ch.id).await.unwrap().has_bot_token);
        assert!(client.received_updates(&ch.id).await.unwrap().is_empty());

        let missing = client.integration("no-such-channel").await.unwrap_err();
        assert!(matches!(missing, ClientError::NotFound { .. }), "{missing:?}");

        // The same create key again answers with the first channel.
        let again = client.create_channel(&doc, "api-test-key-1").await.unwrap();
        assert_eq!(again.id, ch.id);
        assert_eq!(client.all_channels(None).await.unwrap().len(), 1);
    });
}

#[test]
fn the_client_runs_inside_spawned_tokio_tasks() {
    let server = Server::start(&["--seed-channels", "30"]);
    let client = server.client();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let counts = rt.block_on(async {
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let c = client.clone();
                tokio::spawn(async move { c.all_channels(None).await.map(|v| v.len()) })
            })
            .collect();
        let mut counts = Vec::new();
        for t in tasks {
            counts.push(t.await.unwrap().unwrap());
        }
        counts
    });
    assert_eq!(counts, vec![30; 4]);
}

#[test]
fn a_backend_that_never_answers_times_out_and_reads_are_retried() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    // Accepts connections, reads the request, never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    let accepted = std::sync::Arc::new(AtomicUsize::new(0));
    let seen = accepted.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            seen.fetch_add(1, Ordering::SeqCst);
            held.push(conn);
        }
    });
    let settings = chanwiz::client::config::resolve(
        &chanwiz::client::Flags { backend: Some(url), token: Some("tok-123456".into()), ca_cert: None },
        &|_| None,
        None,
    )
    .unwrap();
    let options = chanwiz::client::Options {
        connect_timeout: Duration::from_secs(1),
        // the backend never answers: each try waits this long, for real
        timeout: Duration::from_millis(200),
        backoff: chanwiz::client::Backoff {
            first: Duration::from_millis(10),
            factor: 2,
            max: Duration::from_millis(20),
            retries: 2,
        },
    };
    let client = chanwiz::client::Client::with_options(&settings, options).unwrap();
    let err = block_on(client.catalogue()).unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    assert!(err.is_unreachable());
    assert_eq!(err.kind(), chanwiz::error_kind::ErrorKind::Unreachable);
    assert!(err.to_string().contains("did not answer"), "{err}");
    assert_eq!(accepted.load(Ordering::SeqCst), 3, "one try and two retries");

    // A delete is not retried.
    let before = accepted.load(Ordering::SeqCst);
    let err = block_on(client.delete_channel("abc")).unwrap_err();
    assert!(matches!(err, ClientError::Timeout { .. }), "{err:?}");
    assert_eq!(accepted.load(Ordering::SeqCst), before + 1);
}
