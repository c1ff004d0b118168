//! A local stand-in for Telegram's Bot API servers, for tests: an axum server
//! on 127.0.0.1:0, started in-process. It answers `getMe`, `setWebhook`,
//! `getWebhookInfo` and `deleteWebhook` as the Bot API documents, with the
//! Bot API's exact error bodies, and records every request it receives.
//!
//! It validates webhooks itself, the way Telegram does (secret charset and
//! length, HTTPS, ports 80/88/443/8443, no reserved or IPv6-only address),
//! with its own code, so tests can prove that chanwiz's pre-checks agree
//! with Telegram's rules. It calls a webhook only when told to
//! ([`TelegramStandIn::deliver`]): Telegram only accepts public addresses
//! and tests cannot reach those, so the test says where the registered
//! address really is.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A request as the stand-in received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// Bot API method as sent (e.g. `setWebhook`).
    pub method: String,
    /// The token from the path.
    pub token: String,
    /// `GET` or `POST`.
    pub http_method: String,
    /// `json`, `form`, `multipart` or `none`.
    pub encoding: String,
    /// Parameters from the query and the body (form and multipart values
    /// are strings, JSON values keep their type).
    pub params: BTreeMap<String, Value>,
    /// The `certificate` file, when one was uploaded.
    pub certificate: Option<Vec<u8>>,
    /// The status answered.
    pub status: u16,
    /// The description answered, if any.
    pub description: Option<String>,
}

impl Recorded {
    /// A parameter as Telegram reads it: a string (JSON non-strings as JSON text).
    pub fn arg(&self, name: &str) -> Option<String> {
        self.params.get(name).map(value_text)
    }

    pub fn secret_token(&self) -> Option<String> {
        self.arg("secret_token")
    }

    pub fn flag(&self, name: &str) -> Option<bool> {
        self.arg(name).map(|v| v == "true" || v == "1")
    }

    /// `allowed_updates`, sent as a JSON array or as its JSON text.
    pub fn allowed_updates(&self) -> Option<Vec<String>> {
        match self.params.get("allowed_updates")? {
            Value::Array(a) => Some(a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect()),
            Value::String(s) => serde_json::from_str(s).ok(),
            _ => None,
        }
    }
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A bot (or, with `is_bot` false, a user) that a token belongs to.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub is_bot: bool,
    pub first_name: String,
    pub username: String,
}

/// A bot's webhook as the stand-in keeps it.
#[derive(Debug, Clone, Default)]
pub struct Webhook {
    pub url: String,
    pub secret_token: Option<String>,
    pub allowed_updates: Option<Vec<String>>,
    pub max_connections: u32,
    pub has_custom_certificate: bool,
    pub ip_address: Option<String>,
    pub pending_update_count: u64,
}

#[derive(Default)]
struct Inner {
    accounts: HashMap<String, Account>,
    webhooks: HashMap<String, Webhook>,
    /// The next N calls answer 429 with this retry_after.
    forced_429: u32,
    retry_after: u64,
    /// Reported as `last_error_message` (and its `last_error_date`) while a
    /// webhook is set.
    delivery_error: Option<(String, i64)>,
    /// After a successful setWebhook, another tool sets this URL.
    thief: Option<String>,
    /// The next call of a method (lower case) answers this status and description.
    forced_errors: Vec<(String, u16, String)>,
    /// After the next successful setWebhook, the getWebhookInfo confirming it
    /// answers this status and description.
    failing_confirmation: Option<(u16, String)>,
    /// Host names the stand-in "resolves".
    dns: HashMap<String, IpAddr>,
    requests: Vec<Recorded>,
}

/// The running stand-in; stops when dropped.
pub struct TelegramStandIn {
    /// `http://127.0.0.1:PORT`: pass it as the Bot API address.
    pub base_url: String,
    inner: Arc<Mutex<Inner>>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// A well-formed token for tests.
pub fn token(id: u64) -> String {
    format!("{id}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALD{:04}", id % 10_000)
}

/// Another well-formed token of the same bot as [`token`]`(id)` (what
/// @BotFather gives after /revoke: the bot id stays, the secret changes).
pub fn renewed(id: u64) -> String {
    format!("{id}:AAHdqTcvCH1vGWJxfSeofSAs0K5PALR{:04}", id % 10_000)
}

impl TelegramStandIn {
    /// Starts the stand-in on 127.0.0.1 with an ephemeral port.
    pub async fn start() -> TelegramStandIn {
        let inner = Arc::new(Mutex::new(Inner::default()));
        {
            let mut i = inner.lock().unwrap();
            i.dns.insert("localhost".into(), IpAddr::V4(Ipv4Addr::LOCALHOST));
        }
        let app = Router::new().fallback(handle).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0))).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        TelegramStandIn { base_url: format!("http://{addr}"), inner, _stop: stop }
    }

    /// `token` belongs to the bot `@username` named `name`.
    pub fn add_bot(&self, token: &str, username: &str, name: &str) {
        self.add_account(token, username, name, true);
    }

    /// `token` belongs to an account with `is_bot` as given.
    pub fn add_account(&self, token: &str, username: &str, name: &str, is_bot: bool) {
        let id = token.split(':').next().and_then(|i| i.parse().ok()).unwrap_or(1);
        self.inner.lock().unwrap().accounts.insert(
            token.to_owned(),
            Account { id, is_bot, first_name: name.to_owned(), username: username.to_owned() },
        );
    }

    /// The next `calls` calls answer 429 "Too Many Requests: retry after N".
    pub fn force_429(&self, calls: u32, retry_after: u64) {
        let mut i = self.inner.lock().unwrap();
        i.forced_429 = calls;
        i.retry_after = retry_after;
    }

    /// The next call of `method` answers `status` with `description` (the
    /// Bot API's error body), whatever its parameters: for refusals chanwiz's
    /// own checks would catch before Telegram is called.
    pub fn fail_next(&self, method: &str, status: u16, description: &str) {
        self.inner.lock().unwrap().forced_errors.push((method.to_ascii_lowercase(), status, description.to_owned()));
    }

    /// The next setWebhook succeeds, but the getWebhookInfo after it answers
    /// `status` with `description` (the change happened; confirming it failed).
    pub fn fail_confirmation(&self, status: u16, description: &str) {
        self.inner.lock().unwrap().failing_confirmation = Some((status, description.to_owned()));
    }

    /// While a webhook is set, getWebhookInfo reports this last error, of
    /// November 2023 (older than anything a test registers).
    pub fn set_delivery_error(&self, message: &str) {
        self.set_delivery_error_at(message, 1_700_000_000);
    }

    /// While a webhook is set, getWebhookInfo reports this last error as
    /// `last_error_message`, at the Unix time `date` (`last_error_date`).
    pub fn set_delivery_error_at(&self, message: &str, date: i64) {
        self.inner.lock().unwrap().delivery_error = Some((message.to_owned(), date));
    }

    /// A delivery error happening now (a second from now, so that it is
    /// newer than a registration made in the same second).
    pub fn set_delivery_error_now(&self, message: &str) {
        self.set_delivery_error_at(message, chrono::Utc::now().timestamp() + 1);
    }

    /// The bot's webhook is deleted (by someone else).
    pub fn clear_webhook(&self, token: &str) {
        self.inner.lock().unwrap().webhooks.remove(token);
    }

    /// The bot already has a webhook (set by someone else).
    pub fn set_existing_webhook(&self, token: &str, url: &str, pending_update_count: u64) {
        self.inner.lock().unwrap().webhooks.insert(
            token.to_owned(),
            Webhook { url: url.to_owned(), max_connections: 40, pending_update_count, ..Default::default() },
        );
    }

    /// Updates queued for the bot.
    pub fn set_pending(&self, token: &str, count: u64) {
        self.inner.lock().unwrap().webhooks.entry(token.to_owned()).or_default().pending_update_count = count;
    }

    /// After each successful setWebhook, another tool at once sets `url`.
    pub fn steal_webhook_after_set(&self, url: &str) {
        self.inner.lock().unwrap().thief = Some(url.to_owned());
    }

    /// `host` resolves to `ip`.
    pub fn add_dns(&self, host: &str, ip: IpAddr) {
        self.inner.lock().unwrap().dns.insert(host.to_ascii_lowercase(), ip);
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// Requests for one method.
    pub fn requests_for(&self, method: &str) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.method.eq_ignore_ascii_case(method)).collect()
    }

    /// The bot's webhook as it now stands.
    pub fn webhook(&self, token: &str) -> Webhook {
        self.inner.lock().unwrap().webhooks.get(token).cloned().unwrap_or_default()
    }

    /// Deliver `update` to the bot's webhook as Telegram does: `POST` the
    /// JSON to the URL registered with setWebhook, the `secret_token` given
    /// then in `X-Telegram-Bot-Api-Secret-Token`. The registered address is
    /// public and never contacted: its scheme, host and port are replaced by
    /// `reach` (where the webhook really listens), its path kept; `ca_pem`
    /// is the certificate trusted there (as Telegram trusts the uploaded
    /// one). A refused delivery is reported afterwards as Telegram reports
    /// one: `last_error_message` "Wrong response from the webhook: 403
    /// Forbidden", now, and one more pending update. The status answered,
    /// or 0 when no webhook is set or nothing answered.
    pub async fn deliver(&self, token: &str, update: &Value, reach: &str, ca_pem: &std::path::Path) -> u16 {
        let hook = self.webhook(token);
        if hook.url.is_empty() {
            return 0;
        }
        let registered = url::Url::parse(&hook.url).unwrap();
        let mut target = url::Url::parse(reach).unwrap();
        target.set_path(registered.path());
        let mut req = https_trusting(ca_pem).post(target).json(update);
        if let Some(s) = &hook.secret_token {
            req = req.header("X-Telegram-Bot-Api-Secret-Token", s);
        }
        let status = req.send().await.map(|r| r.status().as_u16()).unwrap_or(0);
        if !(200..300).contains(&status) {
            let reason = StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("");
            let message = if status == 0 {
                "Connection refused".to_owned()
            } else {
                format!("Wrong response from the webhook: {status} {reason}")
            };
            let mut i = self.inner.lock().unwrap();
            i.delivery_error = Some((message, chrono::Utc::now().timestamp() + 1));
            if let Some(h) = i.webhooks.get_mut(token) {
                h.pending_update_count += 1;
            }
        }
        status
    }
}

/// An HTTPS client trusting the certificate(s) in `ca_pem`, as Telegram
/// trusts a webhook's uploaded certificate.
pub fn https_trusting(ca_pem: &std::path::Path) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let pem = std::fs::read(ca_pem).unwrap();
    let mut roots = rustls::RootCertStore::empty();
    for cert in <rustls_pki_types::CertificateDer as rustls_pki_types::pem::PemObject>::pem_slice_iter(&pem) {
        roots.add(cert.unwrap()).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    reqwest::Client::builder().tls_backend_preconfigured(tls).build().unwrap()
}

fn answer_ok(result: Value, description: Option<&str>) -> (u16, Value) {
    let mut body = json!({ "ok": true, "result": result });
    if let Some(d) = description {
        body["description"] = d.into();
    }
    (200, body)
}

fn answer_err(code: u16, description: &str) -> (u16, Value) {
    (code, json!({ "ok": false, "error_code": code, "description": description }))
}

async fn handle(State(inner): State<Arc<Mutex<Inner>>>, request: Request) -> Response {
    let http_method = request.method().to_string();
    let uri = request.uri().clone();
    let headers = request.headers().clone();
    let body = axum::body::to_bytes(request.into_body(), 16 * 1024 * 1024).await.unwrap_or_default();

    // /bot<token>/<method>
    let path = uri.path();
    let parsed = path
        .strip_prefix("/bot")
        .and_then(|rest| rest.split_once('/'))
        .filter(|(t, m)| !t.is_empty() && !m.is_empty() && !m.contains('/'));
    let Some((token, method)) = parsed else {
        let (status, body) = answer_err(404, "Not Found");
        return reply(status, body);
    };
    let token = token.to_owned();
    let method = method.to_owned();

    let (encoding, mut params, certificate) = parse_params(&headers, &body);
    if let Some(q) = uri.query() {
        for (k, v) in url::form_urlencoded::parse(q.as_bytes()) {
            params.entry(k.into_owned()).or_insert(Value::String(v.into_owned()));
        }
    }

    let mut state = inner.lock().unwrap();
    let mut record = Recorded {
        method: method.clone(),
        token: token.clone(),
        http_method,
        encoding,
        params: params.clone(),
        certificate: certificate.clone(),
        status: 0,
        description: None,
    };
    let (status, body) = dispatch(&mut state, &token, &method, &record);
    record.status = status;
    record.description = body.get("description").and_then(Value::as_str).map(str::to_owned);
    state.requests.push(record);
    reply(status, body)
}

fn reply(status: u16, body: Value) -> Response {
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

fn dispatch(state: &mut Inner, token: &str, method: &str, req: &Recorded) -> (u16, Value) {
    if state.forced_429 > 0 {
        state.forced_429 -= 1;
        let n = state.retry_after;
        return (
            429,
            json!({
                "ok": false,
                "error_code": 429,
                "description": format!("Too Many Requests: retry after {n}"),
                "parameters": { "retry_after": n }
            }),
        );
    }
    let lower = method.to_ascii_lowercase();
    if let Some(i) = state.forced_errors.iter().position(|(m, _, _)| *m == lower) {
        let (_, status, description) = state.forced_errors.remove(i);
        return answer_err(status, &description);
    }
    let Some(account) = state.accounts.get(token).cloned() else {
        return answer_err(401, "Unauthorized");
    };
    match method.to_ascii_lowercase().as_str() {
        "getme" => answer_ok(
            json!({
                "id": account.id,
                "is_bot": account.is_bot,
                "first_name": account.first_name,
                "username": account.username,
                "can_join_groups": true,
                "can_read_all_group_messages": false,
                "supports_inline_queries": false,
                "can_connect_to_business": false,
                "has_main_web_app": false
            }),
            None,
        ),
        "getwebhookinfo" => answer_ok(webhook_info(state, token), None),
        "deletewebhook" => {
            let drop = req.flag("drop_pending_updates").unwrap_or(false);
            delete_webhook(state, token, drop)
        }
        "setwebhook" => {
            let answer = set_webhook(state, token, req);
            if let Some((status, description)) = state.failing_confirmation.take() {
                state.forced_errors.push(("getwebhookinfo".into(), status, description));
            }
            answer
        }
        _ => answer_err(404, "Not Found"),
    }
}

fn delete_webhook(state: &mut Inner, token: &str, drop: bool) -> (u16, Value) {
    let hook = state.webhooks.entry(token.to_owned()).or_default();
    let was_set = !hook.url.is_empty();
    let pending = if drop { 0 } else { hook.pending_update_count };
    *hook = Webhook { pending_update_count: pending, ..Default::default() };
    answer_ok(Value::Bool(true), Some(if was_set { "Webhook was deleted" } else { "Webhook is already deleted" }))
}

fn webhook_info(state: &Inner, token: &str) -> Value {
    let hook = state.webhooks.get(token).cloned().unwrap_or_default();
    let mut info = json!({
        "url": hook.url,
        "has_custom_certificate": hook.has_custom_certificate,
        "pending_update_count": hook.pending_update_count,
    });
    if !hook.url.is_empty() {
        info["max_connections"] = hook.max_connections.into();
        if let Some(ip) = &hook.ip_address {
            info["ip_address"] = ip.as_str().into();
        }
        if let Some(a) = &hook.allowed_updates {
            info["allowed_updates"] = json!(a);
        }
        if let Some((e, date)) = &state.delivery_error {
            info["last_error_date"] = (*date).into();
            info["last_error_message"] = e.as_str().into();
        }
    }
    info
}

/// Telegram's base64url alphabet.
fn secret_char_ok(c: char) -> bool {
    matches!(c, 'a'..='z' | 'A'..='Z' | '0'..='9' | '_' | '-')
}

/// Telegram's reserved IPv4 ranges (std's classifications plus the ranges
/// std leaves unstable).
fn is_reserved(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || o[0] == 0
        || (o[0] == 100 && (o[1] & 0xc0) == 64)
        || (o[0] == 192 && o[1] == 0 && o[2] == 0)
        || (o[0] == 192 && o[1] == 88 && o[2] == 99)
        || (o[0] == 198 && (o[1] & 0xfe) == 18)
        || o[0] >= 240
}

fn set_webhook(state: &mut Inner, token: &str, req: &Recorded) -> (u16, Value) {
    let url = req.arg("url").unwrap_or_default();
    let drop = req.flag("drop_pending_updates").unwrap_or(false);
    if url.is_empty() {
        return delete_webhook(state, token, drop);
    }
    let secret = req.secret_token();
    if let Some(s) = &secret {
        if s.len() > 256 {
            return answer_err(400, "Bad Request: secret token is too long");
        }
        if !s.chars().all(secret_char_ok) {
            return answer_err(400, "Bad Request: secret token contains unallowed characters");
        }
    }
    if let Some(cert) = &req.certificate
        && cert.len() > 3 * 1024 * 1024
    {
        return answer_err(400, &format!("Bad Request: certificate size is too big ({} bytes)", cert.len()));
    }
    // The webhook itself, in Telegram's order: URL, scheme, port, host.
    let Ok(parsed) = url::Url::parse(&url) else {
        return answer_err(400, "Bad Request: invalid webhook URL specified");
    };
    if !parsed.username().is_empty() || parsed.password().is_some() || parsed.host_str().is_none() {
        return answer_err(400, "Bad Request: invalid webhook URL specified");
    }
    if parsed.scheme() != "https" {
        return answer_err(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook");
    }
    let port = parsed.port().unwrap_or(443);
    if ![80, 88, 443, 8443].contains(&port) {
        return answer_err(400, "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443");
    }
    let ip = match parsed.host() {
        Some(url::Host::Ipv4(ip)) => ip,
        Some(url::Host::Ipv6(_)) => {
            return answer_err(400, "Bad Request: bad webhook: IPv6-only addresses are not allowed");
        }
        Some(url::Host::Domain(d)) => match state.dns.get(&d.to_ascii_lowercase()) {
            Some(IpAddr::V4(ip)) => *ip,
            Some(IpAddr::V6(_)) => {
                return answer_err(400, "Bad Request: bad webhook: IPv6-only addresses are not allowed");
            }
            None => {
                return answer_err(400, "Bad Request: bad webhook: Failed to resolve host: Name or service not known");
            }
        },
        None => return answer_err(400, "Bad Request: invalid webhook URL specified"),
    };
    if is_reserved(ip) {
        return answer_err(400, &format!("Bad Request: bad webhook: IP address {ip} is reserved"));
    }
    let max_connections =
        req.arg("max_connections").and_then(|m| m.parse::<i64>().ok()).unwrap_or(40).clamp(1, 100) as u32;
    let allowed_updates = req.allowed_updates();
    let old = state.webhooks.get(token).cloned().unwrap_or_default();
    let new = Webhook {
        url: url.clone(),
        secret_token: secret,
        allowed_updates,
        max_connections,
        has_custom_certificate: req.certificate.is_some(),
        ip_address: Some(ip.to_string()),
        pending_update_count: if drop { 0 } else { old.pending_update_count },
    };
    let same = old.url == new.url
        && old.secret_token == new.secret_token
        && old.allowed_updates == new.allowed_updates
        && old.max_connections == new.max_connections
        && old.has_custom_certificate == new.has_custom_certificate;
    state.webhooks.insert(token.to_owned(), new);
    if let Some(thief) = state.thief.clone() {
        let hook = state.webhooks.get_mut(token).unwrap();
        hook.url = thief;
    }
    answer_ok(Value::Bool(true), Some(if same { "Webhook is already set" } else { "Webhook was set" }))
}

type Parsed = (String, BTreeMap<String, Value>, Option<Vec<u8>>);

fn parse_params(headers: &HeaderMap, body: &Bytes) -> Parsed {
    let content_type =
        headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let mut params = BTreeMap::new();
    if body.is_empty() {
        return ("none".into(), params, None);
    }
    let lower = content_type.to_ascii_lowercase();
    if lower.starts_with("application/json") {
        if let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(body) {
            params.extend(map);
        }
        return ("json".into(), params, None);
    }
    if lower.starts_with("application/x-www-form-urlencoded") {
        for (k, v) in url::form_urlencoded::parse(body) {
            params.insert(k.into_owned(), Value::String(v.into_owned()));
        }
        return ("form".into(), params, None);
    }
    if lower.starts_with("multipart/form-data") {
        let boundary = content_type
            .split(';')
            .filter_map(|p| p.trim().strip_prefix("boundary="))
            .next()
            .unwrap_or("")
            .trim_matches('"')
            .to_owned();
        let mut certificate = None;
        for (name, filename, data) in parse_multipart(body, &boundary) {
            if filename.is_some() {
                if name == "certificate" {
                    certificate = Some(data);
                }
            } else {
                params.insert(name, Value::String(String::from_utf8_lossy(&data).into_owned()));
            }
        }
        return ("multipart".into(), params, certificate);
    }
    (format!("unknown: {content_type}"), params, None)
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if from > hay.len() {
        return None;
    }
    hay[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from)
}

/// (name, filename, content) of each part.
fn parse_multipart(body: &[u8], boundary: &str) -> Vec<(String, Option<String>, Vec<u8>)> {
    let mut parts = Vec::new();
    if boundary.is_empty() {
        return parts;
    }
    let delimiter = format!("--{boundary}").into_bytes();
    let Some(mut pos) = find(body, &delimiter, 0) else {
        return parts;
    };
    pos += delimiter.len();
    loop {
        if body[pos..].starts_with(b"--") {
            break;
        }
        pos += 2; // CRLF after the delimiter
        let Some(next) = find(body, &delimiter, pos) else {
            break;
        };
        let part = &body[pos..next.saturating_sub(2)];
        if let Some(split) = find(part, b"\r\n\r\n", 0) {
            let head = String::from_utf8_lossy(&part[..split]).into_owned();
            let data = part[split + 4..].to_vec();
            let mut name = String::new();
            let mut filename = None;
            for line in head.lines() {
                if line.to_ascii_lowercase().starts_with("content-disposition:") {
                    for item in line.split(';').map(str::trim) {
                        if let Some(v) = item.strip_prefix("name=") {
                            name = v.trim_matches('"').to_owned();
                        } else if let Some(v) = item.strip_prefix("filename=") {
                            filename = Some(v.trim_matches('"').to_owned());
                        }
                    }
                }
            }
            parts.push((name, filename, data));
        }
        pos = next + delimiter.len();
    }
    parts
}

/// An IPv6 address, for a host name that resolves to IPv6 only.
pub const IPV6_EXAMPLE: Ipv6Addr = Ipv6Addr::new(0x2a00, 0x1450, 0, 0, 0, 0, 0, 1);
