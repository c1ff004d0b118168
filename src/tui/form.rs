//! The wizard's fields: which step each is on, its label, its kind, when it
//! shows, and how it reads and writes the channel document. One table, so the
//! pages, the error mapping and the autosave cursor all agree.

use crate::model::fields as p;
use crate::model::validate as v;
use crate::model::{ChannelDocument, RoutingMode, TransferTarget};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldId {
    AppKey,
    AppSecret,
    RememberSecret,
    BaseUrl,
    TrustCert,
    IdentityCert,
    ChannelName,
    Ou,
    SkillQueue,
    Keywords,
    Workday,
    NonWorkday,
    Notification,
    LaEnabled,
    LaRetention,
    LaWait,
    SeEnabled,
    SeTimeout,
    SeMessage,
    StEnabled,
    StTimeout,
    StTarget,
    StNotice,
    TrEnabled,
    TrSkillQueue,
    TrAgent,
    TrChatbot,
    OmEnabled,
    OmPrompt,
    OmRoutingLimit,
    OmOutboundLimit,
    OmCalledTimeout,
    OmRoutingMode,
    RobotEnabled,
    Chatbot,
    AssistantEnabled,
    Assistant,
}

/// Where the choices of a select come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    TrustCertificates,
    IdentityCertificates,
    Ous,
    SkillQueues,
    Chatbots,
    Assistants,
    RoutingModes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text { max: usize },
    Secret { max: usize },
    Multiline { max: usize },
    Select(Source),
    Toggle,
    Number { min: i64, max: i64, unit: &'static str, optional: bool },
    Keywords,
    WorkTime,
}

pub struct Spec {
    pub id: FieldId,
    pub step: u8,
    pub label: &'static str,
    /// Dotted document path (errors at or below it belong to this field).
    pub path: &'static str,
    pub kind: Kind,
    /// One line of guidance shown while the field is focused.
    pub hint: &'static str,
    /// Heading printed above the field (groups such as "More").
    pub heading: Option<&'static str>,
    /// Nesting depth for display (fields revealed by a toggle are indented).
    pub indent: u8,
}

const fn spec(id: FieldId, step: u8, label: &'static str, path: &'static str, kind: Kind, hint: &'static str) -> Spec {
    Spec { id, step, label, path, kind, hint, heading: None, indent: 0 }
}

const fn sub(mut s: Spec) -> Spec {
    s.indent = 1;
    s
}

const fn head(mut s: Spec, heading: &'static str) -> Spec {
    s.heading = Some(heading);
    s
}

use FieldId as F;

pub const SPECS: &[Spec] = &[
    spec(
        F::AppKey,
        1,
        "APP Key",
        p::APP_KEY,
        Kind::Text { max: v::APP_KEY_MAX },
        "The AK from API Fabric: 1–128 printable ASCII, no spaces.",
    ),
    spec(
        F::AppSecret,
        1,
        "APP Secret",
        p::APP_SECRET,
        Kind::Secret { max: v::APP_SECRET_MAX },
        "The SK from API Fabric. Never shown, exported or logged.",
    ),
    sub(spec(
        F::RememberSecret,
        1,
        "Keep secret in draft",
        "draft.remember_secrets",
        Kind::Toggle,
        "Off: the APP Secret is kept in memory only and must be typed again after a restart.",
    )),
    spec(
        F::BaseUrl,
        1,
        "BaseUrl",
        p::BASE_URL,
        Kind::Text { max: 64 },
        "https://<IP>:<port> of the system frontend, e.g. https://192.0.2.10:28090. No domain names.",
    ),
    spec(
        F::TrustCert,
        1,
        "Trust certificate",
        p::TRUST_CERTIFICATE,
        Kind::Select(Source::TrustCertificates),
        "The API Fabric authentication certificate uploaded in Managing Certificates.",
    ),
    spec(
        F::IdentityCert,
        1,
        "Identity certificate",
        p::IDENTITY_CERTIFICATE,
        Kind::Select(Source::IdentityCertificates),
        "This system's identity certificate uploaded in Managing Certificates.",
    ),
    spec(
        F::ChannelName,
        2,
        "Channel Name",
        p::CHANNEL_NAME,
        Kind::Text { max: v::CHANNEL_NAME_MAX },
        "Unique; 1–64 letters, digits or _, starting with a letter or _.",
    ),
    spec(F::Ou, 2, "OU Configuration", p::OU, Kind::Select(Source::Ous), "The OU whose resources the channel uses."),
    spec(
        F::SkillQueue,
        2,
        "Skill Queue",
        p::SKILL_QUEUE,
        Kind::Select(Source::SkillQueues),
        "A multimedia called route of the tenant.",
    ),
    spec(
        F::Keywords,
        2,
        "Keywords for transfer",
        p::KEYWORDS,
        Kind::Keywords,
        "Words that switch a customer from the robot to an agent (required with the intelligent robot).",
    ),
    spec(
        F::Workday,
        2,
        "Work time — workday",
        p::WORKDAY,
        Kind::WorkTime,
        "Up to 4 segments between 00:00 and 24:00; they may touch but not overlap.",
    ),
    spec(
        F::NonWorkday,
        2,
        "Work time — non-workday",
        p::NON_WORKDAY,
        Kind::WorkTime,
        "Up to 4 segments on non-working days (set under Service Time).",
    ),
    spec(
        F::Notification,
        2,
        "Non-working time notice",
        p::NOTIFICATION,
        Kind::Multiline { max: v::NOTIFICATION_MAX },
        "Sent to customers outside work time; up to 500 characters.",
    ),
    head(
        spec(
            F::LaEnabled,
            2,
            "Last Agent Mode",
            p::LA_ENABLED,
            Kind::Toggle,
            "Route a returning customer to the agent who served them last.",
        ),
        "More",
    ),
    sub(spec(
        F::LaRetention,
        2,
        "Remember for",
        p::LA_RETENTION_HOURS,
        Kind::Number { min: v::RETENTION_HOURS.0, max: v::RETENTION_HOURS.1, unit: "h", optional: false },
        "How long the last agent is remembered.",
    )),
    sub(spec(
        F::LaWait,
        2,
        "Wait for agent",
        p::LA_WAIT_SECONDS,
        Kind::Number { min: v::WAIT_SECONDS.0, max: v::WAIT_SECONDS.1, unit: "s", optional: false },
        "How long to wait for that agent before the skill queue.",
    )),
    spec(
        F::SeEnabled,
        2,
        "Session end: no customer reply",
        p::SE_ENABLED,
        Kind::Toggle,
        "End the session when the customer stops replying.",
    ),
    sub(spec(
        F::SeTimeout,
        2,
        "End after",
        p::SE_TIMEOUT_MINUTES,
        Kind::Number { min: v::END_TIMEOUT_MINUTES.0, max: v::END_TIMEOUT_MINUTES.1, unit: "min", optional: false },
        "Minutes without a customer reply.",
    )),
    sub(spec(
        F::SeMessage,
        2,
        "End message",
        p::SE_END_MESSAGE,
        Kind::Multiline { max: v::MESSAGE_MAX },
        "Optional; sent when the session ends.",
    )),
    spec(
        F::StEnabled,
        2,
        "Transfer: no agent reply",
        p::ST_ENABLED,
        Kind::Toggle,
        "Move the session to another queue when the agent does not reply.",
    ),
    sub(spec(
        F::StTimeout,
        2,
        "Transfer after",
        p::ST_TIMEOUT_SECONDS,
        Kind::Number {
            min: v::TRANSFER_TIMEOUT_SECONDS.0,
            max: v::TRANSFER_TIMEOUT_SECONDS.1,
            unit: "s",
            optional: false,
        },
        "Seconds without an agent reply.",
    )),
    sub(spec(
        F::StTarget,
        2,
        "Target skill queue",
        p::ST_TARGET,
        Kind::Select(Source::SkillQueues),
        "Not the channel's own skill queue.",
    )),
    sub(spec(
        F::StNotice,
        2,
        "Transfer notice",
        p::ST_NOTICE,
        Kind::Multiline { max: v::MESSAGE_MAX },
        "Optional; sent to the customer on transfer.",
    )),
    spec(
        F::TrEnabled,
        2,
        "Session Transfer",
        p::TRANSFER_ENABLED,
        Kind::Toggle,
        "Agents may transfer sessions of this channel.",
    ),
    sub(spec(
        F::TrSkillQueue,
        2,
        "to a skill queue",
        p::TRANSFER_TARGETS,
        Kind::Toggle,
        "Allow transfer to a skill queue.",
    )),
    sub(spec(F::TrAgent, 2, "to an agent", p::TRANSFER_TARGETS, Kind::Toggle, "Allow transfer to another agent.")),
    sub(spec(
        F::TrChatbot,
        2,
        "to the chatbot",
        p::TRANSFER_TARGETS,
        Kind::Toggle,
        "Allow transfer to the chatbot (needs the intelligent robot).",
    )),
    spec(
        F::OmEnabled,
        2,
        "Offline Messages",
        p::OM_ENABLED,
        Kind::Toggle,
        "Agents receive messages sent outside work time or when no agent answered.",
    ),
    sub(spec(
        F::OmPrompt,
        2,
        "Offline prompt",
        p::OM_PROMPT,
        Kind::Multiline { max: v::MESSAGE_MAX },
        "Required; none of ' \" / < > \\ ;",
    )),
    sub(spec(
        F::OmRoutingLimit,
        2,
        "Routing time limit",
        p::OM_ROUTING_LIMIT,
        Kind::Number { min: v::ROUTING_LIMIT_MINUTES.0, max: v::ROUTING_LIMIT_MINUTES.1, unit: "min", optional: false },
        "Minutes an offline message waits to be routed.",
    )),
    sub(spec(
        F::OmOutboundLimit,
        2,
        "Agent outbound limit",
        p::OM_OUTBOUND_LIMIT,
        Kind::Number {
            min: v::OUTBOUND_LIMIT_MINUTES.0,
            max: v::OUTBOUND_LIMIT_MINUTES.1,
            unit: "min",
            optional: true,
        },
        "Empty = unlimited; 0 = agents may not reply.",
    )),
    sub(spec(
        F::OmCalledTimeout,
        2,
        "Called customer timeout",
        p::OM_CALLED_TIMEOUT,
        Kind::Number { min: v::CALLED_REPLY_MINUTES.0, max: v::CALLED_REPLY_MINUTES.1, unit: "min", optional: false },
        "Below the session-end timeout when that is on.",
    )),
    sub(spec(
        F::OmRoutingMode,
        2,
        "Routing mode",
        p::OM_ROUTING_MODE,
        Kind::Select(Source::RoutingModes),
        "skill_queue, last_agent (needs Last Agent Mode) or chatbot (needs the robot).",
    )),
    spec(
        F::RobotEnabled,
        3,
        "Intelligent robot",
        p::ROBOT_ENABLED,
        Kind::Toggle,
        "Connect the channel to a chatbot (then keywords for transfer are required).",
    ),
    sub(spec(F::Chatbot, 3, "Chatbot", p::CHATBOT, Kind::Select(Source::Chatbots), "The chatbot's access code.")),
    spec(
        F::AssistantEnabled,
        3,
        "Robot assistant",
        p::ASSISTANT_ENABLED,
        Kind::Toggle,
        "Give agents a robot assistant.",
    ),
    sub(spec(
        F::Assistant,
        3,
        "Assistant",
        p::ASSISTANT,
        Kind::Select(Source::Assistants),
        "The robot assistant's access code.",
    )),
];

pub const STEP_TITLES: [&str; 4] = ["Channel information", "Basic configuration", "Robot configuration", "Review"];
pub const STEP_INTROS: [&str; 4] = [
    "Telegram channel: API Fabric keys, the frontend address and certificates.",
    "Name, routing, work time and the session settings under More.",
    "Chatbot and robot assistant.",
    "Check every value, fix what is listed, then submit.",
];

pub fn spec_of(id: FieldId) -> &'static Spec {
    SPECS.iter().find(|s| s.id == id).expect("every field has a spec")
}

/// The toggle a field is revealed by, if any.
pub fn revealed_by(id: FieldId) -> Option<FieldId> {
    Some(match id {
        F::LaRetention | F::LaWait => F::LaEnabled,
        F::SeTimeout | F::SeMessage => F::SeEnabled,
        F::StTimeout | F::StTarget | F::StNotice => F::StEnabled,
        F::TrSkillQueue | F::TrAgent | F::TrChatbot => F::TrEnabled,
        F::OmPrompt | F::OmRoutingLimit | F::OmOutboundLimit | F::OmCalledTimeout | F::OmRoutingMode => F::OmEnabled,
        F::Chatbot => F::RobotEnabled,
        F::Assistant => F::AssistantEnabled,
        _ => return None,
    })
}

/// The fields shown on `step` for this document, in order.
pub fn visible(step: u8, doc: &ChannelDocument, remember: bool) -> Vec<FieldId> {
    SPECS
        .iter()
        .filter(|s| s.step == step)
        .filter(|s| revealed_by(s.id).is_none_or(|t| toggle_value(t, doc, remember)))
        .map(|s| s.id)
        .collect()
}

pub fn target_of(id: FieldId) -> Option<TransferTarget> {
    match id {
        F::TrSkillQueue => Some(TransferTarget::SkillQueue),
        F::TrAgent => Some(TransferTarget::Agent),
        F::TrChatbot => Some(TransferTarget::Chatbot),
        _ => None,
    }
}

pub fn toggle_value(id: FieldId, doc: &ChannelDocument, remember: bool) -> bool {
    let b = &doc.basic;
    match id {
        F::RememberSecret => remember,
        F::LaEnabled => b.last_agent_mode.enabled,
        F::SeEnabled => b.session_end_no_customer_reply.enabled,
        F::StEnabled => b.session_transfer_no_agent_reply.enabled,
        F::TrEnabled => b.session_transfer.enabled,
        F::OmEnabled => b.offline_messages.enabled,
        F::RobotEnabled => doc.robot.intelligent_robot.enabled,
        F::AssistantEnabled => doc.robot.robot_assistant.enabled,
        _ => target_of(id).is_some_and(|t| b.session_transfer.targets.contains(&t)),
    }
}

/// Flip a toggle. `RememberSecret` lives in the draft's metadata and is
/// handled by the caller.
pub fn flip(id: FieldId, doc: &mut ChannelDocument) {
    let b = &mut doc.basic;
    match id {
        F::LaEnabled => b.last_agent_mode.enabled ^= true,
        F::SeEnabled => b.session_end_no_customer_reply.enabled ^= true,
        F::StEnabled => b.session_transfer_no_agent_reply.enabled ^= true,
        F::TrEnabled => b.session_transfer.enabled ^= true,
        F::OmEnabled => b.offline_messages.enabled ^= true,
        F::RobotEnabled => doc.robot.intelligent_robot.enabled ^= true,
        F::AssistantEnabled => doc.robot.robot_assistant.enabled ^= true,
        _ => {
            if let Some(t) = target_of(id) {
                let targets = &mut b.session_transfer.targets;
                if let Some(i) = targets.iter().position(|x| *x == t) {
                    targets.remove(i);
                } else {
                    // keep the catalogue's order whatever order they were picked in
                    targets.push(t);
                    targets.sort_by_key(|x| TransferTarget::ALL.iter().position(|a| a == x));
                }
            }
        }
    }
}

/// The text of a text-like field (text, secret, multi-line, select id).
pub fn text_value(id: FieldId, doc: &ChannelDocument) -> String {
    let ci = &doc.channel_info;
    let b = &doc.basic;
    match id {
        F::AppKey => ci.app_key.clone(),
        F::AppSecret => ci.app_secret.clone().unwrap_or_default(),
        F::BaseUrl => ci.base_url.clone(),
        F::TrustCert => ci.trust_certificate.clone(),
        F::IdentityCert => ci.identity_certificate.clone(),
        F::ChannelName => b.channel_name.clone(),
        F::Ou => b.ou.clone(),
        F::SkillQueue => b.skill_queue.clone(),
        F::Notification => b.non_working_time_notification.clone(),
        F::SeMessage => b.session_end_no_customer_reply.end_message.clone(),
        F::StTarget => b.session_transfer_no_agent_reply.target_skill_queue.clone(),
        F::StNotice => b.session_transfer_no_agent_reply.notice.clone(),
        F::OmPrompt => b.offline_messages.prompt.clone(),
        F::OmRoutingMode => b.offline_messages.routing_mode.as_str().to_string(),
        F::Chatbot => doc.robot.intelligent_robot.chatbot_access_code.clone(),
        F::Assistant => doc.robot.robot_assistant.assistant_access_code.clone(),
        _ => number_value(id, doc).map(|n| n.to_string()).unwrap_or_default(),
    }
}

/// Store the text of a text-like field.
pub fn set_text(id: FieldId, doc: &mut ChannelDocument, text: String) {
    let ci = &mut doc.channel_info;
    let b = &mut doc.basic;
    match id {
        F::AppKey => ci.app_key = text,
        F::AppSecret => ci.app_secret = if text.is_empty() { None } else { Some(text) },
        F::BaseUrl => ci.base_url = text,
        F::TrustCert => ci.trust_certificate = text,
        F::IdentityCert => ci.identity_certificate = text,
        F::ChannelName => b.channel_name = text,
        F::Ou => b.ou = text,
        F::SkillQueue => b.skill_queue = text,
        F::Notification => b.non_working_time_notification = text,
        F::SeMessage => b.session_end_no_customer_reply.end_message = text,
        F::StTarget => b.session_transfer_no_agent_reply.target_skill_queue = text,
        F::StNotice => b.session_transfer_no_agent_reply.notice = text,
        F::OmPrompt => b.offline_messages.prompt = text,
        F::OmRoutingMode => {
            if let Some(m) = RoutingMode::ALL.into_iter().find(|m| m.as_str() == text) {
                b.offline_messages.routing_mode = m;
            }
        }
        F::Chatbot => doc.robot.intelligent_robot.chatbot_access_code = text,
        F::Assistant => doc.robot.robot_assistant.assistant_access_code = text,
        _ => {}
    }
}

pub fn number_value(id: FieldId, doc: &ChannelDocument) -> Option<i64> {
    let b = &doc.basic;
    match id {
        F::LaRetention => Some(b.last_agent_mode.retention_hours),
        F::LaWait => Some(b.last_agent_mode.wait_seconds),
        F::SeTimeout => Some(b.session_end_no_customer_reply.timeout_minutes),
        F::StTimeout => Some(b.session_transfer_no_agent_reply.timeout_seconds),
        F::OmRoutingLimit => Some(b.offline_messages.routing_time_limit_minutes),
        F::OmOutboundLimit => b.offline_messages.agent_outbound_time_limit_minutes,
        F::OmCalledTimeout => Some(b.offline_messages.called_customer_reply_timeout_minutes),
        _ => None,
    }
}

/// Store a number (`None` only for optional numbers: unlimited).
pub fn set_number(id: FieldId, doc: &mut ChannelDocument, value: Option<i64>) {
    let b = &mut doc.basic;
    match (id, value) {
        (F::OmOutboundLimit, v) => b.offline_messages.agent_outbound_time_limit_minutes = v,
        (_, None) => {}
        (F::LaRetention, Some(n)) => b.last_agent_mode.retention_hours = n,
        (F::LaWait, Some(n)) => b.last_agent_mode.wait_seconds = n,
        (F::SeTimeout, Some(n)) => b.session_end_no_customer_reply.timeout_minutes = n,
        (F::StTimeout, Some(n)) => b.session_transfer_no_agent_reply.timeout_seconds = n,
        (F::OmRoutingLimit, Some(n)) => b.offline_messages.routing_time_limit_minutes = n,
        (F::OmCalledTimeout, Some(n)) => b.offline_messages.called_customer_reply_timeout_minutes = n,
        _ => {}
    }
}

/// The field an error path belongs to (the longest field path that is the
/// error's path or a prefix of it at a `.` or `[` boundary).
pub fn field_for_path(path: &str, doc: &ChannelDocument) -> Option<FieldId> {
    if let Some(rest) = path.strip_prefix(p::TRANSFER_TARGETS) {
        // targets[i] → the toggle of that target
        let target = rest
            .strip_prefix('[')
            .and_then(|r| r.split(']').next())
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| doc.basic.session_transfer.targets.get(i).copied());
        return Some(match target {
            Some(TransferTarget::SkillQueue) | None => F::TrSkillQueue,
            Some(TransferTarget::Agent) => F::TrAgent,
            Some(TransferTarget::Chatbot) => F::TrChatbot,
        });
    }
    SPECS
        .iter()
        .filter(|s| {
            path == s.path
                || path.strip_prefix(s.path).is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        })
        .max_by_key(|s| s.path.len())
        .map(|s| s.id)
}

/// The field named by a dotted path as saved in a draft's metadata.
pub fn field_named(path: &str) -> Option<FieldId> {
    SPECS.iter().find(|s| s.path == path && target_of(s.id).is_none()).map(|s| s.id).or(match path {
        "basic.session_transfer.targets.skill_queue" => Some(F::TrSkillQueue),
        "basic.session_transfer.targets.agent" => Some(F::TrAgent),
        "basic.session_transfer.targets.chatbot" => Some(F::TrChatbot),
        _ => None,
    })
}

/// The name saved in a draft for the focused field (unique per field).
pub fn field_name(id: FieldId) -> String {
    match target_of(id) {
        Some(t) => format!("{}.{}", p::TRANSFER_TARGETS, t.as_str()),
        None => spec_of(id).path.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_one_spec_and_a_unique_saved_name() {
        let mut names = std::collections::HashSet::new();
        for s in SPECS {
            assert!(names.insert(field_name(s.id)), "{:?}", s.id);
            assert_eq!(field_named(&field_name(s.id)), Some(s.id));
        }
    }

    #[test]
    fn error_paths_map_to_their_fields() {
        let mut doc = ChannelDocument::default();
        doc.basic.session_transfer.targets = vec![TransferTarget::Agent, TransferTarget::Chatbot];
        assert_eq!(field_for_path("basic.work_time.workday[1].end", &doc), Some(F::Workday));
        assert_eq!(field_for_path("basic.transfer_keywords[3]", &doc), Some(F::Keywords));
        assert_eq!(field_for_path("basic.session_transfer.targets[1]", &doc), Some(F::TrChatbot));
        assert_eq!(field_for_path("basic.session_transfer.targets", &doc), Some(F::TrSkillQueue));
        assert_eq!(field_for_path("channel_info.app_secret", &doc), Some(F::AppSecret));
        assert_eq!(field_for_path("basic.offline_messages.routing_mode", &doc), Some(F::OmRoutingMode));
    }

    #[test]
    fn toggles_reveal_their_fields_and_keep_values() {
        let mut doc = ChannelDocument::default();
        assert!(!visible(2, &doc, false).contains(&F::LaRetention));
        flip(F::LaEnabled, &mut doc);
        assert!(visible(2, &doc, false).contains(&F::LaRetention));
        set_number(F::LaRetention, &mut doc, Some(48));
        flip(F::LaEnabled, &mut doc);
        flip(F::LaEnabled, &mut doc);
        assert_eq!(number_value(F::LaRetention, &doc), Some(48));
    }

    #[test]
    fn transfer_targets_keep_catalogue_order() {
        let mut doc = ChannelDocument::default();
        flip(F::TrChatbot, &mut doc);
        flip(F::TrSkillQueue, &mut doc);
        assert_eq!(doc.basic.session_transfer.targets, vec![TransferTarget::SkillQueue, TransferTarget::Chatbot]);
        flip(F::TrChatbot, &mut doc);
        assert_eq!(doc.basic.session_transfer.targets, vec![TransferTarget::SkillQueue]);
    }
}
