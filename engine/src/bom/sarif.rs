//! SARIF 2.1.0: one rule per advisory, one result per (advisory, component, declaring location),
//! severity mapped to `level` and GitHub's `security-severity`; diagnostics as tool notifications.
//! A policy gate adds one rule per policy rule (`policy/<policy>/<rule>`) and one result per
//! violation (waived ones with an external suppression); what it could not evaluate is a warning
//! notification.

use super::canonical;
use super::input::{BomInput, BomSeverity, BomVulnerability, VexStatus};
use crate::inventory::Severity;
use crate::policy::{Action, GateResult, Subject};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: String,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<String>,
    tags: Vec<String>,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    justification: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    uri_base_id: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
}

fn location(path: &str, line: Option<u32>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: path.to_string(), uri_base_id: "%SRCROOT%" },
            region: line.filter(|l| *l > 0).map(|start_line| Region { start_line }),
        },
    }
}

fn level(s: BomSeverity) -> &'static str {
    match s {
        BomSeverity::Critical | BomSeverity::High => "error",
        BomSeverity::Medium => "warning",
        BomSeverity::Low | BomSeverity::None | BomSeverity::Unknown => "note",
    }
}

/// GitHub's `security-severity`: the highest CVSS score, or with none the lower bound of the
/// severity's CVSS band, so a qualitative rating still sorts; absent when nothing is known.
fn security_severity(v: &BomVulnerability) -> Option<String> {
    if let Some(score) = v.max_score() {
        return Some(format!("{score:.1}"));
    }
    match v.severity() {
        BomSeverity::Critical => Some("9.0".into()),
        BomSeverity::High => Some("7.0".into()),
        BomSeverity::Medium => Some("4.0".into()),
        BomSeverity::Low => Some("0.1".into()),
        BomSeverity::None => Some("0.0".into()),
        BomSeverity::Unknown => None,
    }
}

/// Renders the input's vulnerabilities as a SARIF 2.1.0 log. Only affected and under-investigation
/// components are results; a scan with no vulnerabilities gives a log with no results.
pub fn to_sarif(input: &BomInput) -> String {
    canonical::to_pretty(&log(input))
}

/// The log's model, for [`to_sarif`] and [`super::render_to`].
pub(crate) fn log(input: &BomInput) -> impl Serialize {
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for v in input.sorted_vulnerabilities() {
        let affects: Vec<_> = v
            .affects
            .iter()
            .filter(|a| matches!(a.status, VexStatus::Affected | VexStatus::UnderInvestigation))
            .filter_map(|a| input.inventory.component(&a.purl).map(|c| (a, c)))
            .collect();
        if affects.is_empty() {
            continue;
        }
        let rule_index = rules.len();
        let lvl = level(v.severity());
        let mut tags = vec!["security".to_string(), "vulnerability".to_string()];
        tags.extend(v.cwes.iter().map(|c| format!("external/cwe/cwe-{c}")));
        rules.push(Rule {
            id: v.id.clone(),
            short_description: Message { text: v.summary.clone().unwrap_or_else(|| v.id.clone()) },
            full_description: v.details.clone().map(|text| Message { text }),
            help_uri: v.references.first().cloned(),
            default_configuration: Configuration { level: lvl },
            properties: RuleProperties { security_severity: security_severity(&v), tags },
        });
        for (a, c) in affects {
            let fix = if a.fixed_versions.is_empty() {
                "no fixed version is known".to_string()
            } else {
                format!("fixed in {}", a.fixed_versions.join(", "))
            };
            let text = format!(
                "{} {} is affected by {} ({}); {fix}.",
                c.name,
                c.version,
                v.id,
                v.severity().as_str()
            );
            for loc in &c.locations {
                let mut fp = BTreeMap::new();
                fp.insert(
                    "cairn/v1",
                    canonical::sha256_hex(format!("{}\n{}\n{}", v.id, c.purl, loc.path).as_bytes()),
                );
                results.push(SarifResult {
                    rule_id: v.id.clone(),
                    rule_index,
                    level: lvl,
                    message: Message { text: text.clone() },
                    locations: vec![location(&loc.path, loc.line)],
                    partial_fingerprints: fp,
                    suppressions: Vec::new(),
                });
            }
        }
    }
    let mut notifications: Vec<Notification> = input
        .inventory
        .diagnostics
        .iter()
        .map(|d| Notification {
            level: match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            },
            message: Message { text: d.message.clone() },
            locations: vec![location(&d.path, d.line)],
        })
        .collect();
    // Coverage: a warning where components were not evaluated, so an empty result list is never
    // read as "checked, nothing found" for an ecosystem without data.
    for c in &input.coverage {
        let note = |level, line: String| Notification {
            level,
            message: Message { text: format!("vulnerability coverage: {line}") },
            locations: Vec::new(),
        };
        notifications.extend(c.evaluated_line().map(|l| note("note", l)));
        notifications.extend(c.not_evaluated.iter().map(|g| note("warning", c.gap_line(g))));
    }
    if let Some(gate) = &input.gate {
        policy_results(input, gate, &mut rules, &mut results, &mut notifications);
    }
    Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "cairn",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: true,
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    }
}

fn action_level(a: Action) -> &'static str {
    match a {
        Action::Fail => "error",
        Action::Warn => "warning",
        Action::Info => "note",
    }
}

/// Where a violation points: the asset's or manifest's place, else the component's first
/// declaration; nowhere for the scan as a whole.
fn subject_locations(input: &BomInput, s: &Subject) -> Vec<Location> {
    let component = |purl: &str| {
        input.inventory.component(purl).and_then(|c| c.locations.first()).map(|l| location(&l.path, l.line))
    };
    match s {
        Subject::Finding { purl, .. } => component(purl).into_iter().collect(),
        Subject::Component { purl } | Subject::License { purl, .. } => component(purl).into_iter().collect(),
        Subject::Asset { file, line, .. } => vec![location(file, *line)],
        Subject::File { path } => vec![location(path, None)],
        Subject::Scan { .. } => Vec::new(),
    }
}

/// The gate's violations as results of one rule per policy rule.
fn policy_results(
    input: &BomInput,
    gate: &GateResult,
    rules: &mut Vec<Rule>,
    results: &mut Vec<SarifResult>,
    notifications: &mut Vec<Notification>,
) {
    let mut index: BTreeMap<&str, usize> = BTreeMap::new();
    let waived = gate.waived.iter().map(|w| (&w.violation, Some(w)));
    for (v, waiver) in gate.violations.iter().map(|v| (v, None)).chain(waived) {
        let id = format!("policy/{}/{}", gate.policy.id, v.rule);
        let rule_index = *index.entry(&*v.rule).or_insert_with(|| {
            rules.push(Rule {
                id: id.clone(),
                short_description: Message { text: v.message.to_string() },
                full_description: None,
                help_uri: None,
                default_configuration: Configuration { level: action_level(v.action) },
                properties: RuleProperties {
                    security_severity: None,
                    tags: vec!["policy".to_owned(), v.action.as_str().to_owned()],
                },
            });
            rules.len() - 1
        });
        let mut fp = BTreeMap::new();
        fp.insert("cairn/v1", canonical::sha256_hex(format!("{id}\n{}", v.subject.key()).as_bytes()));
        results.push(SarifResult {
            rule_id: id,
            rule_index,
            level: action_level(v.action),
            message: Message { text: format!("{}: {}", v.subject, v.message) },
            locations: subject_locations(input, &v.subject),
            partial_fingerprints: fp,
            suppressions: waiver
                .map(|w| Suppression {
                    kind: "external",
                    justification: format!("exception {} until {}", w.exception, w.expires_at),
                })
                .into_iter()
                .collect(),
        });
    }
    notifications.push(Notification {
        level: "note",
        message: Message {
            text: format!(
                "policy gate: {} (policy {} revision {})",
                gate.status, gate.policy.id, gate.policy.revision
            ),
        },
        locations: Vec::new(),
    });
    notifications.extend(gate.not_evaluated.iter().map(|n| Notification {
        level: "warning",
        message: Message { text: format!("policy rule {} not evaluated: {}", n.rule, n.reason) },
        locations: Vec::new(),
    }));
}
