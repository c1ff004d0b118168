//! The Channel Integration steps as library calls, with every input given as
//! data (the UI and the backend client supply them):
//! - [`inspect`] — `getMe` proves the token, `getWebhookInfo` shows where
//!   the bot's webhook points now (one webhook per bot: the UI asks before
//!   replacing one that points elsewhere);
//! - [`plan`] — the pure pre-checks, giving the exact `setWebhook` parameters;
//! - [`register`] — checks → `setWebhook` → `getWebhookInfo` confirms;
//! - [`delete`] — `deleteWebhook`.

use url::Url;

use super::cert::{certificate_warnings, is_self_signed};
use super::checks::{
    Problem, ProblemKind, apply_override, check_allowed_updates, check_certificate_size, check_secret,
    check_webhook_url,
};
use super::client::{ApiConfig, BotApi};
use super::error::TelegramError;
use super::token::{BotToken, WebhookSecret};
use super::types::{BotInfo, WebhookInfo, WebhookParams, default_allowed_updates};
use crate::sanitize::clean;

/// What Telegram knows about a bot before anything is changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// Proven by `getMe`.
    pub bot: BotInfo,
    pub webhook: WebhookInfo,
    /// The token does not look like @BotFather's tokens (it still worked).
    pub token_warning: Option<String>,
    /// The webhook currently set, when it is not `ours` (or, with no `ours`
    /// given, any webhook set): replacing it takes the bot's messages away
    /// from there, so ask first.
    pub elsewhere: Option<String>,
    /// The webhook already points to `ours`.
    pub already_ours: bool,
    /// The last delivery failure of the current webhook, with its likely cause.
    pub delivery_warning: Option<String>,
}

/// `getMe` + `getWebhookInfo`. `ours` is the URL we would register.
pub async fn inspect(config: &ApiConfig, token: &BotToken, ours: Option<&str>) -> Result<Inspection, TelegramError> {
    let api = BotApi::new(config.clone(), token.clone())?;
    let bot = api.get_me().await?;
    let webhook = api.get_webhook_info().await?;
    let already_ours = ours.is_some_and(|o| webhook.is_set() && same_url(o, &webhook.url));
    let elsewhere = (webhook.is_set() && !already_ours).then(|| webhook.url.clone());
    let delivery_warning = delivery_warning(&webhook);
    Ok(Inspection { bot, webhook, token_warning: token.format_warning(), elsewhere, already_ours, delivery_warning })
}

/// Choices of the Channel Integration page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterOptions {
    /// Public webhook address (`https://IP:PORT`) replacing the integration
    /// URL's scheme, host and port.
    pub public_address: Option<String>,
    /// Default: message, edited_message, callback_query.
    pub allowed_updates: Vec<String>,
    /// Drop the updates queued at Telegram.
    pub drop_pending_updates: bool,
    /// PEM of the endpoint's TLS certificate (the backend's identity
    /// certificate), when known: uploaded only if it is self-signed.
    pub endpoint_certificate_pem: Option<Vec<u8>>,
    /// 1–100, or Telegram's default.
    pub max_connections: Option<u32>,
    /// Replace a webhook that points elsewhere (the user confirmed).
    pub replace_other: bool,
}

impl Default for RegisterOptions {
    fn default() -> Self {
        RegisterOptions {
            public_address: None,
            allowed_updates: default_allowed_updates(),
            drop_pending_updates: false,
            endpoint_certificate_pem: None,
            max_connections: None,
            replace_other: false,
        }
    }
}

/// The pre-checks, all at once: the URL (with the override applied), the
/// secret, the update types, the certificate. Gives the exact `setWebhook`
/// parameters, or every problem found. Calls nothing.
pub fn plan(
    integration_url: &str,
    secret: &WebhookSecret,
    token: Option<&BotToken>,
    options: &RegisterOptions,
) -> Result<WebhookParams, Vec<Problem>> {
    let mut problems = Vec::new();
    let url = match options.public_address.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
        Some(public) => match apply_override(integration_url, public) {
            Ok(url) => Some(url),
            Err(p) => {
                problems.extend(p);
                None
            }
        },
        None => {
            let p = check_webhook_url(integration_url);
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
    let certificate = match &options.endpoint_certificate_pem {
        None => None,
        Some(pem) => match is_self_signed(pem) {
            Ok(true) => {
                problems.extend(check_certificate_size(pem.len()));
                Some(pem.clone())
            }
            // signed by an authority: Telegram checks it against its roots
            Ok(false) => None,
            Err(e) => {
                problems.push(Problem { kind: ProblemKind::CertificateUnreadable, message: e.to_string() });
                None
            }
        },
    };
    match url {
        Some(url) if problems.is_empty() => Ok(WebhookParams {
            url,
            secret_token: Some(secret.clone()),
            allowed_updates: options.allowed_updates.clone(),
            drop_pending_updates: options.drop_pending_updates,
            certificate_pem: certificate,
            max_connections: options.max_connections,
            ip_address: None,
        }),
        _ => Err(problems),
    }
}

/// A webhook registered and confirmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// The URL Telegram now calls.
    pub url: String,
    /// Telegram's answer to setWebhook ("Webhook was set", "Webhook is already set").
    pub telegram: String,
    /// The self-signed endpoint certificate was uploaded.
    pub certificate_uploaded: bool,
    /// `getWebhookInfo` after setting.
    pub info: WebhookInfo,
    /// Things the user should know (a failing delivery, queued updates...).
    pub warnings: Vec<String>,
}

/// Checks → `setWebhook` → `getWebhookInfo` confirms the URL. Refuses to
/// replace a webhook pointing elsewhere unless `options.replace_other`.
pub async fn register(
    config: &ApiConfig,
    token: &BotToken,
    integration_url: &str,
    secret: &WebhookSecret,
    options: &RegisterOptions,
) -> Result<Registration, TelegramError> {
    let params = plan(integration_url, secret, Some(token), options).map_err(TelegramError::Checks)?;
    let api = BotApi::new(config.clone(), token.clone())?;
    if !options.replace_other {
        let before = api.get_webhook_info().await?;
        if before.is_set() && !same_url(&before.url, &params.url) {
            return Err(TelegramError::WebhookElsewhere { current: before.url });
        }
    }
    let telegram = api.set_webhook(&params).await?;
    let info = api
        .get_webhook_info()
        .await
        .map_err(|cause| TelegramError::Unconfirmed { url: params.url.clone(), cause: Box::new(cause) })?;
    if !same_url(&info.url, &params.url) {
        return Err(TelegramError::NotConfirmed { expected: params.url.clone(), actual: info.url });
    }
    let mut warnings = Vec::new();
    if let Some(pem) = &options.endpoint_certificate_pem {
        warnings.extend(certificate_warnings(pem, &params.url, chrono::Utc::now().timestamp()));
    }
    warnings.extend(delivery_warning(&info));
    if info.pending_update_count > 0 && !params.drop_pending_updates {
        warnings.push(format!(
            "{} updates are queued at Telegram and will now be delivered to the backend (messages sent while no webhook worked); register with \"drop pending updates\" to discard them.",
            info.pending_update_count
        ));
    }
    let certificate_uploaded = params.certificate_pem.is_some();
    if certificate_uploaded && !info.has_custom_certificate {
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
    Ok(Registration { url: params.url, telegram, certificate_uploaded, info, warnings })
}

/// A webhook removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    /// Telegram's answer ("Webhook was deleted", "Webhook is already deleted").
    pub telegram: String,
    /// A webhook was set before.
    pub was_set: bool,
}

/// `deleteWebhook`, optionally dropping the queued updates.
pub async fn delete(
    config: &ApiConfig,
    token: &BotToken,
    drop_pending_updates: bool,
) -> Result<Deletion, TelegramError> {
    let api = BotApi::new(config.clone(), token.clone())?;
    let telegram = api.delete_webhook(drop_pending_updates).await?;
    let was_set = !telegram.to_ascii_lowercase().contains("already");
    Ok(Deletion { telegram, was_set })
}

/// The webhook's last delivery failure, Telegram's text verbatim with its
/// likely cause and fix; `None` when there is none.
pub fn delivery_warning(info: &WebhookInfo) -> Option<String> {
    let message = info.last_error_message.as_deref().filter(|m| !m.trim().is_empty())?;
    let when = info
        .last_error_date
        .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
        .map(|t| format!(" at {}", t.format("%Y-%m-%d %H:%M UTC")))
        .unwrap_or_default();
    Some(format!("Telegram's last delivery failed{when}: \"{}\". {}", clean(message), likely_cause(message)))
}

/// Our reading of a `last_error_message`.
pub fn likely_cause(message: &str) -> &'static str {
    let m = message.to_ascii_lowercase();
    let has = |s: &str| m.contains(s);
    if has("ssl") || has("certificate") || has("tls") {
        "Likely cause: Telegram could not verify the endpoint's TLS certificate: it must match the webhook's address and carry its full chain, or, if self-signed, be uploaded with the webhook."
    } else if has("403") {
        "Likely cause: a proxy or web application firewall in front of the backend refuses Telegram: allow Telegram's addresses (149.154.160.0/20 and 91.108.4.0/22) to reach the integration URL."
    } else if has("401") {
        "Likely cause: the backend refused the delivery's secret: the webhook secret given to Telegram differs from the channel's; register the webhook again."
    } else if has("404") {
        "Likely cause: nothing answers at that path: the channel may have been deleted, or a proxy does not forward the path; check the integration URL."
    } else if has("read timeout") {
        "Likely cause: the backend took longer than 60 seconds to answer a delivery; check its load and logs."
    } else if has("timed out") || has("timeout") {
        "Likely cause: Telegram cannot connect to the address and port: a firewall or missing port forwarding blocks it from the Internet."
    } else if has("connection refused") {
        "Likely cause: nothing listens on that address and port: check the port forwarding and that the backend runs."
    } else if has("wrong response") && (has(" 5") || has("500") || has("502") || has("503")) {
        "Likely cause: the backend or a proxy failed while handling the delivery; check their logs."
    } else if has("resolve") || has("dns") {
        "Likely cause: the webhook's host name does not resolve: use the public IP address."
    } else {
        "Check that the webhook address is reachable from the Internet over HTTPS."
    }
}

/// Two URLs are the same webhook: equal after URL normalisation (default
/// port, case of scheme and host).
/// Two URLs are the same once parsed (default port, case of scheme/host).
pub(crate) fn same_url(a: &str, b: &str) -> bool {
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
            RegisterOptions { public_address: Some("https://93.184.216.34:8443".into()), ..Default::default() };
        let p = plan(INTEGRATION, &secret(), None, &options).unwrap();
        assert_eq!(p.url, "https://93.184.216.34:8443/apiaccess/telegram/message/ch_1");
        assert_eq!(p.allowed_updates, ["message", "edited_message", "callback_query"]);
        assert_eq!(p.secret_token, Some(secret()));
        assert!(p.certificate_pem.is_none());
    }

    #[test]
    fn plan_reports_every_problem_at_once() {
        let options = RegisterOptions {
            allowed_updates: vec!["mesage".into()],
            max_connections: Some(500),
            endpoint_certificate_pem: Some(b"not pem".to_vec()),
            ..Default::default()
        };
        let problems = plan(INTEGRATION, &WebhookSecret::new("bad secret"), None, &options).unwrap_err();
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
        let w = delivery_warning(&info("Wrong response from the webhook: 403 Forbidden")).unwrap();
        assert!(w.contains("\"Wrong response from the webhook: 403 Forbidden\""), "{w}");
        assert!(w.contains("firewall"), "{w}");
        assert!(w.contains("2023-11-14 22:13 UTC"), "{w}");
        assert!(
            delivery_warning(&info("SSL error {error:0A000086:SSL routines::certificate verify failed}"))
                .unwrap()
                .contains("TLS certificate")
        );
        assert!(delivery_warning(&info("Read timeout expired")).unwrap().contains("60 seconds"));
        assert!(
            delivery_warning(&info("Connection timed out")).unwrap().contains("firewall or missing port forwarding")
        );
        assert!(delivery_warning(&WebhookInfo::default()).is_none());
    }

    #[test]
    fn same_url_normalises_default_port_and_case() {
        assert!(same_url("https://93.184.216.34:443/x", "HTTPS://93.184.216.34/x"));
        assert!(!same_url("https://93.184.216.34/x", "https://93.184.216.34/y"));
    }
}
