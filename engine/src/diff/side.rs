//! One side of a comparison: a document input and what was looked at to make it.

use crate::bom::BomInput;
use crate::policy::GateResult;

/// One scan, document or tree to compare, with what its producer looked at. An empty list of
/// vulnerabilities or crypto assets only means "none" when the matching or crypto stage ran.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Components, licenses, vulnerabilities and crypto of the side.
    pub input: &'a BomInput,
    /// True when the components were matched against vulnerability data.
    pub vulnerabilities_matched: bool,
    /// True when the tree was scanned for cryptography.
    pub crypto_scanned: bool,
    /// The policy gate evaluated over the side, when one was.
    pub gate: Option<&'a GateResult>,
}

impl<'a> Side<'a> {
    /// The same side with the gate evaluated over it.
    pub fn with_gate(self, gate: &'a GateResult) -> Self {
        Self { gate: Some(gate), ..self }
    }

    /// A side whose findings and crypto were both looked for (no gate).
    pub fn complete(input: &'a BomInput) -> Self {
        Self { input, vulnerabilities_matched: true, crypto_scanned: true, gate: None }
    }

    /// A side of components and licenses only (an SBOM read back, a scan without data).
    pub fn inventory_only(input: &'a BomInput) -> Self {
        Self { input, vulnerabilities_matched: false, crypto_scanned: false, gate: None }
    }
}
