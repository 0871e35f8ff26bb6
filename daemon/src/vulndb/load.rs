//! Between the engine and the store: the row stored for each advisory, and the snapshot's index
//! rebuilt from every stored record.

use super::advisories::Advisories;
use super::{Snapshot, VulnDb, VulnDbError};
use crate::store::{OsvRow, Store};
use cairn_engine::vuln::{Advisory, AdvisoryKeys, PackageIndexBuilder, severity};

/// Every ecosystem `advisories` name, once, sorted (`Debian:12` counts as `Debian`).
pub fn ecosystems_of(advisories: &[Advisory]) -> Vec<String> {
    let set: std::collections::BTreeSet<&str> = advisories
        .iter()
        .flat_map(|a| a.affected())
        .filter_map(|f| f.package())
        .map(|p| p.ecosystem.split(':').next().unwrap_or(&p.ecosystem))
        .collect();
    set.into_iter().map(str::to_owned).collect()
}

/// The stored form of an advisory: its JSON and the summary columns of `vulnerabilities`.
pub fn row_of(a: &Advisory) -> Result<OsvRow, VulnDbError> {
    // The most severe rating any affected package gets (the advisory's own list when none has one).
    let sev = a.affected().iter().map(|f| severity::assess(a, f)).max_by(|x, y| {
        x.rating.cmp(&y.rating).then(x.score.unwrap_or(0.0).total_cmp(&y.score.unwrap_or(0.0)))
    });
    Ok(OsvRow {
        id: a.id().to_owned(),
        modified: a.modified().to_owned(),
        published: a.published().map(str::to_owned),
        aliases: to_json(a.id(), a.aliases())?,
        // Advisories without a summary (PyPA's) get one from their details here, once, so lists
        // never read and parse records to show one.
        summary: a
            .summary()
            .map(str::to_owned)
            .or_else(|| a.details().and_then(crate::store::summary_of_details)),
        severity: sev.as_ref().map(|s| s.rating),
        cvss_vector: sev.as_ref().and_then(|s| s.vector.clone()),
        cvss_score: sev.as_ref().and_then(|s| s.score),
        record: to_json(a.id(), a)?,
    })
}

fn to_json<T: serde::Serialize + ?Sized>(id: &str, v: &T) -> Result<String, VulnDbError> {
    serde_json::to_string(v).map_err(|e| VulnDbError::Corrupt { id: id.to_owned(), reason: e.to_string() })
}

/// Rebuilds the snapshot from the database and installs it; returns the generation now current
/// (`None`: no data stored, nothing installed). Only the index is built: the records are streamed
/// from the store, their keys read, their text dropped (see [`super::advisories`]).
pub async fn reload(store: &Store, vulndb: &VulnDb) -> Result<Option<String>, VulnDbError> {
    let sources = store.vulndb_sources().await?;
    let (to, mut from) = tokio::sync::mpsc::channel::<String>(1024);
    // Each record is reduced to the index's compact form as it arrives (its text and keys
    // dropped at once): building from every record never holds them all.
    let builder = tokio::task::spawn_blocking(move || {
        let mut builder = PackageIndexBuilder::default();
        while let Some(record) = from.blocking_recv() {
            match AdvisoryKeys::from_json(record.as_bytes()) {
                Ok(k) => builder.add(k),
                Err(e) => tracing::warn!(error = %e, "stored OSV record no longer reads; left out"),
            }
        }
        builder
    });
    let generation = store.vulndb_stream_records(to).await;
    let builder =
        builder.await.map_err(|e| VulnDbError::Invalid(format!("rebuilding the index stopped: {e}")))?;
    let Some(generation) = generation? else { return Ok(None) };
    if builder.is_empty() {
        // Every source was removed (or none ever held a record): scans must say "no data", not
        // match against an empty index. Cheap to repeat, so replicas may keep checking.
        vulndb.clear();
        tracing::info!(generation = %generation, "vulnerability data removed; none loaded");
        return Ok(None);
    }
    let updated_at = sources.iter().filter_map(|s| s.updated_at).max().unwrap_or_else(crate::store::now);
    let index = tokio::task::spawn_blocking(move || builder.finish())
        .await
        .map_err(|e| VulnDbError::Invalid(format!("rebuilding the index stopped: {e}")))?;
    let advisories = index.info().advisories as u64;
    vulndb.install(Snapshot {
        database: Advisories::Stored(Box::new(index)),
        id: generation.clone(),
        updated_at,
        advisories,
    });
    vulndb.set_current_as_of(super::current_as_of(&sources));
    tracing::info!(generation = %generation, advisories, "vulnerability data loaded");
    Ok(Some(generation))
}

#[cfg(test)]
mod tests {
    use super::*;
    use cairn_engine::vuln::Rating;

    #[test]
    fn a_stored_record_reads_back_as_the_same_advisory() {
        let text = r#"{"id":"T-1","modified":"2024-01-01T00:00:00Z","aliases":["CVE-1"],"summary":"s",
            "severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}]}"#;
        let a = Advisory::from_json(text.as_bytes()).expect("valid");
        let row = row_of(&a).expect("row");
        assert_eq!(Advisory::from_json(row.record.as_bytes()).expect("round trip"), a);
        assert_eq!((row.aliases.as_str(), row.severity), ("[\"CVE-1\"]", Some(Rating::Critical)));
        assert_eq!(row.cvss_score, Some(9.8));
    }
}
