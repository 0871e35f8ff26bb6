//! `cairn scan --policy FILE|default`: the policy document read (its errors are the user's to fix,
//! exit 2) and a gate result said on standard error: the verdict, every violation, what an
//! exception waived and what could not be evaluated.

use cairn_engine::policy::{Action, GateResult, GateStatus, Policy};
use std::path::Path;

/// The word that selects the built-in default policy (`config/policy.default.toml`); a file of
/// that name is `./default`.
pub const DEFAULT: &str = "default";

/// `--policy assigned`: through a daemon, the gate the daemon evaluated with the project's policy.
pub const ASSIGNED: &str = "assigned";

/// Reads `--policy`: the built-in default, or a TOML/JSON file.
pub fn read_policy(arg: &str) -> anyhow::Result<Policy> {
    if arg == ASSIGNED {
        return Err(crate::exit::usage(
            "--policy assigned is the daemon's gate: leave out --offline, or name a policy file or `default`",
        ));
    }
    if arg == DEFAULT {
        return Ok(Policy::builtin_default());
    }
    let path = Path::new(arg);
    let text = std::fs::read_to_string(path)
        .map_err(|e| crate::exit::usage(format!("--policy {}: {e}", path.display())))?;
    Policy::parse(&text).map_err(|e| crate::exit::usage(format!("--policy {}: {e}", path.display())))
}

/// The daemon's gate of a scan in the engine's shape (the wire type carries the same fields and
/// the scan, project and time), for [`lines`].
pub fn from_wire(g: &cairn_sdk::types::GateResult) -> anyhow::Result<GateResult> {
    Ok(serde_json::from_value(serde_json::to_value(g)?)?)
}

/// The lines `cairn scan` prints for a gate result (without the `cairn: ` prefix).
pub fn lines(gate: &GateResult) -> Vec<String> {
    let mut out = vec![format!(
        "policy {} revision {}: {} — {} fail, {} warn, {} info violations{}{}",
        gate.policy.id,
        gate.policy.revision,
        match gate.status {
            GateStatus::Pass => "passed",
            GateStatus::Warn => "passed with warnings",
            GateStatus::Fail => "FAILED",
        },
        gate.count(Action::Fail),
        gate.count(Action::Warn),
        gate.count(Action::Info),
        if gate.waived.is_empty() { String::new() } else { format!(", {} waived", gate.waived.len()) },
        if gate.not_evaluated.is_empty() {
            String::new()
        } else {
            format!("; {} checks NOT evaluated", gate.not_evaluated.len())
        },
    )];
    for v in &gate.violations {
        out.push(format!("policy: {} {}: {} — {}", v.action, v.rule, v.subject, v.message));
    }
    for w in &gate.waived {
        out.push(format!(
            "policy: waived {}: {} (exception {} until {})",
            w.violation.rule, w.violation.subject, w.exception, w.expires_at
        ));
    }
    for n in &gate.not_evaluated {
        out.push(format!("policy: not evaluated {}: {}", n.rule, n.reason));
    }
    out
}
