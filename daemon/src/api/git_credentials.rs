//! `/git-credentials`: a tenant's secrets for cloning its private repositories. Write-only:
//! created and deleted by tenant admins, listed without the secret, sealed at rest with the
//! daemon's git credentials key (see `sources::credential_key`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use cairn_sdk::types::{CreateGitCredential, GitCredential, GitCredentialId, GitCredentialKind, Role, Scope};

use super::conventions::{no_content, with_location};
use super::extract::{Json, Path, Query};
use super::pagination::{ListParams, PageResponse, page};
use super::validate::Check;
use crate::auth::Principal;
use crate::error::{ApiError, Kind};
use crate::sources::credential_key::CredentialKey;
use crate::sources::credentials::{DEFAULT_USERNAME, GitSecret, MAX_SECRET_BYTES, check_host_pattern};
use crate::state::AppState;
use crate::store::{NewGitCredential, ts};

/// Tenant administration: an `admin` key (or a session) of a tenant admin or owner.
const ACCESS: (Scope, Role) = (Scope::Admin, Role::Admin);

/// The key, or 409 when the daemon has none (nothing could be stored or used).
fn key(state: &AppState) -> Result<&Arc<CredentialKey>, ApiError> {
    state.git_credentials.as_ref().ok_or_else(|| {
        ApiError::new(
            Kind::GitCredentialsDisabled,
            "this daemon has no git_credentials_key_file configured, so it cannot store git credentials",
        )
    })
}

/// Lists the tenant's git credentials (never their secrets).
#[utoipa::path(get, operation_id = "git_credentials_list", path = "/git-credentials", tag = "git-credentials", security(("bearer" = [])), params(ListParams),
    responses((status = 200, description = "Credentials, without secrets", body = cairn_sdk::types::Page<GitCredential>),
        (status = 409, description = "No git credentials key configured", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn list(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<ListParams>,
    uri: Uri,
) -> Result<PageResponse<GitCredential>, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    key(&state)?;
    let q = params.to_query(&["host_pattern", "created_at"])?;
    let (rows, total) = state.store.git_credential_list(ctx.tenant, &q).await?;
    Ok(page(rows, total, &q, |c| (ts(c.created_at), c.id.to_string()), &uri))
}

/// Adds a credential for a host pattern: a token (https) or an OpenSSH private key (ssh). The
/// answer shows what was stored, never the secret.
#[utoipa::path(post, operation_id = "git_credentials_create", path = "/git-credentials", tag = "git-credentials", security(("bearer" = [])), request_body = CreateGitCredential,
    responses((status = 201, description = "Stored; the secret is never shown", body = GitCredential),
        (status = 400, description = "Invalid fields", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No git credentials key configured, or the tenant has a credential for this pattern", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    Json(req): Json<CreateGitCredential>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    let key = key(&state)?;
    let (host_pattern, secret) = checked(&req)?;
    let (kind, username) = match &secret {
        GitSecret::Token { username, .. } => (GitCredentialKind::Token, Some(username.clone())),
        GitSecret::SshKey { .. } => (GitCredentialKind::SshKey, None),
    };
    let plain = serde_json::to_vec(&secret).map_err(ApiError::internal)?;
    let sealed = key.seal(ctx.tenant, &plain).map_err(ApiError::internal)?;
    let new = NewGitCredential {
        host_pattern: &host_pattern,
        kind,
        username: username.as_deref(),
        sealed: &sealed,
    };
    let created = state.store.git_credential_create(ctx.tenant, principal.user.id, new).await?;
    let location = format!("/api/v1/git-credentials/{}", created.id);
    Ok(with_location((StatusCode::CREATED, axum::Json(created)).into_response(), &location))
}

/// Deletes one of the tenant's credentials.
#[utoipa::path(delete, operation_id = "git_credentials_delete", path = "/git-credentials/{id}", tag = "git-credentials", security(("bearer" = [])),
    params(("id" = GitCredentialId, Path, description = "Credential id")),
    responses((status = 204, description = "Deleted"),
        (status = 404, description = "No such credential in this tenant", body = cairn_sdk::types::Problem, content_type = "application/problem+json"),
        (status = 409, description = "No git credentials key configured", body = cairn_sdk::types::Problem, content_type = "application/problem+json")))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<GitCredentialId>,
) -> Result<Response, ApiError> {
    let ctx = principal.tenant_access(ACCESS.0, ACCESS.1)?;
    key(&state)?;
    state.store.git_credential_delete(ctx.tenant, id).await?;
    Ok(no_content())
}

/// The checked pattern and secret; field errors never echo the secret.
fn checked(req: &CreateGitCredential) -> Result<(String, GitSecret), ApiError> {
    let mut check = Check::new();
    let pattern = check_host_pattern(&req.host).map_err(|m| check.fail("body.host", m)).ok();
    let secret = match (&req.token, &req.ssh_private_key) {
        (Some(token), None) => {
            if token.is_empty() || token.len() > MAX_SECRET_BYTES {
                check.fail("body.token", format!("must hold 1 to {MAX_SECRET_BYTES} bytes"));
            } else if token.chars().any(|c| c.is_control() || c.is_whitespace()) {
                check.fail("body.token", "must not contain whitespace or control characters");
            }
            let username = req.username.clone().unwrap_or_else(|| DEFAULT_USERNAME.to_owned());
            check.text("body.username", &username, 256);
            if username.contains(':') {
                check.fail("body.username", "must not contain ':'");
            }
            Some(GitSecret::Token { username, token: token.clone() })
        }
        (None, Some(pem)) => {
            if req.username.is_some() {
                check.fail("body.username", "applies to tokens only (the ssh user is in the URL)");
            }
            let trimmed = pem.trim();
            if trimmed.len() > MAX_SECRET_BYTES {
                check.fail("body.ssh_private_key", format!("must hold at most {MAX_SECRET_BYTES} bytes"));
            } else if !(trimmed.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----")
                && trimmed.ends_with("-----END OPENSSH PRIVATE KEY-----"))
            {
                check.fail(
                    "body.ssh_private_key",
                    "must be an OpenSSH private key (-----BEGIN OPENSSH PRIVATE KEY----- … -----END OPENSSH PRIVATE KEY-----)",
                );
            }
            Some(GitSecret::SshKey { private_key: trimmed.to_owned() })
        }
        (Some(_), Some(_)) => {
            check.fail("body.token", "give either token or ssh_private_key, not both");
            None
        }
        (None, None) => {
            check.fail("body.token", "give a token (https) or an ssh_private_key (ssh)");
            None
        }
    };
    check.finish()?;
    match (pattern, secret) {
        (Some(p), Some(s)) => Ok((p, s)),
        // `finish` returned early for every path that left one out.
        _ => Err(ApiError::internal("git credential check left a field unset")),
    }
}
