//! The catalogue rules that need no server data. Pure: the wizard runs this on
//! every keystroke, `chanwiz validate` on a file and the backend on every write.

use std::collections::HashSet;
use std::net::{Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

use super::document::{ChannelDocument, RoutingMode, Segment, TransferTarget, parse_hhmm};
use super::fields as f;

/// One broken rule: the dotted path of the field and one plain sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub path: String,
    pub message: String,
}

impl FieldError {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self { path: path.into(), message: message.into() }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, out: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(out, "{}: {}", self.path, self.message)
    }
}

/// Whether the document creates a channel or updates a stored one: on an
/// update an absent APP Secret keeps the stored one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Update,
}

pub const APP_KEY_MAX: usize = 128;
pub const APP_SECRET_MAX: usize = 256;
pub const ID_MAX: usize = 128;
pub const CHANNEL_NAME_MAX: usize = 64;
pub const KEYWORDS_MAX: usize = 20;
pub const KEYWORD_MAX: usize = 32;
pub const SEGMENTS_MAX: usize = 4;
pub const NOTIFICATION_MAX: usize = 500;
pub const MESSAGE_MAX: usize = 256;
pub const PROMPT_FORBIDDEN: &[char] = &['\'', '"', '/', '<', '>', '\\', ';'];

/// Inclusive ranges of the numeric settings, shown beside their fields.
pub const RETENTION_HOURS: (i64, i64) = (1, 72);
pub const WAIT_SECONDS: (i64, i64) = (10, 600);
pub const END_TIMEOUT_MINUTES: (i64, i64) = (2, 1440);
pub const TRANSFER_TIMEOUT_SECONDS: (i64, i64) = (30, 3600);
pub const ROUTING_LIMIT_MINUTES: (i64, i64) = (1, 60);
pub const OUTBOUND_LIMIT_MINUTES: (i64, i64) = (0, 10080);
pub const CALLED_REPLY_MINUTES: (i64, i64) = (1, 5);

/// Every rule of the catalogue that needs no server data. The document is
/// checked as it will be stored: texts trimmed of surrounding whitespace.
/// Settings of a disabled section are not checked.
pub fn validate(doc: &ChannelDocument, mode: Mode) -> Vec<FieldError> {
    validate_bounded(doc, mode, usize::MAX).errors
}

/// What [`validate_bounded`] found: the first broken rules, and how many
/// more there are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    /// At most the cap given, in the order [`validate`] lists them.
    pub errors: Vec<FieldError>,
    /// Broken rules past the cap, counted but never built.
    pub more: usize,
    /// The paths of the counted-only errors of fields named without an index
    /// (a bounded few), so that a later check of the same field is not
    /// counted twice.
    pub(crate) more_paths: Vec<String>,
}

/// [`validate`] keeping at most `cap` errors and counting the rest: a
/// document of 340,000 broken list items costs a count, not 340,000 errors.
pub fn validate_bounded(doc: &ChannelDocument, mode: Mode, cap: usize) -> Findings {
    let doc = doc.normalized();
    let mut v = Checker { found: Findings::default(), cap };
    v.channel_info(&doc, mode);
    v.basic(&doc);
    v.robot(&doc);
    v.found
}

struct Checker {
    found: Findings,
    cap: usize,
}

impl Checker {
    /// A broken rule of a field named without an index (each is checked a
    /// bounded number of times).
    fn err(&mut self, path: impl Into<String>, message: impl Into<String>) {
        if self.found.errors.len() < self.cap {
            self.found.errors.push(FieldError::new(path, message));
        } else {
            self.found.more += 1;
            self.found.more_paths.push(path.into());
        }
    }

    /// A broken rule of one item of a list: the path and message are made
    /// only while there is room for them.
    fn item_err(&mut self, path: impl FnOnce() -> String, message: impl FnOnce() -> String) {
        if self.found.errors.len() < self.cap {
            self.found.errors.push(FieldError { path: path(), message: message() });
        } else {
            self.found.more += 1;
        }
    }

    fn channel_info(&mut self, doc: &ChannelDocument, mode: Mode) {
        let ci = &doc.channel_info;
        self.printable_ascii(f::APP_KEY, "APP Key", &ci.app_key, APP_KEY_MAX, true);
        match ci.app_secret.as_deref() {
            Some(secret) => self.printable_ascii(f::APP_SECRET, "APP Secret", secret, APP_SECRET_MAX, true),
            None if mode == Mode::Create => self.err(
                f::APP_SECRET,
                format!("APP Secret is required when creating a channel: the SK from API Fabric, 1–{APP_SECRET_MAX} printable ASCII characters without spaces."),
            ),
            None => {}
        }
        if let Err(message) = check_base_url(&ci.base_url) {
            self.err(f::BASE_URL, message);
        }
        self.id(
            f::TRUST_CERTIFICATE,
            "Trust certificate",
            &ci.trust_certificate,
            "the id of an uploaded trust certificate",
        );
        self.id(
            f::IDENTITY_CERTIFICATE,
            "Identity certificate",
            &ci.identity_certificate,
            "the id of an uploaded identity certificate",
        );
    }

    fn basic(&mut self, doc: &ChannelDocument) {
        let b = &doc.basic;
        if let Err(message) = check_channel_name(&b.channel_name) {
            self.err(f::CHANNEL_NAME, message);
        }
        self.id(f::OU, "OU Configuration", &b.ou, "the id of an OU of the tenant");
        self.id(f::SKILL_QUEUE, "Skill Queue", &b.skill_queue, "the id of a multimedia called route of the tenant");
        self.keywords(doc);
        self.segments(f::WORKDAY, "Workday", &b.work_time.workday);
        self.segments(f::NON_WORKDAY, "Non-workday", &b.work_time.non_workday);
        self.text(
            f::NOTIFICATION,
            "Non-Working Time Notification",
            &b.non_working_time_notification,
            NOTIFICATION_MAX,
            true,
        );

        let la = &b.last_agent_mode;
        if la.enabled {
            self.range(f::LA_RETENTION_HOURS, "Remember for", la.retention_hours, RETENTION_HOURS, "hours");
            self.range(f::LA_WAIT_SECONDS, "Wait for agent", la.wait_seconds, WAIT_SECONDS, "seconds");
        }
        let se = &b.session_end_no_customer_reply;
        if se.enabled {
            self.range(f::SE_TIMEOUT_MINUTES, "End after", se.timeout_minutes, END_TIMEOUT_MINUTES, "minutes");
            self.text(f::SE_END_MESSAGE, "Session end message", &se.end_message, MESSAGE_MAX, true);
        }
        let st = &b.session_transfer_no_agent_reply;
        if st.enabled {
            self.range(
                f::ST_TIMEOUT_SECONDS,
                "Transfer after",
                st.timeout_seconds,
                TRANSFER_TIMEOUT_SECONDS,
                "seconds",
            );
            if self.id(
                f::ST_TARGET,
                "Target skill queue",
                &st.target_skill_queue,
                "the id of a multimedia called route to move the session to",
            ) && !b.skill_queue.is_empty()
                && st.target_skill_queue == b.skill_queue
            {
                self.err(
                    f::ST_TARGET,
                    format!("Target skill queue must differ from the channel's own skill queue ('{}'): a session would be moved to the queue it is already in.", b.skill_queue),
                );
            }
            self.text(f::ST_NOTICE, "Transfer notice", &st.notice, MESSAGE_MAX, true);
        }
        let tr = &b.session_transfer;
        if tr.enabled {
            if tr.targets.is_empty() {
                self.err(
                    f::TRANSFER_TARGETS,
                    "Session Transfer needs at least one target: skill_queue, agent or chatbot.",
                );
            }
            let mut seen = HashSet::new();
            for (i, t) in tr.targets.iter().enumerate() {
                if !seen.insert(*t) {
                    self.item_err(
                        || format!("{}[{i}]", f::TRANSFER_TARGETS),
                        || format!("Transfer target '{}' is listed twice: each target may appear once.", t.as_str()),
                    );
                } else if *t == TransferTarget::Chatbot && !doc.robot.intelligent_robot.enabled {
                    self.item_err(
                        || format!("{}[{i}]", f::TRANSFER_TARGETS),
                        || "Transfer to chatbot needs Connecting to the Intelligent Robot turned on (Robot configuration).".into(),
                    );
                }
            }
        }
        self.offline_messages(doc);
    }

    fn offline_messages(&mut self, doc: &ChannelDocument) {
        let om = &doc.basic.offline_messages;
        if !om.enabled {
            return;
        }
        if om.prompt.is_empty() {
            self.err(
                f::OM_PROMPT,
                format!(
                    "Offline Message Prompt is required while Offline Messages is on: at most {MESSAGE_MAX} characters."
                ),
            );
        } else if self.text(f::OM_PROMPT, "Offline Message Prompt", &om.prompt, MESSAGE_MAX, true) {
            // every character that is refused, each once, in the order typed
            let mut found: Vec<char> = Vec::new();
            for c in om.prompt.chars().filter(|c| PROMPT_FORBIDDEN.contains(c)) {
                if !found.contains(&c) {
                    found.push(c);
                }
            }
            if !found.is_empty() {
                let list = found.iter().map(char::to_string).collect::<Vec<_>>().join(" ");
                self.err(
                    f::OM_PROMPT,
                    format!("Offline Message Prompt may not contain {list} (none of ' \" / < > \\ ; is allowed)."),
                );
            }
        }
        self.range(
            f::OM_ROUTING_LIMIT,
            "Offline Message Routing Time Limit",
            om.routing_time_limit_minutes,
            ROUTING_LIMIT_MINUTES,
            "minutes",
        );
        if let Some(limit) = om.agent_outbound_time_limit_minutes {
            let (lo, hi) = OUTBOUND_LIMIT_MINUTES;
            if !(lo..=hi).contains(&limit) {
                self.err(
                    f::OM_OUTBOUND_LIMIT,
                    format!("Agent Outbound Call Time Limit must be empty (unlimited) or a whole number of minutes from {lo} to {hi}; 0 means agents may not reply."),
                );
            }
        }
        let called = om.called_customer_reply_timeout_minutes;
        if self.range(
            f::OM_CALLED_TIMEOUT,
            "Called Customer Reply Timeout Period",
            called,
            CALLED_REPLY_MINUTES,
            "minutes",
        ) {
            let se = &doc.basic.session_end_no_customer_reply;
            if se.enabled && called >= se.timeout_minutes {
                self.err(
                    f::OM_CALLED_TIMEOUT,
                    format!(
                        "Called Customer Reply Timeout Period ({called} min) must be less than the {} min of Session End Due to No Customer Reply.",
                        se.timeout_minutes
                    ),
                );
            }
        }
        match om.routing_mode {
            RoutingMode::SkillQueue => {}
            RoutingMode::LastAgent if !doc.basic.last_agent_mode.enabled => {
                self.err(f::OM_ROUTING_MODE, "Routing mode last_agent needs Last Agent Mode turned on.");
            }
            RoutingMode::LastAgent => {}
            RoutingMode::Chatbot => {
                let ir = &doc.robot.intelligent_robot;
                if !ir.enabled || ir.chatbot_access_code.is_empty() {
                    self.err(
                        f::OM_ROUTING_MODE,
                        "Routing mode chatbot needs Connecting to the Intelligent Robot turned on with a chatbot access code.",
                    );
                }
            }
        }
    }

    fn robot(&mut self, doc: &ChannelDocument) {
        let ir = &doc.robot.intelligent_robot;
        if ir.enabled {
            self.id(
                f::CHATBOT,
                "Chatbot access code",
                &ir.chatbot_access_code,
                "the id of a chatbot of the tenant, required while the intelligent robot is on",
            );
        }
        let ra = &doc.robot.robot_assistant;
        if ra.enabled {
            self.id(
                f::ASSISTANT,
                "Assistant access code",
                &ra.assistant_access_code,
                "the id of a robot assistant of the tenant, required while the robot assistant is on",
            );
        }
    }

    fn keywords(&mut self, doc: &ChannelDocument) {
        let words = &doc.basic.transfer_keywords;
        if words.is_empty() && doc.robot.intelligent_robot.enabled {
            self.err(f::KEYWORDS, "At least one Keyword for Transfer to Agent is required while Connecting to the Intelligent Robot is on.");
        }
        if words.len() > KEYWORDS_MAX {
            self.err(f::KEYWORDS, format!("There are {} keywords: at most {KEYWORDS_MAX} are allowed.", words.len()));
        }
        let mut seen: HashSet<String> = HashSet::new();
        for (i, w) in words.iter().enumerate() {
            let path = || format!("{}[{i}]", f::KEYWORDS);
            let n = w.chars().count();
            if n == 0 || n > KEYWORD_MAX {
                self.item_err(path, || format!("A keyword must be 1–{KEYWORD_MAX} characters (this one has {n})."));
            } else if w.contains([',', ';']) {
                self.item_err(path, || "A keyword may not contain ',' or ';'.".into());
            } else if let Some(c) = w.chars().find(|c| c.is_control()) {
                self.item_err(path, || {
                    format!("A keyword may not contain control characters (found {}).", describe_char(c))
                });
            } else if !seen.insert(w.to_lowercase()) {
                self.item_err(path, || {
                    format!("The keyword '{w}' is already in the list (keywords are compared ignoring case).")
                });
            }
        }
    }

    fn segments(&mut self, path: &str, label: &str, list: &[Segment]) {
        if list.len() > SEGMENTS_MAX {
            self.err(path, format!("{label} has {} time segments: at most {SEGMENTS_MAX} are allowed.", list.len()));
        }
        let mut valid: Vec<(usize, u32, u32)> = Vec::new();
        for (i, seg) in list.iter().enumerate() {
            let start = parse_hhmm(&seg.start).filter(|m| *m < 1440);
            let end = parse_hhmm(&seg.end);
            if start.is_none() {
                self.item_err(
                    || format!("{path}[{i}].start"),
                    || "Start must be a time HH:MM from 00:00 to 23:59.".into(),
                );
            }
            if end.is_none() {
                self.item_err(|| format!("{path}[{i}].end"), || "End must be a time HH:MM from 00:00 to 24:00.".into());
            }
            if let (Some(s), Some(e)) = (start, end) {
                if s >= e {
                    self.item_err(
                        || format!("{path}[{i}].end"),
                        || format!("End must be later than the start ({}).", seg.start),
                    );
                } else {
                    valid.push((i, s, e));
                }
            }
        }
        valid.sort_by_key(|&(i, s, _)| (s, i));
        for pair in valid.windows(2) {
            let (a, _, a_end) = pair[0];
            let (b, b_start, _) = pair[1];
            if b_start < a_end {
                self.item_err(
                    || format!("{path}[{b}].start"),
                    || {
                        format!(
                            "{}–{} overlaps {}–{}: segments may touch but not overlap.",
                            list[b].start, list[b].end, list[a].start, list[a].end
                        )
                    },
                );
            }
        }
    }

    /// A required id of something in the tenant's catalogue; true when it is
    /// well formed.
    fn id(&mut self, path: &str, label: &str, value: &str, what: &str) -> bool {
        if value.is_empty() {
            self.err(path, format!("{label} is required: {what}."));
            false
        } else if value.chars().count() > ID_MAX {
            self.err(path, format!("{label} is too long: an id has at most {ID_MAX} characters."));
            false
        } else if let Some(c) = value.chars().find(|c| c.is_control()) {
            self.err(path, format!("{label} may not contain control characters (found {}).", describe_char(c)));
            false
        } else {
            true
        }
    }

    fn printable_ascii(&mut self, path: &str, label: &str, value: &str, max: usize, required: bool) {
        let n = value.chars().count();
        if n == 0 {
            if required {
                self.err(path, format!("{label} is required: 1–{max} printable ASCII characters without spaces."));
            }
        } else if n > max {
            self.err(path, format!("{label} is {n} characters long: at most {max} are allowed."));
        } else if let Some(c) = value.chars().find(|c| !('!'..='~').contains(c)) {
            self.err(
                path,
                format!(
                    "{label} may contain only printable ASCII characters without spaces (found {}).",
                    describe_char(c)
                ),
            );
        }
    }

    /// Free text: at most `max` characters, no control characters except
    /// newlines where `multiline`. True when it passes.
    fn text(&mut self, path: &str, label: &str, value: &str, max: usize, multiline: bool) -> bool {
        let n = value.chars().count();
        if n > max {
            self.err(path, format!("{label} is {n} characters long: at most {max} are allowed."));
            false
        } else if let Some(c) = value.chars().find(|&c| c.is_control() && !(multiline && c == '\n')) {
            let allowed = if multiline { " other than line breaks" } else { "" };
            self.err(
                path,
                format!("{label} may not contain control characters{allowed} (found {}).", describe_char(c)),
            );
            false
        } else {
            true
        }
    }

    /// A whole number in `lo..=hi`; true when it is.
    fn range(&mut self, path: &str, label: &str, value: i64, (lo, hi): (i64, i64), unit: &str) -> bool {
        if (lo..=hi).contains(&value) {
            true
        } else {
            self.err(path, format!("{label} must be from {lo} to {hi} {unit} (it is {value})."));
            false
        }
    }
}

/// How a character is named in a message: visible ones quoted, others by code.
fn describe_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() { format!("U+{:04X}", c as u32) } else { format!("'{c}'") }
}

/// The Channel Name rule: 1–64 letters, digits or `_`, first a letter or `_`.
pub fn check_channel_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    let rule = "1–64 letters, digits or underscores, starting with a letter or an underscore";
    if n == 0 {
        return Err(format!("Channel Name is required: {rule}."));
    }
    if n > CHANNEL_NAME_MAX {
        return Err(format!("Channel Name is {n} characters long: at most {CHANNEL_NAME_MAX} are allowed."));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '_')) {
        return Err(format!(
            "Channel Name may contain only letters, digits and underscores (found {}).",
            describe_char(c)
        ));
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(format!("Channel Name must start with a letter or an underscore, not a digit: {rule}."));
    }
    Ok(())
}

/// The BaseUrl rule: `https://` + IPv4 or bracketed IPv6 + `:` + port 1–65535,
/// nothing after the port but an optional `/`.
pub fn check_base_url(url: &str) -> Result<(), String> {
    const EXAMPLE: &str = "e.g. https://10.20.30.40:28090 (an example: use your own)";
    if url.is_empty() {
        return Err(format!(
            "BaseUrl is required: https:// with the IP address and port of the system frontend, {EXAMPLE}."
        ));
    }
    if let Some(c) = url.chars().find(|c| c.is_control() || c.is_whitespace()) {
        return Err(format!("BaseUrl may not contain spaces or control characters (found {}).", describe_char(c)));
    }
    let Some(rest) = strip_prefix_ignore_case(url, "https://") else {
        if strip_prefix_ignore_case(url, "http://").is_some() {
            return Err(format!("BaseUrl must start with https://, not http://: {EXAMPLE}."));
        }
        return Err(format!("BaseUrl must start with https://, {EXAMPLE}."));
    };
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#']) {
        return Err(format!("BaseUrl must end at the port (a trailing / is allowed): remove the path, {EXAMPLE}."));
    }
    if authority.contains('@') {
        return Err(format!("BaseUrl may not carry a user name or password: {EXAMPLE}."));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else {
            return Err("BaseUrl has an IPv6 address without its closing ]: write https://[2001:db8::1]:28090.".into());
        };
        if addr.parse::<Ipv6Addr>().is_err() {
            return Err(format!("BaseUrl has '{addr}' in brackets, which is not an IPv6 address."));
        }
        (addr, after.strip_prefix(':'))
    } else if authority.matches(':').count() > 1 {
        return Err("BaseUrl has an IPv6 address: put it in brackets, e.g. https://[2001:db8::1]:28090.".into());
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        }
    };
    let is_ip = host.parse::<Ipv4Addr>().is_ok() || host.parse::<Ipv6Addr>().is_ok();
    if !is_ip {
        if host.chars().all(|c| c.is_ascii_digit() || c == '.') {
            return Err(format!("BaseUrl has '{host}', which is not a valid IPv4 address: {EXAMPLE}."));
        }
        return Err(format!("a domain name is not supported for the Telegram channel: use the IP address, {EXAMPLE}."));
    }
    let Some(port) = port.filter(|p| !p.is_empty()) else {
        return Err(format!("BaseUrl must include the port after the IP address, {EXAMPLE}."));
    };
    match port.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) && port.chars().all(|c| c.is_ascii_digit()) => Ok(()),
        _ => Err(format!("BaseUrl has port '{port}': the port must be a number from 1 to 65535.")),
    }
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &text[prefix.len()..])
}

/// The first text or list of `doc` longer than the catalogue ever allows
/// (the field's path, one sentence naming the limit), whatever else is
/// wrong with it. What a channel the backend stored can never hold, so
/// what an export can never hold: an import refuses it before writing
/// anything. Lengths count characters of the trimmed text.
pub fn over_length(doc: &ChannelDocument) -> Option<FieldError> {
    fn text(path: &str, label: &str, value: &str, max: usize) -> Option<FieldError> {
        // a cheap bound first: a char is at least one byte
        let long = value.len() > max && value.trim().chars().nth(max).is_some();
        long.then(|| {
            FieldError::new(
                path,
                format!("{label} is {} characters long: at most {max} are allowed.", value.trim().chars().count()),
            )
        })
    }
    fn list(path: &str, label: &str, n: usize, max: usize) -> Option<FieldError> {
        (n > max).then(|| FieldError::new(path, format!("{label} has {n} items: at most {max} are allowed.")))
    }
    let ci = &doc.channel_info;
    let b = &doc.basic;
    let r = &doc.robot;
    let mut checks: Vec<Option<FieldError>> = vec![
        text(f::APP_KEY, "APP Key", &ci.app_key, APP_KEY_MAX),
        text(f::APP_SECRET, "APP Secret", ci.app_secret.as_deref().unwrap_or(""), APP_SECRET_MAX),
        text(f::BASE_URL, "BaseUrl", &ci.base_url, ID_MAX),
        text(f::TRUST_CERTIFICATE, "Trust certificate", &ci.trust_certificate, ID_MAX),
        text(f::IDENTITY_CERTIFICATE, "Identity certificate", &ci.identity_certificate, ID_MAX),
        text(f::CHANNEL_NAME, "Channel Name", &b.channel_name, CHANNEL_NAME_MAX),
        text(f::OU, "OU Configuration", &b.ou, ID_MAX),
        text(f::SKILL_QUEUE, "Skill Queue", &b.skill_queue, ID_MAX),
        list(f::KEYWORDS, "Keyword for Transfer to Agent", b.transfer_keywords.len(), KEYWORDS_MAX),
        list(f::WORKDAY, "Agent Work Time — Workday", b.work_time.workday.len(), SEGMENTS_MAX),
        list(f::NON_WORKDAY, "Agent Work Time — Non-workday", b.work_time.non_workday.len(), SEGMENTS_MAX),
        text(f::NOTIFICATION, "Non-Working Time Notification", &b.non_working_time_notification, NOTIFICATION_MAX),
        text(f::SE_END_MESSAGE, "End message", &b.session_end_no_customer_reply.end_message, MESSAGE_MAX),
        text(f::ST_TARGET, "Target skill queue", &b.session_transfer_no_agent_reply.target_skill_queue, ID_MAX),
        text(f::ST_NOTICE, "Notice", &b.session_transfer_no_agent_reply.notice, MESSAGE_MAX),
        list(f::TRANSFER_TARGETS, "Transfer targets", b.session_transfer.targets.len(), 3),
        text(f::OM_PROMPT, "Offline Message Prompt", &b.offline_messages.prompt, MESSAGE_MAX),
        text(f::CHATBOT, "Chatbot access code", &r.intelligent_robot.chatbot_access_code, ID_MAX),
        text(f::ASSISTANT, "Assistant access code", &r.robot_assistant.assistant_access_code, ID_MAX),
    ];
    for (i, w) in b.transfer_keywords.iter().enumerate().take(KEYWORDS_MAX) {
        checks.push(text(&format!("{}[{i}]", f::KEYWORDS), "A keyword", w, KEYWORD_MAX));
    }
    for (path, segs) in [(f::WORKDAY, &b.work_time.workday), (f::NON_WORKDAY, &b.work_time.non_workday)] {
        for (i, s) in segs.iter().enumerate().take(SEGMENTS_MAX) {
            checks.push(text(&format!("{path}[{i}].start"), "A time", &s.start, 5));
            checks.push(text(&format!("{path}[{i}].end"), "A time", &s.end, 5));
        }
    }
    checks.into_iter().flatten().next()
}
