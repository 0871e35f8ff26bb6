//! Comparison of two scans of a project: what changed between a `from` and a `to` [`BomInput`](crate::bom::BomInput).
//!
//! Both sides are the engine's one document input, so a comparison of two daemon scans (their
//! stored inputs), of two SBOM files (read back) and of two trees scanned offline are the same
//! function. What a side did not look at (vulnerabilities not matched, crypto not scanned) is
//! named in [`Comparison::not_compared`] instead of reading as "nothing changed".
//!
//! Components are paired by ecosystem and name; findings by advisory (any shared id or alias) and
//! package; crypto assets by asset type and name; gate violations by rule and subject. A side
//! without a gate result (an SBOM read back, a tree scanned offline without a policy, a daemon
//! scan from before gates were stored) leaves the gate in `not_compared`.

mod comparison;
mod components;
mod crypto;
mod findings;
mod gate;
mod licenses;
mod side;

pub use comparison::{Comparison, NotCompared, ReadinessDelta, Section, Summary};
pub use components::{ComponentChange, ComponentRef, Direction, VersionChange};
pub use crypto::{CryptoChange, CryptoChanges};
pub use findings::{FindingChange, FindingChanges};
pub use gate::GateChange;
pub use licenses::{LicenseChange, LicenseChanges};
pub use side::Side;

/// Compares two sides: everything in [`Comparison`], each list sorted.
pub fn compare(from: &Side<'_>, to: &Side<'_>) -> Comparison {
    let components = components::compare(from.input, to.input);
    let licenses = licenses::compare(from.input, to.input);
    let mut not_compared = Vec::new();
    let findings = match (from.vulnerabilities_matched, to.vulnerabilities_matched) {
        (true, true) => Some(findings::compare(from.input, to.input)),
        (f, t) => {
            not_compared.push(NotCompared::new(Section::Findings, f, t, "vulnerabilities were not matched"));
            None
        }
    };
    let (crypto, readiness) = match (from.crypto_scanned, to.crypto_scanned) {
        (true, true) => {
            (Some(crypto::compare(from.input, to.input)), Some(ReadinessDelta::of(from.input, to.input)))
        }
        (f, t) => {
            not_compared.push(NotCompared::new(Section::Crypto, f, t, "cryptography was not scanned"));
            not_compared.push(NotCompared::new(Section::Readiness, f, t, "cryptography was not scanned"));
            (None, None)
        }
    };
    let gate = match (from.gate, to.gate) {
        (Some(f), Some(t)) => Some(gate::compare(f, t)),
        (f, t) => {
            not_compared.push(NotCompared::new(Section::Gate, f.is_some(), t.is_some(), "no gate result"));
            None
        }
    };
    let summary = Summary::of(&components, findings.as_ref(), &licenses, crypto.as_ref(), gate.as_ref());
    Comparison { summary, components, findings, licenses, crypto, readiness, gate, not_compared }
}
