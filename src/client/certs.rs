//! Certificates the admin brings to the backend: a file read for upload (PEM
//! or DER), the chain a server presents (taken without trusting it, as
//! `openssl s_client -showcerts` does), and what is shown of each one.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use chrono::{DateTime, Utc};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use sha2::Digest;

use super::{Client, ClientError, Result};
use crate::api::{CertRole, Certificate, CertificateUpload};
use crate::sanitize::clean;

/// What is shown of one X.509 certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    pub subject: String,
    pub issuer: String,
    pub not_before: DateTime<Utc>,
    pub not_after: DateTime<Utc>,
    /// SHA-256 of the DER bytes, `AB:CD:…`.
    pub sha256: String,
    pub der: Vec<u8>,
}

impl CertInfo {
    /// Subject, issuer, validity and fingerprint, one per line.
    pub fn describe(&self) -> String {
        format!(
            "subject:  {}\nissuer:   {}\nvalid:    {} to {}\nSHA-256:  {}",
            clean(&self.subject),
            clean(&self.issuer),
            self.not_before.format("%Y-%m-%d %H:%M:%S UTC"),
            self.not_after.format("%Y-%m-%d %H:%M:%S UTC"),
            self.sha256
        )
    }
}

/// Parse one DER certificate.
pub fn parse_der(der: &[u8]) -> std::result::Result<CertInfo, String> {
    let (_, cert) = x509_parser::parse_x509_certificate(der).map_err(|_| "is not an X.509 certificate".to_string())?;
    let ts = |t: x509_parser::time::ASN1Time| {
        DateTime::from_timestamp(t.timestamp(), 0).ok_or_else(|| "has a validity date out of range".to_string())
    };
    let digest = sha2::Sha256::digest(der);
    Ok(CertInfo {
        subject: clean(&cert.subject().to_string()).into_owned(),
        issuer: clean(&cert.issuer().to_string()).into_owned(),
        not_before: ts(cert.validity().not_before)?,
        not_after: ts(cert.validity().not_after)?,
        sha256: digest.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":"),
        der: der.to_vec(),
    })
}

/// The certificate in a file, PEM (its first certificate) or DER, as its
/// DER bytes. A private key is refused: only the certificate is uploaded.
pub fn read_file(path: &Path) -> Result<CertInfo> {
    let bytes = std::fs::read(path).map_err(|source| ClientError::Io { path: path.to_path_buf(), source })?;
    let bad = |why: String| ClientError::Config(format!("{}: {why}", path.display()));
    let text = std::str::from_utf8(&bytes).ok().filter(|t| t.contains("-----BEGIN"));
    let der = match text {
        Some(t) if t.contains("PRIVATE KEY") => {
            return Err(bad("holds a private key: import the certificate only, never its key".into()));
        }
        Some(t) => {
            let (_, block) = x509_parser::pem::parse_x509_pem(t.as_bytes())
                .map_err(|_| bad("is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)".into()))?;
            if block.label != "CERTIFICATE" {
                return Err(bad(format!("holds a '{}' block, not a CERTIFICATE", clean(&block.label))));
            }
            block.contents
        }
        None => bytes,
    };
    parse_der(&der).map_err(|why| bad(format!("{why} (neither PEM nor DER)")))
}

/// What `certs import` sends: the file's certificate as DER, named `name`
/// or else after the file.
pub fn upload_from_file(path: &Path, role: CertRole, name: Option<&str>) -> Result<CertificateUpload> {
    let info = read_file(path)?;
    let name = match name {
        Some(n) => n.trim().to_string(),
        None => {
            let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            stem.chars().filter(|c| !c.is_control()).take(64).collect()
        }
    };
    Ok(CertificateUpload {
        name,
        role,
        pem: None,
        der_base64: Some(base64::engine::general_purpose::STANDARD.encode(&info.der)),
    })
}

/// Upload the certificate of a file (`chanwiz certs import`).
pub async fn import_file(client: &Client, path: &Path, role: CertRole, name: Option<&str>) -> Result<Certificate> {
    client.upload_certificate(&upload_from_file(path, role, name)?).await
}

/// Accepts whatever the server presents: `certs fetch` is how the admin
/// obtains a chain nothing trusts yet. The handshake's signatures are still
/// checked, so the chain is the one of the key the server holds.
#[derive(Debug)]
struct TakeAnyChain(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for TakeAnyChain {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Connect to `https://HOST:PORT` and take the certificate chain it
/// presents, leaf first, without verifying it. Nothing is sent but the
/// handshake; `timeout` bounds the connect and every read.
pub fn fetch_chain(address: &str, timeout: Duration) -> Result<Vec<CertInfo>> {
    let url = url::Url::parse(address.trim())
        .map_err(|e| ClientError::Config(format!("'{}' is not a URL ({e}): give https://IP:PORT", clean(address))))?;
    if url.scheme() != "https" {
        return Err(ClientError::Config(format!("'{}' must start with https://", clean(address))));
    }
    let host = match url.host() {
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        Some(h) => h.to_string(),
        None => return Err(ClientError::Config(format!("'{}' names no host", clean(address)))),
    };
    let port = url.port().unwrap_or(443);
    let label = format!("{host}:{port}");
    let unreachable = |detail: String| ClientError::Unreachable { backend: label.clone(), detail };
    let addr = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| unreachable(e.to_string()))?
        .next()
        .ok_or_else(|| unreachable("the name has no address".into()))?;
    let mut sock = TcpStream::connect_timeout(&addr, timeout).map_err(|e| match e.kind() {
        std::io::ErrorKind::TimedOut => ClientError::Timeout { backend: label.clone(), secs: timeout.as_secs() },
        _ => unreachable(e.to_string()),
    })?;
    sock.set_read_timeout(Some(timeout))
        .and_then(|()| sock.set_write_timeout(Some(timeout)))
        .map_err(|e| unreachable(e.to_string()))?;

    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| ClientError::Config(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(TakeAnyChain(provider)))
        .with_no_client_auth();
    let name = ServerName::try_from(host.clone()).map_err(|e| ClientError::Config(format!("'{host}': {e}")))?;
    let mut conn = rustls::ClientConnection::new(Arc::new(config), name)
        .map_err(|e| ClientError::Tls { backend: label.clone(), detail: e.to_string() })?;
    while conn.is_handshaking() {
        conn.complete_io(&mut sock).map_err(|e| match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                ClientError::Timeout { backend: label.clone(), secs: timeout.as_secs() }
            }
            _ => ClientError::Tls { backend: label.clone(), detail: clean(&e.to_string()).into_owned() },
        })?;
    }
    let chain: Vec<CertificateDer<'static>> =
        conn.peer_certificates().unwrap_or_default().iter().map(|c| c.clone().into_owned()).collect();
    if chain.is_empty() {
        return Err(ClientError::Tls { backend: label, detail: "the server presented no certificate".into() });
    }
    conn.send_close_notify();
    let _ = conn.complete_io(&mut sock);
    let _ = sock.flush();
    chain
        .iter()
        .map(|c| {
            parse_der(c.as_ref()).map_err(|why| ClientError::Protocol {
                backend: label.clone(),
                detail: format!("a certificate it presented {why}"),
            })
        })
        .collect()
}

/// The two files `certs fetch` writes of the server's certificate (the
/// leaf, as the seed's `openssl ... | openssl x509` does): `BASE.pem` and
/// `BASE.cer` (DER). A `.pem` or `.cer` ending of `base` is dropped first.
pub fn write_fetched(leaf: &CertInfo, base: &Path) -> Result<(PathBuf, PathBuf)> {
    let base = match base.extension().and_then(|e| e.to_str()) {
        Some("pem" | "cer" | "der" | "crt") => base.with_extension(""),
        _ => base.to_path_buf(),
    };
    let pem_path = base.with_extension("pem");
    let der_path = base.with_extension("cer");
    crate::fsutil::atomic_write(&pem_path, crate::api::pem_certificate(&leaf.der).as_bytes())
        .map_err(|source| ClientError::Io { path: pem_path.clone(), source })?;
    crate::fsutil::atomic_write(&der_path, &leaf.der)
        .map_err(|source| ClientError::Io { path: der_path.clone(), source })?;
    Ok((pem_path, der_path))
}

pub use crate::model::warnings::{CERT_EXPIRY_WARNING_DAYS, expiry_warning};
