//! `/events`: the tenant's event stream (scans ending, findings appearing, …) read by `seq`, so a
//! client that remembers the last `seq` it saw can ask for exactly what it missed.

use axum::extract::State;
use cairn_sdk::types::{EventFeed, EventKind, Role, Scope};
use serde::Deserialize;

use super::extract::Query;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;

/// Largest page.
const MAX_LIMIT: i64 = 1000;
/// Default page.
const DEFAULT_LIMIT: i64 = 100;

/// Where to start and what to read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct EventParams {
    /// Events with a greater `seq` (default 0: from the first).
    #[param(minimum = 0)]
    pub after: Option<i64>,
    /// At most this many, 1-1000 (default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
    /// Only these kinds, comma-separated (`scan.completed,finding.new`).
    #[serde(rename = "type")]
    #[param(rename = "type")]
    pub kinds: Option<String>,
}

/// The tenant's events after `after`, oldest first.
#[utoipa::path(get, operation_id = "events_list", path = "/events", tag = "events", security(("bearer" = [])),
    params(EventParams),
    responses((status = 200, description = "Events", body = EventFeed),
        (status = 400, description = "Invalid parameters", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not signed in", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing scope or role", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(p): Query<EventParams>,
) -> Result<axum::Json<EventFeed>, ApiError> {
    let ctx = principal.tenant_access(Scope::ProjectRead, Role::Viewer)?;
    let after = p.after.unwrap_or(0);
    if after < 0 {
        return Err(ApiError::field("query.after", "must be 0 or more"));
    }
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::field("query.limit", format!("must be between 1 and {MAX_LIMIT}")));
    }
    let kinds = parse_kinds(p.kinds.as_deref().unwrap_or_default())
        .map_err(|e| ApiError::field("query.type", e.to_string()))?;
    // Read the latest seq first: the items can only reach past it, never stop short of it unseen.
    let latest_seq = state.store.event_last_seq(ctx.tenant).await?;
    let items = state.store.events_after(ctx.tenant, after, limit, &kinds).await?;
    Ok(axum::Json(EventFeed { items, latest_seq }))
}

/// `?type=`: event kinds, comma-separated, each trimmed; empty is every kind. The document states
/// the same rule as a pattern (`api::contract`, held to this by a test).
pub fn parse_kinds(list: &str) -> Result<Vec<EventKind>, cairn_sdk::types::UnknownWord> {
    if list.is_empty() {
        return Ok(Vec::new());
    }
    list.split(',').map(|k| k.trim().parse::<EventKind>()).collect()
}
