//! Records every successful write under `/api/v1` in the audit log (a middleware), and the
//! helper handlers use for events the middleware cannot see (logins, failed logins, resets).
//!
//! The middleware derives the action from the matched route, so a new write route is audited
//! without further code; `/auth/*` routes record their own events.

use axum::body::{Body, HttpBody, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};

use super::conventions::RequestId;
use crate::auth::Principal;
use crate::state::AppState;
use crate::store::AuditEvent;

/// Largest response body inspected for the created object's id.
const MAX_INSPECTED: usize = 1024 * 1024;

/// Appends `event`; a failure is logged, not returned: the write it describes already happened.
pub async fn record(state: &AppState, event: AuditEvent) {
    if let Err(e) = state.store.audit_append(&event).await {
        tracing::error!(error = %e, action = %event.action, "could not append to the audit log");
    }
}

/// The actor fields of an event from the caller.
pub fn actor(p: &Principal) -> AuditEvent {
    AuditEvent {
        tenant_id: p.tenant.map(|(t, _)| t.to_string()),
        actor_user_id: Some(p.user.id.to_string()),
        actor_api_key_id: p.api_key_id().map(|k| k.to_string()),
        ..AuditEvent::default()
    }
}

/// `(action, object_type)` of a write route.
fn describe(method: &Method, template: &str) -> (String, String) {
    let t = template.trim_start_matches("/api/v1");
    let named = match (method.as_str(), t) {
        ("POST", "/invites") => Some(("invite.create", "invite")),
        ("DELETE", "/users/me/oauth-identities/{id}") => Some(("oauth.unlink", "oauth_identity")),
        ("PUT", "/users/me/notification-prefs") => Some(("notification_prefs.update", "user")),
        ("POST", "/api-keys") => Some(("api_key.create", "api_key")),
        ("DELETE", "/api-keys/{id}") => Some(("api_key.revoke", "api_key")),
        ("POST", "/git-credentials") => Some(("git_credential.create", "git_credential")),
        ("DELETE", "/git-credentials/{id}") => Some(("git_credential.delete", "git_credential")),
        ("POST", "/registry-credentials") => Some(("registry_credential.create", "registry_credential")),
        ("DELETE", "/registry-credentials/{id}") => {
            Some(("registry_credential.delete", "registry_credential"))
        }
        ("POST", "/projects") => Some(("project.create", "project")),
        ("PATCH", "/projects/{id}") => Some(("project.update", "project")),
        ("DELETE", "/projects/{id}") => Some(("project.delete", "project")),
        ("POST", "/projects/{id}/versions") => Some(("version.create", "version")),
        ("PATCH", "/versions/{id}") => Some(("version.update", "version")),
        ("DELETE", "/versions/{id}") => Some(("version.delete", "version")),
        ("PATCH", "/versions/{id}/release-state") => Some(("version.release_state", "version")),
        ("PATCH", "/admin/users/{id}/deactivate") => Some(("user.deactivate", "user")),
        ("PATCH", "/admin/users/{id}/activate") => Some(("user.activate", "user")),
        ("PATCH", "/admin/users/{id}/role") => Some(("user.role_change", "user")),
        ("POST", "/admin/users/{id}/password-reset") => Some(("user.password_reset_issue", "user")),
        ("POST", "/admin/teams") => Some(("team.create", "team")),
        ("POST", "/scans") | ("POST", "/projects/{id}/scans") | ("POST", "/cbom/scans") => {
            Some(("scan.create", "scan"))
        }
        ("POST", "/scans/{id}/cancel") | ("POST", "/admin/scans/{id}/cancel") => {
            Some(("scan.cancel", "scan"))
        }
        ("PATCH", "/findings/{id}") => Some(("finding.triage", "finding")),
        ("POST", "/triage-rules") => Some(("triage_rule.create", "triage_rule")),
        ("DELETE", "/triage-rules/{id}") => Some(("triage_rule.delete", "triage_rule")),
        ("POST", "/projects/{id}/vex") => Some(("project.vex_import", "project")),
        ("POST", "/policies") => Some(("policy.create", "policy")),
        ("PUT", "/policies/{id}") => Some(("policy.update", "policy")),
        ("DELETE", "/policies/{id}") => Some(("policy.delete", "policy")),
        ("PUT", "/projects/{id}/policy") => Some(("project.policy_assign", "project")),
        ("DELETE", "/projects/{id}/policy") => Some(("project.policy_clear", "project")),
        ("PUT", "/default-policy") => Some(("tenant.default_policy_assign", "tenant")),
        ("DELETE", "/default-policy") => Some(("tenant.default_policy_clear", "tenant")),
        ("POST", "/approvals") => Some(("approval.request", "approval")),
        ("POST", "/approvals/{id}/approve") => Some(("approval.approve", "approval")),
        ("POST", "/approvals/{id}/reject") => Some(("approval.reject", "approval")),
        ("PATCH", "/admin/teams/{id}") => Some(("team.update", "team")),
        ("DELETE", "/admin/teams/{id}") => Some(("team.delete", "team")),
        ("POST", "/admin/teams/{id}/members") => Some(("team.member_add", "team")),
        ("DELETE", "/admin/teams/{id}/members/{user_id}") => Some(("team.member_remove", "team")),
        ("POST", "/admin/vulndb/import") => Some(("vulndb.import", "vulndb")),
        ("POST", "/admin/vulndb/update") => Some(("vulndb.update", "vulndb")),
        ("DELETE", "/admin/vulndb/sources/{name}") => Some(("vulndb.remove", "vulndb")),
        ("POST", "/feature-requests") => Some(("feature_request.create", "feature_request")),
        ("POST", "/feature-requests/{id}/status") => Some(("feature_request.status", "feature_request")),
        _ => None,
    };
    if let Some((a, o)) = named {
        return (a.to_owned(), o.to_owned());
    }
    // A route without a name yet: the last literal segment and the method.
    let object = t.rsplit('/').find(|s| !s.is_empty() && !s.starts_with('{')).unwrap_or("unknown");
    (format!("{object}.{}", method.as_str().to_ascii_lowercase()), object.to_owned())
}

/// The value of the path's first `{id}` (or `{name}`) parameter. The template carries the
/// `/api/v1` prefix, the nested router's path may not: both are compared without it.
fn path_id(template: &str, path: &str) -> Option<String> {
    let (template, path) = (template.trim_start_matches("/api/v1"), path.trim_start_matches("/api/v1"));
    template
        .split('/')
        .zip(path.split('/'))
        .find(|(t, _)| *t == "{id}" || *t == "{name}")
        .map(|(_, p)| p.to_owned())
}

/// The middleware (inside the idempotency layer, so replays are not recorded twice).
pub async fn audit(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    if !matches!(method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
        || path.starts_with("/api/v1/auth/")
    {
        return next.run(req).await;
    }
    let template =
        req.extensions().get::<MatchedPath>().map_or_else(|| path.clone(), |m| m.as_str().to_owned());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let principal = match req.extensions().get::<Principal>() {
        Some(p) => Some(p.clone()),
        None => Principal::authenticate(&state, req.headers()).await.ok().flatten(),
    };
    if let Some(p) = &principal {
        // The handler's extractor reuses it instead of authenticating again.
        req.extensions_mut().insert(p.clone());
    }
    let resp = next.run(req).await;
    let Some(principal) = principal else { return resp };
    if !resp.status().is_success() {
        return resp;
    }
    let status = resp.status().as_u16();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let small = resp.body().size_hint().upper().is_some_and(|n| n <= MAX_INSPECTED as u64);
    let (resp, body) = if is_json && small {
        let (parts, body) = resp.into_parts();
        match to_bytes(body, MAX_INSPECTED).await {
            Ok(bytes) => {
                let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
                (Response::from_parts(parts, Body::from(bytes)), value)
            }
            Err(e) => {
                tracing::error!(error = %e, "could not read a response body for the audit log");
                (Response::from_parts(parts, Body::empty()), Value::Null)
            }
        }
    } else {
        (resp, Value::Null)
    };
    let (action, object_type) = describe(&method, &template);
    // Created objects carry their id in the body (API keys one level down).
    let created_id = body["id"].as_str().or_else(|| body["key"]["id"].as_str()).map(str::to_owned);
    let object_id = if method == Method::POST {
        created_id.or_else(|| path_id(&template, &path))
    } else {
        path_id(&template, &path).or(created_id)
    };
    let mut detail = json!({"method": method.as_str(), "path": path, "status": status});
    if object_type == "user" {
        for field in ["super_admin", "active"] {
            if let Some(v) = body.get(field) {
                detail[field] = v.clone();
            }
        }
    }
    if template.ends_with("/members/{user_id}") {
        detail["user_id"] = json!(path.rsplit('/').next());
    } else if template.ends_with("/members") {
        detail["user_id"] = body["user_id"].clone();
    }
    let event = AuditEvent { action, object_type, object_id, detail, request_id, ..actor(&principal) };
    record(&state, event).await;
    resp
}
