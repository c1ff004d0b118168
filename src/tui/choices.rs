//! The choices a select field offers, from the catalogue (live or cached),
//! and type-to-filter over them.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::form::Source;
use crate::model::catalogue::CertRole;
use crate::model::{Catalogue, RoutingMode};
use crate::sanitize::clean;

/// One choice of a select popup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub label: String,
    /// Role, expiry, tree path… shown dimmed.
    pub detail: String,
    /// Shown but marked (an expired certificate).
    pub warning: Option<String>,
}

/// Whether choices can be offered (routing modes always can; the rest need a
/// catalogue).
pub fn available(source: Source, catalogue: Option<&Catalogue>) -> bool {
    source == Source::RoutingModes || catalogue.is_some()
}

pub fn choices(source: Source, catalogue: Option<&Catalogue>) -> Vec<Choice> {
    let plain = |id: &str, label: &str, detail: String| Choice {
        id: id.to_string(),
        label: clean(label).into_owned(),
        detail,
        warning: None,
    };
    if source == Source::RoutingModes {
        return RoutingMode::ALL
            .iter()
            .map(|m| {
                let detail = match m {
                    RoutingMode::SkillQueue => "the default",
                    RoutingMode::LastAgent => "needs Last Agent Mode",
                    RoutingMode::Chatbot => "needs the intelligent robot",
                };
                plain(m.as_str(), routing_mode_words(*m), detail.into())
            })
            .collect();
    }
    let Some(cat) = catalogue else { return Vec::new() };
    match source {
        Source::TrustCertificates | Source::IdentityCertificates => {
            let want = if source == Source::TrustCertificates { CertRole::Trust } else { CertRole::Identity };
            let mut out: Vec<Choice> = cat
                .certificates
                .iter()
                .filter(|c| c.role == want)
                .map(|c| Choice {
                    id: clean(&c.id).into_owned(),
                    label: clean(&c.name).into_owned(),
                    detail: format!(
                        "{} · until {}",
                        c.role.as_str(),
                        clean(c.not_after.get(..10).unwrap_or(&c.not_after))
                    ),
                    warning: c.expired.then(|| "EXPIRED".to_string()),
                })
                .collect();
            // expired ones last
            out.sort_by_key(|c| c.warning.is_some());
            out
        }
        Source::Ous => cat
            .ous
            .iter()
            .map(|o| plain(&o.id, &cat.ou_path(&o.id).unwrap_or_else(|| o.name.clone()), clean(&o.id).into_owned()))
            .collect(),
        Source::SkillQueues => {
            cat.skill_queues.iter().map(|q| plain(&q.id, &q.name, clean(&q.id).into_owned())).collect()
        }
        Source::Chatbots => cat.chatbots.iter().map(|c| plain(&c.id, &c.name, clean(&c.id).into_owned())).collect(),
        Source::Assistants => cat.assistants.iter().map(|a| plain(&a.id, &a.name, clean(&a.id).into_owned())).collect(),
        Source::RoutingModes => unreachable!("handled above"),
    }
}

/// Indexes of the choices matching `query` (fuzzy), best first; all of them
/// in their order when the query is empty.
pub fn filter(choices: &[Choice], query: &str) -> Vec<usize> {
    if query.trim().is_empty() {
        return (0..choices.len()).collect();
    }
    let mut matcher = Matcher::new(Config::DEFAULT);
    let pattern = Pattern::parse(query, CaseMatching::Ignore, Normalization::Smart);
    let mut buf = Vec::new();
    let mut scored: Vec<(u32, usize)> = choices
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let hay = format!("{} {} {}", c.label, c.id, c.detail);
            pattern.score(Utf32Str::new(&hay, &mut buf), &mut matcher).map(|s| (s, i))
        })
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().map(|(_, i)| i).collect()
}

/// A routing mode in words, as the console says it.
pub fn routing_mode_words(mode: RoutingMode) -> &'static str {
    match mode {
        RoutingMode::SkillQueue => "To the skill queue",
        RoutingMode::LastAgent => "To the last agent",
        RoutingMode::Chatbot => "To the chatbot",
    }
}

/// How a chosen id is shown in its field: its name, or the id marked
/// unchecked when the catalogue does not know it.
pub fn describe(source: Source, id: &str, catalogue: Option<&Catalogue>) -> String {
    if id.is_empty() {
        return String::new();
    }
    if source == Source::RoutingModes {
        return match RoutingMode::ALL.into_iter().find(|m| m.as_str() == id) {
            Some(m) => routing_mode_words(m).to_string(),
            None => clean(id).into_owned(),
        };
    }
    match catalogue {
        None => format!("{} (unchecked)", clean(id)),
        Some(_) => match choices(source, catalogue).into_iter().find(|c| c.id == id) {
            Some(c) => match c.warning {
                Some(w) => format!("{} · {} [{w}]", c.label, c.id),
                None => format!("{} · {}", c.label, c.id),
            },
            None => format!("{} (not in catalogue)", clean(id)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, label: &str) -> Choice {
        Choice { id: id.into(), label: label.into(), detail: String::new(), warning: None }
    }

    #[test]
    fn filtering_is_fuzzy_and_ranked() {
        let list = vec![c("sq-1", "Telegram L1"), c("sq-2", "Telegram L2"), c("sq-3", "WhatsApp")];
        assert_eq!(filter(&list, ""), vec![0, 1, 2]);
        assert_eq!(filter(&list, "whap"), vec![2]);
        assert_eq!(filter(&list, "tl2")[0], 1);
        assert!(filter(&list, "zzz").is_empty());
    }
}
