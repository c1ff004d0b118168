//! Telegram delivers updates to `POST /apiaccess/telegram/message/{channel_id}`
//! with the channel's webhook secret in `X-Telegram-Bot-Api-Secret-Token`.
//! A wrong or missing secret and an unknown channel get the same 403, so
//! channel ids cannot be probed.
//!
//! Every refusal is recorded (count, last time, reason) so that the admin
//! can tell, from the backend's side, why Telegram reports a failing
//! delivery: per channel for a missing or wrong secret and a body too large;
//! for the whole backend for an unknown channel id (such a delivery names no
//! tenant). See [`super::webhook::record_refusal`]. An accepted delivery
//! stamps the channel's `last_delivery`, counts it and keeps its sample
//! for the live delivery test ([`super::deliveries`]).

use axum::extract::{Request, State};
use axum::http::StatusCode;
use rusqlite::{OptionalExtension, params};
use subtle::ConstantTimeEq;

use super::AppState;
use super::channels::UPDATES_KEPT;
use super::db;
use super::errors::{ApiErr, ApiPath, ApiResult, body_bytes, parse_json};
use super::webhook::record_refusal;
use crate::api::{RefusalReason, TELEGRAM_SECRET_HEADER};

fn forbidden() -> ApiErr {
    ApiErr::new(StatusCode::FORBIDDEN, "The secret token does not match this channel's webhook secret.")
}

pub async fn receive(
    State(state): State<AppState>,
    ApiPath(channel_id): ApiPath<String>,
    req: Request,
) -> ApiResult<StatusCode> {
    // an address whose deliveries keep being refused waits, at no cost
    let peer = req.extensions().get::<super::limits::PeerAddr>().map(|p| p.0.ip());
    if peer.is_some_and(|ip| state.refusal_throttle.blocked(ip)) {
        // held back before it is told: each of its connections then costs
        // a request a second, not thousands (their number is bounded per
        // address)
        tokio::time::sleep(state.limits.refused_delivery_delay.min(state.limits.request_timeout / 2)).await;
        let mut e =
            ApiErr::new(StatusCode::TOO_MANY_REQUESTS, "Too many refused deliveries from this address: wait a second.");
        e.retry_after = Some(1);
        return Err(e);
    }
    let given = req.headers().get(TELEGRAM_SECRET_HEADER).map(|v| v.as_bytes().to_vec()).unwrap_or_default();
    let id = channel_id.clone();
    type Secrets = (String, Option<String>, Option<String>);
    let stored: Option<Secrets> = state
        .db
        .read(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT webhook_secret, next_webhook_secret, next_webhook_secret_until FROM channels WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?)
        })
        .await?;
    // Compare even for an unknown channel, so both take the same path. A
    // secret staged by a rotation counts too until it expires.
    const PLACEHOLDER: &str = "-unknown-channel-placeholder-secret-";
    // a stored secret that cannot be opened matches nothing: a fresh random
    // value, never the placeholder a caller could send
    let open = |column: &str, sealed: &str| {
        state.keys.open(&channel_id, column, sealed).unwrap_or_else(|e| {
            tracing::error!("delivery: {e}");
            super::auth::random_secret(32)
        })
    };
    let (current, next) = match &stored {
        Some((current, next, until)) => {
            let live = until.as_deref().is_some_and(|u| db::parse_ts(u) > db::now());
            (
                open("webhook_secret", current),
                next.as_deref()
                    .filter(|_| live)
                    .map_or_else(|| PLACEHOLDER.to_string(), |n| open("next_webhook_secret", n)),
            )
        }
        None => (PLACEHOLDER.to_string(), PLACEHOLDER.to_string()),
    };
    let current_ok = bool::from(current.as_bytes().ct_eq(&given));
    let next_ok = bool::from(next.as_bytes().ct_eq(&given)) && next != PLACEHOLDER;
    let matches = (current_ok | next_ok) && stored.is_some() && !given.is_empty();
    if !matches {
        let reason = if stored.is_none() {
            RefusalReason::UnknownChannel
        } else if given.is_empty() {
            RefusalReason::SecretMissing
        } else {
            RefusalReason::SecretWrong
        };
        tracing::debug!(channel = %super::errors::shorten(&channel_id), reason = reason.as_str(), "delivery refused");
        record_refusal(&state, channel_id, reason);
        if let Some(ip) = peer {
            state.refusal_throttle.refused(ip);
        }
        return Err(forbidden());
    }
    let bytes = match body_bytes(req).await {
        Ok(b) => b,
        Err(e) => {
            if e.status == StatusCode::PAYLOAD_TOO_LARGE {
                record_refusal(&state, channel_id, RefusalReason::TooLarge);
            }
            return Err(e);
        }
    };
    let update: serde_json::Value = parse_json(&bytes)?;
    if !update.is_object() {
        return Err(ApiErr::bad_request("A Telegram update is a JSON object."));
    }
    let update_id = update.get("update_id").and_then(serde_json::Value::as_i64);
    // kept as Telegram sent it (JSON text is UTF-8)
    let body =
        String::from_utf8(bytes.to_vec()).map_err(|_| ApiErr::bad_request("A Telegram update is UTF-8 JSON."))?;
    let bounds = Bounds {
        channel_bytes: state.limits.update_bytes_per_channel,
        tenant_bytes: state.limits.update_bytes_per_tenant,
    };
    // the live delivery test's sample: the latest delivery only
    let received = db::parse_ts(&db::ts(db::now()));
    let sample =
        serde_json::to_string(&crate::api::DeliverySample::of_update(&update, received)).map_err(ApiErr::internal)?;
    let wake = channel_id.clone();
    let new = state
        .db
        .call(move |conn| {
            let size = i64::try_from(body.len()).unwrap_or(i64::MAX);
            let stored = conn.execute(
                "INSERT OR IGNORE INTO updates (channel_id, update_id, received, body, size) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![channel_id, update_id, db::ts(received), body, size],
            )?;
            if stored == 0 {
                // Telegram sent this update_id again (our answer was lost):
                // accepted, so it stops, but neither counted again nor the
                // live sample
                return Ok(false);
            }
            conn.execute(
                "UPDATE channels SET last_delivery = ?2, delivery_count = delivery_count + 1, delivery_sample = ?3 \
                 WHERE id = ?1",
                params![channel_id, db::ts(received), sample],
            )?;
            keep_within(conn, &channel_id, bounds)?;
            Ok(true)
        })
        .await?;
    if new {
        state.deliveries.accepted(&wake);
    }
    Ok(StatusCode::OK)
}

/// How many bytes of stored updates a channel and a tenant keep
/// ([`super::Limits::update_bytes_per_channel`], `…_per_tenant`).
#[derive(Debug, Clone, Copy)]
struct Bounds {
    channel_bytes: u64,
    tenant_bytes: u64,
}

/// Drop the oldest stored updates of the channel beyond its
/// [`UPDATES_KEPT`] and its bytes, then the oldest of its tenant (whichever
/// channel) beyond the tenant's bytes. Deliveries are still accepted and
/// counted: refusing them would make Telegram retry and then drop the
/// customers' messages, and the stored updates are kept only to be looked
/// at.
fn keep_within(conn: &rusqlite::Connection, channel_id: &str, bounds: Bounds) -> rusqlite::Result<()> {
    conn.execute(
        "DELETE FROM updates WHERE channel_id = ?1 AND seq <= \
         (SELECT seq FROM updates WHERE channel_id = ?1 ORDER BY seq DESC LIMIT 1 OFFSET ?2)",
        params![channel_id, UPDATES_KEPT],
    )?;
    let (tenant, channel_bytes, tenant_bytes): (i64, i64, i64) = conn.query_row(
        "SELECT c.tenant_id, c.updates_bytes, t.updates_bytes FROM channels c JOIN tenants t ON t.id = c.tenant_id \
         WHERE c.id = ?1",
        [channel_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    let over = |bytes: i64, bound: u64| u64::try_from(bytes).unwrap_or(0).saturating_sub(bound);
    let channel_over = over(channel_bytes, bounds.channel_bytes);
    if channel_over > 0 {
        drop_oldest(
            conn,
            "SELECT seq, size FROM updates WHERE channel_id = ?1 ORDER BY seq",
            rusqlite::types::Value::from(channel_id.to_owned()),
            channel_over,
        )?;
    }
    let tenant_over = over(tenant_bytes - i64::try_from(channel_over).unwrap_or(0), bounds.tenant_bytes);
    if tenant_over > 0 {
        drop_oldest(
            conn,
            "SELECT u.seq, u.size FROM updates u JOIN channels c ON c.id = u.channel_id WHERE c.tenant_id = ?1 ORDER BY u.seq",
            rusqlite::types::Value::from(tenant),
            tenant_over,
        )?;
    }
    Ok(())
}

/// Delete the first rows (`seq`, `size`) of `select` until at least
/// `bytes` are gone.
fn drop_oldest(
    conn: &rusqlite::Connection,
    select: &str,
    key: rusqlite::types::Value,
    bytes: u64,
) -> rusqlite::Result<()> {
    let mut gone = Vec::new();
    let mut freed = 0u64;
    let mut st = conn.prepare_cached(select)?;
    let mut rows = st.query([key])?;
    while freed < bytes
        && let Some(r) = rows.next()?
    {
        gone.push(r.get::<_, i64>(0)?);
        freed += u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0);
    }
    drop(rows);
    let mut delete = conn.prepare_cached("DELETE FROM updates WHERE seq = ?1")?;
    for seq in gone {
        delete.execute([seq])?;
    }
    Ok(())
}
