//! The CSV format of export files (`GET /api/v1/exports/{id}/download`):
//! one table of columns, each with how its cell is written from a channel
//! document and read back into one, so that an export imports back as
//! drafts (`chanwiz drafts import`) with every exported value.
//!
//! UTF-8, comma-separated, a header row in every file, one row per channel.
//! The columns are `id`, `name`, `channel_type`, then everything under Basic
//! and Robot configuration as dotted paths (`basic.last_agent_mode.enabled`);
//! never a key, secret, URL or certificate. Booleans are `true`/`false`;
//! lists are joined with `;` (keywords and transfer targets cannot contain
//! it); work-time segments are `HH:MM-HH:MM` joined with `;`; an unlimited
//! `agent_outbound_time_limit_minutes` is an empty cell. A cell that starts
//! with `=`, `+`, `-`, `@`, tab, carriage return or `'` gets a leading `'`
//! ([`neutralise`]) so that a spreadsheet never runs it as a formula; reading
//! takes it off again ([`restore`]).

use crate::model::{ChannelDocument, RoutingMode, Segment, TransferTarget};

/// The first three columns of every file.
pub const ID: &str = "id";
pub const NAME: &str = "name";
pub const CHANNEL_TYPE: &str = "channel_type";

pub type Get = fn(&ChannelDocument) -> String;
pub type Set = fn(&mut ChannelDocument, &str) -> Result<(), String>;

/// One column after `id`, `name` and `channel_type`.
pub struct Column {
    pub name: &'static str,
    pub get: Get,
    pub set: Set,
}

fn yes(b: bool) -> String {
    if b { "true" } else { "false" }.to_string()
}

fn boolean(v: &str) -> Result<bool, String> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("'{}' is not true or false", crate::sanitize::clean(v))),
    }
}

fn int(v: &str) -> Result<i64, String> {
    v.trim().parse().map_err(|_| format!("'{}' is not a whole number", crate::sanitize::clean(v)))
}

fn list(v: &str) -> Vec<String> {
    if v.is_empty() { Vec::new() } else { v.split(';').map(str::to_string).collect() }
}

fn segments(s: &[Segment]) -> String {
    s.iter().map(|s| format!("{}-{}", s.start, s.end)).collect::<Vec<_>>().join(";")
}

fn parse_segments(v: &str) -> Result<Vec<Segment>, String> {
    list(v)
        .into_iter()
        .map(|s| match s.split_once('-') {
            Some((start, end)) => Ok(Segment { start: start.to_string(), end: end.to_string() }),
            None => Err(format!("'{}' is not a segment HH:MM-HH:MM", crate::sanitize::clean(&s))),
        })
        .collect()
}

fn targets(v: &str) -> Result<Vec<TransferTarget>, String> {
    list(v)
        .into_iter()
        .map(|t| {
            TransferTarget::ALL.into_iter().find(|k| k.as_str() == t).ok_or_else(|| {
                format!("'{}' is not a transfer target (skill_queue, agent, chatbot)", crate::sanitize::clean(&t))
            })
        })
        .collect()
}

fn routing_mode(v: &str) -> Result<RoutingMode, String> {
    RoutingMode::ALL.into_iter().find(|k| k.as_str() == v).ok_or_else(|| {
        format!("'{}' is not a routing mode (skill_queue, last_agent, chatbot)", crate::sanitize::clean(v))
    })
}

/// Every column after `id`, `name` and `channel_type`: everything under
/// Basic and Robot configuration.
pub fn columns() -> Vec<Column> {
    macro_rules! text {
        ($name:literal, $($f:ident).+) => {
            Column {
                name: $name,
                get: |d| d.$($f).+.clone(),
                set: |d, v| {
                    d.$($f).+ = v.to_string();
                    Ok(())
                },
            }
        };
    }
    macro_rules! flag {
        ($name:literal, $($f:ident).+) => {
            Column { name: $name, get: |d| yes(d.$($f).+), set: |d, v| boolean(v).map(|b| d.$($f).+ = b) }
        };
    }
    macro_rules! number {
        ($name:literal, $($f:ident).+) => {
            Column { name: $name, get: |d| d.$($f).+.to_string(), set: |d, v| int(v).map(|n| d.$($f).+ = n) }
        };
    }
    vec![
        text!("basic.ou", basic.ou),
        text!("basic.skill_queue", basic.skill_queue),
        Column {
            name: "basic.transfer_keywords",
            get: |d| d.basic.transfer_keywords.join(";"),
            set: |d, v| {
                d.basic.transfer_keywords = list(v);
                Ok(())
            },
        },
        Column {
            name: "basic.work_time.workday",
            get: |d| segments(&d.basic.work_time.workday),
            set: |d, v| parse_segments(v).map(|s| d.basic.work_time.workday = s),
        },
        Column {
            name: "basic.work_time.non_workday",
            get: |d| segments(&d.basic.work_time.non_workday),
            set: |d, v| parse_segments(v).map(|s| d.basic.work_time.non_workday = s),
        },
        text!("basic.non_working_time_notification", basic.non_working_time_notification),
        flag!("basic.last_agent_mode.enabled", basic.last_agent_mode.enabled),
        number!("basic.last_agent_mode.retention_hours", basic.last_agent_mode.retention_hours),
        number!("basic.last_agent_mode.wait_seconds", basic.last_agent_mode.wait_seconds),
        flag!("basic.session_end_no_customer_reply.enabled", basic.session_end_no_customer_reply.enabled),
        number!(
            "basic.session_end_no_customer_reply.timeout_minutes",
            basic.session_end_no_customer_reply.timeout_minutes
        ),
        text!("basic.session_end_no_customer_reply.end_message", basic.session_end_no_customer_reply.end_message),
        flag!("basic.session_transfer_no_agent_reply.enabled", basic.session_transfer_no_agent_reply.enabled),
        number!(
            "basic.session_transfer_no_agent_reply.timeout_seconds",
            basic.session_transfer_no_agent_reply.timeout_seconds
        ),
        text!(
            "basic.session_transfer_no_agent_reply.target_skill_queue",
            basic.session_transfer_no_agent_reply.target_skill_queue
        ),
        text!("basic.session_transfer_no_agent_reply.notice", basic.session_transfer_no_agent_reply.notice),
        flag!("basic.session_transfer.enabled", basic.session_transfer.enabled),
        Column {
            name: "basic.session_transfer.targets",
            get: |d| d.basic.session_transfer.targets.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(";"),
            set: |d, v| targets(v).map(|t| d.basic.session_transfer.targets = t),
        },
        flag!("basic.offline_messages.enabled", basic.offline_messages.enabled),
        text!("basic.offline_messages.prompt", basic.offline_messages.prompt),
        number!("basic.offline_messages.routing_time_limit_minutes", basic.offline_messages.routing_time_limit_minutes),
        Column {
            name: "basic.offline_messages.agent_outbound_time_limit_minutes",
            get: |d| {
                d.basic.offline_messages.agent_outbound_time_limit_minutes.map(|m| m.to_string()).unwrap_or_default()
            },
            set: |d, v| {
                d.basic.offline_messages.agent_outbound_time_limit_minutes =
                    if v.is_empty() { None } else { Some(int(v)?) };
                Ok(())
            },
        },
        number!(
            "basic.offline_messages.called_customer_reply_timeout_minutes",
            basic.offline_messages.called_customer_reply_timeout_minutes
        ),
        Column {
            name: "basic.offline_messages.routing_mode",
            get: |d| d.basic.offline_messages.routing_mode.as_str().to_string(),
            set: |d, v| routing_mode(v).map(|m| d.basic.offline_messages.routing_mode = m),
        },
        flag!("robot.intelligent_robot.enabled", robot.intelligent_robot.enabled),
        text!("robot.intelligent_robot.chatbot_access_code", robot.intelligent_robot.chatbot_access_code),
        flag!("robot.robot_assistant.enabled", robot.robot_assistant.enabled),
        text!("robot.robot_assistant.assistant_access_code", robot.robot_assistant.assistant_access_code),
    ]
}

/// The header row of every file.
pub fn header() -> Vec<&'static str> {
    let mut h = vec![ID, NAME, CHANNEL_TYPE];
    h.extend(columns().into_iter().map(|c| c.name));
    h
}

/// A cell a spreadsheet will show as text, never run as a formula.
pub fn neutralise(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) { format!("'{cell}") } else { cell }
}

/// The value of a cell written by [`neutralise`].
pub fn restore(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r', '\'']) => rest,
        _ => cell,
    }
}

/// A record of an export file that cannot be read back, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The record's row as a spreadsheet numbers it (the header is row 1).
    pub row: u64,
    pub reason: String,
}

/// Read one CSV file of an export: a document per record (the channel's
/// name and its Basic and Robot configuration; everything else, secrets
/// included, empty), or why the record was refused. `Err` when the file
/// itself is not an export file (no header, a column no export has).
pub fn read(input: impl std::io::Read) -> Result<Vec<Result<ChannelDocument, Refused>>, String> {
    enum Slot {
        Skip,
        Name,
        Type,
        Cell(Set),
    }
    let mut csv = csv::ReaderBuilder::new().has_headers(true).from_reader(input);
    let header = csv.headers().map_err(|e| format!("cannot read the header row: {e}"))?.clone();
    let cols = columns();
    let mut slots = Vec::with_capacity(header.len());
    for (i, h) in header.iter().enumerate() {
        let h = if i == 0 { h.trim_start_matches('\u{feff}') } else { h };
        slots.push(match h {
            ID => Slot::Skip,
            NAME => Slot::Name,
            CHANNEL_TYPE => Slot::Type,
            _ => match cols.iter().find(|c| c.name == h) {
                Some(c) => Slot::Cell(c.set),
                None => {
                    return Err(format!(
                        "column '{}' is not one of an export file (expected {})",
                        crate::sanitize::clean(h),
                        header_text()
                    ));
                }
            },
        });
    }
    if !slots.iter().any(|s| matches!(s, Slot::Name)) {
        return Err(format!("there is no 'name' column: the header row of an export file is {}", header_text()));
    }
    let mut out = Vec::new();
    for (n, record) in csv.records().enumerate() {
        let row = n as u64 + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                out.push(Err(Refused { row, reason: record_error(&e, header.len()) }));
                continue;
            }
        };
        let mut doc = ChannelDocument::default();
        let mut problems = Vec::new();
        for (slot, (name, cell)) in slots.iter().zip(header.iter().zip(record.iter())) {
            let cell = restore(cell);
            match slot {
                Slot::Skip => {}
                Slot::Name => doc.basic.channel_name = cell.to_string(),
                Slot::Type => {
                    if cell != doc.channel_type.as_str() {
                        problems.push(format!(
                            "{name}: '{}' is not a channel type chanwiz knows (telegram)",
                            crate::sanitize::clean(cell)
                        ));
                    }
                }
                Slot::Cell(set) => {
                    if let Err(e) = set(&mut doc, cell) {
                        problems.push(format!("{name}: {e}"));
                    }
                }
            }
        }
        out.push(if problems.is_empty() { Ok(doc) } else { Err(Refused { row, reason: problems.join("; ") }) });
    }
    Ok(out)
}

fn header_text() -> String {
    let h = header();
    format!("{},… ({} columns)", h[..3].join(","), h.len())
}

fn record_error(e: &csv::Error, columns: usize) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths { len, .. } => format!("it has {len} cells, the header row has {columns}"),
        csv::ErrorKind::Utf8 { .. } => "it is not UTF-8 text".to_string(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_comes_back_as_it_was_written() {
        for cell in ["", "agent", "=1+2", "+x", "-3", "@SUM(A1)", "\tx", "'quoted", "''", "a=b", "08:30-12:00"] {
            assert_eq!(restore(&neutralise(cell.into())), cell);
        }
        let mut d: ChannelDocument =
            crate::model::parse_document(include_str!("../../assets/examples/telegram-channel.json")).unwrap();
        d.basic.offline_messages.agent_outbound_time_limit_minutes = None;
        let mut back = ChannelDocument::default();
        for c in columns() {
            (c.set)(&mut back, &(c.get)(&d)).unwrap();
        }
        back.basic.channel_name = d.basic.channel_name.clone();
        assert_eq!((back.basic, back.robot), (d.basic.clone(), d.robot.clone()));
        let mut file = csv::WriterBuilder::new().flexible(true).from_writer(Vec::new());
        file.write_record(header()).unwrap();
        let mut row: Vec<String> = vec!["x1".into(), d.basic.channel_name.clone(), "telegram".into()];
        row.extend(columns().iter().map(|c| neutralise((c.get)(&d))));
        file.write_record(&row).unwrap();
        row[2] = "whatsapp".into();
        row[9] = "maybe".into();
        file.write_record(&row).unwrap();
        file.write_record(["only", "two"]).unwrap();
        let read = read(&file.into_inner().unwrap()[..]).unwrap();
        assert_eq!(read.len(), 3);
        let first = read[0].as_ref().unwrap();
        assert_eq!((&first.basic, &first.robot), (&d.basic, &d.robot));
        assert_eq!(first.channel_info, Default::default(), "no key or secret comes from an export");
        let refused = read[1].as_ref().unwrap_err();
        assert_eq!(refused.row, 3);
        assert!(refused.reason.contains("channel_type") && refused.reason.contains("maybe"), "{refused:?}");
        assert_eq!(read[2].as_ref().unwrap_err().row, 4);
        assert!(super::read(&b"id,name,bogus\n"[..]).unwrap_err().contains("bogus"));
        let names = header();
        assert_eq!(names.len(), columns().len() + 3);
        assert!(names.iter().all(|c| !c.starts_with("channel_info")), "{names:?}");
    }
}
