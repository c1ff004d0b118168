//! The reference backend in this process, on loopback over a temporary
//! SQLite file, and a raw HTTP client for it. Used by the `server_*` tests.

use std::path::PathBuf;

use chanwiz::api::Channel;
use chanwiz::model::ChannelDocument;
use chanwiz::server::{self, RunningServer, ServerConfig, TlsMode};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

#[allow(unused_imports)]
pub use super::{APP_SECRET, EXAMPLE, example, named};

pub struct Srv {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub url: String,
    pub token: String,
    pub http: Client,
    pub running: RunningServer,
}

pub fn client() -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    Client::builder().build().unwrap()
}

pub async fn start(seed_channels: usize) -> Srv {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let running = server::spawn(ServerConfig {
        addr: "127.0.0.1:0".parse().unwrap(),
        db: db.clone(),
        demo: true,
        seed_channels,
        tls: TlsMode::Off,
        telegram_api: None,
    })
    .await
    .unwrap();
    Srv { url: running.url.clone(), token: running.demo_token.clone().unwrap(), db, dir, http: client(), running }
}

impl Srv {
    pub fn u(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.u(path)).bearer_auth(&self.token)
    }

    pub fn post(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.post(self.u(path)).bearer_auth(&self.token)
    }

    pub fn put(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.put(self.u(path)).bearer_auth(&self.token)
    }

    /// Create a channel; the answer as it came.
    pub async fn create_as(&self, token: &str, doc: &ChannelDocument, key: &str) -> Response {
        self.http
            .post(self.u("/api/v1/channels"))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(doc)
            .send()
            .await
            .unwrap()
    }

    /// Create a channel that must be accepted.
    pub async fn create(&self, doc: &ChannelDocument) -> Channel {
        let r = self.create_as(&self.token, doc, &uuid::Uuid::new_v4().to_string()).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    /// Add a tenant to the running server's database; its token.
    pub fn add_tenant(&self, name: &str) -> String {
        server::auth::add_tenant(&self.db, name).unwrap()
    }
}

/// Status and JSON body of an answer.
pub async fn status_json(r: Response) -> (StatusCode, Value) {
    let status = r.status();
    let text = r.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: body is not JSON ({e}): {text}"));
    (status, value)
}

/// The paths of a 422 body's errors.
pub fn error_paths(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|a| a.iter().map(|e| e["path"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}
