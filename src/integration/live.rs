//! The live delivery test: "send any message to @your_bot now". [`start`]
//! notes how many deliveries the backend has accepted for the channel (and
//! what it refused so far); [`wait`] waits, by bounded long polls of the
//! backend, for the next one; on a timeout [`explain`] says, from Telegram's
//! `getWebhookInfo` (asked by the backend) and the backend's refused
//! deliveries, what went wrong. The CLI (`chanwiz webhook test`) and the
//! wizard's Integration and Channels screens both drive these calls.
//!
//! The time a message took comes from Telegram's `date` (whole seconds,
//! rounded down) against the backend's time of receipt: so it is an upper
//! bound, said as "within 1.3 s", never more precise than it is.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{BackendStatus, IntegrationError, Verdict, backend_status};
use crate::api::{BotRef, DeliverySample, RefusalReason, WebhookState};
use crate::client::Client;
use crate::sanitize::clean;

/// `chanwiz webhook test` waits this long unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);
/// The longest one poll of the backend waits (then it is asked again).
pub const POLL: Duration = Duration::from_secs(20);
/// The backend is asked at most this often.
const MIN_POLL: Duration = Duration::from_millis(500);

/// Where the test starts from.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub channel_id: String,
    /// Deliveries the backend had accepted for the channel.
    pub count: u64,
    /// The bot to send a message to (when a token is stored).
    pub bot: Option<BotRef>,
    pub has_bot_token: bool,
    /// Refused deliveries so far, by reason (to tell the ones during the test).
    refused: Vec<(RefusalReason, u64)>,
    /// What the backend last learnt of the webhook, when it was not working
    /// (a message may well not arrive).
    pub warning: Option<String>,
    /// Whose words the explanation uses.
    pub face: super::Face,
}

impl Baseline {
    /// "Send any message to @bot now", the line shown while waiting.
    pub fn prompt(&self) -> String {
        match &self.bot {
            Some(b) => format!("Send any message to {} now (from any Telegram account).", clean(&b.handle())),
            None => "Send any message to the channel's bot now (from any Telegram account).".to_owned(),
        }
    }
}

fn refused_of(state: &WebhookState) -> Vec<(RefusalReason, u64)> {
    state.refusals.iter().map(|r| (r.reason, r.count)).collect()
}

/// Note where the test starts: the backend's delivery count and refusals
/// (its cached webhook state: Telegram is not asked here).
pub async fn start(client: &Client, channel_id: &str, face: super::Face) -> Result<Baseline, IntegrationError> {
    let latest = client.latest_delivery(channel_id, None, Duration::ZERO).await?;
    let state = client.webhook_state(channel_id, false).await?;
    Ok(Baseline {
        channel_id: channel_id.to_owned(),
        count: latest.count,
        bot: state.bot.clone(),
        has_bot_token: state.has_bot_token,
        refused: refused_of(&state),
        face,
        warning: Some(super::diagnose(&state, face))
            .filter(|d| state.has_bot_token && d.verdict == Verdict::Failing)
            .map(|d| format!("the backend last saw: {}", d.headline)),
    })
}

/// Wait up to `timeout` for a delivery after `baseline`: its sample, or
/// `None` when none came. Each poll waits at most [`POLL`] (whole seconds,
/// at least one), and the last is cut at `timeout`.
pub async fn wait(
    client: &Client,
    baseline: &Baseline,
    timeout: Duration,
) -> Result<Option<DeliverySample>, IntegrationError> {
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        if left.is_zero() {
            return Ok(None);
        }
        let poll = Duration::from_secs(left.as_secs_f64().ceil() as u64).clamp(Duration::from_secs(1), POLL);
        let asked_at = tokio::time::Instant::now();
        let asked = client.latest_delivery(&baseline.channel_id, Some(baseline.count), poll);
        match tokio::time::timeout(left, asked).await {
            Err(_) => return Ok(None),
            Ok(Err(e)) => return Err(e.into()),
            Ok(Ok(answer)) if answer.count > baseline.count => {
                if let Some(sample) = answer.latest {
                    return Ok(Some(sample));
                }
            }
            Ok(Ok(_)) => {}
        }
        // a backend (or a client timeout) that answers without waiting is
        // not asked again at once
        let quick = asked_at.elapsed() < MIN_POLL;
        if quick {
            tokio::time::sleep_until((asked_at + MIN_POLL).min(deadline)).await;
        }
    }
}

/// What a delivery that arrived shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Arrival {
    /// "✓ Ann: hello — reached the channel within 1.3 s after it was sent"
    pub headline: String,
    /// The time it took, in seconds (an upper bound), when Telegram dated it.
    pub within_seconds: Option<f64>,
    /// What the time means.
    pub note: Option<String>,
}

/// The seconds between Telegram's date and the receipt, rounded up to a
/// tenth (Telegram's date is rounded down to the second, so the message
/// took at most this long).
pub fn within(sent: DateTime<Utc>, received: DateTime<Utc>) -> f64 {
    let ms = (received - sent).num_milliseconds();
    (ms as f64 / 100.0).ceil() / 10.0
}

/// The headline and note of a delivery that arrived.
pub fn arrival(sample: &DeliverySample) -> Arrival {
    let who = sample.from.as_deref().map(clean).map(|c| c.into_owned());
    let what = sample.text.as_deref().map(clean).map(|c| c.into_owned());
    let message = match (who, what) {
        (Some(w), Some(t)) => format!("{w}: {t}"),
        (Some(w), None) => format!("{w} (a {})", clean(&sample.kind)),
        (None, Some(t)) => t,
        (None, None) => format!("a {} update", clean(&sample.kind)),
    };
    let Some(sent) = sample.sent else {
        return Arrival {
            headline: format!("✓ {message} — reached the channel"),
            within_seconds: None,
            note: Some("Telegram gave no send time for this update.".into()),
        };
    };
    let secs = within(sent, sample.received);
    let (when, note) = if secs < -1.0 {
        (
            "as it was sent".to_owned(),
            Some(format!(
                "The backend's clock is {:.0} s behind Telegram's, so the time it took cannot be told.",
                -secs
            )),
        )
    } else if secs < 60.0 {
        (
            format!("within {:.1} s after it was sent", secs.max(0.1)),
            Some("Telegram stamps messages in whole seconds: this is the most it took.".into()),
        )
    } else {
        let minutes = (secs / 60.0).round();
        (
            format!("about {minutes:.0} min after it was sent"),
            Some("It waited at Telegram before it was delivered (an earlier failure, or the backend was down).".into()),
        )
    };
    Arrival { headline: format!("✓ {message} — reached the channel {when}"), within_seconds: Some(secs), note }
}

/// Why nothing arrived, as far as Telegram and the backend can tell.
#[derive(Debug, Clone)]
pub struct Explanation {
    /// The webhook's state, asked of Telegram now, and its diagnosis.
    pub status: BackendStatus,
    /// Refused deliveries during the test, by reason.
    pub refused_during: Vec<(RefusalReason, u64)>,
    /// One line each, to show under "Nothing arrived": [`Self::advice`]
    /// with the diagnosis of the webhook's state between.
    pub lines: Vec<String>,
    /// What the refusals during the test and Telegram's queue say, without
    /// the diagnosis (for a page that shows the state itself).
    pub advice: Vec<String>,
}

/// After a timeout: the webhook's state (the backend asks Telegram now) and
/// the deliveries the backend refused since `baseline`, in words.
pub async fn explain(client: &Client, baseline: &Baseline) -> Result<Explanation, IntegrationError> {
    let status = backend_status(client, &baseline.channel_id, true, baseline.face).await?;
    let before = |reason: RefusalReason| baseline.refused.iter().find(|(r, _)| *r == reason).map_or(0, |(_, n)| *n);
    let refused_during: Vec<(RefusalReason, u64)> = status
        .state
        .refusals
        .iter()
        .map(|r| (r.reason, r.count.saturating_sub(before(r.reason))))
        .filter(|(_, n)| *n > 0)
        .collect();
    let mut advice = Vec::new();
    for (reason, n) in &refused_during {
        // what it means is in the diagnosis (a secret mismatch: Register again)
        advice.push(format!("During the test the backend refused {n} delivery(ies) {}.", reason.describe()));
    }
    let mut hint = None;
    if matches!(status.diagnosis.verdict, Verdict::Working | Verdict::Registered) && refused_during.is_empty() {
        let pending = status.state.webhook.as_ref().map_or(0, |w| w.pending_update_count);
        hint = Some(if pending > 0 {
            format!(
                "Telegram holds {pending} update(s) for the bot and reports no error yet: it may still be trying (it waits longer after each failure)."
            )
        } else {
            "Telegram reports no error and holds nothing for the bot: most likely no message was sent to it yet (send one, then test again).".to_owned()
        });
    }
    let mut lines = advice.clone();
    lines.push(format!("Webhook: {}", status.diagnosis.headline));
    lines.extend(status.diagnosis.details_at(chrono::Utc::now()));
    lines.extend(hint.clone());
    advice.extend(hint);
    Ok(Explanation { status, refused_during, lines, advice })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(sent: Option<i64>, received_ms: i64) -> DeliverySample {
        DeliverySample {
            received: DateTime::from_timestamp_millis(received_ms).unwrap(),
            update_id: Some(1),
            kind: "message".into(),
            sent: sent.and_then(|s| DateTime::from_timestamp(s, 0)),
            from: Some("Ann".into()),
            text: Some("hello".into()),
        }
    }

    #[test]
    fn the_time_taken_is_an_upper_bound_in_tenths() {
        let a = arrival(&sample(Some(1_000), 1_001_234));
        assert_eq!(a.headline, "✓ Ann: hello — reached the channel within 1.3 s after it was sent");
        assert_eq!(a.within_seconds, Some(1.3));
        assert!(a.note.unwrap().contains("whole seconds"));
    }

    #[test]
    fn a_late_delivery_and_a_clock_behind_are_said_so() {
        assert!(
            arrival(&sample(Some(1_000), 1_000_000 + 600_000)).headline.ends_with("about 10 min after it was sent")
        );
        let behind = arrival(&sample(Some(1_000), 995_000));
        assert!(behind.headline.ends_with("as it was sent"), "{}", behind.headline);
        assert!(behind.note.unwrap().contains("behind"));
        // within the second Telegram rounds down to: a tenth at least
        assert!(arrival(&sample(Some(1_000), 1_000_000)).headline.contains("within 0.1 s"));
        assert_eq!(arrival(&sample(None, 0)).headline, "✓ Ann: hello — reached the channel");
    }
}
