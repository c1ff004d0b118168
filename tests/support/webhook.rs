//! The real backend (`server::spawn`, a temporary SQLite file, HTTPS with
//! its self-signed certificate), the local Bot API stand-in, a channel made
//! from the example document, the CLI run as a user runs it, and Telegram's
//! side of a delivery. Used by the `webhook_*` and `e2e_integration` tests.

use std::net::SocketAddr;
use std::path::PathBuf;

use chanwiz::api::Integration;
use chanwiz::client::{Backoff, Client};
use chanwiz::server::{RunningServer, ServerConfig, TlsMode};

use super::telegram_standin::TelegramStandIn;
#[allow(unused_imports)]
pub use super::{EXAMPLE, Out, all_text_under};
/// A public IPv4 address (never contacted: the stand-in delivers to the
/// backend's real address instead, [`Env::telegram_delivers`]).
pub const PUBLIC: &str = "https://93.184.216.34:8443";

pub struct Env {
    pub server: RunningServer,
    pub standin: TelegramStandIn,
    pub client: Client,
    pub admin_token: String,
    pub ca_cert: PathBuf,
    pub channel_id: String,
    pub channel_name: String,
    /// CHANWIZ_HOME of the CLI runs (logs end up here).
    pub home: tempfile::TempDir,
    pub dir: tempfile::TempDir,
}

impl Env {
    pub async fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let standin = TelegramStandIn::start().await;
        let server = chanwiz::server::spawn(ServerConfig {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: dir.path().join("server.db"),
            demo: true,
            seed_channels: 0,
            tls: TlsMode::SelfSigned,
            telegram_api: Some(standin.base_url.clone()),
        })
        .await
        .unwrap();
        let admin_token = server.demo_token.clone().unwrap();
        let ca_cert = server.cert_pem.clone().unwrap();
        let client = client_for(&server.url, &admin_token, &ca_cert);
        let channel_name = "Webhook_Support".to_string();
        let doc = super::named(&channel_name);
        let channel = client.create_channel(&doc, "webhook-test-create").await.unwrap();
        Env {
            server,
            standin,
            client,
            admin_token,
            ca_cert,
            channel_id: channel.id,
            channel_name,
            home: tempfile::tempdir().unwrap(),
            dir,
        }
    }

    pub async fn integration(&self) -> Integration {
        self.client.integration(&self.channel_id).await.unwrap()
    }

    /// `chanwiz webhook ARGS` with the backend, the stand-in and `bot_token`
    /// in the environment (the token as a user passes it: CHANWIZ_BOT_TOKEN).
    pub fn command(&self, args: &[&str], bot_token: Option<&str>) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_chanwiz"));
        c.arg("webhook")
            .args(args)
            .env("CHANWIZ_HOME", self.home.path())
            .env("CHANWIZ_LOG", "debug")
            .env("CHANWIZ_BACKEND", &self.server.url)
            .env("CHANWIZ_TOKEN", &self.admin_token)
            .env("CHANWIZ_CA_CERT", &self.ca_cert)
            .env("CHANWIZ_TELEGRAM_API", &self.standin.base_url)
            .env_remove("CHANWIZ_BOT_TOKEN")
            .env("CHANWIZ_RETRY_DELAY_MS", super::RETRY_DELAY_MS)
            .stdin(std::process::Stdio::null());
        if let Some(t) = bot_token {
            c.env("CHANWIZ_BOT_TOKEN", t);
        }
        c
    }

    pub async fn run(&self, args: &[&str], bot_token: Option<&str>) -> Out {
        Out::from(self.command(args, bot_token).output().await.unwrap())
    }

    /// `webhook set --channel NAME --public-url PUBLIC` plus `extra`.
    pub async fn set(&self, bot_token: &str, extra: &[&str]) -> Out {
        let mut args = vec!["set", "--channel", &self.channel_name, "--public-url", PUBLIC];
        args.extend_from_slice(extra);
        self.run(&args, Some(bot_token)).await
    }

    /// The webhook URL registered with `--public-url PUBLIC`.
    pub fn registered_url(&self) -> String {
        format!("{PUBLIC}/apiaccess/telegram/message/{}", self.channel_id)
    }

    /// Deliver `update` as Telegram does: POST to the channel's integration
    /// path on the backend, with `secret` in the secret-token header.
    pub async fn deliver(&self, secret: Option<&str>, update: &serde_json::Value) -> u16 {
        let url = format!("{}/apiaccess/telegram/message/{}", self.server.url, self.channel_id);
        let mut req = telegram_side(&self.ca_cert).post(url).json(update);
        if let Some(s) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        req.send().await.unwrap().status().as_u16()
    }

    /// The stand-in delivers `update` to the webhook of the bot `token` as
    /// Telegram does (the registered URL's path on the backend, with the
    /// secret given at setWebhook).
    pub async fn telegram_delivers(&self, token: &str, update: &serde_json::Value) -> u16 {
        self.standin.deliver(token, update, &self.server.url, &self.ca_cert).await
    }

    /// Deliver `body` (JSON bytes) as Telegram does to the channel
    /// `channel_id`, with `secret` in the secret-token header.
    pub async fn deliver_raw(&self, channel_id: &str, secret: Option<&str>, body: Vec<u8>) -> u16 {
        let url = format!("{}/apiaccess/telegram/message/{channel_id}", self.server.url);
        let mut req = telegram_side(&self.ca_cert).post(url).header("content-type", "application/json").body(body);
        if let Some(s) = secret {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        req.send().await.map(|r| r.status().as_u16()).unwrap_or(0)
    }

    /// Another channel of the tenant, named `name`; its id.
    pub async fn second_channel(&self, name: &str) -> String {
        self.client.create_channel(&super::named(name), &format!("create-{name}")).await.unwrap().id
    }

    /// Every log file of the CLI runs.
    pub fn logs(&self) -> String {
        all_text_under(self.home.path())
    }
}

/// A configuration client trusting the backend's certificate, never retrying.
pub fn client_for(url: &str, token: &str, ca_cert: &std::path::Path) -> Client {
    super::backend_client(url, token, Some(ca_cert), Backoff::none())
}

/// An HTTPS client trusting the backend's self-signed certificate, as
/// Telegram trusts the uploaded one.
fn telegram_side(ca_cert: &std::path::Path) -> reqwest::Client {
    super::telegram_standin::https_trusting(ca_cert)
}

/// A Telegram update as a private chat message produces it.
pub fn update(update_id: i64, text: &str) -> serde_json::Value {
    serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": 7,
            "date": 1_700_000_000,
            "chat": { "id": 4242, "type": "private", "first_name": "Customer" },
            "from": { "id": 4242, "is_bot": false, "first_name": "Customer" },
            "text": text
        }
    })
}

/// A private chat message from `first_name` saying `text`, sent now (as
/// Telegram dates it: whole seconds).
pub fn message_now(update_id: i64, first_name: &str, text: &str) -> serde_json::Value {
    serde_json::json!({
        "update_id": update_id,
        "message": {
            "message_id": 8,
            "date": chrono::Utc::now().timestamp(),
            "chat": { "id": 4343, "type": "private", "first_name": first_name },
            "from": { "id": 4343, "is_bot": false, "first_name": first_name },
            "text": text
        }
    })
}
