//! Scan detail: a header with the scan's status and progress, and eight tabs (Summary,
//! Components, Vulnerabilities, Licenses, Crypto, Dependencies, Events, Warnings), each loaded the first time
//! it is shown and all reloaded when the watched scan completes.

pub mod components;
pub mod crypto;
pub mod deps;
pub mod events;
pub mod licenses;
pub mod summary;
pub mod vulns;
pub mod warnings;

use cairn_sdk::types::{
    CryptoAsset, Finding, GateViolation, Scan, ScanComponent, ScanEdge, ScanEvent, ScanId, ScanLicense,
    ScanStatus, ScanWarning,
};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::{Ctx, failure_text, tail};
use crate::dash::msg::{Cmd, GateView, Loaded};
use crate::dash::remote::Remote;
use crate::dash::widgets::list::ListState;
use crate::dash::widgets::tree::TreeRow;

/// The tabs, in order (keys 1–8). Warnings come last so the keys of the others stay as they were.
pub const TABS: [&str; 8] =
    ["Summary", "Components", "Vulnerabilities", "Licenses", "Crypto", "Dependencies", "Events", "Warnings"];

/// Tab indexes.
pub const SUMMARY: usize = 0;
/// Components tab.
pub const COMPONENTS: usize = 1;
/// Vulnerabilities tab.
pub const VULNS: usize = 2;
/// Licenses tab.
pub const LICENSES: usize = 3;
/// Crypto tab.
pub const CRYPTO: usize = 4;
/// Dependencies tab.
pub const DEPS: usize = 5;
/// Events tab.
pub const EVENTS: usize = 6;
/// Warnings tab (informational advisories).
pub const WARNINGS: usize = 7;

/// One tab's rows and list state.
#[derive(Debug)]
pub struct TabData<T> {
    /// The rows.
    pub data: Remote<Vec<T>>,
    /// Cursor, filter, marks.
    pub list: ListState,
}

impl<T> Default for TabData<T> {
    fn default() -> Self {
        TabData { data: Remote::NotAsked, list: ListState::default() }
    }
}

impl<T> TabData<T> {
    /// Rows arrived; `hay` gives each row's filter text.
    pub fn set(&mut self, result: Loaded<Vec<T>>, hay: impl Fn(&T) -> String) {
        if let Ok(rows) = &result {
            self.list.set_items(rows.iter().map(hay).collect());
        }
        self.data = result.into();
    }
}

/// One open scan.
#[derive(Debug)]
pub struct ScanScreen {
    /// The scan's id.
    pub id: ScanId,
    /// The scan.
    pub scan: Remote<Scan>,
    /// The tab shown.
    pub tab: usize,
    /// Findings (Vulnerabilities tab).
    pub findings: TabData<Finding>,
    /// The Package column's width, measured when the findings arrive.
    pub package_width: u16,
    /// Components.
    pub components: TabData<ScanComponent>,
    /// Licenses.
    pub licenses: TabData<ScanLicense>,
    /// Crypto assets.
    pub crypto: TabData<CryptoAsset>,
    /// Dependency edges, and the tree they make.
    pub edges: Remote<Vec<ScanEdge>>,
    /// The flattened tree.
    pub tree: TabData<TreeRow>,
    /// Events.
    pub events: TabData<ScanEvent>,
    /// Warnings (informational advisories).
    pub warnings: TabData<ScanWarning>,
    /// Summary scroll.
    pub summary_scroll: u16,
    /// The project's name, when the projects list knows it.
    pub project_name: Option<String>,
    /// The policy gate (Summary tab), loaded once the scan has completed; `None`: it has none.
    pub gate: Remote<Option<GateView>>,
}

impl ScanScreen {
    /// A scan screen; `scan` when it is already known.
    pub fn new(id: ScanId, scan: Option<Scan>) -> Self {
        ScanScreen {
            id,
            scan: scan.map_or(Remote::Loading, Remote::Loaded),
            tab: SUMMARY,
            findings: TabData::default(),
            package_width: 7,
            components: TabData::default(),
            licenses: TabData::default(),
            crypto: TabData::default(),
            edges: Remote::NotAsked,
            tree: TabData::default(),
            events: TabData::default(),
            warnings: TabData::default(),
            summary_scroll: 0,
            project_name: None,
            gate: Remote::NotAsked,
        }
    }

    /// The gate's load, once the scan is known to have completed (a gate exists only then), unless
    /// asked before.
    pub fn gate_load(&mut self) -> Option<Cmd> {
        let completed = self.status() == Some(ScanStatus::Completed);
        if completed && matches!(self.gate, Remote::NotAsked) {
            self.gate = Remote::Loading;
            return Some(Cmd::LoadGate(self.id));
        }
        None
    }

    /// The gate's violations, when it is loaded.
    pub fn violations(&self) -> &[GateViolation] {
        match self.gate.get() {
            Some(Some(g)) => &g.gate.violations,
            _ => &[],
        }
    }

    /// Show tab `tab` (clamped); the loads it needs the first time.
    pub fn show(&mut self, tab: usize) -> Vec<Cmd> {
        self.tab = tab.min(TABS.len() - 1);
        self.load_tab(self.tab, false)
    }

    /// The loads tab `tab`'s data needs, unless asked before (a component's detail reads the
    /// findings, licenses and edges without showing their tabs).
    pub fn ensure(&mut self, tab: usize) -> Vec<Cmd> {
        self.load_tab(tab, false)
    }

    fn load_tab(&mut self, tab: usize, again: bool) -> Vec<Cmd> {
        let id = self.id;
        let mut cmds = Vec::new();
        macro_rules! load {
            ($remote:expr, $cmd:expr) => {
                if again || matches!($remote, Remote::NotAsked) {
                    // A reload keeps the rows on screen (and under the cursor's keys) until
                    // the new answer replaces them: an `enter` during it opens what it shows.
                    if !(again && matches!($remote, Remote::Loaded(_))) {
                        $remote = Remote::Loading;
                    }
                    cmds.push($cmd);
                }
            };
        }
        match tab {
            COMPONENTS => load!(self.components.data, Cmd::LoadComponents(id)),
            VULNS => load!(self.findings.data, Cmd::LoadFindings(id)),
            LICENSES => load!(self.licenses.data, Cmd::LoadLicenses(id)),
            CRYPTO => load!(self.crypto.data, Cmd::LoadCrypto(id)),
            DEPS => {
                load!(self.edges, Cmd::LoadDependencies(id));
                // The tree names nodes by component; load those too.
                load!(self.components.data, Cmd::LoadComponents(id));
            }
            EVENTS => load!(self.events.data, Cmd::LoadEvents(id)),
            WARNINGS => load!(self.warnings.data, Cmd::LoadWarnings(id)),
            _ => {}
        }
        cmds
    }

    /// Load the scan and every tab loaded so far again (the others load when shown).
    pub fn reload(&mut self) -> Vec<Cmd> {
        let mut cmds = vec![Cmd::LoadScan(self.id)];
        if !matches!(self.gate, Remote::NotAsked) {
            self.gate = Remote::Loading;
            cmds.push(Cmd::LoadGate(self.id));
        }
        for tab in 0..TABS.len() {
            let loaded_before = match tab {
                COMPONENTS => !matches!(self.components.data, Remote::NotAsked),
                VULNS => !matches!(self.findings.data, Remote::NotAsked),
                LICENSES => !matches!(self.licenses.data, Remote::NotAsked),
                CRYPTO => !matches!(self.crypto.data, Remote::NotAsked),
                DEPS => !matches!(self.edges, Remote::NotAsked),
                EVENTS => !matches!(self.events.data, Remote::NotAsked),
                WARNINGS => !matches!(self.warnings.data, Remote::NotAsked),
                _ => false,
            };
            if loaded_before {
                for c in self.load_tab(tab, true) {
                    if !cmds.contains(&c) {
                        cmds.push(c);
                    }
                }
            }
        }
        cmds
    }

    fn status(&self) -> Option<ScanStatus> {
        self.scan.get().map(|s| s.status)
    }

    /// The scan arrived (a load or a watch sync); reloads when it just completed.
    pub fn set_scan(&mut self, scan: Scan) -> Vec<Cmd> {
        let completed_now =
            self.status().is_some_and(|s| !s.is_terminal()) && scan.status == ScanStatus::Completed;
        self.scan = Remote::Loaded(scan);
        let mut cmds = if completed_now { self.reload() } else { Vec::new() };
        cmds.extend(self.gate_load());
        cmds
    }

    /// A progress event of this scan: status, percent and counts move; the event is listed;
    /// completion reloads everything.
    pub fn progress(&mut self, ev: &ScanEvent) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if let Remote::Loaded(s) = &mut self.scan {
            let completed_now = !s.status.is_terminal() && ev.status == ScanStatus::Completed;
            s.status = ev.status;
            s.percent = ev.percent;
            s.counts = ev.counts.clone();
            if completed_now {
                cmds = self.reload();
            }
        }
        cmds.extend(self.gate_load());
        if let Remote::Loaded(list) = &mut self.events.data
            && list.last().is_none_or(|last| last.seq < ev.seq)
        {
            list.push(ev.clone());
            let hay = list.iter().map(events::haystack).collect();
            self.events.list.set_items(hay);
        }
        cmds
    }

    /// Findings arrived: listed worst first.
    pub fn set_findings(&mut self, result: Loaded<Vec<Finding>>) {
        let result = result.map(vulns::worst_first);
        if let Ok(rows) = &result {
            self.package_width = vulns::package_width(rows);
        }
        self.findings.set(result, vulns::haystack);
    }

    /// Dependency edges arrived.
    pub fn set_edges(&mut self, result: Loaded<Vec<ScanEdge>>) {
        let rows = result.as_ref().map(|e| crate::dash::widgets::tree::flatten(e)).map_err(Clone::clone);
        self.edges = result.into();
        let parents = rows.as_ref().map(|rs| rs.iter().map(|r| r.parent).collect()).unwrap_or_default();
        self.tree.set(rows, |r| r.node.clone());
        self.tree.list.set_parents(parents);
    }

    /// A finding changed (triaged): replace it where it is listed.
    pub fn replace_finding(&mut self, f: &Finding) {
        if let Remote::Loaded(list) = &mut self.findings.data
            && let Some(i) = list.iter().position(|x| x.finding.id == f.finding.id)
        {
            list[i] = f.clone();
            self.findings.list.update_item(i, &vulns::haystack(f));
        }
    }

    /// The focused list (the tab's), when the tab has one.
    pub fn list(&mut self) -> Option<&mut ListState> {
        Some(match self.tab {
            COMPONENTS => &mut self.components.list,
            VULNS => &mut self.findings.list,
            LICENSES => &mut self.licenses.list,
            CRYPTO => &mut self.crypto.list,
            DEPS => &mut self.tree.list,
            EVENTS => &mut self.events.list,
            WARNINGS => &mut self.warnings.list,
            _ => return None,
        })
    }

    /// The component under the cursor on the Components tab.
    pub fn current_component(&self) -> Option<&ScanComponent> {
        if self.tab != COMPONENTS {
            return None;
        }
        self.components.data.get()?.get(self.components.list.current()?)
    }

    /// The finding under the cursor on the Vulnerabilities tab.
    pub fn current_finding(&self) -> Option<&Finding> {
        if self.tab != VULNS {
            return None;
        }
        self.findings.data.get()?.get(self.findings.list.current()?)
    }

    /// The marked findings, or the one under the cursor when none are marked.
    pub fn triage_targets(&self) -> Vec<Finding> {
        let Some(list) = self.findings.data.get() else { return Vec::new() };
        if self.tab != VULNS {
            return Vec::new();
        }
        let marked = self.findings.list.marked();
        if marked.is_empty() {
            self.current_finding().cloned().into_iter().collect()
        } else {
            marked.iter().filter_map(|i| list.get(*i).cloned()).collect()
        }
    }

    /// Draw header, tab bar and the tab.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let [head, tabs, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Length(1), Constraint::Fill(1)]).areas(area);
        let header = match &self.scan {
            Remote::Loaded(s) => {
                let style = match s.status {
                    ScanStatus::Completed => t.good(),
                    ScanStatus::Failed => t.bad(),
                    ScanStatus::Cancelled => t.dim(),
                    _ => t.warn(),
                };
                let mut spans = vec![
                    Span::styled(format!("Scan {} ", tail(&s.id)), t.title()),
                    Span::styled(s.status.as_str(), style),
                    Span::raw(format!(" {}% ", s.percent)),
                    Span::styled(super::queue::source_text(&s.source), t.dim()),
                ];
                if let Some(e) = &s.error {
                    spans.push(Span::styled(format!("  error: {e}"), t.bad()));
                }
                Line::from(spans)
            }
            Remote::Failed(f) => Line::from(vec![
                Span::styled(format!("Scan {} ", tail(&self.id)), t.title()),
                Span::styled(format!("could not load: {}", failure_text(f)), t.bad()),
            ]),
            _ => Line::from(vec![
                Span::styled(format!("Scan {} ", tail(&self.id)), t.title()),
                Span::styled("loading…", t.dim()),
            ]),
        };
        frame.render_widget(Paragraph::new(header), head);
        let mut spans = Vec::new();
        for (i, name) in TABS.iter().enumerate() {
            let style = if i == self.tab { t.selected() } else { t.dim() };
            spans.push(Span::styled(format!(" {} {name} ", i + 1), style));
            spans.push(Span::raw(" "));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), tabs);
        match self.tab {
            SUMMARY => summary::draw(self, frame, body, ctx),
            COMPONENTS => components::draw(&mut self.components, frame, body, ctx),
            VULNS => vulns::draw(&mut self.findings, self.package_width, self.scan.get(), frame, body, ctx),
            LICENSES => licenses::draw(&mut self.licenses, frame, body, ctx),
            CRYPTO => crypto::draw(&mut self.crypto, self.scan.get(), frame, body, ctx),
            DEPS => deps::draw(&mut self.tree, &self.edges, &self.components, frame, body, ctx),
            EVENTS => events::draw(&mut self.events, frame, body, ctx),
            _ => warnings::draw(&mut self.warnings, frame, body, ctx),
        }
    }
}
