//! A version's compliance report: one `ReportData` gathered from the evidence, rendered as a
//! self-contained HTML page (inline CSS with print rules, inline SVG charts, no external asset)
//! or as a PDF written with `pdf-writer` (Helvetica, no embedded fonts, no browser).

use std::collections::BTreeMap;
use std::fmt::Write;

use cairn_sdk::types::{
    CraItemStatus, CraStatus, Finding, PqcSummary, ScanComparison, Severity, TenantId, TriageState,
    VersionId, VulnDataState,
};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str};
use time::OffsetDateTime;

use super::cra;
use super::technical_file::{Previous, licenses_of, previous_comparison};
use crate::error::ApiError;
use crate::state::AppState;

/// Completed scans of the project drawn in the findings-over-time chart.
const HISTORY_POINTS: i64 = 50;

/// Triage columns of the findings table: no decision first.
const STATES: [Option<TriageState>; 6] = [
    None,
    Some(TriageState::InTriage),
    Some(TriageState::Affected),
    Some(TriageState::NotAffected),
    Some(TriageState::Fixed),
    Some(TriageState::FalsePositive),
];

/// One point of the findings-over-time chart.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPoint {
    /// When the scan completed.
    pub at: OffsetDateTime,
    /// Its findings; `None` when it was not matched against vulnerability data.
    pub findings: Option<u64>,
}

/// Everything a report shows.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The checklist (judged now).
    pub status: CraStatus,
    /// Product and version names and the release state.
    pub project_name: String,
    /// The version's name.
    pub version_name: String,
    /// `draft`, `released` or `end_of_life`.
    pub release_state: String,
    /// Components of the scan.
    pub components: u64,
    /// Whether the scan was matched against vulnerability data.
    pub matched: bool,
    /// The open findings.
    pub findings: Vec<Finding>,
    /// Components per license category.
    pub licenses: BTreeMap<String, u64>,
    /// Post-quantum readiness, when crypto was scanned.
    pub pqc: Option<PqcSummary>,
    /// Changes since the previous released version, or why there are none.
    pub comparison: Result<ScanComparison, String>,
    /// The project's completed scans, oldest first.
    pub history: Vec<HistoryPoint>,
}

impl ReportData {
    /// Findings of `severity` in triage state `state` (`None`: no triage).
    pub fn count(&self, severity: Severity, state: Option<TriageState>) -> u64 {
        self.findings
            .iter()
            .filter(|f| f.finding.severity == severity && f.triage.as_ref().map(|t| t.state) == state)
            .count() as u64
    }

    /// Findings of `severity`.
    pub fn severity_total(&self, severity: Severity) -> u64 {
        self.findings.iter().filter(|f| f.finding.severity == severity).count() as u64
    }

    /// Findings listed as known exploited.
    pub fn known_exploited(&self) -> u64 {
        self.findings.iter().filter(|f| f.known_exploited.is_some()).count() as u64
    }
}

/// Gathers the report of `version` (404 while it has no completed scan).
pub async fn gather(state: &AppState, tenant: TenantId, version: VersionId) -> Result<ReportData, ApiError> {
    let facts = cra::gather(&state.store, tenant, version, crate::store::now()).await?;
    let Some(scan_facts) = facts.scan.clone() else {
        return Err(ApiError::new(
            crate::error::Kind::NotFound,
            format!("version {version} has no completed scan yet"),
        ));
    };
    let scan = &scan_facts.scan;
    let status = cra::judge(&facts);
    let mut licenses = BTreeMap::new();
    for l in licenses_of(state, tenant, scan).await? {
        *licenses.entry(l.category.unwrap_or_else(|| "unknown".into())).or_insert(0) += 1;
    }
    let comparison = match previous_comparison(state, tenant, &facts).await? {
        Previous::Compared(c) => Ok(*c),
        Previous::Missing(reason) => Err(reason.to_owned()),
    };
    let history = state
        .store
        .scans_completed_of_project(tenant, facts.project.id, None, HISTORY_POINTS)
        .await?
        .into_iter()
        .filter_map(|s| {
            let matched = s.vulndb.as_ref().is_some_and(|v| v.state != VulnDataState::None);
            Some(HistoryPoint { at: s.finished_at?, findings: matched.then_some(s.counts.findings) })
        })
        .collect();
    let mut findings = scan_facts.findings.clone();
    findings
        .sort_by(|a, b| b.finding.severity.cmp(&a.finding.severity).then(a.finding.id.cmp(&b.finding.id)));
    Ok(ReportData {
        status,
        project_name: facts.project.name.clone(),
        version_name: facts.version.name.clone(),
        release_state: facts.version.release_state.as_str().to_owned(),
        components: scan.counts.components,
        matched: scan.vulndb.as_ref().is_some_and(|v| v.state != VulnDataState::None),
        findings,
        licenses,
        pqc: scan.pqc.clone(),
        comparison,
        history,
    })
}

/// Text safe inside HTML elements and attributes.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' => {}
            c => out.push(c),
        }
    }
    out
}

fn state_word(state: Option<TriageState>) -> &'static str {
    state.map_or("untriaged", TriageState::as_str)
}

fn status_class(s: CraItemStatus) -> &'static str {
    match s {
        CraItemStatus::Met => "met",
        CraItemStatus::NotMet => "not-met",
        CraItemStatus::NotEvaluated => "not-evaluated",
        CraItemStatus::NotApplicable => "na",
    }
}

fn date(t: OffsetDateTime) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

const CSS: &str = "body{font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;color:#1d2330;margin:2rem auto;max-width:60rem;line-height:1.4}\
h1{font-size:1.6rem;margin-bottom:0}h2{font-size:1.2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem;margin-top:2rem}\
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #ccd;padding:.3rem .5rem;text-align:left}\
th{background:#eef0f5}td.n{text-align:right;font-variant-numeric:tabular-nums}.met{color:#17692a;font-weight:600}\
.not-met{color:#a1161b;font-weight:600}.not-evaluated{color:#8a5a00;font-style:italic}.na{color:#666}.cards{display:flex;gap:1rem;flex-wrap:wrap}\
.card{border:1px solid #ccd;border-radius:6px;padding:.6rem 1rem;min-width:9rem}.card b{display:block;font-size:1.5rem}\
.muted{color:#666;font-size:.85rem}svg text{font-size:11px;fill:#1d2330}\
@media print{body{margin:0;max-width:none}h2{break-after:avoid}table,svg,.cards{break-inside:avoid}a{color:inherit;text-decoration:none}}";

/// The severity-mix chart: one bar per severity.
fn severity_svg(d: &ReportData) -> String {
    let colors = ["#7a0b10", "#c0392b", "#e67e22", "#f1c40f", "#95a5a6", "#bdc3c7"];
    let max = Severity::ALL.iter().map(|s| d.severity_total(*s)).max().unwrap_or(0).max(1);
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"170\" role=\"img\" aria-label=\"Findings by severity\">",
    );
    for (i, (s, color)) in Severity::ALL.iter().zip(colors).enumerate() {
        let n = d.severity_total(*s);
        let h = (n as f64 / max as f64 * 110.0).round();
        let x = 20 + i * 82;
        let _ = write!(
            svg,
            "<rect x=\"{x}\" y=\"{}\" width=\"56\" height=\"{h}\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{n}</text><text x=\"{}\" y=\"160\" text-anchor=\"middle\">{}</text>",
            130.0 - h,
            x + 28,
            125.0 - h,
            x + 28,
            s.as_str()
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The findings-over-time chart: a line over the matched scans.
fn history_svg(d: &ReportData) -> String {
    let points: Vec<(OffsetDateTime, u64)> =
        d.history.iter().filter_map(|p| Some((p.at, p.findings?))).collect();
    let mut svg = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"520\" height=\"170\" role=\"img\" aria-label=\"Findings over time\">",
    );
    if points.is_empty() {
        svg.push_str("<text x=\"20\" y=\"80\">No scan of the product was matched against vulnerability data.</text></svg>");
        return svg;
    }
    let max = points.iter().map(|p| p.1).max().unwrap_or(0).max(1);
    let step = if points.len() > 1 { 460.0 / (points.len() - 1) as f64 } else { 0.0 };
    let coords: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .map(|(i, (_, n))| (30.0 + step * i as f64, 130.0 - *n as f64 / max as f64 * 110.0))
        .collect();
    let path: Vec<String> = coords.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let _ = write!(
        svg,
        "<line x1=\"30\" y1=\"130\" x2=\"490\" y2=\"130\" stroke=\"#ccd\"/><polyline fill=\"none\" stroke=\"#2c5aa0\" stroke-width=\"2\" points=\"{}\"/>",
        path.join(" ")
    );
    for ((x, y), (at, n)) in coords.iter().zip(&points) {
        let _ = write!(
            svg,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\" fill=\"#2c5aa0\"><title>{}: {n}</title></circle><text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{n}</text>",
            date(*at),
            y - 6.0
        );
    }
    let (first, last) = (points[0].0, points[points.len() - 1].0);
    let _ = write!(
        svg,
        "<text x=\"30\" y=\"150\">{}</text><text x=\"490\" y=\"150\" text-anchor=\"end\">{}</text></svg>",
        date(first),
        date(last)
    );
    svg
}

/// The report as one self-contained HTML page (well-formed XML: every element closed).
pub fn html(d: &ReportData) -> String {
    let s = &d.status;
    let mut h = String::new();
    let title = format!("Compliance report: {} {}", d.project_name, d.version_name);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/><title>{}</title><style>{CSS}</style></head><body>",
        esc(&title)
    );
    let _ = write!(
        h,
        "<h1>{}</h1><p class=\"muted\">Release state: {} · evaluated {} · scan <code>{}</code></p>",
        esc(&title),
        esc(&d.release_state),
        esc(&s.evaluated_at.to_string()),
        s.scan_id.map(|i| i.to_string()).unwrap_or_default()
    );
    // Summary.
    let open = d.findings.len();
    let _ = write!(
        h,
        "<h2>Summary</h2><div class=\"cards\"><div class=\"card\" id=\"components\"><b>{}</b>components</div>\
         <div class=\"card\" id=\"findings\"><b>{}</b>open findings</div><div class=\"card\" id=\"kev\"><b>{}</b>known exploited</div>\
         <div class=\"card\" id=\"cra-met\"><b>{} / {}</b>CRA items met</div>\
         <div class=\"card\" id=\"cra-not-evaluated\"><b>{}</b>CRA items not evaluated</div></div>",
        d.components,
        if d.matched { open.to_string() } else { "not matched".into() },
        d.known_exploited(),
        s.met,
        s.items.len(),
        s.not_evaluated
    );
    if !d.matched {
        h.push_str("<p class=\"not-met\">The scan was not matched against vulnerability data: findings are not known (not zero).</p>");
    }
    // CRA checklist.
    h.push_str("<h2>CRA checklist</h2><table><thead><tr><th>Requirement</th><th>Status</th><th>Reason</th></tr></thead><tbody>");
    for i in &s.items {
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            i.requirement.as_str(),
            status_class(i.status),
            i.status.as_str(),
            esc(&i.reason)
        );
    }
    h.push_str("</tbody></table>");
    // Findings by severity and state.
    h.push_str(
        "<h2>Findings by severity and triage</h2><table id=\"findings-table\"><thead><tr><th>Severity</th>",
    );
    for st in STATES {
        let _ = write!(h, "<th>{}</th>", state_word(st));
    }
    h.push_str("<th>Total</th></tr></thead><tbody>");
    for sev in Severity::ALL {
        let _ = write!(h, "<tr><td>{}</td>", sev.as_str());
        for st in STATES {
            let _ = write!(h, "<td class=\"n\">{}</td>", d.count(sev, st));
        }
        let _ = write!(h, "<td class=\"n\">{}</td></tr>", d.severity_total(sev));
    }
    h.push_str("</tbody></table>");
    let _ =
        write!(h, "<h2>Severity mix</h2>{}<h2>Findings over time</h2>{}", severity_svg(d), history_svg(d));
    // Known exploited findings.
    let kev: Vec<&Finding> = d.findings.iter().filter(|f| f.known_exploited.is_some()).collect();
    if !kev.is_empty() {
        h.push_str("<h2>Known exploited</h2><table><thead><tr><th>Advisory</th><th>CVE</th><th>Package</th><th>Added</th><th>Triage</th></tr></thead><tbody>");
        for f in kev {
            let k = f.known_exploited.as_ref();
            let _ = write!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&f.finding.vulnerability_id),
                esc(k.map_or("", |k| k.cve_id.as_str())),
                esc(&f.finding.purl),
                k.map(|k| k.date_added.to_string()).unwrap_or_default(),
                state_word(f.triage.as_ref().map(|t| t.state))
            );
        }
        h.push_str("</tbody></table>");
    }
    // Licenses.
    h.push_str("<h2>Licenses</h2>");
    if d.licenses.is_empty() {
        h.push_str("<p>No component has license facts.</p>");
    } else {
        h.push_str("<table><thead><tr><th>Category</th><th>Components</th></tr></thead><tbody>");
        for (cat, n) in &d.licenses {
            let _ = write!(h, "<tr><td>{}</td><td class=\"n\">{n}</td></tr>", esc(cat));
        }
        h.push_str("</tbody></table>");
    }
    // Crypto readiness.
    h.push_str("<h2>Post-quantum readiness</h2>");
    match &d.pqc {
        None => h.push_str("<p>Cryptography was not scanned for this version: readiness not evaluated.</p>"),
        Some(p) => {
            let _ = write!(
                h,
                "<p>Score: <b>{}</b> · {} assets, {} rated, {} quantum-safe, {} quantum-vulnerable (methodology {}).</p>",
                p.score.map_or_else(|| "not rated".to_owned(), |s| s.to_string()),
                p.assets,
                p.rated,
                p.safe,
                p.quantum_vulnerable,
                esc(&p.methodology)
            );
        }
    }
    // Changes.
    h.push_str("<h2>Changes since the previous released version</h2>");
    match &d.comparison {
        Err(reason) => {
            let _ = write!(h, "<p>Not compared: {}.</p>", esc(reason));
        }
        Ok(c) => {
            let m = &c.comparison.summary;
            let opt = |v: Option<u64>| v.map_or_else(|| "not compared".to_owned(), |n| n.to_string());
            let _ = write!(
                h,
                "<table><tbody><tr><td>Components added</td><td class=\"n\">{}</td></tr><tr><td>Components removed</td><td class=\"n\">{}</td></tr>\
                 <tr><td>Components changed</td><td class=\"n\">{}</td></tr><tr><td>Findings new</td><td class=\"n\">{}</td></tr>\
                 <tr><td>Findings fixed</td><td class=\"n\">{}</td></tr><tr><td>Licenses changed</td><td class=\"n\">{}</td></tr></tbody></table>",
                m.components_added,
                m.components_removed,
                m.components_changed,
                opt(m.findings_new),
                opt(m.findings_fixed),
                m.licenses_changed
            );
        }
    }
    h.push_str("<p class=\"muted\">Generated by Cairn from stored evidence; what Cairn did not look at is said, never counted as zero.</p></body></html>\n");
    h
}

/// A line of PDF text: ASCII only (Helvetica with the standard encoding), others as `?`.
fn pdf_text(s: &str) -> Vec<u8> {
    s.chars().map(|c| if c.is_ascii() && !c.is_ascii_control() { c as u8 } else { b'?' }).collect()
}

/// The report as a PDF: the same sections as the HTML, as text lines and a bar chart.
pub fn pdf(d: &ReportData) -> Vec<u8> {
    let s = &d.status;
    let mut lines: Vec<(f32, String)> = Vec::new();
    let mut push = |size: f32, text: String| lines.push((size, text));
    push(16.0, format!("Compliance report: {} {}", d.project_name, d.version_name));
    push(9.0, format!("Release state: {}; evaluated {}", d.release_state, s.evaluated_at));
    push(13.0, "Summary".into());
    push(10.0, format!("Components: {}", d.components));
    push(
        10.0,
        format!(
            "Open findings: {}",
            if d.matched { d.findings.len().to_string() } else { "not matched".into() }
        ),
    );
    push(10.0, format!("Known exploited: {}", d.known_exploited()));
    push(10.0, format!("CRA items met: {} of {}", s.met, s.items.len()));
    push(10.0, format!("CRA items not evaluated: {}", s.not_evaluated));
    push(13.0, "CRA checklist".into());
    for i in &s.items {
        push(10.0, format!("{}: {} - {}", i.requirement.as_str(), i.status.as_str(), i.reason));
    }
    push(13.0, "Findings by severity".into());
    for sev in Severity::ALL {
        let by_state: Vec<String> = STATES
            .iter()
            .filter_map(|st| {
                let n = d.count(sev, *st);
                (n > 0).then(|| format!("{} {n}", state_word(*st)))
            })
            .collect();
        push(10.0, format!("{}: {} ({})", sev.as_str(), d.severity_total(sev), by_state.join(", ")));
    }
    push(13.0, "Licenses".into());
    for (cat, n) in &d.licenses {
        push(10.0, format!("{cat}: {n} components"));
    }
    push(13.0, "Post-quantum readiness".into());
    push(
        10.0,
        match &d.pqc {
            None => "Cryptography was not scanned: not evaluated.".into(),
            Some(p) => format!(
                "Score {}; {} assets, {} quantum-vulnerable",
                p.score.map_or_else(|| "not rated".to_owned(), |s| s.to_string()),
                p.assets,
                p.quantum_vulnerable
            ),
        },
    );
    push(13.0, "Changes since the previous released version".into());
    match &d.comparison {
        Err(reason) => push(10.0, format!("Not compared: {reason}.")),
        Ok(c) => {
            let m = &c.comparison.summary;
            push(
                10.0,
                format!(
                    "Components added {}, removed {}, changed {}; findings new {}, fixed {}",
                    m.components_added,
                    m.components_removed,
                    m.components_changed,
                    m.findings_new.map_or_else(|| "not compared".into(), |n| n.to_string()),
                    m.findings_fixed.map_or_else(|| "not compared".into(), |n| n.to_string())
                ),
            );
        }
    }

    // Lay the lines out on A4 pages, wrapping long ones.
    let (width, height, margin) = (595.0f32, 842.0f32, 50.0f32);
    let mut pages: Vec<Vec<(f32, f32, Vec<u8>)>> = vec![Vec::new()];
    let mut y = height - margin;
    for (size, text) in lines {
        let per_line = ((width - 2.0 * margin) / (size * 0.5)) as usize;
        let bytes = pdf_text(&text);
        let chunks: Vec<Vec<u8>> = bytes.chunks(per_line.max(20)).map(<[u8]>::to_vec).collect();
        for chunk in chunks {
            let lead = size * 1.5;
            if y - lead < margin {
                pages.push(Vec::new());
                y = height - margin;
            }
            y -= lead;
            if let Some(p) = pages.last_mut() {
                p.push((size, y, chunk));
            }
        }
    }
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let font = Ref::new(3);
    let font_name = Name(b"F1");
    let page_ids: Vec<Ref> = (0..pages.len()).map(|i| Ref::new(4 + 2 * i as i32)).collect();
    let mut pdf = Pdf::new();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree).kids(page_ids.iter().copied()).count(pages.len() as i32);
    pdf.type1_font(font).base_font(Name(b"Helvetica"));
    for (i, lines) in pages.iter().enumerate() {
        let content_id = Ref::new(5 + 2 * i as i32);
        let mut page = pdf.page(page_ids[i]);
        page.media_box(Rect::new(0.0, 0.0, width, height)).parent(tree).contents(content_id);
        page.resources().fonts().pair(font_name, font);
        page.finish();
        let mut content = Content::new();
        if i == 0 {
            // The severity mix as bars in the top right corner.
            let max = Severity::ALL.iter().map(|s| d.severity_total(*s)).max().unwrap_or(0).max(1) as f32;
            for (j, sev) in Severity::ALL.iter().enumerate() {
                let h = d.severity_total(*sev) as f32 / max * 60.0;
                content.set_fill_rgb(0.75 - 0.1 * j as f32, 0.2, 0.2);
                content.rect(420.0 + 20.0 * j as f32, height - 120.0, 14.0, h.max(0.5));
                content.fill_nonzero();
            }
            content.set_fill_rgb(0.0, 0.0, 0.0);
        }
        for (size, y, text) in lines {
            content.begin_text();
            content.set_font(font_name, *size);
            content.next_line(margin, *y);
            content.show(Str(text));
            content.end_text();
        }
        pdf.stream(content_id, &content.finish());
    }
    pdf.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_pdf_text_is_ascii() {
        assert_eq!(esc("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
        assert_eq!(pdf_text("naïve → ok"), b"na?ve ? ok".to_vec());
    }
}
