//! The screens: the top tabs (projects, queue, notifications), scan detail with its tabs, finding,
//! component and diagnostics detail, where a package is used, an advisory, a project's history,
//! two scans compared, the approvals queue, the image catalogue (images, versions, a version's
//! scan history), feature requests, and the dialogs drawn over them ([`dialog::Dialog`]: triage,
//! new scan, export, help, palette, cancel, exception request, new request, a request's status).

pub mod advisory;
pub mod approval;
pub mod approvals;
pub mod cancel;
pub mod compare;
pub mod component;
pub mod diagnostics;
pub mod dialog;
pub mod export;
pub mod finding;
pub mod help;
pub mod history;
pub mod image_history;
pub mod images;
pub mod inbox;
pub mod new_request;
pub mod new_scan;
pub mod notifications;
pub mod palette;
pub mod projects;
pub mod queue;
pub mod request;
pub mod requests;
pub mod scan;
pub mod triage;
pub mod watches;
pub mod where_used;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use time::OffsetDateTime;

use super::msg::Failure;
use super::remote::Remote;
use super::theme::Theme;

/// What every screen's drawing and key handling may read.
#[derive(Debug, Clone, Copy)]
pub struct Ctx {
    /// Styles.
    pub theme: Theme,
    /// The clock as the last tick gave it (none before the first tick).
    pub now: Option<OffsetDateTime>,
    /// `--readonly`.
    pub readonly: bool,
    /// The spinner's frame for things on their way (moves with `tick`).
    pub spinner: &'static str,
}

/// The spinner's frames.
pub const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// A bordered block with a message in it (loading, empty, error).
pub fn message(frame: &mut Frame, area: Rect, ctx: &Ctx, title: &str, lines: Vec<Line<'_>>) {
    let block =
        Block::default().borders(Borders::ALL).title(Span::styled(format!(" {title} "), ctx.theme.title()));
    frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), area);
}

/// How a failure reads: the message, then the HTTP status and problem code when there were any
/// and the message does not already say them (the SDK's messages carry both).
pub fn failure_text(f: &Failure) -> String {
    let code = f.code.as_ref().filter(|c| !f.message.contains(c.as_str()));
    let status = f.status.filter(|s| !f.message.contains(&s.to_string()));
    match (status, code) {
        (Some(s), Some(c)) => format!("{} (HTTP {s}, {c})", f.message),
        (Some(s), None) => format!("{} (HTTP {s})", f.message),
        (None, Some(c)) => format!("{} ({c})", f.message),
        (None, None) => f.message.clone(),
    }
}

/// Draw the loading / error / empty state of a list; true when the list itself should be drawn.
pub fn list_state<T>(
    frame: &mut Frame,
    area: Rect,
    ctx: &Ctx,
    title: &str,
    what: &str,
    data: &Remote<Vec<T>>,
) -> bool {
    let t = ctx.theme;
    match data {
        Remote::NotAsked | Remote::Loading => {
            message(
                frame,
                area,
                ctx,
                title,
                vec![Line::styled(format!("{} Loading {what}…", ctx.spinner), t.dim())],
            );
            false
        }
        Remote::Failed(f) => {
            message(
                frame,
                area,
                ctx,
                title,
                vec![
                    Line::styled(format!("Could not load {what}: {}", failure_text(f)), t.bad()),
                    Line::styled("Press r to retry.", t.dim()),
                ],
            );
            false
        }
        Remote::Loaded(v) if v.is_empty() => {
            let mut lines = vec![Line::styled(format!("No {what}."), t.dim())];
            if what == "projects" {
                // The first screen a new user sees: say how to start.
                lines.push(Line::styled(
                    "Press n to scan a directory, a git repository or an archive.",
                    t.dim(),
                ));
            }
            message(frame, area, ctx, title, lines);
            false
        }
        Remote::Loaded(_) => true,
    }
}

/// A centred rectangle of at most `width` x `height` inside `area`, cleared for a dialog.
pub fn popup(frame: &mut Frame, area: Rect, width: u16, height: u16) -> Rect {
    let [v] = Layout::vertical([Constraint::Length(height.min(area.height))]).flex(Flex::Center).areas(area);
    let [r] = Layout::horizontal([Constraint::Length(width.min(area.width))]).flex(Flex::Center).areas(v);
    frame.render_widget(Clear, r);
    r
}

/// A label and value line for detail views.
pub fn field<'a>(label: &'a str, value: impl Into<String>, theme: Theme, style: Style) -> Line<'a> {
    Line::from(vec![Span::styled(format!("{label:<14}"), theme.header()), Span::styled(value.into(), style)])
}

/// A text progress bar: `[######----] 60%`.
pub fn bar(percent: u8, width: usize) -> String {
    let p = usize::from(percent.min(100));
    let filled = p.saturating_mul(width) / 100;
    format!("[{}{}] {:>3}%", "#".repeat(filled), "-".repeat(width.saturating_sub(filled)), p)
}

/// An id as screens show it: its last 8 characters (UUIDv7 ids made close together share their
/// first ones, the time; the last ones are random).
pub fn tail(id: &impl ToString) -> String {
    let s = id.to_string();
    let n = s.chars().count();
    s.chars().skip(n.saturating_sub(8)).collect()
}

/// What a dialog did with a key.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Handled; the dialog stays.
    Stay,
    /// Close the dialog.
    Close,
    /// Ask the executor for these.
    Cmds(Vec<super::msg::Cmd>),
    /// Close the dialog and run this action (the palette).
    Run(super::keys::Action),
    /// Close the dialog and ask the executor for these (a confirmation).
    CloseWith(Vec<super::msg::Cmd>),
    /// Close the dialog and open a screen (the palette's searches).
    Goto(Goto),
}

/// A screen a dialog opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Goto {
    /// Where a package (name or purl) is used.
    WhereUsed(String),
    /// An advisory by id or alias.
    Advisory(String),
    /// A project's history: the named one, else the project under the cursor.
    History(Option<String>),
}
