//! Raw HTTP against a running `chanwiz serve` (for the server tests that
//! check statuses and bodies exactly, beneath the client library).
#![allow(dead_code)]

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::serve::Server;

/// A plain HTTP client (rustls' provider installed once).
pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}

/// The example document named `name`, as JSON.
pub fn named(name: &str) -> Value {
    let mut doc: Value = serde_json::from_str(super::EXAMPLE).unwrap();
    doc["basic"]["channel_name"] = json!(name);
    doc
}

/// An answer's status and its JSON body (a body that is not JSON fails the
/// test, with the body).
pub async fn status_json(r: reqwest::Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}")))
}

/// `POST /api/v1/channels` with `Idempotency-Key: key`.
pub async fn create(s: &Server, doc: &Value, key: &str) -> (StatusCode, Value) {
    let r = http()
        .post(format!("{}/api/v1/channels", s.url))
        .bearer_auth(&s.token)
        .header("Idempotency-Key", key)
        .json(doc)
        .send()
        .await
        .unwrap();
    status_json(r).await
}

/// `GET path` (e.g. `/api/v1/exports/ID`) as the server's tenant: its JSON body.
pub async fn get_json(s: &Server, path: &str) -> Value {
    http().get(format!("{}{path}", s.url)).bearer_auth(&s.token).send().await.unwrap().json().await.unwrap()
}
