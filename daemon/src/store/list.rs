//! List queries: whitelisted sort keys, offset or keyset (cursor) paging, appended to a [`Sql`].

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::sql::Sql;
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

    /// Appends the keyset condition (`AND …`, after a `WHERE`), then `ORDER BY … LIMIT …
    /// OFFSET …`. Column names come from the whitelist, values are bound. The query fetches one
    /// row more than `limit` so callers know whether a next page exists. `prefix` qualifies the
    /// columns (`t.`).
    pub(crate) fn push_page(&self, sql: &mut Sql, prefix: &'static str) -> StoreResult<()> {
        if let Paging::After { created_at, id } = &self.paging {
            if !self.sort.is_empty() {
                return Err(StoreError::Conflict("a cursor cannot be combined with sort".into()));
            }
            // Three distinct placeholders: SQLite and Postgres disagree on reusing one.
            sql.push(" AND (").push(prefix).push("created_at > ").bind(created_at.as_str());
            sql.push(" OR (").push(prefix).push("created_at = ").bind(created_at.as_str());
            sql.push(" AND ").push(prefix).push("id > ").bind(id.as_str()).push("))");
        }
        sql.push(" ORDER BY ");
        for key in &self.sort {
            sql.push(prefix).push(key.column).push(if key.desc { " DESC, " } else { " ASC, " });
        }
        sql.push(prefix).push("created_at ASC, ").push(prefix).push("id ASC");
        sql.push(" LIMIT ").bind(self.limit + 1);
        if let Paging::Offset(offset) = self.paging {
            sql.push(" OFFSET ").bind(offset);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{ListQuery, Paging, SortKey};
    use crate::store::sql::Sql;

    #[test]
    fn sorts_come_from_the_whitelist_and_every_value_is_bound() {
        let q = ListQuery {
            limit: 20,
            paging: Paging::Offset(40),
            sort: vec![SortKey { column: "name", desc: true }],
        };
        let mut sql = Sql::new("SELECT id FROM teams t WHERE t.tenant_id = ");
        sql.bind("tenant");
        q.push_page(&mut sql, "t.").expect("offset paging");
        assert_eq!(
            sql.text(),
            "SELECT id FROM teams t WHERE t.tenant_id = $1 ORDER BY t.name DESC, t.created_at ASC, t.id ASC \
             LIMIT $2 OFFSET $3"
        );
        let after = ListQuery::decode_cursor(&ListQuery::cursor_for(
            "2026-01-01T00:00:00.000Z",
            "01890000-0000-7000-8000-000000000000",
        ))
        .expect("a cursor");
        let q = ListQuery { limit: 5, paging: after, sort: Vec::new() };
        let mut sql = Sql::new("SELECT id FROM users WHERE 1 = 1");
        q.push_page(&mut sql, "").expect("keyset paging");
        assert_eq!(
            sql.text(),
            "SELECT id FROM users WHERE 1 = 1 AND (created_at > $1 OR (created_at = $2 AND id > $3)) \
             ORDER BY created_at ASC, id ASC LIMIT $4"
        );
        let sorted = ListQuery { sort: vec![SortKey { column: "name", desc: false }], ..q };
        assert!(sorted.push_page(&mut Sql::new("SELECT 1 WHERE 1 = 1"), "").is_err(), "cursor with sort");
    }
}
