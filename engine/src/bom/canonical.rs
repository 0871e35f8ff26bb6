//! The canonical form and the recorded SHA-256: sorted keys, compact JSON, ids derived from content.
//!
//! A document's `cairn:sha256` is the SHA-256 of the canonical form (keys sorted by code point, no
//! whitespace, serde_json's number and string spelling — what `jq -jcS` prints) of the document with
//! the two seal entries (`cairn:methodology_version` and `cairn:sha256`) removed. Anyone can recompute it.

use serde::Serialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// The version of the rules that turn an inventory into a document. Bumped when the same input
/// would give different bytes.
pub const METHODOLOGY_VERSION: &str = "1";

/// Property / annotation name of the methodology version.
pub const METHODOLOGY_KEY: &str = "cairn:methodology_version";
/// Property / annotation name of the document hash.
pub const SHA256_KEY: &str = "cairn:sha256";

/// Recursively sorts object keys.
pub fn canonicalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), canonicalize(&m[k]));
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(canonicalize).collect()),
        other => other.clone(),
    }
}

/// The canonical bytes of a value.
pub fn canonical_bytes(v: &Value) -> Vec<u8> {
    // Serializing a Value cannot fail: its keys are strings.
    serde_json::to_vec(&canonicalize(v)).unwrap_or_default()
}

/// The canonical bytes of a typed document, written straight from its model: the same bytes as
/// [`canonical_bytes`] of its `Value`, without building one.
pub fn to_canonical<T: Serialize + ?Sized>(v: &T) -> Vec<u8> {
    // Cairn's documents have string keys only, which is all that could fail here.
    super::canonical_json::to_vec(v).unwrap_or_default()
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lowercase hex of a digest.
pub(crate) fn hex(digest: &[u8]) -> String {
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A UUID (version 8, RFC 9562) derived from a SHA-256 of `parts`, so ids are stable for the same content.
pub fn derived_uuid(parts: &[&[u8]]) -> uuid::Uuid {
    let mut h = Sha256::new();
    for p in parts {
        uuid_part(&mut h, p);
    }
    uuid_of(h)
}

/// One part of a [`derived_uuid`]: its length, then its bytes.
pub(crate) fn uuid_part(h: &mut Sha256, part: &[u8]) {
    h.update((part.len() as u64).to_be_bytes());
    h.update(part);
}

/// The [`derived_uuid`] of the parts hashed into `h`.
pub(crate) fn uuid_of(h: Sha256) -> uuid::Uuid {
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::new_v8(bytes)
}

/// Pretty JSON with a trailing newline, for writing a finished document: serialized from its typed
/// model in field order (no `Value` in between).
pub fn to_pretty<T: Serialize + ?Sized>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// [`to_pretty`] written to `out` as it is serialized: no document-sized string in between.
pub fn write_pretty<T: Serialize + ?Sized>(v: &T, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, v)?;
    out.write_all(b"\n")
}
