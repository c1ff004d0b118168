//! The one field table. Every field the wizard pages and the Channel
//! Integration page show is a [`Spec`]: its label, kind, guidance, where it
//! sits (step, heading, indent, the toggle that reveals it), how its value is
//! read and written ([`Value`] accessors) and so which keys it takes
//! ([`contexts_of`]). The pages, the error mapping, the row renderer and the
//! autosave cursor all read this table, so they cannot disagree.

use super::keymap::Ctx;
use crate::drafts::Draft;
use crate::model::fields as p;
use crate::model::validate as v;
use crate::model::{RoutingMode, Segment, TransferTarget};

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
    // the Channel Integration page
    BotToken,
    PublicAddress,
    AllowedUpdates,
    DropPending,
}

/// The steps of Configure Channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    ChannelInfo,
    Basic,
    Robot,
    Review,
}

impl Step {
    pub const ALL: [Step; 4] = [Step::ChannelInfo, Step::Basic, Step::Robot, Step::Review];
    /// The steps that hold fields.
    pub const FORMS: [Step; 3] = [Step::ChannelInfo, Step::Basic, Step::Robot];

    /// 1–4, as "Step n/4" shows it and a draft records it.
    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    /// The step a draft recorded (out-of-range numbers clamp).
    pub fn from_number(n: u8) -> Step {
        Step::ALL[usize::from(n.clamp(1, 4)) - 1]
    }

    pub fn next(self) -> Option<Step> {
        Step::ALL.get(usize::from(self.number())).copied()
    }

    pub fn prev(self) -> Option<Step> {
        usize::from(self.number()).checked_sub(2).map(|i| Step::ALL[i])
    }

    pub fn title(self) -> &'static str {
        ["Channel information", "Basic configuration", "Robot configuration", "Review"][self as usize]
    }

    /// The short name in the step tabs.
    pub fn tab(self) -> &'static str {
        ["Channel info", "Basic", "Robot", "Review"][self as usize]
    }

    pub fn intro(self) -> &'static str {
        [
            "API Fabric keys, the frontend address and certificates.",
            "Name, routing, work time and the More settings.",
            "Chatbot and robot assistant.",
            "Check every value, fix what is listed, then submit.",
        ][self as usize]
    }
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

/// How a field's value is read and written in its record `T` (a [`Draft`]
/// for the wizard, [`IntegrationInputs`] for the Integration page).
pub enum Value<T: 'static> {
    Text { get: fn(&T) -> &str, set: fn(&mut T, String) },
    Number { get: fn(&T) -> Option<i64>, set: fn(&mut T, Option<i64>) },
    Flag { get: fn(&T) -> bool, set: fn(&mut T, bool) },
    Words { get: fn(&T) -> &Vec<String>, get_mut: fn(&mut T) -> &mut Vec<String> },
    Segments { get: fn(&T) -> &Vec<Segment>, get_mut: fn(&mut T) -> &mut Vec<Segment> },
}

pub struct Spec<T: 'static> {
    pub id: FieldId,
    /// The wizard step it is on (None: the Integration page).
    pub step: Option<Step>,
    /// The AICC console's own words.
    pub label: &'static str,
    /// A shorter form for a label column too narrow for `label` (the hint
    /// line then gives the whole label).
    pub short: Option<&'static str>,
    /// Dotted document path (errors at or below it belong to this field).
    pub path: &'static str,
    pub kind: Kind,
    /// One line of guidance shown while the field is focused.
    pub hint: &'static str,
    /// Heading printed above the field (groups such as "More").
    pub heading: Option<&'static str>,
    /// Nesting depth for display (fields revealed by a toggle are indented).
    pub indent: u8,
    /// The toggle whose "on" shows this field.
    pub revealed_by: Option<FieldId>,
    /// Shown dimmed while the field is empty.
    pub placeholder: &'static str,
    pub value: Value<T>,
}

/// A record whose fields are described by a table of [`Spec`]s.
pub trait Record: Sized + 'static {
    fn table() -> &'static [Spec<Self>];
}

impl Record for Draft {
    fn table() -> &'static [Spec<Draft>] {
        SPECS
    }
}

impl Record for IntegrationInputs {
    fn table() -> &'static [Spec<IntegrationInputs>] {
        INTEGRATION
    }
}

/// The spec of `id` in `T`'s table.
pub fn spec<T: Record>(id: FieldId) -> &'static Spec<T> {
    T::table().iter().find(|s| s.id == id).expect("every field has a spec")
}

/// The spec of a wizard field.
pub fn spec_of(id: FieldId) -> &'static Spec<Draft> {
    spec::<Draft>(id)
}

impl<T: Record> Spec<T> {
    /// The text of a text-like field (text, secret, multi-line, select id,
    /// number).
    pub fn text(&self, r: &T) -> String {
        match &self.value {
            Value::Text { get, .. } => get(r).to_string(),
            Value::Number { get, .. } => get(r).map(|n| n.to_string()).unwrap_or_default(),
            _ => String::new(),
        }
    }

    pub fn set_text(&self, r: &mut T, text: String) {
        if let Value::Text { set, .. } = &self.value {
            set(r, text);
        }
    }

    pub fn number(&self, r: &T) -> Option<i64> {
        match &self.value {
            Value::Number { get, .. } => get(r),
            _ => None,
        }
    }

    pub fn set_number(&self, r: &mut T, n: Option<i64>) {
        if let Value::Number { set, .. } = &self.value {
            set(r, n);
        }
    }

    pub fn flag(&self, r: &T) -> bool {
        match &self.value {
            Value::Flag { get, .. } => get(r),
            _ => false,
        }
    }

    pub fn flip(&self, r: &mut T) {
        if let Value::Flag { get, set } = &self.value {
            let on = get(r);
            set(r, !on);
        }
    }

    /// Whether the field shows: no revealing toggle, or the toggle is on.
    pub fn shown(&self, r: &T) -> bool {
        self.revealed_by.is_none_or(|t| spec::<T>(t).flag(r))
    }
}

/// [`contexts_of`] for a field whose secret is shown (`revealed`): Ctrl-R
/// then offers to hide it.
pub fn contexts_shown(kind: Kind, choices: bool, revealed: bool) -> Vec<Ctx> {
    let mut v = contexts_of(kind, choices);
    if revealed {
        v.iter_mut().filter(|c| **c == Ctx::Secret).for_each(|c| *c = Ctx::Revealed);
    }
    v
}

/// The contexts (sets of key bindings) a field of `kind` takes while
/// focused, most specific first. `choices` says whether a select has a list
/// to choose from (without a catalogue its id is typed by hand).
pub fn contexts_of(kind: Kind, choices: bool) -> Vec<Ctx> {
    match kind {
        Kind::Secret { .. } => vec![Ctx::Secret, Ctx::TextInput],
        Kind::Text { .. } | Kind::Number { .. } => vec![Ctx::TextInput],
        Kind::Select(_) if choices => vec![Ctx::Select],
        Kind::Select(_) => vec![Ctx::TextInput],
        Kind::Toggle => vec![Ctx::Toggle],
        Kind::Multiline { .. } => vec![Ctx::Multiline],
        Kind::Keywords | Kind::WorkTime => vec![Ctx::ListField],
    }
}

/// Whether the field is edited in place with a single-line input.
pub fn takes_line_input(kind: Kind, choices: bool) -> bool {
    matches!(kind, Kind::Text { .. } | Kind::Secret { .. } | Kind::Number { .. })
        || (matches!(kind, Kind::Select(_)) && !choices)
}

const fn field<T>(
    id: FieldId,
    step: Step,
    label: &'static str,
    path: &'static str,
    kind: Kind,
    hint: &'static str,
    value: Value<T>,
) -> Spec<T> {
    Spec {
        id,
        step: Some(step),
        label,
        short: None,
        path,
        kind,
        hint,
        heading: None,
        indent: 0,
        revealed_by: None,
        placeholder: "",
        value,
    }
}

/// Indented under the toggle that reveals it.
const fn under<T>(toggle: FieldId, mut s: Spec<T>) -> Spec<T> {
    s.indent = 1;
    s.revealed_by = Some(toggle);
    s
}

/// With a shorter label for narrow label columns.
const fn short<T>(short: &'static str, mut s: Spec<T>) -> Spec<T> {
    s.short = Some(short);
    s
}

const fn head<T>(mut s: Spec<T>, heading: &'static str) -> Spec<T> {
    s.heading = Some(heading);
    s
}

macro_rules! text {
    ($($f:ident).+) => {
        Value::Text { get: |d| d.document.$($f).+.as_str(), set: |d, t| d.document.$($f).+ = t }
    };
}
macro_rules! number {
    ($($f:ident).+) => {
        Value::Number {
            get: |d| Some(d.document.$($f).+),
            // an empty required number keeps its last value until one is typed
            set: |d, n| if let Some(n) = n { d.document.$($f).+ = n },
        }
    };
}
macro_rules! flag {
    ($($f:ident).+) => {
        Value::Flag { get: |d| d.document.$($f).+, set: |d, on| d.document.$($f).+ = on }
    };
}
macro_rules! target {
    ($t:expr) => {
        Value::Flag {
            get: |d| d.document.basic.session_transfer.targets.contains(&$t),
            set: |d, on| set_target(&mut d.document.basic.session_transfer.targets, $t, on),
        }
    };
}

/// Add or remove a transfer target, keeping the catalogue's order.
fn set_target(targets: &mut Vec<TransferTarget>, t: TransferTarget, on: bool) {
    targets.retain(|x| *x != t);
    if on {
        targets.push(t);
        targets.sort_by_key(|x| TransferTarget::ALL.iter().position(|a| a == x));
    }
}

use FieldId as F;
use Step::{Basic as S2, ChannelInfo as S1, Robot as S3};

pub const SPECS: &[Spec<Draft>] = &[
    field(
        F::AppKey,
        S1,
        "APP Key",
        p::APP_KEY,
        Kind::Text { max: v::APP_KEY_MAX },
        "The AK from API Fabric: 1–128 printable ASCII, no spaces.",
        text!(channel_info.app_key),
    ),
    field(
        F::AppSecret,
        S1,
        "APP Secret",
        p::APP_SECRET,
        Kind::Secret { max: v::APP_SECRET_MAX },
        "The SK from API Fabric. Never shown, exported or logged.",
        Value::Text {
            get: |d| d.document.channel_info.app_secret.as_deref().unwrap_or(""),
            set: |d, t| d.document.channel_info.app_secret = (!t.is_empty()).then_some(t),
        },
    ),
    Spec {
        indent: 1,
        ..field(
            F::RememberSecret,
            S1,
            "Keep secret in draft",
            "draft.remember_secrets",
            Kind::Toggle,
            "Off: the APP Secret is kept in memory only and must be typed again after a restart.",
            Value::Flag { get: |d| d.meta.remember_secrets, set: |d, on| d.meta.remember_secrets = on },
        )
    },
    field(
        F::BaseUrl,
        S1,
        "BaseUrl",
        p::BASE_URL,
        Kind::Text { max: 64 },
        "https://IP:PORT of the system frontend, e.g. https://10.20.30.40:28090 (an example); no domain names.",
        text!(channel_info.base_url),
    ),
    field(
        F::TrustCert,
        S1,
        "Trust certificate",
        p::TRUST_CERTIFICATE,
        Kind::Select(Source::TrustCertificates),
        "The API Fabric authentication certificate uploaded in Managing Certificates.",
        text!(channel_info.trust_certificate),
    ),
    field(
        F::IdentityCert,
        S1,
        "Identity certificate",
        p::IDENTITY_CERTIFICATE,
        Kind::Select(Source::IdentityCertificates),
        "This system's identity certificate uploaded in Managing Certificates.",
        text!(channel_info.identity_certificate),
    ),
    field(
        F::ChannelName,
        S2,
        "Channel Name",
        p::CHANNEL_NAME,
        Kind::Text { max: v::CHANNEL_NAME_MAX },
        "Unique; 1–64 letters, digits or _, starting with a letter or _.",
        text!(basic.channel_name),
    ),
    field(
        F::Ou,
        S2,
        "OU Configuration",
        p::OU,
        Kind::Select(Source::Ous),
        "The OU whose resources the channel uses.",
        text!(basic.ou),
    ),
    field(
        F::SkillQueue,
        S2,
        "Skill Queue",
        p::SKILL_QUEUE,
        Kind::Select(Source::SkillQueues),
        "A multimedia called route of the tenant.",
        text!(basic.skill_queue),
    ),
    short(
        "Transfer Keywords",
        field(
            F::Keywords,
            S2,
            "Keyword for Transfer to Agent",
            p::KEYWORDS,
            Kind::Keywords,
            "Words that move a customer from the robot to an agent; required with the robot.",
            Value::Words {
                get: |d| &d.document.basic.transfer_keywords,
                get_mut: |d| &mut d.document.basic.transfer_keywords,
            },
        ),
    ),
    short(
        "Work Time — Workday",
        field(
            F::Workday,
            S2,
            "Agent Work Time — Workday",
            p::WORKDAY,
            Kind::WorkTime,
            "Up to 4 segments between 00:00 and 24:00; they may touch but not overlap.",
            Value::Segments {
                get: |d| &d.document.basic.work_time.workday,
                get_mut: |d| &mut d.document.basic.work_time.workday,
            },
        ),
    ),
    short(
        "Work Time — Non-workday",
        field(
            F::NonWorkday,
            S2,
            "Agent Work Time — Non-workday",
            p::NON_WORKDAY,
            Kind::WorkTime,
            "Up to 4 segments on non-working days (set under Service Time).",
            Value::Segments {
                get: |d| &d.document.basic.work_time.non_workday,
                get_mut: |d| &mut d.document.basic.work_time.non_workday,
            },
        ),
    ),
    short(
        "Non-Working Time Notice",
        field(
            F::Notification,
            S2,
            "Non-Working Time Notification",
            p::NOTIFICATION,
            Kind::Multiline { max: v::NOTIFICATION_MAX },
            "Sent to customers outside work time; up to 500 characters.",
            text!(basic.non_working_time_notification),
        ),
    ),
    head(
        field(
            F::LaEnabled,
            S2,
            "Last Agent Mode",
            p::LA_ENABLED,
            Kind::Toggle,
            "Route a returning customer to the agent who served them last.",
            flag!(basic.last_agent_mode.enabled),
        ),
        "More",
    ),
    under(
        F::LaEnabled,
        field(
            F::LaRetention,
            S2,
            "Remember for",
            p::LA_RETENTION_HOURS,
            Kind::Number { min: v::RETENTION_HOURS.0, max: v::RETENTION_HOURS.1, unit: "h", optional: false },
            "How long the last agent is remembered.",
            number!(basic.last_agent_mode.retention_hours),
        ),
    ),
    under(
        F::LaEnabled,
        field(
            F::LaWait,
            S2,
            "Wait for agent",
            p::LA_WAIT_SECONDS,
            Kind::Number { min: v::WAIT_SECONDS.0, max: v::WAIT_SECONDS.1, unit: "s", optional: false },
            "How long to wait for that agent before the skill queue.",
            number!(basic.last_agent_mode.wait_seconds),
        ),
    ),
    short(
        "Session End: No Reply",
        field(
            F::SeEnabled,
            S2,
            "Session End Due to No Customer Reply",
            p::SE_ENABLED,
            Kind::Toggle,
            "End the session when the customer stops replying.",
            flag!(basic.session_end_no_customer_reply.enabled),
        ),
    ),
    under(
        F::SeEnabled,
        field(
            F::SeTimeout,
            S2,
            "End after",
            p::SE_TIMEOUT_MINUTES,
            Kind::Number { min: v::END_TIMEOUT_MINUTES.0, max: v::END_TIMEOUT_MINUTES.1, unit: "min", optional: false },
            "Minutes without a customer reply.",
            number!(basic.session_end_no_customer_reply.timeout_minutes),
        ),
    ),
    under(
        F::SeEnabled,
        field(
            F::SeMessage,
            S2,
            "End message",
            p::SE_END_MESSAGE,
            Kind::Multiline { max: v::MESSAGE_MAX },
            "Optional; sent when the session ends.",
            text!(basic.session_end_no_customer_reply.end_message),
        ),
    ),
    short(
        "Transfer: No Agent Reply",
        field(
            F::StEnabled,
            S2,
            "Session Transfer Due to No Agent Reply",
            p::ST_ENABLED,
            Kind::Toggle,
            "Move the session to another queue when the agent does not reply.",
            flag!(basic.session_transfer_no_agent_reply.enabled),
        ),
    ),
    under(
        F::StEnabled,
        field(
            F::StTimeout,
            S2,
            "Transfer after",
            p::ST_TIMEOUT_SECONDS,
            Kind::Number {
                min: v::TRANSFER_TIMEOUT_SECONDS.0,
                max: v::TRANSFER_TIMEOUT_SECONDS.1,
                unit: "s",
                optional: false,
            },
            "Seconds without an agent reply.",
            number!(basic.session_transfer_no_agent_reply.timeout_seconds),
        ),
    ),
    under(
        F::StEnabled,
        field(
            F::StTarget,
            S2,
            "Target skill queue",
            p::ST_TARGET,
            Kind::Select(Source::SkillQueues),
            "Not the channel's own skill queue.",
            text!(basic.session_transfer_no_agent_reply.target_skill_queue),
        ),
    ),
    under(
        F::StEnabled,
        field(
            F::StNotice,
            S2,
            "Transfer notice",
            p::ST_NOTICE,
            Kind::Multiline { max: v::MESSAGE_MAX },
            "Optional; sent to the customer on transfer.",
            text!(basic.session_transfer_no_agent_reply.notice),
        ),
    ),
    field(
        F::TrEnabled,
        S2,
        "Session Transfer",
        p::TRANSFER_ENABLED,
        Kind::Toggle,
        "Agents may transfer sessions of this channel.",
        flag!(basic.session_transfer.enabled),
    ),
    under(
        F::TrEnabled,
        field(
            F::TrSkillQueue,
            S2,
            "to a skill queue",
            p::TRANSFER_TARGETS,
            Kind::Toggle,
            "Allow transfer to a skill queue.",
            target!(TransferTarget::SkillQueue),
        ),
    ),
    under(
        F::TrEnabled,
        field(
            F::TrAgent,
            S2,
            "to an agent",
            p::TRANSFER_TARGETS,
            Kind::Toggle,
            "Allow transfer to another agent.",
            target!(TransferTarget::Agent),
        ),
    ),
    under(
        F::TrEnabled,
        field(
            F::TrChatbot,
            S2,
            "to the chatbot",
            p::TRANSFER_TARGETS,
            Kind::Toggle,
            "Allow transfer to the chatbot (needs the intelligent robot).",
            target!(TransferTarget::Chatbot),
        ),
    ),
    field(
        F::OmEnabled,
        S2,
        "Offline Messages",
        p::OM_ENABLED,
        Kind::Toggle,
        "Agents receive messages sent outside work time or when no agent answered.",
        flag!(basic.offline_messages.enabled),
    ),
    under(
        F::OmEnabled,
        field(
            F::OmPrompt,
            S2,
            "Offline Message Prompt",
            p::OM_PROMPT,
            Kind::Multiline { max: v::MESSAGE_MAX },
            "Required; none of ' \" / < > \\ ;",
            text!(basic.offline_messages.prompt),
        ),
    ),
    under(
        F::OmEnabled,
        short(
            "Routing Time Limit",
            field(
                F::OmRoutingLimit,
                S2,
                "Offline Message Routing Time Limit",
                p::OM_ROUTING_LIMIT,
                Kind::Number {
                    min: v::ROUTING_LIMIT_MINUTES.0,
                    max: v::ROUTING_LIMIT_MINUTES.1,
                    unit: "min",
                    optional: false,
                },
                "Minutes an offline message waits to be routed.",
                number!(basic.offline_messages.routing_time_limit_minutes),
            ),
        ),
    ),
    under(
        F::OmEnabled,
        short(
            "Agent Outbound Limit",
            field(
                F::OmOutboundLimit,
                S2,
                "Agent Outbound Call Time Limit",
                p::OM_OUTBOUND_LIMIT,
                Kind::Number {
                    min: v::OUTBOUND_LIMIT_MINUTES.0,
                    max: v::OUTBOUND_LIMIT_MINUTES.1,
                    unit: "min",
                    optional: true,
                },
                "Empty = unlimited; 0 = agents may not reply.",
                Value::Number {
                    get: |d| d.document.basic.offline_messages.agent_outbound_time_limit_minutes,
                    set: |d, n| d.document.basic.offline_messages.agent_outbound_time_limit_minutes = n,
                },
            ),
        ),
    ),
    under(
        F::OmEnabled,
        short(
            "Called Customer Timeout",
            field(
                F::OmCalledTimeout,
                S2,
                "Called Customer Reply Timeout Period",
                p::OM_CALLED_TIMEOUT,
                Kind::Number {
                    min: v::CALLED_REPLY_MINUTES.0,
                    max: v::CALLED_REPLY_MINUTES.1,
                    unit: "min",
                    optional: false,
                },
                "Below the session-end timeout when that is on.",
                number!(basic.offline_messages.called_customer_reply_timeout_minutes),
            ),
        ),
    ),
    under(
        F::OmEnabled,
        field(
            F::OmRoutingMode,
            S2,
            "Routing Mode",
            p::OM_ROUTING_MODE,
            Kind::Select(Source::RoutingModes),
            "Who gets offline messages: the skill queue, the last agent (needs Last Agent Mode) or the chatbot.",
            Value::Text {
                get: |d| d.document.basic.offline_messages.routing_mode.as_str(),
                set: |d, t| {
                    if let Some(m) = RoutingMode::ALL.into_iter().find(|m| m.as_str() == t) {
                        d.document.basic.offline_messages.routing_mode = m;
                    }
                },
            },
        ),
    ),
    short(
        "Intelligent Robot",
        field(
            F::RobotEnabled,
            S3,
            "Connecting to the Intelligent Robot",
            p::ROBOT_ENABLED,
            Kind::Toggle,
            "Connect the channel to a chatbot (then keywords for transfer are required).",
            flag!(robot.intelligent_robot.enabled),
        ),
    ),
    under(
        F::RobotEnabled,
        field(
            F::Chatbot,
            S3,
            "Chatbot",
            p::CHATBOT,
            Kind::Select(Source::Chatbots),
            "The chatbot's access code.",
            text!(robot.intelligent_robot.chatbot_access_code),
        ),
    ),
    field(
        F::AssistantEnabled,
        S3,
        "Access Robot Assistant",
        p::ASSISTANT_ENABLED,
        Kind::Toggle,
        "Give agents a robot assistant.",
        flag!(robot.robot_assistant.enabled),
    ),
    under(
        F::AssistantEnabled,
        field(
            F::Assistant,
            S3,
            "Assistant",
            p::ASSISTANT,
            Kind::Select(Source::Assistants),
            "The robot assistant's access code.",
            text!(robot.robot_assistant.assistant_access_code),
        ),
    ),
];

/// What is typed on the Channel Integration page (the bot token stays in
/// memory: never in a draft, never drawn unmasked unless revealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntegrationInputs {
    pub token: String,
    pub public_url: String,
    pub allowed: String,
    pub drop_pending: bool,
}

impl Default for IntegrationInputs {
    fn default() -> Self {
        Self {
            token: String::new(),
            public_url: String::new(),
            allowed: crate::telegram::types::default_allowed_updates().join(","),
            drop_pending: false,
        }
    }
}

const fn page<T>(
    id: FieldId,
    label: &'static str,
    kind: Kind,
    hint: &'static str,
    placeholder: &'static str,
    value: Value<T>,
) -> Spec<T> {
    Spec {
        id,
        step: None,
        label,
        short: None,
        path: "",
        kind,
        hint,
        heading: None,
        indent: 0,
        revealed_by: None,
        placeholder,
        value,
    }
}

pub const INTEGRATION: &[Spec<IntegrationInputs>] = &[
    page(
        F::BotToken,
        "Bot token",
        Kind::Secret { max: 256 },
        "From @BotFather; kept in memory only, sent to the backend write-only.",
        "from @BotFather · Ctrl-R shows",
        Value::Text { get: |i| i.token.as_str(), set: |i, t| i.token = t },
    ),
    page(
        F::PublicAddress,
        "Public address",
        Kind::Text { max: 64 },
        "Optional https://PUBLIC-IP-OR-NAME:PORT (an IPv4 address or a domain name); Telegram calls ports 443, 80, 88, 8443 only.",
        "optional https://PUBLIC-IP-OR-NAME:PORT",
        Value::Text { get: |i| i.public_url.as_str(), set: |i, t| i.public_url = t },
    ),
    page(
        F::AllowedUpdates,
        "Allowed updates",
        Kind::Text { max: 512 },
        "Update types, comma-separated; default: messages, edits, Telegram Business.",
        "",
        Value::Text { get: |i| i.allowed.as_str(), set: |i, t| i.allowed = t },
    ),
    page(
        F::DropPending,
        "Drop pending",
        Kind::Toggle,
        "Drop the updates Telegram queued while no webhook worked.",
        "",
        Value::Flag { get: |i| i.drop_pending, set: |i, on| i.drop_pending = on },
    ),
];

/// The fields shown on `step` for this draft, in order.
pub fn visible(step: Step, draft: &Draft) -> Vec<FieldId> {
    SPECS.iter().filter(|s| s.step == Some(step) && s.shown(draft)).map(|s| s.id).collect()
}

/// The transfer target a toggle stands for.
pub fn target_of(id: FieldId) -> Option<TransferTarget> {
    match id {
        F::TrSkillQueue => Some(TransferTarget::SkillQueue),
        F::TrAgent => Some(TransferTarget::Agent),
        F::TrChatbot => Some(TransferTarget::Chatbot),
        _ => None,
    }
}

/// The field an error path belongs to (the longest field path that is the
/// error's path or a prefix of it at a `.` or `[` boundary).
pub fn field_for_path(path: &str, draft: &Draft) -> Option<FieldId> {
    if let Some(rest) = path.strip_prefix(p::TRANSFER_TARGETS) {
        // targets[i] → the toggle of that target
        let target = rest
            .strip_prefix('[')
            .and_then(|r| r.split(']').next())
            .and_then(|i| i.parse::<usize>().ok())
            .and_then(|i| draft.document.basic.session_transfer.targets.get(i).copied());
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

/// Every error, the local ones and then those from the server, without
/// repeating a path (the local check of a field stands for it).
pub fn all_errors<'a>(
    local: &'a [crate::model::FieldError],
    server: &'a [crate::model::FieldError],
) -> Vec<&'a crate::model::FieldError> {
    let mut out: Vec<&crate::model::FieldError> = local.iter().collect();
    for e in server {
        if !out.iter().any(|x| x.path == e.path) {
            out.push(e);
        }
    }
    out
}

/// Those of `errors` that belong to `field`.
pub fn errors_of<'a>(
    errors: Vec<&'a crate::model::FieldError>,
    field: FieldId,
    draft: &Draft,
) -> Vec<&'a crate::model::FieldError> {
    errors.into_iter().filter(|e| field_for_path(&e.path, draft) == Some(field)).collect()
}

/// The field named by a dotted path as saved in a draft's metadata.
pub fn field_named(path: &str) -> Option<FieldId> {
    SPECS.iter().find(|s| field_name(s.id) == path).map(|s| s.id)
}

/// The name saved in a draft for the focused field (unique per field).
pub fn field_name(id: FieldId) -> String {
    match target_of(id) {
        Some(t) => format!("{}.{}", p::TRANSFER_TARGETS, t.as_str()),
        None => spec_of(id).path.to_string(),
    }
}

/// The one question Submit asks before anything is sent, on every face:
/// it names the channel, the backend and how many fields the request sets
/// (a create) or changes (an update). `true` for a create.
pub fn submit_question(draft: &Draft, backend_url: Option<&str>, local: bool) -> (String, bool) {
    let doc = &draft.document;
    let name = if doc.basic.channel_name.is_empty() { "(unnamed)" } else { doc.basic.channel_name.as_str() };
    let backend = match (backend_url, local) {
        (Some(url), false) => format!("the backend {url}"),
        (Some(url), true) => format!("the local backend on this machine ({url})"),
        (None, _) => "the local backend on this machine".to_string(),
    };
    let (create, count) = match &draft.meta.base {
        Some(base) => (false, crate::model::diff::changes(base, doc).len()),
        None => (true, crate::model::diff::changes(&crate::model::ChannelDocument::default(), doc).len()),
    };
    let plural = if count == 1 { "" } else { "s" };
    let question = if create {
        format!("Create channel {name} on {backend}, with {count} field{plural} set?")
    } else {
        let version = draft.meta.channel_version.map(|v| format!(" (version {v})")).unwrap_or_default();
        format!("Update channel {name}{version} on {backend}: {count} field{plural} changed?")
    };
    (crate::sanitize::clean(&question).into_owned(), create)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ChannelDocument;

    fn draft() -> Draft {
        Draft::new(ChannelDocument::default())
    }

    #[test]
    fn every_field_has_one_spec_and_a_unique_saved_name() {
        let mut names = std::collections::HashSet::new();
        for s in SPECS {
            assert!(names.insert(field_name(s.id)), "{:?}", s.id);
            assert_eq!(field_named(&field_name(s.id)), Some(s.id));
            if let Some(t) = s.revealed_by {
                assert_eq!(spec_of(t).kind, Kind::Toggle, "{:?} is revealed by a toggle", s.id);
            }
        }
    }

    #[test]
    fn error_paths_map_to_their_fields() {
        let mut d = draft();
        d.document.basic.session_transfer.targets = vec![TransferTarget::Agent, TransferTarget::Chatbot];
        assert_eq!(field_for_path("basic.work_time.workday[1].end", &d), Some(F::Workday));
        assert_eq!(field_for_path("basic.transfer_keywords[3]", &d), Some(F::Keywords));
        assert_eq!(field_for_path("basic.session_transfer.targets[1]", &d), Some(F::TrChatbot));
        assert_eq!(field_for_path("basic.session_transfer.targets", &d), Some(F::TrSkillQueue));
        assert_eq!(field_for_path("channel_info.app_secret", &d), Some(F::AppSecret));
        assert_eq!(field_for_path("basic.offline_messages.routing_mode", &d), Some(F::OmRoutingMode));
    }

    #[test]
    fn toggles_reveal_their_fields_and_keep_values() {
        let mut d = draft();
        assert!(!visible(Step::Basic, &d).contains(&F::LaRetention));
        spec_of(F::LaEnabled).flip(&mut d);
        assert!(visible(Step::Basic, &d).contains(&F::LaRetention));
        spec_of(F::LaRetention).set_number(&mut d, Some(48));
        spec_of(F::LaEnabled).flip(&mut d);
        spec_of(F::LaEnabled).flip(&mut d);
        assert_eq!(spec_of(F::LaRetention).number(&d), Some(48));
        // the secret's toggle lives in the draft's metadata
        spec_of(F::RememberSecret).flip(&mut d);
        assert!(d.meta.remember_secrets);
    }

    #[test]
    fn transfer_targets_keep_catalogue_order() {
        let mut d = draft();
        spec_of(F::TrChatbot).flip(&mut d);
        spec_of(F::TrSkillQueue).flip(&mut d);
        assert_eq!(
            d.document.basic.session_transfer.targets,
            vec![TransferTarget::SkillQueue, TransferTarget::Chatbot]
        );
        spec_of(F::TrChatbot).flip(&mut d);
        assert_eq!(d.document.basic.session_transfer.targets, vec![TransferTarget::SkillQueue]);
    }

    #[test]
    fn steps_count_and_move() {
        assert_eq!(Step::from_number(0), Step::ChannelInfo);
        assert_eq!(Step::from_number(9), Step::Review);
        assert_eq!(Step::Basic.number(), 2);
        assert_eq!(Step::Robot.next(), Some(Step::Review));
        assert_eq!(Step::Review.next(), None);
        assert_eq!(Step::ChannelInfo.prev(), None);
        assert_eq!(Step::Basic.prev(), Some(Step::ChannelInfo));
    }
}
