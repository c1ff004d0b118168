//! The tenant's catalogue: OUs, skill queues usable by Telegram, certificates
//! (with upload), chatbots and robot assistants, and the whole catalogue at
//! once for the client's offline cache.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use base64::Engine;
use rusqlite::{Connection, params};

use super::AppState;
use super::auth::Tenant;
use super::db;
use super::errors::{ApiErr, ApiJson, ApiResult};
use crate::api::{Assistant, Catalogue, CertRole, Certificate, CertificateUpload, ChannelRef, Chatbot, Ou, SkillQueue};

/// A tenant with more channels than this gets none in its catalogue (a
/// client would hold every name in memory): `channels_omitted` says how many.
pub const CATALOGUE_CHANNELS_MAX: i64 = 5_000;

/// Which channels [`load`] puts in `Catalogue::channels`.
pub enum ChannelRefs<'a> {
    All,
    /// Only those with this name: enough for the unique-name rule.
    Named(&'a str),
}

/// The tenant's catalogue as the validation rules need it.
pub fn load(conn: &Connection, tenant: i64, refs: ChannelRefs<'_>) -> rusqlite::Result<Catalogue> {
    let count: i64 =
        conn.query_row("SELECT coalesce((SELECT n FROM channel_counts WHERE tenant_id = ?1), 0)", [tenant], |r| {
            r.get(0)
        })?;
    let omit = matches!(refs, ChannelRefs::All) && count > CATALOGUE_CHANNELS_MAX;
    Ok(Catalogue {
        channels_omitted: if omit { u64::try_from(count).unwrap_or(0) } else { 0 },
        ous: ous(conn, tenant)?,
        skill_queues: skill_queues(conn, tenant)?,
        certificates: certificates(conn, tenant)?,
        chatbots: pairs(conn, "chatbots", tenant)?.into_iter().map(|(id, name)| Chatbot { id, name }).collect(),
        assistants: pairs(conn, "assistants", tenant)?.into_iter().map(|(id, name)| Assistant { id, name }).collect(),
        channels: match refs {
            ChannelRefs::All if omit => Vec::new(),
            ChannelRefs::All => {
                let mut st = conn.prepare_cached("SELECT id, name FROM channels WHERE tenant_id = ?1 ORDER BY name")?;
                st.query_map([tenant], |r| Ok(ChannelRef { id: r.get(0)?, name: r.get(1)? }))?
                    .collect::<Result<_, _>>()?
            }
            ChannelRefs::Named(name) => {
                let mut st = conn.prepare_cached("SELECT id, name FROM channels WHERE tenant_id = ?1 AND name = ?2")?;
                st.query_map(params![tenant, name], |r| Ok(ChannelRef { id: r.get(0)?, name: r.get(1)? }))?
                    .collect::<Result<_, _>>()?
            }
        },
    })
}

fn ous(conn: &Connection, tenant: i64) -> rusqlite::Result<Vec<Ou>> {
    let mut st = conn.prepare_cached("SELECT id, name, parent FROM ous WHERE tenant_id = ?1 ORDER BY id")?;
    let all: Vec<Ou> = st
        .query_map([tenant], |r| Ok(Ou { id: r.get(0)?, name: r.get(1)?, parent: r.get(2)? }))?
        .collect::<Result<_, _>>()?;
    Ok(tree_order(all))
}

/// Parents before their children (a depth-first walk from the roots), so a
/// client can draw the tree in one pass. OUs in a cycle or under a missing
/// parent come last rather than vanish.
fn tree_order(all: Vec<Ou>) -> Vec<Ou> {
    let mut out: Vec<Ou> = Vec::with_capacity(all.len());
    let mut placed = vec![false; all.len()];
    fn walk(all: &[Ou], placed: &mut [bool], out: &mut Vec<Ou>, parent: Option<&str>) {
        for (i, ou) in all.iter().enumerate() {
            if !placed[i] && ou.parent.as_deref() == parent {
                placed[i] = true;
                out.push(ou.clone());
                walk(all, placed, out, Some(&ou.id));
            }
        }
    }
    walk(&all, &mut placed, &mut out, None);
    for (i, ou) in all.iter().enumerate() {
        if !placed[i] {
            out.push(ou.clone());
        }
    }
    out
}

fn skill_queues(conn: &Connection, tenant: i64) -> rusqlite::Result<Vec<SkillQueue>> {
    let mut st = conn.prepare_cached(
        "SELECT id, name FROM skill_queues WHERE tenant_id = ?1 \
         AND (channel_types = '*' OR instr(',' || channel_types || ',', ',telegram,') > 0) ORDER BY id",
    )?;
    st.query_map([tenant], |r| Ok(SkillQueue { id: r.get(0)?, name: r.get(1)? }))?.collect()
}

fn certificates(conn: &Connection, tenant: i64) -> rusqlite::Result<Vec<Certificate>> {
    let mut st = conn.prepare_cached(
        "SELECT id, name, role, subject, not_after FROM certificates WHERE tenant_id = ?1 ORDER BY id",
    )?;
    let now = db::now();
    st.query_map([tenant], |r| {
        let role: String = r.get(2)?;
        let not_after: String = r.get(4)?;
        Ok(Certificate {
            id: r.get(0)?,
            name: r.get(1)?,
            role: if role == "identity" { CertRole::Identity } else { CertRole::Trust },
            // cleaned again: rows stored before names were cleaned
            subject: clean_name(&r.get::<_, String>(3)?),
            expired: db::parse_ts(&not_after) < now,
            not_after,
            used_by: Vec::new(),
        })
    })?
    .collect()
}

fn pairs(conn: &Connection, table: &str, tenant: i64) -> rusqlite::Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached(&format!("SELECT id, name FROM {table} WHERE tenant_id = ?1 ORDER BY id"))?;
    st.query_map([tenant], |r| Ok((r.get(0)?, r.get(1)?)))?.collect()
}

/// `GET /api/v1/catalogue`: with the channels using each certificate.
pub async fn get_catalogue(State(state): State<AppState>, Tenant(t): Tenant) -> ApiResult<Json<Catalogue>> {
    state
        .db
        .read_as(t, move |c| {
            let mut cat = load(c, t, ChannelRefs::All)?;
            for cert in &mut cat.certificates {
                cert.used_by = certificate_users(c, t, &cert.id)?;
            }
            Ok(Json(cat))
        })
        .await
}

pub async fn list_ous(State(state): State<AppState>, Tenant(t): Tenant) -> ApiResult<Json<Vec<Ou>>> {
    state.db.read_as(t, move |c| Ok(Json(ous(c, t)?))).await
}

pub async fn list_skill_queues(State(state): State<AppState>, Tenant(t): Tenant) -> ApiResult<Json<Vec<SkillQueue>>> {
    state.db.read_as(t, move |c| Ok(Json(skill_queues(c, t)?))).await
}

/// `GET /api/v1/certificates`: each with the channels using it.
pub async fn list_certificates(State(state): State<AppState>, Tenant(t): Tenant) -> ApiResult<Json<Vec<Certificate>>> {
    state
        .db
        .read_as(t, move |c| {
            let mut all = certificates(c, t)?;
            for cert in &mut all {
                cert.used_by = certificate_users(c, t, &cert.id)?;
            }
            Ok(Json(all))
        })
        .await
}

/// The names of the tenant's channels whose trust or identity certificate
/// is `id`, by name.
pub fn certificate_users(conn: &Connection, tenant: i64, id: &str) -> rusqlite::Result<Vec<String>> {
    let mut st = conn.prepare_cached(
        "SELECT name FROM channels WHERE tenant_id = ?1 \
         AND (json_extract(document, '$.channel_info.trust_certificate') = ?2 \
         OR json_extract(document, '$.channel_info.identity_certificate') = ?2) ORDER BY name",
    )?;
    st.query_map(params![tenant, id], |r| r.get(0))?.collect()
}

/// Why a certificate was not removed.
#[derive(Debug, PartialEq, Eq)]
pub enum RemoveRefused {
    /// The tenant has no certificate of that id.
    Unknown,
    /// These channels (names) use it.
    InUse(Vec<String>),
}

/// Remove the tenant's certificate `id` unless a channel uses it (checked
/// and removed in one transaction).
pub fn remove_certificate(conn: &mut Connection, tenant: i64, id: &str) -> rusqlite::Result<Result<(), RemoveRefused>> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let users = certificate_users(&tx, tenant, id)?;
    if !users.is_empty() {
        return Ok(Err(RemoveRefused::InUse(users)));
    }
    let n = tx.execute("DELETE FROM certificates WHERE tenant_id = ?1 AND id = ?2", params![tenant, id])?;
    tx.commit()?;
    Ok(if n == 0 { Err(RemoveRefused::Unknown) } else { Ok(()) })
}

/// A certificate id from the path.
pub enum CertificateKind {}

impl super::errors::IdKind for CertificateKind {
    fn not_found(id: &str) -> ApiErr {
        ApiErr::not_found(format!("There is no certificate '{}' in this tenant.", super::errors::shorten(id)))
    }
}

/// `DELETE /api/v1/certificates/{id}`: 204; 404 unknown; 409 while a channel
/// uses it, naming the channels.
pub async fn delete_certificate(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: super::errors::Id<CertificateKind>,
) -> ApiResult<StatusCode> {
    use super::errors::IdKind;
    let id = id.into_inner();
    let id2 = id.clone();
    let outcome = state.db.call(move |c| Ok(remove_certificate(c, t, &id2)?)).await?;
    match outcome {
        Ok(()) => {
            tracing::info!(certificate = %id, "certificate removed");
            Ok(StatusCode::NO_CONTENT)
        }
        Err(RemoveRefused::Unknown) => Err(CertificateKind::not_found(&id)),
        Err(RemoveRefused::InUse(names)) => {
            let shown: Vec<String> =
                names.iter().take(10).map(|n| format!("'{}'", super::errors::shorten(n))).collect();
            let more = if names.len() > 10 { format!(" and {} more", names.len() - 10) } else { String::new() };
            Err(ApiErr::conflict(format!(
                "Certificate '{}' is used by channel(s) {}{more}: choose another certificate for them first.",
                super::errors::shorten(&id),
                shown.join(", ")
            )))
        }
    }
}

pub async fn list_chatbots(State(state): State<AppState>, Tenant(t): Tenant) -> ApiResult<Json<Vec<Chatbot>>> {
    state
        .db
        .read_as(t, move |c| {
            Ok(Json(pairs(c, "chatbots", t)?.into_iter().map(|(id, name)| Chatbot { id, name }).collect()))
        })
        .await
}

pub async fn list_assistants(State(state): State<AppState>, Tenant(t): Tenant) -> ApiResult<Json<Vec<Assistant>>> {
    state
        .db
        .read_as(t, move |c| {
            Ok(Json(pairs(c, "assistants", t)?.into_iter().map(|(id, name)| Assistant { id, name }).collect()))
        })
        .await
}

/// A parsed X.509 certificate: what the catalogue shows about it.
#[derive(Debug, Clone)]
pub struct ParsedCert {
    pub der: Vec<u8>,
    pub subject: String,
    pub not_after: chrono::DateTime<chrono::Utc>,
}

/// Parse one X.509 certificate from DER bytes.
pub fn parse_der(der: &[u8]) -> Result<ParsedCert, String> {
    let (rest, cert) =
        x509_parser::parse_x509_certificate(der).map_err(|_| "is not an X.509 certificate".to_string())?;
    if !rest.is_empty() {
        return Err("has bytes after the certificate".into());
    }
    let not_after = chrono::DateTime::from_timestamp(cert.validity().not_after.timestamp(), 0)
        .ok_or_else(|| "has an expiry date out of range".to_string())?;
    Ok(ParsedCert { der: der.to_vec(), subject: clean_name(&cert.subject().to_string()), not_after })
}

/// A certificate's subject or issuer as it may be stored and shown: its
/// control characters and terminal sequences (ESC, OSC, CSI) removed, at most
/// 512 bytes. A name is chosen by whoever made the certificate.
pub fn clean_name(name: &str) -> String {
    super::errors::bounded(name, 512)
}

/// Parse the first certificate of a PEM text; a private key is refused.
pub fn parse_pem(text: &str) -> Result<ParsedCert, String> {
    if text.contains("PRIVATE KEY") {
        return Err("contains a private key: upload the certificate only, never its key".into());
    }
    let (_, pem) = x509_parser::pem::parse_x509_pem(text.as_bytes())
        .map_err(|_| "is not a PEM certificate (-----BEGIN CERTIFICATE----- ...)".to_string())?;
    if pem.label != "CERTIFICATE" {
        return Err(format!("holds a '{}' block, not a CERTIFICATE", super::errors::shorten(&pem.label)));
    }
    parse_der(&pem.contents)
}

pub fn insert_certificate(
    conn: &Connection,
    tenant: i64,
    id: &str,
    name: &str,
    role: CertRole,
    cert: &ParsedCert,
) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO certificates (tenant_id, id, name, role, subject, not_after, der, created) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![tenant, id, name, role.as_str(), cert.subject, db::ts(cert.not_after), cert.der, db::ts(db::now())],
    )?;
    Ok(())
}

/// `POST /api/v1/certificates`: 201 with the catalogue entry.
pub async fn upload_certificate(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    ApiJson(up): ApiJson<CertificateUpload>,
) -> ApiResult<(StatusCode, Json<Certificate>)> {
    let name = up.name.trim().to_string();
    if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
        return Err(ApiErr::invalid_field("name", "name must be 1–64 characters without control characters."));
    }
    let parsed = match (&up.pem, &up.der_base64) {
        (Some(pem), None) => parse_pem(pem).map_err(|e| ApiErr::invalid_field("pem", format!("pem {e}."))),
        (None, Some(b64)) => {
            let der = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|_| ApiErr::invalid_field("der_base64", "der_base64 is not base64 text."))?;
            parse_der(&der).map_err(|e| ApiErr::invalid_field("der_base64", format!("der_base64 {e}.")))
        }
        _ => Err(ApiErr::invalid_field(
            "pem",
            "Send the certificate either as pem or as der_base64 (exactly one of them).",
        )),
    }?;
    let id = format!("cert-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
    let role = up.role;
    let most = state.limits.certificates_per_tenant;
    let cert = state
        .db
        .call(move |c| {
            let held: i64 = c.query_row("SELECT count(*) FROM certificates WHERE tenant_id = ?1", [t], |r| r.get(0))?;
            if held >= i64::from(most) {
                return Err(ApiErr::conflict(format!(
                    "This tenant holds {held} certificates, the most it may (chanwiz serve --certificates-per-tenant {most}): delete one it no longer uses, then upload again."
                )));
            }
            insert_certificate(c, t, &id, &name, role, &parsed)?;
            Ok(certificates(c, t)?.into_iter().find(|x| x.id == id))
        })
        .await?
        .ok_or_else(|| ApiErr::internal("uploaded certificate not found"))?;
    Ok((StatusCode::CREATED, Json(cert)))
}
