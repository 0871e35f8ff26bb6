//! A comparison as text: tables for a terminal, or Markdown for a pull request comment. Both
//! start with the counts and say what was not compared, so an absent section never reads as "no
//! change".

use std::fmt::Write;

use cairn_sdk::types::{Comparison, FindingChange, GateSubject, GateViolation, VersionDirection};

use crate::table::{Table, or_dash};

/// `+3 (upgrade)`-style word for a direction.
fn direction(d: VersionDirection) -> &'static str {
    match d {
        VersionDirection::Upgrade => "upgrade",
        VersionDirection::Downgrade => "downgrade",
        VersionDirection::Equivalent => "same version",
        VersionDirection::Unordered => "unordered",
        VersionDirection::Unknown => "?",
    }
}

/// A wire word (serde's spelling) as text.
fn word<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// What a gate violation is about, as the engine says it.
pub fn subject(s: &GateSubject) -> String {
    match s {
        GateSubject::Finding { advisory, purl } => format!("{advisory} in {purl}"),
        GateSubject::Component { purl } => purl.clone(),
        GateSubject::License { purl, license } => format!("{purl} ({license})"),
        GateSubject::Asset { name, file, line: Some(l) } => format!("{name} at {file}:{l}"),
        GateSubject::Asset { name, file, line: None } => format!("{name} at {file}"),
        GateSubject::File { path } => path.clone(),
        GateSubject::Scan { detail } => detail.clone(),
    }
}

fn violation_row(v: &GateViolation) -> Vec<String> {
    vec![v.rule.clone(), word(v.action), subject(&v.subject), v.message.clone()]
}

/// The count lines, the same for both forms.
fn summary_lines(c: &Comparison) -> Vec<String> {
    let s = &c.summary;
    let mut out = vec![format!(
        "components: {} added, {} removed, {} changed ({} upgrades, {} downgrades), {} unchanged",
        s.components_added,
        s.components_removed,
        s.components_changed,
        s.upgrades,
        s.downgrades,
        s.components_unchanged
    )];
    if let (Some(n), Some(f), Some(o)) = (s.findings_new, s.findings_fixed, s.findings_still_open) {
        out.push(format!("findings: {n} new, {f} fixed, {o} still open"));
    }
    out.push(format!("licenses: {} components changed license", s.licenses_changed));
    if let (Some(a), Some(r)) = (s.crypto_added, s.crypto_removed) {
        out.push(format!("crypto assets: {a} added, {r} removed"));
    }
    if let Some(r) = &c.readiness {
        let delta = r.delta.map_or(String::new(), |d| format!(" ({d:+})"));
        out.push(format!("post-quantum readiness: {} -> {}{delta}", or_dash(r.from), or_dash(r.to)));
    }
    if let Some(g) = &c.gate {
        out.push(format!(
            "gate: {} -> {} ({} violations added, {} removed, {} unchanged)",
            word(g.from_status),
            word(g.to_status),
            g.violations_added.len(),
            g.violations_removed.len(),
            g.violations_unchanged
        ));
    }
    for n in &c.not_compared {
        let section = serde_json::to_value(n.section).ok().and_then(|v| v.as_str().map(str::to_owned));
        out.push(format!("not compared: {}: {}", section.unwrap_or_default(), n.reason));
    }
    out
}

fn finding_row(f: &FindingChange) -> Vec<String> {
    let status = serde_json::to_value(f.status).ok().and_then(|v| v.as_str().map(str::to_owned));
    vec![
        f.id.clone(),
        f.severity.to_string(),
        f.name.clone(),
        or_dash(f.from_version.clone()),
        or_dash(f.to_version.clone()),
        status.unwrap_or_default(),
    ]
}

/// One titled table of a comparison.
struct Section {
    title: &'static str,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

/// The sections, empty ones left out.
fn sections(c: &Comparison) -> Vec<Section> {
    let mut out = Vec::new();
    let changed: Vec<Vec<String>> = c
        .components
        .changed
        .iter()
        .map(|v| {
            vec![
                v.name.clone(),
                v.ecosystem.clone(),
                v.from_version.clone(),
                v.to_version.clone(),
                direction(v.direction).to_owned(),
            ]
        })
        .collect();
    out.push(("Changed components", vec!["NAME", "ECOSYSTEM", "FROM", "TO", "DIRECTION"], changed));
    let row = |a: &cairn_sdk::types::ComparedComponent| {
        vec![a.name.clone(), a.ecosystem.clone(), a.version.clone()]
    };
    out.push((
        "Added components",
        vec!["NAME", "ECOSYSTEM", "VERSION"],
        c.components.added.iter().map(row).collect(),
    ));
    out.push((
        "Removed components",
        vec!["NAME", "ECOSYSTEM", "VERSION"],
        c.components.removed.iter().map(row).collect(),
    ));
    if let Some(f) = &c.findings {
        let headers = vec!["ADVISORY", "SEVERITY", "PACKAGE", "FROM", "TO", "STATUS"];
        out.push(("New findings", headers.clone(), f.new.iter().map(finding_row).collect()));
        out.push(("Fixed findings", headers.clone(), f.fixed.iter().map(finding_row).collect()));
        out.push(("Still open", headers, f.still_open.iter().map(finding_row).collect()));
    }
    let licenses: Vec<Vec<String>> = c
        .licenses
        .changed
        .iter()
        .map(|l| vec![l.name.clone(), l.ecosystem.clone(), or_dash(l.from.clone()), or_dash(l.to.clone())])
        .collect();
    out.push(("License changes", vec!["NAME", "ECOSYSTEM", "FROM", "TO"], licenses));
    if let Some(x) = &c.crypto {
        let row = |a: &cairn_sdk::types::CryptoChange| {
            vec![a.asset_type.clone(), a.name.clone(), or_dash(a.nist_quantum_level)]
        };
        out.push((
            "Crypto assets added",
            vec!["TYPE", "NAME", "NIST LEVEL"],
            x.added.iter().map(row).collect(),
        ));
        out.push((
            "Crypto assets removed",
            vec!["TYPE", "NAME", "NIST LEVEL"],
            x.removed.iter().map(row).collect(),
        ));
    }
    if let Some(g) = &c.gate {
        let headers = vec!["RULE", "ACTION", "SUBJECT", "MESSAGE"];
        out.push((
            "Gate violations added",
            headers.clone(),
            g.violations_added.iter().map(violation_row).collect(),
        ));
        out.push((
            "Gate violations removed",
            headers,
            g.violations_removed.iter().map(violation_row).collect(),
        ));
    }
    out.into_iter()
        .map(|(title, headers, rows)| Section { title, headers, rows })
        .filter(|s| !s.rows.is_empty())
        .collect()
}

/// The comparison for a terminal.
pub fn table(c: &Comparison, color: bool) -> String {
    let mut out = summary_lines(c).join("\n");
    out.push('\n');
    for Section { title, headers, rows } in sections(c) {
        let mut t = Table::new(&headers);
        for r in rows {
            t.row(r);
        }
        let _ = write!(out, "\n{title}\n{}", t.render(color));
    }
    out
}

/// A Markdown cell: pipes escaped, line breaks flattened.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// The comparison as Markdown.
pub fn markdown(c: &Comparison, title: &str) -> String {
    let mut out = format!("### {}\n\n", cell(title));
    for line in summary_lines(c) {
        let _ = writeln!(out, "- {}", cell(&line));
    }
    for Section { title: name, headers, rows } in sections(c) {
        let _ = write!(
            out,
            "\n#### {name} ({})\n\n| {} |\n|{}\n",
            rows.len(),
            headers.join(" | "),
            "---|".repeat(headers.len())
        );
        for r in rows {
            let cells: Vec<String> = r.iter().map(|c| cell(c)).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
    }
    out
}
