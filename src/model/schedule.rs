//! The schedule as customers see it: the work-time segments of each day
//! kind, a week of them, and what a customer who writes at a given day kind
//! and minute gets (an agent, the non-working-time notification, offline
//! messages, or nothing). Pure: the time zone and the clock come from the
//! caller.
//!
//! The catalogue has two day kinds (`work_time.workday`,
//! `work_time.non_workday`) and no calendar: which dates are workdays is the
//! tenant's, not the channel's. A week here is Monday–Friday workdays and
//! Saturday–Sunday non-workdays; a caller that knows better passes the day
//! kind itself (`chanwiz schedule --day`).

use chrono::{DateTime, Datelike, FixedOffset, NaiveTime, Timelike, Utc, Weekday};
use serde::Serialize;

use super::document::{ChannelDocument, Segment, parse_hhmm};
use super::fields as f;

/// Minutes in a day: `24:00`.
pub const DAY: u32 = 1440;

/// The two kinds of day the work time is set for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    Workday,
    NonWorkday,
}

impl DayKind {
    pub const ALL: [DayKind; 2] = [DayKind::Workday, DayKind::NonWorkday];

    /// The kind of a weekday: Monday–Friday are workdays.
    pub fn of(day: Weekday) -> DayKind {
        match day {
            Weekday::Sat | Weekday::Sun => DayKind::NonWorkday,
            _ => DayKind::Workday,
        }
    }

    /// `workday` or `non-workday` (also `non_workday`, any case).
    pub fn parse(text: &str) -> Option<DayKind> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "workday" => Some(DayKind::Workday),
            "non-workday" => Some(DayKind::NonWorkday),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DayKind::Workday => "workday",
            DayKind::NonWorkday => "non-workday",
        }
    }

    /// The document field holding this kind's segments.
    pub fn path(self) -> &'static str {
        match self {
            DayKind::Workday => f::WORKDAY,
            DayKind::NonWorkday => f::NON_WORKDAY,
        }
    }

    pub fn segments(self, doc: &ChannelDocument) -> &[Segment] {
        match self {
            DayKind::Workday => &doc.basic.work_time.workday,
            DayKind::NonWorkday => &doc.basic.work_time.non_workday,
        }
    }
}

/// The work time of a day kind as minute ranges `start..end`, sorted, with
/// touching segments joined. A segment the rules refuse (not `HH:MM`, end
/// not after start) counts for nothing; overlaps, which the rules refuse
/// too, are joined.
pub fn spans(doc: &ChannelDocument, kind: DayKind) -> Vec<(u32, u32)> {
    let mut list: Vec<(u32, u32)> = kind
        .segments(doc)
        .iter()
        .filter_map(|s| {
            let start = parse_hhmm(s.start.trim()).filter(|m| *m < DAY)?;
            let end = parse_hhmm(s.end.trim())?;
            (start < end).then_some((start, end))
        })
        .collect();
    list.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(list.len());
    for (s, e) in list {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// `HH:MM` of minutes since midnight (`24:00` for the end of the day).
pub fn hhmm(minute: u32) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// What a customer who writes to the channel gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Within work time: the session goes to the skill queue's agents.
    Agent,
    /// Outside work time, offline messages off: the Non-Working Time
    /// Notification, and no agent.
    NonWorkingTimeNotification,
    /// Outside work time, offline messages on: the customer may leave a
    /// message that agents receive later.
    OfflineMessages,
    /// Outside work time with offline messages off and no notification
    /// text: no reply at all.
    Nothing,
}

impl Outcome {
    /// The outcome in a few words, for narrow places.
    pub fn short(self) -> &'static str {
        match self {
            Outcome::Agent => "an agent",
            Outcome::NonWorkingTimeNotification => "the notification",
            Outcome::OfflineMessages => "offline messages",
            Outcome::Nothing => "nothing",
        }
    }

    /// "at this moment customers get: …"
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Agent => "an agent",
            Outcome::NonWorkingTimeNotification => "the non-working-time notification (no agent)",
            Outcome::OfflineMessages => "offline messages (they may leave a message for the agents)",
            Outcome::Nothing => "nothing: no agent, no notification text, offline messages off",
        }
    }
}

/// What customers get outside work time.
pub fn outside_work_time(doc: &ChannelDocument) -> Outcome {
    let b = &doc.basic;
    if b.offline_messages.enabled {
        Outcome::OfflineMessages
    } else if b.non_working_time_notification.trim().is_empty() {
        Outcome::Nothing
    } else {
        Outcome::NonWorkingTimeNotification
    }
}

/// What a customer gets at one minute of a day kind, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    pub day_kind: DayKind,
    /// `HH:MM`.
    pub time: String,
    pub outcome: Outcome,
    /// `HH:MM` at which the outcome changes that day (`24:00`: not before
    /// the day ends).
    pub until: String,
    /// The notification text sent, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notification: Option<String>,
    /// The Offline Message Prompt shown, when offline messages are on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offline_prompt: Option<String>,
}

/// What a customer who writes at `minute` (0–1439) of a day of `kind` gets.
/// A segment covers its start and not its end: 09:00–17:00 is an agent at
/// 09:00 and at 16:59, not at 17:00.
pub fn at(doc: &ChannelDocument, kind: DayKind, minute: u32) -> Answer {
    let minute = minute.min(DAY - 1);
    let spans = spans(doc, kind);
    let inside = spans.iter().find(|(s, e)| (*s..*e).contains(&minute));
    let (outcome, until) = match inside {
        Some(&(_, end)) => (Outcome::Agent, end),
        None => {
            let next = spans.iter().map(|(s, _)| *s).find(|s| *s > minute).unwrap_or(DAY);
            (outside_work_time(doc), next)
        }
    };
    let b = &doc.basic;
    let text = |s: &str| Some(s.trim().to_string()).filter(|t| !t.is_empty());
    let (notification, offline_prompt) = match outcome {
        Outcome::Agent | Outcome::Nothing => (None, None),
        Outcome::NonWorkingTimeNotification => (text(&b.non_working_time_notification), None),
        Outcome::OfflineMessages => (text(&b.non_working_time_notification), text(&b.offline_messages.prompt)),
    };
    Answer { day_kind: kind, time: hhmm(minute), outcome, until: hhmm(until), notification, offline_prompt }
}

/// One day of [`week`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Day {
    /// `mon` … `sun`.
    pub day: String,
    pub kind: DayKind,
    /// The work time, `HH:MM` pairs.
    pub segments: Vec<SpanText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpanText {
    pub start: String,
    pub end: String,
}

/// The week Monday to Sunday, each day with its kind's work time.
pub fn week(doc: &ChannelDocument) -> Vec<Day> {
    let of = |kind| spans(doc, kind).into_iter().map(|(s, e)| SpanText { start: hhmm(s), end: hhmm(e) }).collect();
    let (work, rest): (Vec<SpanText>, Vec<SpanText>) = (of(DayKind::Workday), of(DayKind::NonWorkday));
    WEEK.iter()
        .map(|d| {
            let kind = DayKind::of(*d);
            Day {
                day: weekday_name(*d).to_ascii_lowercase(),
                kind,
                segments: if kind == DayKind::Workday { work.clone() } else { rest.clone() },
            }
        })
        .collect()
}

pub const WEEK: [Weekday; 7] =
    [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

/// `Mon` … `Sun`.
pub fn weekday_name(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "Mon",
        Weekday::Tue => "Tue",
        Weekday::Wed => "Wed",
        Weekday::Thu => "Thu",
        Weekday::Fri => "Fri",
        Weekday::Sat => "Sat",
        Weekday::Sun => "Sun",
    }
}

/// A bar of `cells` cells over 00:00–24:00: a cell is on when more than
/// half of its minutes are work time (and a segment too short for any cell
/// still turns on the cell it falls in, so no work time is invisible).
pub fn bar(spans: &[(u32, u32)], cells: usize) -> Vec<bool> {
    let cells = cells.max(1);
    let n = cells as u64;
    let bounds = |i: u64| ((i * u64::from(DAY)) / n) as u32;
    let mut out: Vec<bool> = (0..n)
        .map(|i| {
            let (a, b) = (bounds(i), bounds(i + 1));
            let covered: u32 = spans.iter().map(|&(s, e)| e.min(b).saturating_sub(s.max(a))).sum();
            covered * 2 > b - a
        })
        .collect();
    for &(s, e) in spans {
        let first = (u64::from(s) * n / u64::from(DAY)) as usize;
        let last = ((u64::from(e) * n).div_ceil(u64::from(DAY)) as usize).min(cells);
        if !out[first.min(cells - 1)..last.max(first + 1).min(cells)].contains(&true) {
            out[first.min(cells - 1)] = true;
        }
    }
    out
}

/// Where `--at` puts the moment: a weekday when it names one (or an instant
/// gives one), and the minute of the day in the zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moment {
    pub weekday: Weekday,
    pub minute: u32,
    /// The instant in the zone (RFC 3339), when a full one was given or it
    /// is now.
    pub instant: Option<String>,
}

/// A time zone: its IANA name and its rules, as the caller found them in
/// the time zone database (`client::config::parse_zone`; this module reads
/// nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    name: String,
    rules: jiff::tz::TimeZone,
}

impl Zone {
    pub fn new(name: impl Into<String>, rules: jiff::tz::TimeZone) -> Self {
        Self { name: name.into(), rules }
    }

    pub fn utc() -> Self {
        Self::new("UTC", jiff::tz::TimeZone::UTC)
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// `t` on the zone's clock.
    pub fn local(&self, t: DateTime<Utc>) -> DateTime<FixedOffset> {
        let offset = jiff::Timestamp::from_second(t.timestamp()).map_or(0, |ts| self.rules.to_offset(ts).seconds());
        let offset = FixedOffset::east_opt(offset).unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
        t.with_timezone(&offset)
    }
}

/// What is said of a name that is not a time zone.
pub fn not_a_zone(name: &str) -> String {
    format!("'{}' is not a time zone: give an IANA name such as Europe/Berlin, Asia/Shanghai or UTC", name.trim())
}

/// A moment typed by the user, read in `zone`: `HH:MM` (today, from `now`),
/// `DAY HH:MM` (`Mon 14:30`, `saturday 09:00`), or an RFC 3339 instant
/// (`2026-12-05T10:00:00Z`, converted to the zone). `None` is `now`.
pub fn parse_moment(text: Option<&str>, zone: &Zone, now: DateTime<chrono::Utc>) -> Result<Moment, String> {
    let local_now = zone.local(now);
    let Some(text) = text.map(str::trim) else {
        return Ok(Moment {
            weekday: local_now.weekday(),
            minute: local_now.hour() * 60 + local_now.minute(),
            instant: Some(local_now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        });
    };
    const RULE: &str = "give HH:MM (e.g. 14:30), a weekday and HH:MM (e.g. Sat 10:00) or an RFC 3339 instant (e.g. 2026-12-05T10:00:00Z)";
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        let local = zone.local(t.to_utc());
        return Ok(Moment {
            weekday: local.weekday(),
            minute: local.hour() * 60 + local.minute(),
            instant: Some(local.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        });
    }
    let (day, time) = match text.split_once(char::is_whitespace) {
        Some((d, t)) => (Some(d), t.trim()),
        None => (None, text),
    };
    let minute = parse_time(time).ok_or_else(|| format!("'{text}' is not a time: {RULE}"))?;
    let weekday = match day {
        Some(d) => d.parse::<Weekday>().map_err(|_| format!("'{d}' is not a weekday: {RULE}"))?,
        None => local_now.weekday(),
    };
    Ok(Moment { weekday, minute, instant: None })
}

/// `HH:MM` (or `H:MM`) within the day, 00:00–23:59.
fn parse_time(text: &str) -> Option<u32> {
    let t = NaiveTime::parse_from_str(text, "%H:%M").ok()?;
    Some(t.hour() * 60 + t.minute())
}

/// Everything `chanwiz schedule` prints: the week, what customers get
/// outside work time and at the moment asked about, and the timer
/// warnings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub time_zone: String,
    pub week: Vec<Day>,
    pub outside_work_time: Outcome,
    pub at: At,
    pub warnings: Vec<super::warnings::Warning>,
    /// The work-time rules the document breaks: a refused segment counts
    /// for nothing above (overlapping ones are joined).
    pub work_time_errors: Vec<super::validate::FieldError>,
}

/// The moment asked about and what customers get then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct At {
    /// `mon` … `sun`.
    pub weekday: String,
    /// The instant in the time zone, when one was given (or it is now).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instant: Option<String>,
    /// `weekday` (Mon–Fri workdays) or `given` (`--day`).
    pub day_kind_from: &'static str,
    #[serde(flatten)]
    pub answer: Answer,
}

/// The schedule of `doc` at `moment` in the zone named `zone`; `day`, when
/// given, is the day kind instead of the weekday's.
pub fn report(doc: &ChannelDocument, zone: &str, moment: &Moment, day: Option<DayKind>) -> Report {
    let doc = doc.normalized();
    let kind = day.unwrap_or(DayKind::of(moment.weekday));
    Report {
        time_zone: zone.to_string(),
        week: week(&doc),
        outside_work_time: outside_work_time(&doc),
        at: At {
            weekday: weekday_name(moment.weekday).to_ascii_lowercase(),
            instant: moment.instant.clone(),
            day_kind_from: if day.is_some() { "given" } else { "weekday" },
            answer: at(&doc, kind, moment.minute),
        },
        warnings: super::warnings::warnings(&doc),
        work_time_errors: super::validate::validate(&doc, super::validate::Mode::Update)
            .into_iter()
            .filter(|e| e.path.starts_with("basic.work_time."))
            .collect(),
    }
}

/// Cells of the bars printed by [`report_text`]: half an hour each.
pub const TEXT_CELLS: usize = 48;

/// The hours above a bar of `cells` cells, a label every `every` cells
/// (`00    03    06 …`): as wide as the bar plus the closing `24`.
pub fn ruler(cells: usize, every: usize) -> String {
    let every = every.max(3);
    let mut out = String::new();
    let mut i = 0;
    while i <= cells {
        let hour = i * 24 / cells.max(1);
        let label = format!("{hour:02}");
        out.push_str(&label);
        if i + every <= cells {
            out.push_str(&" ".repeat(every - label.len()));
        }
        i += every;
    }
    out
}

/// The report as text, the bars drawn with `on` and `off` (one character
/// each). Texts from the document are quoted with their control
/// characters escaped.
pub fn report_text(r: &Report, on: char, off: char) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ =
        writeln!(out, "Work time, {} (Mon–Fri workdays, Sat–Sun non-workdays; {on} = agents at work):", r.time_zone);
    let _ = writeln!(out, "{:16}{}", "", ruler(TEXT_CELLS, 6));
    for d in &r.week {
        let spans: Vec<(u32, u32)> =
            d.segments.iter().filter_map(|s| Some((parse_hhmm(&s.start)?, parse_hhmm(&s.end)?))).collect();
        let cells: String = bar(&spans, TEXT_CELLS).into_iter().map(|c| if c { on } else { off }).collect();
        let times = if d.segments.is_empty() {
            "no work time".to_string()
        } else {
            d.segments.iter().map(|s| format!("{}–{}", s.start, s.end)).collect::<Vec<_>>().join(", ")
        };
        let name = format!("{} {}", title_case(&d.day), d.kind.as_str());
        let _ = writeln!(out, "{name:16}{cells}  {times}");
    }
    let _ = writeln!(out, "Outside work time customers get: {}.", r.outside_work_time.describe());
    let a = &r.at;
    let when = match &a.instant {
        Some(i) => format!("{i} ({} {})", title_case(&a.weekday), a.answer.time),
        None => format!("{} {}", title_case(&a.weekday), a.answer.time),
    };
    let kind = match a.day_kind_from {
        "given" => format!("taken as a {}", a.answer.day_kind.as_str()),
        _ => format!("a {}", a.answer.day_kind.as_str()),
    };
    let until = if a.answer.until == "24:00" {
        "for the rest of the day".to_string()
    } else {
        format!("until {}", a.answer.until)
    };
    let _ =
        writeln!(out, "At {when} in {} ({kind}) customers get: {}, {until}.", r.time_zone, a.answer.outcome.describe());
    if let Some(t) = &a.answer.notification {
        let _ = writeln!(out, "  notification: {t:?}");
    }
    if let Some(t) = &a.answer.offline_prompt {
        let _ = writeln!(out, "  offline message prompt: {t:?}");
    }
    if !r.work_time_errors.is_empty() {
        let _ = writeln!(out, "Work time the rules refuse (a refused segment is left out):");
        for e in &r.work_time_errors {
            let _ = writeln!(out, "  {e}");
        }
    }
    if !r.warnings.is_empty() {
        let _ = writeln!(out, "Warnings:");
        for w in &r.warnings {
            let _ = writeln!(out, "  warning: {w}");
        }
    }
    out
}

fn title_case(day: &str) -> String {
    let mut c = day.chars();
    c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Mode, validate};

    fn doc(workday: &[(&str, &str)], non_workday: &[(&str, &str)]) -> ChannelDocument {
        let mut d = ChannelDocument::default();
        d.basic.work_time.workday = workday.iter().map(|(s, e)| Segment::new(s, e)).collect();
        d.basic.work_time.non_workday = non_workday.iter().map(|(s, e)| Segment::new(s, e)).collect();
        d
    }

    fn m(t: &str) -> u32 {
        parse_hhmm(t).unwrap()
    }

    #[test]
    fn a_segment_covers_its_start_and_not_its_end() {
        let d = doc(&[("09:00", "17:00")], &[]);
        assert_eq!(at(&d, DayKind::Workday, m("08:59")).outcome, Outcome::Nothing);
        assert_eq!(at(&d, DayKind::Workday, m("09:00")).outcome, Outcome::Agent);
        assert_eq!(at(&d, DayKind::Workday, m("16:59")).outcome, Outcome::Agent);
        assert_eq!(at(&d, DayKind::Workday, m("17:00")).outcome, Outcome::Nothing);
        assert_eq!(at(&d, DayKind::Workday, m("09:00")).until, "17:00");
        assert_eq!(at(&d, DayKind::Workday, m("08:00")).until, "09:00");
        assert_eq!(at(&d, DayKind::Workday, m("18:00")).until, "24:00");
    }

    #[test]
    fn midnight_begins_the_day_and_24_00_ends_it() {
        let d = doc(&[("00:00", "06:00"), ("22:00", "24:00")], &[]);
        assert_eq!(at(&d, DayKind::Workday, 0).outcome, Outcome::Agent);
        assert_eq!(at(&d, DayKind::Workday, m("23:59")).outcome, Outcome::Agent);
        assert_eq!(at(&d, DayKind::Workday, m("23:59")).until, "24:00");
        assert_eq!(at(&d, DayKind::Workday, m("06:00")).outcome, Outcome::Nothing);
        assert_eq!(at(&d, DayKind::Workday, m("06:00")).until, "22:00");
        // a minute past the day is read as its last minute
        assert_eq!(at(&d, DayKind::Workday, DAY).time, "23:59");
    }

    #[test]
    fn each_day_kind_has_its_own_segments() {
        let d = doc(&[("09:00", "17:00")], &[("10:00", "14:00")]);
        assert_eq!(at(&d, DayKind::Workday, m("09:30")).outcome, Outcome::Agent);
        assert_eq!(at(&d, DayKind::NonWorkday, m("09:30")).outcome, Outcome::Nothing);
        assert_eq!(at(&d, DayKind::NonWorkday, m("10:00")).outcome, Outcome::Agent);
        assert_eq!(at(&d, DayKind::NonWorkday, m("14:00")).outcome, Outcome::Nothing);
        let w = week(&d);
        assert_eq!(w.len(), 7);
        assert_eq!((w[0].day.as_str(), w[0].kind), ("mon", DayKind::Workday));
        assert_eq!((w[4].day.as_str(), w[4].kind), ("fri", DayKind::Workday));
        assert_eq!((w[5].day.as_str(), w[5].kind), ("sat", DayKind::NonWorkday));
        assert_eq!(w[6].segments, vec![SpanText { start: "10:00".into(), end: "14:00".into() }]);
    }

    #[test]
    fn outside_work_time_offline_messages_come_before_the_notification() {
        let mut d = doc(&[("09:00", "17:00")], &[]);
        d.basic.non_working_time_notification = "We are closed.".into();
        let a = at(&d, DayKind::Workday, m("20:00"));
        assert_eq!(a.outcome, Outcome::NonWorkingTimeNotification);
        assert_eq!(a.notification.as_deref(), Some("We are closed."));
        assert_eq!(a.offline_prompt, None);
        d.basic.offline_messages.enabled = true;
        d.basic.offline_messages.prompt = "Leave a message".into();
        let a = at(&d, DayKind::Workday, m("20:00"));
        assert_eq!(a.outcome, Outcome::OfflineMessages);
        assert_eq!(a.offline_prompt.as_deref(), Some("Leave a message"));
        // within work time none of it is sent
        let a = at(&d, DayKind::Workday, m("10:00"));
        assert_eq!((a.outcome, a.notification, a.offline_prompt), (Outcome::Agent, None, None));
    }

    #[test]
    fn overlaps_refused_by_the_rules_still_read_as_one_span() {
        let d = doc(&[("09:00", "12:00"), ("11:00", "13:00"), ("13:00", "14:00")], &[]);
        assert!(validate(&d, Mode::Update).iter().any(|e| e.path == "basic.work_time.workday[1].start"));
        assert_eq!(spans(&d, DayKind::Workday), vec![(m("09:00"), m("14:00"))]);
        assert_eq!(at(&d, DayKind::Workday, m("12:30")).until, "14:00");
    }

    #[test]
    fn broken_segments_count_for_nothing() {
        let d = doc(&[("9am", "17:00"), ("12:00", "11:00"), ("24:00", "24:00"), (" 13:00 ", "14:00")], &[]);
        assert_eq!(spans(&d, DayKind::Workday), vec![(m("13:00"), m("14:00"))]);
    }

    #[test]
    fn bars_show_work_time_in_cells() {
        let d = doc(&[("09:00", "17:00")], &[]);
        let b = bar(&spans(&d, DayKind::Workday), 24);
        let on: Vec<usize> = (0..24).filter(|i| b[*i]).collect();
        assert_eq!(on, (9..17).collect::<Vec<_>>());
        // ten minutes still shows
        let d = doc(&[("12:00", "12:10")], &[]);
        let b = bar(&spans(&d, DayKind::Workday), 24);
        assert_eq!(b.iter().filter(|c| **c).count(), 1);
        assert!(b[12]);
        // the whole day, any width
        let d = doc(&[("00:00", "24:00")], &[]);
        assert!(bar(&spans(&d, DayKind::Workday), 37).iter().all(|c| *c));
        assert!(bar(&[], 48).iter().all(|c| !*c));
    }

    #[test]
    fn moments_are_read_in_the_zone() {
        let now = DateTime::parse_from_rfc3339("2026-12-01T13:05:00Z").unwrap().to_utc(); // a Tuesday
        let berlin = Zone::new("Europe/Berlin", jiff::tz::TimeZone::get("Europe/Berlin").unwrap());
        let m1 = parse_moment(Some("2026-12-05T23:30:00Z"), &berlin, now).unwrap();
        // 23:30 UTC on Saturday is 00:30 on Sunday in Berlin
        assert_eq!((m1.weekday, m1.minute), (Weekday::Sun, 30));
        assert_eq!(m1.instant.as_deref(), Some("2026-12-06T00:30:00+01:00"));
        let m2 = parse_moment(Some("Sat 10:00"), &berlin, now).unwrap();
        assert_eq!((m2.weekday, m2.minute), (Weekday::Sat, 600));
        let m3 = parse_moment(Some("9:05"), &berlin, now).unwrap();
        assert_eq!((m3.weekday, m3.minute), (Weekday::Tue, 545));
        let m4 = parse_moment(None, &berlin, now).unwrap();
        assert_eq!((m4.weekday, m4.minute), (Weekday::Tue, 14 * 60 + 5));
        for bad in ["25:00", "noon", "Funday 10:00", "10:00:00x"] {
            assert!(parse_moment(Some(bad), &berlin, now).is_err(), "{bad}");
        }
        assert!(not_a_zone("Mars/Olympus").contains("not a time zone"));
        assert_eq!(DayKind::of(Weekday::Sun), DayKind::NonWorkday);
        assert_eq!(DayKind::parse("Non_Workday"), Some(DayKind::NonWorkday));
        assert_eq!(DayKind::parse("weekday"), None);
    }

    #[test]
    fn the_ruler_is_as_wide_as_the_bar() {
        let r = ruler(48, 6);
        assert!(r.starts_with("00    03    06"), "{r}");
        assert!(r.ends_with("21    24"), "{r}");
        assert_eq!(r.len(), 50);
        assert_eq!(ruler(24, 6), "00    06    12    18    24");
    }

    #[test]
    fn the_report_text_says_what_customers_get() {
        let mut d = doc(&[("09:00", "17:00")], &[]);
        d.basic.non_working_time_notification = "Closed\n\u{1b}[31m".into();
        let now = DateTime::parse_from_rfc3339("2026-12-01T13:05:00Z").unwrap().to_utc();
        let zone = &Zone::utc();
        let r = report(&d, "UTC", &parse_moment(Some("Sat 10:00"), zone, now).unwrap(), None);
        let text = report_text(&r, '#', '.');
        assert!(
            text.contains("Mon workday     ..................################..............  09:00–17:00"),
            "{text}"
        );
        assert!(
            text.contains("Sun non-workday ................................................  no work time"),
            "{text}"
        );
        assert!(
            text.contains("At Sat 10:00 in UTC (a non-workday) customers get: the non-working-time notification"),
            "{text}"
        );
        assert!(text.contains(r#"notification: "Closed\n\u{1b}[31m""#), "{text}");
        assert!(!text.contains('\u{1b}'));
        let r = report(&d, "UTC", &parse_moment(Some("Sat 10:00"), zone, now).unwrap(), Some(DayKind::Workday));
        assert!(report_text(&r, '#', '.').contains("(taken as a workday) customers get: an agent, until 17:00."));
        assert!(r.work_time_errors.is_empty());
        // a refused segment is left out, and said so
        d.basic.work_time.non_workday = vec![Segment::new("12:00", "11:00")];
        let r = report(&d, "UTC", &parse_moment(Some("Sat 11:30"), zone, now).unwrap(), None);
        assert_eq!(r.at.answer.outcome, Outcome::NonWorkingTimeNotification);
        let text = report_text(&r, '#', '.');
        assert!(text.contains("Work time the rules refuse (a refused segment is left out):\n  basic.work_time.non_workday[0].end: End must be later"), "{text}");
    }
}
