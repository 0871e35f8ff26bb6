//! `sbom` sources: an uploaded CycloneDX (JSON, XML) or SPDX (2.x JSON or tag-value, 3.0.1)
//! document read into an inventory by the engine's readers.

use std::io::Read;
use std::path::Path;

use cairn_engine::bom::read::read_document;

use super::{Obtained, SourceError, SourcePolicy};

/// Reads `file` (named `filename` by the client), refusing documents over the cap.
pub(crate) async fn read(
    file: &Path,
    filename: &str,
    policy: &SourcePolicy,
) -> Result<Obtained, SourceError> {
    let (file, filename, cap) = (file.to_path_buf(), filename.to_owned(), policy.max_sbom_bytes);
    tokio::task::spawn_blocking(move || read_blocking(&file, &filename, cap))
        .await
        .map_err(|e| SourceError::Internal(format!("reading the document failed: {e}")))?
}

fn read_blocking(file: &Path, filename: &str, cap: u64) -> Result<Obtained, SourceError> {
    let unavailable = |e: std::io::Error| SourceError::Unavailable(format!("cannot read the upload: {e}"));
    let f = std::fs::File::open(file).map_err(unavailable)?;
    let mut bytes = Vec::new();
    // Read one byte past the cap rather than trusting the file's reported size.
    f.take(cap.saturating_add(1)).read_to_end(&mut bytes).map_err(unavailable)?;
    if bytes.len() as u64 > cap {
        return Err(SourceError::TooLarge(format!("{filename} is larger than {cap} bytes")));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        SourceError::Invalid(format!(
            "{filename} is not UTF-8 text (at byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let bom = read_document(&text, filename).map_err(|e| SourceError::Invalid(format!("{filename}: {e}")))?;
    Ok(Obtained::Sbom(Box::new(bom)))
}
