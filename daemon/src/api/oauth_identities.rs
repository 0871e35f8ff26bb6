//! `/users/me/oauth-identities`: the provider accounts the caller can log in with; unlinking
//! refuses to leave an account with no way in.

use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use cairn_sdk::types::{OAuthIdentity, OAuthIdentityId};

use super::conventions::no_content;
use super::extract::{Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use crate::auth::{Access, Principal};
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{UnlinkOutcome, ts};

/// Lists the caller's linked identities.
#[utoipa::path(get, operation_id = "oauth_identities_list", path = "/users/me/oauth-identities", tag = "auth", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Identities", body = cairn_sdk::types::Page<OAuthIdentity>),
        (status = 401, description = "Not authenticated", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<OAuthIdentity>, ApiError> {
    principal.check(Access::Account { write: false })?;
    let q = params.to_query(&["provider", "created_at"])?;
    let (rows, total) = state.store.oauth_identity_list(principal.user.id, &q).await?;
    Ok(page(rows, total, &q, |i| (ts(i.created_at), i.id.to_string()), &uri))
}

/// Unlinks one of the caller's identities (409 `LAST_LOGIN_METHOD` if it is their only way in).
#[utoipa::path(delete, operation_id = "oauth_identities_delete", path = "/users/me/oauth-identities/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = OAuthIdentityId, Path, description = "Identity id")),
    responses((status = 204, description = "Unlinked"),
        (status = 404, description = "No such identity of yours", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The account's last way to log in", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<OAuthIdentityId>,
) -> Result<Response, ApiError> {
    principal.check(Access::Account { write: true })?;
    match state.store.oauth_identity_unlink(principal.user.id, id).await? {
        UnlinkOutcome::Unlinked => Ok(no_content()),
        UnlinkOutcome::LastLoginMethod => Err(ApiError::new(
            Kind::LastLoginMethod,
            "this is the account's only way to log in: set a password or link another provider first",
        )),
    }
}
