//! The authorization matrix: every route the API serves (read from its OpenAPI document) against
//! anonymous, viewer, member, admin, another tenant's admin, an API key without the scope, and a
//! super admin. A route missing from the matrix, or a matrix row for a route that does not exist,
//! fails the test; so does a difference from the daemon's declared route table
//! (`cairn_daemon::auth::routes::ROUTES`), which the router enforces for every route, plain axum
//! routes (WebSockets, Swagger UI) included: an undeclared route is refused.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::harness::{Daemon, Opts, PASSWORD, Session, http_client, unique_email};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Viewer,
    Member,
    Admin,
}

/// What a route requires.
#[derive(Debug, Clone, Copy)]
pub enum Need {
    Public,
    User,
    /// Tenant role and API key scope; `object` routes name an object of tenant A.
    Tenant {
        scope: &'static str,
        role: Role,
        object: bool,
    },
    Super,
    /// The caller's own object: anonymous 401, an API key without `admin` 403; the matrix names
    /// an id that is nobody's, so every other caller gets 404 (the owner's success is tested in
    /// oauth.rs).
    Own,
    /// A change to the caller's own account: anonymous 401, an API key without `admin` 403.
    AccountWrite,
    /// The same answer for every caller: OAuth redirects that need no provider round trip.
    Fixed(u16, Option<&'static str>),
}

const fn t(scope: &'static str, role: Role, object: bool) -> Need {
    Need::Tenant { scope, role, object }
}

/// The matrix: (method, path, requirement). Kept by hand on purpose: it is the specification.
pub const MATRIX: &[(&str, &str, Need)] = &[
    ("GET", "/api/health", Need::Public),
    ("GET", "/healthz", Need::Public),
    ("GET", "/readyz", Need::Public),
    ("GET", "/api/openapi.json", Need::Public),
    ("GET", "/problems/{slug}", Need::Public),
    ("GET", "/metrics", Need::Super),
    ("POST", "/api/v1/auth/register", Need::Public),
    ("POST", "/api/v1/auth/register/verify", Need::Public),
    ("POST", "/api/v1/auth/login", Need::Public),
    ("POST", "/api/v1/auth/token", Need::Public),
    ("POST", "/api/v1/auth/refresh", Need::Public),
    ("POST", "/api/v1/auth/logout", Need::Public),
    ("GET", "/api/v1/auth/me", Need::User),
    ("POST", "/api/v1/auth/forgot-password", Need::Public),
    ("POST", "/api/v1/auth/reset-password", Need::Public),
    ("GET", "/api/v1/auth/oauth/{provider}/authorize", Need::Fixed(302, None)),
    ("GET", "/api/v1/auth/oauth/{provider}/callback", Need::Fixed(400, Some("OAUTH_STATE_INVALID"))),
    ("GET", "/api/v1/users/me/oauth-identities", Need::User),
    ("DELETE", "/api/v1/users/me/oauth-identities/{id}", Need::Own),
    ("GET", "/api/v1/users/me/notification-prefs", Need::User),
    ("PUT", "/api/v1/users/me/notification-prefs", Need::AccountWrite),
    ("GET", "/api/v1/notifications", Need::User),
    ("GET", "/api/v1/notifications/unread-count", Need::User),
    ("POST", "/api/v1/notifications/{id}/read", Need::Own),
    ("POST", "/api/v1/notifications/read-all", Need::AccountWrite),
    ("POST", "/api/v1/invites", t("admin", Role::Admin, false)),
    ("GET", "/api/v1/api-keys", t("admin", Role::Viewer, false)),
    ("POST", "/api/v1/api-keys", t("admin", Role::Viewer, false)),
    ("GET", "/api/v1/api-keys/{id}", t("admin", Role::Viewer, true)),
    ("DELETE", "/api/v1/api-keys/{id}", t("admin", Role::Viewer, true)),
    ("GET", "/api/v1/git-credentials", t("admin", Role::Admin, false)),
    ("POST", "/api/v1/git-credentials", t("admin", Role::Admin, false)),
    ("DELETE", "/api/v1/git-credentials/{id}", t("admin", Role::Admin, true)),
    ("GET", "/api/v1/webhooks", t("webhook:write", Role::Admin, false)),
    ("POST", "/api/v1/webhooks", t("webhook:write", Role::Admin, false)),
    ("GET", "/api/v1/webhooks/{id}", t("webhook:write", Role::Admin, true)),
    ("PUT", "/api/v1/webhooks/{id}", t("webhook:write", Role::Admin, true)),
    ("DELETE", "/api/v1/webhooks/{id}", t("webhook:write", Role::Admin, true)),
    ("POST", "/api/v1/webhooks/{id}/ping", t("webhook:write", Role::Admin, true)),
    ("GET", "/api/v1/webhooks/{id}/deliveries", t("webhook:write", Role::Admin, true)),
    ("POST", "/api/v1/webhooks/{id}/deliveries/{did}/redeliver", t("webhook:write", Role::Admin, true)),
    ("POST", "/api/v1/webhooks/{id}/rotate-secret", t("webhook:write", Role::Admin, true)),
    ("GET", "/api/v1/events", t("project:read", Role::Viewer, false)),
    ("GET", "/api/v1/projects", t("project:read", Role::Viewer, false)),
    ("POST", "/api/v1/projects", t("project:write", Role::Member, false)),
    ("GET", "/api/v1/projects/{id}", t("project:read", Role::Viewer, true)),
    ("PATCH", "/api/v1/projects/{id}", t("project:write", Role::Member, true)),
    ("DELETE", "/api/v1/projects/{id}", t("project:write", Role::Admin, true)),
    ("GET", "/api/v1/projects/{id}/versions", t("project:read", Role::Viewer, true)),
    ("POST", "/api/v1/projects/{id}/versions", t("project:write", Role::Member, true)),
    ("GET", "/api/v1/versions/{id}", t("project:read", Role::Viewer, true)),
    ("PATCH", "/api/v1/versions/{id}", t("project:write", Role::Member, true)),
    ("DELETE", "/api/v1/versions/{id}", t("project:write", Role::Admin, true)),
    ("PATCH", "/api/v1/versions/{id}/release-state", t("project:write", Role::Member, true)),
    ("GET", "/api/v1/admin/users", Need::Super),
    ("GET", "/api/v1/admin/users/{id}", Need::Super),
    ("PATCH", "/api/v1/admin/users/{id}/deactivate", Need::Super),
    ("PATCH", "/api/v1/admin/users/{id}/activate", Need::Super),
    ("PATCH", "/api/v1/admin/users/{id}/role", Need::Super),
    ("POST", "/api/v1/admin/users/{id}/password-reset", Need::Super),
    ("GET", "/api/v1/admin/audit", Need::Super),
    ("GET", "/api/v1/admin/audit/verify", Need::Super),
    ("GET", "/api/v1/admin/audit/export.csv", Need::Super),
    ("GET", "/api/v1/admin/outbox", Need::Super),
    ("GET", "/api/v1/admin/teams", Need::Super),
    ("POST", "/api/v1/admin/teams", Need::Super),
    ("GET", "/api/v1/admin/teams/{id}", Need::Super),
    ("PATCH", "/api/v1/admin/teams/{id}", Need::Super),
    ("DELETE", "/api/v1/admin/teams/{id}", Need::Super),
    ("POST", "/api/v1/admin/teams/{id}/members", Need::Super),
    ("DELETE", "/api/v1/admin/teams/{id}/members/{user_id}", Need::Super),
    ("GET", "/api/v1/vulndb/status", Need::User),
    ("POST", "/api/v1/admin/vulndb/import", Need::Super),
    ("POST", "/api/v1/admin/vulndb/update", Need::Super),
    ("DELETE", "/api/v1/admin/vulndb/sources/{name}", Need::Super),
    ("GET", "/api/v1/scans", t("scan:read", Role::Viewer, false)),
    ("POST", "/api/v1/scans", t("scan:write", Role::Member, false)),
    ("POST", "/api/v1/scans/upload", t("scan:write", Role::Member, false)),
    ("POST", "/api/v1/sboms/ingest", t("sbom:write", Role::Member, false)),
    ("GET", "/api/v1/scans/{id}", t("scan:read", Role::Viewer, true)),
    // The requester (root here) or a tenant admin.
    ("POST", "/api/v1/scans/{id}/cancel", t("scan:write", Role::Admin, true)),
    ("GET", "/api/v1/scans/{id}/components", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/scans/{id}/findings", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/scans/{id}/dependencies", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/findings", t("scan:read", Role::Viewer, false)),
    ("GET", "/api/v1/findings/{id}", t("scan:read", Role::Viewer, true)),
    ("PATCH", "/api/v1/findings/{id}", t("finding:triage", Role::Member, true)),
    ("GET", "/api/v1/scans/{id}/licenses", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/scans/{id}/crypto-assets", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/scans/{id}/diagnostics", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/scans/{id}/warnings", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/scans/{id}/events", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/scans/{id}/bom", t("bom:read", Role::Viewer, true)),
    ("GET", "/api/v1/projects/{id}/scans", t("scan:read", Role::Viewer, true)),
    ("POST", "/api/v1/projects/{id}/scans", t("scan:write", Role::Member, true)),
    ("GET", "/api/v1/projects/{id}/sbom", t("bom:read", Role::Viewer, true)),
    ("GET", "/api/v1/triage-rules", t("scan:read", Role::Viewer, false)),
    ("POST", "/api/v1/triage-rules", t("finding:triage", Role::Member, false)),
    ("GET", "/api/v1/triage-rules/{id}", t("scan:read", Role::Viewer, true)),
    ("DELETE", "/api/v1/triage-rules/{id}", t("finding:triage", Role::Member, true)),
    ("GET", "/api/v1/cve-watches", t("scan:read", Role::Viewer, false)),
    ("POST", "/api/v1/cve-watches", t("finding:triage", Role::Member, false)),
    ("GET", "/api/v1/cve-watches/{id}", t("scan:read", Role::Viewer, true)),
    ("DELETE", "/api/v1/cve-watches/{id}", t("finding:triage", Role::Member, true)),
    ("GET", "/api/v1/cve-watches/{id}/hits", t("scan:read", Role::Viewer, true)),
    ("POST", "/api/v1/projects/{id}/vex", t("finding:triage", Role::Member, true)),
    ("GET", "/api/v1/scans/{id}/gate-result", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/projects/{id}/gate-result", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/policies", t("scan:read", Role::Viewer, false)),
    ("POST", "/api/v1/policies", t("admin", Role::Admin, false)),
    ("GET", "/api/v1/policies/{id}", t("scan:read", Role::Viewer, true)),
    ("PUT", "/api/v1/policies/{id}", t("admin", Role::Admin, true)),
    ("DELETE", "/api/v1/policies/{id}", t("admin", Role::Admin, true)),
    ("GET", "/api/v1/policies/{id}/revisions", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/policies/{id}/revisions/{revision}", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/projects/{id}/policy", t("scan:read", Role::Viewer, true)),
    ("PUT", "/api/v1/projects/{id}/policy", t("admin", Role::Admin, true)),
    ("DELETE", "/api/v1/projects/{id}/policy", t("admin", Role::Admin, true)),
    ("GET", "/api/v1/default-policy", t("scan:read", Role::Viewer, false)),
    ("PUT", "/api/v1/default-policy", t("admin", Role::Admin, false)),
    ("DELETE", "/api/v1/default-policy", t("admin", Role::Admin, false)),
    ("GET", "/api/v1/approvals", t("scan:read", Role::Viewer, false)),
    ("POST", "/api/v1/approvals", t("finding:triage", Role::Member, false)),
    ("GET", "/api/v1/approvals/{id}", t("scan:read", Role::Viewer, true)),
    ("POST", "/api/v1/approvals/{id}/approve", t("admin", Role::Admin, true)),
    ("POST", "/api/v1/approvals/{id}/reject", t("admin", Role::Admin, true)),
    ("GET", "/api/v1/cbom/health", Need::Public),
    // The public demo is anonymous by design (no account behind the page that offers it); off
    // unless `[cbom_demo] enabled`, as here, so every caller gets the same 404. Its limits are
    // tested in cbom_compat.rs.
    ("POST", "/api/v1/cbom/demo", Need::Fixed(404, Some("NOT_FOUND"))),
    ("GET", "/api/v1/cbom/scans", t("scan:read", Role::Viewer, false)),
    ("POST", "/api/v1/cbom/scans", t("scan:write", Role::Member, false)),
    ("GET", "/api/v1/cbom/scans/{id}", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/cbom/scans/{id}/bom.json", t("bom:read", Role::Viewer, true)),
    ("GET", "/api/v1/admin/scans", Need::Super),
    ("POST", "/api/v1/admin/scans/{id}/cancel", Need::Super),
    ("GET", "/api/v1/comparison", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/versions/{id}/compare/{other}", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/projects/{id}/components", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/components/search", t("scan:read", Role::Viewer, false)),
    ("GET", "/api/v1/projects/{id}/history", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/vulnerabilities", t("scan:read", Role::Viewer, false)),
    // Advisories are shared reference data: another tenant reads the record (without our projects).
    ("GET", "/api/v1/vulnerabilities/{id}", t("scan:read", Role::Viewer, false)),
    ("GET", "/api/v1/registry-credentials", t("admin", Role::Admin, false)),
    ("POST", "/api/v1/registry-credentials", t("admin", Role::Admin, false)),
    ("DELETE", "/api/v1/registry-credentials/{id}", t("admin", Role::Admin, true)),
    ("GET", "/api/v1/projects/{id}/licenses", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/projects/{id}/obligations", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/projects/{id}/notice", t("bom:read", Role::Viewer, true)),
    ("GET", "/api/v1/versions/{id}/cra-status", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/versions/{id}/export", t("bom:read", Role::Viewer, true)),
    ("GET", "/api/v1/versions/{id}/compliance-report", t("scan:read", Role::Viewer, true)),
    // Tenant-wide (no object id): another tenant reads its own settings.
    ("GET", "/api/v1/tenant/settings", t("project:read", Role::Viewer, false)),
    ("PUT", "/api/v1/tenant/settings", t("admin", Role::Admin, false)),
    // The image catalogue and feature requests (issue 21).
    ("GET", "/api/v1/projects/{id}/versions/{vid}/scan-history", t("scan:read", Role::Viewer, true)),
    ("GET", "/api/v1/projects/{id}/versions/{vid}/sbom", t("bom:read", Role::Viewer, true)),
    ("GET", "/api/v1/feature-requests", t("project:read", Role::Viewer, false)),
    ("POST", "/api/v1/feature-requests", t("project:write", Role::Member, false)),
    ("GET", "/api/v1/feature-requests/{id}", t("project:read", Role::Viewer, true)),
    ("POST", "/api/v1/feature-requests/{id}/status", t("admin", Role::Admin, true)),
    // Tenant-wide views of the catalogue: another tenant reads its own controls.
    ("GET", "/api/v1/frameworks", t("scan:read", Role::Viewer, false)),
    ("GET", "/api/v1/controls", t("scan:read", Role::Viewer, false)),
];

/// Routes the router serves that the OpenAPI document cannot list (OpenAPI has no WebSocket
/// operations). Their authorization is the first-frame auth, tested in `ws.rs`; docs/daemon.md
/// documents them.
/// Their tenant and scope rows are in `websockets_and_tenant_switching_hold_scopes`.
pub const NOT_IN_OPENAPI: &[(&str, &str)] = &[("GET", "/api/v1/ws/scans/{id}"), ("GET", "/api/v1/ws/events")];

/// The Swagger UI's routes: static pages for anyone (they read `/api/openapi.json`).
pub const SWAGGER_UI: &[(&str, &str)] =
    &[("GET", "/api/docs"), ("GET", "/api/docs/"), ("GET", "/api/docs/{*rest}")];

/// Whether the daemon's declared access of a route says what the matrix row says.
fn declared_matches(need: Need, access: cairn_daemon::auth::Access) -> bool {
    use cairn_daemon::auth::Access;
    match (need, access) {
        (Need::Public | Need::Fixed(..), Access::Public) => true,
        (Need::User, Access::User | Access::Account { write: false }) => true,
        (Need::Own | Need::AccountWrite, Access::Account { write: true }) => true,
        (Need::Super, Access::SuperAdmin) => true,
        (Need::Tenant { scope, role, .. }, Access::Tenant { scope: s, role: r }) => {
            let role_name = match role {
                Role::Viewer => "viewer",
                Role::Member => "member",
                Role::Admin => "admin",
            };
            s.as_str() == scope && r.as_str() == role_name
        }
        _ => false,
    }
}

/// The matrix (with the routes outside OpenAPI) and the daemon's declared table list the same
/// routes, with the same requirements.
#[test]
fn matrix_and_declared_routes_agree() {
    use cairn_daemon::auth::routes::ROUTES;
    let declared: BTreeSet<(String, String)> =
        ROUTES.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let known: BTreeSet<(String, String)> = MATRIX
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .chain(NOT_IN_OPENAPI.iter().chain(SWAGGER_UI).map(|(m, p)| (m.to_string(), p.to_string())))
        .collect();
    let unknown: Vec<_> = declared.difference(&known).collect();
    assert!(unknown.is_empty(), "declared routes the authorization matrix does not know: {unknown:?}");
    let undeclared: Vec<_> = known.difference(&declared).collect();
    assert!(undeclared.is_empty(), "matrix rows the daemon does not declare: {undeclared:?}");
    for (method, path, need) in MATRIX {
        let (_, _, access) = ROUTES.iter().find(|(m, p, _)| m == method && p == path).expect("declared");
        assert!(declared_matches(*need, *access), "{method} {path}: matrix {need:?}, declared {access:?}");
    }
}

/// Every (method, path) the OpenAPI document lists.
pub async fn documented_routes(d: &Daemon) -> BTreeSet<(String, String)> {
    let doc: Value =
        d.http.get(d.url("/api/openapi.json")).send().await.expect("doc").json().await.expect("json");
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, _) in item.as_object().expect("item") {
            if ["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                out.insert((method.to_uppercase(), path.clone()));
            }
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Viewer,
    Member,
    Admin,
    OtherTenantAdmin,
    KeyWithoutScope,
    SuperAdmin,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::Viewer,
    Who::Member,
    Who::Admin,
    Who::OtherTenantAdmin,
    Who::KeyWithoutScope,
    Who::SuperAdmin,
];

struct World {
    root: Session,
    viewer: Session,
    member: Session,
    admin: Session,
    other: Session,
    victim_id: String,
    login_email: String,
    login_id: String,
    /// A completed scan of tenant A (requested by root) in `scan_project`.
    scan_id: String,
    /// A project of tenant A with a repo_url and that completed scan.
    scan_project: String,
    /// The version of `scan_project` the scan belongs to.
    scan_version: String,
    /// A finding of that scan.
    finding_id: String,
    /// Its advisory.
    vulnerability_id: String,
    /// The directory path scans may name.
    tree: std::path::PathBuf,
}

/// What should happen: 2xx, or this status and code.
fn expected(need: Need, who: Who) -> Option<(u16, &'static str)> {
    match need {
        Need::Public => None,
        Need::User => (who == Who::Anonymous).then_some((401, "UNAUTHORIZED")),
        // Anonymous callers are told to authenticate; others are not shown the admin surface.
        Need::Super => match who {
            Who::Anonymous => Some((401, "UNAUTHORIZED")),
            Who::SuperAdmin => None,
            _ => Some((404, "ROUTE_NOT_FOUND")),
        },
        Need::Own => Some(match who {
            Who::Anonymous => (401, "UNAUTHORIZED"),
            Who::KeyWithoutScope => (403, "INSUFFICIENT_SCOPE"),
            _ => (404, "NOT_FOUND"),
        }),
        Need::AccountWrite => match who {
            Who::Anonymous => Some((401, "UNAUTHORIZED")),
            Who::KeyWithoutScope => Some((403, "INSUFFICIENT_SCOPE")),
            _ => None,
        },
        // Checked on its own in `check`.
        Need::Fixed(..) => None,
        Need::Tenant { role, object, .. } => match who {
            Who::Anonymous => Some((401, "UNAUTHORIZED")),
            Who::KeyWithoutScope => Some((403, "INSUFFICIENT_SCOPE")),
            Who::OtherTenantAdmin => object.then_some((404, "NOT_FOUND")),
            Who::SuperAdmin => None,
            Who::Viewer => (Role::Viewer < role).then_some((403, "FORBIDDEN")),
            Who::Member => (Role::Member < role).then_some((403, "FORBIDDEN")),
            Who::Admin => (Role::Admin < role).then_some((403, "FORBIDDEN")),
        },
    }
}

const ALL_SCOPES: [&str; 9] = [
    "project:read",
    "project:write",
    "scan:read",
    "scan:write",
    "finding:triage",
    "bom:read",
    "sbom:write",
    "webhook:write",
    "admin",
];

async fn check(d: &Daemon, w: &World, method: &str, template: &str, need: Need, who: Who) {
    // Fresh objects of tenant A for every check, so one principal's DELETE cannot affect another's.
    let project = d.create_project(&w.root, &format!("p-{}", unique_email("x"))).await;
    let pid = project["id"].as_str().expect("pid").to_owned();
    let version: Value = d
        .send(
            &w.root,
            Method::POST,
            &format!("/api/v1/projects/{pid}/versions"),
            Some(json!({"name": unique_email("v")})),
        )
        .await
        .json()
        .await
        .expect("version");
    let vid = version["id"].as_str().expect("vid").to_owned();
    let team: Value = d
        .send(&w.root, Method::POST, "/api/v1/admin/teams", Some(json!({"name": unique_email("team")})))
        .await
        .json()
        .await
        .expect("team");
    let tid = team["id"].as_str().expect("tid").to_owned();
    let added = d
        .send(
            &w.root,
            Method::POST,
            &format!("/api/v1/admin/teams/{tid}/members"),
            Some(json!({"user_id": w.viewer.user_id})),
        )
        .await;
    assert_eq!(added.status(), 201);

    let caller: Option<Session> = match who {
        Who::Anonymous => None,
        Who::Viewer => Some(w.viewer.clone()),
        Who::Member => Some(w.member.clone()),
        Who::Admin => Some(w.admin.clone()),
        Who::OtherTenantAdmin => Some(w.other.clone()),
        Who::SuperAdmin => Some(w.root.clone()),
        Who::KeyWithoutScope => {
            let needed = match need {
                Need::Tenant { scope, .. } => scope,
                _ => "admin",
            };
            let scopes: Vec<&str> =
                ALL_SCOPES.iter().copied().filter(|s| *s != needed && *s != "admin").collect();
            Some(d.api_key(&w.root, &scopes).await)
        }
    };
    // API-key routes act on the caller's own key; others (and strangers) see root's.
    let key_owner = match who {
        Who::Viewer | Who::Member | Who::Admin => caller.clone().expect("caller"),
        _ => w.root.clone(),
    };
    let key: Value = d
        .send(
            &key_owner,
            Method::POST,
            "/api/v1/api-keys",
            Some(json!({"name": "fixture", "scopes": ["project:read"]})),
        )
        .await
        .json()
        .await
        .expect("key");
    let kid = key["key"]["id"].as_str().expect("kid").to_owned();

    let id = if template.starts_with("/api/v1/scans/")
        || template.starts_with("/api/v1/admin/scans/")
        || template.starts_with("/api/v1/cbom/scans/")
    {
        w.scan_id.clone()
    } else if template == "/api/v1/projects/{id}/sbom"
        || template == "/api/v1/projects/{id}/scans"
        || template == "/api/v1/projects/{id}/components"
        || template == "/api/v1/projects/{id}/history"
        || template == "/api/v1/projects/{id}/gate-result"
        || template == "/api/v1/projects/{id}/licenses"
        || template == "/api/v1/projects/{id}/obligations"
        || template == "/api/v1/projects/{id}/notice"
        || template == "/api/v1/projects/{id}/versions/{vid}/scan-history"
        || template == "/api/v1/projects/{id}/versions/{vid}/sbom"
    {
        w.scan_project.clone()
    } else if template == "/api/v1/versions/{id}/compare/{other}"
        || template == "/api/v1/versions/{id}/cra-status"
        || template == "/api/v1/versions/{id}/export"
        || template == "/api/v1/versions/{id}/compliance-report"
    {
        w.scan_version.clone()
    } else if template == "/api/v1/vulnerabilities/{id}" {
        w.vulnerability_id.clone()
    } else if template.starts_with("/api/v1/projects/") {
        pid.clone()
    } else if template.starts_with("/api/v1/findings/") {
        w.finding_id.clone()
    } else if template.starts_with("/api/v1/versions/") {
        vid.clone()
    } else if template.starts_with("/api/v1/api-keys/") {
        kid
    } else if template.starts_with("/api/v1/git-credentials/") {
        // A fresh credential of tenant A, so a permitted DELETE has its own to remove.
        let host = format!("h{}.example.com", uuid::Uuid::new_v4().simple());
        let c: Value = d
            .send(&w.root, Method::POST, "/api/v1/git-credentials", Some(json!({"host": host, "token": "t"})))
            .await
            .json()
            .await
            .expect("credential");
        c["id"].as_str().expect("credential id").to_owned()
    } else if template.starts_with("/api/v1/registry-credentials/") {
        // A fresh credential of tenant A, so a permitted DELETE has its own to remove.
        let registry = format!("r{}.example.com", uuid::Uuid::new_v4().simple());
        let body = json!({"registry": registry, "username": "u", "password": "p"});
        let c: Value = d
            .send(&w.root, Method::POST, "/api/v1/registry-credentials", Some(body))
            .await
            .json()
            .await
            .expect("credential");
        c["id"].as_str().expect("credential id").to_owned()
    } else if template.starts_with("/api/v1/triage-rules/") {
        // A fresh rule of tenant A, so a permitted DELETE has its own to remove.
        let r: Value = d
            .send(
                &w.root,
                Method::POST,
                "/api/v1/triage-rules",
                Some(json!({"vulnerability": "CVE-0000-0001", "purl": "pkg:npm/authz-fixture", "state": "in_triage"})),
            )
            .await
            .json()
            .await
            .expect("rule");
        r["id"].as_str().expect("rule id").to_owned()
    } else if template.starts_with("/api/v1/policies/") {
        // A fresh policy of tenant A, so a permitted PUT or DELETE has its own.
        fresh_policy(d, &w.root).await
    } else if template.starts_with("/api/v1/approvals/") {
        // A fresh pending approval of tenant A, so a permitted decision has its own.
        let a: Value = d
            .send(&w.root, Method::POST, "/api/v1/approvals", Some(approval_body(&pid)))
            .await
            .json()
            .await
            .expect("approval");
        a["id"].as_str().expect("approval id").to_owned()
    } else if template.starts_with("/api/v1/cve-watches/") {
        // A fresh watch of tenant A, so a permitted DELETE has its own to remove.
        let target = json!({"kind": "advisory", "id": format!("CVE-0000-{}", uuid::Uuid::new_v4().simple())});
        let r: Value = d
            .send(&w.root, Method::POST, "/api/v1/cve-watches", Some(json!({"target": target})))
            .await
            .json()
            .await
            .expect("watch");
        r["watch"]["id"].as_str().expect("watch id").to_owned()
    } else if template.starts_with("/api/v1/feature-requests/") {
        // A fresh request of tenant A, so a permitted status change has its own.
        let r: Value = d
            .send(
                &w.root,
                Method::POST,
                "/api/v1/feature-requests",
                Some(json!({"kind": "bug", "title": "authz"})),
            )
            .await
            .json()
            .await
            .expect("feature request");
        r["id"].as_str().expect("feature request id").to_owned()
    } else if template.starts_with("/api/v1/webhooks/") {
        // A fresh webhook of tenant A (to a closed loopback port), so a permitted DELETE has its own.
        let hook: Value = d
            .send(&w.root, Method::POST, "/api/v1/webhooks", Some(WEBHOOK_BODY.clone()))
            .await
            .json()
            .await
            .expect("webhook");
        hook["webhook"]["id"].as_str().expect("webhook id").to_owned()
    } else if template.starts_with("/api/v1/admin/teams/") {
        tid.clone()
    } else if template.starts_with("/api/v1/admin/users/") {
        w.victim_id.clone()
    } else if template.starts_with("/api/v1/users/me/oauth-identities/")
        || template.starts_with("/api/v1/notifications/{id}")
    {
        uuid::Uuid::new_v4().to_string()
    } else {
        String::new()
    };
    let source = if template == "/api/v1/admin/vulndb/sources/{name}" {
        // A fresh source for every check, so a permitted DELETE has one of its own to remove.
        let name = format!("authz-{}", uuid::Uuid::new_v4().simple());
        let r = d
            .http
            .post(d.url(&format!("/api/v1/admin/vulndb/import?name={name}")))
            .bearer_auth(&w.root.token)
            .header("content-type", "application/zip")
            .body(crate::vulndb::zip_of(&["go/GO-2020-0001.json"]))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), 200);
        name
    } else {
        String::new()
    };
    // A queued ping of that webhook (in tenant A) for the delivery routes.
    let delivery = if template.contains("{did}") {
        let queued: Value = d
            .send(&w.root, Method::POST, &format!("/api/v1/webhooks/{id}/ping"), None)
            .await
            .json()
            .await
            .expect("ping");
        queued["id"].as_str().expect("delivery id").to_owned()
    } else {
        String::new()
    };
    let path = template
        .replace("{did}", &delivery)
        .replace("{name}", &source)
        .replace("{provider}", "gh")
        .replace("{id}", &id)
        .replace("{slug}", "not-found")
        .replace("{user_id}", &w.viewer.user_id)
        .replace("{other}", &w.scan_version)
        .replace("{vid}", &w.scan_version)
        .replace("{revision}", "1");
    // Routes whose required query names a tenant A object (or a term to look for).
    let path = match template {
        "/api/v1/comparison" => format!("{path}?from={0}&to={0}", w.scan_id),
        "/api/v1/components/search" => format!("{path}?name=requests"),
        _ => path,
    };

    // Bodies naming a policy or a project of the caller's own tenant (a stranger's is a 400).
    let own = if who == Who::OtherTenantAdmin { w.other.clone() } else { w.root.clone() };
    let own_policy = match (method, template) {
        ("PUT", "/api/v1/projects/{id}/policy" | "/api/v1/default-policy") => fresh_policy(d, &own).await,
        _ => String::new(),
    };
    let own_project = if (method, template) == ("POST", "/api/v1/approvals") && who == Who::OtherTenantAdmin {
        d.create_project(&own, &format!("p-{}", unique_email("o"))).await["id"]
            .as_str()
            .expect("pid")
            .to_owned()
    } else {
        pid.clone()
    };
    let body: Option<Value> = match (method, template) {
        ("POST", "/api/v1/auth/register") => {
            Some(json!({"email": unique_email("reg"), "password": PASSWORD}))
        }
        ("POST", "/api/v1/auth/register/verify") => {
            // A fresh registration, completed with the token mailed to the pickup directory.
            let email = unique_email("verify");
            let asked = d
                .http
                .post(d.url("/api/v1/auth/register"))
                .json(&json!({"email": email, "password": PASSWORD}))
                .send()
                .await
                .expect("register");
            assert_eq!(asked.status(), 202);
            Some(json!({"token": d.registration_token(&email).await}))
        }
        ("POST", "/api/v1/auth/login") => Some(json!({"email": w.login_email, "password": PASSWORD})),
        ("POST", "/api/v1/auth/refresh") => {
            Some(json!({"refresh_token": d.login(&w.login_email).await.refresh}))
        }
        ("POST", "/api/v1/auth/logout") => Some(json!({"refresh_token": "crt_unknown"})),
        // An address without an account: the same 202, and no reset mail that the reset-password
        // row below could read instead of its own.
        ("POST", "/api/v1/auth/forgot-password") => Some(json!({"email": unique_email("nobody")})),
        ("POST", "/api/v1/auth/reset-password") => {
            // A fresh token for the login user, read from the outbox; the password stays the same.
            let issued = d
                .send(
                    &w.root,
                    Method::POST,
                    &format!("/api/v1/admin/users/{}/password-reset", w.login_id),
                    None,
                )
                .await;
            assert_eq!(issued.status(), 202);
            Some(json!({"token": latest_reset_token(d).await, "password": PASSWORD}))
        }
        ("PATCH", "/api/v1/admin/users/{id}/role") => Some(json!({"super_admin": false})),
        ("POST", "/api/v1/invites") => Some(json!({"email": unique_email("inv"), "role": "viewer"})),
        ("POST", "/api/v1/api-keys") => Some(json!({"name": "m", "scopes": ["project:read"]})),
        ("POST", "/api/v1/git-credentials") => {
            Some(json!({"host": format!("h{}.example.com", uuid::Uuid::new_v4().simple()), "token": "t"}))
        }
        ("POST", "/api/v1/registry-credentials") => Some(json!({
            "registry": format!("r{}.example.com", uuid::Uuid::new_v4().simple()),
            "username": "u",
            "password": "p"
        })),
        ("POST", "/api/v1/webhooks") | ("PUT", "/api/v1/webhooks/{id}") => Some(WEBHOOK_BODY.clone()),
        ("POST", "/api/v1/projects") => Some(json!({"name": unique_email("proj"), "kind": "repo"})),
        ("PATCH", "/api/v1/projects/{id}") => Some(json!({"tags": ["t"]})),
        ("PUT", "/api/v1/tenant/settings") => Some(json!({"triage_sla": {"critical": 7}})),
        ("POST", "/api/v1/projects/{id}/versions") => Some(json!({"name": unique_email("ver")})),
        ("PATCH", "/api/v1/versions/{id}") => Some(json!({"name": unique_email("ren")})),
        ("PATCH", "/api/v1/versions/{id}/release-state") => Some(json!({"state": "released"})),
        ("POST", "/api/v1/admin/teams") => Some(json!({"name": unique_email("t")})),
        ("PATCH", "/api/v1/admin/teams/{id}") => Some(json!({"name": unique_email("t")})),
        ("POST", "/api/v1/admin/teams/{id}/members") => Some(json!({"user_id": w.member.user_id})),
        // No ecosystem: the check reaches no mirror.
        ("POST", "/api/v1/admin/vulndb/update") => Some(json!({"ecosystems": []})),
        ("PUT", "/api/v1/users/me/notification-prefs") => {
            Some(json!({"events": {"scan.completed": {"in_app": true, "email": false}}}))
        }
        ("POST", "/api/v1/scans") => Some(json!({"source": {"kind": "path", "path": w.tree}})),
        ("PATCH", "/api/v1/findings/{id}") => Some(json!({"state": "in_triage"})),
        ("POST", "/api/v1/triage-rules") => Some(
            json!({"vulnerability": "CVE-0000-0002", "purl": "pkg:npm/authz-fixture", "state": "in_triage"}),
        ),
        ("POST", "/api/v1/policies") | ("PUT", "/api/v1/policies/{id}") => {
            Some(json!({"document": policy_doc()}))
        }
        ("PUT", "/api/v1/projects/{id}/policy") | ("PUT", "/api/v1/default-policy") => {
            Some(json!({"policy_id": own_policy}))
        }
        ("POST", "/api/v1/approvals") => Some(approval_body(&own_project)),
        ("POST", "/api/v1/approvals/{id}/approve") | ("POST", "/api/v1/approvals/{id}/reject") => {
            Some(json!({}))
        }
        ("POST", "/api/v1/cve-watches") => Some(
            json!({"target": {"kind": "advisory", "id": format!("CVE-0000-{}", uuid::Uuid::new_v4().simple())}}),
        ),
        ("POST", "/api/v1/feature-requests") => Some(json!({"kind": "feature", "title": "authz"})),
        ("POST", "/api/v1/feature-requests/{id}/status") => Some(json!({"status": "planned"})),
        ("POST", "/api/v1/projects/{id}/vex") => Some(json!({
            "@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/authz", "author": "authz",
            "timestamp": "2024-01-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-0000-0003"}, "products": [{"@id": "pkg:npm/authz-fixture@1.0.0"}], "status": "under_investigation"}]})),
        // Not a repository: the scan fails in the background; the matrix checks who may submit.
        ("POST", "/api/v1/cbom/scans") => Some(json!({"repo_url": format!("file://{}", w.tree.display())})),
        _ => None,
    };
    // OAuth redirects point at the (absent) provider: read them, do not follow.
    let client = if matches!(need, Need::Fixed(..)) { http_client(false) } else { d.http.clone() };
    let mut req = client
        .request(Method::from_bytes(method.as_bytes()).expect("method"), d.url(&path))
        .header("if-match", "*");
    if template == "/api/v1/auth/token" {
        req = req.form(&[
            ("grant_type", "password"),
            ("username", w.login_email.as_str()),
            ("password", PASSWORD),
        ]);
    } else if template == "/api/v1/admin/vulndb/import" {
        let zip = crate::vulndb::zip_of(&["go/GO-2020-0001.json"]);
        req = req.header("content-type", "application/zip").body(zip);
    } else if template == "/api/v1/scans/upload" {
        let tgz = crate::uploads::gzip(&crate::uploads::tar_with_entry("a/requirements.txt"));
        let part = reqwest::multipart::Part::bytes(tgz).file_name("a.tgz");
        req = req.multipart(reqwest::multipart::Form::new().part("file", part));
    } else if template == "/api/v1/sboms/ingest" {
        let name = "trivy-0.76.0__pipenv-pipenv.cdx-1.7.json";
        let part =
            reqwest::multipart::Part::bytes(crate::uploads::sbom_fixture(name).into_bytes()).file_name(name);
        req = req.multipart(reqwest::multipart::Form::new().part("file", part));
    } else if let Some(b) = body {
        req = req.json(&b);
    }
    if let Some(c) = &caller {
        req = req.bearer_auth(&c.token);
    }
    let resp = req.send().await.expect("send");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    if let Need::Fixed(want, code) = need {
        let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        assert_eq!((status, v["code"].as_str()), (want, code), "{method} {template} as {who:?}: {text}");
        return;
    }
    match expected(need, who) {
        None => assert!(
            (200..300).contains(&status),
            "{method} {template} as {who:?}: expected 2xx, got {status} {text}"
        ),
        Some((want, code)) => {
            let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
            assert_eq!(
                (status, v["code"].as_str()),
                (want, Some(code)),
                "{method} {template} as {who:?}: {text}"
            );
        }
    }
    // Denied writes changed nothing.
    if expected(need, who).is_some() && method != "GET" {
        let p: Value = d
            .send(&w.root, Method::GET, &format!("/api/v1/projects/{pid}"), None)
            .await
            .json()
            .await
            .expect("p");
        assert_eq!(p["version"], 1, "{method} {template} as {who:?} changed the project");
        let v: Value = d
            .send(&w.root, Method::GET, &format!("/api/v1/versions/{vid}"), None)
            .await
            .json()
            .await
            .expect("v");
        assert_eq!(v["version"], 1, "{method} {template} as {who:?} changed the version");
        let t: Value = d
            .send(&w.root, Method::GET, &format!("/api/v1/admin/teams/{tid}"), None)
            .await
            .json()
            .await
            .expect("t");
        assert_eq!(
            (t["version"].as_i64(), t["member_count"].as_i64()),
            (Some(1), Some(1)),
            "{method} {template} as {who:?} changed the team"
        );
    }
}

/// A valid policy document with a fresh id (ids are unique per tenant).
fn policy_doc() -> String {
    format!(
        "format = \"cairn-policy/1\"\nid = \"authz-{}\"\n[[rules]]\nid = \"r\"\naction = \"warn\"\nmessage = \"m\"\ninventory = {{ deny = [\"pkg:npm/authz-fixture\"] }}\n",
        uuid::Uuid::new_v4().simple()
    )
}

/// A fresh policy of `who`'s tenant; its id.
async fn fresh_policy(d: &Daemon, who: &Session) -> String {
    let p: Value = d
        .send(who, Method::POST, "/api/v1/policies", Some(json!({"document": policy_doc()})))
        .await
        .json()
        .await
        .expect("policy");
    p["id"].as_str().expect("policy id").to_owned()
}

/// An exception request on project `pid`, a day long.
fn approval_body(pid: &str) -> Value {
    let expires = (time::OffsetDateTime::now_utc() + time::Duration::days(1))
        .format(&time::format_description::well_known::Rfc3339)
        .expect("time");
    json!({"project_id": pid, "rule": "r", "subject": {"kind": "component", "purl": "pkg:npm/authz-fixture@1.0.0"},
        "reason": "authz", "expires_at": expires})
}

/// The reset token of the next reset mail delivered to the harness's pickup directory and not
/// read yet (the admin outbox never shows it); each reset asked for is read once, in order.
pub async fn latest_reset_token(d: &Daemon) -> String {
    let body = d.next_mail(None, "Reset token: cpr_").await;
    let start = body.find("cpr_").expect("token in mail");
    body[start..].split_whitespace().next().expect("token").to_owned()
}

/// A key for the git credentials routes (they answer 409 without one).
fn git_credentials_key(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("git-credentials.key");
    std::fs::write(&path, [0x5au8; 32]).expect("key file");
    path
}

/// A GitHub provider whose URLs are never contacted by the matrix (authorize only redirects).
/// A webhook to a closed loopback port (the matrix daemon allows private targets and sends nothing).
static WEBHOOK_BODY: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| json!({"url": "http://127.0.0.1:9/hook", "events": ["scan.completed"]}));

pub const OAUTH_CONFIG: &str = "[oauth]\npublic_url = \"http://127.0.0.1:9\"\nallow_insecure_loopback = true\n\
    [[oauth.providers]]\nname = \"gh\"\nkind = \"github\"\nclient_id = \"c\"\nclient_secret = \"s\"\n\
    base_url = \"http://127.0.0.1:9\"\napi_url = \"http://127.0.0.1:9/api\"\n";

both!(authorization_matrix_covers_every_route, |db| async move {
    let (root_dir, tree) = crate::scans::tree_root();
    let d = Daemon::start_with(
        db,
        Opts {
            scan_roots: vec![root_dir.path().to_path_buf()],
            // No webhook senders: queued pings stay pending (redeliver never meets one in flight).
            extra_config: format!("{OAUTH_CONFIG}[webhooks]\nallow_private_targets = true\nsenders = 0\n"),
            vulndb_import: vec![crate::findings::osv()],
            git_credentials_key_file: Some(git_credentials_key(root_dir.path())),
            ..Opts::default()
        },
    )
    .await;
    let routes = documented_routes(&d).await;
    let matrix: BTreeSet<(String, String)> =
        MATRIX.iter().map(|(m, p, _)| (m.to_string(), p.to_string())).collect();
    let missing: Vec<_> = routes.difference(&matrix).collect();
    assert!(missing.is_empty(), "routes without a row in the authorization matrix: {missing:?}");
    let stale: Vec<_> = matrix.difference(&routes).collect();
    assert!(stale.is_empty(), "matrix rows for routes the API does not serve: {stale:?}");

    d.admin(
        &[
            "create-user",
            "--email",
            "root@example.test",
            "--super-admin",
            "--tenant",
            "A",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    let root = d.login("root@example.test").await;
    let viewer = d.invite(&root, &unique_email("viewer"), "viewer").await;
    let member = d.invite(&root, &unique_email("member"), "member").await;
    let admin = d.invite(&root, &unique_email("admin"), "admin").await;
    let victim = d.invite(&root, &unique_email("victim"), "viewer").await;
    let other = d.register(&unique_email("other")).await;
    let login_email = unique_email("login");
    let login_id = d.register(&login_email).await.user_id;
    let project: Value = d
        .send(
            &root,
            Method::POST,
            "/api/v1/projects",
            Some(json!({"name": "scanned", "kind": "repo", "repo_url": "https://example.com/scanned.git"})),
        )
        .await
        .json()
        .await
        .expect("project");
    let scan_project = project["id"].as_str().expect("project id").to_owned();
    let version: Value = d
        .send(
            &root,
            Method::POST,
            &format!("/api/v1/projects/{scan_project}/versions"),
            Some(json!({"name": "1.0"})),
        )
        .await
        .json()
        .await
        .expect("version");
    let scan_version = version["id"].as_str().expect("version id").to_owned();
    let resp = d
        .send(
            &root,
            Method::POST,
            "/api/v1/scans",
            Some(json!({"source": {"kind": "path", "path": tree}, "project": scan_project, "version": scan_version})),
        )
        .await;
    assert_eq!(resp.status(), 202);
    let scan_id = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("scan id").to_owned();
    let (events, _) = crate::ws::follow(&d, &scan_id, &root).await;
    assert_eq!(events.last().map(|e| e["status"].clone()), Some(json!("completed")));
    let found: Value = d
        .send(&root, Method::GET, &format!("/api/v1/scans/{scan_id}/findings"), None)
        .await
        .json()
        .await
        .expect("findings");
    let finding_id = found["items"][0]["id"].as_str().expect("the fixture tree has a finding").to_owned();
    let vulnerability_id = found["items"][0]["vulnerability_id"].as_str().expect("advisory").to_owned();
    let w = World {
        finding_id,
        vulnerability_id,
        root,
        viewer,
        member,
        admin,
        other,
        victim_id: victim.user_id,
        login_email,
        login_id,
        scan_id,
        scan_project,
        scan_version,
        tree: tree.clone(),
    };
    for (method, path, need) in MATRIX {
        for who in EVERYONE {
            check(&d, &w, method, path, *need, who).await;
        }
    }
});

// Issue 16 point 9: rows the per-route matrix cannot express. A viewer's key holding write
// scopes is still a viewer's; X-Tenant cannot reach a tenant the caller is not in, nor can a
// key act outside the tenant it is bound to; the WebSocket routes apply the same tenant and
// scope rules.
both!(websockets_and_tenant_switching_hold_scopes, |db| async move {
    let (root_dir, tree) = crate::scans::tree_root();
    let d =
        Daemon::start_with(db, Opts { scan_roots: vec![root_dir.path().to_path_buf()], ..Opts::default() })
            .await;
    d.admin(
        &["create-user", "--email", "root@example.test", "--tenant", "A", "--password-stdin"],
        Some(&format!("{PASSWORD}\n")),
    );
    let root = d.login("root@example.test").await;
    let tenant_a = root.tenant.clone().expect("tenant A");
    let project = d.create_project(&root, "mine").await;
    let pid = project["id"].as_str().expect("pid").to_owned();

    let viewer = d.invite(&root, &unique_email("viewer"), "viewer").await;
    let loud = d.api_key(&viewer, &["project:write", "scan:write", "admin"]).await;
    let r = d.send(&loud, Method::POST, "/api/v1/projects", Some(json!({"name": "v", "kind": "repo"}))).await;
    crate::harness::expect_problem(r, 403, "FORBIDDEN").await;
    let r = d.send(
        &loud,
        Method::POST,
        "/api/v1/invites",
        Some(json!({"email": unique_email("i"), "role": "viewer"})),
    );
    crate::harness::expect_problem(r.await, 403, "FORBIDDEN").await;

    let other = d.register(&unique_email("other")).await;
    let tenant_b = other.tenant.clone().expect("tenant B");
    let get = |token: &str, path: &str, tenant: &str| {
        d.http.get(d.url(path)).bearer_auth(token).header("x-tenant", tenant).send()
    };
    // Switching to a tenant one is not in.
    let r = get(&root.token, "/api/v1/projects", &tenant_b).await.expect("send");
    crate::harness::expect_problem(r, 404, "NOT_FOUND").await;
    let r = get(&other.token, "/api/v1/projects", &tenant_a).await.expect("send");
    crate::harness::expect_problem(r, 404, "NOT_FOUND").await;
    // A key bound to tenant B: not with X-Tenant A, and not on A's objects.
    let b_key = d.api_key(&other, &["project:read", "scan:read"]).await;
    let r = get(&b_key.token, "/api/v1/projects", &tenant_a).await.expect("send");
    crate::harness::expect_problem(r, 404, "NOT_FOUND").await;
    let r = d.send(&b_key, Method::GET, &format!("/api/v1/projects/{pid}"), None).await;
    crate::harness::expect_problem(r, 404, "NOT_FOUND").await;

    // WebSockets: tenant A's scan is not_found to tenant B (its admin or its key), and a key of
    // A without scan:read is unauthorized on both routes.
    let resp = d
        .send(&root, Method::POST, "/api/v1/scans", Some(json!({"source": {"kind": "path", "path": tree}})))
        .await;
    assert_eq!(resp.status(), 202);
    let scan = resp.json::<Value>().await.expect("scan")["id"].as_str().expect("id").to_owned();
    let (_, end) = crate::ws::follow(&d, &scan, &root).await;
    assert!(matches!(end, crate::ws::Frame::Close(1000, _)), "{end:?}");
    for token in [&other.token, &b_key.token] {
        let mut s = crate::ws::connect(&d, &format!("/api/v1/ws/scans/{scan}")).await;
        crate::ws::auth(&mut s, token).await;
        assert_eq!(crate::ws::next(&mut s).await, crate::ws::Frame::Close(1008, "not_found".into()));
    }
    // The Swagger UI is declared (public) and served, not refused as undeclared.
    let r = d.http.get(d.url("/api/docs/")).send().await.expect("send");
    assert_eq!(r.status(), 200);
    let narrow = d.api_key(&root, &["project:read"]).await;
    for path in [format!("/api/v1/ws/scans/{scan}"), "/api/v1/ws/events".to_owned()] {
        let mut s = crate::ws::connect(&d, &path).await;
        crate::ws::auth(&mut s, &narrow.token).await;
        assert_eq!(
            crate::ws::next(&mut s).await,
            crate::ws::Frame::Close(1008, "unauthorized".into()),
            "{path}"
        );
    }
});
