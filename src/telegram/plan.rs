//! The webhook's setWebhook parameters, worked out before Telegram is
//! called (pure: nothing here calls anything). The orchestration around one
//! Bot API session is `crate::integration`.
//! - [`WebhookOptions`] — the choices of the Channel Integration page (the
//!   one options type; `crate::integration::Options` is this type);
//! - [`plan`] — every pre-check at once, giving the exact `setWebhook`
//!   parameters and what to warn about;
//! - [`registration_warnings`] — what `getWebhookInfo` says after setting
//!   that the user should know;
//! - [`delivery_warning`] — Telegram's last delivery error and its likely cause.

use url::Url;

use super::cert::read_certificate;
use super::checks::{
    Problem, ProblemKind, apply_override, check_allowed_updates, check_certificate_size, check_secret,
    check_webhook_url,
};
use super::face::Face;
use super::token::{BotToken, WebhookSecret};
use super::types::{WebhookInfo, WebhookParams, default_allowed_updates};
use crate::sanitize::clean;

/// Whether a webhook pointing elsewhere may be replaced (one webhook per
/// bot: replacing it takes the bot's messages away from there).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Replace {
    /// Never: the orchestration stops and asks the user.
    #[default]
    Ask,
    /// Only if it still points to this URL (the one the user was shown).
    Only(String),
    /// Whatever it points to (`--yes`).
    Any,
}

impl Replace {
    /// Whether the webhook now at `current` may be replaced.
    pub fn allows(&self, current: &str) -> bool {
        match self {
            Replace::Ask => false,
            Replace::Only(u) => same_url(u, current),
            Replace::Any => true,
        }
    }
}

/// Choices of the Channel Integration page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookOptions {
    /// `https://PUBLIC-IP:PORT` replacing the integration URL's scheme, host
    /// and port (the path is kept).
    pub public_address: Option<String>,
    /// Default: message, edited_message, callback_query.
    pub allowed_updates: Vec<String>,
    /// Drop the updates queued at Telegram.
    pub drop_pending_updates: bool,
    /// PEM of the endpoint's TLS certificate, instead of the channel's
    /// identity certificate (a proxy in front presenting another one):
    /// uploaded only if it is self-signed.
    pub endpoint_certificate_pem: Option<Vec<u8>>,
    /// 1–100, or Telegram's default.
    pub max_connections: Option<u32>,
    /// Whether a webhook pointing elsewhere may be replaced.
    pub replace: Replace,
    /// The bot is bound to another channel of the tenant: move it here (that
    /// channel's token is cleared). Without it the operation stops and asks.
    pub move_bot: bool,
    /// The token is of another bot than the one the channel holds: go ahead
    /// (the old bot's webhook is deleted once the new one is confirmed).
    /// Without it the operation stops and asks.
    pub other_bot: bool,
    /// Whose words the problems use for their fixes.
    pub face: Face,
}

impl Default for WebhookOptions {
    fn default() -> Self {
        WebhookOptions {
            public_address: None,
            allowed_updates: default_allowed_updates(),
            drop_pending_updates: false,
            endpoint_certificate_pem: None,
            max_connections: None,
            replace: Replace::Ask,
            move_bot: false,
            other_bot: false,
            face: Face::Wizard,
        }
    }
}

/// What [`plan`] gives: the exact `setWebhook` parameters and the warnings
/// about the endpoint certificate (read once, here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub params: WebhookParams,
    pub certificate_warnings: Vec<String>,
    /// Whose words its warnings use ([`WebhookOptions::face`]).
    pub face: Face,
}

/// The pre-checks, all at once: the URL (with the override applied), the
/// secret, the update types, the certificate (`certificate_pem`: the
/// endpoint's, from the options or the channel). Gives the exact
/// `setWebhook` parameters, or every problem found. Calls nothing.
pub fn plan(
    integration_url: &str,
    secret: &WebhookSecret,
    token: Option<&BotToken>,
    options: &WebhookOptions,
    certificate_pem: Option<&[u8]>,
) -> Result<Plan, Vec<Problem>> {
    let mut problems = Vec::new();
    let url = match options.public_address.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(public) => match apply_override(integration_url, public, options.face) {
            Ok(url) => Some(url),
            Err(p) => {
                problems.extend(p);
                None
            }
        },
        None => {
            let p = check_webhook_url(integration_url, options.face);
            let ok = p.is_empty();
            problems.extend(p);
            ok.then(|| integration_url.to_owned())
        }
    };
    problems.extend(check_secret(secret.expose(), token));
    problems.extend(check_allowed_updates(&options.allowed_updates));
    if let Some(m) = options.max_connections
        && !(1..=100).contains(&m)
    {
        problems.push(Problem {
            kind: ProblemKind::MaxConnections,
            message: format!("max_connections is {m}; Telegram accepts 1 to 100 (default 40)."),
        });
    }
    let mut certificate = None;
    let mut certificate_warnings = Vec::new();
    if let Some(pem) = certificate_pem {
        match read_certificate(pem, url.as_deref().unwrap_or(""), chrono::Utc::now().timestamp()) {
            Ok(facts) => {
                certificate_warnings = facts.warnings;
                // signed by an authority: Telegram checks it against its roots
                if facts.self_signed {
                    problems.extend(check_certificate_size(pem.len()));
                    certificate = Some(pem.to_vec());
                }
            }
            Err(e) => problems.push(Problem { kind: ProblemKind::CertificateUnreadable, message: e.to_string() }),
        }
    }
    match url {
        Some(url) if problems.is_empty() => Ok(Plan {
            face: options.face,
            params: WebhookParams {
                url,
                secret_token: Some(secret.clone()),
                allowed_updates: options.allowed_updates.clone(),
                drop_pending_updates: options.drop_pending_updates,
                certificate_pem: certificate,
                max_connections: options.max_connections,
                ip_address: None,
            },
            certificate_warnings,
        }),
        _ => Err(problems),
    }
}

/// What the user should know once `setWebhook` of `plan` was accepted and
/// `getWebhookInfo` answered `info`: the certificate's warnings, a failing
/// delivery, queued updates, a certificate Telegram does not report, update
/// types other than those asked for.
pub fn registration_warnings(plan: &Plan, info: &WebhookInfo) -> Vec<String> {
    let params = &plan.params;
    let mut warnings = plan.certificate_warnings.clone();
    warnings.extend(delivery_warning(info, plan.face));
    if info.pending_update_count > 0 && !params.drop_pending_updates {
        warnings.push(format!(
            "{} updates are queued at Telegram and will now be delivered to the backend (messages sent while no webhook worked); register with \"drop pending updates\" to discard them.",
            info.pending_update_count
        ));
    }
    if params.certificate_pem.is_some() && !info.has_custom_certificate {
        warnings.push(
            "The self-signed certificate was uploaded, but Telegram does not report it: deliveries may fail the TLS check; register again.".to_owned(),
        );
    }
    if let Some(set) = &info.allowed_updates {
        let mut a: Vec<_> = set.iter().map(String::as_str).collect();
        let mut b: Vec<_> = params.allowed_updates.iter().map(String::as_str).collect();
        a.sort_unstable();
        b.sort_unstable();
        if !b.is_empty() && a != b {
            warnings.push(format!(
                "Telegram delivers the update types [{}], not the ones asked for [{}].",
                clean(&a.join(", ")),
                b.join(", ")
            ));
        }
    }
    warnings
}

/// The webhook's last delivery failure, Telegram's text verbatim with its
/// likely cause and fix; `None` when there is none.
pub fn delivery_warning(info: &WebhookInfo, face: Face) -> Option<String> {
    let message = info.last_error_message.as_deref().filter(|m| !m.trim().is_empty())?;
    let when = info
        .last_error_date
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| format!(" at {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    Some(format!(
        "Telegram's last delivery failed{when}: \"{}\". Likely cause: {}",
        clean(message),
        likely_cause(message, face)
    ))
}

/// Our reading of a `last_error_message` (without the backend's side: see
/// [`explain_delivery_error`]).
pub fn likely_cause(message: &str, face: Face) -> String {
    explain_delivery_error(message, None, face)
}

/// What the backend recorded about deliveries to the channel: the other
/// side of a failing delivery.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Deliveries refused for a missing or wrong secret token.
    pub secret_refused: u64,
    /// Deliveries refused as too large.
    pub too_large: u64,
    /// Deliveries to unknown channel ids (for the whole backend).
    pub unknown_channel: u64,
}

/// The HTTP status of "Wrong response from the webhook: <code> <reason>".
fn wrong_response_status(m: &str) -> Option<u16> {
    let rest = m.split_once("wrong response from the webhook:")?.1.trim_start();
    rest.get(..3)?.parse().ok()
}

/// Our reading of Telegram's `last_error_message`, each text Telegram
/// words with its own explanation. `record` is the backend's side (what it
/// refused); with it a 403 is told apart: the backend's secret check
/// (a secret mismatch) or something in front of it.
pub fn explain_delivery_error(message: &str, record: Option<&DeliveryRecord>, face: Face) -> String {
    let m = message.to_ascii_lowercase();
    let has = |s: &str| m.contains(s);
    let status = wrong_response_status(&m);
    match status {
        Some(403) => {
            return match record {
                Some(r) if r.secret_refused > 0 => format!(
                    "Secret mismatch, {}: the webhook was set with another secret (an old one, or by another tool); the backend refused {} delivery(ies) for their secret token.",
                    face.register_again(),
                    r.secret_refused
                ),
                Some(_) => "The backend recorded no refused delivery since the last registration, so the 403 came from in front of it: a proxy or web application firewall refuses Telegram; allow Telegram's addresses (149.154.160.0/20 and 91.108.4.0/22) to reach the integration URL.".to_owned(),
                None => format!("Something answered 403 Forbidden: either the backend's secret check (the webhook was set with another secret: {}) or a proxy or web application firewall in front of it (allow Telegram's addresses 149.154.160.0/20 and 91.108.4.0/22); the backend's record of refused deliveries tells which.", face.register_again()),
            };
        }
        Some(401) => {
            return "Something in front of the backend asks for a login (401): the backend never answers a delivery 401; let the integration path through the proxy without authentication.".to_owned();
        }
        Some(404) => {
            return "Nothing answers at the webhook's path (404): the channel may have been deleted, the public address may forward to another server, or a proxy does not forward the path; check the integration URL.".to_owned();
        }
        Some(410) => {
            return "The endpoint answered 410 Gone: Telegram drops a webhook that keeps answering 410; find what answers it and register again.".to_owned();
        }
        Some(413) => {
            return match record {
                Some(r) if r.too_large > 0 => format!(
                    "The backend refused {} update(s) as too large (it takes at most 64 KiB): such updates are lost; report it if customers send very large messages.",
                    r.too_large
                ),
                _ => "Something refused an update as too large (413): a proxy in front of the backend has a smaller body limit than the backend's 64 KiB; raise it.".to_owned(),
            };
        }
        Some(429) => {
            return "The endpoint answered 429 Too Many Requests: a rate limit in front of the backend throttles Telegram; exempt the integration path.".to_owned();
        }
        Some(s) if (500..600).contains(&s) => {
            return format!(
                "The backend or a proxy failed while handling a delivery ({s}): check their logs (a 502 or 504 is usually the proxy not reaching the backend)."
            );
        }
        Some(s) => {
            return format!(
                "The endpoint answered {s}, which Telegram counts as a failure: check what answers the webhook URL."
            );
        }
        None => {}
    }
    if has("certificate verify failed") {
        "Telegram could not verify the endpoint's TLS certificate: it must match the webhook's address and carry its full chain, or, if self-signed, be uploaded with the webhook (register again with the endpoint's certificate).".to_owned()
    } else if has("ssl") || has("certificate") || has("tls") {
        "Telegram could not make a TLS connection to the endpoint: it must speak TLS 1.2 or newer on that port (not plain HTTP) with a valid certificate."
            .to_owned()
    } else if has("webhook connection closed") || has("connection closed") {
        "The endpoint closed the connection before answering: a proxy's timeout, a restart of the backend, or TLS ended in the wrong place; check the proxy in front of the backend.".to_owned()
    } else if has("read timeout") {
        "The backend took longer than 60 seconds to answer a delivery; check its load and logs.".to_owned()
    } else if has("connection timed out") || has("timed out") || has("timeout") {
        "Telegram's connection attempts time out: a firewall or missing port forwarding blocks it from the Internet; open the port and forward it to the backend.".to_owned()
    } else if has("connection refused") {
        "Nothing listens on that address and port: check the port forwarding and that the backend runs.".to_owned()
    } else if has("can't connect") || has("cannot connect") {
        "Telegram cannot connect to the webhook's address and port: check that the public address is reachable from the Internet (firewall, port forwarding) and that the backend runs.".to_owned()
    } else if has("resolve") || has("dns") {
        "The webhook's host name does not resolve: use the public IP address.".to_owned()
    } else {
        "Check that the webhook address is reachable from the Internet over HTTPS.".to_owned()
    }
}

/// Two URLs are the same webhook: equal after URL normalisation (default
/// port, case of scheme and host).
pub fn same_url(a: &str, b: &str) -> bool {
    match (Url::parse(a), Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INTEGRATION: &str = "https://10.1.2.3:28090/apiaccess/telegram/message/ch_1";

    fn secret() -> WebhookSecret {
        WebhookSecret::new("Sx_0123456789abcdefghijklmnopqrstuv")
    }

    #[test]
    fn plan_applies_the_override_and_defaults() {
        let options =
            WebhookOptions { public_address: Some("https://93.184.216.34:8443".into()), ..Default::default() };
        let p = plan(INTEGRATION, &secret(), None, &options, None).unwrap().params;
        assert_eq!(p.url, "https://93.184.216.34:8443/apiaccess/telegram/message/ch_1");
        assert_eq!(p.allowed_updates, crate::telegram::checks::DEFAULT_ALLOWED_UPDATES);
        assert_eq!(p.secret_token, Some(secret()));
        assert!(p.certificate_pem.is_none());
    }

    #[test]
    fn plan_reports_every_problem_at_once() {
        let options =
            WebhookOptions { allowed_updates: vec!["mesage".into()], max_connections: Some(500), ..Default::default() };
        let problems =
            plan(INTEGRATION, &WebhookSecret::new("bad secret"), None, &options, Some(b"not pem")).unwrap_err();
        let kinds: Vec<_> = problems.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            vec![
                ProblemKind::ReservedIp,
                ProblemKind::Port,
                ProblemKind::SecretCharacters,
                ProblemKind::UnknownUpdateType,
                ProblemKind::MaxConnections,
                ProblemKind::CertificateUnreadable
            ]
        );
    }

    #[test]
    fn delivery_warnings_name_the_likely_cause() {
        let info = |m: &str| WebhookInfo {
            url: "https://93.184.216.34/x".into(),
            last_error_date: Some(1_700_000_000),
            last_error_message: Some(m.into()),
            ..Default::default()
        };
        let w = delivery_warning(&info("Wrong response from the webhook: 403 Forbidden"), Face::Wizard).unwrap();
        assert!(w.contains("\"Wrong response from the webhook: 403 Forbidden\""), "{w}");
        assert!(w.contains("firewall"), "{w}");
        assert!(w.contains("2023-11-14 22:13 UTC"), "{w}");
        assert!(
            delivery_warning(&info("SSL error {error:0A000086:SSL routines::certificate verify failed}"), Face::Wizard)
                .unwrap()
                .contains("TLS certificate")
        );
        assert!(delivery_warning(&info("Read timeout expired"), Face::Wizard).unwrap().contains("60 seconds"));
        assert!(
            delivery_warning(&info("Connection timed out"), Face::Wizard)
                .unwrap()
                .contains("firewall or missing port forwarding")
        );
        assert!(delivery_warning(&WebhookInfo::default(), Face::Wizard).is_none());
    }

    #[test]
    fn every_delivery_error_telegram_words_has_its_own_explanation() {
        let texts = [
            "Wrong response from the webhook: 403 Forbidden",
            "Wrong response from the webhook: 401 Unauthorized",
            "Wrong response from the webhook: 404 Not Found",
            "Wrong response from the webhook: 413 Request Entity Too Large",
            "Wrong response from the webhook: 502 Bad Gateway",
            "Wrong response from the webhook: 410 Gone",
            "Webhook connection closed",
            "Can't connect to the webhook",
            "Connection timed out",
            "Read timeout expired",
            "Can't create an SSL connection: SSL_ERROR_SYSCALL",
            "SSL error {error:0A000086:SSL routines::certificate verify failed}",
        ];
        let explained: Vec<String> = texts.iter().map(|t| explain_delivery_error(t, None, Face::Wizard)).collect();
        for (i, a) in explained.iter().enumerate() {
            for (j, b) in explained.iter().enumerate().skip(i + 1) {
                assert_ne!(a, b, "{} and {} are explained alike", texts[i], texts[j]);
            }
            assert!(!a.starts_with("Check that the webhook address"), "{} has no explanation of its own", texts[i]);
        }
    }

    #[test]
    fn a_403_while_the_backend_refused_secrets_is_a_secret_mismatch() {
        let m = "Wrong response from the webhook: 403 Forbidden";
        let r = DeliveryRecord { secret_refused: 3, ..Default::default() };
        let e = explain_delivery_error(m, Some(&r), Face::Wizard);
        assert!(e.contains("the webhook was set with another secret"), "{e}");
        assert!(e.contains("Register again"), "{e}");
        assert!(!e.contains("firewall"), "{e}");
        let e = explain_delivery_error(m, Some(&DeliveryRecord::default()), Face::Wizard);
        assert!(e.contains("firewall") && e.contains("no refused delivery"), "{e}");
        let r = DeliveryRecord { too_large: 2, ..Default::default() };
        let e = explain_delivery_error(
            "Wrong response from the webhook: 413 Request Entity Too Large",
            Some(&r),
            Face::Wizard,
        );
        assert!(e.contains("refused 2 update(s) as too large"), "{e}");
    }

    #[test]
    fn replace_only_allows_the_url_the_user_saw() {
        let r = Replace::Only("https://198.41.0.4/hook".into());
        assert!(r.allows("HTTPS://198.41.0.4:443/hook"));
        assert!(!r.allows("https://198.41.0.4/other"));
        assert!(!Replace::Ask.allows("https://198.41.0.4/hook"));
        assert!(Replace::Any.allows("https://x.example/"));
    }

    #[test]
    fn same_url_normalises_default_port_and_case() {
        assert!(same_url("https://93.184.216.34:443/x", "HTTPS://93.184.216.34/x"));
        assert!(!same_url("https://93.184.216.34/x", "https://93.184.216.34/y"));
    }
}
