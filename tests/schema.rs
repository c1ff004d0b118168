//! assets/channel.schema.json is kept equal to the document types.

use chanwiz::schema::schema_json;

const SCHEMA: &str = include_str!("../assets/channel.schema.json");

#[test]
fn the_committed_schema_matches_the_types() {
    assert_eq!(
        SCHEMA.trim_end(),
        schema_json().trim_end(),
        "assets/channel.schema.json is stale: run `cargo run -- schema > assets/channel.schema.json`"
    );
}

#[test]
fn the_schema_refuses_unknown_keys_and_lists_every_catalogue_key() {
    let v: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    assert_eq!(v["additionalProperties"], false);
    let defs = v["$defs"].as_object().unwrap();
    for (def, keys) in [
        ("ChannelInfo", &["app_key", "app_secret", "base_url", "trust_certificate", "identity_certificate"][..]),
        (
            "Basic",
            &[
                "channel_name",
                "ou",
                "skill_queue",
                "transfer_keywords",
                "work_time",
                "non_working_time_notification",
                "last_agent_mode",
                "session_end_no_customer_reply",
                "session_transfer_no_agent_reply",
                "session_transfer",
                "offline_messages",
            ][..],
        ),
        (
            "OfflineMessages",
            &[
                "enabled",
                "prompt",
                "routing_time_limit_minutes",
                "agent_outbound_time_limit_minutes",
                "called_customer_reply_timeout_minutes",
                "routing_mode",
            ][..],
        ),
    ] {
        let props = defs[def]["properties"].as_object().unwrap();
        let mut have: Vec<&str> = props.keys().map(String::as_str).collect();
        have.sort_unstable();
        let mut want = keys.to_vec();
        want.sort_unstable();
        assert_eq!(have, want, "{def}");
        assert_eq!(defs[def]["additionalProperties"], false, "{def}");
    }
}
