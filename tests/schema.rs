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

/// Whether a property's schema takes `null` (the field catalogue: `null` for
/// an optional field means the field is absent).
fn takes_null(prop: &serde_json::Value) -> bool {
    let null = serde_json::json!("null");
    match &prop["type"] {
        serde_json::Value::Array(types) => types.contains(&null),
        serde_json::Value::String(t) => t == "null",
        _ => prop["anyOf"].as_array().is_some_and(|any| any.iter().any(|s| s["type"] == null)),
    }
}

#[test]
fn every_field_and_section_of_the_schema_takes_null() {
    let v: serde_json::Value = serde_json::from_str(SCHEMA).unwrap();
    let mut objects = vec![("(document)".to_string(), &v)];
    objects.extend(v["$defs"].as_object().unwrap().iter().map(|(k, d)| (k.clone(), d)));
    let mut checked = 0;
    for (name, object) in objects {
        let Some(props) = object["properties"].as_object() else { continue };
        for (key, prop) in props {
            assert!(takes_null(prop), "{name}.{key} does not take null: {prop}");
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked}");
}
