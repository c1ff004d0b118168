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
            path: if path == "." { "(document)".into() } else { path },
            message: bare_message(&inner),
        }
    })
}

/// Check the `schema_version` of an already parsed JSON value.
pub fn check_version(value: &serde_json::Value) -> Result<(), DocumentError> {
    match value.get("schema_version") {
        None => Ok(()),
        Some(v) => match v.as_u64() {
            Some(n) if n == u64::from(SCHEMA_VERSION) => Ok(()),
            Some(n) if n > u64::from(SCHEMA_VERSION) => Err(DocumentError::TooNew { found: n }),
            _ => Err(DocumentError::BadVersion { found: v.to_string() }),
        },
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
