//! The first bytes of an ingested SBOM, checked in the request so obviously wrong content (an
//! archive, an image, plain prose) is refused at once; the document itself is read by the job.

/// What the first bytes look like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Looks {
    /// A JSON object (CycloneDX JSON, SPDX 2 JSON, SPDX 3).
    Json,
    /// XML (CycloneDX XML).
    Xml,
    /// SPDX tag-value text (`SPDXVersion:` among the first lines).
    TagValue,
}

/// How many bytes [`sniff`] wants to see.
pub const HEAD_BYTES: usize = 4096;

/// Classifies the start of a document, as the engine's reader will (a UTF-8 byte-order mark and
/// leading whitespace skipped); `None` for anything it would refuse outright.
pub fn sniff(head: &[u8]) -> Option<Looks> {
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
    match head[start] {
        b'{' => return Some(Looks::Json),
        b'<' => return Some(Looks::Xml),
        _ => {}
    }
    // Tag-value is text: cut at the last whole character (the head may end mid-character).
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&head[..e.valid_up_to()]).ok()?,
        Err(_) => return None,
    };
    text.lines().any(|l| l.trim_start().starts_with("SPDXVersion:")).then_some(Looks::TagValue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_pass_and_other_bytes_do_not() {
        assert_eq!(sniff(b"\xef\xbb\xbf\n  {\"bomFormat\": \"CycloneDX\"}"), Some(Looks::Json));
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><bom/>"), Some(Looks::Xml));
        assert_eq!(sniff(b"## comment\nSPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0"), Some(Looks::TagValue));
        // A character cut by the head's end is not a reason to refuse.
        assert_eq!(
            sniff("SPDXVersion: SPDX-2.3\nPackageName: é".as_bytes().split_last().expect("b").1),
            Some(Looks::TagValue)
        );
        assert_eq!(sniff(b"\x1f\x8b\x08\x00gzip"), None);
        assert_eq!(sniff(b"PK\x03\x04zip"), None);
        assert_eq!(sniff(b"just some text"), None);
        assert_eq!(sniff(b"   \n"), None);
    }
}
