//! The channel document: what a draft holds, what `chanwiz validate` reads and
//! what the backend stores. Keys follow the field catalogue
//! (shared/spec/channel-fields.md) exactly. Every field may be absent and then
//! takes its default, so that an unfinished draft is still a document; what is
//! missing is reported by validation, not by parsing. `null` for any field (or
//! section) is the same as leaving it out. Unknown keys are refused.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// The document format this binary reads and writes.
pub const SCHEMA_VERSION: u32 = 1;

/// A Telegram channel configuration (pages 1–3 of Configure Channel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelDocument {
    /// Document format version; this release reads and writes 1.
    #[serde(default = "schema_version_default", deserialize_with = "schema_version_or")]
    #[schemars(with = "Option<u32>")]
    pub schema_version: u32,
    /// Channel Selection: only "telegram" is offered.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<ChannelType>")]
    pub channel_type: ChannelType,
    /// Page 1: Channel information.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<ChannelInfo>")]
    pub channel_info: ChannelInfo,
    /// Page 2: Basic configuration.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<Basic>")]
    pub basic: Basic,
    /// Page 3: Robot configuration.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<Robot>")]
    pub robot: Robot,
}

fn schema_version_default() -> u32 {
    SCHEMA_VERSION
}

impl Default for ChannelDocument {
    fn default() -> Self {
        Self {
            schema_version: SCHEMA_VERSION,
            channel_type: ChannelType::default(),
            channel_info: ChannelInfo::default(),
            basic: Basic::default(),
            robot: Robot::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelType {
    #[default]
    Telegram,
}

impl ChannelType {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelType::Telegram => "telegram",
        }
    }

    /// As the console's Channel Selection shows it.
    pub fn title(self) -> &'static str {
        match self {
            ChannelType::Telegram => "Telegram",
        }
    }
}

/// Page 1 — Channel information.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelInfo {
    /// APP Key: the AK from API Fabric.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub app_key: String,
    /// APP Secret: the SK from API Fabric. Write-only: never exported or returned.
    /// On an edit, absent keeps the stored one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_secret: Option<String>,
    /// BaseUrl: `https://<IP>:<port>` of the system frontend.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub base_url: String,
    /// Id of an uploaded certificate whose role is trust.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub trust_certificate: String,
    /// Id of an uploaded certificate whose role is identity.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub identity_certificate: String,
}

/// Page 2 — Basic configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Basic {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub channel_name: String,
    /// Id of an OU of the tenant.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub ou: String,
    /// Id of a multimedia called route (skill queue) of the tenant.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub skill_queue: String,
    /// Keywords that switch a customer from the robot to an agent.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<Vec<String>>")]
    pub transfer_keywords: Vec<String>,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<WorkTime>")]
    pub work_time: WorkTime,
    /// Sent to a customer who reaches the channel outside work time.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub non_working_time_notification: String,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<LastAgentMode>")]
    pub last_agent_mode: LastAgentMode,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<SessionEndNoCustomerReply>")]
    pub session_end_no_customer_reply: SessionEndNoCustomerReply,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<SessionTransferNoAgentReply>")]
    pub session_transfer_no_agent_reply: SessionTransferNoAgentReply,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<SessionTransfer>")]
    pub session_transfer: SessionTransfer,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<OfflineMessages>")]
    pub offline_messages: OfflineMessages,
}

/// Agent work time, as segments of the day.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkTime {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<Vec<Segment>>")]
    pub workday: Vec<Segment>,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<Vec<Segment>>")]
    pub non_workday: Vec<Segment>,
}

/// One work-time segment, `"HH:MM"` to `"HH:MM"` (`"24:00"` only as an end).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub start: String,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub end: String,
}

impl Segment {
    pub fn new(start: &str, end: &str) -> Self {
        Self { start: start.to_string(), end: end.to_string() }
    }
}

/// Minutes since midnight of an `HH:MM` text (00:00–24:00), or `None` when it
/// is not of that form.
pub fn parse_hhmm(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' || !b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit()) {
        return None;
    }
    let h = u32::from(b[0] - b'0') * 10 + u32::from(b[1] - b'0');
    let m = u32::from(b[3] - b'0') * 10 + u32::from(b[4] - b'0');
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// Route a returning customer to the agent who served them last.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LastAgentMode {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<bool>")]
    pub enabled: bool,
    /// How long the last agent is remembered, 1–72 hours.
    #[serde(default = "int::<24>", deserialize_with = "int_or::<24, _>")]
    #[schemars(with = "Option<i64>")]
    pub retention_hours: i64,
    /// How long to wait for that agent, 10–600 seconds.
    #[serde(default = "int::<60>", deserialize_with = "int_or::<60, _>")]
    #[schemars(with = "Option<i64>")]
    pub wait_seconds: i64,
}

impl Default for LastAgentMode {
    fn default() -> Self {
        Self { enabled: false, retention_hours: 24, wait_seconds: 60 }
    }
}

/// End the session when the customer has not replied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionEndNoCustomerReply {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<bool>")]
    pub enabled: bool,
    /// 2–1440 minutes.
    #[serde(default = "int::<20>", deserialize_with = "int_or::<20, _>")]
    #[schemars(with = "Option<i64>")]
    pub timeout_minutes: i64,
    /// Sent to the customer when the session ends (at most 256 characters).
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub end_message: String,
}

impl Default for SessionEndNoCustomerReply {
    fn default() -> Self {
        Self { enabled: false, timeout_minutes: 20, end_message: String::new() }
    }
}

/// Move the session to another queue when the agent has not replied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionTransferNoAgentReply {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<bool>")]
    pub enabled: bool,
    /// 30–3600 seconds.
    #[serde(default = "int::<120>", deserialize_with = "int_or::<120, _>")]
    #[schemars(with = "Option<i64>")]
    pub timeout_seconds: i64,
    /// Skill queue that takes the session; not the channel's own.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub target_skill_queue: String,
    /// Sent to the customer on transfer (at most 256 characters).
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub notice: String,
}

impl Default for SessionTransferNoAgentReply {
    fn default() -> Self {
        Self { enabled: false, timeout_seconds: 120, target_skill_queue: String::new(), notice: String::new() }
    }
}

/// Agents may transfer sessions of this channel.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionTransfer {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<bool>")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<Vec<TransferTarget>>")]
    pub targets: Vec<TransferTarget>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferTarget {
    SkillQueue,
    Agent,
    Chatbot,
}

impl TransferTarget {
    pub const ALL: [TransferTarget; 3] = [TransferTarget::SkillQueue, TransferTarget::Agent, TransferTarget::Chatbot];

    pub fn as_str(self) -> &'static str {
        match self {
            TransferTarget::SkillQueue => "skill_queue",
            TransferTarget::Agent => "agent",
            TransferTarget::Chatbot => "chatbot",
        }
    }
}

/// Agents receive messages sent outside work time or when no agent answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OfflineMessages {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<bool>")]
    pub enabled: bool,
    /// Offline Message Prompt (at most 256 characters, none of ' " / < > \ ;).
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub prompt: String,
    /// 1–60 minutes.
    #[serde(default = "int::<30>", deserialize_with = "int_or::<30, _>")]
    #[schemars(with = "Option<i64>")]
    pub routing_time_limit_minutes: i64,
    /// null = unlimited; 0–10080 minutes; 0 = agents may not reply.
    #[serde(default)]
    pub agent_outbound_time_limit_minutes: Option<i64>,
    /// 1–5 minutes.
    #[serde(default = "int::<3>", deserialize_with = "int_or::<3, _>")]
    #[schemars(with = "Option<i64>")]
    pub called_customer_reply_timeout_minutes: i64,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<RoutingMode>")]
    pub routing_mode: RoutingMode,
}

impl Default for OfflineMessages {
    fn default() -> Self {
        Self {
            enabled: false,
            prompt: String::new(),
            routing_time_limit_minutes: 30,
            agent_outbound_time_limit_minutes: None,
            called_customer_reply_timeout_minutes: 3,
            routing_mode: RoutingMode::SkillQueue,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoutingMode {
    #[default]
    SkillQueue,
    LastAgent,
    Chatbot,
}

impl RoutingMode {
    pub const ALL: [RoutingMode; 3] = [RoutingMode::SkillQueue, RoutingMode::LastAgent, RoutingMode::Chatbot];

    pub fn as_str(self) -> &'static str {
        match self {
            RoutingMode::SkillQueue => "skill_queue",
            RoutingMode::LastAgent => "last_agent",
            RoutingMode::Chatbot => "chatbot",
        }
    }
}

/// Page 3 — Robot configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Robot {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<IntelligentRobot>")]
    pub intelligent_robot: IntelligentRobot,
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<RobotAssistant>")]
    pub robot_assistant: RobotAssistant,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntelligentRobot {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<bool>")]
    pub enabled: bool,
    /// Id of a chatbot of the tenant.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub chatbot_access_code: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RobotAssistant {
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<bool>")]
    pub enabled: bool,
    /// Id of a robot assistant of the tenant.
    #[serde(default, deserialize_with = "or_default")]
    #[schemars(with = "Option<String>")]
    pub assistant_access_code: String,
}

/// A field's value where `null` means absent: its default (the field
/// catalogue: "`null` for an optional field means the field is absent").
/// Every field of the document that is not an `Option` (whose `null` is
/// already `None`) reads through this, [`int_or`] or [`schema_version_or`].
fn or_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// A number whose default is `N`; `null` is `N` too.
fn int_or<'de, const N: i64, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(Option::<i64>::deserialize(d)?.unwrap_or(N))
}

fn schema_version_or<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    Ok(Option::<u32>::deserialize(d)?.unwrap_or(SCHEMA_VERSION))
}

/// The default `N` of a number field.
fn int<const N: i64>() -> i64 {
    N
}

impl ChannelDocument {
    /// The same document with every text trimmed of surrounding whitespace,
    /// as it is checked and stored.
    pub fn normalized(&self) -> ChannelDocument {
        let mut d = self.clone();
        let t = |s: &mut String| {
            let trimmed = s.trim();
            if trimmed.len() != s.len() {
                *s = trimmed.to_string();
            }
        };
        let ci = &mut d.channel_info;
        t(&mut ci.app_key);
        if let Some(s) = ci.app_secret.as_mut() {
            t(s);
        }
        if ci.app_secret.as_deref() == Some("") {
            ci.app_secret = None;
        }
        t(&mut ci.base_url);
        t(&mut ci.trust_certificate);
        t(&mut ci.identity_certificate);
        let b = &mut d.basic;
        t(&mut b.channel_name);
        t(&mut b.ou);
        t(&mut b.skill_queue);
        b.transfer_keywords.iter_mut().for_each(t);
        for seg in b.work_time.workday.iter_mut().chain(b.work_time.non_workday.iter_mut()) {
            t(&mut seg.start);
            t(&mut seg.end);
        }
        t(&mut b.non_working_time_notification);
        t(&mut b.session_end_no_customer_reply.end_message);
        t(&mut b.session_transfer_no_agent_reply.target_skill_queue);
        t(&mut b.session_transfer_no_agent_reply.notice);
        t(&mut b.offline_messages.prompt);
        t(&mut d.robot.intelligent_robot.chatbot_access_code);
        t(&mut d.robot.robot_assistant.assistant_access_code);
        d
    }

    /// The document with every secret removed (for exports and files that
    /// must not carry them).
    pub fn without_secrets(&self) -> ChannelDocument {
        let mut d = self.clone();
        d.channel_info.app_secret = None;
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_fields_take_their_defaults() {
        let d: ChannelDocument = serde_json::from_str("{}").unwrap();
        assert_eq!(d, ChannelDocument::default());
        assert_eq!(d.schema_version, 1);
        assert_eq!(d.basic.last_agent_mode.retention_hours, 24);
        assert_eq!(d.basic.last_agent_mode.wait_seconds, 60);
        assert_eq!(d.basic.session_end_no_customer_reply.timeout_minutes, 20);
        assert_eq!(d.basic.session_transfer_no_agent_reply.timeout_seconds, 120);
        assert_eq!(d.basic.offline_messages.routing_time_limit_minutes, 30);
        assert_eq!(d.basic.offline_messages.called_customer_reply_timeout_minutes, 3);
        assert_eq!(d.basic.offline_messages.agent_outbound_time_limit_minutes, None);
        assert_eq!(d.basic.offline_messages.routing_mode, RoutingMode::SkillQueue);
        assert!(!d.robot.intelligent_robot.enabled);
        // a partly given section keeps the defaults of the rest
        let d: ChannelDocument = serde_json::from_str(r#"{"basic":{"last_agent_mode":{"enabled":true}}}"#).unwrap();
        assert!(d.basic.last_agent_mode.enabled);
        assert_eq!(d.basic.last_agent_mode.retention_hours, 24);
    }

    #[test]
    fn unknown_keys_are_refused_at_every_level() {
        for text in [
            r#"{"colour":1}"#,
            r#"{"channel_info":{"app_kye":"x"}}"#,
            r#"{"basic":{"work_time":{"workday":[{"start":"09:00","end":"10:00","x":1}]}}}"#,
            r#"{"robot":{"intelligent_robot":{"enable":true}}}"#,
        ] {
            let err = serde_json::from_str::<ChannelDocument>(text).unwrap_err();
            assert!(err.to_string().contains("unknown field"), "{text}: {err}");
        }
    }

    #[test]
    fn hhmm_accepts_the_day_and_nothing_else() {
        assert_eq!(parse_hhmm("00:00"), Some(0));
        assert_eq!(parse_hhmm("09:30"), Some(570));
        assert_eq!(parse_hhmm("23:59"), Some(1439));
        assert_eq!(parse_hhmm("24:00"), Some(1440));
        for bad in ["24:01", "25:00", "12:60", "9:30", "09:3", "0930", "09-30", "ab:cd", " 9:30", "+9:30"] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
    }

    #[test]
    fn normalized_trims_and_drops_an_empty_secret() {
        let mut d = ChannelDocument::default();
        d.basic.channel_name = "  sales_tg \n".into();
        d.channel_info.app_secret = Some("   ".into());
        d.basic.transfer_keywords = vec![" agent ".into()];
        let n = d.normalized();
        assert_eq!(n.basic.channel_name, "sales_tg");
        assert_eq!(n.channel_info.app_secret, None);
        assert_eq!(n.basic.transfer_keywords, vec!["agent".to_string()]);
    }

    #[test]
    fn the_secret_is_not_serialised_when_removed() {
        let mut d = ChannelDocument::default();
        d.channel_info.app_secret = Some("s3cr3t".into());
        let text = serde_json::to_string(&d.without_secrets()).unwrap();
        assert!(!text.contains("s3cr3t"));
        assert!(!text.contains("app_secret"));
    }
}
