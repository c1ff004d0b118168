//! Where two channel documents differ (for a 412: what changed between the
//! draft and the server's copy). Pure.

use super::document::ChannelDocument;

/// Dotted paths of the fields where two documents differ (for a 412: what
/// changed between the draft and the server's copy).
pub fn changed_fields(mine: &ChannelDocument, theirs: &ChannelDocument) -> Vec<String> {
    let a = serde_json::to_value(mine.normalized().without_secrets()).unwrap_or_default();
    let b = serde_json::to_value(theirs.normalized().without_secrets()).unwrap_or_default();
    let mut out = Vec::new();
    diff(&a, &b, String::new(), &mut out);
    out
}

fn diff(a: &serde_json::Value, b: &serde_json::Value, at: String, out: &mut Vec<String>) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                diff(x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null), p, out);
            }
        }
        _ if a != b => out.push(at),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_fields_name_the_differing_leaves() {
        let a = ChannelDocument::default();
        let mut b = a.clone();
        assert!(changed_fields(&a, &b).is_empty());
        b.basic.ou = "ou-2".into();
        b.basic.work_time.workday.push(crate::model::Segment::new("08:00", "12:00"));
        b.channel_info.app_secret = Some("not compared".into());
        assert_eq!(changed_fields(&a, &b), vec!["basic.ou".to_string(), "basic.work_time.workday".to_string()]);
        // Surrounding whitespace is not a change (it is trimmed when stored).
        let mut c = a.clone();
        c.basic.channel_name = "  ".into();
        assert!(changed_fields(&a, &c).is_empty());
    }
}
