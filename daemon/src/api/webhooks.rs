//! `/webhooks`: a tenant's outbound webhooks (tenant admins, or an API key with `webhook:write`).
//! The signing secret is shown once, by create and rotate-secret, and never again; idempotent
//! replays of those withhold it (see `idempotency`).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{
    CreateWebhook, CreatedWebhook, EventKind, QueuedDelivery, Role, RotatedWebhookSecret, Scope,
    UpdateWebhook, Webhook, WebhookDelivery, WebhookDeliveryId, WebhookId,
};

use super::conventions::{if_match, no_content, with_etag, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::{WebhookSettings, now, ts};
use crate::webhooks::{allow_private, secret, target};

/// Webhook administration.
const ACCESS: (Scope, Role) = (Scope::WebhookWrite, Role::Admin);
/// Most event kinds and projects one webhook may name.
const MAX_FILTERS: usize = 100;

/// Lists the tenant's webhooks (never their secrets).
#[utoipa::path(get, operation_id = "webhooks_list", path = "/webhooks", tag = "webhooks", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Webhooks, without secrets", body = cairn_sdk::types::Page<Webhook>),
        (status = 400, description = "Invalid paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a tenant admin, or the key lacks webhook:write", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<Webhook>, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let q = params.to_query(&["created_at", "url"])?;
    let (rows, total) = state.store.webhook_list(ctx.tenant, &q).await?;
    Ok(page(rows, total, &q, |w| (ts(w.created_at), w.id.to_string()), &uri))
}

/// Adds a webhook. The answer holds the signing secret, shown only now.
#[utoipa::path(post, operation_id = "webhooks_create", path = "/webhooks", tag = "webhooks", security(("bearer" = [])), request_body = CreateWebhook,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries (without the secret)")),
    responses((status = 201, description = "Created; `secret` is shown only now", body = CreatedWebhook),
        (status = 400, description = "Invalid fields, or a refused target (`body.url`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a tenant admin, or the key lacks webhook:write", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateWebhook>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let mut check = Check::new();
    let url = checked_url(&state, &mut check, &req.url).await;
    check_filters(&mut check, &req.events, req.projects.as_deref());
    if let Some(s) = &req.secret
        && let Err(m) = secret::check(s)
    {
        check.fail("body.secret", m);
    }
    check.finish()?;
    let plain = req.secret.clone().unwrap_or_else(secret::generate);
    let stored =
        secret::store(state.git_credentials.as_deref(), ctx.tenant, &plain).map_err(ApiError::internal)?;
    let settings = WebhookSettings {
        url: url.as_deref().unwrap_or(&req.url),
        events: &req.events,
        projects: req.projects.as_deref(),
        min_severity: req.min_severity,
    };
    let webhook = state.store.webhook_create(ctx.tenant, principal.user.id, &settings, &stored).await?;
    let location = format!("/api/v1/webhooks/{}", webhook.id);
    let mut resp =
        (StatusCode::CREATED, axum::Json(CreatedWebhook { webhook, secret: plain })).into_response();
    resp.extensions_mut().insert(super::idempotency::OneTimeSecret);
    Ok(with_location(resp, &location))
}

/// One webhook (never its secret).
#[utoipa::path(get, operation_id = "webhooks_get", path = "/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = WebhookId, Path, description = "Webhook id")),
    responses((status = 200, description = "The webhook; `ETag` is its version, for `PUT`'s `If-Match`", body = Webhook),
        (status = 403, description = "Not a tenant admin, or the key lacks webhook:write", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<WebhookId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let webhook = state.store.webhook_get(ctx.tenant, id).await?;
    Ok(with_etag(StatusCode::OK, webhook.version, &webhook))
}

/// Replaces a webhook's URL and filters (the secret changes only through rotate-secret); needs
/// `If-Match` with the version read, like every other change of a versioned row.
#[utoipa::path(put, operation_id = "webhooks_update", path = "/webhooks/{id}", tag = "webhooks", security(("bearer" = [])), request_body = UpdateWebhook,
    params(("id" = WebhookId, Path, description = "Webhook id"), ("If-Match" = String, Header, description = "ETag of the version read")),
    responses((status = 200, description = "The webhook as changed", body = Webhook),
        (status = 400, description = "Invalid fields, or a refused target (`body.url`)", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a tenant admin, or the key lacks webhook:write", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed meanwhile; `current_version` says to what", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<WebhookId>,
    headers: HeaderMap,
    Json(req): Json<UpdateWebhook>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    // `*` (None) changes whatever version is current.
    let expected = if_match(&headers)?;
    let mut check = Check::new();
    let url = checked_url(&state, &mut check, &req.url).await;
    check_filters(&mut check, &req.events, req.projects.as_deref());
    check.finish()?;
    let settings = WebhookSettings {
        url: url.as_deref().unwrap_or(&req.url),
        events: &req.events,
        projects: req.projects.as_deref(),
        min_severity: req.min_severity,
    };
    let webhook = state.store.webhook_update(ctx.tenant, id, &settings, expected).await?;
    Ok(with_etag(StatusCode::OK, webhook.version, &webhook))
}

/// Deletes a webhook and its deliveries.
#[utoipa::path(delete, operation_id = "webhooks_delete", path = "/webhooks/{id}", tag = "webhooks", security(("bearer" = [])),
    params(("id" = WebhookId, Path, description = "Webhook id")),
    responses((status = 204, description = "Deleted"),
        (status = 403, description = "Not a tenant admin, or the key lacks webhook:write", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<WebhookId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    state.store.webhook_delete(ctx.tenant, id).await?;
    Ok(no_content())
}

/// Queues a `webhook.ping` delivery (an envelope in no event stream) to test the receiver.
#[utoipa::path(post, operation_id = "webhooks_ping", path = "/webhooks/{id}/ping", tag = "webhooks", security(("bearer" = [])),
    params(("id" = WebhookId, Path, description = "Webhook id")),
    responses((status = 202, description = "Queued; see the deliveries list for the outcome", body = QueuedDelivery),
        (status = 403, description = "Not a tenant admin, or the key lacks webhook:write", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn ping(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<WebhookId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let event = cairn_sdk::types::Event {
        version: cairn_sdk::types::EVENT_ENVELOPE_VERSION,
        id: cairn_sdk::types::EventId::new(),
        kind: EventKind::WebhookPing,
        // Pings are in no stream: no position in it.
        seq: 0,
        tenant: ctx.tenant,
        created_at: now(),
        project: None,
        severity: None,
        data: serde_json::json!({ "webhook": id }),
    };
    let delivery = state.store.webhook_ping_queue(ctx.tenant, id, &event).await?;
    state.webhook_wake.notify_one();
    Ok((StatusCode::ACCEPTED, axum::Json(QueuedDelivery { id: delivery, event: event.id })).into_response())
}

/// A webhook's deliveries, oldest first, each with its attempts (status, answer code, latency,
/// error, the start of the answer).
#[utoipa::path(get, operation_id = "webhooks_deliveries", path = "/webhooks/{id}/deliveries", tag = "webhooks", security(("bearer" = [])),
    params(("id" = WebhookId, Path, description = "Webhook id"), ListParams),
    responses((status = 200, description = "Deliveries", body = cairn_sdk::types::Page<WebhookDelivery>),
        (status = 400, description = "Invalid paging", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a tenant admin, or the key lacks webhook:write", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn deliveries(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<WebhookId>,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<WebhookDelivery>, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let q = params.to_query(&["created_at"])?;
    let (rows, total) = state.store.webhook_deliveries_list(ctx.tenant, id, &q).await?;
    Ok(page(rows, total, &q, |d| (ts(d.created_at), d.id.to_string()), &uri))
}

/// Sends a delivery again now, with a fresh retry period; the body (and event id) is the same.
#[utoipa::path(post, operation_id = "webhooks_redeliver", path = "/webhooks/{id}/deliveries/{did}/redeliver", tag = "webhooks", security(("bearer" = [])),
    params(("id" = WebhookId, Path, description = "Webhook id"), ("did" = WebhookDeliveryId, Path, description = "Delivery id")),
    responses((status = 202, description = "Queued again", body = QueuedDelivery),
        (status = 403, description = "Not a tenant admin, or the key lacks webhook:write", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook or delivery in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The delivery is being sent now", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn redeliver(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, did)): Path<(WebhookId, WebhookDeliveryId)>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let event = state.store.webhook_delivery_redeliver(ctx.tenant, id, did).await?;
    state.webhook_wake.notify_one();
    Ok((StatusCode::ACCEPTED, axum::Json(QueuedDelivery { id: did, event })).into_response())
}

/// Makes a new signing secret, shown only now; the previous one keeps signing (a second `v1=`)
/// for `[webhooks] rotation_grace_secs`.
#[utoipa::path(post, operation_id = "webhooks_rotate_secret", path = "/webhooks/{id}/rotate-secret", tag = "webhooks", security(("bearer" = [])),
    params(("id" = WebhookId, Path, description = "Webhook id"), ("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries (without the secret)")),
    responses((status = 200, description = "Rotated; `secret` is shown only now", body = RotatedWebhookSecret),
        (status = 403, description = "Not a tenant admin, or the key lacks webhook:write", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<WebhookId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let plain = secret::generate();
    let stored =
        secret::store(state.git_credentials.as_deref(), ctx.tenant, &plain).map_err(ApiError::internal)?;
    let grace =
        time::Duration::seconds(i64::try_from(state.config.webhooks.rotation_grace_secs).unwrap_or(86_400));
    let webhook = state.store.webhook_rotate_secret(ctx.tenant, id, &stored, now() + grace).await?;
    let mut resp =
        (StatusCode::OK, axum::Json(RotatedWebhookSecret { webhook, secret: plain })).into_response();
    resp.extensions_mut().insert(super::idempotency::OneTimeSecret);
    Ok(resp)
}

/// The URL, checked and resolved: a refused target is a field error on `body.url`.
async fn checked_url(state: &AppState, check: &mut Check, raw: &str) -> Option<String> {
    let url = match target::parse(raw) {
        Ok(u) => u,
        Err(e) => {
            check.fail("body.url", e.to_string());
            return None;
        }
    };
    match target::resolve(&url, allow_private(state), state.config.webhooks.timeout()).await {
        Ok(_) => Some(url.to_string()),
        Err(e) => {
            check.fail("body.url", e.to_string());
            None
        }
    }
}

fn check_filters(check: &mut Check, events: &[EventKind], projects: Option<&[cairn_sdk::types::ProjectId]>) {
    if events.is_empty() {
        check.fail("body.events", "name at least one event kind");
    } else if events.len() > MAX_FILTERS {
        check.fail("body.events", format!("at most {MAX_FILTERS} kinds"));
    }
    let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    for (i, kind) in events.iter().enumerate() {
        if !EventKind::ALL.contains(kind) {
            check.fail(
                &format!("body.events[{i}]"),
                format!("unknown event kind; one of {}", known.join(", ")),
            );
        }
    }
    if projects.is_some_and(|p| p.is_empty() || p.len() > MAX_FILTERS) {
        check.fail("body.projects", format!("name 1 to {MAX_FILTERS} projects, or leave it out for all"));
    }
}

#[cfg(test)]
mod tests {
    use cairn_sdk::types::{CreateWebhook, UpdateWebhook};
    use serde_json::Value;

    use super::MAX_FILTERS;
    use crate::webhooks::secret::SECRET_LEN;

    /// The bounds the document states are the ones `check_filters` and `secret::check` apply.
    #[test]
    fn the_documented_bounds_are_the_checks() {
        for schema in [
            serde_json::to_value(<CreateWebhook as utoipa::PartialSchema>::schema()).expect("schema"),
            serde_json::to_value(<UpdateWebhook as utoipa::PartialSchema>::schema()).expect("schema"),
        ] {
            for list in ["events", "projects"] {
                let p = &schema["properties"][list];
                assert_eq!(
                    (p["minItems"].as_u64(), p["maxItems"].as_u64()),
                    (Some(1), Some(MAX_FILTERS as u64)),
                    "{list}"
                );
            }
        }
        let create =
            serde_json::to_value(<CreateWebhook as utoipa::PartialSchema>::schema()).expect("schema");
        let secret = &create["properties"]["secret"];
        assert_eq!(secret["minLength"].as_u64(), Some(*SECRET_LEN.start() as u64));
        assert_eq!(secret["maxLength"].as_u64(), Some(*SECRET_LEN.end() as u64));
        assert_eq!(secret["pattern"], Value::from("^[!-~]+$"));
        // `[!-~]` is what `is_ascii_graphic` accepts.
        assert!((0u8..=127).all(|b| b.is_ascii_graphic() == (b'!'..=b'~').contains(&b)));
    }
}
