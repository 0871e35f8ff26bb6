//! The Crypto tab: the scan's PQC score, then every cryptographic asset with its quantum level,
//! quantum-vulnerable uses flagged, and the suggested replacement (from the asset's CycloneDX
//! properties, `cairn:crypto:replacement`).

use cairn_sdk::types::{CryptoAsset, Scan};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph};

use super::TabData;
use crate::dash::screens::{Ctx, list_state};
use crate::dash::widgets::list::{Columns, draw_table};

/// The replacement the scanner suggested, if any.
pub fn replacement(a: &CryptoAsset) -> Option<&str> {
    a.detail.get("properties")?.as_array()?.iter().find_map(|p| {
        (p.get("name")?.as_str()? == "cairn:crypto:replacement").then(|| p.get("value")?.as_str()).flatten()
    })
}

/// NIST quantum level 0: broken by a quantum computer.
pub fn quantum_vulnerable(a: &CryptoAsset) -> bool {
    a.quantum_level == Some(0)
}

/// An asset's filter text.
pub fn haystack(a: &CryptoAsset) -> String {
    format!(
        "{} {} {} {} {}",
        a.name,
        a.asset_type,
        a.primitive.as_deref().unwrap_or(""),
        if quantum_vulnerable(a) { "quantum-vulnerable" } else { "" },
        replacement(a).unwrap_or("")
    )
}

/// Draw the tab.
pub fn draw(tab: &mut TabData<CryptoAsset>, scan: Option<&Scan>, frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(area);
    let score = match scan.and_then(|s| s.pqc.as_ref()) {
        Some(p) => Line::from(vec![
            Span::styled("PQC score ", t.header()),
            Span::styled(
                p.score.map_or_else(|| "-".to_owned(), |s| format!("{s}/100")),
                if p.quantum_vulnerable > 0 { t.warn() } else { t.good() },
            ),
            Span::raw(format!(
                "  {} assets, {} rated, {} safe, {} quantum-vulnerable ({})",
                p.assets, p.rated, p.safe, p.quantum_vulnerable, p.methodology
            )),
        ]),
        None => Line::styled("No PQC score for this scan.", t.dim()),
    };
    frame.render_widget(Paragraph::new(score), top);
    if !list_state(frame, rest, ctx, "Crypto", "cryptographic assets", &tab.data) {
        return;
    }
    let Some(rows) = tab.data.get() else { return };
    let widths = [
        Constraint::Fill(1),
        Constraint::Length(12),
        Constraint::Length(14),
        Constraint::Length(9),
        Constraint::Fill(1),
        Constraint::Fill(1),
    ];
    let header = ["Name", "Type", "Primitive", "Quantum", "Replacement", "Used at"];
    draw_table(
        frame,
        rest,
        t,
        &mut tab.list,
        Columns { title: "Crypto", header: &header, widths: &widths },
        |i| {
            let Some(a) = rows.get(i) else { return Vec::new() };
            let (level, style) = match a.quantum_level {
                Some(0) => ("VULN".to_owned(), t.bad()),
                Some(l) => (format!("L{l}"), t.good()),
                None => ("-".to_owned(), t.dim()),
            };
            let used = match a.locations.len() {
                0 => String::new(),
                1 => a.locations[0].clone(),
                n => format!("{} (+{})", a.locations[0], n - 1),
            };
            vec![
                Cell::from(a.name.as_str()),
                Cell::from(a.asset_type.as_str()),
                Cell::from(a.primitive.as_deref().unwrap_or("-")),
                Cell::from(level).style(style),
                Cell::from(replacement(a).unwrap_or("")),
                Cell::from(used),
            ]
        },
    );
}
