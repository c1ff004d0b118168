//! Drafts from what an export gave back: an export zip (every CSV file in
//! it, in name order) or one of its CSV files, one draft per record, its
//! secrets empty, its name kept. For `chanwiz drafts import` and the
//! wizard's home screen alike.

use crate::api::export_csv;
use crate::drafts::{Draft, DraftStore};
use crate::sanitize::clean;

/// What an import made and refused.
#[derive(Debug, Default)]
pub struct Import {
    pub made: Vec<Draft>,
    /// `file row N: refused: why`, for each record refused.
    pub refused: Vec<String>,
    /// Why the import stopped before its end (an unreadable file or zip, a
    /// store that refused to write).
    pub stopped: Option<String>,
}

/// The bytes are an export zip.
pub fn is_zip(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

/// Import the export zip or CSV file `bytes` (named `label` in messages).
pub fn import_export(store: &DraftStore, label: &str, bytes: &[u8]) -> Import {
    let mut out = Import::default();
    if !is_zip(bytes) {
        out.file(store, label, bytes);
        return out;
    }
    let mut archive = match zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
        Ok(a) => a,
        Err(e) => {
            out.stopped = Some(format!("{label} is not a readable zip: {e}"));
            return out;
        }
    };
    let mut names: Vec<String> = archive
        .file_names()
        .flatten()
        .map(|n| n.into_owned())
        .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
        .collect();
    names.sort();
    if names.is_empty() {
        out.stopped = Some(format!("{label} holds no CSV file: it is not an export"));
        return out;
    }
    for name in names {
        let entry_label = format!("{label}:{}", clean(&name));
        match archive.by_name(&name) {
            Ok(entry) => out.file(store, &entry_label, entry),
            Err(e) => out.stopped = Some(format!("{entry_label}: {e}")),
        }
        if out.stopped.is_some() {
            break;
        }
    }
    out
}

impl Import {
    /// One draft per readable record of one CSV file.
    fn file(&mut self, store: &DraftStore, label: &str, input: impl std::io::Read) {
        let records = match export_csv::read(input) {
            Ok(r) => r,
            Err(e) => {
                self.stopped = Some(format!("{label}: {e}"));
                return;
            }
        };
        let mut docs = Vec::with_capacity(records.len());
        for r in records {
            match r {
                Ok(doc) => docs.push(doc),
                Err(refused) => {
                    self.refused.push(format!("{label} row {}: refused: {}", refused.row, clean(&refused.reason)))
                }
            }
        }
        let (made, result) = store.create_all(docs, false);
        self.made.extend(made);
        if let Err(e) = result {
            self.stopped = Some(e.to_string());
        }
    }

    /// One line saying what was done.
    pub fn summary(&self, source: &str) -> String {
        format!(
            "imported {} draft(s) from {source}{}; secrets are empty (type them in the wizard or pass them to `chanwiz submit`)",
            self.made.len(),
            match self.refused.len() {
                0 => String::new(),
                n => format!(", {n} record(s) refused"),
            }
        )
    }
}
