//! `cairn export SCAN -f FORMAT -o FILE`: download a completed scan's document; a file is
//! written whole or not at all (a temporary file in the same directory, renamed over FILE).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, anyhow};
use cairn_sdk::types::{ReportFormat, ScanId, ScanStatus};
use cairn_sdk::{Client, ListQuery};

use crate::cli::ExportArgs;
use crate::exit;

pub fn run(args: ExportArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    if let Some(version) = args.technical_file.clone() {
        return technical_file(version, args, profile);
    }
    if let Some(version) = args.compliance_report.clone() {
        return compliance_report(version, args, profile);
    }
    let (Some(scan), Some(format)) = (args.scan.clone(), args.format) else {
        return Err(exit::usage("`cairn export` needs SCAN and --format, or --technical-file VERSION"));
    };
    let latest = scan == "latest";
    let id = if latest {
        if args.project.is_none() {
            return Err(exit::usage("`cairn export latest` needs --project NAME|ID"));
        }
        None
    } else {
        let id = scan
            .parse::<ScanId>()
            .map_err(|_| exit::usage(format!("{scan:?} is not a scan id (nor `latest`)")))?;
        Some(id)
    };
    super::lookup::with_client(profile, |client| async move {
        let id = match (id, &args.project) {
            (Some(id), _) => id,
            (None, Some(project)) => latest_completed(&client, project).await?,
            (None, None) => return Err(exit::usage("`cairn export latest` needs --project NAME|ID")),
        };
        let bytes = match client.scan_bom(id, format).await {
            Ok(b) => b,
            Err(e) if e.status() == Some(409) => match client.scan(id).await.map(|s| s.status) {
                Ok(s) if s.is_terminal() => {
                    anyhow::bail!("scan {id} ended {}; it has no document", s.as_str())
                }
                Ok(s) => {
                    anyhow::bail!(
                        "scan {id} has not completed yet (it is {}); export it once it has",
                        s.as_str()
                    )
                }
                Err(_) => anyhow::bail!("scan {id} has not completed yet; export it once it has"),
            },
            Err(e) if e.is_not_found() => anyhow::bail!("no scan {id}"),
            Err(e) => {
                return Err(super::lookup::explain(e, &format!("downloading {}", format.as_str()), false));
            }
        };
        if args.output.as_os_str() == "-" {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes).context("writing to standard output")?;
            out.flush().context("writing to standard output")?;
        } else {
            write_atomically(&args.output, &bytes)?;
            eprintln!(
                "cairn: wrote {} bytes of {} to {}",
                bytes.len(),
                format.as_str(),
                args.output.display()
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `cairn export --technical-file VERSION -o FILE`: the version's technical file (a ZIP).
fn technical_file(version: String, args: ExportArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        let v = super::versions::find(&client, &version, args.project.as_deref()).await?;
        let bytes = match client.version_export(v.id).await {
            Ok(b) => b,
            Err(e) if e.is_not_found() => {
                anyhow::bail!("version {} has no completed scan yet: scan it with --version first", v.name)
            }
            Err(e) => return Err(super::lookup::explain(e, "downloading the technical file", false)),
        };
        if args.output.as_os_str() == "-" {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes).context("writing to standard output")?;
            out.flush().context("writing to standard output")?;
        } else {
            write_atomically(&args.output, &bytes)?;
            eprintln!(
                "cairn: wrote the technical file of {} ({} bytes) to {}",
                v.name,
                bytes.len(),
                args.output.display()
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `cairn export --compliance-report VERSION -o FILE`: the version's compliance report, a PDF
/// when FILE ends in `.pdf`, else HTML.
fn compliance_report(version: String, args: ExportArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    let pdf = args.output.extension().is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    let format = if pdf { ReportFormat::Pdf } else { ReportFormat::Html };
    super::lookup::with_client(profile, |client| async move {
        let v = super::versions::find(&client, &version, args.project.as_deref()).await?;
        let bytes = match client.version_compliance_report(v.id, format).await {
            Ok(b) => b,
            Err(e) if e.is_not_found() => {
                anyhow::bail!("version {} has no completed scan yet: scan it with --version first", v.name)
            }
            Err(e) => return Err(super::lookup::explain(e, "downloading the compliance report", false)),
        };
        if args.output.as_os_str() == "-" {
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes).context("writing to standard output")?;
            out.flush().context("writing to standard output")?;
        } else {
            write_atomically(&args.output, &bytes)?;
            eprintln!(
                "cairn: wrote the {} compliance report of {} to {}",
                format.as_str(),
                v.name,
                args.output.display()
            );
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The project's newest completed scan.
async fn latest_completed(client: &Client, project: &str) -> anyhow::Result<ScanId> {
    let project_id = super::lookup::project_id(client, project).await?;
    let q = ListQuery::limit(1)
        .sort("-created_at")
        .filter("project", project_id.to_string())
        .filter("status", ScanStatus::Completed.as_str());
    let page = client.scans_page(&q).await.context("listing the project's scans")?;
    page.items.first().map(|s| s.id).ok_or_else(|| anyhow!("project {project:?} has no completed scan"))
}

/// Writes `bytes` to a temporary file next to `path`, then renames it over `path`: readers see
/// the old file or the whole new one, and a failure leaves no partial file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".cairn-export-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temporary file in {}", dir.display()))?;
    tmp.write_all(bytes).with_context(|| format!("writing {}", tmp.path().display()))?;
    // A temporary file is private (0600); the document gets the replaced file's mode, else 0644.
    #[cfg(unix)]
    {
        let mode = std::fs::metadata(path).map(|m| m.permissions()).unwrap_or_else(|_| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::Permissions::from_mode(0o644)
        });
        tmp.as_file().set_permissions(mode).with_context(|| format!("writing {}", tmp.path().display()))?;
    }
    tmp.as_file().sync_all().with_context(|| format!("writing {}", tmp.path().display()))?;
    tmp.persist(path).map_err(|e| e.error).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_replaces_the_whole_file_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("bom.json");
        std::fs::write(&path, "old content that is longer").expect("write");
        write_atomically(&path, b"new").expect("atomic write");
        assert_eq!(std::fs::read(&path).expect("read"), b"new");
        let names: Vec<_> =
            std::fs::read_dir(dir.path()).expect("ls").map(|e| e.expect("e").file_name()).collect();
        assert_eq!(names, ["bom.json"]);
        assert!(write_atomically(&dir.path().join("missing/bom.json"), b"x").is_err());
    }
}
