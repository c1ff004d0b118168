//! Field by field: what an edit changes ([`changes`]), and the three-way
//! merge of an edit with a newer version of the channel ([`merge3`]). Pure.
//!
//! A "field" is a leaf of the document as the field catalogue names it: a
//! text, a number, a switch, or a whole list (keywords, work-time segments,
//! transfer targets compare as one value, as the console edits them).
//! Documents are compared as they are stored: trimmed, without secrets. The
//! APP Secret is never compared (the backend never returns it): a draft that
//! holds one replaces the stored one, shown only as "replaced".

use std::collections::BTreeMap;

use serde_json::Value;

use super::document::ChannelDocument;
use super::fields;

/// Dotted paths of the fields where two documents differ (for a 412: what
/// changed between the draft and the server's copy).
pub fn changed_fields(mine: &ChannelDocument, theirs: &ChannelDocument) -> Vec<String> {
    let (a, b) = (leaves(mine), leaves(theirs));
    keys(&a, &b).filter(|k| a.get(*k) != b.get(*k)).cloned().collect()
}

/// One field an edit changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Dotted path, e.g. `channel_info.app_key`.
    pub path: String,
    /// What the value was, as a person reads it ("(empty)", "on", "09:00–12:00").
    pub old: String,
    /// What it becomes; for the APP Secret only "replaced".
    pub new: String,
}

impl Change {
    /// The field's name as the console shows it (the path when it has none).
    pub fn label(&self) -> &str {
        fields::name_of(&self.path)
    }

    /// "Label: old → new", or "APP Secret: replaced" (not yet cleaned for
    /// drawing: the values are as typed).
    pub fn line(&self) -> String {
        if self.is_secret() {
            format!("{}: replaced", self.label())
        } else {
            format!("{}: {} → {}", self.label(), self.old, self.new)
        }
    }

    /// Whether it is the APP Secret (shown only as replaced).
    pub fn is_secret(&self) -> bool {
        self.path == fields::APP_SECRET
    }
}

/// What `new` changes in `old`, field by field, in document order; a new APP
/// Secret first after the APP Key, as "replaced".
pub fn changes(old: &ChannelDocument, new: &ChannelDocument) -> Vec<Change> {
    let (a, b) = (leaves(old), leaves(new));
    let mut out: Vec<Change> = ordered(keys(&a, &b))
        .into_iter()
        .filter(|k| a.get(k) != b.get(k))
        .map(|k| Change { old: show(a.get(&k)), new: show(b.get(&k)), path: k })
        .collect();
    if new.normalized().channel_info.app_secret.is_some() {
        let at = out.iter().position(|c| c.path == fields::APP_KEY).map_or(0, |i| i + 1);
        out.insert(at, Change { path: fields::APP_SECRET.to_string(), old: "(stored)".into(), new: "replaced".into() });
    }
    out
}

/// Which side a field of a merge takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Mine,
    Theirs,
}

/// A field both sides changed, to different values.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    pub path: String,
    /// The value the edit started from (`None`: not known — a draft made
    /// before drafts kept their base).
    pub base: Option<String>,
    pub mine: String,
    pub theirs: String,
    mine_value: Value,
    theirs_value: Value,
}

impl Conflict {
    pub fn label(&self) -> &str {
        fields::name_of(&self.path)
    }
}

/// The three-way merge of an edit (`mine`, made from `base`) with the
/// channel as it now is (`theirs`).
#[derive(Debug, Clone, PartialEq)]
pub struct Merge {
    /// Fields only I changed: mine are kept.
    pub kept: Vec<String>,
    /// Fields only they changed: theirs are taken.
    pub taken: Vec<String>,
    /// Fields both changed to different values: to be chosen.
    pub conflicts: Vec<Conflict>,
    /// Theirs with my changes applied (conflicts not yet).
    merged: Value,
    /// My APP Secret, if I replaced it: it is never dropped.
    secret: Option<String>,
}

/// Merge per field. A field only I changed keeps mine, a field only they
/// changed takes theirs, a field both changed to the same value is that
/// value, and a field both changed to different values is a [`Conflict`].
/// Without a base (`None`) every field where mine and theirs differ is a
/// conflict: nothing is silently taken from either side. My APP Secret, when
/// I replaced it, is always kept.
pub fn merge3(base: Option<&ChannelDocument>, mine: &ChannelDocument, theirs: &ChannelDocument) -> Merge {
    let (m, t) = (leaves(mine), leaves(theirs));
    let b = base.map(leaves);
    let mut merge = Merge {
        kept: Vec::new(),
        taken: Vec::new(),
        conflicts: Vec::new(),
        merged: stored(theirs),
        secret: mine.normalized().channel_info.app_secret,
    };
    for key in ordered(keys(&m, &t)) {
        let (mv, tv) = (m.get(&key), t.get(&key));
        if mv == tv {
            continue;
        }
        let bv = b.as_ref().map(|b| b.get(&key));
        match bv {
            Some(bv) if bv == mv => merge.taken.push(key),
            Some(bv) if bv == tv => {
                set(&mut merge.merged, &key, mv.cloned().unwrap_or(Value::Null));
                merge.kept.push(key);
            }
            _ => merge.conflicts.push(Conflict {
                base: bv.map(show),
                mine: show(mv),
                theirs: show(tv),
                mine_value: mv.cloned().unwrap_or(Value::Null),
                theirs_value: tv.cloned().unwrap_or(Value::Null),
                path: key,
            }),
        }
    }
    merge
}

impl Merge {
    /// The merged document, each conflict taking the side chosen for it
    /// (`choices[i]` for `conflicts[i]`; missing choices keep mine).
    pub fn resolve(&self, choices: &[Side]) -> ChannelDocument {
        let mut value = self.merged.clone();
        for (i, c) in self.conflicts.iter().enumerate() {
            let v = match choices.get(i).copied().unwrap_or(Side::Mine) {
                Side::Mine => &c.mine_value,
                Side::Theirs => &c.theirs_value,
            };
            set(&mut value, &c.path, v.clone());
        }
        let mut doc: ChannelDocument = serde_json::from_value(value).expect("a merge of two documents is a document");
        doc.channel_info.app_secret = self.secret.clone();
        doc
    }
}

/// The document as stored: trimmed, without secrets, as JSON.
fn stored(doc: &ChannelDocument) -> Value {
    serde_json::to_value(doc.normalized().without_secrets()).expect("a document always serialises")
}

/// Every field of the document by dotted path (objects are walked, lists
/// are one value).
fn leaves(doc: &ChannelDocument) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    walk(stored(doc), String::new(), &mut out);
    out
}

fn walk(v: Value, at: String, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                let p = if at.is_empty() { k } else { format!("{at}.{k}") };
                walk(v, p, out);
            }
        }
        v => {
            out.insert(at, v);
        }
    }
}

fn keys<'a>(a: &'a BTreeMap<String, Value>, b: &'a BTreeMap<String, Value>) -> impl Iterator<Item = &'a String> {
    let mut all: Vec<&String> = a.keys().chain(b.keys()).collect();
    all.sort();
    all.dedup();
    all.into_iter()
}

/// Paths in the order the console shows the fields (pages 1–3), unknown
/// ones last in name order.
fn ordered<'a>(paths: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut v: Vec<String> = paths.cloned().collect();
    v.sort_by_key(|p| (ORDER.iter().position(|o| o == p).unwrap_or(usize::MAX), p.clone()));
    v
}

const ORDER: &[&str] = &[
    fields::CHANNEL_TYPE,
    fields::APP_KEY,
    fields::APP_SECRET,
    fields::BASE_URL,
    fields::TRUST_CERTIFICATE,
    fields::IDENTITY_CERTIFICATE,
    fields::CHANNEL_NAME,
    fields::OU,
    fields::SKILL_QUEUE,
    fields::KEYWORDS,
    fields::WORKDAY,
    fields::NON_WORKDAY,
    fields::NOTIFICATION,
    fields::LA_ENABLED,
    fields::LA_RETENTION_HOURS,
    fields::LA_WAIT_SECONDS,
    fields::SE_ENABLED,
    fields::SE_TIMEOUT_MINUTES,
    fields::SE_END_MESSAGE,
    fields::ST_ENABLED,
    fields::ST_TIMEOUT_SECONDS,
    fields::ST_TARGET,
    fields::ST_NOTICE,
    fields::TRANSFER_ENABLED,
    fields::TRANSFER_TARGETS,
    fields::OM_ENABLED,
    fields::OM_PROMPT,
    fields::OM_ROUTING_LIMIT,
    fields::OM_OUTBOUND_LIMIT,
    fields::OM_CALLED_TIMEOUT,
    fields::OM_ROUTING_MODE,
    fields::ROBOT_ENABLED,
    fields::CHATBOT,
    fields::ASSISTANT_ENABLED,
    fields::ASSISTANT,
];

/// Set the leaf at a dotted path, making the objects on the way.
fn set(root: &mut Value, path: &str, v: Value) {
    let mut at = root;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        if !at.is_object() {
            *at = Value::Object(Default::default());
        }
        let map = at.as_object_mut().expect("made an object above");
        if parts.peek().is_none() {
            map.insert(part.to_string(), v);
            return;
        }
        at = map.entry(part.to_string()).or_insert_with(|| Value::Object(Default::default()));
    }
}

/// A value as a person reads it.
fn show(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "(none)".into(),
        Some(Value::String(s)) if s.is_empty() => "(empty)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(true)) => "on".into(),
        Some(Value::Bool(false)) => "off".into(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Array(items)) if items.is_empty() => "(none)".into(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::Object(o) => {
                    let s = |k: &str| o.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                    format!("{}–{}", s("start"), s("end"))
                }
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Object(_)) => "…".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Segment;

    fn doc() -> ChannelDocument {
        let mut d = ChannelDocument::default();
        d.channel_info.app_key = "ak-old".into();
        d.basic.channel_name = "Telegram_Support".into();
        d.basic.ou = "ou-1".into();
        d.basic.transfer_keywords = vec!["agent".into()];
        d
    }

    #[test]
    fn changed_fields_name_the_differing_leaves() {
        let a = ChannelDocument::default();
        let mut b = a.clone();
        assert!(changed_fields(&a, &b).is_empty());
        b.basic.ou = "ou-2".into();
        b.basic.work_time.workday.push(Segment::new("08:00", "12:00"));
        b.channel_info.app_secret = Some("not compared".into());
        assert_eq!(changed_fields(&a, &b), vec!["basic.ou".to_string(), "basic.work_time.workday".to_string()]);
        // Surrounding whitespace is not a change (it is trimmed when stored).
        let mut c = a.clone();
        c.basic.channel_name = "  ".into();
        assert!(changed_fields(&a, &c).is_empty());
    }

    #[test]
    fn changes_read_old_to_new_and_the_secret_only_as_replaced() {
        let old = doc();
        let mut new = old.clone();
        new.channel_info.app_key = "ak-new".into();
        new.channel_info.app_secret = Some("sk-very-secret".into());
        new.basic.work_time.workday = vec![Segment::new("09:00", "12:00"), Segment::new("13:00", "18:00")];
        new.basic.last_agent_mode.enabled = true;
        new.basic.offline_messages.agent_outbound_time_limit_minutes = Some(0);
        let c = changes(&old, &new);
        let text: Vec<String> = c.iter().map(|c| format!("{}: {} → {}", c.label(), c.old, c.new)).collect();
        assert_eq!(
            text,
            vec![
                "APP Key: ak-old → ak-new",
                "APP Secret: (stored) → replaced",
                "Agent Work Time — Workday: (none) → 09:00–12:00, 13:00–18:00",
                "Last Agent Mode: off → on",
                "Agent Outbound Call Time Limit: (none) → 0",
            ]
        );
        assert!(!format!("{c:?}").contains("sk-very-secret"));
        assert!(changes(&old, &old).is_empty());
    }

    #[test]
    fn a_merge_keeps_mine_takes_theirs_and_asks_where_both_changed() {
        let base = doc();
        let mut mine = base.clone();
        mine.channel_info.app_key = "ak-new".into();
        mine.channel_info.app_secret = Some("sk-new".into());
        mine.basic.ou = "ou-mine".into();
        let mut theirs = base.clone();
        theirs.basic.transfer_keywords = vec!["agent".into(), "human".into()];
        theirs.basic.ou = "ou-theirs".into();
        theirs.basic.skill_queue = "sq-2".into();
        let m = merge3(Some(&base), &mine, &theirs);
        assert_eq!(m.kept, vec![fields::APP_KEY.to_string()]);
        assert_eq!(m.taken, vec![fields::SKILL_QUEUE.to_string(), fields::KEYWORDS.to_string()]);
        assert_eq!(m.conflicts.len(), 1);
        let c = &m.conflicts[0];
        assert_eq!(
            (c.path.as_str(), c.base.as_deref(), c.mine.as_str(), c.theirs.as_str()),
            (fields::OU, Some("ou-1"), "ou-mine", "ou-theirs")
        );
        let d = m.resolve(&[Side::Theirs]);
        assert_eq!(d.channel_info.app_key, "ak-new");
        assert_eq!(d.channel_info.app_secret.as_deref(), Some("sk-new"), "the new secret is never dropped");
        assert_eq!(d.basic.ou, "ou-theirs");
        assert_eq!(d.basic.skill_queue, "sq-2");
        assert_eq!(d.basic.transfer_keywords, vec!["agent".to_string(), "human".to_string()]);
        assert_eq!(m.resolve(&[Side::Mine]).basic.ou, "ou-mine");
        assert_eq!(m.resolve(&[]).basic.ou, "ou-mine", "an unanswered conflict keeps what I typed");
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_conflict_and_no_base_means_ask() {
        let base = doc();
        let mut mine = base.clone();
        mine.basic.ou = "ou-2".into();
        let theirs = mine.clone();
        let m = merge3(Some(&base), &mine, &theirs);
        assert!(m.kept.is_empty() && m.taken.is_empty() && m.conflicts.is_empty());
        let mut theirs = base.clone();
        theirs.basic.skill_queue = "sq-9".into();
        let m = merge3(None, &mine, &theirs);
        let paths: Vec<&str> = m.conflicts.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, vec![fields::OU, fields::SKILL_QUEUE]);
        assert!(m.conflicts.iter().all(|c| c.base.is_none()));
    }
}
