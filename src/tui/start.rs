//! Where the wizard opens a document brought in from a file (`chanwiz new
//! --from FILE`): on the first field with an error, in the order the pages
//! show the fields, or on Review when nothing is wrong.

use super::form::{self, FieldId, Step};
use crate::drafts::Draft;
use crate::model::{Catalogue, Mode, validate_all};

/// The first field (in page order) that holds an error, with its step.
pub fn first_error(draft: &Draft, catalogue: Option<&Catalogue>) -> Option<(Step, FieldId)> {
    let mode = if draft.meta.channel_id.is_some() { Mode::Update } else { Mode::Create };
    let errors = validate_all(&draft.document, mode, catalogue, draft.meta.channel_id.as_deref());
    let wrong: Vec<FieldId> = errors.iter().filter_map(|e| form::field_for_path(&e.path, draft)).collect();
    Step::FORMS
        .iter()
        .flat_map(|s| form::visible(*s, draft).into_iter().map(move |f| (*s, f)))
        .find(|(_, f)| wrong.contains(f))
}

/// A new (unsaved) draft of `document`, set to open on its first field
/// with an error, or on Review.
pub fn draft_from(document: crate::model::ChannelDocument) -> Draft {
    let mut draft = Draft::new(document);
    // a secret brought in a file stays in memory only, as when typed
    match first_error(&draft, None) {
        Some((step, field)) => {
            draft.meta.step = step.number();
            draft.meta.field = Some(form::field_name(field));
        }
        None => {
            draft.meta.step = Step::Review.number();
            draft.meta.field = None;
        }
    }
    draft
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse_document;

    #[test]
    fn a_partial_file_opens_on_its_first_wrong_field_in_page_order() {
        // step 1 complete but for a malformed BaseUrl; step 2 lacks a name
        let doc = parse_document(
            r#"{"channel_info": {"app_key": "AK_1", "app_secret": "S3cret-x", "base_url": "http://example.com",
                "trust_certificate": "cert-trust-1", "identity_certificate": "cert-id-1"}}"#,
        )
        .unwrap();
        let d = draft_from(doc);
        assert_eq!(d.meta.step, 1);
        assert_eq!(d.meta.field.as_deref(), Some(crate::model::fields::BASE_URL));
        assert_eq!(d.document.channel_info.app_key, "AK_1");
    }

    #[test]
    fn a_file_wrong_only_on_step_two_opens_there_and_a_valid_one_on_review() {
        let text = include_str!("../../assets/examples/telegram-channel.json");
        let mut doc = parse_document(text).unwrap();
        doc.basic.channel_name = "9 bad name".into();
        let d = draft_from(doc);
        assert_eq!((d.meta.step, d.meta.field.as_deref()), (2, Some(crate::model::fields::CHANNEL_NAME)));
        let d = draft_from(parse_document(text).unwrap());
        assert_eq!((d.meta.step, d.meta.field), (4, None));
    }

    #[test]
    fn the_wizard_opened_on_a_partial_file_has_the_focus_on_its_first_wrong_field() {
        use crate::tui::state::{Link, State};
        let doc =
            parse_document(r#"{"channel_info": {"app_key": "AK_1"}, "basic": {"channel_name": "From_File"}}"#).unwrap();
        let mut state = State::new(None, Link::Offline);
        crate::tui::update::open_wizard(&mut state, draft_from(doc));
        let w = state.wizard().expect("the wizard is open");
        assert_eq!((w.step, w.focus), (Step::ChannelInfo, FieldId::AppSecret));
        assert_eq!(w.draft.document.basic.channel_name, "From_File");
        // nothing is written until something changes
        assert!(!w.dirty());
    }
}
