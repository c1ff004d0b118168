//! What can go wrong talking to the backend, in words a user understands.
//! Every text that came from the server or from the network stack is cleaned
//! of control characters and has the token removed before it is stored here.

use std::path::PathBuf;

use crate::api::{ApiError, Channel};
use crate::error_kind::ErrorKind;
use crate::model::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The settings are unusable (no backend, bad URL, unreadable CA file...).
    #[error("{0}")]
    Config(String),
    /// `--offline`: the backend is not to be contacted.
    #[error("offline (--offline): `{0}` needs the backend, which is not contacted")]
    Offline(String),
    /// No connection could be made, or it broke before an answer came.
    #[error(
        "backend {backend} is unreachable ({detail}): check --backend / CHANWIZ_BACKEND and that the backend is running"
    )]
    Unreachable { backend: String, detail: String },
    /// The connection was made but no answer came in time.
    #[error("backend {backend} did not answer within {secs} s: try again later")]
    Timeout { backend: String, secs: u64 },
    /// The backend's TLS certificate could not be verified.
    #[error(
        "backend {backend}: its TLS certificate could not be verified ({detail}): if it is signed by a private CA, pass that CA with --ca-cert / CHANWIZ_CA_CERT"
    )]
    Tls { backend: String, detail: String },
    /// 401.
    #[error("backend {backend}: the token was refused (401): check --token / CHANWIZ_TOKEN")]
    Unauthorized { backend: String },
    /// 403.
    #[error("backend {backend}: the token may not do this (403): {message}")]
    Forbidden { backend: String, message: String },
    /// 404.
    #[error("backend {backend}: {what} was not found (404)")]
    NotFound { backend: String, what: String },
    /// 412: the channel changed since the version the edit is based on.
    #[error("{}", stale_text(.backend, *.based_on, .current.as_deref()))]
    Stale { backend: String, based_on: u64, current: Option<Box<Channel>> },
    /// 422: the document breaks rules; `errors` names them by field path.
    #[error("backend {backend}: refused, rules are broken (422): {message}")]
    Invalid { backend: String, message: String, errors: Vec<FieldError> },
    /// 409 of a bot token: the bot is bound to another channel of the
    /// tenant (one bot, one channel).
    #[error("backend {backend}: {message}")]
    BotInUse { backend: String, message: String, channel: crate::api::ChannelRef },
    /// Any other 4xx.
    #[error("backend {backend}: the request was refused ({status}): {message}")]
    Refused { backend: String, status: u16, message: String },
    /// 5xx.
    #[error("backend {backend}: {}: {message}", server_failure(*.status))]
    Server { backend: String, status: u16, message: String },
    /// An export task ended in failure on the backend.
    #[error("backend {backend}: export task {id} failed: {reason}")]
    ExportFailed { backend: String, id: String, reason: String },
    /// The answer was not what the API promises.
    #[error("backend {backend}: unexpected answer: {detail}")]
    Protocol { backend: String, detail: String },
    /// A draft's create was sent before (its Idempotency-Key is saved) and
    /// the backend refuses the key with the draft as it is now: the draft or
    /// the APP Secret changed since, so the earlier create cannot be replayed.
    #[error(
        "backend {backend}: draft {draft} was submitted before and that create may have made a channel, but the draft (or the APP Secret given) has changed since, so the backend cannot confirm it ({message}); look for the channel with `chanwiz channels list`, or submit with --as-new to create one regardless"
    )]
    ReplayMismatch { backend: String, draft: String, message: String },
    /// A local file could not be written or read.
    #[error("{}: {source}", .path.display())]
    Io { path: PathBuf, source: std::io::Error },
}

/// What a 5xx status says happened, in words.
fn server_failure(status: u16) -> String {
    match status {
        500 => "the backend failed on this request (500 internal error)".into(),
        501 => "the backend does not offer this (501 not implemented): it may be older than this chanwiz".into(),
        502 => "a proxy in front of the backend got no valid answer from it (502 bad gateway)".into(),
        503 => "the backend is unavailable for now, busy or starting (503)".into(),
        504 => "a proxy in front of the backend gave up waiting for it (504 gateway timeout)".into(),
        507 => "out of storage (507 insufficient storage)".into(),
        _ => format!("the backend failed ({status})"),
    }
}

fn stale_text(backend: &str, based_on: u64, current: Option<&Channel>) -> String {
    match current {
        Some(c) => format!(
            "backend {backend}: the channel changed on the server (412): it is now at version {} (updated {}), your edit is based on version {based_on}; nothing was overwritten",
            c.version,
            c.updated.format("%Y-%m-%d %H:%M:%S UTC")
        ),
        None => format!(
            "backend {backend}: the channel changed on the server since version {based_on} (412); nothing was overwritten"
        ),
    }
}

impl ClientError {
    /// What kind of failure this is (the CLI maps kinds to exit codes).
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClientError::Config(_) | ClientError::Io { .. } => ErrorKind::Unreadable,
            ClientError::Unreachable { .. }
            | ClientError::Timeout { .. }
            | ClientError::Tls { .. }
            | ClientError::Offline(_) => ErrorKind::Unreachable,
            _ => ErrorKind::Refused,
        }
    }

    /// The same error with `f` applied to every text it holds (to scrub a
    /// secret the caller knows and this layer does not).
    pub fn map_text(self, f: &dyn Fn(&str) -> String) -> ClientError {
        let fe = |e: FieldError| FieldError::new(f(&e.path), f(&e.message));
        match self {
            ClientError::Config(m) => ClientError::Config(f(&m)),
            ClientError::Unreachable { backend, detail } => ClientError::Unreachable { backend, detail: f(&detail) },
            ClientError::Tls { backend, detail } => ClientError::Tls { backend, detail: f(&detail) },
            ClientError::Forbidden { backend, message } => ClientError::Forbidden { backend, message: f(&message) },
            ClientError::NotFound { backend, what } => ClientError::NotFound { backend, what: f(&what) },
            ClientError::Invalid { backend, message, errors } => {
                ClientError::Invalid { backend, message: f(&message), errors: errors.into_iter().map(fe).collect() }
            }
            ClientError::Refused { backend, status, message } => {
                ClientError::Refused { backend, status, message: f(&message) }
            }
            ClientError::BotInUse { backend, message, channel } => {
                ClientError::BotInUse { backend, message: f(&message), channel }
            }
            ClientError::Server { backend, status, message } => {
                ClientError::Server { backend, status, message: f(&message) }
            }
            ClientError::ExportFailed { backend, id, reason } => {
                ClientError::ExportFailed { backend, id, reason: f(&reason) }
            }
            ClientError::Protocol { backend, detail } => ClientError::Protocol { backend, detail: f(&detail) },
            ClientError::ReplayMismatch { backend, draft, message } => {
                ClientError::ReplayMismatch { backend, draft, message: f(&message) }
            }
            e @ (ClientError::Timeout { .. }
            | ClientError::Offline(_)
            | ClientError::Unauthorized { .. }
            | ClientError::Stale { .. }
            | ClientError::Io { .. }) => e,
        }
    }

    /// The backend could not be talked to at all (a cached copy may stand in).
    pub fn is_unreachable(&self) -> bool {
        matches!(self, ClientError::Unreachable { .. } | ClientError::Timeout { .. } | ClientError::Offline(_))
    }

    /// Whether the same request may succeed when simply sent again.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            ClientError::Unreachable { .. } | ClientError::Timeout { .. } => true,
            ClientError::Server { status, .. } => matches!(status, 502..=504),
            ClientError::Refused { status, .. } => matches!(status, 408 | 429),
            _ => false,
        }
    }

    /// Map an error answer. `what` names the thing asked for (for 404);
    /// `based_on` is the version an update was based on (for 412).
    pub(crate) fn from_status(
        backend: &str,
        status: u16,
        body: &[u8],
        what: &str,
        based_on: Option<u64>,
        redact: &dyn Fn(&str) -> String,
    ) -> Self {
        let backend = backend.to_string();
        let api: Option<ApiError> = serde_json::from_slice(body).ok();
        let message = match &api {
            Some(a) => tidy(&a.error, redact),
            None => {
                let text = String::from_utf8_lossy(body);
                let t = tidy(&text, redact);
                if t.is_empty() { reason(status).to_string() } else { t }
            }
        };
        match status {
            401 => ClientError::Unauthorized { backend },
            403 => ClientError::Forbidden { backend, message },
            404 => ClientError::NotFound { backend, what: what.to_string() },
            412 => {
                ClientError::Stale { backend, based_on: based_on.unwrap_or(0), current: api.and_then(|a| a.current) }
            }
            422 => {
                let errors = api
                    .map(|a| {
                        a.errors
                            .into_iter()
                            .map(|e| FieldError::new(tidy(&e.path, redact), tidy(&e.message, redact)))
                            .collect()
                    })
                    .unwrap_or_default();
                ClientError::Invalid { backend, message, errors }
            }
            409 if api.as_ref().is_some_and(|a| a.bot_channel.is_some()) => {
                let channel = *api.and_then(|a| a.bot_channel).expect("checked above");
                let channel =
                    crate::api::ChannelRef { id: tidy(&channel.id, redact), name: tidy(&channel.name, redact) };
                ClientError::BotInUse { backend, message, channel }
            }
            500..=599 => ClientError::Server { backend, status, message },
            _ => ClientError::Refused { backend, status, message },
        }
    }
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("no reason given")
}

/// Server text made safe to show: token removed, control characters and
/// escape sequences stripped, cut to a readable length.
pub(crate) fn tidy(text: &str, redact: &dyn Fn(&str) -> String) -> String {
    const MAX: usize = 400;
    let cleaned = crate::sanitize::clean(&redact(text)).trim().to_string();
    if cleaned.chars().count() <= MAX {
        cleaned
    } else {
        let cut: String = cleaned.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

pub use crate::sanitize::redact;

#[cfg(test)]
mod tests {
    use super::*;

    fn map(status: u16, body: &str) -> ClientError {
        ClientError::from_status("https://10.0.0.1:8443", status, body.as_bytes(), "channel 'abc'", Some(3), &|t| {
            redact(t, "s3cr3t-token")
        })
    }

    #[test]
    fn statuses_map_to_errors_a_user_understands() {
        let e = map(401, r#"{"error":"bad token s3cr3t-token"}"#);
        assert_eq!(
            e.to_string(),
            "backend https://10.0.0.1:8443: the token was refused (401): check --token / CHANWIZ_TOKEN"
        );
        assert_eq!(e.kind(), ErrorKind::Refused);

        let e = map(404, r#"{"error":"no such channel"}"#);
        assert_eq!(e.to_string(), "backend https://10.0.0.1:8443: channel 'abc' was not found (404)");

        let e = map(
            422,
            r#"{"error":"2 rules broken","errors":[{"path":"basic.ou","message":"OU 'x' does not exist."},{"path":"basic.channel_name","message":"taken"}]}"#,
        );
        let ClientError::Invalid { errors, message, .. } = &e else { panic!("not Invalid: {e:?}") };
        assert_eq!(message, "2 rules broken");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].to_string(), "basic.ou: OU 'x' does not exist.");

        let e = map(412, r#"{"error":"stale"}"#);
        assert!(matches!(e, ClientError::Stale { based_on: 3, current: None, .. }));
        assert!(e.to_string().contains("changed on the server"), "{e}");
        assert!(e.to_string().contains("nothing was overwritten"), "{e}");

        let e = map(503, "<html>\u{1b}[31mdown</html>");
        assert!(matches!(e, ClientError::Server { status: 503, .. }));
        assert!(e.to_string().contains("unavailable for now"), "{e}");
        // each 5xx is named for what it means, none of them \"the server failed (507)\"
        assert!(map(507, "{}").to_string().contains("out of storage (507"));
        assert!(map(502, "").to_string().contains("proxy in front of the backend"));
        assert!(map(500, "").to_string().contains("500 internal error"));
        assert!(e.is_transient());
        assert!(!e.to_string().contains('\u{1b}'), "{e}");

        assert!(!map(500, "{}").is_transient());
        assert!(map(429, "").is_transient());
        let e = map(400, "");
        assert_eq!(e.to_string(), "backend https://10.0.0.1:8443: the request was refused (400): Bad Request");
    }

    #[test]
    fn the_token_never_survives_into_a_message() {
        for status in [400, 403, 409, 422, 500, 502] {
            let body =
                r#"{"error":"echo s3cr3t-token","errors":[{"path":"p s3cr3t-token","message":"m s3cr3t-token"}]}"#;
            let e = map(status, body);
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("s3cr3t-token"), "{status}: {shown}");
        }
        let e = map(418, "plain echo s3cr3t-token");
        assert!(!format!("{e} {e:?}").contains("s3cr3t-token"));
    }

    #[test]
    fn a_secret_the_caller_knows_can_be_scrubbed_from_every_text() {
        let body = r#"{"error":"echo n3xt-secret","errors":[{"path":"p","message":"m n3xt-secret"}]}"#;
        for status in [400, 403, 422, 500] {
            let e = map(status, body).map_text(&|t| redact(t, "n3xt-secret"));
            let shown = format!("{e} {e:?}");
            assert!(!shown.contains("n3xt-secret") && shown.contains(crate::sanitize::REDACTED), "{shown}");
        }
    }

    #[test]
    fn kinds_follow_the_cli_contract() {
        let u = ClientError::Unreachable { backend: "b".into(), detail: "refused".into() };
        assert_eq!(u.kind(), ErrorKind::Unreachable);
        assert!(u.is_unreachable());
        assert_eq!(ClientError::Config("x".into()).kind(), ErrorKind::Unreadable);
        assert_eq!(map(422, "{}").kind(), ErrorKind::Refused);
    }
}
