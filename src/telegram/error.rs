//! Errors of the Bot API client. Telegram's own text is kept verbatim
//! (`telegram`) beside our explanation of it (`explanation`). No error ever
//! carries the bot token or the webhook secret: texts from lower layers are
//! scrubbed before they get here, and request URLs are never kept.

use std::fmt;

use super::cert::CertError;
use super::token::TokenError;
use crate::sanitize::clean;

/// What Telegram's refusal means, found from the HTTP status and the
/// description (matched by case-insensitive substring, as Telegram may
/// change its `error_code`s and wording).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// 401: the token is unknown or revoked.
    Unauthorized,
    /// 404: the request path is wrong (a malformed token).
    NotFound,
    Port,
    Https,
    ResolveHost,
    ReservedIp,
    Ipv6Only,
    InvalidUrl,
    SecretCharacters,
    SecretTooLong,
    CertificateTooBig,
    /// 409: another setWebhook (or getUpdates) for the same bot.
    Conflict,
    /// 429, after the allowed retries.
    TooManyRequests,
    /// 5xx: Telegram's side failed.
    ServerError,
    Other,
}

/// Telegram answered `ok: false` (or a non-2xx status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiFailure {
    /// Bot API method, e.g. `setWebhook`.
    pub method: String,
    /// HTTP status.
    pub status: u16,
    /// `error_code` from the body.
    pub error_code: Option<i64>,
    /// Telegram's `description`, verbatim.
    pub telegram: String,
    /// What it means for the user and what to do, in our words.
    pub explanation: String,
    pub kind: FailureKind,
    /// `parameters.retry_after`, for 429.
    pub retry_after: Option<u64>,
}

impl fmt::Display for ApiFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (Telegram {}: \"{}\")", self.explanation, self.method, clean(&self.telegram))
    }
}

/// Everything that can go wrong talking to Telegram.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TelegramError {
    /// Telegram refused.
    #[error("{0}")]
    Api(ApiFailure),
    /// No answer at all (refused connection, DNS, TLS, timeout).
    #[error(
        "cannot reach the Telegram Bot API at {base}: {detail}: check the network or proxy, and the API address (--telegram-api / CHANWIZ_TELEGRAM_API)"
    )]
    Unreachable { base: String, detail: String, timeout: bool },
    /// An answer that is not a Bot API answer (an HTML page from a proxy...).
    #[error(
        "the Telegram Bot API at {base} answered {method} with HTTP {status} but not with a Bot API answer ({detail}): check the API address (--telegram-api / CHANWIZ_TELEGRAM_API) and any proxy in between"
    )]
    BadResponse { base: String, method: String, status: u16, detail: String },
    /// `getMe` worked, but the account is not a bot.
    #[error("{0}")]
    NotABot(String),
    #[error("{0}")]
    Token(#[from] TokenError),
    #[error("{0}")]
    Certificate(#[from] CertError),
    /// The API address is unusable.
    #[error("{0}")]
    Config(String),
    /// `setWebhook` said yes, but `getWebhookInfo` shows another URL.
    #[error(
        "Telegram accepted the webhook but now reports {}, not {}: another tool may be setting this bot's webhook at the same time; stop it and register again",
        if actual.is_empty() { "no webhook".to_owned() } else { clean(actual).into_owned() },
        clean(expected)
    )]
    NotConfirmed { expected: String, actual: String },
    /// setWebhook was accepted, but asking Telegram to confirm it failed: the
    /// webhook is probably `url` now.
    #[error("Telegram accepted the webhook {}, but confirming it failed: {cause}", clean(url))]
    Unconfirmed { url: String, cause: Box<TelegramError> },
}

impl TelegramError {
    /// Whether the bot's webhook may have changed although the call failed
    /// (set but not confirmed, or a setWebhook whose answer never came).
    pub fn may_have_changed_webhook(&self) -> bool {
        matches!(
            self,
            TelegramError::NotConfirmed { .. }
                | TelegramError::Unconfirmed { .. }
                | TelegramError::Unreachable { timeout: true, .. }
        )
    }

    /// The same error with `f` applied to every text it holds (to scrub a
    /// secret the caller knows).
    pub fn map_text(self, f: &dyn Fn(&str) -> String) -> TelegramError {
        match self {
            TelegramError::Api(a) => {
                TelegramError::Api(ApiFailure { telegram: f(&a.telegram), explanation: f(&a.explanation), ..a })
            }
            TelegramError::Unreachable { base, detail, timeout } => {
                TelegramError::Unreachable { base, detail: f(&detail), timeout }
            }
            TelegramError::BadResponse { base, method, status, detail } => {
                TelegramError::BadResponse { base, method, status, detail: f(&detail) }
            }
            TelegramError::NotABot(m) => TelegramError::NotABot(f(&m)),
            TelegramError::Config(m) => TelegramError::Config(f(&m)),
            TelegramError::NotConfirmed { expected, actual } => {
                TelegramError::NotConfirmed { expected: f(&expected), actual: f(&actual) }
            }
            TelegramError::Unconfirmed { url, cause } => {
                TelegramError::Unconfirmed { url: f(&url), cause: Box::new(cause.map_text(f)) }
            }
            e @ (TelegramError::Token(_) | TelegramError::Certificate(_)) => e,
        }
    }

    /// Telegram's verbatim description, when Telegram answered.
    pub fn telegram_text(&self) -> Option<&str> {
        match self {
            TelegramError::Api(f) => Some(&f.telegram),
            _ => None,
        }
    }

    /// What Telegram's refusal means, when Telegram answered.
    pub fn failure_kind(&self) -> Option<FailureKind> {
        match self {
            TelegramError::Api(f) => Some(f.kind),
            _ => None,
        }
    }

    /// What kind of failure this is (the CLI maps kinds to exit codes).
    pub fn kind(&self) -> crate::error_kind::ErrorKind {
        use crate::error_kind::ErrorKind;
        match self {
            TelegramError::Unreachable { .. } | TelegramError::BadResponse { .. } => ErrorKind::Unreachable,
            TelegramError::Config(_) | TelegramError::Token(_) | TelegramError::Certificate(_) => ErrorKind::Unreadable,
            _ => ErrorKind::Refused,
        }
    }
}

/// Our reading of Telegram's answer: its kind and an explanation with the fix.
/// The fixes it names are `face`'s words (a wizard field, or a CLI flag).
pub fn explain(
    method: &str,
    status: u16,
    description: &str,
    retry_after: Option<u64>,
    face: super::Face,
) -> (FailureKind, String) {
    let d = description.to_ascii_lowercase();
    let has = |s: &str| d.contains(s);
    if status == 401 || has("unauthorized") {
        return (
            FailureKind::Unauthorized,
            "Telegram does not know this token: copy it again from @BotFather (/mybots, then API Token); a token stops working as soon as it is revoked."
                .to_owned(),
        );
    }
    if status == 429 || has("too many requests") {
        let wait = retry_after.map(|s| format!(" in {s} seconds")).unwrap_or_default();
        return (
            FailureKind::TooManyRequests,
            format!("Telegram asks to slow down (too many calls for this bot): try again{wait}."),
        );
    }
    if status == 409 || has("conflict") {
        return (
            FailureKind::Conflict,
            "Another program changed this bot's webhook or is reading its updates at the same moment: make sure only chanwiz manages this bot, then try again."
                .to_owned(),
        );
    }
    if has("only on ports") || (has("ports") && has("8443")) {
        return (
            FailureKind::Port,
            format!(
                "Telegram calls webhooks only on ports 443, 80, 88 or 8443, and AICC's frontend port 28090 is not one of them: {}.",
                face.set_public_address("https://PUBLIC-IPv4:443", " that forwards to the backend")
            ),
        );
    }
    if has("https url must be provided") || (has("https") && has("webhook")) {
        return (
            FailureKind::Https,
            "Telegram calls webhooks only over HTTPS: the webhook URL must start with https:// and the endpoint must serve a valid TLS certificate."
                .to_owned(),
        );
    }
    if has("is reserved") || has("reserved") {
        return (
            FailureKind::ReservedIp,
            format!(
                "Telegram cannot reach private or reserved addresses (10.x, 172.16–31.x, 192.168.x, 127.x, 100.64–127.x and the like): {}.",
                face.set_public_address("https://PUBLIC-IPv4:PORT", " that forwards to the backend")
            ),
        );
    }
    if has("ipv6") {
        return (
            FailureKind::Ipv6Only,
            "Telegram calls webhooks only over IPv4, and this host has only IPv6 addresses: use a public IPv4 address."
                .to_owned(),
        );
    }
    if has("failed to resolve host") || has("resolve") {
        return (
            FailureKind::ResolveHost,
            "Telegram could not find the webhook's host name in DNS: check it for typos, or use the public IP address."
                .to_owned(),
        );
    }
    if has("secret token contains unallowed characters") || (has("secret") && has("unallowed")) {
        return (
            FailureKind::SecretCharacters,
            "The webhook secret may contain only letters A-Z and a-z, digits, '_' and '-' (1 to 256 characters); it is not the bot token, which contains ':' and must never be sent as the secret."
                .to_owned(),
        );
    }
    if has("secret token is too long") || (has("secret") && has("too long")) {
        return (FailureKind::SecretTooLong, "The webhook secret may be at most 256 characters.".to_owned());
    }
    if has("certificate") && (has("too big") || has("size")) {
        return (
            FailureKind::CertificateTooBig,
            "The certificate file is larger than Telegram accepts (3 MiB at most): upload only the endpoint's PEM certificate, without keys or other files."
                .to_owned(),
        );
    }
    if has("invalid webhook url") || has("bad webhook") {
        return (
            FailureKind::InvalidUrl,
            "Telegram refused the webhook URL: check it for typos (a doubled https://, spaces) and that it is https://PUBLIC-IPv4:PORT/path."
                .to_owned(),
        );
    }
    if status == 404 || has("not found") {
        return (
            FailureKind::NotFound,
            "Telegram did not recognise the request: the token is probably incomplete or malformed (it looks like 123456789:AA... with 35 characters after ':'); copy it again from @BotFather."
                .to_owned(),
        );
    }
    if status >= 500 {
        return (
            FailureKind::ServerError,
            format!("Telegram had a problem answering {method} (HTTP {status}): try again in a minute."),
        );
    }
    (FailureKind::Other, format!("Telegram refused {method} (HTTP {status})."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refusal_explained_to_a_command_names_its_flag_not_the_wizards_field() {
        for text in [
            "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
            "Bad Request: bad webhook: IP address 10.0.0.1 is reserved",
        ] {
            let (_, cli) = explain("setWebhook", 400, text, None, super::super::Face::Cli);
            assert!(
                cli.contains("`--public-url https://PUBLIC-IPv4:") && !cli.contains("set a public webhook address"),
                "{cli}"
            );
            let (_, wizard) = explain("setWebhook", 400, text, None, super::super::Face::Wizard);
            assert!(
                wizard.contains("set a public webhook address (https://PUBLIC-IPv4:")
                    && !wizard.contains("--public-url"),
                "{wizard}"
            );
        }
    }

    #[test]
    fn each_documented_text_has_its_kind() {
        let cases = [
            (401, "Unauthorized", FailureKind::Unauthorized),
            (404, "Not Found", FailureKind::NotFound),
            (
                400,
                "Bad Request: bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443",
                FailureKind::Port,
            ),
            (400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook", FailureKind::Https),
            (400, "Bad Request: bad webhook: HTTPS url must be provided for webhook", FailureKind::Https),
            (
                400,
                "Bad Request: bad webhook: Failed to resolve host: Name or service not known",
                FailureKind::ResolveHost,
            ),
            (400, "Bad Request: bad webhook: IP address 10.0.0.1 is reserved", FailureKind::ReservedIp),
            (400, "Bad Request: bad webhook: IPv6-only addresses are not allowed", FailureKind::Ipv6Only),
            (400, "Bad Request: invalid webhook URL specified", FailureKind::InvalidUrl),
            (400, "Bad Request: secret token is too long", FailureKind::SecretTooLong),
            (400, "Bad Request: secret token contains unallowed characters", FailureKind::SecretCharacters),
            (400, "Bad Request: certificate size is too big (4000000 bytes)", FailureKind::CertificateTooBig),
            (409, "Conflict: terminated by other setWebhook", FailureKind::Conflict),
            (429, "Too Many Requests: retry after 5", FailureKind::TooManyRequests),
            (502, "Bad Gateway", FailureKind::ServerError),
            (400, "Bad Request: something new", FailureKind::Other),
        ];
        for (status, text, kind) in cases {
            assert_eq!(explain("setWebhook", status, text, None, super::super::Face::Wizard).0, kind, "{text}");
        }
        // case-insensitive, whatever the status
        assert_eq!(
            explain(
                "setWebhook",
                400,
                "BAD REQUEST: BAD WEBHOOK: IP ADDRESS 10.0.0.1 IS RESERVED",
                None,
                super::super::Face::Wizard
            )
            .0,
            FailureKind::ReservedIp
        );
    }

    #[test]
    fn display_keeps_telegram_text_verbatim_beside_ours() {
        let (kind, explanation) = explain("getMe", 401, "Unauthorized", None, super::super::Face::Wizard);
        let f = ApiFailure {
            method: "getMe".into(),
            status: 401,
            error_code: Some(401),
            telegram: "Unauthorized".into(),
            explanation,
            kind,
            retry_after: None,
        };
        let shown = TelegramError::Api(f).to_string();
        assert!(shown.starts_with("Telegram does not know this token: copy it again from @BotFather"), "{shown}");
        assert!(shown.ends_with("(Telegram getMe: \"Unauthorized\")"), "{shown}");
    }
}
