//! What an export download holds: its CSV files and how many records each
//! carries (the header row not counted).

use std::path::Path;

/// One CSV file of an export zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportFile {
    pub name: String,
    pub records: u64,
}

/// The files of the export zip at `path`, in the archive's order.
pub fn export_files(path: &Path) -> Result<Vec<ExportFile>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| format!("{}: not a zip file ({e})", path.display()))?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = crate::sanitize::clean(&entry.name().map_err(|e| format!("{}: {e}", path.display()))?).into_owned();
        let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(entry);
        let mut records = 0;
        for record in reader.records() {
            record.map_err(|e| format!("{name}: {e}"))?;
            records += 1;
        }
        out.push(ExportFile { name, records });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn counts_the_records_of_each_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.zip");
        let mut w = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("channels-0001.csv", opts).unwrap();
        w.write_all(b"id,name\n1,\"a,b\"\n2,c\n").unwrap();
        w.start_file("channels-0002.csv", opts).unwrap();
        w.write_all(b"id,name\n3,d\n").unwrap();
        w.finish().unwrap();
        let files = export_files(&path).unwrap();
        assert_eq!(
            files,
            vec![
                ExportFile { name: "channels-0001.csv".into(), records: 2 },
                ExportFile { name: "channels-0002.csv".into(), records: 1 },
            ]
        );
        assert!(export_files(&dir.path().join("missing.zip")).is_err());
    }
}
