//! `cairn watch ls|add|rm|hits`: the tenant's CVE watches through `/cve-watches`. `add` takes an
//! advisory id or alias, or a `pkg:` purl (with `--range`), and prints the watch's id on stdout
//! and its hits now as a table.

use std::process::ExitCode;

use cairn_sdk::ListQuery;
use cairn_sdk::types::{CreateCveWatch, CveWatch, CveWatchHit, WatchTarget};
use futures_util::TryStreamExt;

use crate::cli::WatchCommand;
use crate::table::{Table, or_dash, print_json};

fn explain(doing: &'static str) -> impl Fn(cairn_sdk::Error) -> anyhow::Error {
    move |e| super::lookup::explain(e, doing, false)
}

/// What `cairn watch add TARGET [--range R]` asks for: a purl is a package, anything else an
/// advisory id or alias (the daemon checks both and names the field it refuses).
pub fn target(text: &str, range: Option<String>) -> Result<WatchTarget, anyhow::Error> {
    if text.starts_with("pkg:") {
        Ok(WatchTarget::package(text, range))
    } else if range.is_some() {
        Err(crate::exit::usage("--range goes with a package URL (pkg:…), not an advisory id"))
    } else {
        Ok(WatchTarget::advisory(text))
    }
}

pub fn run(cmd: WatchCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    if let WatchCommand::Add { target: text, range, .. } = &cmd {
        // Refused before reaching the daemon: a usage error, exit 2.
        target(text, range.clone())?;
    }
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            WatchCommand::Ls { json } => {
                let list: Vec<CveWatch> = client
                    .cve_watches(ListQuery::limit(200))
                    .try_collect()
                    .await
                    .map_err(explain("listing the watches"))?;
                if json {
                    print_json(&list)?;
                } else {
                    watches(&list).print()?;
                }
            }
            WatchCommand::Add { target: text, range, json } => {
                let body = CreateCveWatch { target: target(&text, range)? };
                let created = client.create_cve_watch(&body).await.map_err(explain("adding the watch"))?;
                if json {
                    print_json(&created)?;
                } else {
                    crate::outln!("{}", created.watch.id);
                    if created.hits.is_empty() {
                        eprintln!(
                            "cairn: no project's latest scan has it now; a later hit is a cve_watch.hit event"
                        );
                    } else {
                        hits(&created.hits).print()?;
                        eprintln!(
                            "cairn: {} hit(s) now; later ones are cve_watch.hit events",
                            created.watch.hits
                        );
                    }
                }
            }
            WatchCommand::Rm { id } => {
                client.delete_cve_watch(id).await.map_err(explain("removing the watch"))?;
                crate::outln!("removed watch {id}");
            }
            WatchCommand::Hits { id, json } => {
                let list: Vec<CveWatchHit> = client
                    .cve_watch_hits(id, ListQuery::limit(200))
                    .try_collect()
                    .await
                    .map_err(explain("listing the watch's hits"))?;
                if json {
                    print_json(&list)?;
                } else {
                    hits(&list).print()?;
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn watches(list: &[CveWatch]) -> Table {
    let mut t = Table::new(&["WATCHES", "KIND", "HITS", "CREATED", "ID"]);
    for w in list {
        let kind = match w.target {
            WatchTarget::Advisory { .. } => "advisory",
            WatchTarget::Package { .. } => "package",
        };
        t.row(vec![
            w.target.to_string(),
            kind.to_owned(),
            w.hits.to_string(),
            super::scans::date(w.created_at),
            w.id.to_string(),
        ]);
    }
    t
}

fn hits(list: &[CveWatchHit]) -> Table {
    let mut t = Table::new(&["PROJECT", "PURL", "ADVISORY", "SEVERITY", "FOUND", "AT CREATION", "SCAN"]);
    for h in list {
        t.row(vec![
            h.project.to_string(),
            h.purl.clone(),
            or_dash(h.advisory.clone()),
            or_dash(h.severity),
            super::scans::date(h.found_at),
            if h.at_creation { "yes".into() } else { "no".into() },
            h.scan.to_string(),
        ]);
    }
    t
}
