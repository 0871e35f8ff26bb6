//! The HTTP API: one file per resource, composed here with the cross-cutting layers.
//!
//! Every route is registered through utoipa-axum's `routes!`, so the OpenAPI document and the
//! router come from the same list and cannot disagree.

pub mod admin;
pub mod admin_audit;
pub mod api_keys;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod cbom_compat;
pub mod cbom_demo;
pub mod comparison;
pub mod compliance_report;
pub mod components;
pub mod contract;
pub mod controls;
pub mod conventions;
pub mod cra_status;
pub mod cve_watches;
pub mod events;
pub mod extract;
pub mod feature_requests;
pub mod findings;
pub mod gates;
pub mod git_credentials;
pub mod health;
pub mod history;
pub mod idempotency;
pub mod images;
pub mod invites;
pub mod licenses;
mod linger;
pub mod metrics;
pub mod notification_prefs;
pub mod notifications;
pub mod oauth;
pub mod oauth_identities;
pub mod pagination;
pub mod policies;
pub mod problems;
pub mod projects;
pub mod rate_limit;
pub mod registry_credentials;
pub mod scan_results;
pub mod scans;
pub mod technical_file;
pub mod tenant_settings;
pub mod triage_rules;
pub mod uploads;
pub mod validate;
pub mod versions;
pub mod vex;
pub mod vulndb;
pub mod vulnerabilities;
pub mod webhooks;
pub mod ws;

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Extension};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::{Router, middleware};
use tower_http::catch_panic::CatchPanicLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(title = "Cairn API", description = "Cairn's daemon: inventories, vulnerabilities, licenses, cryptography, policy. Errors are RFC 7807 problem+json; lists are paged; see /problems/{slug}."),
    modifiers(&BearerAuth),
    components(schemas(cairn_sdk::types::BomFormat, cairn_sdk::types::ScanStatus, cairn_sdk::types::CbomBomFormat, cairn_sdk::types::Severity, cairn_sdk::types::DependencyScope, cairn_sdk::types::SourceKind, cairn_sdk::types::ReportFormat, cairn_sdk::types::FrameworkId)),
    tags((name = "service"), (name = "auth"), (name = "api-keys"), (name = "git-credentials"), (name = "webhooks"), (name = "projects"), (name = "versions"), (name = "scans"), (name = "findings"), (name = "policies"), (name = "events"), (name = "notifications"), (name = "admin"), (name = "vulndb"), (name = "cbom"), (name = "tenants"), (name = "feature-requests"))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("A JWT access token from /auth/login, or an API key crn_live_…"))
                    .build(),
            ),
        );
    }
}

/// The serialized OpenAPI document, shared with its handler.
#[derive(Clone)]
struct OpenApiJson(Arc<String>);

/// The OpenAPI 3.1 document of this API.
#[utoipa::path(get, operation_id = "openapi_json", path = "/api/openapi.json", tag = "service",
    responses((status = 200, description = "This document", content_type = "application/json")))]
async fn openapi_json(Extension(doc): Extension<OpenApiJson>) -> Response {
    let mut resp = doc.0.as_str().to_owned().into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    resp
}

/// `/api/v1`: the versioned API.
fn v1(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(auth::register))
        .routes(routes!(auth::register_verify))
        .routes(routes!(auth::login))
        .routes(routes!(auth::token))
        .routes(routes!(auth::refresh))
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::forgot_password))
        .routes(routes!(auth::reset_password))
        .routes(routes!(oauth::authorize))
        .routes(routes!(oauth::callback))
        .routes(routes!(oauth_identities::list))
        .routes(routes!(oauth_identities::delete))
        .routes(routes!(notification_prefs::get, notification_prefs::put))
        .routes(routes!(notifications::list))
        .routes(routes!(notifications::unread_count))
        .routes(routes!(notifications::read))
        .routes(routes!(notifications::read_all))
        .routes(routes!(invites::create))
        .routes(routes!(api_keys::list, api_keys::create))
        .routes(routes!(api_keys::get, api_keys::delete))
        .routes(routes!(git_credentials::list, git_credentials::create))
        .routes(routes!(git_credentials::delete))
        .routes(routes!(registry_credentials::list, registry_credentials::create))
        .routes(routes!(registry_credentials::delete))
        .routes(routes!(webhooks::list, webhooks::create))
        .routes(routes!(webhooks::get, webhooks::update, webhooks::delete))
        .routes(routes!(webhooks::ping))
        .routes(routes!(webhooks::deliveries))
        .routes(routes!(webhooks::redeliver))
        .routes(routes!(webhooks::rotate_secret))
        .routes(routes!(projects::list, projects::create))
        .routes(routes!(projects::get, projects::update, projects::delete))
        .routes(routes!(versions::list, versions::create))
        .routes(routes!(versions::get, versions::update, versions::delete))
        .routes(routes!(versions::release_state))
        .routes(routes!(admin::users))
        .routes(routes!(admin::user))
        .routes(routes!(admin::deactivate))
        .routes(routes!(admin::activate))
        .routes(routes!(admin::set_role))
        .routes(routes!(admin::password_reset))
        .routes(routes!(admin_audit::list))
        .routes(routes!(admin_audit::verify))
        .routes(routes!(admin_audit::export_csv))
        .routes(routes!(admin_audit::outbox))
        .routes(routes!(admin::teams, admin::create_team))
        .routes(routes!(admin::team, admin::update_team, admin::delete_team))
        .routes(routes!(admin::add_member))
        .routes(routes!(admin::remove_member))
        .routes(routes!(vulndb::get_status))
        .routes(routes!(vulndb::import_zip))
        .routes(routes!(vulndb::run_update))
        .routes(routes!(vulndb::remove_source))
        .routes(routes!(scans::list, scans::create))
        .routes(routes!(scans::get))
        .routes(routes!(scans::cancel))
        .routes(routes!(scans::project_list, scans::project_create))
        .routes(routes!(scans::admin_list))
        .routes(routes!(scans::admin_cancel))
        .routes(routes!(scan_results::components))
        .routes(routes!(scan_results::findings))
        .routes(routes!(scan_results::dependencies))
        .routes(routes!(scan_results::licenses))
        .routes(routes!(events::list))
        .routes(routes!(findings::list))
        .routes(routes!(findings::get, findings::triage))
        .routes(routes!(triage_rules::list, triage_rules::create))
        .routes(routes!(triage_rules::get, triage_rules::delete))
        .routes(routes!(cve_watches::list, cve_watches::create))
        .routes(routes!(cve_watches::get, cve_watches::delete))
        .routes(routes!(cve_watches::hits))
        .routes(routes!(vex::import_vex))
        .routes(routes!(policies::list, policies::create))
        .routes(routes!(policies::get, policies::update, policies::delete))
        .routes(routes!(policies::revisions))
        .routes(routes!(policies::revision))
        .routes(routes!(policies::project_get, policies::project_put, policies::project_delete))
        .routes(routes!(policies::default_get, policies::default_put, policies::default_delete))
        .routes(routes!(approvals::list, approvals::create))
        .routes(routes!(approvals::get))
        .routes(routes!(approvals::approve))
        .routes(routes!(approvals::reject))
        .routes(routes!(scan_results::crypto_assets))
        .routes(routes!(scan_results::diagnostics))
        .routes(routes!(scan_results::warnings))
        .routes(routes!(scan_results::events))
        .routes(routes!(scan_results::bom))
        .routes(routes!(scan_results::project_sbom))
        .routes(routes!(comparison::compare))
        .routes(routes!(comparison::compare_versions))
        .routes(routes!(components::project_components))
        .routes(routes!(components::search))
        .routes(routes!(history::history))
        .routes(routes!(licenses::licenses))
        .routes(routes!(licenses::obligations))
        .routes(routes!(licenses::notice))
        .routes(routes!(cra_status::cra_status))
        .routes(routes!(technical_file::export))
        .routes(routes!(compliance_report::compliance_report))
        .routes(routes!(tenant_settings::get, tenant_settings::put))
        .routes(routes!(controls::frameworks))
        .routes(routes!(controls::list))
        .routes(routes!(vulnerabilities::list))
        .routes(routes!(vulnerabilities::get))
        .routes(routes!(gates::scan_gate))
        .routes(routes!(gates::project_gate))
        .routes(routes!(cbom_compat::health))
        .routes(routes!(cbom_demo::demo))
        .routes(routes!(cbom_compat::list, cbom_compat::create))
        .routes(routes!(cbom_compat::get))
        .routes(routes!(cbom_compat::bom_json))
        .routes(routes!(images::scan_history))
        .routes(routes!(images::version_sbom))
        .routes(routes!(feature_requests::list, feature_requests::create))
        .routes(routes!(feature_requests::get))
        .routes(routes!(feature_requests::set_status))
        // Uploads get their own body limit: the upload cap, not `max_body_bytes`.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(uploads::upload))
                .routes(routes!(uploads::ingest))
                .layer(DefaultBodyLimit::max(upload_body_limit(state)))
                .layer(middleware::from_fn(linger::linger_on_refusal)),
        )
        // Audit inside idempotency: a replayed response is not a second write.
        .layer(middleware::from_fn_with_state(state.clone(), audit::audit))
        .layer(middleware::from_fn_with_state(state.clone(), idempotency::idempotency))
}

/// The body limit of the upload routes: the file's cap and room for the form around it.
fn upload_body_limit(state: &AppState) -> usize {
    let cap = state.config.scans.upload_max_bytes.saturating_add(uploads::FRAMING_BYTES);
    usize::try_from(cap).unwrap_or(usize::MAX)
}

/// Every documented route, as the router and the OpenAPI document see it.
pub fn routes(state: &AppState) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::api_health))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::metrics))
        .routes(routes!(problems::problem_type))
        .routes(routes!(openapi_json))
        .nest("/api/v1", v1(state))
}

/// The OpenAPI document (what `/api/openapi.json` serves): the routes' own annotations completed
/// with the answers every route shares ([`contract::complete`]).
pub fn openapi(state: &AppState) -> serde_json::Value {
    document(routes(state).split_for_parts().1)
}

fn document(doc: utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(doc).unwrap_or_default();
    contract::complete(&mut doc);
    doc
}

/// The complete application: routes, docs UI, fallbacks and layers.
pub fn app(state: AppState) -> Router {
    let (router, doc) = routes(&state).split_for_parts();
    let json = document(doc).to_string();
    let swagger: Router<AppState> = utoipa_swagger_ui::SwaggerUi::new("/api/docs")
        .config(utoipa_swagger_ui::Config::new(["/api/openapi.json"]))
        .into();
    router
        .merge(swagger)
        .merge(ws::routes())
        // Before the fallbacks, so a 405 is still a 405.
        .route_layer(middleware::from_fn(conventions::declared_routes_only))
        .fallback(conventions::route_not_found)
        .method_not_allowed_fallback(conventions::method_not_allowed)
        .route_layer(middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(Extension(OpenApiJson(Arc::new(json))))
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(middleware::from_fn_with_state(state.clone(), rate_limit::limit))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(conventions::request_id))
        .with_state(state)
}
