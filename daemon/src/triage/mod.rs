//! Automatic triage: triage rules applied across projects (on creation and at the end of every
//! scan) and VEX documents imported into a project. Matching is the engine's
//! ([`cairn_engine::vuln::PurlPattern`], [`cairn_engine::vuln::VexStatement::applies_to`]); the
//! rows are the store's. Each automatic triage records its source on the triage row.

pub mod rules;
pub mod vex_import;

use cairn_engine::bom::{VexJustification, VexResponse};
use cairn_sdk::types::{Justification, TriageResponse};

/// The wire justification of the engine's word.
pub(crate) fn justification(j: VexJustification) -> Justification {
    match j {
        VexJustification::ComponentNotPresent => Justification::ComponentNotPresent,
        VexJustification::VulnerableCodeNotPresent => Justification::VulnerableCodeNotPresent,
        VexJustification::VulnerableCodeNotInExecutePath => Justification::VulnerableCodeNotInExecutePath,
        VexJustification::VulnerableCodeCannotBeControlledByAdversary => {
            Justification::VulnerableCodeCannotBeControlledByAdversary
        }
        VexJustification::InlineMitigationsAlreadyExist => Justification::InlineMitigationsAlreadyExist,
    }
}

/// The wire response of the engine's word.
pub(crate) fn response(r: VexResponse) -> TriageResponse {
    match r {
        VexResponse::CanNotFix => TriageResponse::CanNotFix,
        VexResponse::WillNotFix => TriageResponse::WillNotFix,
        VexResponse::Update => TriageResponse::Update,
        VexResponse::Rollback => TriageResponse::Rollback,
        VexResponse::WorkaroundAvailable => TriageResponse::WorkaroundAvailable,
    }
}
