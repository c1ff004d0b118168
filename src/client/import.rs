//! Drafts from what an export gave back: an export zip (every CSV file in
//! it, in name order) or one of its CSV files, one draft per record, its
//! secrets empty, its name kept. For `chanwiz drafts import` and the
//! wizard's home screen alike.

use crate::api::export_csv;
use crate::drafts::{Draft, DraftStore};
use crate::model::ChannelDocument;
use crate::sanitize::clean;

fn too_big(label: &str, size: u64) -> String {
    format!(
        "{label} is {size} bytes uncompressed: an export's CSV file is at most {} MiB",
        CSV_FILE_MAX_BYTES / (1024 * 1024)
    )
}

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

/// The most records an import takes: an export task's own bound.
pub const IMPORT_MAX_RECORDS: usize = crate::api::EXPORT_MAX_RECORDS;
/// The largest CSV file (or zip entry, uncompressed) read: an export file
/// holds at most 2,000 records of a few kilobytes each at their longest.
pub const CSV_FILE_MAX_BYTES: u64 = 32 * 1024 * 1024;
/// The most bytes read from all the CSV files of one zip, uncompressed.
pub const ZIP_TOTAL_MAX_BYTES: u64 = 512 * 1024 * 1024;
/// The largest file `drafts import` reads (a zip, a CSV file or a document).
pub const IMPORT_FILE_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// The bytes of the file to import, refused past [`IMPORT_FILE_MAX_BYTES`]
/// without reading more than that. `reader` is the open file (or stdin).
pub fn read_limited(reader: impl std::io::Read) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    reader.take(IMPORT_FILE_MAX_BYTES + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > IMPORT_FILE_MAX_BYTES {
        return Err(format!(
            "it is larger than {} MiB, the most an import reads (an export of {IMPORT_MAX_RECORDS} channels is far smaller); nothing was imported",
            IMPORT_FILE_MAX_BYTES / (1024 * 1024)
        ));
    }
    Ok(bytes)
}

/// Import the export zip or CSV file `bytes` (named `label` in messages).
/// Every record is read and checked first: past an export's own bounds
/// (records, bytes, the length of any field) nothing at all is written.
pub fn import_export(store: &DraftStore, label: &str, bytes: &[u8]) -> Import {
    let mut out = Import::default();
    let mut docs = Vec::new();
    if let Err(e) = out.read_all(label, bytes, &mut docs) {
        out.refused.clear();
        out.stopped = Some(format!("{e}; nothing was imported"));
        return out;
    }
    let (made, result) = store.create_all(docs, false);
    out.made = made;
    if let Err(e) = result {
        out.stopped = Some(e.to_string());
    }
    out
}

impl Import {
    /// Every record of the CSV file or zip `bytes`, read into `docs` (the
    /// refused ones noted); `Err` stops the whole import.
    fn read_all(&mut self, label: &str, bytes: &[u8], docs: &mut Vec<ChannelDocument>) -> Result<(), String> {
        let mut records = 0;
        if !is_zip(bytes) {
            if bytes.len() as u64 > CSV_FILE_MAX_BYTES {
                return Err(too_big(label, bytes.len() as u64));
            }
            return self.file(label, bytes, docs, &mut records);
        }
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| format!("{label} is not a readable zip: {e}"))?;
        let mut names: Vec<String> = archive
            .file_names()
            .flatten()
            .map(|n| n.into_owned())
            .filter(|n| n.to_ascii_lowercase().ends_with(".csv"))
            .collect();
        names.sort();
        if names.is_empty() {
            return Err(format!("{label} holds no CSV file: it is not an export"));
        }
        let mut total = 0u64;
        for name in names {
            use std::io::Read;
            let entry_label = format!("{label}:{}", clean(&name));
            let entry = archive.by_name(&name).map_err(|e| format!("{entry_label}: {e}"))?;
            if entry.size() > CSV_FILE_MAX_BYTES {
                return Err(too_big(&entry_label, entry.size()));
            }
            // the size a zip declares is not trusted: read at most the bound
            let mut text = Vec::new();
            entry.take(CSV_FILE_MAX_BYTES + 1).read_to_end(&mut text).map_err(|e| format!("{entry_label}: {e}"))?;
            if text.len() as u64 > CSV_FILE_MAX_BYTES {
                return Err(too_big(&entry_label, text.len() as u64));
            }
            total += text.len() as u64;
            if total > ZIP_TOTAL_MAX_BYTES {
                return Err(format!(
                    "{label}: its CSV files hold more than {} MiB, the most an import reads",
                    ZIP_TOTAL_MAX_BYTES / (1024 * 1024)
                ));
            }
            self.file(&entry_label, &text, docs, &mut records)?;
        }
        Ok(())
    }

    /// The records of one CSV file.
    fn file(
        &mut self,
        label: &str,
        input: &[u8],
        docs: &mut Vec<ChannelDocument>,
        records: &mut usize,
    ) -> Result<(), String> {
        let read = export_csv::read(input).map_err(|e| format!("{label}: {e}"))?;
        *records += read.len();
        if *records > IMPORT_MAX_RECORDS {
            return Err(format!(
                "{label}: the import holds more than {IMPORT_MAX_RECORDS} records, the most an export holds"
            ));
        }
        for (n, r) in read.into_iter().enumerate() {
            match r {
                Ok(doc) => {
                    if let Some(e) = crate::model::over_length(&doc) {
                        return Err(format!(
                            "{label} row {}: {}: {} (no export holds it)",
                            n + 2,
                            e.path,
                            clean(&e.message)
                        ));
                    }
                    docs.push(doc);
                }
                Err(refused) => {
                    self.refused.push(format!("{label} row {}: refused: {}", refused.row, clean(&refused.reason)))
                }
            }
        }
        Ok(())
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
