//! The Dependencies tab: the dependency graph as an indented tree (a node seen before is shown
//! once more, marked, but not expanded again).

use std::collections::HashMap;

use cairn_sdk::types::{ScanComponent, ScanEdge};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::TabData;
use crate::dash::remote::Remote;
use crate::dash::screens::{Ctx, list_state};
use crate::dash::widgets::list::{Columns, draw_table};
use crate::dash::widgets::tree::TreeRow;

/// Draw the tab; nodes are named by their component's purl when components are loaded.
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
    let names: HashMap<&str, &str> = components
        .data
        .get()
        .map(|cs| cs.iter().map(|c| (c.id.as_str(), c.purl.as_str())).collect())
        .unwrap_or_default();
    let widths = [Constraint::Fill(1), Constraint::Length(6)];
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
            let name = names.get(r.node.as_str()).copied().unwrap_or(r.node.as_str());
            let branch = if r.depth == 0 { "" } else { "└ " };
            let mut text = format!("{indent}{branch}{name}");
            if r.repeated {
                text.push_str(" (see above)");
            }
            vec![
                Cell::from(text).style(if r.repeated { t.dim() } else { t.text() }),
                Cell::from(r.children.to_string()),
            ]
        },
    );
}
