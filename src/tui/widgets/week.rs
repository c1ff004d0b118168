//! The week view of the work time: one 00–24 bar per day kind (Monday–Friday
//! workdays, Saturday–Sunday non-workdays), what customers get outside work
//! time, and what they get now in the tenant's time zone. Drawn from the
//! document alone (`--ascii` turns its symbols into ASCII where the
//! terminal backend writes cells, as for every other symbol).

use crate::model::schedule::Zone;
use chrono::{DateTime, Utc};
use ratatui::text::{Line, Span};

use crate::model::ChannelDocument;
use crate::model::schedule::{DayKind, at, bar, outside_work_time, parse_moment, ruler, spans, weekday_name};
use crate::tui::theme::Theme;

/// A cell of work time.
pub const ON: char = '█';
/// A cell outside work time.
pub const OFF: char = '·';
/// Leads a warning line. (`--ascii` swaps every symbol where cells are
/// written to the terminal: nothing here needs an ASCII set of its own.)
pub const WARN: &str = "⚠";

/// Width of the day-kind labels.
const LABEL_W: usize = 20;

/// The week view in `width` columns, each line after `indent` spaces:
/// a ruler, a bar per day kind, the legend with what customers get outside
/// work time, and what they get at `now` in `zone`.
pub fn lines(
    doc: &ChannelDocument,
    now: DateTime<Utc>,
    at_text: Option<&str>,
    zone: &Zone,
    width: u16,
    indent: usize,
    theme: &Theme,
) -> Vec<Line<'static>> {
    let doc = doc.normalized();
    let pad = " ".repeat(indent);
    // half-hour cells when they fit (with the ruler's closing "24"), else hours
    let cells = if usize::from(width) >= indent + LABEL_W + 48 + 2 { 48 } else { 24 };
    // a label every 6 cells: 3 hours (48 cells) or 6 (24)
    let mut out = vec![Line::from(Span::styled(format!("{pad}{:LABEL_W$}{}", "", ruler(cells, 6)), theme.dim()))];
    for (kind, label) in [(DayKind::Workday, "Mon–Fri workday"), (DayKind::NonWorkday, "Sat–Sun non-workday")] {
        let cells: String = bar(&spans(&doc, kind), cells).into_iter().map(|c| if c { ON } else { OFF }).collect();
        out.push(Line::from(vec![Span::raw(format!("{pad}{label:LABEL_W$}")), Span::styled(cells, theme.ok())]));
    }
    // the last column stays free (text reaching it is text cut, with …)
    let fit = |s: String| crate::tui::text::truncate(&s, usize::from(width).saturating_sub(1));
    out.push(Line::from(Span::styled(
        fit(format!("{pad}{} agents at work   outside work time: {}", ON, outside_work_time(&doc).short())),
        theme.dim(),
    )));
    if let Ok(m) = parse_moment(at_text, zone, now) {
        let a = at(&doc, DayKind::of(m.weekday), m.minute);
        let until = if a.until == "24:00" { String::new() } else { format!(", until {}", a.until) };
        let when = if at_text.is_some() { "At" } else { "Now" };
        out.push(Line::raw(fit(format!(
            "{pad}{when}, {} {} {}: {}{until}",
            weekday_name(m.weekday),
            a.time,
            zone.name(),
            a.outcome.short()
        ))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Segment;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect()).collect()
    }

    #[test]
    fn the_bars_fit_the_width_and_say_what_customers_get() {
        let mut d = ChannelDocument::default();
        d.basic.work_time.workday = vec![Segment::new("09:00", "17:00")];
        let now = "2026-11-23T09:30:00Z".parse().unwrap(); // a Monday
        let theme = Theme { color: false };
        for width in [60u16, 80] {
            let t = text(&lines(&d, now, None, &Zone::utc(), width, 4, &theme));
            assert!(t.iter().all(|l| l.chars().count() <= usize::from(width)), "{width}: {t:#?}");
            assert_eq!(t.len(), 5);
            assert!(t[1].starts_with("    Mon–Fri workday     "), "{t:#?}");
            assert_eq!(t[2].matches(ON).count(), 0, "{t:#?}");
            assert_eq!(t[4], "    Now, Mon 09:30 UTC: an agent, until 17:00");
        }
        let t = text(&lines(&d, now, None, &Zone::utc(), 60, 4, &theme));
        assert_eq!(t[0], format!("{}00    06    12    18    24", " ".repeat(24)));
        assert_eq!(t[1].matches(ON).count(), 8);
        assert!(t[3].ends_with("outside work time: nothing"), "{t:#?}");
        // in Tokyo it is 18:30: after work time
        let t = text(&lines(&d, now, None, &crate::client::config::parse_zone("Asia/Tokyo").unwrap(), 80, 2, &theme));
        assert_eq!(t[1].matches(ON).count(), 16);
        assert_eq!(t[4], "  Now, Mon 18:30 Asia/Tokyo: nothing");
        // at a moment typed
        let t = text(&lines(&d, now, Some("Sat 10:00"), &Zone::utc(), 80, 2, &theme));
        assert_eq!(t[4], "  At, Sat 10:00 UTC: nothing");
    }
}
