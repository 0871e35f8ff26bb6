//! `cairnd vulndb import|update|status|remove`: the same operations as the admin API, run against the
//! configured database from the server's shell.

use std::path::PathBuf;

use anyhow::bail;
use cairn_sdk::types::{VulnDbChange, VulnDbStatus};
use clap::Subcommand;

use crate::config::Config;

use super::import::ImportItem;

/// `cairnd vulndb …`.
#[derive(Debug, Subcommand)]
pub enum VulndbCommand {
    /// Import OSV zips, directories or files; each path becomes (or replaces) one source.
    Import {
        /// Zips (`all.zip` layout), directories of OSV JSON/YAML, or single records.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Source name (only with one path; default: the file's stem, or the directory of an `all.zip`).
        #[arg(long)]
        name: Option<String>,
    },
    /// Fetch the configured ecosystems' zips from the mirror (conditional requests).
    Update {
        /// Only these ecosystems (repeatable; default: `[vulndb] ecosystems`).
        #[arg(long = "ecosystem")]
        ecosystems: Vec<String>,
    },
    /// Remove one source and its advisories; every other source stays.
    Remove {
        /// The source's name, as `status` lists it.
        name: String,
    },
    /// Show the data, its age and every source's last check.
    Status {
        /// Print the status as JSON (the `/vulndb/status` shape).
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command; import and update fail (exit 1) when any source failed.
pub async fn run(config: Config, cmd: VulndbCommand) -> anyhow::Result<()> {
    let state = crate::server::prepare(config).await?;
    let (store, cfg, db) = (&state.store, &state.config.vulndb, &state.vulndb);
    // An import or update that changes data builds the snapshot it prints from what it stored
    // and the other sources: loading everything first would read every record once more.
    if !matches!(cmd, VulndbCommand::Import { .. } | VulndbCommand::Update { .. }) {
        super::reload(store, db).await?;
    }
    let result = match cmd {
        VulndbCommand::Import { paths, name } => {
            if name.is_some() && paths.len() > 1 {
                bail!("--name names one source; give one path with it");
            }
            let items = paths.iter().map(|p| ImportItem::from_path(p, name.as_deref())).collect();
            let change = loaded(store, cfg, db, super::import::import(store, cfg, db, items).await?).await?;
            audit(store, "vulndb.import", &change).await?;
            report(&change)
        }
        VulndbCommand::Update { ecosystems } => {
            if let Some(e) = ecosystems.iter().find(|e| !cfg.ecosystems.contains(e)) {
                bail!("{e} is not a configured ecosystem ([vulndb] ecosystems)");
            }
            let only = (!ecosystems.is_empty()).then_some(ecosystems.as_slice());
            let change = loaded(store, cfg, db, super::update::update(store, cfg, db, only).await?).await?;
            audit(store, "vulndb.update", &change).await?;
            report(&change)
        }
        VulndbCommand::Remove { name } => {
            let change = super::remove::remove(store, cfg, db, &name).await?;
            audit(store, "vulndb.remove", &change).await?;
            report(&change)
        }
        VulndbCommand::Status { json } => {
            let status = super::status::status(store, cfg, db).await?;
            if json {
                println!("{}", serde_json::to_string_pretty(&status)?);
            } else {
                print_status(&status);
            }
            Ok(())
        }
    };
    state.store.close().await;
    result
}

/// `change` with its status describing the stored data even when nothing changed (the snapshot
/// is then loaded here: the run did not build one).
async fn loaded(
    store: &crate::store::Store,
    cfg: &super::config::VulnDbConfig,
    db: &super::VulnDb,
    mut change: VulnDbChange,
) -> anyhow::Result<VulnDbChange> {
    if db.snapshot().is_none() {
        super::reload(store, db).await?;
        change.status = super::status::status(store, cfg, db).await?;
    }
    Ok(change)
}

/// The shell's changes are audited like the API's (no actor: whoever can run the binary).
async fn audit(store: &crate::store::Store, action: &str, change: &VulnDbChange) -> anyhow::Result<()> {
    store.audit_append(&super::tasks::audit_event(action, "cli", change)).await?;
    Ok(())
}

fn report(change: &VulnDbChange) -> anyhow::Result<()> {
    for c in &change.changed {
        println!("changed: {c}");
    }
    for u in &change.unchanged {
        println!("unchanged: {u}");
    }
    for r in &change.removed {
        println!("removed: {r}");
    }
    for f in &change.failed {
        println!("failed: {f}");
    }
    if change.rejected > 0 {
        println!("rejected records: {}", change.rejected);
    }
    print_status(&change.status);
    if !change.failed.is_empty() {
        bail!("{} source(s) failed; their previous data was kept", change.failed.len());
    }
    Ok(())
}

fn print_status(s: &VulnDbStatus) {
    let state =
        serde_json::to_value(s.state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    println!(
        "vulnerability data: {state}, {} advisories, generation {}, age {}",
        s.advisories,
        s.snapshot.as_deref().unwrap_or("-"),
        s.age_seconds.map_or_else(|| "-".to_owned(), |a| format!("{a}s"))
    );
    for src in &s.sources {
        let ecosystems =
            src.ecosystems.as_ref().map_or_else(|| "ecosystems not recorded".to_owned(), |e| e.join(", "));
        let updated = src.updated_at.map_or_else(|| "never updated".to_owned(), |t| format!("updated {t}"));
        println!(
            "  {} ({}, {}): {} advisories [{ecosystems}], {updated}{}",
            src.name,
            src.origin,
            src.location,
            src.advisories,
            src.last_error.as_ref().map(|e| format!(", last error: {e}")).unwrap_or_default()
        );
    }
}
