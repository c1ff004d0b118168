//! Checks run before Telegram is called, so that a user learns every problem
//! at once, with its fix, instead of one 400 at a time. They follow the
//! endpoint rules Telegram enforces on `setWebhook`: HTTPS only; ports 443,
//! 80, 88 or 8443; IPv4; public addresses only; a secret of 1–256
//! characters of `A-Z a-z 0-9 _ -`.
//!
//! When the integration URL made from AICC's BaseUrl cannot be called by
//! Telegram (a private address, port 28090), a *public webhook address*
//! (`https://PUBLIC-IP:PORT`) replaces its scheme, host and port and keeps
//! its path: see [`apply_override`].

use std::fmt;
use std::net::Ipv4Addr;

use url::Host;
use url::Url;

use super::face::Face;
use super::token::{BotToken, is_secret_byte};

/// Ports Telegram calls webhooks on.
pub const ALLOWED_PORTS: [u16; 4] = [443, 80, 88, 8443];
/// AICC's frontend port: BaseUrl usually carries it, Telegram never calls it.
pub const AICC_FRONTEND_PORT: u16 = 28090;
/// Longest `secret_token` Telegram accepts.
pub const SECRET_MAX: usize = 256;
/// Largest certificate file `setWebhook` accepts.
pub const CERTIFICATE_MAX_BYTES: usize = 3 * 1024 * 1024;
/// chanwiz's `allowed_updates` unless told otherwise: what a
/// customer-service channel needs, the customers' messages and their edits,
/// also through Telegram Business accounts (which route customer chats
/// through a bot).
pub const DEFAULT_ALLOWED_UPDATES: [&str; 6] = [
    "message",
    "edited_message",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
];
/// Update types of the Bot API (server 10.x). Telegram silently ignores
/// names it does not know, so a typo would silently lose messages: we check
/// them.
pub const KNOWN_UPDATE_TYPES: [&str; 25] = [
    "message",
    "edited_message",
    "channel_post",
    "edited_channel_post",
    "business_connection",
    "business_message",
    "edited_business_message",
    "deleted_business_messages",
    "message_reaction",
    "message_reaction_count",
    "inline_query",
    "chosen_inline_result",
    "callback_query",
    "shipping_query",
    "pre_checkout_query",
    "purchased_paid_media",
    "poll",
    "poll_answer",
    "my_chat_member",
    "chat_member",
    "chat_join_request",
    "chat_boost",
    "removed_chat_boost",
    "managed_bot",
    "guest_message",
];

/// What a check found wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    Empty,
    Whitespace,
    DoubledScheme,
    NoScheme,
    NotHttps,
    Unparsable,
    NoHost,
    Credentials,
    Fragment,
    Port,
    ReservedIp,
    Ipv6,
    Localhost,
    /// The public address carries something besides scheme, host and port.
    OverrideHasPath,
    SecretEmpty,
    SecretTooLong,
    SecretCharacters,
    SecretIsBotToken,
    UnknownUpdateType,
    CertificateTooBig,
    CertificateUnreadable,
    MaxConnections,
}

/// One problem: `message` says what is wrong and how to fix it, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The problems of a list, one per line, for error messages.
pub fn describe(problems: &[Problem]) -> String {
    problems.iter().map(|p| p.message.as_str()).collect::<Vec<_>>().join("\n")
}

/// Which URL is being checked: the advice differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlRole {
    /// The URL to register (the integration URL, maybe with the override
    /// applied): fixes may point to the public webhook address, in the
    /// words of the face that shows them.
    Webhook(Face),
    /// The public webhook address typed by the user (`https://IP:PORT`).
    PublicAddress,
}

impl UrlRole {
    fn name(self) -> &'static str {
        match self {
            UrlRole::Webhook(_) => "webhook URL",
            UrlRole::PublicAddress => "public webhook address",
        }
    }

    fn hint(self) -> String {
        match self {
            UrlRole::Webhook(face) => {
                face.set_public_address("https://PUBLIC-IPv4:443", " (port 443, 80, 88 or 8443) that forwards to the backend")
            }
            UrlRole::PublicAddress => {
                "use the public IPv4 address and port (443, 80, 88 or 8443) that the Internet reaches and that forwards to the backend".to_owned()
            }
        }
    }
}

/// Every problem of `url` as a webhook URL Telegram would call; empty when
/// it is fine.
pub fn check_webhook_url(url: &str, face: Face) -> Vec<Problem> {
    check_url(url, UrlRole::Webhook(face))
}

/// Every problem of `url` in the given role.
pub fn check_url(url: &str, role: UrlRole) -> Vec<Problem> {
    let mut problems = Vec::new();
    let name = role.name();
    let push = |problems: &mut Vec<Problem>, kind, message: String| problems.push(Problem { kind, message });

    if url.trim().is_empty() {
        push(
            &mut problems,
            ProblemKind::Empty,
            format!("The {name} is empty: it must look like https://PUBLIC-IPv4:443/path."),
        );
        return problems;
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        push(
            &mut problems,
            ProblemKind::Whitespace,
            format!(
                "The {name} contains spaces, line breaks or invisible characters: remove them (copy the URL again)."
            ),
        );
    }
    let compact: String = url.chars().filter(|c| !c.is_whitespace() && !c.is_control()).collect();
    let lower = compact.to_ascii_lowercase();

    let (scheme, rest) = match lower.split_once("://") {
        Some((s, r)) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) => {
            (Some(s.to_owned()), r.to_owned())
        }
        _ => (None, lower.clone()),
    };
    if rest.starts_with("https:") || rest.starts_with("http:") {
        push(
            &mut problems,
            ProblemKind::DoubledScheme,
            format!("The {name} repeats the scheme (like https://https://...): keep a single https:// at the start."),
        );
    }
    match scheme.as_deref() {
        None => {
            push(
                &mut problems,
                ProblemKind::NoScheme,
                format!("The {name} must start with https:// (Telegram calls webhooks only over HTTPS)."),
            );
            return problems;
        }
        Some("https") => {}
        Some(other) => push(
            &mut problems,
            ProblemKind::NotHttps,
            format!(
                "The {name} starts with {other}:// but Telegram calls webhooks only over HTTPS: use https:// (the endpoint needs a TLS certificate)."
            ),
        ),
    }

    // Parse the doubled-scheme case from its inner URL so that the other
    // checks still report on the real address.
    let parse_text = if problems.iter().any(|p| p.kind == ProblemKind::DoubledScheme) {
        let after = &compact[compact.find("://").map(|i| i + 3).unwrap_or(0)..];
        after.to_owned()
    } else {
        compact.clone()
    };
    if parse_text.split_once("://").is_some_and(|(_, r)| r.starts_with('/') || r.is_empty()) {
        push(
            &mut problems,
            ProblemKind::NoHost,
            format!("The {name} has no host after https://: it must look like https://PUBLIC-IPv4:443/path."),
        );
        return problems;
    }
    let parsed = match Url::parse(&parse_text) {
        Ok(u) => u,
        Err(url::ParseError::EmptyHost) => {
            push(
                &mut problems,
                ProblemKind::NoHost,
                format!("The {name} has no host after https://: it must look like https://PUBLIC-IPv4:443/path."),
            );
            return problems;
        }
        Err(e) => {
            push(
                &mut problems,
                ProblemKind::Unparsable,
                format!("The {name} is not a valid URL ({e}): it must look like https://PUBLIC-IPv4:443/path."),
            );
            return problems;
        }
    };
    if !parsed.username().is_empty() || parsed.password().is_some() {
        push(
            &mut problems,
            ProblemKind::Credentials,
            format!(
                "The {name} carries a user name or password before '@': remove it (the webhook secret authenticates Telegram)."
            ),
        );
    }
    if parsed.fragment().is_some() {
        push(
            &mut problems,
            ProblemKind::Fragment,
            format!("The {name} has a '#' part, which is never sent to the server: remove it."),
        );
    }

    match parsed.host() {
        None => push(
            &mut problems,
            ProblemKind::NoHost,
            format!("The {name} has no host after https://: it must look like https://PUBLIC-IPv4:443/path."),
        ),
        Some(Host::Ipv6(ip)) => push(
            &mut problems,
            ProblemKind::Ipv6,
            format!(
                "The {name} uses the IPv6 address {ip}, but Telegram calls webhooks only over IPv4: {}.",
                role.hint()
            ),
        ),
        Some(Host::Ipv4(ip)) => {
            if let Some(what) = reserved_ipv4(ip) {
                push(
                    &mut problems,
                    ProblemKind::ReservedIp,
                    format!(
                        "The {name} uses {ip}, a {what} address{}, which Telegram cannot reach from the Internet: {}.",
                        if what.starts_with("documentation") { " kept for examples" } else { "" },
                        role.hint()
                    ),
                );
            }
        }
        Some(Host::Domain(domain)) => {
            let d = domain.trim_end_matches('.');
            if d.is_empty() {
                push(
                    &mut problems,
                    ProblemKind::NoHost,
                    format!("The {name} has no host after https://: it must look like https://PUBLIC-IPv4:443/path."),
                );
            } else if d == "localhost"
                || d.ends_with(".localhost")
                || d.ends_with(".local")
                || d.ends_with(".internal")
                || d.ends_with(".lan")
                || d.ends_with(".home.arpa")
                || !d.contains('.')
            {
                push(
                    &mut problems,
                    ProblemKind::Localhost,
                    format!(
                        "The {name} uses the host name '{d}', which only exists inside your network: Telegram cannot reach it: {}.",
                        role.hint()
                    ),
                );
            }
        }
    }

    let port = parsed.port_or_known_default();
    match port {
        Some(p) if ALLOWED_PORTS.contains(&p) => {}
        Some(p) => {
            let aicc = if p == AICC_FRONTEND_PORT {
                " (28090 is AICC's frontend port, which Telegram never calls)"
            } else {
                ""
            };
            let fix = match role {
                UrlRole::Webhook(face) => face.set_public_address(
                    "https://PUBLIC-IPv4:8443",
                    &format!(" on one of those ports, forwarded to port {p} of the backend"),
                ),
                UrlRole::PublicAddress => "use one of those ports, forwarded to the backend's port".to_owned(),
            };
            push(
                &mut problems,
                ProblemKind::Port,
                format!(
                    "The {name} uses port {p}{aicc}, but Telegram calls webhooks only on ports 443, 80, 88 or 8443: {fix}."
                ),
            );
        }
        None => {}
    }
    problems
}

/// The kind of reserved range `ip` is in, or `None` for a public address.
pub fn reserved_ipv4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "\"this network\" (0.0.0.0/8)",
        (10, _, _) => "private (10.0.0.0/8)",
        (100, 64..=127, _) => "carrier-grade NAT (100.64.0.0/10)",
        (127, _, _) => "loopback (127.0.0.0/8)",
        (169, 254, _) => "link-local (169.254.0.0/16)",
        (172, 16..=31, _) => "private (172.16.0.0/12)",
        (192, 0, 0) => "IETF protocol assignment (192.0.0.0/24)",
        (192, 0, 2) => "documentation (192.0.2.0/24)",
        (192, 88, 99) => "6to4 relay (192.88.99.0/24)",
        (192, 168, _) => "private (192.168.0.0/16)",
        (198, 18..=19, _) => "benchmarking (198.18.0.0/15)",
        (198, 51, 100) => "documentation (198.51.100.0/24)",
        (203, 0, 113) => "documentation (203.0.113.0/24)",
        (224..=239, _, _) => "multicast (224.0.0.0/4)",
        (255, 255, 255) if ip.octets()[3] == 255 => "broadcast (255.255.255.255)",
        (240..=255, _, _) => "reserved (240.0.0.0/4)",
        _ => return None,
    })
}

/// The integration URL with its scheme, host and port replaced by those of
/// `public` (`https://IP:PORT`, a trailing `/` allowed), its path and query
/// kept. `public` is trimmed and checked like a webhook URL, and so is the
/// result; every problem found is returned.
pub fn apply_override(integration_url: &str, public: &str, face: Face) -> Result<String, Vec<Problem>> {
    let public = public.trim();
    let mut problems = check_url(public, UrlRole::PublicAddress);
    let public_url = Url::parse(public).ok();
    if let Some(p) = &public_url
        && problems.is_empty()
        && ((p.path() != "/" && !p.path().is_empty()) || p.query().is_some())
    {
        problems.push(Problem {
            kind: ProblemKind::OverrideHasPath,
            message: format!(
                "The public webhook address must be only https://IP:PORT; the path ({}) comes from the integration URL: remove it.",
                p.path()
            ),
        });
    }
    let integration = match Url::parse(integration_url.trim()) {
        Ok(u) => u,
        Err(e) => {
            problems.push(Problem {
                kind: ProblemKind::Unparsable,
                message: format!(
                    "The integration URL from the backend is not a valid URL ({e}): save the channel again."
                ),
            });
            return Err(problems);
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    let Some(public_url) = public_url else {
        return Err(problems);
    };
    let mut out = format!("{}://{}", public_url.scheme(), public_url.host_str().unwrap_or_default());
    if let Some(port) = public_url.port() {
        out.push_str(&format!(":{port}"));
    }
    out.push_str(integration.path());
    if let Some(q) = integration.query() {
        out.push('?');
        out.push_str(q);
    }
    let problems = check_webhook_url(&out, face);
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

/// Every problem of `secret` as a `secret_token`; `token` (when known)
/// catches the classic mistake of passing the bot token as the secret.
pub fn check_secret(secret: &str, token: Option<&BotToken>) -> Vec<Problem> {
    let mut problems = Vec::new();
    if secret.is_empty() {
        problems.push(Problem {
            kind: ProblemKind::SecretEmpty,
            message: "The webhook secret is empty: without it anyone who learns the URL could post fake messages; save the channel again so the backend generates one.".to_owned(),
        });
        return problems;
    }
    let is_token = token.is_some_and(|t| t.expose() == secret.trim());
    if is_token {
        problems.push(Problem {
            kind: ProblemKind::SecretIsBotToken,
            message: "The webhook secret is the bot token: never use the token as the secret (Telegram would send it in every delivery header); use the secret the backend generated.".to_owned(),
        });
    }
    let n = secret.chars().count();
    if n > SECRET_MAX {
        problems.push(Problem {
            kind: ProblemKind::SecretTooLong,
            message: format!("The webhook secret has {n} characters; Telegram accepts at most {SECRET_MAX}."),
        });
    }
    if !secret.bytes().all(is_secret_byte) {
        let hint = if !is_token && secret.contains(':') {
            " (a ':' suggests a bot token: the bot token is not the secret)"
        } else {
            ""
        };
        problems.push(Problem {
            kind: ProblemKind::SecretCharacters,
            message: format!(
                "The webhook secret may contain only letters A-Z and a-z, digits, '_' and '-'{hint}: use the secret the backend generated."
            ),
        });
    }
    problems
}

/// Every name in `updates` that is not a Bot API update type.
pub fn check_allowed_updates<S: AsRef<str>>(updates: &[S]) -> Vec<Problem> {
    updates
        .iter()
        .map(AsRef::as_ref)
        .filter(|u| !KNOWN_UPDATE_TYPES.contains(u))
        .map(|u| Problem {
            kind: ProblemKind::UnknownUpdateType,
            message: format!(
                "allowed_updates: '{}' is not a Telegram update type (Telegram would silently ignore it): the Bot API's types are {}.",
                crate::sanitize::clean(u),
                KNOWN_UPDATE_TYPES.join(", ")
            ),
        })
        .collect()
}

/// A problem when a certificate file is larger than Telegram accepts.
pub fn check_certificate_size(len: usize) -> Option<Problem> {
    (len > CERTIFICATE_MAX_BYTES).then(|| Problem {
        kind: ProblemKind::CertificateTooBig,
        message: format!(
            "The certificate is {len} bytes; Telegram accepts at most {CERTIFICATE_MAX_BYTES} (3 MiB): give only the PEM certificate of the endpoint, without keys or other files."
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(url: &str) -> Vec<ProblemKind> {
        check_webhook_url(url, Face::Wizard).into_iter().map(|p| p.kind).collect()
    }

    const OK: &str = "https://93.184.216.34:8443/apiaccess/telegram/message/ch1";

    #[test]
    fn a_public_https_url_on_an_allowed_port_passes() {
        assert!(check_webhook_url(OK, Face::Wizard).is_empty());
        for port in ["", ":443", ":80", ":88", ":8443"] {
            let url = format!("https://93.184.216.34{port}/x");
            assert!(check_webhook_url(&url, Face::Wizard).is_empty(), "{url}");
        }
        assert!(check_webhook_url("https://bot.example.com/hook", Face::Wizard).is_empty());
    }

    #[test]
    fn aicc_port_is_refused_with_the_override_offered() {
        let p = check_webhook_url("https://93.184.216.34:28090/apiaccess/telegram/message/ch1", Face::Wizard);
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].kind, ProblemKind::Port);
        assert!(p[0].message.contains("28090 is AICC's frontend port"), "{}", p[0]);
        assert!(p[0].message.contains("public webhook address"), "{}", p[0]);
        assert!(p[0].message.contains("443, 80, 88 or 8443"), "{}", p[0]);
    }

    #[test]
    fn http_and_missing_scheme_are_refused() {
        assert_eq!(kinds("http://93.184.216.34/x"), vec![ProblemKind::NotHttps]);
        assert_eq!(kinds("93.184.216.34/x"), vec![ProblemKind::NoScheme]);
    }

    #[test]
    fn every_reserved_range_is_refused_and_public_neighbours_pass() {
        let reserved = [
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "169.254.1.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.10",
            "192.88.99.1",
            "192.168.1.10",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
        ];
        for ip in reserved {
            let p = check_webhook_url(&format!("https://{ip}/x"), Face::Wizard);
            assert_eq!(p.len(), 1, "{ip}: {p:?}");
            assert_eq!(p[0].kind, ProblemKind::ReservedIp, "{ip}");
            assert!(p[0].message.contains("cannot reach") && p[0].message.contains("public webhook address"));
        }
        for ip in ["100.63.255.255", "100.128.0.1", "172.15.0.1", "172.32.0.1", "11.0.0.1", "8.8.8.8", "223.255.255.1"]
        {
            assert!(check_webhook_url(&format!("https://{ip}/x"), Face::Wizard).is_empty(), "{ip}");
        }
        let p = check_webhook_url("https://192.168.1.10/x", Face::Wizard);
        assert!(p[0].message.contains("private"), "{}", p[0]);
        let p = check_webhook_url("https://100.64.0.1/x", Face::Wizard);
        assert!(p[0].message.contains("carrier-grade NAT"), "{}", p[0]);
    }

    #[test]
    fn ipv6_and_local_names_are_refused() {
        assert_eq!(kinds("https://[2001:db8::1]/x"), vec![ProblemKind::Ipv6]);
        assert_eq!(kinds("https://localhost:8443/x"), vec![ProblemKind::Localhost]);
        assert_eq!(kinds("https://backend.internal/x"), vec![ProblemKind::Localhost]);
    }

    #[test]
    fn common_typing_mistakes_are_named() {
        assert!(kinds("https://https://93.184.216.34/x").contains(&ProblemKind::DoubledScheme));
        assert!(kinds("https://http://93.184.216.34/x").contains(&ProblemKind::DoubledScheme));
        assert!(kinds("https://93.184.216.34/x y").contains(&ProblemKind::Whitespace));
        assert!(kinds(" https://93.184.216.34/x").contains(&ProblemKind::Whitespace));
        assert_eq!(kinds(""), vec![ProblemKind::Empty]);
        assert_eq!(kinds("https:///path"), vec![ProblemKind::NoHost]);
        assert_eq!(kinds("https://"), vec![ProblemKind::NoHost]);
        assert!(kinds("https://user:pw@93.184.216.34/x").contains(&ProblemKind::Credentials));
        assert!(kinds("https://93.184.216.34/x#frag").contains(&ProblemKind::Fragment));
    }

    #[test]
    fn all_problems_are_reported_not_just_the_first() {
        let k = kinds("http://https://10.0.0.1:28090/x");
        assert!(k.contains(&ProblemKind::DoubledScheme), "{k:?}");
        assert!(k.contains(&ProblemKind::NotHttps), "{k:?}");
        assert!(k.contains(&ProblemKind::ReservedIp), "{k:?}");
        assert!(k.contains(&ProblemKind::Port), "{k:?}");
        let k = kinds("http://10.0.0.1:28090/x");
        assert_eq!(k, vec![ProblemKind::NotHttps, ProblemKind::ReservedIp, ProblemKind::Port]);
    }

    #[test]
    fn override_replaces_scheme_host_port_and_keeps_the_path() {
        let integration = "https://10.1.2.3:28090/apiaccess/telegram/message/ch_42";
        assert_eq!(
            apply_override(integration, " https://93.184.216.34:8443 ", Face::Wizard).unwrap(),
            "https://93.184.216.34:8443/apiaccess/telegram/message/ch_42"
        );
        assert_eq!(
            apply_override(integration, "https://93.184.216.34/", Face::Wizard).unwrap(),
            "https://93.184.216.34/apiaccess/telegram/message/ch_42"
        );
        assert_eq!(
            apply_override("https://10.1.2.3:28090/a/b?x=1", "https://93.184.216.34:443", Face::Wizard).unwrap(),
            "https://93.184.216.34/a/b?x=1"
        );
    }

    #[test]
    fn override_itself_is_checked_with_every_problem() {
        let integration = "https://10.1.2.3:28090/apiaccess/telegram/message/ch_42";
        let p = apply_override(integration, "http://192.168.0.5:28090", Face::Wizard).unwrap_err();
        let k: Vec<_> = p.iter().map(|p| p.kind).collect();
        assert_eq!(k, vec![ProblemKind::NotHttps, ProblemKind::ReservedIp, ProblemKind::Port]);
        assert!(p.iter().all(|p| p.message.starts_with("The public webhook address")), "{p:?}");
        let p = apply_override(integration, "https://93.184.216.34:8443/other", Face::Wizard).unwrap_err();
        assert_eq!(p[0].kind, ProblemKind::OverrideHasPath);
        assert_eq!(apply_override(integration, "", Face::Wizard).unwrap_err()[0].kind, ProblemKind::Empty);
        let p = apply_override("not a url", "https://93.184.216.34", Face::Wizard).unwrap_err();
        assert_eq!(p[0].kind, ProblemKind::Unparsable);
    }

    #[test]
    fn secret_rules() {
        assert!(check_secret("Abc_09-xyz", None).is_empty());
        assert!(check_secret(&"a".repeat(256), None).is_empty());
        assert_eq!(check_secret("", None)[0].kind, ProblemKind::SecretEmpty);
        assert_eq!(check_secret(&"a".repeat(257), None)[0].kind, ProblemKind::SecretTooLong);
        let p = check_secret("has space", None);
        assert_eq!(p[0].kind, ProblemKind::SecretCharacters);
        let token = BotToken::parse("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw0").unwrap();
        let p = check_secret(token.expose(), Some(&token));
        let k: Vec<_> = p.iter().map(|p| p.kind).collect();
        assert_eq!(k, vec![ProblemKind::SecretIsBotToken, ProblemKind::SecretCharacters]);
        assert!(!p.iter().any(|p| p.message.contains(token.expose())));
        let p = check_secret("111:AAother", Some(&token));
        assert!(p[0].message.contains("the bot token is not the secret"), "{}", p[0]);
    }

    #[test]
    fn allowed_updates_and_certificate_size() {
        assert!(check_allowed_updates(&DEFAULT_ALLOWED_UPDATES).is_empty());
        let p = check_allowed_updates(&["message", "mesage"]);
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("'mesage'"));
        assert!(check_certificate_size(CERTIFICATE_MAX_BYTES).is_none());
        assert_eq!(check_certificate_size(CERTIFICATE_MAX_BYTES + 1).unwrap().kind, ProblemKind::CertificateTooBig);
    }
}
