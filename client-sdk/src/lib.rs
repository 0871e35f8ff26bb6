//! Cairn's SDK: the wire types every `cairnd` request and response uses.
//!
//! The daemon serializes exactly these types, so a client built on them cannot drift from the
//! server. The async HTTP client arrives behind a `client` feature; `types` stays free of any
//! HTTP client so the daemon can depend on it.

pub mod types;
