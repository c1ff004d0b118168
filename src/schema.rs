//! The JSON Schema of the channel document, generated from the types so that
//! the two cannot drift apart (assets/channel.schema.json is compared with it
//! by a test).

use crate::model::ChannelDocument;

/// The schema as pretty JSON text, as stored in assets/channel.schema.json.
pub fn schema_json() -> String {
    let mut schema = schemars::schema_for!(ChannelDocument);
    schema.insert("$id".into(), "https://chanwiz.invalid/channel.schema.json".into());
    serde_json::to_string_pretty(&schema).expect("schema serialises")
}
