//! The configuration API over real HTTP on loopback against a temporary
//! SQLite file: tenants, validation, idempotency, versions, write-only
//! secrets, the integration and delivery endpoints, bad input, OpenAPI.

#![cfg(feature = "server")]

mod support;

use std::collections::BTreeSet;

use chanwiz::api::{Channel, Integration, Page, ReceivedUpdate};
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::server::*;

#[tokio::test]
async fn each_tenant_sees_only_its_own_channels_and_tokens_are_checked() {
    let s = start(0).await;
    let ch = s.create(&example()).await;
    let other = s.add_tenant("other");
    let path = format!("/api/v1/channels/{}", ch.id);

    for (method, p) in [
        ("GET", path.clone()),
        ("PUT", path.clone()),
        ("DELETE", path.clone()),
        ("GET", format!("{path}/integration")),
        ("PUT", format!("{path}/integration")),
        ("GET", format!("{path}/updates")),
    ] {
        let req = s.http.request(method.parse().unwrap(), s.u(&p)).bearer_auth(&other).header("If-Match", "\"1\"");
        let req =
            if method == "PUT" && !p.ends_with("integration") { req.json(&example()) } else { req.json(&json!({})) };
        let (status, body) = status_json(req.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {p}: {body}");
        assert!(body["error"].as_str().unwrap().contains("no channel"), "{body}");
    }
    let page: Page<Value> =
        s.http.get(s.u("/api/v1/channels")).bearer_auth(&other).send().await.unwrap().json().await.unwrap();
    assert_eq!(page.total, 0);
    // the other tenant's catalogue is its own (empty): the example is refused there
    let (status, body) = status_json(s.create_as(&other, &named("Other_One"), "k").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error_paths(&body).contains(&"basic.ou".to_string()), "{body}");

    // the owner still sees its channel, unchanged
    let (status, _) = status_json(s.get(&path).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);

    // no token, a wrong token, a malformed header
    for auth in [None, Some("Bearer cwt_not-a-real-token"), Some("Basic dXNlcjpwdw=="), Some("Bearer ")] {
        let mut req = s.http.get(s.u("/api/v1/channels"));
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.headers()["www-authenticate"], "Bearer");
        let (status, body) = status_json(r).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(body["error"].is_string());
    }
    // health needs no token
    let (status, body) = status_json(s.http.get(s.u("/api/v1/health")).send().await.unwrap()).await;
    assert_eq!((status, body["ok"].clone()), (StatusCode::OK, json!(true)));
}

#[tokio::test]
async fn invalid_documents_get_422_naming_every_broken_rule() {
    let s = start(0).await;
    s.create(&example()).await;

    let mut doc = example(); // same name as the stored one
    doc.basic.ou = "ou-9".into();
    doc.channel_info.trust_certificate = "cert-id-1".into(); // an identity certificate
    doc.basic.skill_queue = "sq-4".into(); // WhatsApp only
    doc.channel_info.base_url = "https://aicc.example.com:28090".into();
    let (status, body) = status_json(s.create_as(&s.token, &doc, "bad-1").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let paths: BTreeSet<String> = error_paths(&body).into_iter().collect();
    let want: BTreeSet<String> = [
        "basic.channel_name",
        "basic.ou",
        "basic.skill_queue",
        "channel_info.trust_certificate",
        "channel_info.base_url",
    ]
    .map(String::from)
    .into();
    assert_eq!(paths, want, "{body}");
    let messages = body["errors"].to_string();
    assert!(messages.contains("already exists"), "{messages}");
    assert!(messages.contains("identity certificate"), "{messages}");
    assert!(messages.contains("domain name is not supported"), "{messages}");

    // a create without the APP Secret is refused (it is required on create)
    let mut doc = named("No_Secret");
    doc.channel_info.app_secret = None;
    let (status, body) = status_json(s.create_as(&s.token, &doc, "bad-2").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_paths(&body), ["channel_info.app_secret"]);

    // nothing was stored by the refused creates
    let page: Page<Value> = s.get("/api/v1/channels").send().await.unwrap().json().await.unwrap();
    assert_eq!(page.total, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_retried_create_returns_the_first_result_and_makes_one_channel() {
    let s = start(0).await;
    let doc = named("Retry_Me");
    let first = s.create_as(&s.token, &doc, "same-key").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let first: Value = first.json().await.unwrap();
    let again = s.create_as(&s.token, &doc, "same-key").await;
    assert_eq!(again.status(), StatusCode::CREATED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    let again: Value = again.json().await.unwrap();
    assert_eq!(first, again);

    // the same key with another document is refused, not silently replayed
    let (status, _) = status_json(s.create_as(&s.token, &named("Another_One"), "same-key").await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // a create without a key is refused
    let r = s.post("/api/v1/channels").json(&named("No_Key")).send().await.unwrap();
    let (status, body) = status_json(r).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["error"].as_str().unwrap().contains("Idempotency-Key"));

    // twelve identical creates racing: one channel, twelve identical answers
    let doc = named("Raced");
    let mut racers = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let (http, url, token, doc) = (s.http.clone(), s.u("/api/v1/channels"), s.token.clone(), doc.clone());
        racers.spawn(async move {
            let r = http
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", "race-key")
                .json(&doc)
                .send()
                .await
                .unwrap();
            (r.status(), r.text().await.unwrap())
        });
    }
    let answers = racers.join_all().await;
    assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
    assert_eq!(answers[0].0, StatusCode::CREATED);
    let page: Page<Value> = s.get("/api/v1/channels?name=Raced").send().await.unwrap().json().await.unwrap();
    assert_eq!(page.total, 1);
    let page: Page<Value> = s.get("/api/v1/channels").send().await.unwrap().json().await.unwrap();
    assert_eq!(page.total, 2);
}

#[tokio::test]
async fn updates_need_the_current_version() {
    let s = start(0).await;
    let ch = s.create(&named("Versioned")).await;
    let path = format!("/api/v1/channels/{}", ch.id);

    let r = s.get(&path).send().await.unwrap();
    assert_eq!(r.headers()["etag"], "\"1\"");

    // no If-Match: 428
    let mut doc = ch.document.clone();
    doc.basic.ou = "ou-1".into();
    let (status, body) = status_json(s.put(&path).json(&doc).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::PRECONDITION_REQUIRED, "{body}");

    // based on version 1: accepted, version 2, secret kept although absent
    let r = s.put(&path).header("If-Match", "\"1\"").json(&doc).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["etag"], "\"2\"");
    let v2: Channel = r.json().await.unwrap();
    assert_eq!((v2.version, v2.document.basic.ou.as_str(), v2.has_app_secret), (2, "ou-1", true));

    // another update still based on version 1: 412 with the current document
    let mut stale = ch.document.clone();
    stale.basic.skill_queue = "sq-2".into();
    stale.basic.session_transfer_no_agent_reply.target_skill_queue = "sq-1".into();
    let (status, body) = status_json(s.put(&path).header("If-Match", "\"1\"").json(&stale).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::PRECONDITION_FAILED);
    let current: Channel = serde_json::from_value(body["current"].clone()).unwrap();
    assert_eq!(current, v2);
    assert!(!body.to_string().contains(APP_SECRET));

    // keeping its own name is not a duplicate; taking another channel's is
    let other = s.create(&named("Other_Name")).await;
    let mut renamed = v2.document.clone();
    renamed.basic.channel_name = "Other_Name".into();
    let (status, body) =
        status_json(s.put(&path).header("If-Match", "\"2\"").json(&renamed).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error_paths(&body), ["basic.channel_name"]);

    // a garbage If-Match is a 400, not a 500
    let (status, _) = status_json(s.put(&path).header("If-Match", "yesterday").json(&doc).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // delete: a stale If-Match is refused, then the channel goes
    let del = |v: &str| {
        s.http
            .delete(s.u(&format!("/api/v1/channels/{}", other.id)))
            .bearer_auth(&s.token)
            .header("If-Match", v.to_string())
    };
    assert_eq!(del("\"7\"").send().await.unwrap().status(), StatusCode::PRECONDITION_FAILED);
    assert_eq!(del("\"1\"").send().await.unwrap().status(), StatusCode::NO_CONTENT);
    let (status, _) = status_json(s.get(&format!("/api/v1/channels/{}", other.id)).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn secrets_are_written_never_read() {
    let s = start(0).await;
    let ch = s.create(&example()).await;
    let path = format!("/api/v1/channels/{}", ch.id);
    let bot_token = "7012345678:AAH-secretBotTokenValue_0123456789abcd";
    let r = s.put(&format!("{path}/integration")).json(&json!({ "bot_token": bot_token })).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);

    let mut bodies = Vec::new();
    for p in [path.clone(), "/api/v1/channels".into(), "/api/v1/catalogue".into(), format!("{path}/integration")] {
        let r = s.get(&p).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{p}");
        bodies.push(r.text().await.unwrap());
    }
    let mut doc = ch.document.clone();
    doc.channel_info.app_secret = None;
    let r = s.put(&path).header("If-Match", "\"1\"").json(&doc).send().await.unwrap();
    bodies.push(r.text().await.unwrap());
    let r = s.put(&path).header("If-Match", "\"1\"").json(&doc).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::PRECONDITION_FAILED);
    bodies.push(r.text().await.unwrap());
    for body in &bodies {
        assert!(!body.contains(APP_SECRET), "{body}");
        assert!(!body.contains("AAH-secretBotToken"), "{body}");
        assert!(!body.contains("\"app_secret\""), "{body}");
    }
    let channel: Channel = serde_json::from_str(&bodies[0]).unwrap();
    assert!(channel.has_app_secret && channel.has_bot_token);
    assert_eq!(channel.document.channel_info.app_secret, None);

    // the integration answer: URL from the BaseUrl, a webhook secret of the documented shape
    let integration: Integration = serde_json::from_str(&bodies[3]).unwrap();
    assert_eq!(integration.integration_url, format!("https://192.0.2.10:28090/apiaccess/telegram/message/{}", ch.id));
    assert!(integration.webhook_secret.len() >= 32);
    assert!(integration.webhook_secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'));
    assert!(integration.has_bot_token);

    // a malformed bot token is refused without being repeated
    let (status, body) = status_json(
        s.put(&format!("{path}/integration"))
            .json(&json!({ "bot_token": "not a token SECRETPART" }))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(!body.to_string().contains("SECRETPART"), "{body}");
    // a webhook secret may be replaced, but only by one of the allowed shape
    let (status, body) = status_json(
        s.put(&format!("{path}/integration")).json(&json!({ "webhook_secret": "short" })).send().await.unwrap(),
    )
    .await;
    assert_eq!((status, error_paths(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["webhook_secret".to_string()]));
}

#[tokio::test]
async fn telegram_deliveries_need_the_channel_secret() {
    let s = start(0).await;
    let ch = s.create(&example()).await;
    let integration: Integration =
        s.get(&format!("/api/v1/channels/{}/integration", ch.id)).send().await.unwrap().json().await.unwrap();
    let url = s.u(&format!("/apiaccess/telegram/message/{}", ch.id));
    let update = json!({ "update_id": 424242, "message": { "message_id": 1, "text": "hello" } });

    // Telegram re-sends an update whose answer got lost: accepted again, kept once
    for _ in 0..2 {
        let r = s
            .http
            .post(&url)
            .header("X-Telegram-Bot-Api-Secret-Token", &integration.webhook_secret)
            .json(&update)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }

    // an update far larger than Telegram sends is refused, even with the secret
    let big = json!({ "update_id": 7, "message": { "message_id": 2, "text": "x".repeat(100 * 1024) } });
    let r = s
        .http
        .post(&url)
        .header("X-Telegram-Bot-Api-Secret-Token", &integration.webhook_secret)
        .json(&big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);

    let wrong = format!("{}x", &integration.webhook_secret[1..]);
    for secret in [None, Some(wrong.as_str()), Some("")] {
        let mut req = s.http.post(&url).json(&json!({ "update_id": 1 }));
        if let Some(v) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", v);
        }
        let (status, body) = status_json(req.send().await.unwrap()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{secret:?}");
        assert!(body["error"].is_string());
    }
    // an unknown channel answers the same 403, so ids cannot be probed
    let (status, _) = status_json(
        s.http
            .post(s.u("/apiaccess/telegram/message/0123456789abcdef0123456789abcdef"))
            .header("X-Telegram-Bot-Api-Secret-Token", &integration.webhook_secret)
            .json(&update)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // a rotated secret takes over at once
    let new_secret = "N3w-Secret_abcdefghijklmnopqrstuvwxyz0123";
    let r = s
        .put(&format!("/api/v1/channels/{}/integration", ch.id))
        .json(&json!({ "webhook_secret": new_secret }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let old = s
        .http
        .post(&url)
        .header("X-Telegram-Bot-Api-Secret-Token", &integration.webhook_secret)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::FORBIDDEN);
    let second = json!({ "update_id": 424243, "message": { "message_id": 2, "text": "again" } });
    let r = s.http.post(&url).header("X-Telegram-Bot-Api-Secret-Token", new_secret).json(&second).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // only the accepted updates are stored, newest first
    let got: Vec<ReceivedUpdate> =
        s.get(&format!("/api/v1/channels/{}/updates", ch.id)).send().await.unwrap().json().await.unwrap();
    assert_eq!(got.iter().map(|u| u.update_id).collect::<Vec<_>>(), [Some(424243), Some(424242)]);
    assert_eq!(got[1].body, update);
}

#[tokio::test]
async fn bad_input_gets_a_4xx_with_a_json_error() {
    let s = start(0).await;
    let ch = s.create(&example()).await;
    let huge = format!("{{\"basic\":{{\"channel_name\":\"{}\"}}}}", "a".repeat(2 * 1024 * 1024));
    let cases: Vec<(&str, reqwest::RequestBuilder, StatusCode)> = vec![
        (
            "broken JSON",
            s.post("/api/v1/channels")
                .header("Idempotency-Key", "b1")
                .header("content-type", "application/json")
                .body("{\"basic\": {,}"),
            StatusCode::BAD_REQUEST,
        ),
        ("empty body", s.post("/api/v1/channels").header("Idempotency-Key", "b2"), StatusCode::BAD_REQUEST),
        (
            "unknown field",
            s.post("/api/v1/channels")
                .header("Idempotency-Key", "b3")
                .header("content-type", "application/json")
                .body(r#"{"basic":{"chanel_name":"x"}}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "wrong type",
            s.post("/api/v1/channels")
                .header("Idempotency-Key", "b4")
                .header("content-type", "application/json")
                .body(r#"{"basic":{"last_agent_mode":{"retention_hours":"24"}}}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "array body",
            s.post("/api/v1/channels")
                .header("Idempotency-Key", "b5")
                .header("content-type", "application/json")
                .body("[1,2]"),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "newer schema",
            s.post("/api/v1/channels")
                .header("Idempotency-Key", "b6")
                .header("content-type", "application/json")
                .body(r#"{"schema_version":9}"#),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "huge body",
            s.post("/api/v1/channels")
                .header("Idempotency-Key", "b7")
                .header("content-type", "application/json")
                .body(huge.clone()),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        // refused on its declared length, before the secret is even looked at
        (
            "huge delivery",
            s.http
                .post(s.u(&format!("/apiaccess/telegram/message/{}", ch.id)))
                .header("content-type", "application/json")
                .body(huge),
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            "not UTF-8",
            s.post("/api/v1/channels")
                .header("Idempotency-Key", "b8")
                .header("content-type", "application/json")
                .body(vec![0xff, 0xfe, 0x7b]),
            StatusCode::BAD_REQUEST,
        ),
        ("bad id", s.get("/api/v1/channels/..%2F..%2Fetc"), StatusCode::NOT_FOUND),
        ("id not UTF-8", s.get("/api/v1/channels/%FF%FE"), StatusCode::BAD_REQUEST),
        ("long id", s.get(&format!("/api/v1/channels/{}", "x".repeat(5000))), StatusCode::NOT_FOUND),
        ("unknown route", s.get("/api/v1/nothing"), StatusCode::NOT_FOUND),
        ("wrong method", s.http.patch(s.u("/api/v1/channels")).bearer_auth(&s.token), StatusCode::METHOD_NOT_ALLOWED),
        ("bad page", s.get("/api/v1/channels?page=abc"), StatusCode::BAD_REQUEST),
        ("page zero", s.get("/api/v1/channels?page=0"), StatusCode::BAD_REQUEST),
        ("per_page too big", s.get("/api/v1/channels?per_page=100000"), StatusCode::BAD_REQUEST),
        ("export unknown field", s.post("/api/v1/exports").json(&json!({"ids": []})), StatusCode::UNPROCESSABLE_ENTITY),
        (
            "export wrong type",
            s.post("/api/v1/exports").json(&json!({"channel_ids": "all"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("unknown export", s.get("/api/v1/exports/abc"), StatusCode::NOT_FOUND),
        (
            "integration unknown field",
            s.put(&format!("/api/v1/channels/{}/integration", ch.id)).json(&json!({"token": "1:a"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "certificate garbage",
            s.post("/api/v1/certificates").json(&json!({"name": "x", "role": "trust", "pem": "hello"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "certificate bad role",
            s.post("/api/v1/certificates").json(&json!({"name": "x", "role": "root", "pem": "hello"})),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ];
    for (what, req, want) in cases {
        let r = req.send().await.unwrap();
        assert_eq!(r.headers().get("content-type").map(|v| v.to_str().unwrap()), Some("application/json"), "{what}");
        let (status, body) = status_json(r).await;
        assert_eq!(status, want, "{what}: {body}");
        assert!(body["error"].as_str().is_some_and(|e| !e.is_empty()), "{what}: {body}");
    }
    // with the right secret, a delivery is still held to the body limit and to JSON
    let integration: Integration =
        s.get(&format!("/api/v1/channels/{}/integration", ch.id)).send().await.unwrap().json().await.unwrap();
    let delivery = s.u(&format!("/apiaccess/telegram/message/{}", ch.id));
    for (body, want) in [
        ("x".repeat(2 * 1024 * 1024), StatusCode::PAYLOAD_TOO_LARGE),
        ("{not json".into(), StatusCode::BAD_REQUEST),
        ("[1]".into(), StatusCode::BAD_REQUEST),
    ] {
        let r = s
            .http
            .post(&delivery)
            .header("X-Telegram-Bot-Api-Secret-Token", &integration.webhook_secret)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let (status, json) = status_json(r).await;
        assert_eq!(status, want, "{json}");
    }
    // the unknown field is named with its path
    let r = s
        .post("/api/v1/channels")
        .header("Idempotency-Key", "b3")
        .header("content-type", "application/json")
        .body(r#"{"basic":{"chanel_name":"x"}}"#)
        .send()
        .await
        .unwrap();
    let (_, body) = status_json(r).await;
    assert_eq!(error_paths(&body), ["basic.chanel_name"]);
    // and the server still serves
    let (status, _) = status_json(s.get(&format!("/api/v1/channels/{}", ch.id)).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_catalogue_lists_what_telegram_can_use_and_takes_certificates() {
    let s = start(0).await;
    let sr = &s;
    let get = |p: &'static str| async move { sr.get(p).send().await.unwrap().json::<Value>().await.unwrap() };
    let ids =
        |v: &Value| v.as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(ids(&get("/api/v1/ous").await), ["ou-1", "ou-2"]);
    assert_eq!(get("/api/v1/ous").await[1]["parent"], "ou-1");
    assert_eq!(ids(&get("/api/v1/skill-queues").await), ["sq-1", "sq-2", "sq-3"]);
    assert_eq!(ids(&get("/api/v1/chatbots").await), ["bot-1"]);
    assert_eq!(ids(&get("/api/v1/assistants").await), ["asst-1"]);
    let certs = get("/api/v1/certificates").await;
    assert_eq!(ids(&certs), ["cert-id-1", "cert-trust-1"]);
    assert_eq!((certs[0]["role"].as_str(), certs[1]["role"].as_str()), (Some("identity"), Some("trust")));
    assert_eq!(certs[0]["expired"], false);

    // upload a PEM and a DER certificate; they join the catalogue with their roles
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["gw.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Uploaded Gateway");
    let cert = params.self_signed(&key).unwrap();
    let (status, up) = status_json(
        s.post("/api/v1/certificates")
            .json(&json!({"name": "Gateway", "role": "trust", "pem": cert.pem()}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{up}");
    assert!(up["subject"].as_str().unwrap().contains("Uploaded Gateway"));
    use base64::Engine;
    let der = base64::engine::general_purpose::STANDARD.encode(cert.der());
    let (status, up2) = status_json(
        s.post("/api/v1/certificates")
            .json(&json!({"name": "Gw DER", "role": "identity", "der_base64": der}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{up2}");
    // a private key is refused
    let (status, body) = status_json(
        s.post("/api/v1/certificates")
            .json(&json!({"name": "oops", "role": "trust", "pem": key.serialize_pem()}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, error_paths(&body)), (StatusCode::UNPROCESSABLE_ENTITY, vec!["pem".to_string()]));

    let cat: chanwiz::api::Catalogue = s.get("/api/v1/catalogue").send().await.unwrap().json().await.unwrap();
    assert_eq!(cat.certificates.len(), 4);
    // the uploaded trust certificate can be used at once
    let mut doc = named("Uses_Upload");
    doc.channel_info.trust_certificate = up["id"].as_str().unwrap().to_string();
    let ch = s.create(&doc).await;
    let cat: chanwiz::api::Catalogue = s.get("/api/v1/catalogue").send().await.unwrap().json().await.unwrap();
    assert_eq!(
        cat.channels.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect::<Vec<_>>(),
        [(ch.id.as_str(), "Uses_Upload")]
    );
}

#[tokio::test]
async fn channel_lists_are_paged_and_filtered() {
    let s = start(0).await;
    for name in ["Alpha_Sales", "Beta_Sales", "Gamma_Support", "alpha_two"] {
        s.create(&named(name)).await;
    }
    let page: Page<Value> = s.get("/api/v1/channels?per_page=3").send().await.unwrap().json().await.unwrap();
    assert_eq!((page.total, page.items.len(), page.per_page), (4, 3, 3));
    let page2: Page<Value> = s.get("/api/v1/channels?per_page=3&page=2").send().await.unwrap().json().await.unwrap();
    assert_eq!(page2.items.len(), 1);
    let all: BTreeSet<String> =
        page.items.iter().chain(&page2.items).map(|c| c["name"].as_str().unwrap().to_string()).collect();
    assert_eq!(all.len(), 4);
    for c in page.items.iter().chain(&page2.items) {
        let url = format!("https://192.0.2.10:28090/apiaccess/telegram/message/{}", c["id"].as_str().unwrap());
        assert_eq!(c["integration_url"], url.as_str());
    }
    let sales: Page<Value> = s.get("/api/v1/channels?name=sales").send().await.unwrap().json().await.unwrap();
    let names: Vec<_> = sales.items.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Alpha_Sales", "Beta_Sales"]);
    // `_` is a plain character in the filter, not a wildcard
    let underscore: Page<Value> = s.get("/api/v1/channels?name=a_t").send().await.unwrap().json().await.unwrap();
    assert_eq!(underscore.total, 1);
}

/// Paths and methods of `assets/openapi.yaml`: `  /path:` lines under
/// `paths:` and `    method:` lines under them.
fn openapi_operations(yaml: &str) -> BTreeSet<(String, String)> {
    let mut ops = BTreeSet::new();
    let (mut in_paths, mut path) = (false, None::<String>);
    for line in yaml.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        if indent == 0 {
            in_paths = line.trim_end() == "paths:";
            path = None;
            continue;
        }
        if !in_paths {
            continue;
        }
        let key = line.trim().trim_end_matches(':');
        if indent == 2 && line.trim_end().ends_with(':') {
            path = Some(key.trim_matches(['"', '\'']).to_string());
        } else if indent == 4
            && let Some(p) = &path
            && ["get", "put", "post", "delete", "patch", "head", "options"].contains(&key)
        {
            ops.insert((p.clone(), key.to_string()));
        }
    }
    ops
}

#[test]
fn the_openapi_document_describes_exactly_the_routes_served() {
    let yaml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/openapi.yaml")).unwrap();
    let documented = openapi_operations(&yaml);
    let served: BTreeSet<(String, String)> =
        chanwiz::server::route_list().into_iter().map(|(m, p)| (p.to_string(), m.to_string())).collect();
    assert_eq!(documented, served);
    assert!(served.len() >= 20);
}

/// A raw JSON body, as a client other than chanwiz sends it.
fn raw(r: reqwest::RequestBuilder, body: &Value) -> reqwest::RequestBuilder {
    r.header("content-type", "application/json").body(body.to_string())
}

#[tokio::test]
async fn null_for_any_field_of_a_create_or_an_update_is_that_field_left_out() {
    let s = start(0).await;
    // the example with null for the fields it may leave out is created as
    // the example without them
    let with_nulls: Value = serde_json::from_str(support::EXAMPLE_WITH_NULLS).unwrap();
    let r = raw(s.post("/api/v1/channels"), &with_nulls).header("Idempotency-Key", "nulls-1").send().await.unwrap();
    let (status, body) = status_json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let created: Channel = serde_json::from_value(body).unwrap();
    let want: chanwiz::model::ChannelDocument = serde_json::from_value(support::without_nulls(&with_nulls)).unwrap();
    assert_eq!(created.document, want.normalized().without_secrets());
    assert!(!created.document.basic.session_transfer_no_agent_reply.enabled);
    assert_eq!(created.document.basic.last_agent_mode.retention_hours, 24);

    // every field null breaks the rules an empty document breaks, no more
    let nulls: Value = serde_json::from_str(support::EVERY_FIELD_NULL).unwrap();
    let r = raw(s.post("/api/v1/channels"), &nulls).header("Idempotency-Key", "nulls-2").send().await.unwrap();
    let (status, null_body) = status_json(r).await;
    let r = raw(s.post("/api/v1/channels"), &json!({})).header("Idempotency-Key", "nulls-3").send().await.unwrap();
    let (empty_status, empty_body) = status_json(r).await;
    assert_eq!((status, &null_body["errors"]), (empty_status, &empty_body["errors"]), "{null_body}");
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // an update with null at any one key of the example is the update
    // without that key
    let path = format!("/api/v1/channels/{}", created.id);
    let example: Value = serde_json::from_str(EXAMPLE).unwrap();
    let put = |doc: Value| {
        let r = raw(s.put(&path), &doc).header("If-Match", "*");
        async move {
            let (status, body) = status_json(r.send().await.unwrap()).await;
            (status, body["errors"].clone(), body["document"].clone())
        }
    };
    let keys = support::each_key_null(&example);
    assert!(keys.len() > 40);
    for (key, nulled, absent) in keys {
        let got = put(nulled).await;
        assert_ne!(got.0, StatusCode::BAD_REQUEST, "{key}: {got:?}");
        assert_eq!(got, put(absent).await, "{key}: null is not the key left out");
    }
}

#[tokio::test]
async fn a_certificate_is_removed_unless_a_channel_uses_it_and_only_in_its_tenant() {
    let s = start(0).await;
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["gw.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Removable Gateway");
    let cert = params.self_signed(&key).unwrap();
    let (status, up) = status_json(
        s.post("/api/v1/certificates")
            .json(&json!({"name": "Gateway", "role": "trust", "pem": cert.pem()}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{up}");
    let id = up["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/certificates/{id}");
    let mut doc = named("Uses_Gateway");
    doc.channel_info.trust_certificate = id.clone();
    let ch = s.create(&doc).await;

    // the list names the channels using each certificate
    let certs: Value = s.get("/api/v1/certificates").send().await.unwrap().json().await.unwrap();
    let listed = certs.as_array().unwrap().iter().find(|c| c["id"] == id.as_str()).unwrap();
    assert_eq!(listed["used_by"], json!(["Uses_Gateway"]));
    let cat: chanwiz::api::Catalogue = s.get("/api/v1/catalogue").send().await.unwrap().json().await.unwrap();
    let in_cat = cat.certificates.iter().find(|c| c.id == id).unwrap();
    assert_eq!(in_cat.used_by, ["Uses_Gateway"]);

    // another tenant cannot see or remove it
    let other = s.add_tenant("other");
    let r = s.http.delete(s.u(&path)).bearer_auth(&other).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // refused while the channel uses it, naming the channel
    let (status, body) = status_json(s.http.delete(s.u(&path)).bearer_auth(&s.token).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["error"].as_str().unwrap().contains("'Uses_Gateway'"), "{body}");

    // once the channel is gone, it is removed; then it is unknown
    let r = s.http.delete(s.u(&format!("/api/v1/channels/{}", ch.id))).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = s.http.delete(s.u(&path)).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let certs: Value = s.get("/api/v1/certificates").send().await.unwrap().json().await.unwrap();
    assert!(certs.as_array().unwrap().iter().all(|c| c["id"] != id.as_str()));
    let (status, body) = status_json(s.http.delete(s.u(&path)).bearer_auth(&s.token).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}
