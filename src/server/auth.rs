//! Tenants and their admin tokens. A token is 32 random bytes (base64url,
//! prefixed `cwt_`); only its SHA-256 is stored, so the database alone never
//! lets anyone in. Every `/api/v1` request names its tenant by its token.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use base64::Engine;
use rand::Rng;
use std::path::Path;

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
    #[error("there is no tenant named '{0}' (see `chanwiz tenant list`)")]
    NotFound(String),
    #[error("database {0} does not exist: check --db")]
    NoDatabase(String),
    #[error("database {path}: {source}")]
    Db { path: String, source: rusqlite::Error },
}

fn dberr(path: &Path) -> impl Fn(rusqlite::Error) -> TenantError + '_ {
    move |source| TenantError::Db { path: path.display().to_string(), source }
}

/// Open a database file that must already exist (never make a new one).
fn open_existing(path: &Path) -> Result<Connection, TenantError> {
    if !path.is_file() {
        return Err(TenantError::NoDatabase(path.display().to_string()));
    }
    db::open(path).map_err(dberr(path))
}

/// The tenant's id, or [`TenantError::NotFound`].
fn tenant_id(conn: &Connection, db_path: &Path, name: &str) -> Result<i64, TenantError> {
    conn.query_row("SELECT id FROM tenants WHERE name = ?1", [name], |r| r.get(0))
        .optional()
        .map_err(dberr(db_path))?
        .ok_or_else(|| TenantError::NotFound(super::errors::shorten(name)))
}

/// Create a tenant in the database file and return its first token. With
/// `create`, a database file that does not exist yet is made; without, it
/// is refused (a mistyped `--db` must not start an empty database).
pub fn add_tenant_in(db_path: &Path, name: &str, create: bool) -> Result<String, TenantError> {
    check_tenant_name(name).map_err(TenantError::BadName)?;
    if !create && !db_path.is_file() {
        return Err(TenantError::NoDatabase(db_path.display().to_string()));
    }
    add_tenant(db_path, name)
}

/// One tenant as `chanwiz tenant list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantInfo {
    pub name: String,
    pub demo: bool,
    pub created: String,
    pub channels: i64,
    pub tokens: i64,
}

/// Every tenant of the database, by name.
pub fn list_tenants(db_path: &Path) -> Result<Vec<TenantInfo>, TenantError> {
    let conn = open_existing(db_path)?;
    let mut st = conn
        .prepare(
            "SELECT t.name, t.demo, t.created, \
             (SELECT count(*) FROM channels c WHERE c.tenant_id = t.id), \
             (SELECT count(*) FROM tokens k WHERE k.tenant_id = t.id) \
             FROM tenants t ORDER BY t.name",
        )
        .map_err(dberr(db_path))?;
    st.query_map([], |r| {
        Ok(TenantInfo { name: r.get(0)?, demo: r.get(1)?, created: r.get(2)?, channels: r.get(3)?, tokens: r.get(4)? })
    })
    .and_then(|rows| rows.collect())
    .map_err(dberr(db_path))
}

/// Replace every token of the tenant with one new token, returned (the only
/// time it exists in clear). The old tokens stop working at once: a server
/// looks the token up on every request.
pub fn rotate_token(db_path: &Path, name: &str) -> Result<String, TenantError> {
    let mut conn = open_existing(db_path)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(dberr(db_path))?;
    let tenant = tenant_id(&tx, db_path, name)?;
    tx.execute("DELETE FROM tokens WHERE tenant_id = ?1", [tenant]).map_err(dberr(db_path))?;
    let token = issue_token(&tx, tenant, "admin").map_err(dberr(db_path))?;
    tx.commit().map_err(dberr(db_path))?;
    Ok(token)
}

/// How many channels the tenant has (what `tenant rm` would remove).
pub fn tenant_channels(db_path: &Path, name: &str) -> Result<i64, TenantError> {
    let conn = open_existing(db_path)?;
    let tenant = tenant_id(&conn, db_path, name)?;
    conn.query_row("SELECT count(*) FROM channels WHERE tenant_id = ?1", [tenant], |r| r.get(0)).map_err(dberr(db_path))
}

/// Remove the tenant with its tokens, catalogue, channels (and the updates
/// they received), idempotency keys and exports, export files included.
/// Returns how many channels went.
pub fn remove_tenant(db_path: &Path, name: &str) -> Result<i64, TenantError> {
    let mut conn = open_existing(db_path)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).map_err(dberr(db_path))?;
    let tenant = tenant_id(&tx, db_path, name)?;
    let channels: i64 = tx
        .query_row("SELECT count(*) FROM channels WHERE tenant_id = ?1", [tenant], |r| r.get(0))
        .map_err(dberr(db_path))?;
    let exports: Vec<String> = {
        let mut st = tx.prepare("SELECT id FROM exports WHERE tenant_id = ?1").map_err(dberr(db_path))?;
        st.query_map([tenant], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(dberr(db_path))?
    };
    // every table refers to the tenant ON DELETE CASCADE (foreign keys are on)
    tx.execute("DELETE FROM tenants WHERE id = ?1", [tenant]).map_err(dberr(db_path))?;
    tx.commit().map_err(dberr(db_path))?;
    let dir = super::exports_dir(db_path);
    for id in exports {
        let _ = std::fs::remove_file(dir.join(format!("{id}.zip")));
    }
    Ok(channels)
}

/// Create a tenant in the database file (made if it does not exist) and
/// return its first token.
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
            .read(move |conn| {
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
