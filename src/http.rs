//! The one HTTP client builder of chanwiz, below both the configuration
//! client (`crate::client`) and the Bot API client (`crate::telegram`):
//! rustls with the `ring` provider, TLS always verified against the public
//! web PKI roots plus optional private CAs, no redirects (a redirect would
//! carry the admin token or the bot token elsewhere), chanwiz's user agent,
//! and the timeouts asked for.

use std::sync::Arc;
use std::time::Duration;

use rustls_pki_types::CertificateDer;

/// What an HTTP client is built with.
#[derive(Debug, Clone, Default)]
pub struct Setup<'a> {
    /// Private CA certificates trusted beside the public web PKI roots.
    pub extra_roots: &'a [CertificateDer<'static>],
    /// Time to establish a connection (TCP and TLS).
    pub connect_timeout: Option<Duration>,
    /// Time for a whole request and its answer.
    pub timeout: Option<Duration>,
    /// Longest pause between two reads of an answer.
    pub read_timeout: Option<Duration>,
}

/// Why a client could not be built (no secret is ever part of it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// `extra_roots[index]` is not a usable CA certificate.
    #[error("it cannot be used as a CA certificate: {detail}")]
    BadRoot { index: usize, detail: String },
    #[error("TLS setup failed: {0}")]
    Tls(String),
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
}

/// The user agent of every request chanwiz makes.
pub const USER_AGENT: &str = concat!("chanwiz/", env!("CARGO_PKG_VERSION"));

/// rustls' configuration: the public web PKI roots plus `extra_roots`.
pub fn tls_config(extra_roots: &[CertificateDer<'static>]) -> Result<rustls::ClientConfig, SetupError> {
    // the process-wide default, for any other rustls user in the process
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    for (index, cert) in extra_roots.iter().enumerate() {
        roots.add(cert.clone()).map_err(|e| SetupError::BadRoot { index, detail: e.to_string() })?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SetupError::Tls(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// An HTTP client built as described in the module documentation.
pub fn client(setup: &Setup<'_>) -> Result<reqwest::Client, SetupError> {
    let mut builder = reqwest::Client::builder()
        .tls_backend_preconfigured(tls_config(setup.extra_roots)?)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(USER_AGENT);
    if let Some(t) = setup.connect_timeout {
        builder = builder.connect_timeout(t);
    }
    if let Some(t) = setup.timeout {
        builder = builder.timeout(t);
    }
    if let Some(t) = setup.read_timeout {
        builder = builder.read_timeout(t);
    }
    builder.build().map_err(|e| SetupError::Client(e.without_url().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_builds_and_a_broken_root_is_named() {
        assert!(client(&Setup { connect_timeout: Some(Duration::from_secs(1)), ..Setup::default() }).is_ok());
        let bad = [CertificateDer::from(vec![0x30, 0x03, 0x02, 0x01, 0x00])];
        let e = tls_config(&bad).unwrap_err();
        assert!(matches!(e, SetupError::BadRoot { index: 0, .. }), "{e:?}");
    }

    #[test]
    fn a_redirect_is_answered_not_followed() {
        use std::io::{Read, Write};
        // where a followed redirect would go: it must see no connection
        let target = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        target.set_nonblocking(true).unwrap();
        let elsewhere = format!("http://{}/stolen", target.local_addr().unwrap());
        let redirector = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/bot123:secret/getMe", redirector.local_addr().unwrap());
        std::thread::spawn(move || {
            let (mut conn, _) = redirector.accept().unwrap();
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let answer = format!(
                "HTTP/1.1 307 Temporary Redirect\r\nLocation: {elsewhere}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
            conn.write_all(answer.as_bytes()).unwrap();
        });
        let http = client(&Setup { timeout: Some(Duration::from_secs(5)), ..Setup::default() }).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let answer = rt.block_on(async { http.post(&url).send().await.map(|r| r.status().as_u16()) });
        assert!(target.accept().is_err(), "the redirect was followed: the request went elsewhere");
        assert_eq!(answer.unwrap(), 307);
    }
}
