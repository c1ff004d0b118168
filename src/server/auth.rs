//! Tenants and their admin tokens. A token is 32 random bytes (base64url,
//! prefixed `cwt_`); only its SHA-256 is stored, so the database alone never
//! lets anyone in. Every `/api/v1` request names its tenant by its token.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use rand::Rng;
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use super::AppState;
use super::db;
use super::errors::{ApiErr, ApiResult};

const TOKEN_PREFIX: &str = "cwt_";

/// `n` random bytes as base64url without padding: a high-entropy secret made
/// only of `A-Za-z0-9_-`.
pub fn random_secret(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_secret(32))
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The rule for tenant names: 1–64 letters, digits, `_`, `-` or `.`.
pub fn check_tenant_name(name: &str) -> Result<(), String> {
    if name.is_empty()
        || name.len() > 64
        || !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return Err(format!(
            "tenant name '{}' is not allowed: use 1–64 letters, digits, '_', '-' or '.'",
            super::errors::shorten(name)
        ));
    }
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum TenantError {
    #[error("{0}")]
    BadName(String),
    #[error("a tenant named '{0}' already exists")]
    Exists(String),
    #[error("database {path}: {source}")]
    Db { path: String, source: rusqlite::Error },
}

/// Create a tenant in the database file and return its first token.
pub fn add_tenant(db_path: &std::path::Path, name: &str) -> Result<String, TenantError> {
    check_tenant_name(name).map_err(TenantError::BadName)?;
    let dberr = |source| TenantError::Db { path: db_path.display().to_string(), source };
    let mut conn = db::open(db_path).map_err(dberr)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(dberr)?;
    let exists: Option<i64> =
        tx.query_row("SELECT id FROM tenants WHERE name = ?1", [name], |r| r.get(0)).optional().map_err(dberr)?;
    if exists.is_some() {
        return Err(TenantError::Exists(name.to_string()));
    }
    let tenant = insert_tenant(&tx, name, false).map_err(dberr)?;
    let token = issue_token(&tx, tenant, "admin").map_err(dberr)?;
    tx.commit().map_err(dberr)?;
    Ok(token)
}

/// How many tenants the database holds.
pub fn tenant_count(db_path: &std::path::Path) -> rusqlite::Result<i64> {
    db::open(db_path)?.query_row("SELECT count(*) FROM tenants", [], |r| r.get(0))
}

pub fn insert_tenant(conn: &Connection, name: &str, demo: bool) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO tenants (name, demo, created) VALUES (?1, ?2, ?3)",
        params![name, demo, db::ts(db::now())],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Store a new token for the tenant and return it (the only time it exists
/// in clear).
pub fn issue_token(conn: &Connection, tenant: i64, label: &str) -> rusqlite::Result<String> {
    let token = new_token();
    conn.execute(
        "INSERT INTO tokens (hash, tenant_id, label, created) VALUES (?1, ?2, ?3, ?4)",
        params![hash_token(&token), tenant, label, db::ts(db::now())],
    )?;
    Ok(token)
}

/// The tenant of a request, from `Authorization: Bearer <token>`.
#[derive(Debug, Clone, Copy)]
pub struct Tenant(pub i64);

impl FromRequestParts<AppState> for Tenant {
    type Rejection = ApiErr;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Self> {
        let Some(value) = parts.headers.get(AUTHORIZATION) else {
            return Err(ApiErr::unauthorized(
                "This request needs a tenant admin token: send 'Authorization: Bearer <token>'.",
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiErr::unauthorized("The Authorization header must be 'Bearer <token>'."))?;
        let hash = hash_token(token);
        let tenant = state
            .db
            .call(move |conn| {
                Ok(conn
                    .query_row("SELECT tenant_id FROM tokens WHERE hash = ?1", [hash], |r| r.get::<_, i64>(0))
                    .optional()?)
            })
            .await?;
        let tenant = tenant.ok_or_else(|| {
            ApiErr::unauthorized("The token is not valid: ask your administrator for a tenant admin token.")
        })?;
        state.rate.check(tenant).map_err(ApiErr::too_many_requests)?;
        Ok(Tenant(tenant))
    }
}
