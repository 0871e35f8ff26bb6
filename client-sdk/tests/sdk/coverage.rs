//! The OpenAPI ⇄ SDK coverage table: every operation of the document a real cairnd serves has a
//! row naming the SDK method that calls it, and every row names an operation the document has.
//! A new server operation without a row fails the test; a removed or renamed method fails to
//! compile (each row references the method as a value).
//!
//! Not in the table, because they are not operations of the document: the WebSocket upgrades
//! (`/api/v1/ws/scans/{id}`, `/api/v1/ws/events`, covered by `ScanWatcher` and `EventsWatcher`)
//! and the Swagger page (`/api/docs`, for browsers).

use std::collections::BTreeSet;

use cairn_sdk::Client;

use crate::common::{Daemon, Opts};

/// `operationId => Client::method`: the method must exist (it is referenced as a value), and its
/// name is what the failure messages print.
macro_rules! rows {
    ($($op:literal => $method:ident),* $(,)?) => {
        &[$(($op, {
            let _exists = Client::$method;
            stringify!($method)
        })),*]
    };
}

/// Operation → method. Lists map to their streaming method (each also has a `*_page`).
fn table() -> &'static [(&'static str, &'static str)] {
    rows![
        // service
        "api_health" => health,
        "healthz" => healthz,
        "readyz" => readyz,
        "metrics" => metrics,
        "openapi_json" => openapi_json,
        "problem_type" => problem_type,
        // auth and the caller's account
        "auth_register" => register,
        "auth_register_verify" => register_verify,
        "auth_login" => login,
        "auth_token" => token,
        "auth_refresh" => refresh,
        "auth_logout" => logout,
        "auth_me" => me,
        "auth_forgot_password" => forgot_password,
        "auth_reset_password" => reset_password,
        "oauth_authorize" => oauth_authorize_url,
        "oauth_callback" => oauth_callback,
        "oauth_identities_list" => oauth_identities,
        "oauth_identities_delete" => delete_oauth_identity,
        "notification_prefs_get" => notification_prefs,
        "notification_prefs_put" => set_notification_prefs,
        "notifications_list" => notifications,
        "notifications_unread_count" => notifications_unread_count,
        "notification_read" => notification_read,
        "notifications_read_all" => notifications_read_all,
        "invites_create" => create_invite,
        // API keys
        "api_keys_list" => api_keys,
        "api_keys_create" => create_api_key,
        "api_keys_get" => api_key,
        "api_keys_delete" => delete_api_key,
        // the event stream
        "events_list" => events,
        // git credentials
        "git_credentials_list" => git_credentials,
        "git_credentials_create" => create_git_credential,
        "git_credentials_delete" => delete_git_credential,
        // webhooks
        "webhooks_list" => webhooks,
        "webhooks_create" => create_webhook,
        "webhooks_get" => webhook,
        "webhooks_update" => update_webhook,
        "webhooks_delete" => delete_webhook,
        "webhooks_ping" => ping_webhook,
        "webhooks_deliveries" => webhook_deliveries,
        "webhooks_redeliver" => redeliver_webhook,
        "webhooks_rotate_secret" => rotate_webhook_secret,
        // CVE watches
        "cve_watches_list" => cve_watches,
        "cve_watches_create" => create_cve_watch,
        "cve_watches_get" => cve_watch,
        "cve_watches_hits" => cve_watch_hits,
        "cve_watches_delete" => delete_cve_watch,
        // projects and versions
        "projects_list" => projects,
        "projects_create" => create_project,
        "projects_get" => project,
        "projects_update" => update_project,
        "projects_delete" => delete_project,
        "versions_list" => versions,
        "versions_create" => create_version,
        "versions_get" => version,
        "versions_update" => update_version,
        "versions_release_state" => set_release_state,
        "versions_delete" => delete_version,
        // scans and their results
        "scans_create" => create_scan,
        "scans_upload" => upload_scan,
        "sboms_ingest" => ingest_sbom,
        "scans_list" => scans,
        "scans_get" => scan,
        "scans_cancel" => cancel_scan,
        "project_scans_list" => project_scans,
        "project_scans_create" => create_project_scan,
        "project_sbom" => project_sbom,
        "scan_components" => scan_components,
        "scan_findings" => scan_findings,
        "scan_dependencies" => scan_dependencies,
        "scan_licenses" => scan_licenses,
        "scan_crypto_assets" => scan_crypto_assets,
        "scan_diagnostics" => scan_diagnostics,
        "scan_warnings" => scan_warnings,
        "scan_events" => scan_events,
        "scan_bom" => scan_bom,
        "scan_gate_result" => scan_gate_result,
        "project_gate_result" => project_gate_result,
        // findings
        "findings_list" => findings,
        "findings_get" => finding,
        "findings_triage" => triage_finding,
        "triage_rules_list" => triage_rules,
        "triage_rules_create" => create_triage_rule,
        "triage_rules_get" => triage_rule,
        "triage_rules_delete" => delete_triage_rule,
        "projects_vex_import" => import_vex,
        // policies and approvals
        "policies_list" => policies,
        "policies_create" => create_policy,
        "policies_get" => policy,
        "policies_update" => update_policy,
        "policies_delete" => delete_policy,
        "policies_revisions" => policy_revisions_page,
        "policies_revision" => policy_revision,
        "project_policy_get" => project_policy,
        "project_policy_put" => assign_project_policy,
        "project_policy_delete" => clear_project_policy,
        "default_policy_get" => default_policy,
        "default_policy_put" => assign_default_policy,
        "default_policy_delete" => clear_default_policy,
        "approvals_list" => approvals_page,
        "approvals_create" => request_approval,
        "approvals_get" => approval,
        "approvals_approve" => approve,
        "approvals_reject" => reject,
        // vulnerability data
        "vulndb_status" => vulndb_status,
        "admin_vulndb_import" => admin_vulndb_import,
        "admin_vulndb_update" => admin_vulndb_update,
        "admin_vulndb_remove" => admin_vulndb_remove,
        // the partner CBOM surface
        "cbom_health" => cbom_health,
        "cbom_demo" => cbom_demo,
        "cbom_scans_create" => cbom_create_scan,
        "cbom_scans_list" => cbom_scans,
        "cbom_scans_get" => cbom_scan,
        "cbom_scans_bom" => cbom_scan_bom,
        // client/admin.rs: each method is named after its operation id.
        "admin_scans" => admin_scans,
        "admin_scans_cancel" => admin_scans_cancel,
        "admin_audit" => admin_audit,
        "admin_audit_export" => admin_audit_export,
        "admin_audit_verify" => admin_audit_verify,
        "admin_outbox" => admin_outbox,
        "admin_users" => admin_users,
        "admin_user" => admin_user,
        "admin_deactivate" => admin_deactivate,
        "admin_activate" => admin_activate,
        "admin_user_role" => admin_user_role,
        "admin_user_password_reset" => admin_user_password_reset,
        "admin_teams" => admin_teams,
        "admin_create_team" => admin_create_team,
        "admin_team" => admin_team,
        "admin_update_team" => admin_update_team,
        "admin_delete_team" => admin_delete_team,
        "admin_add_member" => admin_add_member,
        "admin_remove_member" => admin_remove_member,
        // comparison, project-wide views and scan history
        "comparison" => comparison,
        "version_compare" => version_compare,
        "project_components" => project_components,
        "components_search" => components_search,
        "project_history" => project_history,
        "vulnerabilities_list" => vulnerabilities,
        "vulnerabilities_get" => vulnerability,
        // registry credentials (image pulls)
        "registry_credentials_list" => registry_credentials,
        "registry_credentials_create" => create_registry_credential,
        "registry_credentials_delete" => delete_registry_credential,
        "project_licenses" => project_licenses,
        "project_obligations" => project_obligations,
        "project_notice" => project_notice,
        // evidence (issue 20)
        "version_cra_status" => version_cra_status,
        "version_export" => version_export,
        "version_compliance_report" => version_compliance_report,
        "tenant_settings_get" => tenant_settings,
        "tenant_settings_put" => set_tenant_settings,
        // image catalogue and feature requests (issue 21)
        "version_scan_history" => version_scan_history,
        "version_sbom" => version_sbom,
        "feature_requests_list" => feature_requests,
        "feature_requests_create" => create_feature_request,
        "feature_requests_get" => feature_request,
        "feature_requests_status" => set_feature_request_status,
        "frameworks_list" => frameworks,
        "controls_list" => controls,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_openapi_operation_has_an_sdk_method() {
    let opts = Opts { postgres: false, path_roots: Vec::new(), workers: 1, vulndb: false };
    let daemon = Daemon::start(opts).await.expect("daemon");
    let doc = Client::anonymous(&daemon.base).expect("client").openapi_json().await.expect("document");
    daemon.shutdown().await;

    let mut served = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("path item") {
            let id = op["operationId"].as_str().unwrap_or_else(|| panic!("{method} {path}: no operationId"));
            served.insert(id.to_owned());
        }
    }
    assert!(served.len() > 80, "the document lists the API's operations: {}", served.len());

    let mut covered = BTreeSet::new();
    for (op, method) in table() {
        assert!(covered.insert(*op), "{op} has two rows");
        assert!(served.contains(*op), "row {op} => {method}: the daemon has no such operation");
    }
    let missing: Vec<&String> = served.iter().filter(|op| !covered.contains(op.as_str())).collect();
    assert!(missing.is_empty(), "operations without an SDK method (add the method and its row): {missing:?}");
}
