//! Component detail (`enter` on the Components tab): the package, where the scan found it, its
//! licenses, its findings, what it depends on and who depends on it (the dependency edges read
//! backwards). Drawn from the scan screen's data, which opening it asks for.

use cairn_sdk::types::{ScanComponent, ScanEdge, ScanId, VulnDataState};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::scan::ScanScreen;
use super::scan::vulns::state_text;
use super::{Ctx, failure_text, field};
use crate::dash::package;
use crate::dash::remote::Remote;

/// One open component.
#[derive(Debug)]
pub struct ComponentScreen {
    /// The scan it belongs to.
    pub scan: ScanId,
    /// The component, as the Components tab listed it.
    pub component: ScanComponent,
    /// Scroll.
    pub scroll: u16,
}

impl ComponentScreen {
    /// A component screen.
    pub fn new(scan: ScanId, component: ScanComponent) -> Self {
        ComponentScreen { scan, component, scroll: 0 }
    }

    /// Draw it from `scan`'s findings, licenses, components and edges.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx, scan: Option<&ScanScreen>) {
        let t = ctx.theme;
        let c = &self.component;
        let mut lines = vec![
            field("Package", package::label(&c.purl), t, t.title()),
            field("Purl", c.purl.clone(), t, t.text()),
            field("Ecosystem", c.ecosystem.clone(), t, t.text()),
            field(
                "Dependency",
                match (c.local, c.direct) {
                    (true, _) => "the project's own code".to_owned(),
                    (false, true) => "direct".to_owned(),
                    (false, false) => "transitive".to_owned(),
                },
                t,
                t.text(),
            ),
            field("Scope", c.scope.map_or_else(|| "-".into(), |s| s.to_string()), t, t.text()),
        ];
        section(&mut lines, ctx, "Found in");
        if c.locations.is_empty() {
            lines.push(Line::styled("  no location recorded by the scan", t.dim()));
        } else {
            lines.extend(c.locations.iter().map(|l| Line::raw(format!("  {l}"))));
        }
        if !c.hashes.is_empty() {
            lines.push(field("Hashes", c.hashes.join(", "), t, t.dim()));
        }
        let Some(scan) = scan else {
            lines.push(Line::styled("The scan is no longer open.", t.dim()));
            return self.render(frame, area, ctx, lines);
        };
        licenses(&mut lines, ctx, c, scan);
        findings(&mut lines, ctx, c, scan);
        edges(&mut lines, ctx, c, scan);
        self.render(frame, area, ctx, lines)
    }

    fn render(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx, lines: Vec<Line<'_>>) {
        let t = ctx.theme;
        self.scroll = self.scroll.min(u16::try_from(lines.len().saturating_sub(1)).unwrap_or(u16::MAX));
        let block = Block::default()
            .borders(Borders::ALL)
            .title(Span::styled(format!(" Component {} ", package::label(&self.component.purl)), t.title()));
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((self.scroll, 0)),
            area,
        );
    }
}

fn section(lines: &mut Vec<Line<'_>>, ctx: &Ctx, title: &'static str) {
    lines.push(Line::raw(""));
    lines.push(Line::styled(title, ctx.theme.header()));
}

/// A tab's data not loaded: a line saying so (loading, or why not); `None` when loaded.
fn pending<T>(data: &Remote<T>, ctx: &Ctx, what: &str) -> Option<Line<'static>> {
    let t = ctx.theme;
    match data {
        Remote::Loaded(_) => None,
        Remote::Failed(f) => {
            Some(Line::styled(format!("  Could not load {what}: {} (r reloads)", failure_text(f)), t.bad()))
        }
        Remote::NotAsked | Remote::Loading => {
            Some(Line::styled(format!("  {} Loading {what}…", ctx.spinner), t.dim()))
        }
    }
}

fn licenses(lines: &mut Vec<Line<'_>>, ctx: &Ctx, c: &ScanComponent, scan: &ScanScreen) {
    let t = ctx.theme;
    section(lines, ctx, "Licenses");
    if let Some(l) = pending(&scan.licenses.data, ctx, "the licenses") {
        lines.push(l);
        return;
    }
    let row = scan.licenses.data.get().and_then(|ls| ls.iter().find(|l| l.component_id == c.id));
    let shown = |v: Option<&str>| v.unwrap_or("not determined").to_owned();
    match row {
        Some(l) => {
            lines.push(field("  Concluded", shown(l.concluded.as_deref()), t, t.text()));
            lines.push(field("  Declared", shown(l.declared.as_deref()), t, t.text()));
            lines.push(field("  Detected", shown(l.detected.as_deref()), t, t.text()));
            lines.push(field("  Category", shown(l.category.as_deref()), t, t.text()));
        }
        None => lines.push(Line::styled("  not determined: the scan found no license for it", t.dim())),
    }
}

fn findings(lines: &mut Vec<Line<'_>>, ctx: &Ctx, c: &ScanComponent, scan: &ScanScreen) {
    let t = ctx.theme;
    section(lines, ctx, "Findings");
    if let Some(l) = pending(&scan.findings.data, ctx, "the findings") {
        lines.push(l);
        return;
    }
    let mine: Vec<_> = scan
        .findings
        .data
        .get()
        .map(|fs| fs.iter().filter(|f| f.finding.component_id == c.id).collect())
        .unwrap_or_default();
    if mine.is_empty() {
        // "none" only when the scan matched against data; otherwise say why there is nothing.
        let used = scan.scan.get().and_then(|s| s.vulndb.as_ref());
        lines.push(match used.map(|v| v.state) {
            Some(VulnDataState::Fresh) => Line::styled("  none", t.good()),
            Some(VulnDataState::Stale) => Line::styled("  none found in stale vulnerability data", t.warn()),
            Some(VulnDataState::None | VulnDataState::Unknown) => {
                Line::styled("  not checked: the scan had no vulnerability data to match against", t.warn())
            }
            None => Line::styled("  none found (the vulnerability data used was not recorded)", t.dim()),
        });
    }
    for f in mine {
        let s = &f.finding;
        lines.push(Line::from(vec![
            Span::raw(format!("  {:<20}", s.vulnerability_id)),
            Span::styled(format!("{:<9}", s.severity), t.severity(s.severity)),
            Span::raw(format!("{:<15}", state_text(f))),
            Span::raw(s.summary.clone().unwrap_or_default()),
        ]));
    }
}

/// A node of the dependency graph as a name: the component whose purl (or id) it is.
fn node_name(node: &str, scan: &ScanScreen) -> String {
    scan.components
        .data
        .get()
        .and_then(|cs| cs.iter().find(|c| c.purl == node || c.id == node))
        .map_or_else(|| package::label(node), |c| package::label(&c.purl))
}

fn edges(lines: &mut Vec<Line<'_>>, ctx: &Ctx, c: &ScanComponent, scan: &ScanScreen) {
    let t = ctx.theme;
    let is_me = |node: &str| node == c.purl || node == c.id;
    let list = |lines: &mut Vec<Line<'_>>, title: &'static str, pick: &dyn Fn(&ScanEdge) -> Option<&str>| {
        section(lines, ctx, title);
        if let Some(l) = pending(&scan.edges, ctx, "the dependencies") {
            lines.push(l);
            return;
        }
        let mut names: Vec<String> = scan
            .edges
            .get()
            .map(|es| es.iter().filter_map(pick).map(|n| node_name(n, scan)).collect())
            .unwrap_or_default();
        names.sort();
        names.dedup();
        if names.is_empty() {
            lines.push(Line::styled("  none in the scan's dependency graph", t.dim()));
        }
        lines.extend(names.into_iter().map(|n| Line::raw(format!("  {n}"))));
    };
    list(lines, "Depended on by", &|e: &ScanEdge| is_me(&e.to).then_some(e.from.as_str()));
    list(lines, "Depends on", &|e: &ScanEdge| is_me(&e.from).then_some(e.to.as_str()));
}
