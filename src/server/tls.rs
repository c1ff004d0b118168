//! TLS for `chanwiz serve`: given PEM files, or a self-signed certificate for
//! the listen address kept beside the database (`<db>.cert.pem`, its key in
//! `<db>.key.pem`, mode 0600) and reused while it still fits.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};

use axum_server::tls_rustls::RustlsConfig;

use super::db::beside;
use super::{ServeError, TlsMode};

/// rustls needs one process-wide crypto provider; installing it twice is
/// harmless.
pub fn install_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Where `--tls-self-signed` writes the certificate clients should trust.
pub fn self_signed_cert_path(db: &Path) -> PathBuf {
    beside(db, ".cert.pem")
}

pub async fn server_config(
    mode: &TlsMode,
    db: &Path,
    addr: SocketAddr,
) -> Result<(RustlsConfig, Option<PathBuf>), ServeError> {
    install_provider();
    match mode {
        TlsMode::Off => Err(ServeError::Tls("TLS is off".into())),
        TlsMode::Files { cert, key } => {
            let config = RustlsConfig::from_pem_file(cert, key).await.map_err(|e| {
                ServeError::Tls(format!("cannot use certificate {} with key {}: {e}", cert.display(), key.display()))
            })?;
            Ok((http1_only(config), None))
        }
        TlsMode::SelfSigned => {
            let cert_path = self_signed_cert_path(db);
            let key_path = beside(db, ".key.pem");
            let reusable = match (std::fs::read_to_string(&cert_path), std::fs::read(&key_path)) {
                (Ok(pem), Ok(_)) => fits(&pem, addr.ip()),
                _ => false,
            };
            if !reusable {
                let (cert_pem, key_pem) = generate(addr.ip()).map_err(ServeError::Tls)?;
                crate::fsutil::atomic_write(&key_path, key_pem.as_bytes())?;
                crate::fsutil::atomic_write(&cert_path, cert_pem.as_bytes())?;
            }
            let config = RustlsConfig::from_pem_file(&cert_path, &key_path).await.map_err(|e| {
                ServeError::Tls(format!("cannot use the self-signed certificate {}: {e}", cert_path.display()))
            })?;
            Ok((http1_only(config), Some(cert_path)))
        }
    }
}

/// Offer only HTTP/1.1 in ALPN: the server speaks nothing else (see
/// `super::limits`).
fn http1_only(config: RustlsConfig) -> RustlsConfig {
    let mut inner = (*config.get_inner()).clone();
    inner.alpn_protocols = vec![b"http/1.1".to_vec()];
    RustlsConfig::from_config(std::sync::Arc::new(inner))
}

/// The names a self-signed certificate covers: loopback, `localhost`, and
/// the listen address when it is a specific one.
fn names(ip: IpAddr) -> Vec<String> {
    let mut names = vec!["localhost".to_string(), Ipv4Addr::LOCALHOST.to_string(), Ipv6Addr::LOCALHOST.to_string()];
    if !ip.is_unspecified() && !ip.is_loopback() {
        names.push(ip.to_string());
    }
    names
}

fn generate(ip: IpAddr) -> Result<(String, String), String> {
    let (cert, key) = self_signed(names(ip), "chanwiz serve", 365)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// A self-signed certificate for `names` (DNS names or IP addresses), valid
/// from yesterday for `days` days, and its new key.
pub fn self_signed(
    names: Vec<String>,
    common_name: &str,
    days: i64,
) -> Result<(rcgen::Certificate, rcgen::KeyPair), String> {
    use chrono::Datelike;
    let key = rcgen::KeyPair::generate().map_err(|e| e.to_string())?;
    let mut params = rcgen::CertificateParams::new(names).map_err(|e| e.to_string())?;
    params.distinguished_name.push(rcgen::DnType::CommonName, common_name);
    let now = chrono::Utc::now();
    let (from, to) = (now - chrono::Duration::days(1), now + chrono::Duration::days(days));
    // whole days: rcgen takes a date; day 28 at most keeps every month valid
    params.not_before = rcgen::date_time_ymd(from.year(), from.month() as u8, from.day().min(28) as u8);
    params.not_after = rcgen::date_time_ymd(to.year(), to.month() as u8, to.day().min(28) as u8);
    let cert = params.self_signed(&key).map_err(|e| e.to_string())?;
    Ok((cert, key))
}

/// Whether a stored certificate covers `ip` and is valid for a week more.
fn fits(pem: &str, ip: IpAddr) -> bool {
    let Ok((_, pem)) = x509_parser::pem::parse_x509_pem(pem.as_bytes()) else {
        return false;
    };
    let Ok((_, cert)) = x509_parser::parse_x509_certificate(&pem.contents) else {
        return false;
    };
    let week = chrono::Utc::now().timestamp() + 7 * 24 * 3600;
    if cert.validity().not_after.timestamp() < week {
        return false;
    }
    if ip.is_unspecified() || ip.is_loopback() {
        return true;
    }
    let want = match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    };
    matches!(cert.subject_alternative_name(), Ok(Some(san)) if san.value.general_names.iter().any(|n| matches!(n, x509_parser::extensions::GeneralName::IPAddress(b) if *b == want.as_slice())))
}
