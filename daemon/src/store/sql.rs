//! Dynamic SQL in one idiom: a statement grown from fixed text and bound values, each value a
//! `$n` placeholder numbered in binding order. The text only takes `&'static str`, so no value can
//! ever be formatted into a statement: filters and sorts choose among fixed fragments (whitelisted
//! column names included), values are bound.
//!
//! sqlx's `QueryBuilder` would be the crate's answer, but through the `Any` driver it writes `?`
//! placeholders, which Postgres refuses; `$n` is what both backends accept (see `store/mod.rs`).

use std::fmt::Write;

use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::{QueryAs, QueryScalar};
use sqlx::{Any, FromRow};

use super::Backend;

/// One bound value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Bind {
    Text(String),
    Int(i64),
}

impl From<String> for Bind {
    fn from(v: String) -> Self {
        Bind::Text(v)
    }
}

impl From<&str> for Bind {
    fn from(v: &str) -> Self {
        Bind::Text(v.to_owned())
    }
}

impl From<i64> for Bind {
    fn from(v: i64) -> Self {
        Bind::Int(v)
    }
}

/// A statement being built.
#[derive(Debug, Clone)]
pub(crate) struct Sql {
    text: String,
    binds: Vec<Bind>,
}

impl Sql {
    /// Starts with fixed text.
    pub(crate) fn new(text: &'static str) -> Self {
        Sql { text: text.to_owned(), binds: Vec::new() }
    }

    /// Appends fixed text.
    pub(crate) fn push(&mut self, text: &'static str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends the next placeholder, bound to `value`.
    pub(crate) fn bind(&mut self, value: impl Into<Bind>) -> &mut Self {
        self.binds.push(value.into());
        // Writing to a String cannot fail.
        let _ = write!(self.text, "${}", self.binds.len());
        self
    }

    /// Appends `$n, $n+1, …`, one placeholder per value (for `IN (…)`; the caller makes sure
    /// there is at least one).
    pub(crate) fn bind_list<B: Into<Bind>>(&mut self, values: impl IntoIterator<Item = B>) -> &mut Self {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self
    }

    /// The same statement after fixed text (`EXPLAIN …`), with the same values bound.
    pub(crate) fn prefixed(&self, prefix: &'static str) -> Self {
        Sql { text: format!("{prefix}{}", self.text), binds: self.binds.clone() }
    }

    /// The statement's text.
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The statement as a query mapping rows to `T`, every value bound.
    pub(crate) fn query_as<'q, T>(&self) -> QueryAs<'q, Any, T, AnyArguments>
    where
        T: for<'r> FromRow<'r, AnyRow>,
    {
        let mut query = sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(self.text.clone()));
        for b in &self.binds {
            query = match b {
                Bind::Text(s) => query.bind(s.clone()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query
    }

    /// The statement as a query of one column of type `T`, every value bound.
    pub(crate) fn query_scalar<'q, T>(&self) -> QueryScalar<'q, Any, T, AnyArguments>
    where
        (T,): for<'r> FromRow<'r, AnyRow>,
    {
        let mut query = sqlx::query_scalar::<_, T>(sqlx::AssertSqlSafe(self.text.clone()));
        for b in &self.binds {
            query = match b {
                Bind::Text(s) => query.bind(s.clone()),
                Bind::Int(i) => query.bind(*i),
            };
        }
        query
    }
}

/// `($1, $2, …), (…)` for `rows` rows of `cols` columns; on SQLite `(?, ?, …), (…)`, bound in
/// the same order. SQLite's are anonymous because sqlx finds the argument of a numbered one by
/// asking SQLite for its name, which scans the statement's parameter list: quadratic in the
/// parameters of a statement, and with 500 rows of 4 and 9 it was half of an import's CPU time.
pub(super) fn placeholders(backend: Backend, rows: usize, cols: usize) -> String {
    let mut out = String::with_capacity(rows * cols * 7);
    for r in 0..rows {
        out.push_str(if r == 0 { "(" } else { ", (" });
        for c in 1..=cols {
            if c > 1 {
                out.push_str(", ");
            }
            match backend {
                Backend::Sqlite => out.push('?'),
                Backend::Postgres => {
                    out.push('$');
                    out.push_str(&(r * cols + c).to_string());
                }
            }
        }
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{Bind, Sql};

    #[test]
    fn placeholders_number_every_cell() {
        assert_eq!(super::placeholders(super::Backend::Postgres, 2, 2), "($1, $2), ($3, $4)");
    }

    #[test]
    fn sqlite_placeholders_are_positional() {
        assert_eq!(super::placeholders(super::Backend::Sqlite, 2, 2), "(?, ?), (?, ?)");
    }

    #[test]
    fn placeholders_are_numbered_in_binding_order_and_values_stay_out_of_the_text() {
        let mut sql = Sql::new("SELECT id FROM t WHERE tenant_id = ");
        sql.bind("x'; DROP TABLE t; --").push(" AND n > ").bind(3_i64).push(" AND k IN (");
        sql.bind_list(["a", "b"]).push(") LIMIT ").bind(11_i64);
        assert_eq!(sql.text(), "SELECT id FROM t WHERE tenant_id = $1 AND n > $2 AND k IN ($3, $4) LIMIT $5");
        assert_eq!(
            sql.binds,
            vec![
                Bind::Text("x'; DROP TABLE t; --".into()),
                Bind::Int(3),
                Bind::Text("a".into()),
                Bind::Text("b".into()),
                Bind::Int(11)
            ]
        );
    }
}
