//! Timer consistency: settings that each pass their own rule but together
//! do something the admin surely did not mean. Warnings, not errors: they
//! never block a submit (unless `chanwiz validate --strict`). Each names
//! both fields. Pure, like the rules.

use serde::Serialize;

use super::document::ChannelDocument;
use super::document::{Segment, parse_hhmm};
use super::fields as f;
use super::schedule::{DAY, DayKind, hhmm, spans};
use super::validate::{
    END_TIMEOUT_MINUTES, ROUTING_LIMIT_MINUTES, SEGMENTS_MAX, TRANSFER_TIMEOUT_SECONDS, WAIT_SECONDS,
};

/// One doubtful combination: the two fields (the first is the one to
/// change, most likely) and one plain sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub fields: [String; 2],
    pub message: String,
}

impl Warning {
    fn new(a: &str, b: &str, message: String) -> Self {
        Self { fields: [a.to_string(), b.to_string()], message }
    }

    /// Whether the warning is about the field at `path`, a part of it or
    /// the whole it is part of.
    pub fn names(&self, path: &str) -> bool {
        let within = |inner: &str, outer: &str| inner.strip_prefix(outer).is_some_and(|r| r.starts_with(['.', '[']));
        self.fields.iter().any(|p| p == path || within(path, p) || within(p, path))
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.fields[0] == self.fields[1] {
            return write!(out, "{}: {}", self.fields[0], self.message);
        }
        write!(out, "{} + {}: {}", self.fields[0], self.fields[1], self.message)
    }
}

/// Days before its expiry from which a chosen certificate is warned about.
pub const CERT_EXPIRY_WARNING_DAYS: i64 = 30;

/// The sentence about a certificate expiring within
/// [`CERT_EXPIRY_WARNING_DAYS`] of `now` (none when further off, or already
/// expired: that is an error of its own).
pub fn expiry_warning(
    name: &str,
    not_after: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<String> {
    let left = not_after - now;
    if left <= chrono::Duration::zero() || left > chrono::Duration::days(CERT_EXPIRY_WARNING_DAYS) {
        return None;
    }
    let when = match left.num_days() {
        0 => "today".to_string(),
        1 => "in 1 day".to_string(),
        d => format!("in {d} days"),
    };
    Some(format!(
        "Certificate '{}' expires {when} ({}): upload a renewed one and choose it before then.",
        name,
        not_after.format("%Y-%m-%d %H:%M UTC")
    ))
}

/// The chosen Trust and Identity certificates that expire within
/// [`CERT_EXPIRY_WARNING_DAYS`] of `now`, as the catalogue lists them.
pub fn certificate_warnings(
    doc: &ChannelDocument,
    cat: &super::Catalogue,
    now: chrono::DateTime<chrono::Utc>,
) -> Vec<Warning> {
    let ci = &doc.channel_info;
    [(f::TRUST_CERTIFICATE, ci.trust_certificate.trim()), (f::IDENTITY_CERTIFICATE, ci.identity_certificate.trim())]
        .into_iter()
        .filter(|(_, id)| !id.is_empty())
        .filter_map(|(path, id)| {
            let cert = cat.certificates.iter().find(|c| c.id == id)?;
            let not_after = chrono::DateTime::parse_from_rfc3339(&cert.not_after).ok()?.with_timezone(&chrono::Utc);
            expiry_warning(id, not_after, now).map(|m| Warning::new(path, path, m))
        })
        .collect()
}

/// Every warning of the document. A field that breaks a rule already has
/// its error; no warning is given about it. Cheap whatever the document
/// (the wizard runs it on every keystroke): the few fields involved are
/// checked here, not the whole document.
pub fn warnings(doc: &ChannelDocument) -> Vec<Warning> {
    let doc = doc.normalized();
    let mut out = Vec::new();
    let b = &doc.basic;
    let (la, se, st, om) =
        (&b.last_agent_mode, &b.session_end_no_customer_reply, &b.session_transfer_no_agent_reply, &b.offline_messages);
    let within = |v: i64, (lo, hi): (i64, i64)| (lo..=hi).contains(&v);
    let st_ok = within(st.timeout_seconds, TRANSFER_TIMEOUT_SECONDS);

    if st.enabled
        && se.enabled
        && st_ok
        && within(se.timeout_minutes, END_TIMEOUT_MINUTES)
        && st.timeout_seconds > se.timeout_minutes * 60
    {
        out.push(Warning::new(
            f::ST_TIMEOUT_SECONDS,
            f::SE_TIMEOUT_MINUTES,
            format!(
                "{} after {} s comes later than {} after {} min ({} s): the session ends before it can be transferred.",
                f::label(f::ST_ENABLED),
                st.timeout_seconds,
                f::label(f::SE_ENABLED),
                se.timeout_minutes,
                se.timeout_minutes * 60
            ),
        ));
    }
    if om.enabled && within(om.routing_time_limit_minutes, ROUTING_LIMIT_MINUTES) {
        for kind in DayKind::ALL.into_iter().filter(|k| day_ok(k.segments(&doc))) {
            // a message waiting since the last work time is routed when the
            // next stretch of work time begins
            let short = spans(&doc, kind).into_iter().find(|(s, e)| i64::from(e - s) < om.routing_time_limit_minutes);
            if let Some((s, e)) = short {
                out.push(Warning::new(
                    f::OM_ROUTING_LIMIT,
                    kind.path(),
                    format!(
                        "{} ({} min) is longer than the {} work time {}–{} ({} min): an offline message routed when it begins is still waiting when it ends.",
                        f::label(f::OM_ROUTING_LIMIT),
                        om.routing_time_limit_minutes,
                        kind.as_str(),
                        hhmm(s),
                        hhmm(e),
                        e - s
                    ),
                ));
            }
        }
    }
    if la.enabled
        && st.enabled
        && st_ok
        && within(la.wait_seconds, WAIT_SECONDS)
        && la.wait_seconds > st.timeout_seconds
    {
        out.push(Warning::new(
            f::LA_WAIT_SECONDS,
            f::ST_TIMEOUT_SECONDS,
            format!(
                "{} waits {} s for the last agent, longer than {} waits ({} s): the session is moved to the target skill queue before that wait is over.",
                f::label(f::LA_ENABLED),
                la.wait_seconds,
                f::label(f::ST_ENABLED),
                st.timeout_seconds
            ),
        ));
    }
    if b.work_time.workday.is_empty() && !om.enabled {
        out.push(Warning::new(
            f::WORKDAY,
            f::OM_ENABLED,
            format!(
                "{} has no time segment and {} is off: on a workday customers get no agent and cannot leave a message (at most the Non-Working Time Notification).",
                f::label(f::WORKDAY),
                f::label(f::OM_ENABLED)
            ),
        ));
    }
    out
}

/// Whether a day's segments pass their rules: at most four, each HH:MM to a
/// later HH:MM, none overlapping.
fn day_ok(list: &[Segment]) -> bool {
    if list.len() > SEGMENTS_MAX {
        return false;
    }
    let mut parsed = Vec::with_capacity(list.len());
    for s in list {
        match (parse_hhmm(&s.start).filter(|m| *m < DAY), parse_hhmm(&s.end)) {
            (Some(a), Some(e)) if a < e => parsed.push((a, e)),
            _ => return false,
        }
    }
    parsed.sort_unstable();
    parsed.windows(2).all(|p| p[1].0 >= p[0].1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Mode, validate};

    /// A document none of the four warnings is about: work time on
    /// workdays, every timer off.
    fn quiet() -> ChannelDocument {
        let mut d = ChannelDocument::default();
        d.basic.work_time.workday = vec![Segment::new("09:00", "17:00")];
        d
    }

    fn fields_of(d: &ChannelDocument) -> Vec<[String; 2]> {
        warnings(d).into_iter().map(|w| w.fields).collect()
    }

    fn pair(a: &str, b: &str) -> [String; 2] {
        [a.to_string(), b.to_string()]
    }

    #[test]
    fn a_chosen_certificate_expiring_within_30_days_is_a_warning_on_its_field() {
        use crate::model::catalogue::{CertRole, Certificate};
        let now = chrono::DateTime::parse_from_rfc3339("2026-12-07T06:00:00Z").unwrap().with_timezone(&chrono::Utc);
        let cert = |id: &str, role, not_after: &str| Certificate {
            id: id.into(),
            name: id.into(),
            role,
            subject: String::new(),
            not_after: not_after.into(),
            expired: false,
            used_by: Vec::new(),
        };
        let cat = crate::model::Catalogue {
            certificates: vec![
                cert("cert-soon", CertRole::Trust, "2026-12-19T06:00:00Z"),
                cert("cert-later", CertRole::Identity, "2027-03-01T00:00:00Z"),
            ],
            ..Default::default()
        };
        let mut d = quiet();
        d.channel_info.trust_certificate = "cert-soon".into();
        d.channel_info.identity_certificate = "cert-later".into();
        let w = certificate_warnings(&d, &cat, now);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0].fields, pair(f::TRUST_CERTIFICATE, f::TRUST_CERTIFICATE));
        assert_eq!(
            w[0].to_string(),
            "channel_info.trust_certificate: Certificate 'cert-soon' expires in 12 days (2026-12-19 06:00 UTC): \
             upload a renewed one and choose it before then."
        );
        // the identity one, in 84 days, is not warned about; nor one already expired
        d.channel_info.trust_certificate = "cert-later".into();
        assert!(certificate_warnings(&d, &cat, now).is_empty());
        let later = now + chrono::Duration::days(100);
        assert!(certificate_warnings(&d, &cat, later).is_empty());
        assert!(expiry_warning("c", now + chrono::Duration::hours(5), now).unwrap().contains("expires today"));
    }

    #[test]
    fn a_quiet_document_has_no_warning() {
        assert!(warnings(&quiet()).is_empty());
    }

    #[test]
    fn a_transfer_timeout_past_the_session_end_is_warned_about() {
        let mut d = quiet();
        d.basic.session_transfer_no_agent_reply.enabled = true;
        d.basic.session_transfer_no_agent_reply.target_skill_queue = "q2".into();
        d.basic.session_transfer_no_agent_reply.timeout_seconds = 180;
        d.basic.session_end_no_customer_reply.enabled = true;
        d.basic.session_end_no_customer_reply.timeout_minutes = 2;
        let w = warnings(&d);
        assert_eq!(fields_of(&d), vec![pair(f::ST_TIMEOUT_SECONDS, f::SE_TIMEOUT_MINUTES)]);
        assert!(
            w[0].message.contains("after 180 s comes later than") && w[0].message.contains("after 2 min (120 s)"),
            "{}",
            w[0].message
        );
        // equal is fine; so is either setting off
        d.basic.session_transfer_no_agent_reply.timeout_seconds = 120;
        assert!(warnings(&d).is_empty());
        d.basic.session_transfer_no_agent_reply.timeout_seconds = 180;
        d.basic.session_end_no_customer_reply.enabled = false;
        assert!(warnings(&d).is_empty());
    }

    #[test]
    fn a_routing_limit_past_the_end_of_work_time_is_warned_about() {
        let mut d = quiet();
        d.basic.offline_messages.enabled = true;
        d.basic.offline_messages.prompt = "Leave a message".into();
        d.basic.offline_messages.routing_time_limit_minutes = 45;
        d.basic.work_time.non_workday = vec![Segment::new("10:00", "10:30"), Segment::new("12:00", "14:00")];
        let w = warnings(&d);
        assert_eq!(fields_of(&d), vec![pair(f::OM_ROUTING_LIMIT, f::NON_WORKDAY)]);
        assert!(w[0].message.contains("10:00–10:30 (30 min)"), "{}", w[0].message);
        // touching segments are one stretch of work time
        d.basic.work_time.non_workday = vec![Segment::new("10:00", "10:30"), Segment::new("10:30", "11:00")];
        assert!(warnings(&d).is_empty());
        d.basic.offline_messages.routing_time_limit_minutes = 60;
        assert!(warnings(&d).is_empty(), "a limit that ends with the work time is fine");
        d.basic.offline_messages.routing_time_limit_minutes = 45;
        d.basic.work_time.non_workday[1].end = "10:40".into();
        assert_eq!(fields_of(&d), vec![pair(f::OM_ROUTING_LIMIT, f::NON_WORKDAY)]);
        d.basic.offline_messages.enabled = false;
        assert!(warnings(&d).is_empty());
    }

    #[test]
    fn a_last_agent_wait_past_the_transfer_timeout_is_warned_about() {
        let mut d = quiet();
        d.basic.last_agent_mode.enabled = true;
        d.basic.last_agent_mode.wait_seconds = 300;
        d.basic.session_transfer_no_agent_reply.enabled = true;
        d.basic.session_transfer_no_agent_reply.target_skill_queue = "q2".into();
        d.basic.session_transfer_no_agent_reply.timeout_seconds = 120;
        let w = warnings(&d);
        assert_eq!(fields_of(&d), vec![pair(f::LA_WAIT_SECONDS, f::ST_TIMEOUT_SECONDS)]);
        assert!(w[0].message.contains("waits 300 s") && w[0].message.contains("waits (120 s)"), "{}", w[0].message);
        d.basic.last_agent_mode.wait_seconds = 120;
        assert!(warnings(&d).is_empty());
    }

    #[test]
    fn a_workday_without_work_time_and_offline_messages_off_is_warned_about() {
        let mut d = quiet();
        d.basic.work_time.workday.clear();
        assert_eq!(fields_of(&d), vec![pair(f::WORKDAY, f::OM_ENABLED)]);
        assert!(warnings(&d)[0].message.contains("customers get no agent"));
        d.basic.offline_messages.enabled = true;
        d.basic.offline_messages.prompt = "Leave a message".into();
        assert!(warnings(&d).is_empty());
        // a non-workday without work time is an ordinary weekend
        let mut d = quiet();
        d.basic.work_time.non_workday.clear();
        assert!(warnings(&d).is_empty());
    }

    #[test]
    fn a_field_with_an_error_gets_no_warning() {
        let mut d = quiet();
        d.basic.last_agent_mode.enabled = true;
        d.basic.last_agent_mode.wait_seconds = 5000; // out of range: an error
        d.basic.session_transfer_no_agent_reply.enabled = true;
        d.basic.session_transfer_no_agent_reply.target_skill_queue = "q2".into();
        assert!(validate(&d, Mode::Update).iter().any(|e| e.path == f::LA_WAIT_SECONDS));
        assert!(warnings(&d).is_empty());
        // a day whose segments the rules refuse says nothing about routing
        let mut d = quiet();
        d.basic.offline_messages.enabled = true;
        d.basic.offline_messages.prompt = "Leave a message".into();
        d.basic.work_time.workday = vec![Segment::new("09:00", "09:20"), Segment::new("09:10", "09:30")];
        assert!(validate(&d, Mode::Update).iter().any(|e| e.path.starts_with(f::WORKDAY)));
        assert!(warnings(&d).is_empty());
        d.basic.work_time.workday = vec![Segment::new("09:00", "09:20")];
        assert_eq!(fields_of(&d), vec![pair(f::OM_ROUTING_LIMIT, f::WORKDAY)]);
        // and out-of-range timers are errors only
        for (wait, timeout) in [(60, 10), (5000, 120)] {
            let mut d = quiet();
            d.basic.last_agent_mode.enabled = true;
            d.basic.last_agent_mode.wait_seconds = wait;
            d.basic.session_transfer_no_agent_reply.enabled = true;
            d.basic.session_transfer_no_agent_reply.target_skill_queue = "q2".into();
            d.basic.session_transfer_no_agent_reply.timeout_seconds = timeout;
            assert!(!validate(&d, Mode::Update).is_empty());
            assert!(warnings(&d).is_empty(), "{wait} {timeout}");
        }
    }

    #[test]
    fn a_day_of_too_many_segments_is_an_error_only() {
        let mut d = quiet();
        d.basic.work_time.workday = vec![Segment::new("09:00", "09:01"); 5];
        d.basic.offline_messages.enabled = true;
        d.basic.offline_messages.prompt = "Leave a message".into();
        assert!(validate(&d, Mode::Update).iter().any(|e| e.path == f::WORKDAY));
        assert!(warnings(&d).is_empty());
        d.basic.work_time.workday.truncate(1);
        assert_eq!(fields_of(&d), vec![pair(f::OM_ROUTING_LIMIT, f::WORKDAY)]);
    }
}
