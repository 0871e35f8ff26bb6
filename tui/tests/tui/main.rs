//! The tui's integration tests in one binary (one link of the daemon, the dashboard and the CLI
//! instead of one per file): the CLI against real daemons, the dashboard's screens and executor,
//! local mode, and end-to-end runs of the real `cairn` binary.

mod common;

mod cli;
mod cli_catalogue;
mod cli_diff;
mod cli_notifications;
mod cli_outputs;
mod cli_projects;
mod cli_scripts;
mod cli_watch;
mod dash_catalogue;
mod dash_exec;
mod dash_governance;
mod dashboard;
mod e2e_cli;
mod fixed_costs;
mod gate;
mod image_scan;
// The engine suite's image builders and the SDK suite's loopback registry, shared by path.
#[path = "../../../engine/tests/engine/image_build.rs"]
mod image_build;
mod local;
#[path = "../../../client-sdk/tests/sdk/oci_registry.rs"]
mod oci_registry;
mod offline_licenses;
mod oidc_login;
mod policy;
mod remote_scan;
mod tmux_e2e;
mod trial;
