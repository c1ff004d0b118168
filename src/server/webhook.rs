//! The channel's webhook from the backend's side: the backend holds the bot
//! token, so it asks Telegram itself (`getWebhookInfo`) and nobody retypes a
//! token to look. The answer is cached in the channel's row with its time
//! (`GET .../webhook` answers the cache, `?refresh=true` asks again) and
//! joined with the backend's own record of deliveries (the last accepted
//! one, the refused ones). Every Bot API call of a backend goes through one
//! limiter ([`BotApiLimit`]): at most [`BOT_API_PER_SECOND`] a second.
//!
//! The Bot API address is `chanwiz serve --telegram-api URL` /
//! `CHANWIZ_TELEGRAM_API` ([`super::ServerConfig::telegram_api`]).

use std::sync::Arc;
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use rusqlite::{OptionalExtension, params};

use super::AppState;
use super::auth::Tenant;
use super::channels::ChannelId;
use super::db;
use super::errors::{ApiErr, ApiQuery, ApiResult};
use crate::api::{
    BotRef, DeliveryRefusal, PreviousBot, PreviousBotOutcome, RefusalReason, TelegramWebhook, WebhookQuery,
    WebhookState, WebhookStatus,
};
use crate::sanitize::clean;
use crate::telegram::{ApiConfig, BotApi, BotToken, RetryPolicy, WebhookInfo};

/// Bot API calls a backend makes at most per second, all channels and
/// tenants together.
pub const BOT_API_PER_SECOND: u32 = 30;
/// How long a call waits for the limiter before the cached state is
/// answered instead (with the reason).
pub const LIMIT_WAIT: Duration = Duration::from_secs(5);
/// A cached answer older than this is refreshed by a plain `GET`.
pub const CACHE_MAX_AGE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// The Bot API as the backend calls it: where, and how often.
pub struct BotApiLimit {
    /// `None`: the address given was unusable (the reason), every call fails.
    api: Result<ApiConfig, String>,
    turns: Turns,
}

/// Places for Bot API calls, [`BOT_API_PER_SECOND`] a second, spaced evenly
/// (so no window of a second ever holds more), handed out fairly among
/// tenants: each tenant's calls wait in a line of their own, and only the
/// first of each line waits for a place. A tenant refreshing sixty channels
/// at once therefore delays another tenant's one call by a single place, not
/// by sixty. Times are tokio's, so tests run them on a paused clock.
struct Turns {
    period: Duration,
    /// When the next place is free; held (FIFO) by the one call waiting
    /// for it, one per tenant line.
    next: tokio::sync::Mutex<tokio::time::Instant>,
    /// Each tenant's line while it has calls waiting (FIFO).
    lines: std::sync::Mutex<std::collections::HashMap<i64, Arc<tokio::sync::Mutex<()>>>>,
}

/// A call's place in its tenant's line; the line is forgotten with its
/// last call.
struct InLine<'a> {
    turns: &'a Turns,
    tenant: i64,
    line: Option<Arc<tokio::sync::Mutex<()>>>,
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        drop(self.line.take());
        let mut lines = self.turns.lines.lock().unwrap_or_else(|p| p.into_inner());
        if lines.get(&self.tenant).is_some_and(|l| Arc::strong_count(l) == 1) {
            lines.remove(&self.tenant);
        }
    }
}

impl Turns {
    fn new(per_second: u32) -> Self {
        let period = Duration::from_nanos(1_000_000_000 / u64::from(per_second.max(1)) + 1);
        Self { period, next: tokio::sync::Mutex::new(tokio::time::Instant::now()), lines: Default::default() }
    }

    /// Wait until `deadline` at most for a place for `tenant`: `false` when
    /// none came in time (then no place was taken).
    async fn take(&self, tenant: i64, deadline: tokio::time::Instant) -> bool {
        let line = self.lines.lock().unwrap_or_else(|p| p.into_inner()).entry(tenant).or_default().clone();
        let in_line = InLine { turns: self, tenant, line: Some(line) };
        let wait = async {
            let _first = in_line.line.as_ref().expect("in a line").lock().await;
            let mut next = self.next.lock().await;
            let at = (*next).max(tokio::time::Instant::now());
            if at > deadline {
                return false;
            }
            tokio::time::sleep_until(at).await;
            *next = at + self.period;
            true
        };
        tokio::time::timeout_at(deadline, wait).await.unwrap_or(false)
    }
}

impl BotApiLimit {
    /// The Bot API at `base` (default [`crate::telegram::DEFAULT_API`]).
    pub fn new(base: Option<&str>) -> Result<Self, String> {
        let api = ApiConfig::new(base.unwrap_or(crate::telegram::DEFAULT_API)).map_err(|e| e.to_string())?;
        // one retry of a 429 at most, never a long wait inside a request
        let retry = RetryPolicy { max_attempts: 2, max_wait: Duration::from_secs(2), ..RetryPolicy::default() };
        let mut api = api.with_retry(retry);
        api.timeout = Duration::from_secs(15);
        api.connect_timeout = Duration::from_secs(5);
        Ok(Self { api: Ok(api), turns: Turns::new(BOT_API_PER_SECOND) })
    }

    pub fn base_url(&self) -> Option<&str> {
        self.api.as_ref().ok().map(|a| a.base_url())
    }

    /// Wait (at most [`LIMIT_WAIT`]) for a call's place for `tenant`.
    async fn acquire(&self, tenant: i64) -> Result<(), String> {
        if self.turns.take(tenant, tokio::time::Instant::now() + LIMIT_WAIT).await {
            return Ok(());
        }
        Err(format!(
            "the backend makes at most {BOT_API_PER_SECOND} Bot API calls a second, shared among tenants, and this tenant's calls are waiting their turn: try again in a moment"
        ))
    }

    /// A client for the bot `token`, once the limiter lets a call through.
    async fn bot(&self, tenant: i64, token: &BotToken) -> Result<BotApi, String> {
        let api = self.api.clone()?;
        self.acquire(tenant).await?;
        BotApi::new(api, token.clone()).map_err(|e| e.to_string())
    }

    /// `getWebhookInfo` for `token` (errors scrubbed of it).
    pub async fn webhook_info(&self, tenant: i64, token: &BotToken) -> Result<WebhookInfo, String> {
        let bot = self.bot(tenant, token).await?;
        bot.get_webhook_info().await.map_err(|e| token.redact(&e.to_string()))
    }

    /// `deleteWebhook` for `token`: Telegram's answer.
    pub async fn delete_webhook(&self, tenant: i64, token: &BotToken) -> Result<String, String> {
        let bot = self.bot(tenant, token).await?;
        bot.delete_webhook(false).await.map_err(|e| token.redact(&e.to_string()))
    }
}

impl std::fmt::Debug for BotApiLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BotApiLimit").field("base", &self.base_url()).finish_non_exhaustive()
    }
}

/// The path of the channel's integration URL.
pub fn channel_path(channel_id: &str) -> String {
    crate::api::routes::TELEGRAM_DELIVERY.replace("{channel_id}", channel_id)
}

/// Whether `url` delivers to the channel `channel_id` (any public address).
pub fn points_to(url: &str, channel_id: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| u.path() == channel_path(channel_id))
}

/// The verdict on Telegram's answer: a delivery error counts only while
/// nothing was delivered, nor the token stored, after it.
pub fn status_of(
    webhook: &TelegramWebhook,
    channel_id: &str,
    registered: Option<chrono::DateTime<chrono::Utc>>,
    last_delivery: Option<chrono::DateTime<chrono::Utc>>,
) -> WebhookStatus {
    if webhook.url.is_empty() {
        return WebhookStatus::None;
    }
    if !points_to(&webhook.url, channel_id) {
        return WebhookStatus::Elsewhere;
    }
    let failed = webhook.last_error_message.as_deref().is_some_and(|m| !m.trim().is_empty());
    let since = registered.max(last_delivery).map(|t| t.timestamp());
    match (failed, webhook.last_error_date) {
        (true, Some(at)) if since.is_none_or(|s| at >= s) => WebhookStatus::Failing,
        (true, None) => WebhookStatus::Failing,
        _ => WebhookStatus::Ok,
    }
}

/// What the channel's row holds for its webhook.
struct Row {
    bot_token: Option<String>,
    bot_id: Option<i64>,
    bot_username: Option<String>,
    public_address: Option<String>,
    registered: Option<String>,
    last_delivery: Option<String>,
    webhook_info: Option<String>,
    webhook_checked: Option<String>,
}

fn opt_ts(t: &Option<String>) -> Option<chrono::DateTime<chrono::Utc>> {
    t.as_deref().map(db::parse_ts)
}

/// `GET /api/v1/channels/{id}/webhook[?refresh=true]`.
pub async fn get_webhook(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
    ApiQuery(q): ApiQuery<WebhookQuery>,
) -> ApiResult<Json<WebhookState>> {
    let id = id.into_inner();
    let i = id.clone();
    // what was refused until now is counted in the answer
    flush_refusals(&state).await;
    let (row, refusals, unknown) = state
        .db
        .read_as(t, move |conn| {
            let row = conn
                .query_row(
                    "SELECT bot_token, bot_id, bot_username, public_address, registered, last_delivery, webhook_info, webhook_checked \
                     FROM channels WHERE tenant_id = ?1 AND id = ?2",
                    params![t, i],
                    |r| {
                        Ok(Row {
                            bot_token: r.get(0)?,
                            bot_id: r.get(1)?,
                            bot_username: r.get(2)?,
                            public_address: r.get(3)?,
                            registered: r.get(4)?,
                            last_delivery: r.get(5)?,
                            webhook_info: r.get(6)?,
                            webhook_checked: r.get(7)?,
                        })
                    },
                )
                .optional()?
                .ok_or_else(|| ApiErr::channel_not_found(&i))?;
            Ok((row, refusals(conn, &i)?, unknown_channel(conn)?))
        })
        .await?;
    let registered = opt_ts(&row.registered);
    let last_delivery = opt_ts(&row.last_delivery);
    let mut answer = WebhookState {
        channel_id: id.clone(),
        has_bot_token: row.bot_token.is_some(),
        bot: row.bot_id.map(|bot_id| BotRef { id: bot_id, username: row.bot_username.clone() }),
        webhook: row.webhook_info.as_deref().and_then(|j| serde_json::from_str(j).ok()),
        status: None,
        fetched: opt_ts(&row.webhook_checked),
        age_seconds: None,
        error: None,
        points_here: false,
        registered,
        last_delivery,
        refusals,
        unknown_channel: unknown,
        public_address: row.public_address.clone(),
    };
    if let Some(sealed) = &row.bot_token {
        let stale = answer.fetched.is_none_or(|f| db::now() - f > CACHE_MAX_AGE);
        if q.refresh.unwrap_or(false) || stale || answer.webhook.is_none() {
            let token = state.keys.open(&id, "bot_token", sealed).map_err(ApiErr::internal).and_then(|t| {
                BotToken::parse(&t).map_err(|_| ApiErr::internal("the stored bot token is unreadable"))
            })?;
            match state.telegram.webhook_info(t, &token).await {
                Ok(info) => {
                    let webhook = info.cleaned();
                    let status = status_of(&webhook, &id, registered, last_delivery);
                    // as stored (microseconds), so a cached answer gives the same time
                    let now = db::parse_ts(&db::ts(db::now()));
                    let text = serde_json::to_string(&webhook).map_err(ApiErr::internal)?;
                    let i = id.clone();
                    state
                        .db
                        .call(move |conn| {
                            conn.execute(
                                "UPDATE channels SET webhook_info = ?3, webhook_checked = ?4, webhook_status = ?5 \
                                 WHERE tenant_id = ?1 AND id = ?2",
                                params![t, i, text, db::ts(now), status.as_str()],
                            )?;
                            Ok(())
                        })
                        .await?;
                    answer.webhook = Some(webhook);
                    answer.fetched = Some(now);
                }
                Err(e) => {
                    tracing::info!(channel = %id, "getWebhookInfo failed: {e}");
                    answer.error = Some(clean(&e).into_owned());
                    if answer.webhook.is_none() {
                        answer.status = Some(WebhookStatus::Unknown);
                    }
                }
            }
        }
    }
    if let Some(w) = &answer.webhook {
        answer.points_here = points_to(&w.url, &id);
        answer.status.get_or_insert(status_of(w, &id, registered, last_delivery));
    }
    answer.age_seconds = answer.fetched.map(|f| u64::try_from((db::now() - f).num_seconds()).unwrap_or(0));
    if !answer.has_bot_token {
        // nothing to ask Telegram with: whatever was cached is stale
        answer.webhook = None;
        answer.fetched = None;
        answer.age_seconds = None;
        answer.status = None;
    }
    Ok(Json(answer))
}

/// The refused deliveries of a channel, by reason.
fn refusals(conn: &rusqlite::Connection, channel_id: &str) -> rusqlite::Result<Vec<DeliveryRefusal>> {
    let mut st =
        conn.prepare_cached("SELECT reason, count, last FROM delivery_refusals WHERE channel_id = ?1 ORDER BY reason")?;
    let rows =
        st.query_map([channel_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, String>(2)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (reason, count, last) = row?;
        if let Some(reason) = RefusalReason::parse(&reason) {
            out.push(DeliveryRefusal { reason, count: u64::try_from(count).unwrap_or(0), last: db::parse_ts(&last) });
        }
    }
    Ok(out)
}

/// Deliveries to unknown channel ids, for the whole backend.
fn unknown_channel(conn: &rusqlite::Connection) -> rusqlite::Result<Option<DeliveryRefusal>> {
    conn.query_row("SELECT count, last FROM unknown_channel_deliveries WHERE id = 1", [], |r| {
        Ok(DeliveryRefusal {
            reason: RefusalReason::UnknownChannel,
            count: u64::try_from(r.get::<_, i64>(0)?).unwrap_or(0),
            last: db::parse_ts(&r.get::<_, String>(1)?),
        })
    })
    .optional()
}

/// `DELETE /api/v1/channels/{id}/integration/previous-bot`: the bot a
/// rotation moved away from stops delivering here. Its webhook is deleted
/// with the old token the backend kept, only when it still points to this
/// channel; then the old token is forgotten (kept when Telegram could not be
/// asked, for another try).
pub async fn release_previous_bot(
    State(state): State<AppState>,
    Tenant(t): Tenant,
    id: ChannelId,
) -> ApiResult<Json<PreviousBot>> {
    let id = id.into_inner();
    let i = id.clone();
    type Prev = (Option<String>, Option<i64>, Option<String>);
    let prev: Prev = state
        .db
        .read_as(t, move |conn| {
            conn.query_row(
                "SELECT previous_bot_token, previous_bot_id, previous_bot_username FROM channels WHERE tenant_id = ?1 AND id = ?2",
                params![t, i],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or_else(|| ApiErr::channel_not_found(&i))
        })
        .await?;
    let (Some(sealed), bot_id) = (prev.0, prev.1) else {
        return Ok(Json(PreviousBot { bot: None, outcome: PreviousBotOutcome::NoPreviousBot, telegram: None }));
    };
    let bot = bot_id.map(|b| BotRef { id: b, username: prev.2.clone() });
    let token = state
        .keys
        .open(&id, "previous_bot_token", &sealed)
        .map_err(ApiErr::internal)
        .and_then(|t| BotToken::parse(&t).map_err(|_| ApiErr::internal("the stored bot token is unreadable")))?;
    let outcome = match state.telegram.webhook_info(t, &token).await {
        Err(e) => Err(e),
        Ok(info) if info.url.is_empty() => Ok((PreviousBotOutcome::NoWebhook, None)),
        Ok(info) if !points_to(&info.url, &id) => Ok((PreviousBotOutcome::Elsewhere, None)),
        Ok(_) => state.telegram.delete_webhook(t, &token).await.map(|said| (PreviousBotOutcome::Deleted, Some(said))),
    };
    match outcome {
        Ok((outcome, telegram)) => {
            let i = id.clone();
            state
                .db
                .call(move |conn| {
                    conn.execute(
                        "UPDATE channels SET previous_bot_token = NULL, previous_bot_id = NULL, previous_bot_username = NULL \
                         WHERE tenant_id = ?1 AND id = ?2",
                        params![t, i],
                    )?;
                    Ok(())
                })
                .await?;
            tracing::info!(channel = %id, outcome = ?outcome, "previous bot released");
            Ok(Json(PreviousBot { bot, outcome, telegram: telegram.map(|s| clean(&s).into_owned()) }))
        }
        Err(e) => {
            tracing::warn!(channel = %id, "releasing the previous bot failed: {e}");
            Ok(Json(PreviousBot { bot, outcome: PreviousBotOutcome::Failed, telegram: Some(clean(&e).into_owned()) }))
        }
    }
}

/// One refused delivery, recorded: per channel when `channel_id` names one,
/// else for the whole backend (an unknown channel names no tenant).
pub fn record_refusal(state: &AppState, channel_id: String, reason: RefusalReason) {
    state.refusals.add(channel_id, reason);
}

/// Refused deliveries counted in memory, written to the database at most
/// once a second ([`flush_refusals`]) and logged as one summary line then:
/// a flood of forged deliveries costs no synced write and no log line each.
#[derive(Clone, Default)]
pub struct Refusals(Arc<std::sync::Mutex<Pending>>);

/// Per (channel, reason): how many, and when the last one came.
type Pending = std::collections::HashMap<(String, RefusalReason), (u64, String)>;

impl Refusals {
    fn add(&self, channel_id: String, reason: RefusalReason) {
        let mut pending = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // an unknown channel id names no tenant: counted for the backend once
        let mut key =
            if reason == RefusalReason::UnknownChannel { (String::new(), reason) } else { (channel_id, reason) };
        // bounded: ids are whatever a client sends (past the bound a new one
        // is counted with the unknown ones)
        if pending.len() >= 10_000 && !pending.contains_key(&key) {
            key = (String::new(), RefusalReason::UnknownChannel);
        }
        let e = pending.entry(key).or_insert((0, String::new()));
        e.0 += 1;
        e.1 = db::ts(db::now());
    }

    fn take(&self) -> Pending {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Write the refusals counted since the last flush in one transaction, and
/// say in one log line how many there were, by reason.
pub async fn flush_refusals(state: &AppState) {
    let pending = state.refusals.take();
    if pending.is_empty() {
        return;
    }
    let mut by_reason: std::collections::BTreeMap<&'static str, u64> = Default::default();
    for ((_, reason), (n, _)) in &pending {
        *by_reason.entry(reason.as_str()).or_default() += n;
    }
    let summary = by_reason.iter().map(|(r, n)| format!("{n} {r}")).collect::<Vec<_>>().join(", ");
    tracing::warn!(refused = %summary, "deliveries refused since the last summary");
    let result = state
        .db
        .call(move |conn| {
            let tx = conn.transaction()?;
            for ((channel_id, reason), (n, last)) in pending {
                let n = i64::try_from(n).unwrap_or(i64::MAX);
                let known = reason != RefusalReason::UnknownChannel
                    && tx.execute(
                        "INSERT INTO delivery_refusals (channel_id, reason, count, last) \
                         SELECT id, ?2, ?4, ?3 FROM channels WHERE id = ?1 \
                         ON CONFLICT (channel_id, reason) DO UPDATE SET count = count + excluded.count, last = excluded.last",
                        params![channel_id, reason.as_str(), last, n],
                    )? > 0;
                if !known {
                    tx.execute(
                        "INSERT INTO unknown_channel_deliveries (id, count, last) VALUES (1, ?2, ?1) \
                         ON CONFLICT (id) DO UPDATE SET count = count + excluded.count, last = excluded.last",
                        params![last, n],
                    )?;
                }
            }
            tx.commit()?;
            Ok(())
        })
        .await;
    if let Err(e) = result {
        tracing::warn!("recording refused deliveries failed: {}", e.body.error);
    }
}

/// Shared by the handlers.
pub type Telegram = Arc<BotApiLimit>;

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(url: &str, error: Option<(&str, i64)>) -> TelegramWebhook {
        TelegramWebhook {
            url: url.into(),
            last_error_message: error.map(|e| e.0.into()),
            last_error_date: error.map(|e| e.1),
            ..Default::default()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn the_limiter_lets_one_call_through_at_a_time_at_most_thirty_a_second() {
        let limit = BotApiLimit::new(Some("http://127.0.0.1:9")).unwrap();
        let start = tokio::time::Instant::now();
        for _ in 0..31 {
            limit.acquire(1).await.unwrap();
        }
        // the 31st place is a second after the first, not sooner
        assert!(start.elapsed() >= Duration::from_secs(1), "{:?}", start.elapsed());
        assert!(start.elapsed() < Duration::from_millis(1_100), "{:?}", start.elapsed());
    }

    #[tokio::test(start_paused = true)]
    async fn a_tenant_asking_many_times_at_once_leaves_another_its_turn() {
        let limit = Arc::new(BotApiLimit::new(Some("http://127.0.0.1:9")).unwrap());
        let order = Arc::new(std::sync::Mutex::new(Vec::new()));
        let ask = |tenant: i64| {
            let (limit, order) = (limit.clone(), order.clone());
            tokio::spawn(async move {
                let granted = limit.acquire(tenant).await.is_ok();
                order.lock().unwrap().push((tenant, granted));
            })
        };
        // tenant 1 refreshes 200 channels at once, then tenant 2 asks once
        let mut calls: Vec<_> = (0..200).map(|_| ask(1)).collect();
        tokio::task::yield_now().await;
        calls.push(ask(2));
        for c in calls {
            c.await.unwrap();
        }
        let order = order.lock().unwrap();
        let second = order.iter().position(|&(t, _)| t == 2).unwrap();
        assert!(order[second].1, "tenant 2 was refused: it waited behind tenant 1");
        assert!(second <= 2, "tenant 2 came after {second} of tenant 1's calls");
        // what does not fit in the wait is refused, not queued forever
        let granted = order.iter().filter(|&&(t, g)| t == 1 && g).count();
        assert!((148..=151).contains(&granted), "{granted} of tenant 1's calls were granted");
    }

    #[test]
    fn a_delivery_error_counts_until_something_newer_happened() {
        let url = "https://93.184.216.34:8443/apiaccess/telegram/message/c1";
        let at = |s: i64| chrono::DateTime::from_timestamp(s, 0);
        assert_eq!(status_of(&hook(url, None), "c1", None, None), WebhookStatus::Ok);
        let failing = hook(url, Some(("Wrong response from the webhook: 403 Forbidden", 2_000)));
        assert_eq!(status_of(&failing, "c1", at(1_000), None), WebhookStatus::Failing);
        assert_eq!(status_of(&failing, "c1", None, None), WebhookStatus::Failing);
        assert_eq!(status_of(&failing, "c1", at(1_000), at(3_000)), WebhookStatus::Ok);
        assert_eq!(status_of(&failing, "c1", at(3_000), None), WebhookStatus::Ok);
        assert_eq!(status_of(&hook("", None), "c1", None, None), WebhookStatus::None);
        assert_eq!(status_of(&hook("https://93.184.216.34/x", None), "c1", None, None), WebhookStatus::Elsewhere);
    }
}
