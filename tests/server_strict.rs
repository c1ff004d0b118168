//! `chanwiz serve` holds clients to the letter of its API: one test per
//! rule, over real HTTP on loopback against the built binary and a temporary
//! SQLite file. And `assets/openapi.yaml` documents every status each route
//! can answer.

#![cfg(feature = "server")]

mod support;

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::{Value, json};
use support::raw::{create, get_json, http, named, status_json};
use support::serve::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn channel_count(s: &Server) -> u64 {
    let r = http().get(format!("{}/api/v1/channels", s.url)).bearer_auth(&s.token).send().await.unwrap();
    status_json(r).await.1["total"].as_u64().unwrap()
}

/// Send raw request bytes on a new connection; everything answered until
/// the server closes it (`Connection: close` is added to `head`).
async fn raw(s: &Server, head: &str, body: &[u8]) -> String {
    let mut stream = TcpStream::connect(s.url.trim_start_matches("http://")).await.unwrap();
    let mut request = format!("{head}Host: 127.0.0.1\r\nConnection: close\r\n\r\n").into_bytes();
    request.extend_from_slice(body);
    stream.write_all(&request).await.unwrap();
    let mut got = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read_to_end(&mut got)).await;
    String::from_utf8_lossy(&got).to_string()
}

#[tokio::test]
async fn a_body_not_sent_as_json_gets_415() {
    let s = Server::start(&[]);
    let body = named("Typed").to_string();
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "application/jsonx"] {
        let r = http()
            .post(format!("{}/api/v1/channels", s.url))
            .bearer_auth(&s.token)
            .header("Idempotency-Key", format!("typed-{content_type}"))
            .header("Content-Type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let (status, json) = status_json(r).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}: {json}");
        assert!(json["error"].as_str().unwrap().contains("application/json"), "{json}");
    }
    // no Content-Type at all, with a body
    let r = http()
        .post(format!("{}/api/v1/channels", s.url))
        .bearer_auth(&s.token)
        .header("Idempotency-Key", "typed-none")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(channel_count(&s).await, 0);
    // with parameters it is still JSON
    let r = http()
        .post(format!("{}/api/v1/channels", s.url))
        .bearer_auth(&s.token)
        .header("Idempotency-Key", "typed-charset")
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
}

#[tokio::test]
async fn if_match_star_is_accepted_and_weak_validators_are_refused() {
    let s = Server::start(&[]);
    let (_, ch) = create(&s, &named("Guarded"), "guarded").await;
    let url = format!("{}/api/v1/channels/{}", s.url, ch["id"].as_str().unwrap());
    let mut doc = ch["document"].clone();
    doc["basic"]["ou"] = json!("ou-1");
    let put = |tag: &str| http().put(&url).bearer_auth(&s.token).header("If-Match", tag.to_string()).json(&doc);

    let (status, body) = status_json(put("W/\"1\"").send().await.unwrap()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["error"].as_str().unwrap().contains("weak"), "{body}");
    let r = put("*").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["etag"], "\"2\"");

    let delete = |tag: &str| http().delete(&url).bearer_auth(&s.token).header("If-Match", tag.to_string());
    assert_eq!(delete("W/\"2\"").send().await.unwrap().status(), StatusCode::BAD_REQUEST);
    assert_eq!(delete("*").send().await.unwrap().status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_duplicated_idempotency_key_or_authorization_header_is_400() {
    let s = Server::start(&[]);
    let body = named("Twice").to_string();
    let head = |extra: &str| {
        format!(
            "POST /api/v1/channels HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}",
            body.len()
        )
    };
    let token = &s.token;
    for (what, extra) in [
        ("Idempotency-Key", format!("Authorization: Bearer {token}\r\nIdempotency-Key: a\r\nIdempotency-Key: b\r\n")),
        (
            "Authorization",
            format!("Authorization: Bearer {token}\r\nAuthorization: Bearer {token}\r\nIdempotency-Key: a\r\n"),
        ),
    ] {
        let answer = raw(&s, &head(&extra), body.as_bytes()).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{what}: {answer}");
        assert!(answer.contains(&format!("2 {what} headers")), "{what}: {answer}");
    }
    assert_eq!(channel_count(&s).await, 0);
}

#[tokio::test]
async fn an_idempotency_key_must_be_visible_ascii() {
    let s = Server::start(&[]);
    let long = "k".repeat(256);
    for key in ["two words", "tab\there", long.as_str()] {
        let (status, body) = create(&s, &named("Keyed"), key).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{key:?}: {body}");
        assert!(body["error"].as_str().unwrap().contains("visible ASCII"), "{body}");
    }
    assert_eq!(channel_count(&s).await, 0);
    let (status, _) = create(&s, &named("Keyed"), "visible-ASCII_~!#$%&'*+.^`|").await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn a_declared_body_over_the_limit_is_refused_at_once_without_100_continue() {
    let s = Server::start(&[]);
    let head = format!(
        "POST /api/v1/channels HTTP/1.1\r\nAuthorization: Bearer {}\r\nIdempotency-Key: big\r\n\
         Content-Type: application/json\r\nContent-Length: 2147483648\r\nExpect: 100-continue\r\n",
        s.token
    );
    let answer = raw(&s, &head, b"").await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(!answer.contains("100 Continue"), "{answer}");
    assert!(answer.contains("at most 1048576 bytes"), "{answer}");
    // a Telegram delivery has its own, smaller limit
    let head = "POST /apiaccess/telegram/message/0123456789abcdef0123456789abcdef HTTP/1.1\r\n\
                Content-Type: application/json\r\nContent-Length: 70000\r\nExpect: 100-continue\r\n";
    let answer = raw(&s, head, b"").await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("at most 65536 bytes"), "{answer}");
}

#[tokio::test]
async fn a_replayed_create_whose_channel_was_deleted_answers_410() {
    let s = Server::start(&[]);
    let doc = named("Short_Lived");
    let (status, ch) = create(&s, &doc, "short-lived").await;
    assert_eq!(status, StatusCode::CREATED);
    let id = ch["id"].as_str().unwrap();
    let r = http().delete(format!("{}/api/v1/channels/{id}", s.url)).bearer_auth(&s.token).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let (status, body) = create(&s, &doc, "short-lived").await;
    assert_eq!(status, StatusCode::GONE, "{body}");
    let message = body["error"].as_str().unwrap();
    assert!(message.contains("deleted") && message.contains(id) && message.contains("new key"), "{message}");
    assert_eq!(channel_count(&s).await, 0);
    let (status, _) = create(&s, &doc, "short-lived-again").await;
    assert_eq!(status, StatusCode::CREATED);
}

#[tokio::test]
async fn certificate_subjects_are_kept_and_shown_without_terminal_sequences() {
    let s = Server::start(&[]);
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["gw.example".to_string()]).unwrap();
    params.distinguished_name.push(rcgen::DnType::CommonName, "Evil\u{1b}]0;pwned\u{7}Corp\u{1b}[31m\u{9b}2J!");
    let cert = params.self_signed(&key).unwrap();
    let r = http()
        .post(format!("{}/api/v1/certificates", s.url))
        .bearer_auth(&s.token)
        .json(&json!({"name": "Gateway", "role": "trust", "pem": cert.pem()}))
        .send()
        .await
        .unwrap();
    let (status, up) = status_json(r).await;
    assert_eq!(status, StatusCode::CREATED, "{up}");
    let r = http().get(format!("{}/api/v1/certificates", s.url)).bearer_auth(&s.token).send().await.unwrap();
    let listed = r.text().await.unwrap();
    for shown in [up.to_string(), listed] {
        assert!(shown.contains("EvilCorp!"), "{shown}");
        assert!(!shown.contains("pwned") && !shown.contains("\\u001b") && !shown.contains("\\u009b"), "{shown}");
    }
    // and so it is stored
    let db = rusqlite::Connection::open(s.dir.path().join("server.db")).unwrap();
    let stored: String =
        db.query_row("SELECT subject FROM certificates WHERE name = 'Gateway'", [], |r| r.get(0)).unwrap();
    assert!(stored.contains("EvilCorp!") && !stored.chars().any(char::is_control), "{stored:?}");
}

#[tokio::test]
async fn null_for_an_optional_integration_field_means_absent() {
    let s = Server::start(&[]);
    let (_, ch) = create(&s, &named("Nullable"), "nullable").await;
    let url = format!("{}/api/v1/channels/{}/integration", s.url, ch["id"].as_str().unwrap());
    let put = |body: Value| http().put(&url).bearer_auth(&s.token).json(&body);
    let bot_token = "7012345678:AAH-nullTest_0123456789abcdefghij";
    assert_eq!(put(json!({"bot_token": bot_token})).send().await.unwrap().status(), StatusCode::NO_CONTENT);
    let before: Value = http().get(&url).bearer_auth(&s.token).send().await.unwrap().json().await.unwrap();

    let r = put(json!({"bot_token": null, "webhook_secret": null})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let after: Value = http().get(&url).bearer_auth(&s.token).send().await.unwrap().json().await.unwrap();
    assert_eq!(after, before);
    assert_eq!(after["has_bot_token"], true);
    // a value of another type is still refused, naming the field
    let (status, body) = status_json(put(json!({"bot_token": 5})).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["path"], "bot_token", "{body}");
}

/// Response statuses of each operation of `assets/openapi.yaml`, keyed
/// `"method path"`.
fn documented_statuses(yaml: &str) -> BTreeMap<String, BTreeSet<u16>> {
    let mut ops: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    let (mut in_paths, mut path, mut op) = (false, String::new(), None::<String>);
    for line in yaml.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let key = line.trim().split(':').next().unwrap_or_default().trim_matches(['"', '\'']);
        match indent {
            0 => {
                in_paths = line.trim_end() == "paths:";
                op = None;
            }
            2 if in_paths => {
                path = key.to_string();
                op = None;
            }
            4 if in_paths && ["get", "put", "post", "delete", "patch"].contains(&key) => {
                let name = format!("{key} {path}");
                ops.entry(name.clone()).or_default();
                op = Some(name);
            }
            4 => op = None,
            8 if in_paths => {
                if let (Some(op), Ok(code)) = (&op, key.parse::<u16>()) {
                    ops.get_mut(op).unwrap().insert(code);
                }
            }
            _ => {}
        }
    }
    ops
}

#[test]
fn every_operation_documents_every_status_it_can_answer() {
    let yaml = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/assets/openapi.yaml")).unwrap();
    let documented = documented_statuses(&yaml);
    let served = chanwiz::server::route_list();
    assert_eq!(documented.len(), served.len(), "{:?}", documented.keys());
    for (method, path) in served {
        let name = format!("{method} {path}");
        let codes = documented.get(&name).unwrap_or_else(|| panic!("{name} is not documented"));
        // any request: a bad or doubled header, the deadlines, a declared
        // body over the limit, the connection cap, a failure, a full disk
        let mut want: BTreeSet<u16> = [400, 408, 413, 500, 503, 507].into();
        if path.starts_with("/api/v1/") && path != chanwiz::api::routes::HEALTH {
            want.extend([401, 429]);
        }
        if path.contains('{') && path.starts_with("/api/v1/") {
            want.insert(404);
        }
        if matches!(method, "post" | "put") {
            want.insert(415);
        }
        if matches!(method, "post" | "put" | "delete") && path.starts_with("/api/v1/") {
            want.insert(409);
        }
        if method == "put" && path == chanwiz::api::routes::CHANNEL {
            want.extend([412, 422, 428]);
        }
        if method == "post" && path == chanwiz::api::routes::CHANNELS {
            want.extend([410, 422]);
        }
        let missing: Vec<_> = want.difference(codes).collect();
        assert!(missing.is_empty(), "{name} does not document {missing:?}");
        assert!(codes.iter().any(|c| (200..300).contains(c)), "{name} documents no success");
    }
}

#[tokio::test]
async fn a_body_that_is_an_array_is_refused_not_read_as_fields_in_order() {
    let s = Server::start(&[]);
    let (status, channel) = create(&s, &named("Arrayed"), "arrayed").await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    let id = channel["id"].as_str().unwrap();
    let put = |path: String, body: &'static str| {
        http()
            .put(format!("{}{path}", s.url))
            .bearer_auth(&s.token)
            .header("Content-Type", "application/json")
            .body(body)
    };
    // found by the fuzzer: `[null, null]` was taken as two absent fields (204)
    for (path, body) in [
        (format!("/api/v1/channels/{id}/integration"), "[null, null]"),
        (format!("/api/v1/channels/{id}/integration/next-secret"), "[\"0123456789abcdef0123456789abcdef\"]"),
    ] {
        let (status, json) = status_json(put(path.clone(), body).send().await.unwrap()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {json}");
        assert_eq!(json["errors"][0]["path"], "(body)", "{json}");
    }
    let integration: Value = get_json(&s, &format!("/api/v1/channels/{id}/integration")).await;
    assert_eq!(integration["rotation_pending"], false, "{integration}");
    // a channel document too: an array is not a document of defaults
    let r = http()
        .post(format!("{}/api/v1/channels", s.url))
        .bearer_auth(&s.token)
        .header("Idempotency-Key", "arrayed-doc")
        .header("Content-Type", "application/json")
        .body("[]")
        .send()
        .await
        .unwrap();
    let (status, json) = status_json(r).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{json}");
    assert_eq!(json["errors"][0]["path"], "(document)", "{json}");
}

#[tokio::test]
async fn a_secret_of_the_wrong_type_is_refused_without_its_value_being_repeated() {
    let s = Server::start(&[]);
    let mut doc = named("Numeric_Secret");
    doc["channel_info"]["app_secret"] = json!(987654321);
    let (status, body) = create(&s, &doc, "numeric-secret").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["errors"][0]["path"], "channel_info.app_secret", "{body}");
    assert!(body.to_string().contains("expected"), "the rule is said: {body}");
    assert!(!body.to_string().contains("987654321"), "the secret is echoed: {body}");

    let (_, ch) = create(&s, &named("Numeric_Token"), "numeric-token").await;
    let url = format!("{}/api/v1/channels/{}/integration", s.url, ch["id"].as_str().unwrap());
    for body in [json!({"bot_token": 1234567890123_u64}), json!({"webhook_secret": 4242424242_u64})] {
        let r = http().put(&url).bearer_auth(&s.token).json(&body).send().await.unwrap();
        let (status, said) = status_json(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{said}");
        assert!(!said.to_string().contains("1234567890123") && !said.to_string().contains("4242424242"), "{said}");
    }
    // the CLI's own reading of a document says the same, without the value
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("doc.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_chanwiz")).arg("validate").arg(&file).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success() && err.contains("app_secret"), "{err}");
    assert!(!err.contains("987654321"), "{err}");
}

#[tokio::test]
async fn a_bot_token_whose_id_fits_no_bot_is_refused_naming_the_rule() {
    let s = Server::start(&[]);
    let (_, ch) = create(&s, &named("Huge_Bot_Id"), "huge-bot-id").await;
    let url = format!("{}/api/v1/channels/{}/integration", s.url, ch["id"].as_str().unwrap());
    for token in ["99999999999999999999999:abc", "0:AAH-zeroIdToken_0123456789abcdefghij"] {
        let r = http().put(&url).bearer_auth(&s.token).json(&json!({ "bot_token": token })).send().await.unwrap();
        let (status, body) = status_json(r).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{token}: {body}");
        assert_eq!(body["errors"][0]["path"], "bot_token", "{body}");
        assert!(body.to_string().contains("bot id"), "{body}");
        assert!(!body.to_string().contains(token), "{body}");
    }
}
