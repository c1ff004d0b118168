//! `GET /api/v1/channels/{id}/deliveries/latest`: the live delivery test.
//! The backend counts the deliveries it accepts for a channel and keeps a
//! sample of the latest one only (who sent it, its text shortened, when it
//! was sent and received): enough to show "Ann: hello" and how long it
//! took, and no log of customer messages.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The longest a request of the route waits for a delivery (`wait`); a
/// client that waits longer asks again.
pub const DELIVERY_WAIT_MAX_SECS: u32 = 25;
/// Characters of the sender's name kept.
pub const SAMPLE_NAME_CHARS: usize = 64;
/// Characters of the message text kept.
pub const SAMPLE_TEXT_CHARS: usize = 200;

/// `?after=N&wait=S`: answer once more than `N` deliveries were accepted,
/// or after `S` seconds (0–[`DELIVERY_WAIT_MAX_SECS`], default 0), whichever
/// comes first. Without `after`, at once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatestDeliveryQuery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait: Option<u32>,
}

/// The answer: how many deliveries were accepted, and the latest one (when
/// it is newer than `after`; any without `after`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatestDelivery {
    pub channel_id: String,
    /// Deliveries accepted for this channel so far: pass it back as `after`
    /// to wait for the next one.
    pub count: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<DeliverySample>,
}

/// What is kept of the latest accepted delivery.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliverySample {
    /// When the backend accepted it.
    pub received: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update_id: Option<i64>,
    /// The update's kind: `message`, `edited_message`, `business_message`,
    /// … (the key of the update object), or `other`.
    pub kind: String,
    /// When Telegram says the message was sent (`date`: whole seconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent: Option<DateTime<Utc>>,
    /// The sender's first name (control characters removed, shortened).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// The text or caption on one line, shortened; for a message without
    /// text, what it holds in brackets (`[photo]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Update keys that carry a message, in the order looked for.
const MESSAGE_KINDS: [&str; 6] =
    ["message", "edited_message", "business_message", "edited_business_message", "channel_post", "edited_channel_post"];
/// What a message without text may hold.
const CONTENT_KINDS: [&str; 12] = [
    "photo",
    "sticker",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "location",
    "contact",
    "poll",
    "dice",
];

/// `text` on one line, free of control characters, at most `max` characters
/// (an ellipsis marks a cut).
fn shorten(text: &str, max: usize) -> String {
    let line = crate::sanitize::one_line(text);
    let line = line.trim();
    if line.chars().count() <= max {
        return line.to_owned();
    }
    let mut cut: String = line.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

impl DeliverySample {
    /// The sample of a Telegram update received at `received`.
    pub fn of_update(update: &serde_json::Value, received: DateTime<Utc>) -> DeliverySample {
        let update_id = update.get("update_id").and_then(serde_json::Value::as_i64);
        let found = MESSAGE_KINDS.iter().find_map(|k| update.get(*k).filter(|m| m.is_object()).map(|m| (*k, m)));
        let Some((kind, message)) = found else {
            let kind = update
                .as_object()
                .and_then(|o| o.keys().find(|k| *k != "update_id"))
                .map_or("other".to_owned(), |k| shorten(k, 40));
            return DeliverySample { received, update_id, kind, sent: None, from: None, text: None };
        };
        let str_of = |m: &serde_json::Value, k: &str| m.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
        let from = message
            .get("from")
            .and_then(|f| str_of(f, "first_name"))
            .or_else(|| message.get("chat").and_then(|c| str_of(c, "title")))
            .map(|n| shorten(&n, SAMPLE_NAME_CHARS))
            .filter(|n| !n.is_empty());
        let text = str_of(message, "text")
            .or_else(|| str_of(message, "caption"))
            .map(|t| shorten(&t, SAMPLE_TEXT_CHARS))
            .or_else(|| CONTENT_KINDS.iter().find(|k| message.get(**k).is_some()).map(|k| format!("[{k}]")));
        let sent = message.get("date").and_then(serde_json::Value::as_i64).and_then(|d| DateTime::from_timestamp(d, 0));
        DeliverySample { received, update_id, kind: kind.to_owned(), sent, from, text }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(s, 0).unwrap()
    }

    #[test]
    fn a_message_keeps_its_sender_text_and_time() {
        let u = serde_json::json!({"update_id": 9, "message": {"date": 1_700_000_000, "from": {"first_name": "Ann", "last_name": "Lee", "id": 1}, "text": "hello"}});
        let s = DeliverySample::of_update(&u, at(1_700_000_001));
        assert_eq!(s.from.as_deref(), Some("Ann"));
        assert_eq!(s.text.as_deref(), Some("hello"));
        assert_eq!(s.kind, "message");
        assert_eq!(s.sent, Some(at(1_700_000_000)));
        assert_eq!(s.update_id, Some(9));
    }

    #[test]
    fn what_is_kept_is_short_and_cannot_drive_a_terminal() {
        let long = format!("\u{1b}]52;c;x\u{7}line one\nline two {}", "x".repeat(500));
        let u = serde_json::json!({"update_id": 1, "business_message": {"from": {"first_name": "A\u{1b}[2Jnn"}, "text": long}});
        let s = DeliverySample::of_update(&u, at(0));
        let text = s.text.unwrap();
        assert_eq!(text.chars().count(), SAMPLE_TEXT_CHARS);
        assert!(text.ends_with('…'));
        assert!(!text.chars().any(char::is_control), "{text:?}");
        assert!(text.contains("line one ⏎ line two"));
        assert!(!s.from.unwrap().chars().any(char::is_control));
        assert_eq!(s.kind, "business_message");
        assert_eq!(s.sent, None);
    }

    #[test]
    fn a_message_without_text_says_what_it_holds_and_other_updates_their_kind() {
        let photo =
            serde_json::json!({"update_id": 1, "message": {"date": 5, "photo": [{}], "from": {"first_name": "B"}}});
        assert_eq!(DeliverySample::of_update(&photo, at(6)).text.as_deref(), Some("[photo]"));
        let captioned = serde_json::json!({"message": {"photo": [{}], "caption": "look"}});
        assert_eq!(DeliverySample::of_update(&captioned, at(6)).text.as_deref(), Some("look"));
        let other = serde_json::json!({"update_id": 2, "deleted_business_messages": {}});
        let s = DeliverySample::of_update(&other, at(6));
        assert_eq!((s.kind.as_str(), s.from, s.text), ("deleted_business_messages", None, None));
    }
}
