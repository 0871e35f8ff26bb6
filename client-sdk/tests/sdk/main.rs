//! cairn-sdk's integration tests, one binary (link time dominates): the client against a real
//! cairnd (the daemon library serving on 127.0.0.1, SQLite and, when CAIRN_TEST_POSTGRES_URL is
//! set, Postgres), against small servers the tests start (retries, the WebSocket watcher), and
//! the OpenAPI ⇄ SDK coverage table.

mod account;
mod catalogue;
mod cbom;
// The same in-process daemon harness as the tui's suite: one copy, shared by path.
#[path = "../../../tui/tests/tui/common/mod.rs"]
mod common;
mod coverage;
mod ergonomics;
mod events;
mod findings;
// The daemon suite's `git http-backend` server, shared by path.
mod git_credentials;
#[path = "../../../tests/daemon/git_http.rs"]
mod git_http;
mod identity;
// The engine suite's image builders (real fixture files), shared by path.
#[path = "../../../engine/tests/engine/image_build.rs"]
mod image_build;
mod oauth;
mod oci_registry;
mod project_scans;
mod project_views;
mod registry;
mod retry;
mod scans;
mod service;
mod watch;
mod watch_daemon;
