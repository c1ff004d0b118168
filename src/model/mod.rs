//! Channel document types and validation. Pure: no IO, no terminal.

pub mod catalogue;
pub mod diff;
pub mod document;
pub mod fields;
pub mod parse;
pub mod schedule;
pub mod validate;
pub mod warnings;

pub use catalogue::{Catalogue, Refs, validate_catalogue};
pub use diff::changed_fields;
pub use document::*;
pub use parse::{DocumentError, parse_document};
pub use validate::{FieldError, Findings, Mode, over_length, validate, validate_bounded};
pub use warnings::{Warning, certificate_warnings, warnings};

/// Both steps of validation: the local rules, then, when a catalogue is
/// known, the rules that need the tenant's data.
pub fn validate_all(
    doc: &ChannelDocument,
    mode: Mode,
    catalogue: Option<&Catalogue>,
    editing: Option<&str>,
) -> Vec<FieldError> {
    validate_all_bounded(doc, mode, catalogue, editing, usize::MAX).errors
}

/// [`validate_all`] keeping at most `cap` errors (in the same order) and
/// counting the rest in `more`, without building them.
pub fn validate_all_bounded(
    doc: &ChannelDocument,
    mode: Mode,
    catalogue: Option<&Catalogue>,
    editing: Option<&str>,
    cap: usize,
) -> Findings {
    let mut found = validate::validate_bounded(doc, mode, cap);
    if let Some(cat) = catalogue {
        for e in validate_catalogue(doc, cat, editing) {
            // a field the local rules refused already: its first error stands
            if found.errors.iter().any(|x| x.path == e.path) || found.more_paths.contains(&e.path) {
                continue;
            }
            if found.errors.len() < cap {
                found.errors.push(e);
            } else {
                found.more += 1;
                found.more_paths.push(e.path);
            }
        }
    }
    found
}
