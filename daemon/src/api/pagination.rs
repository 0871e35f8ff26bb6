//! List parameters (`limit`, `offset`, `cursor`, `sort`) and the page envelope with its `Link` header.

use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{FieldError, Page};
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::store::{ListQuery, Paging, SortKey};

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size.
pub const MAX_LIMIT: i64 = 1000;

/// The paging query parameters every list takes.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)] // a misspelled filter is a 400 naming it, never a silently wider list
pub struct ListParams {
    /// Page size, 1-1000 (default 50).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Rows to skip (offset paging).
    #[param(minimum = 0)]
    pub offset: Option<i64>,
    /// Opaque cursor from `next_cursor` (keyset paging; not combinable with `offset` or `sort`).
    pub cursor: Option<String>,
    /// Comma-separated fields, `-` for descending: `sort=name,-created_at`.
    pub sort: Option<String>,
}

impl ListParams {
    /// Validates against the resource's sortable fields.
    pub fn to_query(&self, sortable: &[&'static str]) -> Result<ListQuery, ApiError> {
        let mut errors = Vec::new();
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError {
                field: "query.limit".into(),
                message: format!("must be between 1 and {MAX_LIMIT}"),
            });
        }
        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            errors.push(FieldError { field: "query.offset".into(), message: "must not be negative".into() });
        }
        let mut sort = Vec::new();
        if let Some(spec) = &self.sort {
            for part in spec.split(',').filter(|p| !p.is_empty()) {
                let (desc, name) = match part.strip_prefix('-') {
                    Some(n) => (true, n),
                    None => (false, part.strip_prefix('+').unwrap_or(part)),
                };
                match sortable.iter().find(|s| **s == name) {
                    Some(column) => sort.push(SortKey { column, desc }),
                    None => errors.push(FieldError {
                        field: "query.sort".into(),
                        message: format!("cannot sort by {name:?}; sortable: {}", sortable.join(", ")),
                    }),
                }
            }
        }
        let paging = match &self.cursor {
            Some(c) => {
                if self.offset.is_some() || !sort.is_empty() {
                    errors.push(FieldError {
                        field: "query.cursor".into(),
                        message: "cannot be combined with offset or sort".into(),
                    });
                }
                match ListQuery::decode_cursor(c) {
                    Some(p) => p,
                    None => {
                        errors.push(FieldError {
                            field: "query.cursor".into(),
                            message: "not a valid cursor".into(),
                        });
                        Paging::Offset(0)
                    }
                }
            }
            None => Paging::Offset(offset),
        };
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        Ok(ListQuery { limit, paging, sort })
    }
}

/// Builds the envelope from rows fetched with `limit + 1` (the extra row says a next page exists).
pub fn page<T: Serialize>(
    mut rows: Vec<T>,
    total: i64,
    q: &ListQuery,
    key: impl Fn(&T) -> (String, String),
    uri: &Uri,
) -> PageResponse<T> {
    let limit = usize::try_from(q.limit).unwrap_or(0);
    let has_more = rows.len() > limit;
    rows.truncate(limit);
    let (offset, next_cursor) = match &q.paging {
        Paging::Offset(o) => (*o, None),
        Paging::After { .. } => (0, None),
    };
    let cursor_mode = matches!(q.paging, Paging::After { .. });
    let next_cursor = if has_more && (cursor_mode || q.sort.is_empty()) {
        rows.last().map(|r| {
            let (created, id) = key(r);
            ListQuery::cursor_for(&created, &id)
        })
    } else {
        next_cursor
    };
    let mut links = Vec::new();
    if cursor_mode {
        if let Some(c) = &next_cursor {
            links.push(format!(
                "<{}>; rel=\"next\"",
                with_params(uri, &[("cursor", c.clone())], &["offset", "cursor"])
            ));
        }
    } else {
        if has_more {
            let next = offset.saturating_add(q.limit).to_string();
            links.push(format!(
                "<{}>; rel=\"next\"",
                with_params(uri, &[("offset", next)], &["offset", "cursor"])
            ));
        }
        if offset > 0 {
            let prev = (offset - q.limit).max(0).to_string();
            links.push(format!(
                "<{}>; rel=\"prev\"",
                with_params(uri, &[("offset", prev)], &["offset", "cursor"])
            ));
        }
    }
    PageResponse {
        page: Page { items: rows, total, limit: q.limit, offset, next_cursor },
        link: links.join(", "),
    }
}

/// The envelope of an offset-paged list without sort choices: `rows` is the page itself.
pub fn offset_page<T: Serialize>(
    rows: Vec<T>,
    total: i64,
    limit: i64,
    offset: i64,
    uri: &Uri,
) -> PageResponse<T> {
    let mut links = Vec::new();
    if offset.saturating_add(limit) < total {
        let next = offset.saturating_add(limit).to_string();
        links.push(format!("<{}>; rel=\"next\"", with_params(uri, &[("offset", next)], &["offset"])));
    }
    if offset > 0 {
        let prev = (offset - limit).max(0).to_string();
        links.push(format!("<{}>; rel=\"prev\"", with_params(uri, &[("offset", prev)], &["offset"])));
    }
    PageResponse {
        page: Page { items: rows, total, limit, offset, next_cursor: None },
        link: links.join(", "),
    }
}

/// The `Link` header of a cursor-paged list: `rel="next"` with `cursor` replaced, or empty on the
/// last page.
pub fn next_link(uri: &Uri, cursor: Option<&str>) -> String {
    match cursor {
        Some(c) => format!("<{}>; rel=\"next\"", with_params(uri, &[("cursor", c.to_owned())], &["cursor"])),
        None => String::new(),
    }
}

/// `uri` with `drop` parameters removed and `set` appended.
fn with_params(uri: &Uri, set: &[(&str, String)], drop: &[&str]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes()) {
        if !drop.contains(&k.as_ref()) {
            ser.append_pair(&k, &v);
        }
    }
    for (k, v) in set {
        ser.append_pair(k, v);
    }
    format!("{}?{}", uri.path(), ser.finish())
}

/// A page and its `Link` header.
#[derive(Debug)]
pub struct PageResponse<T> {
    /// The envelope.
    pub page: Page<T>,
    /// The `Link` header value (empty when there is no other page).
    pub link: String,
}

impl<T: Serialize> IntoResponse for PageResponse<T> {
    fn into_response(self) -> Response {
        let mut resp = axum::Json(self.page).into_response();
        if !self.link.is_empty()
            && let Ok(v) = HeaderValue::from_str(&self.link)
        {
            resp.headers_mut().insert(header::LINK, v);
        }
        resp
    }
}
