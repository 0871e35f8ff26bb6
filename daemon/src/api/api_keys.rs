//! `/api-keys`: the caller's keys in the current tenant. The secret is returned once, at creation.

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{ApiKey, ApiKeyId, CreateApiKey, CreatedApiKey, Role, Scope};

use super::conventions::{no_content, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use crate::accounts::{Accounts, IssuedKey, KeySpec, Origin};
use crate::auth::Principal;
use crate::auth::principal::Credential;
use crate::error::ApiError;
use crate::state::AppState;
use crate::store::ts;

/// Keys are managed by their owner with a session, or by a key holding `admin`.
const ACCESS: (Scope, Role) = (Scope::Admin, Role::Viewer);

/// Lists the caller's keys.
#[utoipa::path(get, operation_id = "api_keys_list", path = "/api-keys", tag = "api-keys", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Keys", body = cairn_sdk::types::Page<ApiKey>)))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<ApiKey>, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let q = params.to_query(&["name", "created_at", "last_used_at"])?;
    let (rows, total) = state.store.api_key_list(ctx.tenant, principal.user.id, &q).await?;
    Ok(page(rows, total, &q, |k| (ts(k.created_at), k.id.to_string()), &uri))
}

/// Creates a key; the response holds the secret, which is not retrievable later.
#[utoipa::path(post, operation_id = "api_keys_create", path = "/api-keys", tag = "api-keys", security(("bearer" = [])), request_body = CreateApiKey,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for retries")),
    responses((status = 201, description = "Created; `secret` is shown only now", body = CreatedApiKey),
        (status = 400, description = "Invalid fields", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateApiKey>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let spec = KeySpec {
        name: &req.name,
        environment: req.environment,
        scopes: &req.scopes,
        expires_at: req.expires_at,
        not_after: match &principal.credential {
            Credential::ApiKey { expires_at, .. } => *expires_at,
            _ => None,
        },
    };
    let IssuedKey { key, secret } =
        Accounts::new(&state.store, Origin::Api).issue_key(ctx.tenant, principal.user.id, &spec).await?;
    let location = format!("/api/v1/api-keys/{}", key.id);
    let mut resp = (StatusCode::CREATED, axum::Json(CreatedApiKey { key, secret })).into_response();
    resp.extensions_mut().insert(super::idempotency::OneTimeSecret);
    Ok(with_location(resp, &location))
}

/// Revokes one of the caller's keys.
#[utoipa::path(delete, operation_id = "api_keys_delete", path = "/api-keys/{id}", tag = "api-keys", security(("bearer" = [])),
    params(("id" = ApiKeyId, Path, description = "Key id")),
    responses((status = 204, description = "Revoked"),
        (status = 404, description = "No such key of yours", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ApiKeyId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    state.store.api_key_revoke(ctx.tenant, principal.user.id, id).await?;
    Ok(no_content())
}

/// One of the caller's keys (without its secret).
#[utoipa::path(get, operation_id = "api_keys_get", path = "/api-keys/{id}", tag = "api-keys", security(("bearer" = [])),
    params(("id" = ApiKeyId, Path, description = "Key id")),
    responses((status = 200, description = "The key", body = ApiKey),
        (status = 404, description = "No such key of yours", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<ApiKeyId>,
) -> Result<axum::Json<ApiKey>, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    Ok(axum::Json(state.store.api_key_get(ctx.tenant, principal.user.id, id).await?.wire))
}
