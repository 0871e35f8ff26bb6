//! End-to-end tests of cairnd: real daemon processes on SQLite and Postgres, the same test bodies
//! on both.

mod admin;
mod architecture;
mod authz;
mod bad_input;
mod cbom_compat;
mod conventions;
mod coverage;
mod e2e_git;
mod events;
mod fake_idp;
mod findings;
mod git_credentials;
mod git_http;
mod harness;
mod identity;
mod oauth;
mod openapi;
mod pipeline;
mod projects;
mod queue_fairness;
mod rate_limits;
mod scans;
mod schema;
mod sessions;
mod tenant_roots;
mod uploads;
mod vulndb;
mod webhooks;
mod ws;
