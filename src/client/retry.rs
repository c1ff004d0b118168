//! When to send a request again. Reads and creates (which carry an
//! Idempotency-Key) are retried after a transient failure, waiting longer each
//! time; updates and deletes are not (their outcome would be ambiguous).

use std::time::Duration;

/// An exponential backoff: `first`, then each wait `factor` times the one
/// before, never more than `max`, for at most `retries` retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub first: Duration,
    pub factor: u32,
    pub max: Duration,
    pub retries: u32,
}

impl Default for Backoff {
    /// 0.25 s, 0.5 s, 1 s, 2 s: about four seconds before giving up.
    fn default() -> Self {
        Self { first: Duration::from_millis(250), factor: 2, max: Duration::from_secs(4), retries: 4 }
    }
}

impl Backoff {
    /// No retries at all.
    pub fn none() -> Self {
        Self { retries: 0, ..Self::default() }
    }

    /// The wait before retry number `n` (1-based), or `None` when no retry is
    /// left. A `Retry-After` from the server replaces the computed wait when
    /// it is longer, up to `max`.
    pub fn delay(&self, n: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if n == 0 || n > self.retries {
            return None;
        }
        let mut d = self.first;
        for _ in 1..n {
            d = d.saturating_mul(self.factor);
            if d >= self.max {
                break;
            }
        }
        let d = d.min(self.max);
        Some(match retry_after {
            Some(ra) if ra > d => ra.min(self.max),
            _ => d,
        })
    }

    /// Every wait, in order.
    pub fn schedule(&self) -> Vec<Duration> {
        (1..=self.retries).map_while(|n| self.delay(n, None)).collect()
    }
}

/// Seconds of a `Retry-After` header (the HTTP-date form is ignored).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    value?.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    #[test]
    fn waits_double_up_to_the_cap_then_stop() {
        assert_eq!(Backoff::default().schedule(), vec![MS(250), MS(500), MS(1000), MS(2000)]);
        let b = Backoff { first: MS(100), factor: 3, max: MS(1000), retries: 6 };
        assert_eq!(b.schedule(), vec![MS(100), MS(300), MS(900), MS(1000), MS(1000), MS(1000)]);
        assert_eq!(b.delay(7, None), None);
        assert_eq!(b.delay(0, None), None);
        assert!(Backoff::none().schedule().is_empty());
        // A huge retry count does not overflow.
        let big = Backoff { retries: 200, ..Backoff::default() };
        assert_eq!(big.delay(200, None), Some(Duration::from_secs(4)));
    }

    #[test]
    fn retry_after_lengthens_but_never_beyond_the_cap() {
        let b = Backoff::default();
        assert_eq!(b.delay(1, Some(Duration::from_secs(2))), Some(Duration::from_secs(2)));
        assert_eq!(b.delay(1, Some(Duration::from_secs(600))), Some(Duration::from_secs(4)));
        assert_eq!(b.delay(3, Some(MS(10))), Some(MS(1000)));
        assert_eq!(parse_retry_after(Some(" 3 ")), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(Some("Wed, 21 Oct 2015 07:28:00 GMT")), None);
        assert_eq!(parse_retry_after(None), None);
    }
}
