//! The tenant's catalogue (OUs, skill queues, certificates, chatbots,
//! assistants, existing channel names) and the rules that need it. The client
//! runs them against its cached catalogue, the server against its database:
//! the very same code.

use serde::{Deserialize, Serialize};

use super::document::ChannelDocument;
use super::fields as f;
use super::validate::FieldError;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    #[serde(default)]
    pub ous: Vec<Ou>,
    /// Multimedia called routes usable by Telegram.
    #[serde(default)]
    pub skill_queues: Vec<SkillQueue>,
    #[serde(default)]
    pub certificates: Vec<Certificate>,
    #[serde(default)]
    pub chatbots: Vec<Chatbot>,
    #[serde(default)]
    pub assistants: Vec<Assistant>,
    /// The tenant's existing channels, for the unique-name rule (empty, and
    /// `channels_omitted` set, when the tenant has too many to send: the
    /// backend still checks the name when the channel is saved).
    #[serde(default)]
    pub channels: Vec<ChannelRef>,
    /// Channels left out of `channels` (a tenant with very many).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub channels_omitted: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ou {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub parent: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillQueue {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertRole {
    Trust,
    Identity,
}

impl CertRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CertRole::Trust => "trust",
            CertRole::Identity => "identity",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: String,
    pub name: String,
    pub role: CertRole,
    #[serde(default)]
    pub subject: String,
    /// RFC 3339 time after which the certificate is no longer valid.
    #[serde(default)]
    pub not_after: String,
    #[serde(default)]
    pub expired: bool,
    /// The names of the channels using it (filled by the certificate list).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub used_by: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chatbot {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assistant {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelRef {
    pub id: String,
    pub name: String,
}

impl Catalogue {
    /// An OU shown as its path from the root, e.g. `Headquarters / Sales`.
    pub fn ou_path(&self, id: &str) -> Option<String> {
        let mut parts = Vec::new();
        let mut cur = self.ous.iter().find(|o| o.id == id)?;
        // Bounded walk: a cycle in bad data must not hang the caller.
        for _ in 0..=self.ous.len() {
            parts.push(cur.name.as_str());
            match cur.parent.as_deref().and_then(|p| self.ous.iter().find(|o| o.id == p)) {
                Some(parent) => cur = parent,
                None => break,
            }
        }
        parts.reverse();
        Some(parts.join(" / "))
    }
}

/// What a document names from the catalogue, and nothing else: enough to
/// check it against a catalogue without the document (each row of the draft
/// list keeps one). Ids of switched-off settings are left out, as the rules
/// leave them out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Refs {
    pub channel_name: String,
    pub trust_certificate: String,
    pub identity_certificate: String,
    pub ou: String,
    pub skill_queue: String,
    pub transfer_queue: String,
    pub chatbot: String,
    pub assistant: String,
}

impl Refs {
    pub fn of(doc: &ChannelDocument) -> Self {
        let doc = doc.normalized();
        let (ci, b, r) = (&doc.channel_info, &doc.basic, &doc.robot);
        let st = &b.session_transfer_no_agent_reply;
        let on = |enabled: bool, id: &str| if enabled { id.to_string() } else { String::new() };
        Self {
            channel_name: b.channel_name.clone(),
            trust_certificate: ci.trust_certificate.clone(),
            identity_certificate: ci.identity_certificate.clone(),
            ou: b.ou.clone(),
            skill_queue: b.skill_queue.clone(),
            transfer_queue: on(st.enabled, &st.target_skill_queue),
            chatbot: on(r.intelligent_robot.enabled, &r.intelligent_robot.chatbot_access_code),
            assistant: on(r.robot_assistant.enabled, &r.robot_assistant.assistant_access_code),
        }
    }

    /// Names nothing a catalogue could refuse (not even a channel name).
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    /// The rules that need the tenant's data: the channel name is unique
    /// within the tenant (case-sensitive), and every id names something of
    /// the right kind. `editing` is the id of the channel being updated,
    /// whose own name does not count as taken. Empty ids are left to
    /// [`super::validate`].
    pub fn check(&self, cat: &Catalogue, editing: Option<&str>) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let mut err = |path: &str, message: String| errors.push(FieldError::new(path, message));

        let name = &self.channel_name;
        if !name.is_empty() && cat.channels.iter().any(|c| &c.name == name && Some(c.id.as_str()) != editing) {
            err(
                f::CHANNEL_NAME,
                format!("A channel named '{name}' already exists in this tenant: choose another name."),
            );
        }
        for (path, id, want) in [
            (f::TRUST_CERTIFICATE, &self.trust_certificate, CertRole::Trust),
            (f::IDENTITY_CERTIFICATE, &self.identity_certificate, CertRole::Identity),
        ] {
            if id.is_empty() {
                continue;
            }
            match cat.certificates.iter().find(|c| &c.id == id) {
                None => err(
                    path,
                    format!(
                        "Certificate '{id}' has not been uploaded: upload it under Managing Certificates, then choose it here."
                    ),
                ),
                Some(c) if c.role != want => err(
                    path,
                    format!(
                        "Certificate '{id}' is a{} {} certificate: choose a {} certificate.",
                        if c.role == CertRole::Identity { "n" } else { "" },
                        c.role.as_str(),
                        want.as_str()
                    ),
                ),
                Some(c) if c.expired => {
                    err(path, format!("Certificate '{id}' expired on {}: upload a valid one.", c.not_after))
                }
                Some(_) => {}
            }
        }
        if !self.ou.is_empty() && !cat.ous.iter().any(|o| o.id == self.ou) {
            err(f::OU, format!("OU '{}' does not exist in this tenant: choose one of the tenant's OUs.", self.ou));
        }
        let queue_exists = |id: &str| cat.skill_queues.iter().any(|q| q.id == id);
        for (path, id) in [(f::SKILL_QUEUE, &self.skill_queue), (f::ST_TARGET, &self.transfer_queue)] {
            if !id.is_empty() && !queue_exists(id) {
                err(
                    path,
                    format!(
                        "Skill queue '{id}' is not a multimedia called route of this tenant that Telegram can use."
                    ),
                );
            }
        }
        if !self.chatbot.is_empty() && !cat.chatbots.iter().any(|c| c.id == self.chatbot) {
            err(
                f::CHATBOT,
                format!(
                    "Chatbot '{}' does not exist in this tenant: choose one of the tenant's chatbots.",
                    self.chatbot
                ),
            );
        }
        if !self.assistant.is_empty() && !cat.assistants.iter().any(|a| a.id == self.assistant) {
            err(
                f::ASSISTANT,
                format!(
                    "Robot assistant '{}' does not exist in this tenant: choose one of the tenant's assistants.",
                    self.assistant
                ),
            );
        }
        errors
    }
}

/// The rules that need the tenant's data ([`Refs::check`]) for a whole
/// document.
pub fn validate_catalogue(doc: &ChannelDocument, cat: &Catalogue, editing: Option<&str>) -> Vec<FieldError> {
    Refs::of(doc).check(cat, editing)
}
