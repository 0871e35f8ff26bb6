//! Timestamps on the wire are RFC 3339 strings; this re-exports the serde helpers the types use.

pub(crate) use time::serde::rfc3339;

/// `Option<OffsetDateTime>` as an RFC 3339 string or null.
pub(crate) mod rfc3339_opt {
    pub(crate) use time::serde::rfc3339::option::{deserialize, serialize};
}

// A calendar date as `YYYY-MM-DD` (KEV's `dateAdded`, `dueDate`).
time::serde::format_description!(pub(crate) date_ymd, Date, "[year]-[month]-[day]");

/// `Option<Date>` as `YYYY-MM-DD` or null.
pub(crate) mod date_ymd_opt {
    pub(crate) use super::date_ymd::option::{deserialize, serialize};
}
