//! One grammar for every flag that takes a duration: `500ms`, `90s`,
//! `1m30s`, `2m`, `1h`, `7d`, `1h 30m` (jiff's friendly duration format,
//! days taken as 24 hours), or a bare number of seconds (`120`, `1.5`).
//! Each flag adds its own bounds.

use std::time::Duration;

use jiff::{Span, SpanRelativeTo};

/// `text` as a duration from `min` to `max`; the error shows the grammar
/// or the bounds.
pub fn parse(text: &str, min: Duration, max: Duration) -> Result<Duration, String> {
    let t = text.trim();
    let shape = || format!("'{text}' is not a duration: write e.g. 500ms, 90s, 1m30s, 2h or 7d");
    let d = if !t.is_empty() && t.chars().all(|c| c.is_ascii_digit() || c == '.') {
        let n: f64 = t.parse().map_err(|_| shape())?;
        Duration::try_from_secs_f64(n).map_err(|_| shape())?
    } else {
        let span: Span = t.parse().map_err(|_| shape())?;
        let signed = span.to_duration(SpanRelativeTo::days_are_24_hours()).map_err(|_| shape())?;
        Duration::try_from(signed).map_err(|_| format!("'{text}' is negative: a duration is 0 or more"))?
    };
    if d < min || d > max {
        return Err(format!("'{text}' is outside {} to {}", human(min), human(max)));
    }
    Ok(d)
}

/// `500ms`, `90s`, `2m`, `24h`, `7d`: the largest unit that divides it.
pub fn human(d: Duration) -> String {
    let ms = d.as_millis();
    for (unit, size) in [("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1000)] {
        if ms >= size && ms.is_multiple_of(size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

/// A day.
pub const DAY: Duration = Duration::from_secs(86_400);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_usual_spelling_reads_and_the_bounds_are_named() {
        let any = |t| parse(t, Duration::ZERO, 400 * DAY);
        assert_eq!(any("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(any("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(any("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(any("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(any("1h 30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(any("7d"), Ok(7 * DAY));
        assert_eq!(any("90000ms"), Ok(Duration::from_secs(90)));
        assert_eq!(any("120"), Ok(Duration::from_secs(120)));
        assert_eq!(any("1.5"), Ok(Duration::from_millis(1500)));
        assert!(any("soon").unwrap_err().contains("1m30s"));
        assert!(any("-5s").unwrap_err().contains("0 or more"));
        let day = parse("2d", Duration::from_secs(1), DAY).unwrap_err();
        assert_eq!(day, "'2d' is outside 1s to 1d");
        assert_eq!(human(Duration::from_millis(1500)), "1500ms");
    }
}
