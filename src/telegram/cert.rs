//! Telegram verifies the webhook endpoint's TLS certificate against public
//! roots, unless the certificate is self-signed and uploaded with
//! `setWebhook` (`certificate`). The caller knows the endpoint's certificate
//! (the backend's identity certificate); this says whether to upload it.

use x509_parser::certificate::X509Certificate;
use x509_parser::extensions::GeneralName;
use x509_parser::pem::parse_x509_pem;

/// Why a certificate could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    #[error(
        "endpoint certificate: it is not a PEM certificate (a block starting with -----BEGIN CERTIFICATE-----): {0}"
    )]
    NotPem(String),
    #[error("endpoint certificate: the PEM block holds no readable X.509 certificate: {0}")]
    NotX509(String),
}

/// What matters of an endpoint certificate, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateFacts {
    /// Its issuer is its subject and its signature verifies with its own
    /// public key: Telegram must be given it with `setWebhook`.
    pub self_signed: bool,
    /// See [`certificate_warnings`].
    pub warnings: Vec<String>,
}

/// Read `pem`'s first certificate once: whether it is self-signed and what
/// would make Telegram refuse it when calling `webhook_url` at unix time `now`.
pub fn read_certificate(pem: &[u8], webhook_url: &str, now: i64) -> Result<CertificateFacts, CertError> {
    let (_, block) = parse_x509_pem(pem).map_err(|e| CertError::NotPem(e.to_string()))?;
    if block.label != "CERTIFICATE" {
        return Err(CertError::NotPem(format!("found a {} block", block.label)));
    }
    let cert = block.parse_x509().map_err(|e| CertError::NotX509(e.to_string()))?;
    Ok(CertificateFacts { self_signed: self_signed(&cert), warnings: warnings_for(&cert, webhook_url, now) })
}

/// Whether the first certificate of `pem` is self-signed: its issuer is its
/// subject and its signature verifies with its own public key.
pub fn is_self_signed(pem: &[u8]) -> Result<bool, CertError> {
    read_certificate(pem, "", 0).map(|f| f.self_signed)
}

fn self_signed(cert: &X509Certificate<'_>) -> bool {
    cert.issuer().as_raw() == cert.subject().as_raw() && cert.verify_signature(None).is_ok()
}

/// What would make Telegram refuse the endpoint's certificate when it calls
/// `webhook_url` at unix time `now`: a certificate for another address, an
/// expired one, one not yet valid. Warnings, not errors: a proxy in front of
/// the backend may present another certificate. Unreadable PEM gives none
/// (see [`is_self_signed`] for that error).
pub fn certificate_warnings(pem: &[u8], webhook_url: &str, now: i64) -> Vec<String> {
    read_certificate(pem, webhook_url, now).map(|f| f.warnings).unwrap_or_default()
}

fn warnings_for(cert: &X509Certificate<'_>, webhook_url: &str, now: i64) -> Vec<String> {
    let mut warnings = Vec::new();
    let validity = cert.validity();
    if validity.not_after.timestamp() < now {
        warnings.push(format!(
            "The endpoint certificate expired on {}: Telegram refuses expired certificates; renew it.",
            day(validity.not_after.timestamp())
        ));
    } else if validity.not_before.timestamp() > now {
        warnings.push(format!(
            "The endpoint certificate is valid only from {}: Telegram refuses it until then (check the clock of the machine that made it).",
            day(validity.not_before.timestamp())
        ));
    }
    let Some(host) = url::Url::parse(webhook_url).ok().and_then(|u| u.host().map(|h| h.to_owned())) else {
        return warnings;
    };
    let mut names: Vec<String> = Vec::new();
    let mut covered = false;
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match (name, &host) {
                (GeneralName::IPAddress(bytes), url::Host::Ipv4(ip)) if *bytes == ip.octets() => covered = true,
                (GeneralName::DNSName(dns), url::Host::Domain(d)) if dns_matches(dns, d) => covered = true,
                _ => {}
            }
            match name {
                GeneralName::IPAddress(b) if b.len() == 4 => names.push(format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])),
                GeneralName::DNSName(dns) => names.push((*dns).to_owned()),
                _ => {}
            }
        }
    }
    if names.is_empty() {
        // no subject alternative names: the common name is the host
        for cn in cert.subject().iter_common_name().filter_map(|a| a.as_str().ok()) {
            names.push(cn.to_owned());
            covered |= match &host {
                url::Host::Ipv4(ip) => cn == ip.to_string(),
                url::Host::Domain(d) => dns_matches(cn, d),
                url::Host::Ipv6(_) => false,
            };
        }
    }
    if !covered {
        let list = if names.is_empty() { "no address".to_owned() } else { names.join(", ") };
        warnings.push(format!(
            "The endpoint certificate is for {}, not for {host}, the address Telegram will call: Telegram will refuse the TLS connection unless what answers at {host} presents a certificate for that address.",
            crate::sanitize::clean(&list)
        ));
    }
    warnings
}

fn day(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_else(|| unix.to_string())
}

/// `pattern` (a certificate DNS name, maybe `*.example.com`) covers `host`.
fn dns_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    match pattern.strip_prefix("*.") {
        Some(rest) => host.split_once('.').is_some_and(|(label, tail)| !label.is_empty() && tail == rest),
        None => pattern == host,
    }
}

#[cfg(all(test, feature = "server"))]
mod tests {
    use super::*;
    use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair};

    fn params(cn: &str) -> CertificateParams {
        let mut p = CertificateParams::new(vec!["93.184.216.34".to_owned()]).unwrap();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, cn);
        p.distinguished_name = dn;
        p
    }

    #[test]
    fn a_self_signed_certificate_is_recognised() {
        let key = KeyPair::generate().unwrap();
        let cert = params("backend").self_signed(&key).unwrap();
        assert_eq!(is_self_signed(cert.pem().as_bytes()), Ok(true));
    }

    #[test]
    fn a_ca_signed_certificate_is_not_self_signed() {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = params("Example CA");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let issuer = Issuer::new(ca, ca_key);
        let key = KeyPair::generate().unwrap();
        let leaf = params("backend").signed_by(&key, &issuer).unwrap();
        assert_eq!(is_self_signed(leaf.pem().as_bytes()), Ok(false));
    }

    #[test]
    fn same_names_but_a_foreign_signature_is_not_self_signed() {
        // issuer == subject, but signed by another key: not self-signed.
        let other_key = KeyPair::generate().unwrap();
        let issuer = Issuer::new(params("backend"), other_key);
        let key = KeyPair::generate().unwrap();
        let cert = params("backend").signed_by(&key, &issuer).unwrap();
        assert_eq!(is_self_signed(cert.pem().as_bytes()), Ok(false));
    }

    const NOW: i64 = 1_800_000_000; // 2027-01-15

    fn cert_for(names: &[&str], not_before: i64, not_after: i64) -> String {
        let mut p = CertificateParams::new(names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>()).unwrap();
        p.not_before = rcgen::date_time_ymd(1970, 1, 1) + std::time::Duration::from_secs(not_before as u64);
        p.not_after = rcgen::date_time_ymd(1970, 1, 1) + std::time::Duration::from_secs(not_after as u64);
        p.self_signed(&KeyPair::generate().unwrap()).unwrap().pem()
    }

    #[test]
    fn a_certificate_for_the_called_address_gives_no_warning() {
        let pem = cert_for(&["93.184.216.34", "bot.example.com"], NOW - 86_400, NOW + 86_400);
        assert!(certificate_warnings(pem.as_bytes(), "https://93.184.216.34:8443/x", NOW).is_empty());
        assert!(certificate_warnings(pem.as_bytes(), "https://bot.example.com/x", NOW).is_empty());
        let wild = cert_for(&["*.example.com"], NOW - 86_400, NOW + 86_400);
        assert!(certificate_warnings(wild.as_bytes(), "https://bot.example.com/x", NOW).is_empty());
        assert_eq!(certificate_warnings(wild.as_bytes(), "https://a.bot.example.com/x", NOW).len(), 1);
    }

    #[test]
    fn a_certificate_for_the_private_address_is_warned_about() {
        // the backend's identity certificate names its private BaseUrl address
        let pem = cert_for(&["10.1.2.3"], NOW - 86_400, NOW + 86_400);
        let w = certificate_warnings(pem.as_bytes(), "https://93.184.216.34:8443/x", NOW);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("is for 10.1.2.3, not for 93.184.216.34"), "{}", w[0]);
    }

    #[test]
    fn expired_and_future_certificates_are_warned_about() {
        let old = cert_for(&["93.184.216.34"], NOW - 10 * 86_400, NOW - 86_400);
        let w = certificate_warnings(old.as_bytes(), "https://93.184.216.34/x", NOW);
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("expired on 2027-01-14"), "{}", w[0]);
        let future = cert_for(&["93.184.216.34"], NOW + 86_400, NOW + 10 * 86_400);
        let w = certificate_warnings(future.as_bytes(), "https://93.184.216.34/x", NOW);
        assert!(w[0].contains("valid only from 2027-01-16"), "{}", w[0]);
    }

    #[test]
    fn garbage_is_an_error_not_a_guess() {
        assert!(matches!(is_self_signed(b"hello"), Err(CertError::NotPem(_))));
        let key = KeyPair::generate().unwrap();
        assert!(matches!(is_self_signed(key.serialize_pem().as_bytes()), Err(CertError::NotPem(_))));
        let bad = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(is_self_signed(bad.as_bytes()), Err(CertError::NotX509(_))));
    }
}
