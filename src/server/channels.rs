//! Channels: create (idempotent), read, list, update (optimistic, If-Match),
//! delete; the integration details (webhook secret, bot token) and the
//! updates Telegram delivered. The server runs the same validation as the
//! client, with the tenant's catalogue from its database.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use rusqlite::{OptionalExtension, params};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::AppState;
use super::auth::{Tenant, random_secret};
use super::catalogue::{self, ChannelRefs};
use super::db;
use super::errors::{ApiErr, ApiJson, ApiQuery, ApiResult, ERRORS_LISTED, Id, IdKind, body_bytes};
use crate::api::{
    Channel, ChannelQuery, ChannelSummary, IDEMPOTENCY_KEY, Integration, IntegrationUpdate, NEXT_SECRET_TTL_SECS,
    NextSecret, Page, ReceivedUpdate, routes,
};
use crate::model::{ChannelDocument, DocumentError, FieldError, Mode, parse_document, validate_all_bounded};

pub const PER_PAGE_DEFAULT: u32 = 50;
pub const PER_PAGE_MAX: u32 = 500;
/// How long an Idempotency-Key is remembered.
pub const IDEMPOTENCY_HOURS: i64 = 24;
/// Received updates kept per channel (the oldest are dropped).
pub const UPDATES_KEPT: i64 = 1000;

/// A channel document body, read with the document parser: broken JSON is a
/// 400, an unknown key or a wrong type a 422 naming its path.
pub struct DocBody(pub ChannelDocument);

impl<S: Send + Sync> FromRequest<S> for DocBody {
    type Rejection = ApiErr;

    async fn from_request(req: Request, _state: &S) -> ApiResult<Self> {
        let bytes = body_bytes(req).await?;
        let text =
            std::str::from_utf8(&bytes).map_err(|_| ApiErr::bad_request("The request body is not UTF-8 text."))?;
        match parse_document(text) {
            Ok(doc) => Ok(DocBody(doc)),
            Err(e @ DocumentError::Syntax { .. }) => {
                Err(ApiErr::bad_request(format!("The request body is not valid JSON: {e}")))
            }
            Err(DocumentError::Shape { path, message, .. }) => Err(ApiErr::shape(&path, message)),
            Err(e @ (DocumentError::TooNew { .. } | DocumentError::BadVersion { .. })) => {
                Err(ApiErr::invalid_field("schema_version", e.to_string()))
            }
        }
    }
}

/// A channel answer: the body and its `ETag`.
fn with_etag(status: StatusCode, channel: Channel) -> Response {
    let etag = format!("\"{}\"", channel.version);
    let location = routes::CHANNEL.replace("{id}", &channel.id);
    let mut response = (status, Json(channel)).into_response();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        response.headers_mut().insert(header::ETAG, v);
    }
    if status == StatusCode::CREATED
        && let Ok(v) = HeaderValue::from_str(&location)
    {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

/// A channel id from the path.
pub enum ChannelKind {}

impl IdKind for ChannelKind {
    fn not_found(id: &str) -> ApiErr {
        ApiErr::channel_not_found(id)
    }
}

pub type ChannelId = Id<ChannelKind>;

/// The channel document as stored: trimmed, without its secret.
fn stored_text(doc: &ChannelDocument) -> ApiResult<String> {
    serde_json::to_string(&doc.without_secrets()).map_err(ApiErr::internal)
}

pub async fn create(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    headers: HeaderMap,
    DocBody(doc): DocBody,
) -> ApiResult<Response> {
    let key = match headers.get(IDEMPOTENCY_KEY).map(|v| v.to_str()) {
        None => {
            return Err(ApiErr::bad_request(
                "A create needs an Idempotency-Key header (a key of your choice, the same on every retry of this create).",
            ));
        }
        Some(Ok(k)) if (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()) => k.to_string(),
        Some(_) => {
            return Err(ApiErr::bad_request(
                "The Idempotency-Key must be 1–255 visible ASCII characters (no spaces or control characters).",
            ));
        }
    };
    let doc = std::sync::Arc::new(doc.normalized());
    let request_hash = hex::encode(Sha256::digest(serde_json::to_vec(&*doc).map_err(ApiErr::internal)?));

    // Off the write lock: a replay, and the rules (with the catalogue).
    let (k, h, d) = (key.clone(), request_hash.clone(), doc.clone());
    let earlier = state
        .db
        .read_as(t, move |conn| {
            if let Some(replay) = replay(conn, t, &k, &h)? {
                return Ok(Some(replay));
            }
            let cat = catalogue::load(conn, t, ChannelRefs::Named(&d.basic.channel_name))?;
            let found = validate_all_bounded(&d, Mode::Create, Some(&cat), None, ERRORS_LISTED);
            if found.errors.is_empty() {
                return Ok(None);
            }
            // A retry racing its first send: the first may have committed
            // after the replay check above, and then its name is taken by
            // itself. The replay wins over that refusal.
            if let Some(replay) = replay(conn, t, &k, &h)? {
                return Ok(Some(replay));
            }
            Err(ApiErr::invalid_found(found))
        })
        .await?;
    let (status, channel) = match earlier {
        Some(replay) => replay,
        None => {
            // Off the write lock too: the new row, its sealed secrets and
            // the answer, made from the document in hand.
            let id = uuid::Uuid::new_v4().simple().to_string();
            let now = db::ts(db::now());
            let stored = stored_text(&doc)?;
            let app_secret = doc.channel_info.app_secret.as_deref().map(|v| state.keys.seal(&id, "app_secret", v));
            let webhook_secret = state.keys.seal(&id, "webhook_secret", &random_secret(32));
            let created = db::parse_ts(&now);
            let channel = Channel {
                integration_url: db::integration_url(&doc.channel_info.base_url, &id),
                id: id.clone(),
                version: 1,
                created,
                updated: created,
                has_app_secret: app_secret.is_some(),
                has_bot_token: false,
                document: doc.without_secrets(),
            };
            state
                .db
                .write(move |tx| {
                    // what may have changed since the checks above
                    if let Some(replay) = replay(tx, t, &key, &request_hash)? {
                        return Ok(replay);
                    }
                    name_still_free(tx, t, &doc, Mode::Create, None)?;
                    tx.prepare_cached(
                        "INSERT INTO channels (id, tenant_id, name, channel_type, version, created, updated, document, app_secret, webhook_secret) \
                         VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?6, ?7, ?8)",
                    )?
                    .execute(params![
                        id,
                        t,
                        doc.basic.channel_name,
                        doc.channel_type.as_str(),
                        now,
                        stored,
                        app_secret,
                        webhook_secret
                    ])?;
                    // an expired row of the same key may still wait for the sweep
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO idempotency (tenant_id, key, request_hash, status, body, channel_id, created) \
                         VALUES (?1, ?2, ?3, 201, '', ?4, ?5)",
                    )?
                    .execute(params![t, key, request_hash, id, now])?;
                    Ok((StatusCode::CREATED, channel))
                })
                .await?
        }
    };
    if status == StatusCode::CREATED {
        tracing::info!(channel = %channel.id, "channel created");
    }
    Ok(with_etag(status, channel))
}

/// A create already made with this key: its status and channel (as it is
/// now). 422 when the key came with another document, 410 when its channel
/// was deleted since. Rows past [`IDEMPOTENCY_HOURS`] count as gone (the
/// sweep removes them).
fn replay(
    conn: &rusqlite::Connection,
    t: i64,
    key: &str,
    request_hash: &str,
) -> ApiResult<Option<(StatusCode, Channel)>> {
    let live_since = db::ts(db::now() - chrono::Duration::hours(IDEMPOTENCY_HOURS));
    let earlier: Option<(String, u16, Option<String>)> = conn
        .prepare_cached(
            "SELECT request_hash, status, channel_id FROM idempotency WHERE tenant_id = ?1 AND key = ?2 AND created >= ?3",
        )?
        .query_row(
            params![t, key, live_since],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((hash, status, channel_id)) = earlier else { return Ok(None) };
    if hash != request_hash {
        return Err(ApiErr::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "This Idempotency-Key was already used for a different channel: use a new key for a new create.",
        ));
    }
    let channel_id = channel_id.unwrap_or_default();
    match db::get_channel(conn, t, &channel_id)? {
        Some(stored) => Ok(Some((StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED), stored.channel))),
        None => Err(ApiErr::new(
            StatusCode::GONE,
            format!(
                "This Idempotency-Key created channel '{channel_id}', which has since been deleted: use a new key to create the channel again."
            ),
        )),
    }
}

/// Inside the write transaction: whether another channel took the name
/// since the document was checked. When one did, the rules run again here,
/// so the answer is the same 422 a check under the lock would give.
fn name_still_free(
    tx: &rusqlite::Transaction<'_>,
    t: i64,
    doc: &ChannelDocument,
    mode: Mode,
    id: Option<&str>,
) -> ApiResult<()> {
    let taken: Option<String> = tx
        .query_row(
            "SELECT id FROM channels WHERE tenant_id = ?1 AND name = ?2 AND id IS NOT ?3",
            params![t, doc.basic.channel_name, id],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_none() {
        return Ok(());
    }
    let cat = catalogue::load(tx, t, ChannelRefs::Named(&doc.basic.channel_name))?;
    let found = validate_all_bounded(doc, mode, Some(&cat), id, ERRORS_LISTED);
    Err(if found.errors.is_empty() {
        ApiErr::conflict("Another channel took this name at the same moment: choose another name.")
    } else {
        ApiErr::invalid_found(found)
    })
}

/// Forget Idempotency-Keys older than [`IDEMPOTENCY_HOURS`] (run
/// periodically, off the request path); how many went.
pub fn sweep_idempotency(conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
    let forget_before = db::ts(db::now() - chrono::Duration::hours(IDEMPOTENCY_HOURS));
    conn.execute("DELETE FROM idempotency WHERE created < ?1", [forget_before])
}

pub async fn read(State(state): State<AppState>, Tenant(t): Tenant, id: ChannelId) -> ApiResult<Response> {
    let id = id.into_inner();
    let channel = state
        .db
        .read_as(t, move |conn| {
            db::get_channel(conn, t, &id)?.map(|s| s.channel).ok_or_else(|| ApiErr::channel_not_found(&id))
        })
        .await?;
    Ok(with_etag(StatusCode::OK, channel))
}

pub async fn list(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    ApiQuery(q): ApiQuery<ChannelQuery>,
) -> ApiResult<Json<Page<ChannelSummary>>> {
    let page = q.page.unwrap_or(1);
    let per_page = q.per_page.unwrap_or(PER_PAGE_DEFAULT);
    if page == 0 {
        return Err(ApiErr::bad_request("page must be 1 or more."));
    }
    if per_page == 0 || per_page > PER_PAGE_MAX {
        return Err(ApiErr::bad_request(format!("per_page must be from 1 to {PER_PAGE_MAX}.")));
    }
    let name = q.name.unwrap_or_default();
    let bot_id = q.bot_id;
    // Names are unique in a tenant, so `name` alone is a total order, and
    // the (tenant_id, name) index then covers the page's pick: skipping
    // `offset` rows reads index entries only (with `name, id` each skipped
    // row was looked up in the table for its id: 2–3 times slower).
    let order = match q.sort.unwrap_or_default() {
        crate::api::ChannelSort::Name => "name",
        crate::api::ChannelSort::Updated => "updated DESC, id",
    };
    state
        .db
        .read_as(t, move |conn| {
            // unfiltered, no filter term is evaluated for each skipped row
            let by_name = if name.is_empty() {
                "tenant_id = ?1 AND ?2 = ''"
            } else {
                "tenant_id = ?1 AND instr(lower(name), lower(?2)) > 0"
            };
            let by_bot = if bot_id.is_none() { "?3 IS NULL" } else { "bot_id = ?3" };
            let filter = format!("{by_name} AND {by_bot}");
            // unfiltered: the count the triggers keep, not a count of the table
            let total: i64 = if name.is_empty() && bot_id.is_none() {
                conn.query_row("SELECT coalesce((SELECT n FROM channel_counts WHERE tenant_id = ?1), 0)", [t], |r| {
                    r.get(0)
                })?
            } else {
                conn.query_row(&format!("SELECT count(*) FROM channels WHERE {filter}"), params![t, name, bot_id], |r| {
                    r.get(0)
                })?
            };
            let offset = i64::from(page - 1) * i64::from(per_page);
            // the page's rows picked from an index alone, then only those read
            let mut st = conn.prepare_cached(&format!(
                "SELECT id, name, channel_type, version, updated, json_extract(document, '$.channel_info.base_url'), \
                 json_extract(document, '$.basic.ou'), json_extract(document, '$.basic.skill_queue'), \
                 json_extract(document, '$.robot.intelligent_robot.enabled'), bot_token IS NOT NULL, \
                 bot_id, bot_username, webhook_status, webhook_checked \
                 FROM channels WHERE seq IN (SELECT seq FROM channels WHERE {filter} ORDER BY {order} LIMIT ?4 OFFSET ?5) \
                 ORDER BY {order}"
            ))?;
            let items = st
                .query_map(params![t, name, bot_id, per_page, offset], |r| {
                    let id: String = r.get(0)?;
                    let base_url: Option<String> = r.get(5)?;
                    Ok(ChannelSummary {
                        integration_url: db::integration_url(base_url.as_deref().unwrap_or_default(), &id),
                        id,
                        name: r.get(1)?,
                        channel_type: r.get(2)?,
                        version: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                        updated: db::parse_ts(&r.get::<_, String>(4)?),
                        ou: r.get::<_, Option<String>>(6)?.unwrap_or_default(),
                        skill_queue: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                        robot: r.get::<_, Option<i64>>(8)?.unwrap_or(0) != 0,
                        has_bot_token: r.get(9)?,
                        bot: r
                            .get::<_, Option<i64>>(10)?
                            .map(|id| crate::api::BotRef { id, username: r.get(11).ok().flatten() }),
                        webhook: match (r.get::<_, Option<String>>(12)?, r.get::<_, Option<String>>(13)?) {
                            (Some(status), Some(checked)) => crate::api::WebhookStatus::parse(&status)
                                .map(|status| crate::api::WebhookSummary { status, checked: db::parse_ts(&checked) }),
                            _ => None,
                        },
                    })
                })?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Json(Page { items, page, per_page, total: u64::try_from(total).unwrap_or(0) }))
        })
        .await
}

/// What an `If-Match` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precondition {
    /// `*`: whatever the channel's version is now.
    Any,
    /// `"3"` (or `3`): exactly this version.
    Version(u64),
}

impl Precondition {
    fn holds(self, version: u64) -> bool {
        self == Precondition::Any || self == Precondition::Version(version)
    }
}

/// The `If-Match` header: `*`, or the strong ETag `"3"` (bare `3` taken
/// too). A weak validator (`W/"3"`) cannot guard a write (RFC 9110 §13.1.1)
/// and is refused, like several values or anything else.
fn if_match(headers: &HeaderMap) -> ApiResult<Option<Precondition>> {
    let mut values = headers.get_all(header::IF_MATCH).iter();
    let Some(value) = values.next() else {
        return Ok(None);
    };
    let bad = |why: &str| {
        ApiErr::bad_request(format!(
            "If-Match {why}: send the channel's ETag as it came, e.g. If-Match: \"3\", or If-Match: * for any version."
        ))
    };
    if values.next().is_some() {
        return Err(bad("was sent more than once"));
    }
    let text = value.to_str().unwrap_or_default().trim();
    if text == "*" {
        return Ok(Some(Precondition::Any));
    }
    if text.starts_with("W/") {
        return Err(bad("is a weak validator (W/...), which cannot guard a change"));
    }
    let bare = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text);
    bare.parse::<u64>().map(|v| Some(Precondition::Version(v))).map_err(|_| bad("is not a channel version"))
}

pub async fn update(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
    headers: HeaderMap,
    DocBody(doc): DocBody,
) -> ApiResult<Response> {
    let id = id.into_inner();
    let Some(based_on) = if_match(&headers)? else {
        return Err(ApiErr::new(
            StatusCode::PRECONDITION_REQUIRED,
            "An update needs If-Match with the version it is based on (the ETag of the channel you read).",
        ));
    };
    let doc = std::sync::Arc::new(doc.normalized());

    // Off the write lock: the channel, its version and the rules.
    let (i, d) = (id.clone(), doc.clone());
    state
        .db
        .read_as(t, move |conn| {
            let stored = db::get_channel(conn, t, &i)?.ok_or_else(|| ApiErr::channel_not_found(&i))?;
            if !based_on.holds(stored.channel.version) {
                return Err(ApiErr::stale(stored.channel));
            }
            let cat = catalogue::load(conn, t, ChannelRefs::Named(&d.basic.channel_name))?;
            let found = validate_all_bounded(&d, Mode::Update, Some(&cat), Some(&i), ERRORS_LISTED);
            if found.errors.is_empty() { Ok(()) } else { Err(ApiErr::invalid_found(found)) }
        })
        .await?;
    let keys = state.keys.clone();
    let channel = state
        .db
        .call(move |conn| {
            db::write_tx(conn, |tx| {
                // what may have changed since the checks above
                let stored = db::get_channel(tx, t, &id)?.ok_or_else(|| ApiErr::channel_not_found(&id))?;
                if !based_on.holds(stored.channel.version) {
                    return Err(ApiErr::stale(stored.channel));
                }
                name_still_free(tx, t, &doc, Mode::Update, Some(&id))?;
                let secret =
                    doc.channel_info.app_secret.as_deref().map(|v| keys.seal(&id, "app_secret", v)).or(stored.app_secret);
                tx.execute(
                    "UPDATE channels SET name = ?3, channel_type = ?4, version = version + 1, updated = ?5, document = ?6, app_secret = ?7 \
                     WHERE tenant_id = ?1 AND id = ?2",
                    params![t, id, doc.basic.channel_name, doc.channel_type.as_str(), db::ts(db::now()), stored_text(&doc)?, secret],
                )?;
                Ok(db::get_channel(tx, t, &id)?.ok_or_else(|| ApiErr::internal("updated channel not found"))?.channel)
            })
        })
        .await?;
    tracing::info!(channel = %channel.id, version = channel.version, "channel updated");
    Ok(with_etag(StatusCode::OK, channel))
}

/// `DELETE`: 204. An `If-Match`, when sent, must name the current version.
pub async fn delete(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
    headers: HeaderMap,
) -> ApiResult<StatusCode> {
    let id = id.into_inner();
    let based_on = if_match(&headers)?;
    let id2 = id.clone();
    state
        .db
        .call(move |conn| {
            db::write_tx(conn, |tx| {
                let stored = db::get_channel(tx, t, &id)?.ok_or_else(|| ApiErr::channel_not_found(&id))?;
                if based_on.is_some_and(|p| !p.holds(stored.channel.version)) {
                    return Err(ApiErr::stale(stored.channel));
                }
                tx.execute("DELETE FROM channels WHERE tenant_id = ?1 AND id = ?2", params![t, id])?;
                Ok(())
            })
        })
        .await?;
    tracing::info!(channel = %id2, "channel deleted");
    Ok(StatusCode::NO_CONTENT)
}

pub async fn get_integration(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
) -> ApiResult<Json<Integration>> {
    let id = id.into_inner();
    let keys = state.keys.clone();
    state
        .db
        .read_as(t, move |conn| {
            let stored = db::get_channel(conn, t, &id)?.ok_or_else(|| ApiErr::channel_not_found(&id))?;
            type Extra = (String, Option<String>, Option<String>, Option<i64>, Option<String>);
            let (secret, next_until, public_address, bot_id, bot_username): Extra = conn.query_row(
                "SELECT webhook_secret, CASE WHEN next_webhook_secret IS NULL THEN NULL ELSE next_webhook_secret_until END, \
                 public_address, bot_id, bot_username FROM channels WHERE tenant_id = ?1 AND id = ?2",
                params![t, id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )?;
            let cert_id = stored.channel.document.channel_info.identity_certificate.clone();
            let der: Option<Vec<u8>> = if cert_id.is_empty() {
                None
            } else {
                conn.query_row(
                    "SELECT der FROM certificates WHERE tenant_id = ?1 AND id = ?2",
                    params![t, cert_id],
                    |r| r.get(0),
                )
                .optional()?
            };
            Ok(Json(Integration {
                channel_id: stored.channel.id,
                integration_url: stored.channel.integration_url,
                webhook_secret: keys.open(&id, "webhook_secret", &secret).map_err(ApiErr::internal)?,
                has_bot_token: stored.channel.has_bot_token,
                identity_certificate_pem: der.map(|d| crate::api::pem_certificate(&d)),
                rotation_pending: next_until.is_some_and(|u| db::parse_ts(&u) > db::now()),
                public_address,
                bot: bot_id.map(|id| crate::api::BotRef { id, username: bot_username }),
            }))
        })
        .await
}

/// The webhook secret rule: 32–256 characters of `A-Za-z0-9_-`.
pub fn check_webhook_secret(secret: &str) -> Result<(), String> {
    let n = secret.chars().count();
    if !(32..=256).contains(&n) {
        return Err(format!(
            "webhook_secret is {n} characters long: it must be 32–256 characters of A-Z, a-z, 0-9, _ and -."
        ));
    }
    if !secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
        return Err("webhook_secret may contain only A-Z, a-z, 0-9, _ and -.".into());
    }
    Ok(())
}

/// The shape of a Telegram bot token, `<bot id>:<secret>`. The message never
/// repeats the token.
pub fn check_bot_token(token: &str) -> Result<(), String> {
    let valid = token.len() <= 256
        && token.split_once(':').is_some_and(|(id, secret)| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && !secret.is_empty()
                && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
    if !valid {
        return Err(
            "bot_token is not a Telegram bot token: it looks like <bot id>:<secret>, as @BotFather gives it.".into()
        );
    }
    // the id is stored as a number: one bot, one channel
    match bot_id_of(token) {
        Some(id) if id > 0 => Ok(()),
        _ => Err("bot_token: its bot id (the digits before ':') is no Telegram bot's: it is a number from 1 to                   9223372036854775807; copy the token again from @BotFather."
            .into()),
    }
}

/// The bot id of a token (`<bot id>:<secret>`), checked by [`check_bot_token`].
pub fn bot_id_of(token: &str) -> Option<i64> {
    token.split_once(':').and_then(|(id, _)| id.parse().ok())
}

/// A public webhook address as stored: `https://IPv4:PORT` that Telegram
/// can call (the checks of the Integration page), at most 200 characters.
pub fn check_public_address(text: &str) -> Result<(), String> {
    if text.chars().count() > 200 {
        return Err("public_address is longer than 200 characters: it is only https://PUBLIC-IPv4:PORT.".into());
    }
    let problems = crate::telegram::checks::check_url(text, crate::telegram::checks::UrlRole::PublicAddress);
    if let Some(p) = problems.first() {
        return Err(format!("public_address: {}", p.message));
    }
    match url::Url::parse(text) {
        Ok(u) if (u.path().is_empty() || u.path() == "/") && u.query().is_none() => Ok(()),
        _ => {
            Err("public_address must be only https://PUBLIC-IPv4:PORT (the path comes from the integration URL)."
                .into())
        }
    }
}

/// A bot username as `getMe` gives it: 1–64 of `A-Za-z0-9_`.
fn check_bot_username(text: &str) -> Result<(), String> {
    if (1..=64).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(())
    } else {
        Err("bot_username must be the bot's username without '@': 1–64 letters, digits or '_'.".into())
    }
}

pub async fn put_integration(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
    ApiJson(up): ApiJson<IntegrationUpdate>,
) -> ApiResult<StatusCode> {
    let id = id.into_inner();
    let bot_token = up.bot_token.map(|s| s.trim().to_string());
    let webhook_secret = up.webhook_secret.map(|s| s.trim().to_string());
    let public_address = up.public_address.map(|s| s.trim().trim_end_matches('/').to_string());
    let bot_username = up.bot_username.map(|s| s.trim().trim_start_matches('@').to_string());
    let mut errors = Vec::new();
    if let Some(Err(m)) = bot_token.as_deref().map(check_bot_token) {
        errors.push(FieldError::new("bot_token", m));
    }
    if let Some(Err(m)) = webhook_secret.as_deref().map(check_webhook_secret) {
        errors.push(FieldError::new("webhook_secret", m));
    }
    if let Some(Err(m)) = public_address.as_deref().filter(|p| !p.is_empty()).map(check_public_address) {
        errors.push(FieldError::new("public_address", m));
    }
    if let Some(Err(m)) = bot_username.as_deref().map(check_bot_username) {
        errors.push(FieldError::new("bot_username", m));
    }
    if !errors.is_empty() {
        return Err(ApiErr::invalid(errors));
    }
    let keys = state.keys.clone();
    let move_bot = up.move_bot;
    let i = id.clone();
    let moved = state
        .db
        .call(move |conn| {
            db::write_tx(conn, |tx| {
                type Current = (Option<String>, Option<i64>, Option<String>);
                let (old_token, old_bot, old_username): Current = tx
                    .query_row(
                        "SELECT bot_token, bot_id, bot_username FROM channels WHERE tenant_id = ?1 AND id = ?2",
                        params![t, i],
                        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                    )
                    .optional()?
                    .ok_or_else(|| ApiErr::channel_not_found(&i))?;
                let mut moved = None;
                if let Some(token) = &bot_token {
                    let bot = bot_id_of(token);
                    // one bot, one channel (Telegram keeps one webhook per bot)
                    let other: Option<(String, String)> = tx
                        .query_row(
                            "SELECT id, name FROM channels WHERE tenant_id = ?1 AND bot_id = ?2 AND id <> ?3 LIMIT 1",
                            params![t, bot, i],
                            |r| Ok((r.get(0)?, r.get(1)?)),
                        )
                        .optional()?;
                    if let Some((other_id, other_name)) = other {
                        if !move_bot {
                            let mut e = ApiErr::conflict(format!(
                                "This bot is already bound to channel '{}' ({other_id}): Telegram keeps one webhook per bot, so binding it here would take that channel's messages. Send move_bot: true to move the bot here (that channel's token is then cleared).",
                                super::errors::shorten(&other_name)
                            ));
                            e.body.bot_channel = Some(Box::new(crate::api::ChannelRef { id: other_id, name: other_name }));
                            return Err(e);
                        }
                        tx.execute(
                            "UPDATE channels SET bot_token = NULL, bot_id = NULL, bot_username = NULL, webhook_info = NULL, \
                             webhook_checked = NULL, webhook_status = NULL WHERE tenant_id = ?1 AND id = ?2",
                            params![t, other_id],
                        )?;
                        moved = Some(other_id);
                    }
                    // a token of another bot: the old one is kept aside, so
                    // that bot's webhook can be deleted once the new one works
                    if let (Some(old), Some(old_bot)) = (&old_token, old_bot)
                        && Some(old_bot) != bot
                    {
                        let plain = keys.open(&i, "bot_token", old).map_err(ApiErr::internal)?;
                        tx.execute(
                            "UPDATE channels SET previous_bot_token = ?3, previous_bot_id = ?4, previous_bot_username = ?5 \
                             WHERE tenant_id = ?1 AND id = ?2",
                            params![t, i, keys.seal(&i, "previous_bot_token", &plain), old_bot, old_username],
                        )?;
                    }
                    let username = bot_username.clone().or(if Some(old_bot) == Some(bot) { old_username.clone() } else { None });
                    tx.execute(
                        "UPDATE channels SET bot_token = ?3, bot_id = ?4, bot_username = ?5, registered = ?6, \
                         webhook_info = NULL, webhook_checked = NULL, webhook_status = NULL WHERE tenant_id = ?1 AND id = ?2",
                        params![t, i, keys.seal(&i, "bot_token", token), bot, username, db::ts(db::now())],
                    )?;
                }
                if let Some(secret) = &webhook_secret {
                    // a new current secret commits (and so ends) any staged rotation
                    tx.execute(
                        "UPDATE channels SET webhook_secret = ?3, next_webhook_secret = NULL, next_webhook_secret_until = NULL, \
                         registered = ?4 WHERE tenant_id = ?1 AND id = ?2",
                        params![t, i, keys.seal(&i, "webhook_secret", secret), db::ts(db::now())],
                    )?;
                }
                if let Some(public) = &public_address {
                    tx.execute(
                        "UPDATE channels SET public_address = ?3 WHERE tenant_id = ?1 AND id = ?2",
                        params![t, i, public.as_str().then_some_nonempty()],
                    )?;
                }
                Ok(moved)
            })
        })
        .await?;
    if let Some(other) = moved {
        tracing::info!(channel = %id, from = %other, "bot moved from another channel");
    }
    tracing::info!(channel = %id, "channel integration updated");
    Ok(StatusCode::NO_CONTENT)
}

/// `Some(text)` unless it is empty.
trait NonEmpty {
    fn then_some_nonempty(&self) -> Option<&str>;
}

impl NonEmpty for str {
    fn then_some_nonempty(&self) -> Option<&str> {
        (!self.is_empty()).then_some(self)
    }
}

/// Rows holding a bot token from before bot ids were kept get their bot id
/// (the part of the token before `:`), once, at start.
pub fn backfill_bot_ids(conn: &rusqlite::Connection, keys: &super::seal::KeyRing) -> rusqlite::Result<()> {
    let rows: Vec<(String, String)> = {
        let mut st =
            conn.prepare("SELECT id, bot_token FROM channels WHERE bot_token IS NOT NULL AND bot_id IS NULL")?;
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?
    };
    for (id, sealed) in rows {
        if let Some(bot) = keys.open(&id, "bot_token", &sealed).ok().as_deref().and_then(bot_id_of) {
            conn.execute("UPDATE channels SET bot_id = ?2 WHERE id = ?1", params![id, bot])?;
        }
    }
    Ok(())
}

/// `PUT .../integration/next-secret`: stage a rotation's webhook secret,
/// accepted beside the current one for [`NEXT_SECRET_TTL_SECS`] (204).
pub async fn put_next_secret(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
    ApiJson(next): ApiJson<NextSecret>,
) -> ApiResult<StatusCode> {
    let id = id.into_inner();
    let secret = next.webhook_secret.trim().to_string();
    if let Err(m) = check_webhook_secret(&secret) {
        return Err(ApiErr::invalid(vec![FieldError::new("webhook_secret", m)]));
    }
    let until = db::ts(db::now() + chrono::TimeDelta::seconds(NEXT_SECRET_TTL_SECS));
    update_row(
        &state,
        t,
        &id,
        "UPDATE channels SET next_webhook_secret = ?3, next_webhook_secret_until = ?4 WHERE tenant_id = ?1 AND id = ?2",
        vec![state.keys.seal(&id, "next_webhook_secret", &secret).into(), until.into()],
    )
    .await?;
    tracing::info!(channel = %id, "webhook secret rotation staged");
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE .../integration/next-secret`: drop a staged secret (204, also
/// when none was staged).
pub async fn delete_next_secret(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
) -> ApiResult<StatusCode> {
    let id = id.into_inner();
    update_row(
        &state,
        t,
        &id,
        "UPDATE channels SET next_webhook_secret = NULL, next_webhook_secret_until = NULL WHERE tenant_id = ?1 AND id = ?2",
        vec![],
    )
    .await?;
    tracing::info!(channel = %id, "webhook secret rotation dropped");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdatesQuery {
    /// How many, newest first: 1–1000, default 100.
    pub limit: Option<u32>,
}

pub async fn list_updates(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
    ApiQuery(q): ApiQuery<UpdatesQuery>,
) -> ApiResult<axum::response::Response> {
    let id = id.into_inner();
    let limit = q.limit.unwrap_or(100);
    if !(1..=UPDATES_KEPT).contains(&i64::from(limit)) {
        return Err(ApiErr::bad_request(format!("limit must be from 1 to {UPDATES_KEPT}.")));
    }
    // The answer is the stored bytes of each update, written as they are
    // (parsing them into JSON values would take many times their size), and
    // streamed a page at a time: a thousand 64 KiB updates never sit in
    // memory at once, and no reader is held while a slow client reads.
    let take = i64::from(limit).min(UPDATES_PAGE);
    let i = id.clone();
    let first = state
        .db
        .read_as(t, move |conn| {
            let exists: Option<i64> = conn
                .query_row("SELECT seq FROM channels WHERE tenant_id = ?1 AND id = ?2", params![t, i], |r| r.get(0))
                .optional()?;
            if exists.is_none() {
                return Err(ApiErr::channel_not_found(&i));
            }
            updates_page(conn, &i, None, take, true)
        })
        .await?;
    let mut head = vec![b'['];
    head.extend_from_slice(&first.bytes);
    let rest = Rest {
        db: state.db.clone(),
        tenant: t,
        id,
        before: first.last,
        left: if first.rows < take { 0 } else { i64::from(limit) - first.rows },
    };
    use futures_util::StreamExt;
    let pages = futures_util::stream::unfold(Some(rest), |rest| async move {
        let mut rest = rest?;
        let before = match rest.before {
            Some(b) if rest.left > 0 => b,
            _ => return Some((Ok(Bytes::from_static(b"]")), None)),
        };
        let (id, take) = (rest.id.clone(), rest.left.min(UPDATES_PAGE));
        match rest.db.read_as(rest.tenant, move |conn| updates_page(conn, &id, Some(before), take, false)).await {
            // the answer is cut short: the client sees a broken body, never a wrong one
            Err(e) => Some((Err(std::io::Error::other(e.body.error)), None)),
            Ok(page) => {
                rest.left = if page.rows < take { 0 } else { rest.left - page.rows };
                rest.before = page.last.or(rest.before);
                Some((Ok(Bytes::from(page.bytes)), Some(rest)))
            }
        }
    });
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(Bytes::from(head)) }).chain(pages);
    Ok(([(axum::http::header::CONTENT_TYPE, "application/json")], axum::body::Body::from_stream(body)).into_response())
}

/// Stored updates read for one page of an answer at most.
const UPDATES_PAGE: i64 = 50;

/// What is left of an `/updates` answer after a page.
struct Rest {
    db: db::Db,
    tenant: i64,
    id: String,
    /// The `seq` of the oldest update sent so far.
    before: Option<i64>,
    /// How many more the answer may hold.
    left: i64,
}

/// One page of an `/updates` answer.
struct UpdatesPage {
    /// The page's elements, each after a comma (but the answer's first).
    bytes: Vec<u8>,
    last: Option<i64>,
    rows: i64,
}

/// Up to `take` of the channel's stored updates older than `before`,
/// newest first, as elements of the answer's array.
fn updates_page(
    conn: &rusqlite::Connection,
    id: &str,
    before: Option<i64>,
    take: i64,
    first: bool,
) -> ApiResult<UpdatesPage> {
    let mut st = conn.prepare_cached(
        "SELECT seq, update_id, received, body FROM updates WHERE channel_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT ?3",
    )?;
    let mut rows = st.query(params![id, before.unwrap_or(i64::MAX), take])?;
    let mut page = UpdatesPage { bytes: Vec::with_capacity(4096), last: None, rows: 0 };
    while let Some(r) = rows.next()? {
        page.last = Some(r.get(0)?);
        let update_id: Option<i64> = r.get(1)?;
        let received = db::parse_ts(&r.get::<_, String>(2)?);
        let body = r.get_ref(3)?.as_str().unwrap_or("null");
        // what is not one JSON value (it never is) is sent as null
        let body = if serde_json::from_str::<serde::de::IgnoredAny>(body).is_ok() { body } else { "null" };
        if !(first && page.rows == 0) {
            page.bytes.push(b',');
        }
        page.rows += 1;
        let head = ReceivedUpdate { update_id, received, body: serde_json::Value::Null };
        let head = serde_json::to_vec(&head).map_err(ApiErr::internal)?;
        // `{"update_id":…,"received":…,"body":null}` with the body put in
        let cut = head.len() - b"null}".len();
        page.bytes.extend_from_slice(&head[..cut]);
        page.bytes.extend_from_slice(body.as_bytes());
        page.bytes.push(b'}');
    }
    Ok(page)
}

/// Run one `UPDATE` of the tenant's channel `id` (`?1` the tenant, `?2` the
/// id, then `values`); 404 when the tenant has no such channel.
async fn update_row(
    state: &AppState,
    tenant: i64,
    id: &str,
    sql: &'static str,
    values: Vec<rusqlite::types::Value>,
) -> ApiResult<()> {
    let id = id.to_string();
    state
        .db
        .call(move |conn| {
            db::write_tx(conn, |tx| {
                let mut all: Vec<rusqlite::types::Value> = vec![tenant.into(), id.clone().into()];
                all.extend(values);
                let n = tx.execute(sql, rusqlite::params_from_iter(all))?;
                if n == 0 { Err(ApiErr::channel_not_found(&id)) } else { Ok(()) }
            })
        })
        .await
}
