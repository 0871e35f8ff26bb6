//! The Dependencies tab: the dependency graph as an indented tree (a node seen before is shown
//! once more, marked, but not expanded again).

use std::collections::HashMap;

use cairn_sdk::types::{ScanComponent, ScanEdge};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::TabData;
use crate::dash::package;
use crate::dash::remote::Remote;
use crate::dash::screens::{Ctx, list_state};
use crate::dash::widgets::list::{Columns, draw_table};
use crate::dash::widgets::tree::TreeRow;

/// Draw the tab; nodes are named `name@version`.
pub fn draw(
    tab: &mut TabData<TreeRow>,
    edges: &Remote<Vec<ScanEdge>>,
    components: &TabData<ScanComponent>,
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
) {
    if !list_state(frame, area, ctx, "Dependencies", "dependencies", edges) {
        return;
    }
    let Some(rows) = tab.data.get() else { return };
    let t = ctx.theme;
    // Edges name nodes by purl (the daemon) or by component id: either finds the component.
    let purls: HashMap<&str, &str> = components
        .data
        .get()
        .map(|cs| {
            cs.iter()
                .flat_map(|c| [(c.id.as_str(), c.purl.as_str()), (c.purl.as_str(), c.purl.as_str())])
                .collect()
        })
        .unwrap_or_default();
    let widths = [Constraint::Fill(1), Constraint::Length(6)];
    let needle = tab.list.filter().to_lowercase();
    draw_table(
        frame,
        area,
        t,
        &mut tab.list,
        Columns { title: "Dependencies", header: &["Component", "Deps"], widths: &widths },
        |i| {
            let Some(r) = rows.get(i) else { return Vec::new() };
            // Deep trees would push the name off screen: indent at most 20 levels.
            let indent = "  ".repeat(r.depth.min(20));
            let name = package::label(purls.get(r.node.as_str()).copied().unwrap_or(r.node.as_str()));
            let branch = if r.depth == 0 { "" } else { "└ " };
            let mut text = format!("{indent}{branch}{name}");
            if r.repeated {
                text.push_str(" (see above)");
            }
            // With a filter, the rows only on the path to a match are dimmed.
            let context = !needle.is_empty() && !r.node.to_lowercase().contains(needle.as_str());
            vec![
                Cell::from(text).style(if r.repeated || context { t.dim() } else { t.text() }),
                Cell::from(r.children.to_string()),
            ]
        },
    );
}
