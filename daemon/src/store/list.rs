//! List queries: whitelisted sort keys, offset or keyset (cursor) paging, SQL built from them.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::{StoreError, StoreResult};

/// A sort key: a column from the resource's whitelist and a direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    /// Column name; only ever one of the resource's whitelisted names.
    pub column: &'static str,
    /// Descending.
    pub desc: bool,
}

/// Offset paging, or keyset paging after the row a cursor names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Paging {
    /// Skip this many rows.
    Offset(i64),
    /// Rows after `(created_at, id)` in creation order.
    After {
        /// Creation time of the last row seen.
        created_at: String,
        /// Id of the last row seen.
        id: String,
    },
}

/// What a list endpoint asked for, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    /// Page size (1..=1000).
    pub limit: i64,
    /// Offset or cursor.
    pub paging: Paging,
    /// Sort order; empty means creation order. Cursor paging requires creation order.
    pub sort: Vec<SortKey>,
}

impl ListQuery {
    /// The opaque cursor for the row after `(created_at, id)`.
    pub fn cursor_for(created_at: &str, id: &str) -> String {
        URL_SAFE_NO_PAD.encode(format!("{created_at}|{id}"))
    }

    /// Decodes a cursor made by [`ListQuery::cursor_for`].
    pub fn decode_cursor(cursor: &str) -> Option<Paging> {
        let raw = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        let text = String::from_utf8(raw).ok()?;
        let (created_at, id) = text.split_once('|')?;
        if created_at.len() != 24 || id.len() != 36 {
            return None;
        }
        Some(Paging::After { created_at: created_at.to_owned(), id: id.to_owned() })
    }

    /// `ORDER BY … LIMIT … OFFSET …` plus an extra keyset condition. `next_param` is the number
    /// of the first free `$n` placeholder; the returned binds go there in order. The query fetches
    /// one row more than `limit` so callers know whether a next page exists.
    pub(crate) fn clauses(
        &self,
        prefix: &str,
        next_param: usize,
    ) -> StoreResult<(String, String, Vec<String>)> {
        let mut order = Vec::new();
        for key in &self.sort {
            order.push(format!("{prefix}{} {}", key.column, if key.desc { "DESC" } else { "ASC" }));
        }
        order.push(format!("{prefix}created_at ASC"));
        order.push(format!("{prefix}id ASC"));
        let order_by = format!(" ORDER BY {}", order.join(", "));
        match &self.paging {
            Paging::Offset(offset) => Ok((
                String::new(),
                format!("{order_by} LIMIT {} OFFSET {}", self.limit + 1, offset),
                Vec::new(),
            )),
            Paging::After { created_at, id } => {
                if !self.sort.is_empty() {
                    return Err(StoreError::Conflict("a cursor cannot be combined with sort".into()));
                }
                // Three distinct placeholders: SQLite and Postgres disagree on reusing one.
                let (a, b, c) = (next_param, next_param + 1, next_param + 2);
                Ok((
                    format!(
                        " AND ({prefix}created_at > ${a} OR ({prefix}created_at = ${b} AND {prefix}id > ${c}))"
                    ),
                    format!("{order_by} LIMIT {}", self.limit + 1),
                    vec![created_at.clone(), created_at.clone(), id.clone()],
                ))
            }
        }
    }
}
