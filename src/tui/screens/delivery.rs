//! The live delivery test as the Integration page shows it: "Send any
//! message to @bot now", a count of the seconds waited, then the message
//! that arrived ("✓ Ann: hello — reached the channel within 1.3 s after it
//! was sent") or why none did. The waiting runs in the runtime
//! ([`Effect::TestDelivery`]); the page stays responsive and Esc stops it
//! ([`Effect::StopDeliveryTest`]). Each test has a generation: what an
//! earlier (stopped) test reports is ignored.

use std::time::{Duration, Instant};

use crate::integration::live::{self, Arrival};
use crate::tui::msg::Effect;
use crate::tui::state::Level;

/// The environment variable that sets the wait (milliseconds; tests).
pub const ENV_TIMEOUT_MS: &str = "CHANWIZ_DELIVERY_TIMEOUT_MS";

/// How long the wizard waits for a message: [`live::DEFAULT_TIMEOUT`], or
/// `CHANWIZ_DELIVERY_TIMEOUT_MS`.
pub fn timeout_from_env() -> Duration {
    std::env::var(ENV_TIMEOUT_MS)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|ms| *ms > 0)
        .map_or(live::DEFAULT_TIMEOUT, Duration::from_millis)
}

/// What the runtime reports of a test.
#[derive(Debug, Clone)]
pub enum Progress {
    /// The backend's count is noted: the message can be sent now (the prompt).
    Waiting(String),
    Arrived(Arrival),
    /// Nothing arrived within the timeout: what the refusals and Telegram's
    /// queue say, and the webhook's state as the backend now answers it.
    Nothing {
        advice: Vec<String>,
        status: Option<Box<crate::integration::BackendStatus>>,
    },
    /// The test could not run (no bot token, the backend did not answer).
    Failed(String),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    Starting,
    Waiting { prompt: String, since: Instant },
    Arrived(Arrival),
    Nothing(Vec<String>),
    Failed(String),
    Stopped,
}

#[derive(Debug, Clone)]
pub struct DeliveryTest {
    pub generation: u64,
    pub timeout: Duration,
    pub phase: Phase,
}

impl DeliveryTest {
    /// A test of `channel`, and the effect that runs it. Generations are
    /// unique in the process, so no page takes another test's report.
    pub fn start(channel: &str, timeout: Duration) -> (DeliveryTest, Effect) {
        static LAST: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let generation = LAST.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        let effect = Effect::TestDelivery { channel: channel.to_owned(), generation, timeout };
        (DeliveryTest { generation, timeout, phase: Phase::Starting }, effect)
    }

    /// It waits (or is about to): Esc stops it, a second start is refused.
    pub fn running(&self) -> bool {
        matches!(self.phase, Phase::Starting | Phase::Waiting { .. })
    }

    /// What the runtime reported (for this test's generation only).
    pub fn on_progress(&mut self, generation: u64, progress: Progress, now: Instant) {
        if generation != self.generation || !self.running() {
            return;
        }
        self.phase = match progress {
            Progress::Waiting(prompt) => Phase::Waiting { prompt, since: now },
            Progress::Arrived(a) => Phase::Arrived(a),
            Progress::Nothing { advice, .. } => Phase::Nothing(advice),
            Progress::Failed(e) => Phase::Failed(e),
        };
    }

    /// Esc: stop waiting.
    pub fn stop(&mut self) -> Option<Effect> {
        self.running().then(|| {
            self.phase = Phase::Stopped;
            Effect::StopDeliveryTest
        })
    }

    /// The lines to draw: a level (mark and colour) and a text each; the
    /// first is the headline.
    pub fn lines(&self, now: Instant) -> Vec<(Level, bool, String)> {
        let secs = |d: Duration| {
            let s = d.as_secs_f64();
            if s >= 10.0 || s.fract() == 0.0 { format!("{s:.0} s") } else { format!("{s:.1} s") }
        };
        match &self.phase {
            Phase::Starting => vec![(Level::Info, false, "Delivery test: asking the backend where it stands…".into())],
            Phase::Waiting { prompt, since } => {
                let waited = now.saturating_duration_since(*since).min(self.timeout);
                vec![(
                    Level::Warn,
                    true,
                    format!("{prompt} Waiting {} of {} · Esc stops", secs(waited), secs(self.timeout)),
                )]
            }
            Phase::Arrived(a) => {
                let mut out = vec![(Level::Info, true, a.headline.trim_start_matches("✓ ").to_owned())];
                out.extend(a.note.iter().map(|n| (Level::Info, false, n.clone())));
                out
            }
            Phase::Nothing(lines) => {
                let mut out =
                    vec![(Level::Error, true, format!("Nothing reached the channel within {}.", secs(self.timeout)))];
                out.extend(lines.iter().map(|l| (Level::Error, false, l.clone())));
                out
            }
            Phase::Failed(e) => vec![(Level::Error, true, format!("the delivery test could not run: {e}"))],
            Phase::Stopped => vec![(Level::Warn, false, "delivery test stopped (t starts it again)".into())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_stopped_test_reports_later_is_ignored() {
        let now = Instant::now();
        let (mut t, effect) = DeliveryTest::start("c1", Duration::from_secs(120));
        let Effect::TestDelivery { generation, .. } = effect else { panic!("{effect:?}") };
        assert_eq!(generation, t.generation);
        t.on_progress(t.generation, Progress::Waiting("Send any message to @b now.".into()), now);
        assert!(t.lines(now + Duration::from_secs(3))[0].2.contains("Waiting 3 s of 120 s"));
        assert!(matches!(t.stop(), Some(Effect::StopDeliveryTest)));
        t.on_progress(t.generation, Progress::Nothing { advice: vec![], status: None }, now);
        assert_eq!(t.phase, Phase::Stopped);
        let (mut again, _) = DeliveryTest::start("c1", Duration::from_secs(120));
        again.on_progress(t.generation, Progress::Failed("late".into()), now);
        assert_eq!(again.phase, Phase::Starting, "the first test's report does not reach the second");
    }
}
