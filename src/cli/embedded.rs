//! The reference backend embedded in this process (`cargo run --release`
//! with no backend configured): started on loopback on the first request,
//! its SQLite file in the data directory, the demo catalogue seeded.

use std::sync::Arc;

use crate::paths::Paths;
use crate::tui::backend::{Backend, Lazy, Remote};

/// The embedded backend for the wizard, and what the status line calls it
/// until it listens.
#[cfg(feature = "server")]
pub fn backend(paths: &Paths) -> (Option<Arc<dyn Backend>>, Option<String>) {
    let db = paths.data.join("backend.sqlite3");
    let cache = paths.cache.clone();
    let lazy = Lazy::new(move || async move {
        let config = crate::server::ServerConfig {
            addr: std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
            db,
            demo: true,
            seed_channels: 0,
            tls: crate::server::TlsMode::Off,
        };
        let server = crate::server::spawn(config).await.map_err(|e| format!("embedded backend: {e}"))?;
        let token = server.demo_token.clone().ok_or("embedded backend: no demo token")?;
        let url = server.url.clone();
        let flags = crate::client::Flags { backend: Some(url.clone()), token: Some(token), ca_cert: None };
        let settings = crate::client::config::resolve(&flags, &|_| None, None).map_err(|e| e.to_string())?;
        let client = crate::client::Client::new(&settings).map_err(|e| e.to_string())?;
        // the server lives as long as the process
        std::mem::forget(server);
        Ok((Remote::with_cache_key(client, &cache, "embedded"), url))
    });
    (Some(Arc::new(lazy)), Some("embedded (starting)".to_string()))
}

#[cfg(not(feature = "server"))]
pub fn backend(_: &Paths) -> (Option<Arc<dyn Backend>>, Option<String>) {
    (None, None)
}
