//! Channel document types and validation. Pure: no IO, no terminal.

pub mod catalogue;
pub mod diff;
pub mod document;
pub mod fields;
pub mod parse;
pub mod validate;

pub use catalogue::{Catalogue, validate_catalogue};
pub use diff::changed_fields;
pub use document::*;
pub use parse::{DocumentError, parse_document};
pub use validate::{FieldError, Mode, validate};

/// Both steps of validation: the local rules, then, when a catalogue is
/// known, the rules that need the tenant's data.
pub fn validate_all(
    doc: &ChannelDocument,
    mode: Mode,
    catalogue: Option<&Catalogue>,
    editing: Option<&str>,
) -> Vec<FieldError> {
    let mut errors = validate(doc, mode);
    if let Some(cat) = catalogue {
        for e in validate_catalogue(doc, cat, editing) {
            if !errors.iter().any(|x| x.path == e.path) {
                errors.push(e);
            }
        }
    }
    errors
}
