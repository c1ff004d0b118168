//! The Bot API client: `getMe`, `setWebhook`, `getWebhookInfo`,
//! `deleteWebhook`. Requests go to `{base}/bot<token>/<method>`; the URL is
//! never logged nor kept in an error, and any text from a lower layer is
//! scrubbed of the token and the webhook secret.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use url::Host;
use url::Url;

use super::error::{ApiFailure, FailureKind, TelegramError, explain};
use super::token::{BotToken, WebhookSecret};
use super::types::{BotInfo, Envelope, User, WebhookInfo, WebhookParams};

/// Telegram's Bot API.
pub const DEFAULT_API: &str = "https://api.telegram.org";
/// Environment variable naming another Bot API address (a local Bot API
/// server, a test stand-in).
pub const API_ENV: &str = "CHANWIZ_TELEGRAM_API";
/// Largest answer read from the Bot API.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

/// The Bot API address from `CHANWIZ_TELEGRAM_API`, if set and not blank.
pub fn api_base_from_env() -> Option<String> {
    std::env::var(API_ENV).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// How a wait asked by Telegram (429 `retry_after`) is spent. Tokio's sleep
/// by default; tests pass one that records the wait and returns at once.
#[derive(Clone)]
pub struct Sleeper(Arc<dyn Fn(Duration) -> SleepFuture + Send + Sync>);

impl Sleeper {
    /// Really wait.
    pub fn tokio() -> Self {
        Sleeper(Arc::new(|d| Box::pin(tokio::time::sleep(d))))
    }

    /// Wait with `f`.
    pub fn new<F, Fut>(f: F) -> Self
    where
        F: Fn(Duration) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        Sleeper(Arc::new(move |d| Box::pin(f(d))))
    }

    async fn sleep(&self, d: Duration) {
        (self.0)(d).await
    }
}

impl fmt::Debug for Sleeper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sleeper")
    }
}

/// What to do when Telegram answers 429 "Too Many Requests: retry after N".
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Calls in all, the first included (1 = never retry).
    pub max_attempts: u32,
    /// Longest wait accepted; a longer `retry_after` is reported instead.
    pub max_wait: Duration,
    pub sleeper: Sleeper,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy { max_attempts: 3, max_wait: Duration::from_secs(60), sleeper: Sleeper::tokio() }
    }
}

/// Where and how to call the Bot API.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Without a trailing `/`.
    base: String,
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    /// Whose words Telegram's refusals are explained in.
    pub face: super::Face,
}

impl ApiConfig {
    /// The Bot API at `base_url` (`https://...`; `http://` only for a
    /// loopback address, as a local stand-in uses).
    pub fn new(base_url: &str) -> Result<Self, TelegramError> {
        Ok(ApiConfig {
            base: check_base(base_url)?,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            face: super::Face::Wizard,
        })
    }

    /// `CHANWIZ_TELEGRAM_API` if set, else [`DEFAULT_API`].
    pub fn from_env() -> Result<Self, TelegramError> {
        ApiConfig::new(&api_base_from_env().unwrap_or_else(|| DEFAULT_API.to_owned()))
    }

    /// `explicit` (from `--telegram-api`) if given, else [`ApiConfig::from_env`].
    pub fn resolve(explicit: Option<&str>) -> Result<Self, TelegramError> {
        match explicit {
            Some(base) => ApiConfig::new(base),
            None => ApiConfig::from_env(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.base
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Explain refusals in `face`'s words (a command names its flags).
    pub fn with_face(mut self, face: super::Face) -> Self {
        self.face = face;
        self
    }
}

fn check_base(base_url: &str) -> Result<String, TelegramError> {
    let text = base_url.trim().trim_end_matches('/');
    let bad =
        |why: &str| TelegramError::Config(format!("Telegram API address {}: {why}", crate::sanitize::clean(text)));
    let url = Url::parse(text).map_err(|e| bad(&format!("not a URL ({e}); it looks like {DEFAULT_API}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("it must not carry a user name or password"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("it must not have a '?' or '#' part"));
    }
    let loopback = match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => return Err(bad("it has no host")),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(bad(
                "plain http would send the bot token unencrypted: use https:// (http:// is allowed only for 127.0.0.1)",
            ));
        }
        other => {
            return Err(bad(&format!("the scheme {other}:// is not supported: use https://")));
        }
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// A Bot API client for one bot.
pub struct BotApi {
    http: reqwest::Client,
    config: ApiConfig,
    token: BotToken,
}

impl fmt::Debug for BotApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BotApi").field("base", &self.config.base).field("token", &self.token).finish()
    }
}

/// The body of one call, rebuilt for each attempt.
enum Body {
    Empty,
    Json(serde_json::Value),
    Multipart { fields: Vec<(&'static str, String)>, certificate: Vec<u8> },
}

impl BotApi {
    /// A client for the bot `token` at `config`'s address.
    pub fn new(config: ApiConfig, token: BotToken) -> Result<Self, TelegramError> {
        // the same builder as the backend's client: the public web PKI, no
        // redirects (a redirect would carry the token to another place)
        let http = crate::http::client(&crate::http::Setup {
            timeout: Some(config.timeout),
            connect_timeout: Some(config.connect_timeout),
            ..Default::default()
        })
        .map_err(|e| TelegramError::Config(e.to_string()))?;
        Ok(BotApi { http, config, token })
    }

    pub fn token(&self) -> &BotToken {
        &self.token
    }

    pub fn config(&self) -> &ApiConfig {
        &self.config
    }

    /// `getMe`, proving the token: the bot's @username and name. Refuses an
    /// account that is not a bot.
    pub async fn get_me(&self) -> Result<BotInfo, TelegramError> {
        let (user, _): (User, _) = self.call("getMe", || Body::Empty, None).await?;
        bot_info(user)
    }

    /// `setWebhook`. Returns Telegram's description ("Webhook was set",
    /// "Webhook is already set"). Sent as JSON, or as multipart with the
    /// certificate file when one is given.
    pub async fn set_webhook(&self, params: &WebhookParams) -> Result<String, TelegramError> {
        let allowed = serde_json::to_string(&params.allowed_updates).unwrap_or_else(|_| "[]".to_owned());
        let make = || match &params.certificate_pem {
            None => {
                let mut v = serde_json::json!({
                    "url": params.url,
                    "allowed_updates": params.allowed_updates,
                    "drop_pending_updates": params.drop_pending_updates,
                });
                if let Some(s) = &params.secret_token {
                    v["secret_token"] = s.expose().into();
                }
                if let Some(m) = params.max_connections {
                    v["max_connections"] = m.into();
                }
                if let Some(ip) = &params.ip_address {
                    v["ip_address"] = ip.as_str().into();
                }
                Body::Json(v)
            }
            Some(pem) => {
                let mut fields = vec![
                    ("url", params.url.clone()),
                    ("allowed_updates", allowed.clone()),
                    ("drop_pending_updates", params.drop_pending_updates.to_string()),
                ];
                if let Some(s) = &params.secret_token {
                    fields.push(("secret_token", s.expose().to_owned()));
                }
                if let Some(m) = params.max_connections {
                    fields.push(("max_connections", m.to_string()));
                }
                if let Some(ip) = &params.ip_address {
                    fields.push(("ip_address", ip.clone()));
                }
                Body::Multipart { fields, certificate: pem.clone() }
            }
        };
        let (_, description): (bool, _) = self.call("setWebhook", make, params.secret_token.as_ref()).await?;
        Ok(description.unwrap_or_else(|| "Webhook was set".to_owned()))
    }

    /// `getWebhookInfo`.
    pub async fn get_webhook_info(&self) -> Result<WebhookInfo, TelegramError> {
        let (info, _) = self.call("getWebhookInfo", || Body::Empty, None).await?;
        Ok(info)
    }

    /// `deleteWebhook`. Returns Telegram's description ("Webhook was
    /// deleted", "Webhook is already deleted").
    pub async fn delete_webhook(&self, drop_pending_updates: bool) -> Result<String, TelegramError> {
        let make = || Body::Json(serde_json::json!({ "drop_pending_updates": drop_pending_updates }));
        let (_, description): (bool, _) = self.call("deleteWebhook", make, None).await?;
        Ok(description.unwrap_or_else(|| "Webhook was deleted".to_owned()))
    }

    /// Scrub the token and `secret` out of `text`.
    fn scrub(&self, text: &str, secret: Option<&WebhookSecret>) -> String {
        let text = self.token.redact(text);
        match secret {
            Some(s) => s.redact(&text),
            None => text,
        }
    }

    /// One method call, retried on 429 as the policy allows. Returns the
    /// parsed `result` and the `description`.
    async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        body: impl Fn() -> Body,
        secret: Option<&WebhookSecret>,
    ) -> Result<(T, Option<String>), TelegramError> {
        let url = format!("{}/bot{}/{}", self.config.base, self.token.expose(), method);
        let policy = &self.config.retry;
        let mut attempt = 1u32;
        loop {
            let request = match body() {
                Body::Empty => self.http.post(&url),
                Body::Json(v) => self.http.post(&url).json(&v),
                Body::Multipart { fields, certificate } => {
                    let mut form = reqwest::multipart::Form::new();
                    for (name, value) in fields {
                        form = form.text(name, value);
                    }
                    let part = reqwest::multipart::Part::bytes(certificate)
                        .file_name("certificate.pem")
                        .mime_str("application/x-pem-file")
                        .map_err(|e| {
                            TelegramError::Config(format!("certificate upload: {}", chain(&e.without_url())))
                        })?;
                    self.http.post(&url).multipart(form.part("certificate", part))
                }
            };
            tracing::debug!(target: "chanwiz::telegram", method, attempt, bot = %self.token, "calling the Bot API");
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => {
                    let timeout = e.is_timeout();
                    let detail = self.scrub(&chain(&e.without_url()), secret);
                    tracing::warn!(target: "chanwiz::telegram", method, bot = %self.token, error = %detail, "Bot API unreachable");
                    return Err(TelegramError::Unreachable { base: self.config.base.clone(), detail, timeout });
                }
            };
            let status = response.status().as_u16();
            let bytes = match read_limited(response).await {
                Ok(b) => b,
                Err(detail) => {
                    let detail = self.scrub(&detail, secret);
                    tracing::warn!(target: "chanwiz::telegram", method, status, error = %detail, "Bot API answer unreadable");
                    return Err(TelegramError::BadResponse {
                        base: self.config.base.clone(),
                        method: method.to_owned(),
                        status,
                        detail,
                    });
                }
            };
            let envelope: Envelope = match serde_json::from_slice(&bytes) {
                Ok(e) => e,
                Err(_) => {
                    let text = String::from_utf8_lossy(&bytes);
                    // redact the whole body before cutting it: a cut through the
                    // token would leave a piece no redaction recognises
                    let head: String = crate::sanitize::clean(&self.scrub(&text, secret)).chars().take(120).collect();
                    let detail = format!("it began: {head:?}");
                    tracing::warn!(target: "chanwiz::telegram", method, status, "Bot API answer is not JSON");
                    return Err(TelegramError::BadResponse {
                        base: self.config.base.clone(),
                        method: method.to_owned(),
                        status,
                        detail,
                    });
                }
            };
            let description = envelope.description.as_deref().map(|d| self.scrub(d, secret));
            if envelope.ok && (200..300).contains(&status) {
                tracing::info!(target: "chanwiz::telegram", method, status, description = description.as_deref().unwrap_or(""), "Bot API call succeeded");
                let result = envelope.result.unwrap_or(serde_json::Value::Null);
                return match serde_json::from_value::<T>(result) {
                    Ok(v) => Ok((v, description)),
                    Err(e) => Err(TelegramError::BadResponse {
                        base: self.config.base.clone(),
                        method: method.to_owned(),
                        status,
                        detail: self.scrub(&format!("its result is not what {method} returns: {e}"), secret),
                    }),
                };
            }
            let telegram = description.unwrap_or_default();
            let retry_after = envelope.parameters.and_then(|p| p.retry_after).or_else(|| parse_retry_after(&telegram));
            let (kind, mut explanation) = explain(method, status, &telegram, retry_after, self.config.face);
            tracing::warn!(target: "chanwiz::telegram", method, status, error_code = envelope.error_code, description = %telegram, attempt, "Bot API refused");
            if kind == FailureKind::TooManyRequests {
                let wait = Duration::from_secs(retry_after.unwrap_or(1));
                if attempt < policy.max_attempts && wait <= policy.max_wait {
                    tracing::info!(target: "chanwiz::telegram", method, wait_seconds = wait.as_secs(), "waiting as Telegram asked");
                    policy.sleeper.sleep(wait).await;
                    attempt += 1;
                    continue;
                }
                if attempt > 1 {
                    explanation = format!("{explanation} ({attempt} attempts made)");
                }
            }
            return Err(TelegramError::Api(ApiFailure {
                method: method.to_owned(),
                status,
                error_code: envelope.error_code,
                telegram,
                explanation,
                kind,
                retry_after,
            }));
        }
    }
}

/// `BotInfo` from `getMe`'s user, or why it is not a usable bot.
pub fn bot_info(user: User) -> Result<BotInfo, TelegramError> {
    let name = match &user.last_name {
        Some(last) if !last.is_empty() => format!("{} {last}", user.first_name),
        _ => user.first_name.clone(),
    };
    let shown = |u: &str| crate::sanitize::clean(u).into_owned();
    let Some(username) = user.username.clone().filter(|u| !u.is_empty()) else {
        return Err(TelegramError::NotABot(format!(
            "Telegram says this token belongs to \"{}\", which has no username, so it is not a bot: use the token @BotFather gave you for your bot.",
            shown(&name)
        )));
    };
    if !user.is_bot {
        return Err(TelegramError::NotABot(format!(
            "Telegram says this token belongs to @{}, which is not a bot: use the token @BotFather gave you for your bot.",
            shown(&username)
        )));
    }
    if !username.to_ascii_lowercase().ends_with("bot") {
        return Err(TelegramError::NotABot(format!(
            "Telegram says this token belongs to @{}, but a bot's username always ends in \"bot\": check that you copied the token of the right bot from @BotFather.",
            shown(&username)
        )));
    }
    Ok(BotInfo { id: user.id, username, name })
}

/// "Too Many Requests: retry after 7" → 7.
fn parse_retry_after(description: &str) -> Option<u64> {
    let lower = description.to_ascii_lowercase();
    let at = lower.find("retry after")? + "retry after".len();
    lower[at..].trim_start().split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()
}

/// An error and its causes, joined: "error sending request: client error
/// (Connect): tcp connect error: Connection refused (os error 111)".
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}

async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if out.len() + chunk.len() > MAX_ANSWER_BYTES {
                    return Err(format!("the answer is larger than {MAX_ANSWER_BYTES} bytes"));
                }
                out.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(format!("the answer broke off: {}", chain(&e.without_url()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_address_rules() {
        assert_eq!(ApiConfig::new("https://api.telegram.org/").unwrap().base_url(), "https://api.telegram.org");
        assert_eq!(ApiConfig::new(" http://127.0.0.1:8081 ").unwrap().base_url(), "http://127.0.0.1:8081");
        assert_eq!(ApiConfig::new("http://localhost:8081/tg/").unwrap().base_url(), "http://localhost:8081/tg");
        let e = ApiConfig::new("http://api.telegram.org").unwrap_err().to_string();
        assert!(e.contains("unencrypted"), "{e}");
        assert!(ApiConfig::new("ftp://x.org").is_err());
        assert!(ApiConfig::new("api.telegram.org").is_err());
        assert!(ApiConfig::new("https://u:p@api.telegram.org").is_err());
    }

    #[test]
    fn retry_after_is_read_from_the_text_too() {
        assert_eq!(parse_retry_after("Too Many Requests: retry after 7"), Some(7));
        assert_eq!(parse_retry_after("Too Many Requests"), None);
    }

    fn user(username: Option<&str>, is_bot: bool) -> User {
        User {
            id: 42,
            is_bot,
            first_name: "Support".into(),
            last_name: None,
            username: username.map(Into::into),
            can_join_groups: None,
            can_read_all_group_messages: None,
            supports_inline_queries: None,
        }
    }

    #[test]
    fn only_bots_pass() {
        let b = bot_info(user(Some("AICCCustomize_TWBot"), true)).unwrap();
        assert_eq!(b.handle(), "@AICCCustomize_TWBot");
        assert_eq!(b.name, "Support");
        let e = bot_info(user(Some("alice"), true)).unwrap_err().to_string();
        assert!(e.contains("@alice") && e.contains("ends in \"bot\""), "{e}");
        let e = bot_info(user(Some("alicebot"), false)).unwrap_err().to_string();
        assert!(e.contains("not a bot"), "{e}");
        assert!(bot_info(user(None, true)).is_err());
    }
}
