//! End-to-end tests of cairnd: real daemon processes on SQLite and Postgres, the same test bodies
//! on both.

mod admin;
mod allocator;
mod architecture;
mod authz;
mod bad_input;
mod cbom_compat;
mod comparison;
mod controls;
mod conventions;
mod coverage;
mod cra;
mod cve_watches;
mod e2e_git;
mod events;
mod fake_idp;
mod feature_requests;
mod finding_events;
mod findings;
mod git_credentials;
mod git_http;
mod git_redirects;
mod governance;
mod harness;
mod identity;
// The engine suite's image builders and the SDK suite's loopback registry, shared by path.
#[path = "../../engine/tests/engine/image_build.rs"]
mod image_build;
mod image_catalogue;
mod image_scan;
mod lists;
mod mail;
mod memory_budget;
mod oauth;
#[path = "../../client-sdk/tests/sdk/oci_registry.rs"]
mod oci_registry;
mod openapi;
mod pipeline;
mod project_licenses;
mod projects;
mod queue_fairness;
mod quotas;
mod rate_limits;
mod registration;
mod rematch;
mod rematch_gate;
mod resilience;
mod scans;
mod schema;
mod sessions;
mod smtp_sink;
mod tenant_roots;
mod triage_rules;
mod uploads;
mod vex;
mod vulndb;
mod vulndb_index;
mod webhook_health;
mod webhooks;
mod ws;
