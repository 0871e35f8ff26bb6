//! The confirmation before a scan is cancelled: `enter` asks the daemon (`Cmd::CancelScan`),
//! `esc` keeps the scan running.

use cairn_sdk::types::Scan;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::dialog::Dialog;
use super::{Ctx, Outcome, popup, tail};
use crate::dash::keys::{Action, KeyMap};
use crate::dash::msg::Cmd;

/// The scan to cancel, as it was when asked.
#[derive(Debug)]
pub struct CancelDialog {
    scan: Scan,
    hint: String,
}

impl CancelDialog {
    /// Ask about `scan` (the hint names `keys`' keys).
    pub fn new(scan: Scan, keys: &KeyMap) -> Self {
        let hint = keys.hint(&[(Action::Confirm, "cancel the scan"), (Action::Cancel, "keep it")]);
        CancelDialog { scan, hint }
    }
}

impl Dialog for CancelDialog {
    fn key(&mut self, action: Action) -> Outcome {
        match action {
            Action::Confirm | Action::Submit => Outcome::CloseWith(vec![Cmd::CancelScan(self.scan.id)]),
            Action::Cancel | Action::Back | Action::Quit => Outcome::Close,
            _ => Outcome::Stay,
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let s = &self.scan;
        let lines = vec![
            Line::from(vec![
                Span::styled(format!("Cancel scan {}?", tail(&s.id)), t.warn()),
                Span::styled(format!("  {} at {}%", s.status.as_str(), s.percent), t.text()),
            ]),
            Line::styled("A queued scan ends at once; a running one stops at its next step.", t.dim()),
            Line::raw(""),
            Line::styled(self.hint.clone(), t.dim()),
        ];
        let r = popup(frame, area, 64, 8);
        let block = Block::default().borders(Borders::ALL).title(Span::styled(" Cancel scan ", t.title()));
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
    }
}
