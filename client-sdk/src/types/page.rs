//! The list envelope every list endpoint returns.

use serde::{Deserialize, Serialize};

/// One page of a list. With offset paging `next_cursor` is null; with cursor paging `offset` is 0
/// and `next_cursor` fetches the following page (null on the last one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many items match, across all pages.
    pub total: i64,
    /// The page size used.
    pub limit: i64,
    /// The offset used.
    pub offset: i64,
    /// Opaque cursor for the next page, when there is one.
    pub next_cursor: Option<String>,
}
