//! Paged lists: one page at a time, or every item as an async `Stream` that follows `next_cursor`
//! (cursor-paged lists) or advances `offset` (offset-paged lists) until the last page.

use std::collections::VecDeque;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use reqwest::Method;
use serde::de::DeserializeOwned;

use super::{Client, Error, Req};
use crate::types::Page;

/// Paging, sorting and filters of a list request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    /// Page size (the daemon's default is 50, its maximum 1000).
    pub limit: Option<u32>,
    /// Rows to skip (offset paging).
    pub offset: Option<u64>,
    /// Opaque cursor from a previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// `field,-field`.
    pub sort: Option<String>,
    /// Resource filters as query parameters (`name=…`, `status=…`).
    pub filters: Vec<(String, String)>,
}

impl ListQuery {
    /// A query with a page size.
    pub fn limit(limit: u32) -> Self {
        Self { limit: Some(limit), ..Self::default() }
    }

    /// Adds a filter.
    pub fn filter(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.filters.push((key.into(), value.into()));
        self
    }

    /// Sets the sort order.
    pub fn sort(mut self, sort: impl Into<String>) -> Self {
        self.sort = Some(sort.into());
        self
    }

    /// The query string pairs.
    pub fn pairs(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if let Some(l) = self.limit {
            q.push(("limit".to_owned(), l.to_string()));
        }
        if let Some(c) = &self.cursor {
            q.push(("cursor".to_owned(), c.clone()));
        } else if let Some(o) = self.offset {
            q.push(("offset".to_owned(), o.to_string()));
        }
        if let Some(s) = &self.sort {
            q.push(("sort".to_owned(), s.clone()));
        }
        q.extend(self.filters.iter().cloned());
        q
    }

    /// The query for the page after `page`, or `None` when `page` was the last.
    pub fn next<T>(&self, page: &Page<T>) -> Option<ListQuery> {
        if let Some(cursor) = &page.next_cursor {
            return Some(ListQuery { cursor: Some(cursor.clone()), offset: None, ..self.clone() });
        }
        if self.cursor.is_some() || page.items.is_empty() {
            return None;
        }
        let next = u64::try_from(page.offset).ok()? + page.items.len() as u64;
        (next < u64::try_from(page.total).ok()?).then(|| ListQuery { offset: Some(next), ..self.clone() })
    }
}

impl Client {
    /// One page of the list at `path`.
    pub(crate) async fn page<T: DeserializeOwned>(
        &self,
        path: &str,
        q: &ListQuery,
    ) -> Result<Page<T>, Error> {
        self.json(Req::new(Method::GET, path).query(q.pairs())).await
    }

    /// Every item of the list at `path`, fetched a page at a time as the stream is polled.
    pub(crate) fn paginate<T: DeserializeOwned + Send + 'static>(
        &self,
        path: String,
        q: ListQuery,
    ) -> BoxStream<'static, Result<T, Error>> {
        struct State<T> {
            client: Client,
            path: String,
            next: Option<ListQuery>,
            buffer: VecDeque<T>,
        }
        let state = State { client: self.clone(), path, next: Some(q), buffer: VecDeque::new() };
        futures_util::stream::try_unfold(state, |mut s| async move {
            loop {
                if let Some(item) = s.buffer.pop_front() {
                    return Ok(Some((item, s)));
                }
                let Some(q) = s.next.take() else { return Ok(None) };
                let page: Page<T> = s.client.page(&s.path, &q).await?;
                s.next = q.next(&page);
                s.buffer.extend(page.items);
            }
        })
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(n: usize, total: i64, offset: i64, cursor: Option<&str>) -> Page<u8> {
        Page { items: vec![0; n], total, limit: 2, offset, next_cursor: cursor.map(str::to_owned) }
    }

    #[test]
    fn offset_paging_advances_until_total() {
        let q = ListQuery::limit(2).filter("name", "a b");
        let n = q.next(&page(2, 5, 0, None)).expect("second page");
        assert_eq!(n.offset, Some(2));
        assert_eq!(
            n.pairs(),
            [("limit", "2"), ("offset", "2"), ("name", "a b")].map(|(a, b)| (a.into(), b.into()))
        );
        assert!(n.next(&page(2, 4, 2, None)).is_none(), "last page");
        assert!(q.next(&page(0, 5, 0, None)).is_none(), "an empty page ends the list");
    }

    #[test]
    fn cursor_paging_follows_next_cursor_and_stops_without_one() {
        let q = ListQuery::limit(2);
        let n = q.next(&page(2, 0, 0, Some("c2"))).expect("cursor page");
        assert_eq!(n.cursor.as_deref(), Some("c2"));
        assert!(n.pairs().iter().all(|(k, _)| k != "offset"));
        assert!(n.next(&page(2, 0, 0, None)).is_none());
    }
}
