//! Every route and what it requires: the one declaration the idempotency replay checks (so a
//! replay is authorized like the request it repeats) and the authorization matrix test compares
//! against. Handlers still check their own [`Access`] (and object ownership) themselves.

use axum::http::Method;
use cairn_sdk::types::{Role, Scope};

use super::access::Access;

/// `(method, path template, requirement)` of every route the daemon serves, WebSockets included.
pub const ROUTES: &[(&str, &str, Access)] = &[
    ("GET", "/api/health", Access::Public),
    ("GET", "/healthz", Access::Public),
    ("GET", "/readyz", Access::Public),
    ("GET", "/api/openapi.json", Access::Public),
    ("GET", "/problems/{slug}", Access::Public),
    ("GET", "/metrics", Access::SuperAdmin),
    ("POST", "/api/v1/auth/register", Access::Public),
    ("POST", "/api/v1/auth/login", Access::Public),
    ("POST", "/api/v1/auth/token", Access::Public),
    ("POST", "/api/v1/auth/refresh", Access::Public),
    ("POST", "/api/v1/auth/logout", Access::Public),
    ("GET", "/api/v1/auth/me", Access::User),
    ("POST", "/api/v1/auth/forgot-password", Access::Public),
    ("POST", "/api/v1/auth/reset-password", Access::Public),
    ("GET", "/api/v1/auth/oauth/{provider}/authorize", Access::Public),
    ("GET", "/api/v1/auth/oauth/{provider}/callback", Access::Public),
    ("GET", "/api/v1/users/me/oauth-identities", Access::Account { write: false }),
    ("DELETE", "/api/v1/users/me/oauth-identities/{id}", Access::Account { write: true }),
    ("GET", "/api/v1/users/me/notification-prefs", Access::Account { write: false }),
    ("PUT", "/api/v1/users/me/notification-prefs", Access::Account { write: true }),
    ("GET", "/api/v1/notifications", Access::Account { write: false }),
    ("GET", "/api/v1/notifications/unread-count", Access::Account { write: false }),
    ("POST", "/api/v1/notifications/{id}/read", Access::Account { write: true }),
    ("POST", "/api/v1/notifications/read-all", Access::Account { write: true }),
    ("POST", "/api/v1/invites", Access::tenant(Scope::Admin, Role::Admin)),
    ("GET", "/api/v1/api-keys", Access::tenant(Scope::Admin, Role::Viewer)),
    ("POST", "/api/v1/api-keys", Access::tenant(Scope::Admin, Role::Viewer)),
    ("GET", "/api/v1/api-keys/{id}", Access::tenant(Scope::Admin, Role::Viewer)),
    ("DELETE", "/api/v1/api-keys/{id}", Access::tenant(Scope::Admin, Role::Viewer)),
    ("GET", "/api/v1/git-credentials", Access::tenant(Scope::Admin, Role::Admin)),
    ("POST", "/api/v1/git-credentials", Access::tenant(Scope::Admin, Role::Admin)),
    ("DELETE", "/api/v1/git-credentials/{id}", Access::tenant(Scope::Admin, Role::Admin)),
    ("GET", "/api/v1/webhooks", Access::tenant(Scope::WebhookWrite, Role::Admin)),
    ("POST", "/api/v1/webhooks", Access::tenant(Scope::WebhookWrite, Role::Admin)),
    ("GET", "/api/v1/webhooks/{id}", Access::tenant(Scope::WebhookWrite, Role::Admin)),
    ("PUT", "/api/v1/webhooks/{id}", Access::tenant(Scope::WebhookWrite, Role::Admin)),
    ("DELETE", "/api/v1/webhooks/{id}", Access::tenant(Scope::WebhookWrite, Role::Admin)),
    ("POST", "/api/v1/webhooks/{id}/ping", Access::tenant(Scope::WebhookWrite, Role::Admin)),
    ("GET", "/api/v1/webhooks/{id}/deliveries", Access::tenant(Scope::WebhookWrite, Role::Admin)),
    (
        "POST",
        "/api/v1/webhooks/{id}/deliveries/{did}/redeliver",
        Access::tenant(Scope::WebhookWrite, Role::Admin),
    ),
    ("POST", "/api/v1/webhooks/{id}/rotate-secret", Access::tenant(Scope::WebhookWrite, Role::Admin)),
    ("GET", "/api/v1/events", Access::tenant(Scope::ProjectRead, Role::Viewer)),
    ("GET", "/api/v1/projects", Access::tenant(Scope::ProjectRead, Role::Viewer)),
    ("POST", "/api/v1/projects", Access::tenant(Scope::ProjectWrite, Role::Member)),
    ("GET", "/api/v1/projects/{id}", Access::tenant(Scope::ProjectRead, Role::Viewer)),
    ("PATCH", "/api/v1/projects/{id}", Access::tenant(Scope::ProjectWrite, Role::Member)),
    ("DELETE", "/api/v1/projects/{id}", Access::tenant(Scope::ProjectWrite, Role::Admin)),
    ("GET", "/api/v1/projects/{id}/versions", Access::tenant(Scope::ProjectRead, Role::Viewer)),
    ("POST", "/api/v1/projects/{id}/versions", Access::tenant(Scope::ProjectWrite, Role::Member)),
    ("GET", "/api/v1/versions/{id}", Access::tenant(Scope::ProjectRead, Role::Viewer)),
    ("PATCH", "/api/v1/versions/{id}", Access::tenant(Scope::ProjectWrite, Role::Member)),
    ("DELETE", "/api/v1/versions/{id}", Access::tenant(Scope::ProjectWrite, Role::Admin)),
    ("PATCH", "/api/v1/versions/{id}/release-state", Access::tenant(Scope::ProjectWrite, Role::Member)),
    ("GET", "/api/v1/admin/users", Access::SuperAdmin),
    ("GET", "/api/v1/admin/users/{id}", Access::SuperAdmin),
    ("PATCH", "/api/v1/admin/users/{id}/deactivate", Access::SuperAdmin),
    ("PATCH", "/api/v1/admin/users/{id}/activate", Access::SuperAdmin),
    ("PATCH", "/api/v1/admin/users/{id}/role", Access::SuperAdmin),
    ("POST", "/api/v1/admin/users/{id}/password-reset", Access::SuperAdmin),
    ("GET", "/api/v1/admin/audit", Access::SuperAdmin),
    ("GET", "/api/v1/admin/audit/verify", Access::SuperAdmin),
    ("GET", "/api/v1/admin/audit/export.csv", Access::SuperAdmin),
    ("GET", "/api/v1/admin/outbox", Access::SuperAdmin),
    ("GET", "/api/v1/admin/teams", Access::SuperAdmin),
    ("POST", "/api/v1/admin/teams", Access::SuperAdmin),
    ("GET", "/api/v1/admin/teams/{id}", Access::SuperAdmin),
    ("PATCH", "/api/v1/admin/teams/{id}", Access::SuperAdmin),
    ("DELETE", "/api/v1/admin/teams/{id}", Access::SuperAdmin),
    ("POST", "/api/v1/admin/teams/{id}/members", Access::SuperAdmin),
    ("DELETE", "/api/v1/admin/teams/{id}/members/{user_id}", Access::SuperAdmin),
    ("GET", "/api/v1/vulndb/status", Access::User),
    ("POST", "/api/v1/admin/vulndb/import", Access::SuperAdmin),
    ("POST", "/api/v1/admin/vulndb/update", Access::SuperAdmin),
    ("DELETE", "/api/v1/admin/vulndb/sources/{name}", Access::SuperAdmin),
    ("GET", "/api/v1/scans", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("POST", "/api/v1/scans", Access::tenant(Scope::ScanWrite, Role::Member)),
    ("POST", "/api/v1/scans/upload", Access::tenant(Scope::ScanWrite, Role::Member)),
    ("POST", "/api/v1/sboms/ingest", Access::tenant(Scope::SbomWrite, Role::Member)),
    ("GET", "/api/v1/scans/{id}", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("POST", "/api/v1/scans/{id}/cancel", Access::tenant(Scope::ScanWrite, Role::Admin)),
    ("GET", "/api/v1/scans/{id}/components", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/scans/{id}/findings", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/scans/{id}/dependencies", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/findings", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/findings/{id}", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("PATCH", "/api/v1/findings/{id}", Access::tenant(Scope::FindingTriage, Role::Member)),
    ("GET", "/api/v1/scans/{id}/licenses", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/scans/{id}/crypto-assets", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/scans/{id}/diagnostics", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/scans/{id}/warnings", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/scans/{id}/events", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/scans/{id}/bom", Access::tenant(Scope::BomRead, Role::Viewer)),
    ("GET", "/api/v1/projects/{id}/scans", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("POST", "/api/v1/projects/{id}/scans", Access::tenant(Scope::ScanWrite, Role::Member)),
    ("GET", "/api/v1/projects/{id}/sbom", Access::tenant(Scope::BomRead, Role::Viewer)),
    ("GET", "/api/v1/scans/{id}/gate-result", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/projects/{id}/gate-result", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/cbom/health", Access::Public),
    ("POST", "/api/v1/cbom/demo", Access::Public),
    ("GET", "/api/v1/cbom/scans", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("POST", "/api/v1/cbom/scans", Access::tenant(Scope::ScanWrite, Role::Member)),
    ("GET", "/api/v1/cbom/scans/{id}", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/cbom/scans/{id}/bom.json", Access::tenant(Scope::BomRead, Role::Viewer)),
    ("GET", "/api/v1/triage-rules", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("POST", "/api/v1/triage-rules", Access::tenant(Scope::FindingTriage, Role::Member)),
    ("GET", "/api/v1/triage-rules/{id}", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("DELETE", "/api/v1/triage-rules/{id}", Access::tenant(Scope::FindingTriage, Role::Member)),
    ("GET", "/api/v1/cve-watches", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("POST", "/api/v1/cve-watches", Access::tenant(Scope::FindingTriage, Role::Member)),
    ("GET", "/api/v1/cve-watches/{id}", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("DELETE", "/api/v1/cve-watches/{id}", Access::tenant(Scope::FindingTriage, Role::Member)),
    ("GET", "/api/v1/cve-watches/{id}/hits", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("POST", "/api/v1/projects/{id}/vex", Access::tenant(Scope::FindingTriage, Role::Member)),
    ("GET", "/api/v1/admin/scans", Access::SuperAdmin),
    ("POST", "/api/v1/admin/scans/{id}/cancel", Access::SuperAdmin),
    // Comparison, project-wide views and scan history (issue 20).
    ("GET", "/api/v1/comparison", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/versions/{id}/compare/{other}", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/projects/{id}/components", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/components/search", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/projects/{id}/history", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/vulnerabilities", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/vulnerabilities/{id}", Access::tenant(Scope::ScanRead, Role::Viewer)),
    // The Swagger UI (static pages reading /api/openapi.json).
    ("GET", "/api/docs", Access::Public),
    ("GET", "/api/docs/", Access::Public),
    ("GET", "/api/docs/{*rest}", Access::Public),
    ("GET", "/api/v1/ws/scans/{id}", Access::tenant(Scope::ScanRead, Role::Viewer)),
    ("GET", "/api/v1/ws/events", Access::tenant(Scope::ScanRead, Role::Viewer)),
];

/// The requirement of a route: `template` with or without its `/api/v1` prefix. `None` for a
/// route nobody declared, which callers treat as refused.
pub fn access_of(method: &Method, template: &str) -> Option<Access> {
    // HEAD is served by the GET route.
    let method = if method == Method::HEAD { &Method::GET } else { method };
    let full = if template.starts_with("/api/v1/") || !template.starts_with('/') || is_top_level(template) {
        template.to_owned()
    } else {
        format!("/api/v1{template}")
    };
    ROUTES.iter().find(|(m, t, _)| *m == method.as_str() && *t == full).map(|(_, _, a)| *a)
}

/// Routes outside the `/api/v1` nest.
fn is_top_level(template: &str) -> bool {
    ROUTES.iter().any(|(_, t, _)| *t == template && !t.starts_with("/api/v1/"))
}
