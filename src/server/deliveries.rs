//! `GET /api/v1/channels/{id}/deliveries/latest[?after=N&wait=S]`: the live
//! delivery test. The delivery endpoint ([`super::delivery`]) counts the
//! deliveries it accepts per channel and keeps a sample of the latest one
//! ([`DeliverySample`]); this route answers them, and with `after` waits
//! (at most [`DELIVERY_WAIT_MAX_SECS`], and well within the request
//! deadline) until the count passes `after`.
//!
//! A waiting request holds no database connection and no lock: it sleeps
//! on its channel's signal in [`Deliveries`], which only a delivery to that
//! channel wakes (a busy channel never wakes another tenant's waiters), and
//! then reads the count again. Waiting requests count against the connection cap like
//! any other, so slow or many clients cannot take more than that.

use std::time::Duration;

use axum::Json;
use axum::extract::State;
use rusqlite::{OptionalExtension, params};

use super::AppState;
use super::auth::Tenant;
use super::channels::ChannelId;
use super::errors::{ApiErr, ApiQuery, ApiResult};
use crate::api::{DELIVERY_WAIT_MAX_SECS, DeliverySample, LatestDelivery, LatestDeliveryQuery};

/// Wakes the requests waiting for a delivery, per channel: a counter of the
/// deliveries accepted for each channel someone waits on (a channel nobody
/// waits on has no entry; an entry goes with its last waiter).
#[derive(Clone, Default)]
pub struct Deliveries(
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, tokio::sync::watch::Sender<u64>>>>,
);

impl Deliveries {
    /// A delivery to `channel` was accepted (and committed): its waiters wake.
    pub fn accepted(&self, channel: &str) {
        let mut waiting = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(signal) = waiting.get(channel) {
            if signal.receiver_count() == 0 {
                waiting.remove(channel);
            } else {
                signal.send_modify(|n| *n = n.wrapping_add(1));
            }
        }
    }

    fn subscribe(&self, channel: &str) -> tokio::sync::watch::Receiver<u64> {
        let mut waiting = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // entries whose waiters have all gone are dropped as new ones come
        if waiting.len() > 64 {
            waiting.retain(|_, s| s.receiver_count() > 0);
        }
        waiting.entry(channel.to_owned()).or_insert_with(|| tokio::sync::watch::Sender::new(0)).subscribe()
    }
}

/// The longest a request may wait: [`DELIVERY_WAIT_MAX_SECS`], and at most
/// half the request deadline (so the answer is never the deadline's 408).
fn max_wait(request_timeout: Duration) -> Duration {
    Duration::from_secs(u64::from(DELIVERY_WAIT_MAX_SECS)).min(request_timeout / 2)
}

/// The channel's count and sample; 404 when the tenant has no such channel.
async fn read(state: &AppState, tenant: i64, id: &str) -> ApiResult<(u64, Option<DeliverySample>)> {
    let id = id.to_owned();
    state
        .db
        .read_as(tenant, move |conn| {
            let row: Option<(i64, Option<String>)> = conn
                .query_row(
                    "SELECT delivery_count, delivery_sample FROM channels WHERE tenant_id = ?1 AND id = ?2",
                    params![tenant, id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let (count, sample) = row.ok_or_else(|| ApiErr::channel_not_found(&id))?;
            Ok((u64::try_from(count).unwrap_or(0), sample.and_then(|s| serde_json::from_str(&s).ok())))
        })
        .await
}

pub async fn latest(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
    ApiQuery(q): ApiQuery<LatestDeliveryQuery>,
) -> ApiResult<Json<LatestDelivery>> {
    let id = id.into_inner();
    let wait = q.wait.unwrap_or(0);
    if wait > DELIVERY_WAIT_MAX_SECS {
        return Err(ApiErr::bad_request(format!(
            "wait must be from 0 to {DELIVERY_WAIT_MAX_SECS} seconds: to wait longer, ask again."
        )));
    }
    let wait = Duration::from_secs(u64::from(wait)).min(max_wait(state.limits.request_timeout));
    let deadline = tokio::time::Instant::now() + wait;
    // subscribed before the first read: a delivery between the read and the
    // wait still wakes it
    let mut woken = state.deliveries.subscribe(&id);
    loop {
        let (count, sample) = read(&state, t, &id).await?;
        if q.after.is_none_or(|after| count > after) {
            return Ok(Json(LatestDelivery { channel_id: id, count, latest: sample }));
        }
        // a delivery since the subscription (or the last wake) makes this
        // return at once
        match tokio::time::timeout_at(deadline, woken.changed()).await {
            Ok(Ok(())) => continue,
            // the deadline, or the server stopping: answer what there is
            _ => return Ok(Json(LatestDelivery { channel_id: id, count, latest: None })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delivery_wakes_the_waiters_of_its_channel_only() {
        let d = Deliveries::default();
        let (a, b) = (d.subscribe("chan-a"), d.subscribe("chan-b"));
        let b2 = d.subscribe("chan-b");
        d.accepted("chan-b");
        assert!(b.has_changed().unwrap() && b2.has_changed().unwrap(), "its waiters wake");
        assert!(!a.has_changed().unwrap(), "another channel's waiter woke");
        // the last waiter gone, the next delivery drops the entry
        drop(a);
        d.accepted("chan-a");
        assert!(!d.0.lock().unwrap().contains_key("chan-a"));
    }

    #[test]
    fn a_wait_stays_within_the_request_deadline() {
        assert_eq!(max_wait(Duration::from_secs(60)), Duration::from_secs(25));
        assert_eq!(max_wait(Duration::from_secs(10)), Duration::from_secs(5));
    }
}
