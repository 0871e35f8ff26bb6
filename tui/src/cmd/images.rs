//! `cairn images ls|versions|sbom`: the image catalogue through `/projects?kind=image`, a
//! project's versions (tags) with their digests and scan history, and a version's SBOM.

use std::io::Write;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use cairn_sdk::registry::ImageReference;
use cairn_sdk::types::{HistoryPoint, Project, ProjectId, ProjectKind, Version};
use cairn_sdk::{Client, ListQuery};
use futures_util::TryStreamExt;

use crate::cli::ImagesCommand;
use crate::table::{Table, or_dash, print_json};

fn explain(doing: &'static str) -> impl Fn(cairn_sdk::Error) -> anyhow::Error {
    move |e| super::lookup::explain(e, doing, false)
}

/// The catalogue's project name of a reference (`registry/repository`, as the daemon names it),
/// and the version it names (the tag, else the digest), when `text` is a reference at all.
fn names(text: &str) -> Option<(String, Option<String>)> {
    let r = ImageReference::parse(text).ok()?;
    let version = r.tag().or(r.digest()).map(str::to_owned);
    Some((format!("{}/{}", r.registry(), r.repository()), version))
}

/// The image project `text` names: a project name or id as given, else the repository of a
/// reference (`alpine` is `docker.io/library/alpine`).
async fn image_project(client: &Client, text: &str) -> anyhow::Result<ProjectId> {
    if let Some(id) = super::lookup::find_project(client, text).await? {
        return Ok(id);
    }
    let (name, _) =
        names(text).ok_or_else(|| anyhow!("{text:?} is neither a project nor an image reference"))?;
    super::lookup::find_project(client, &name)
        .await?
        .ok_or_else(|| anyhow!("no image {name} in the catalogue (scan it first: cairn scan {text})"))
}

pub fn run(cmd: ImagesCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            ImagesCommand::Ls { json } => {
                let list: Vec<Project> = client
                    .projects_of_kind(ProjectKind::Image, ListQuery::limit(200))
                    .try_collect()
                    .await
                    .map_err(explain("listing the images"))?;
                if json {
                    print_json(&list)?;
                } else {
                    images(&list).print()?;
                }
            }
            ImagesCommand::Versions { image, history, json } => {
                let project = image_project(&client, &image).await?;
                let list: Vec<Version> = client
                    .versions(project, ListQuery::limit(200))
                    .try_collect()
                    .await
                    .map_err(explain("listing the versions"))?;
                if history {
                    let mut points: Vec<(String, HistoryPoint)> = Vec::new();
                    for v in &list {
                        let series: Vec<HistoryPoint> = client
                            .version_scan_history(project, v.id, ListQuery::limit(1000))
                            .try_collect()
                            .await
                            .map_err(explain("reading the scan history"))?;
                        points.extend(series.into_iter().map(|p| (v.name.clone(), p)));
                    }
                    if json {
                        print_json(&points.iter().map(|(_, p)| p).collect::<Vec<_>>())?;
                    } else {
                        scan_history(&points).print()?;
                    }
                } else if json {
                    print_json(&list)?;
                } else {
                    versions(&list).print()?;
                }
            }
            ImagesCommand::Sbom { image, format, output } => {
                let (name, tag) = names(&image).ok_or_else(|| {
                    anyhow!("{image:?} is not an image reference (registry/repository:tag)")
                })?;
                let tag = tag.ok_or_else(|| anyhow!("name the version: {name}:TAG"))?;
                let project = image_project(&client, &name).await?;
                let version = client
                    .version_by_name(project, &tag)
                    .await
                    .map_err(explain("looking up the version"))?
                    .ok_or_else(|| {
                        anyhow!("{name} has no version {tag} (see cairn images versions {name})")
                    })?;
                let mut download = match client.version_sbom(project, version.id, format).await {
                    Ok(d) => d,
                    Err(e) if e.is_not_found() => {
                        anyhow::bail!(
                            "{name}:{tag} has no completed scan yet; scan it first: cairn scan {image}"
                        )
                    }
                    Err(e) => return Err(explain("downloading the SBOM")(e)),
                };
                let mut bytes = Vec::new();
                while let Some(chunk) = download.chunk().await.map_err(explain("downloading the SBOM"))? {
                    bytes.extend_from_slice(&chunk);
                }
                if output.as_os_str() == "-" {
                    let mut out = std::io::stdout().lock();
                    out.write_all(&bytes).context("writing to standard output")?;
                    out.flush().context("writing to standard output")?;
                } else {
                    super::export::write_atomically(&output, &bytes)?;
                    eprintln!(
                        "cairn: wrote {} bytes of {} of {name}:{tag} to {}",
                        bytes.len(),
                        format.as_str(),
                        output.display()
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn images(list: &[Project]) -> Table {
    let mut t = Table::new(&["IMAGE", "LATEST SCAN", "OPEN FINDINGS", "ID"]);
    for p in list {
        t.row(vec![
            p.name.clone(),
            or_dash(p.risk.as_ref().map(|r| super::scans::date(r.scanned_at))),
            or_dash(p.risk.as_ref().map(|r| r.open_findings)),
            p.id.to_string(),
        ]);
    }
    t
}

fn versions(list: &[Version]) -> Table {
    let mut t = Table::new(&["TAG", "DIGEST", "STATE", "CREATED", "ID"]);
    for v in list {
        t.row(vec![
            v.name.clone(),
            or_dash(v.image_digest.clone()),
            v.release_state.to_string(),
            super::scans::date(v.created_at),
            v.id.to_string(),
        ]);
    }
    t
}

fn scan_history(points: &[(String, HistoryPoint)]) -> Table {
    let mut t = Table::new(&["TAG", "SCANNED", "DIGEST", "COMPONENTS", "FINDINGS", "GATE", "SCAN"]);
    for (tag, p) in points {
        t.row(vec![
            tag.clone(),
            or_dash(p.finished_at.map(super::scans::date)),
            or_dash(p.image_digest.clone()),
            p.components.to_string(),
            // Not matched is not zero.
            p.findings.map_or_else(|| "not matched".to_owned(), |f| f.to_string()),
            or_dash(p.gate.and_then(gate_word)),
            p.scan_id.to_string(),
        ]);
    }
    t
}

/// The gate's wire word (pass, warn, fail).
fn gate_word(g: cairn_sdk::types::GateStatus) -> Option<String> {
    serde_json::to_value(g).ok().and_then(|v| v.as_str().map(str::to_owned))
}

#[cfg(test)]
mod tests {
    use super::names;

    #[test]
    fn a_reference_names_the_catalogue_project_and_version_as_the_daemon_does() {
        assert_eq!(names("ghcr.io/acme/app:1.2"), Some(("ghcr.io/acme/app".into(), Some("1.2".into()))));
        assert_eq!(names("alpine"), Some(("docker.io/library/alpine".into(), Some("latest".into()))));
        assert_eq!(names("https://ghcr.io/acme/app"), None);
    }
}
