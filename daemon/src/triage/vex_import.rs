//! VEX import into a project: the engine reads the document; each finding of the project's
//! latest completed scan takes the last statement (in document order) naming its advisory (id or
//! alias) and component; that statement becomes its triage, with the document as the source.
//! Statements that set nothing are returned with the reason. Importing the same document again
//! writes nothing: a triage that already says exactly that from the same document keeps its
//! revision.

use std::collections::BTreeMap;

use cairn_engine::vuln::{Vex, VexError, VexFormat, VexState, VexStatement};
use cairn_sdk::types::{
    ProjectId, TenantId, TriageState, UnmatchedReason, UnmatchedStatement, UserId, VexApplied,
    VexDocumentFormat, VexImport, VexImportId,
};
use sha2::{Digest, Sha256};

use super::{justification, response};
use crate::store::{AutoOutcome, AutoSource, AutoTriage, CandidateScope, NewVexImport, Store, StoreError};

/// Why an import did not happen.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The document does not read.
    #[error("{0}")]
    Unreadable(#[from] VexError),
    /// The database.
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn state(s: VexState) -> TriageState {
    match s {
        VexState::NotAffected => TriageState::NotAffected,
        VexState::FalsePositive => TriageState::FalsePositive,
        VexState::Fixed => TriageState::Fixed,
        VexState::Affected => TriageState::Affected,
        VexState::UnderInvestigation => TriageState::InTriage,
    }
}

fn format(f: VexFormat) -> VexDocumentFormat {
    match f {
        VexFormat::OpenVex => VexDocumentFormat::Openvex,
        VexFormat::CycloneDx => VexDocumentFormat::Cyclonedx,
        VexFormat::Csaf => VexDocumentFormat::Csaf,
    }
}

fn unmatched(s: &VexStatement, reason: UnmatchedReason) -> UnmatchedStatement {
    UnmatchedStatement {
        at: s.at.clone(),
        vulnerability: s.vulnerability.clone(),
        products: s
            .products
            .iter()
            .cloned()
            .chain(s.ranges.iter().map(|r| format!("{} {}", r.purl, r.range)))
            .chain(s.unresolved.iter().cloned())
            .collect(),
        reason,
    }
}

/// Imports `bytes` into `project` as `user`.
pub async fn import(
    store: &Store,
    tenant: TenantId,
    project: ProjectId,
    user: UserId,
    bytes: &[u8],
) -> Result<VexImport, ImportError> {
    let vex = Vex::from_json(bytes)?;
    let sha256: String = Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
    let document = vex.id.clone().unwrap_or_else(|| format!("sha256:{sha256}"));
    let id = VexImportId::new();
    let candidates =
        store.triage_candidates(tenant, &CandidateScope::Latest(Some(vec![project])), None).await?;

    // The last statement naming each finding wins, as later VEX statements override earlier ones.
    let mut chosen: BTreeMap<usize, usize> = BTreeMap::new();
    let mut used = vec![false; vex.statements.len()];
    for (ci, c) in candidates.iter().enumerate() {
        let ids: Vec<&str> = std::iter::once(c.vulnerability_id.as_str())
            .chain(c.aliases.iter().map(String::as_str))
            .collect();
        if let Some(si) = vex.statements.iter().rposition(|s| s.applies_to(&ids, &c.purl)) {
            chosen.insert(ci, si);
            used[si] = true;
        }
    }
    let mut out = Vec::new();
    let mut refused = vec![false; vex.statements.len()];
    for (ci, si) in chosen {
        let (c, s) = (&candidates[ci], &vex.statements[si]);
        let justification = s.justification_kind().map(justification);
        let note = s.note.as_deref();
        let st = state(s.state);
        // The triage rule of `PATCH /findings/{id}`: not affected needs a reason.
        if matches!(st, TriageState::NotAffected | TriageState::FalsePositive)
            && justification.is_none()
            && note.is_none()
        {
            refused[si] = true;
            continue;
        }
        let write = AutoTriage {
            state: st,
            justification,
            response: s.response.map(response),
            note,
            user: Some(user),
            source: AutoSource::Vex { import: id, document: &document, statement: &s.at },
        };
        let outcome = store.triage_auto(tenant, c, &write).await?;
        out.push(VexApplied {
            at: s.at.clone(),
            vulnerability_id: c.vulnerability_id.clone(),
            purl: c.purl.clone(),
            state: st,
            changed: outcome == AutoOutcome::Set,
        });
    }
    let mut missed = Vec::new();
    for (si, s) in vex.statements.iter().enumerate() {
        if refused[si] {
            missed.push(unmatched(s, UnmatchedReason::NoJustification));
        } else if !used[si] {
            let reason = if s.products.is_empty() && s.ranges.is_empty() {
                UnmatchedReason::NoPackageUrl
            } else {
                UnmatchedReason::NoFinding
            };
            missed.push(unmatched(s, reason));
        }
    }
    let unmatched_json = serde_json::to_string(&missed).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let new = NewVexImport {
        id,
        project,
        format: vex.format.as_str(),
        document: &document,
        sha256: &sha256,
        statements: vex.statements.len() as i64,
        applied: out.len() as i64,
        changed: out.iter().filter(|a| a.changed).count() as i64,
        unmatched: &unmatched_json,
        by: user,
    };
    let imported_at = store.vex_import_record(tenant, &new).await?;
    Ok(VexImport {
        id,
        project_id: project,
        format: format(vex.format),
        document,
        statements: vex.statements.len() as u64,
        applied: out,
        unmatched: missed,
        imported_at,
    })
}
