//! Reading a channel document from JSON text, with errors a person can act
//! on: the line and column, the dotted path, and for an unknown key the keys
//! allowed there.

use super::document::{ChannelDocument, SCHEMA_VERSION};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// Not JSON at all.
    #[error("line {line}, column {column}: {message}")]
    Syntax { line: usize, column: usize, message: String },
    /// JSON, but not of the document's shape: unknown key, wrong type.
    #[error("line {line}, column {column}: {path}: {message}")]
    Shape { line: usize, column: usize, path: String, message: String },
    /// Written by a newer chanwiz.
    #[error(
        "schema_version {found} is newer than this chanwiz understands (it reads {SCHEMA_VERSION}): upgrade chanwiz to open it"
    )]
    TooNew { found: u64 },
    #[error("schema_version must be {SCHEMA_VERSION}, found {found}")]
    BadVersion { found: String },
}

/// Parse a document. A `schema_version` newer than [`SCHEMA_VERSION`] is
/// refused before anything else is looked at: a newer format may have keys
/// this release does not know.
pub fn parse_document(text: &str) -> Result<ChannelDocument, DocumentError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| DocumentError::Syntax {
        line: e.line(),
        column: e.column(),
        message: bare_message(&e),
    })?;
    if !value.is_object() {
        // serde would take an array as the fields in order
        return Err(DocumentError::Shape {
            line: 1,
            column: 1,
            path: "(document)".into(),
            message: "a channel document is a JSON object ({ ... })".into(),
        });
    }
    check_version(&value)?;
    let mut de = serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        DocumentError::Shape {
            line: inner.line(),
            column: inner.column(),
            message: shape_message(&path, &inner),
            path: if path == "." { "(document)".into() } else { path },
        }
    })
}

/// Check the `schema_version` of an already parsed JSON value (absent or
/// `null`: this release's).
pub fn check_version(value: &serde_json::Value) -> Result<(), DocumentError> {
    match value.get("schema_version") {
        None | Some(serde_json::Value::Null) => Ok(()),
        Some(v) => match v.as_u64() {
            Some(n) if n == u64::from(SCHEMA_VERSION) => Ok(()),
            Some(n) if n > u64::from(SCHEMA_VERSION) => Err(DocumentError::TooNew { found: n }),
            _ => Err(DocumentError::BadVersion { found: v.to_string() }),
        },
    }
}

/// The keys whose values are secrets: a message about one never repeats
/// what was sent.
const SECRET_KEYS: [&str; 6] =
    ["app_secret", "bot_token", "webhook_secret", "next_webhook_secret", "secret_token", "token"];

/// The message for the value at `path` being of the wrong shape: serde's,
/// except that for a secret the value sent is left out ("invalid type:
/// integer `12345`, expected a string" says only what was expected).
pub(crate) fn shape_message(path: &str, e: &serde_json::Error) -> String {
    let message = bare_message(e);
    let key = path.rsplit('.').next().unwrap_or(path);
    let key = key.split('[').next().unwrap_or(key);
    if !SECRET_KEYS.contains(&key) {
        return message;
    }
    match message.rfind(", expected ") {
        Some(i) => format!("refused (the value is not repeated: it is a secret){}", &message[i..]),
        None => "refused (the value is not repeated: it is a secret)".into(),
    }
}

/// serde_json's message without its trailing " at line L column C".
pub(crate) fn bare_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_key_names_the_key_the_place_and_the_allowed_keys() {
        let text = "{\n  \"channel_info\": {\n    \"app_kye\": \"x\"\n  }\n}";
        let err = parse_document(text).unwrap_err();
        let DocumentError::Shape { line, path, message, .. } = &err else { panic!("{err:?}") };
        assert_eq!(*line, 3);
        assert_eq!(path, "channel_info.app_kye");
        assert!(message.contains("unknown field `app_kye`"), "{message}");
        assert!(message.contains("`app_key`") && message.contains("`base_url`"), "{message}");
    }

    #[test]
    fn a_wrong_type_names_its_path() {
        let err = parse_document(r#"{"basic":{"last_agent_mode":{"retention_hours":"24"}}}"#).unwrap_err();
        let DocumentError::Shape { path, message, .. } = &err else { panic!("{err:?}") };
        assert_eq!(path, "basic.last_agent_mode.retention_hours");
        assert!(message.contains("invalid type"), "{message}");
    }

    #[test]
    fn broken_json_gives_line_and_column() {
        let err = parse_document("{\n  \"basic\": {,\n}").unwrap_err();
        assert!(matches!(err, DocumentError::Syntax { line: 2, .. }), "{err:?}");
        assert!(err.to_string().starts_with("line 2, column"));
    }

    #[test]
    fn a_newer_version_is_refused_before_its_unknown_keys() {
        let err = parse_document(r#"{"schema_version":2,"new_thing":1}"#).unwrap_err();
        assert_eq!(err, DocumentError::TooNew { found: 2 });
        assert!(matches!(parse_document(r#"{"schema_version":0}"#), Err(DocumentError::BadVersion { .. })));
        assert!(matches!(parse_document(r#"{"schema_version":"1"}"#), Err(DocumentError::BadVersion { .. })));
        assert!(parse_document(r#"{"schema_version":1}"#).is_ok());
    }
}

#[cfg(test)]
mod null_tests {
    use serde_json::{Map, Value};

    use super::*;

    const EXAMPLE: &str = include_str!("../../assets/examples/telegram-channel.json");

    /// Every key of the document (each field and each section), by its
    /// path of keys: the example holds them all.
    fn every_key(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
        if let Value::Object(map) = value {
            for (k, v) in map {
                at.push(k.clone());
                out.push(at.clone());
                every_key(v, at, out);
                at.pop();
            }
        }
    }

    fn object_at<'a>(value: &'a mut Value, path: &[String]) -> &'a mut Map<String, Value> {
        path.iter().fold(value, |v, k| &mut v[k.as_str()]).as_object_mut().unwrap()
    }

    #[test]
    fn null_at_any_key_of_the_document_is_that_key_absent() {
        let example: Value = serde_json::from_str(EXAMPLE).unwrap();
        let mut keys = Vec::new();
        every_key(&example, &mut Vec::new(), &mut keys);
        assert!(keys.len() > 40, "{keys:?}");
        for key in keys {
            let (last, parent) = key.split_last().unwrap();
            let mut nulled = example.clone();
            object_at(&mut nulled, parent).insert(last.clone(), Value::Null);
            let mut absent = example.clone();
            object_at(&mut absent, parent).remove(last);
            let dotted = key.join(".");
            let got = parse_document(&nulled.to_string()).unwrap_or_else(|e| panic!("{dotted}: null refused: {e}"));
            assert_eq!(got, parse_document(&absent.to_string()).unwrap(), "{dotted}: null is not absent");
        }
    }

    #[test]
    fn null_everywhere_is_the_empty_document() {
        let text = r#"{"schema_version":null,"channel_type":null,"channel_info":null,"basic":null,"robot":null}"#;
        assert_eq!(parse_document(text).unwrap(), ChannelDocument::default());
        // inside a work-time segment too
        let seg = |s: &str| parse_document(&format!(r#"{{"basic":{{"work_time":{{"workday":[{s}]}}}}}}"#)).unwrap();
        assert_eq!(seg(r#"{"start":null,"end":"10:00"}"#), seg(r#"{"end":"10:00"}"#));
        // a wrong type is still refused, naming its path
        let err = parse_document(r#"{"basic":{"ou":7}}"#).unwrap_err();
        assert!(err.to_string().contains("basic.ou: invalid type: integer `7`"), "{err}");
    }
}
