//! Commands: each takes its parsed arguments and returns an exit code.

mod account;
mod admin;
mod advisory;
mod approvals;
mod completions;
mod controls;
mod convert;
mod cra_status;
mod daemon;
mod dashboard;
mod db;
mod diff;
mod document;
mod export;
mod findings;
mod images;
mod keys;
mod lookup;
mod notifications;
mod oidc_login;
mod package_caches;
mod policy;
mod project_licenses;
mod projects;
mod remote_scan;
mod requests;
mod scan;
mod scan_cancel;
mod scans;
mod status;
mod triage;
mod versions;
mod vex;
mod watch;
mod webhooks;
mod where_used;

use crate::cli::{Cli, Command};
use crate::dirs::Dirs;
use std::process::ExitCode;

/// Runs the command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let profile = cli.profile.as_deref();
    let Some(command) = cli.command else {
        return dashboard::run(&Dirs::new()?, profile, cli.readonly);
    };
    match command {
        Command::Scan(args) if args.offline => scan::run(args),
        Command::Scan(args) if cairn_engine::image::looks_like_image(&args.path) => Err(crate::exit::usage(
            "image archives are scanned offline: add --offline (a daemon pulls images from registries: give \
             registry/repo:tag)",
        )),
        Command::Scan(args) => remote_scan::run(args, &Dirs::new()?, profile),
        Command::Convert(args) => convert::run(args),
        Command::Login(args) => account::login(&Dirs::new()?, profile, args),
        Command::Logout => account::logout(&Dirs::new()?, profile),
        Command::Status { json } => status::run(&Dirs::new()?, profile, json),
        Command::Daemon(cmd) => daemon::run(cmd),
        Command::Projects(cmd) => projects::run(cmd, profile),
        Command::Scans(cmd) => scans::run(cmd, profile),
        Command::Findings(cmd) => findings::run(cmd, profile),
        Command::Triage(args) if args.rule => triage::run_rule(args, profile),
        Command::Notifications(cmd) => notifications::run(cmd, profile),
        Command::Triage(args) => triage::run(args, profile),
        Command::Vex(cmd) => vex::run(cmd, profile),
        Command::Policy(cmd) => policy::run(cmd, profile),
        Command::Approvals(cmd) => approvals::run(cmd, profile),
        Command::Keys(cmd) => keys::run(cmd, profile),
        Command::Webhooks(cmd) => webhooks::run(cmd, profile),
        Command::Watch(cmd) => watch::run(cmd, profile),
        Command::Images(cmd) => images::run(cmd, profile),
        Command::Requests(cmd) => requests::run(cmd, profile),
        Command::Versions(cmd) => versions::run(cmd, profile),
        Command::Admin(cmd) => admin::run(cmd, profile),
        Command::Export(args) => export::run(args, profile),
        Command::Diff(args) => diff::run(args, profile),
        Command::Where(args) => where_used::run(args, profile),
        Command::Advisory(args) => advisory::run(args, profile),
        Command::Licenses(args) => project_licenses::licenses(args, profile),
        Command::Obligations(args) => project_licenses::obligations(args, profile),
        Command::Notice(args) => project_licenses::notice(args, profile),
        Command::CraStatus(args) => cra_status::run(args, profile),
        Command::Controls(args) => controls::run(args, profile),
        Command::Db(cmd) => db::run(cmd, profile),
        Command::Completions { shell } => completions::run(shell),
    }
}

/// A runtime for the commands that talk to a daemon (the in-process scan needs none).
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread().enable_all().build()?)
}
