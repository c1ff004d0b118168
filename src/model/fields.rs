//! Dotted paths of the document's fields: the names errors carry and the
//! wizard uses to put the cursor on a field.

pub const CHANNEL_TYPE: &str = "channel_type";
pub const APP_KEY: &str = "channel_info.app_key";
pub const APP_SECRET: &str = "channel_info.app_secret";
pub const BASE_URL: &str = "channel_info.base_url";
pub const TRUST_CERTIFICATE: &str = "channel_info.trust_certificate";
pub const IDENTITY_CERTIFICATE: &str = "channel_info.identity_certificate";

pub const CHANNEL_NAME: &str = "basic.channel_name";
pub const OU: &str = "basic.ou";
pub const SKILL_QUEUE: &str = "basic.skill_queue";
pub const KEYWORDS: &str = "basic.transfer_keywords";
pub const WORKDAY: &str = "basic.work_time.workday";
pub const NON_WORKDAY: &str = "basic.work_time.non_workday";
pub const NOTIFICATION: &str = "basic.non_working_time_notification";

pub const LA_ENABLED: &str = "basic.last_agent_mode.enabled";
pub const LA_RETENTION_HOURS: &str = "basic.last_agent_mode.retention_hours";
pub const LA_WAIT_SECONDS: &str = "basic.last_agent_mode.wait_seconds";
pub const SE_ENABLED: &str = "basic.session_end_no_customer_reply.enabled";
pub const SE_TIMEOUT_MINUTES: &str = "basic.session_end_no_customer_reply.timeout_minutes";
pub const SE_END_MESSAGE: &str = "basic.session_end_no_customer_reply.end_message";
pub const ST_ENABLED: &str = "basic.session_transfer_no_agent_reply.enabled";
pub const ST_TIMEOUT_SECONDS: &str = "basic.session_transfer_no_agent_reply.timeout_seconds";
pub const ST_TARGET: &str = "basic.session_transfer_no_agent_reply.target_skill_queue";
pub const ST_NOTICE: &str = "basic.session_transfer_no_agent_reply.notice";
pub const TRANSFER_ENABLED: &str = "basic.session_transfer.enabled";
pub const TRANSFER_TARGETS: &str = "basic.session_transfer.targets";
pub const OM_ENABLED: &str = "basic.offline_messages.enabled";
pub const OM_PROMPT: &str = "basic.offline_messages.prompt";
pub const OM_ROUTING_LIMIT: &str = "basic.offline_messages.routing_time_limit_minutes";
pub const OM_OUTBOUND_LIMIT: &str = "basic.offline_messages.agent_outbound_time_limit_minutes";
pub const OM_CALLED_TIMEOUT: &str = "basic.offline_messages.called_customer_reply_timeout_minutes";
pub const OM_ROUTING_MODE: &str = "basic.offline_messages.routing_mode";

pub const ROBOT_ENABLED: &str = "robot.intelligent_robot.enabled";
pub const CHATBOT: &str = "robot.intelligent_robot.chatbot_access_code";
pub const ASSISTANT_ENABLED: &str = "robot.robot_assistant.enabled";
pub const ASSISTANT: &str = "robot.robot_assistant.assistant_access_code";

/// The page (1–3) a path belongs to, for counting errors per step.
pub fn step_of(path: &str) -> u8 {
    if path.starts_with("channel_info") || path == CHANNEL_TYPE || path == "schema_version" {
        1
    } else if path.starts_with("basic") {
        2
    } else {
        3
    }
}

/// The field's name as the AICC console shows it, or its path when it has
/// none.
pub fn name_of(path: &str) -> &str {
    match label(path) {
        "" => path,
        l => l,
    }
}

/// The field's name as the AICC console shows it, for diffs and merges
/// printed outside the wizard (the wizard has its own, shorter labels).
pub fn label(path: &str) -> &'static str {
    match path {
        CHANNEL_TYPE => "Channel Selection",
        APP_KEY => "APP Key",
        APP_SECRET => "APP Secret",
        BASE_URL => "BaseUrl",
        TRUST_CERTIFICATE => "Trust certificate",
        IDENTITY_CERTIFICATE => "Identity certificate",
        CHANNEL_NAME => "Channel Name",
        OU => "OU Configuration",
        SKILL_QUEUE => "Skill Queue",
        KEYWORDS => "Keyword for Transfer to Agent",
        WORKDAY => "Agent Work Time — Workday",
        NON_WORKDAY => "Agent Work Time — Non-workday",
        NOTIFICATION => "Non-Working Time Notification",
        LA_ENABLED => "Last Agent Mode",
        LA_RETENTION_HOURS => "Last Agent Mode — retention (hours)",
        LA_WAIT_SECONDS => "Last Agent Mode — wait (seconds)",
        SE_ENABLED => "Session End Due to No Customer Reply",
        SE_TIMEOUT_MINUTES => "Session End — timeout (minutes)",
        SE_END_MESSAGE => "Session End — end message",
        ST_ENABLED => "Session Transfer Due to No Agent Reply",
        ST_TIMEOUT_SECONDS => "Session Transfer — timeout (seconds)",
        ST_TARGET => "Session Transfer — target skill queue",
        ST_NOTICE => "Session Transfer — notice",
        TRANSFER_ENABLED => "Session Transfer",
        TRANSFER_TARGETS => "Session Transfer — targets",
        OM_ENABLED => "Offline Messages",
        OM_PROMPT => "Offline Message Prompt",
        OM_ROUTING_LIMIT => "Offline Message Routing Time Limit",
        OM_OUTBOUND_LIMIT => "Agent Outbound Call Time Limit",
        OM_CALLED_TIMEOUT => "Called Customer Reply Timeout Period",
        OM_ROUTING_MODE => "Offline Message Routing Mode",
        ROBOT_ENABLED => "Connecting to the Intelligent Robot",
        CHATBOT => "Chatbot access code",
        ASSISTANT_ENABLED => "Access Robot Assistant",
        ASSISTANT => "Robot assistant access code",
        "schema_version" => "Document format version",
        _ => "",
    }
}
