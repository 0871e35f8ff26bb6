//! Timestamps on the wire are RFC 3339 strings; this re-exports the serde helpers the types use.

pub(crate) use time::serde::rfc3339;

/// `Option<OffsetDateTime>` as an RFC 3339 string or null.
pub(crate) mod rfc3339_opt {
    pub(crate) use time::serde::rfc3339::option::{deserialize, serialize};
}
