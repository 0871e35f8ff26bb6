//! `/registry-credentials`: a tenant's logins for pulling its private container images.
//! Write-only: created and deleted by tenant admins, listed without the password, sealed at rest
//! with the daemon's git credentials key (see `sources::credential_key`), used only for that
//! tenant's image scans of that registry.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{CreateRegistryCredential, RegistryCredential, RegistryCredentialId, Role, Scope};

use super::conventions::{no_content, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::sources::credential_key::CredentialKey;
use crate::sources::credentials::MAX_SECRET_BYTES;
use crate::sources::image::{RegistrySecret, check_registry};
use crate::state::AppState;
use crate::store::ts;

/// Tenant administration: an `admin` key (or a session) of a tenant admin or owner.
const ACCESS: (Scope, Role) = (Scope::Admin, Role::Admin);

/// The key, or 409 when the daemon has none (nothing could be stored or used).
fn key(state: &AppState) -> Result<&Arc<CredentialKey>, ApiError> {
    state.git_credentials.as_ref().ok_or_else(|| {
        ApiError::new(
            Kind::GitCredentialsDisabled,
            "this daemon has no git_credentials_key_file configured, so it cannot store registry credentials",
        )
    })
}

/// Lists the tenant's registry credentials (never their passwords).
#[utoipa::path(get, operation_id = "registry_credentials_list", path = "/registry-credentials", tag = "registry-credentials", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Credentials, without passwords", body = cairn_sdk::types::Page<RegistryCredential>),
        (status = 400, description = "Invalid paging or sort", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No credentials key configured", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<RegistryCredential>, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    key(&state)?;
    let q = params.to_query(&["registry", "created_at"])?;
    let (rows, total) = state.store.registry_credential_list(ctx.tenant, &q).await?;
    Ok(page(rows, total, &q, |c| (ts(c.created_at), c.id.to_string()), &uri))
}

/// Adds a user name and password for a registry. The answer shows what was stored, never the
/// password.
#[utoipa::path(post, operation_id = "registry_credentials_create", path = "/registry-credentials", tag = "registry-credentials", security(("bearer" = [])), request_body = CreateRegistryCredential,
    responses((status = 201, description = "Stored; the password is never shown", body = RegistryCredential),
        (status = 400, description = "Invalid fields", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No credentials key configured, or the tenant has a credential for this registry", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateRegistryCredential>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let key = key(&state)?;
    let mut check = Check::new();
    let registry = check_registry(&req.registry).map_err(|m| check.fail("body.registry", m)).ok();
    check.text("body.username", &req.username, 256);
    if req.username.contains(':') {
        check.fail("body.username", "must not contain ':'");
    }
    if req.password.is_empty() || req.password.len() > MAX_SECRET_BYTES {
        check.fail("body.password", format!("must hold 1 to {MAX_SECRET_BYTES} bytes"));
    } else if req.password.chars().any(char::is_control) {
        check.fail("body.password", "must not contain control characters");
    }
    check.finish()?;
    let registry = registry.ok_or_else(|| ApiError::internal("registry check left the field unset"))?;
    let secret = RegistrySecret::new(&req.username, &req.password);
    let plain = serde_json::to_vec(&secret).map_err(ApiError::internal)?;
    let sealed = key.seal(ctx.tenant, &plain).map_err(ApiError::internal)?;
    let created = state
        .store
        .registry_credential_create(ctx.tenant, principal.user.id, &registry, &req.username, &sealed)
        .await?;
    let location = format!("/api/v1/registry-credentials/{}", created.id);
    Ok(with_location((StatusCode::CREATED, axum::Json(created)).into_response(), &location))
}

/// Deletes one of the tenant's registry credentials.
#[utoipa::path(delete, operation_id = "registry_credentials_delete", path = "/registry-credentials/{id}", tag = "registry-credentials", security(("bearer" = [])),
    params(("id" = RegistryCredentialId, Path, description = "Credential id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such credential in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No credentials key configured", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<RegistryCredentialId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    key(&state)?;
    state.store.registry_credential_delete(ctx.tenant, id).await?;
    Ok(no_content())
}
