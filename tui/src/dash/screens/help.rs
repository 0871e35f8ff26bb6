//! The help screen, generated from the key list.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};

use super::{Ctx, popup};
use crate::dash::keys::BINDINGS;

/// Draw help.
pub fn draw(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let t = ctx.theme;
    let bound: Vec<_> = BINDINGS.iter().filter(|b| !b.keys.is_empty()).collect();
    let height = u16::try_from(bound.len()).unwrap_or(u16::MAX).saturating_add(5);
    let r = popup(frame, area, 72, height);
    let mut lines: Vec<Line> = bound
        .iter()
        .map(|b| {
            let refused = ctx.readonly && matches!(b.command, "new-scan" | "triage" | "export" | "select");
            Line::from(vec![
                Span::styled(format!("{:>10}  ", b.keys), t.header()),
                Span::styled(b.help, if refused { t.dim() } else { t.text() }),
                Span::styled(if refused { " (read-only)" } else { "" }, t.dim()),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled("Mouse: wheel scrolls, click selects. `:` runs any of these by name.", t.dim()));
    lines.push(Line::styled("esc closes", t.dim()));
    let block = Block::default().borders(Borders::ALL).title(Span::styled(" Help ", t.title()));
    frame.render_widget(Paragraph::new(lines).block(block), r);
}
