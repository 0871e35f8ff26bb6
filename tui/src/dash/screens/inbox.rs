//! The inbox: the user's notifications from the daemon (`/notifications`), unread first, then
//! newest; new ones arrive on the live feed. The unread count is the header's badge. `enter`
//! opens the finding or scan a row is about (and marks it read), `m` marks one read, `M` all,
//! `u` shows unread ones only.

use cairn_sdk::types::{Notification, NotificationId, ScanId};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::{Ctx, list_state};
use crate::dash::msg::Loaded;
use crate::dash::remote::Remote;
use crate::dash::time::ago;
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// What a notification's row opens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A finding (finding events, advisory watch hits).
    Finding(String),
    /// A scan (scan events, package watch hits).
    Scan(ScanId),
}

/// The finding or scan `n` is about, read from its event's payload.
pub fn target(n: &Notification) -> Option<Target> {
    if let Some(f) = n.data.get("finding").and_then(|v| v.as_str()) {
        return Some(Target::Finding(f.to_owned()));
    }
    n.data.get("scan").and_then(|v| v.as_str()).and_then(|s| s.parse().ok()).map(Target::Scan)
}

/// The notifications and the unread count.
#[derive(Debug, Default)]
pub struct Inbox {
    /// Unread first, then newest first.
    pub rows: Remote<Vec<Notification>>,
    /// Unread notifications (the header's badge).
    pub unread: Remote<i64>,
    /// Only unread ones are listed.
    pub unread_only: bool,
    /// Cursor, filter.
    pub list: ListState,
}

impl Inbox {
    /// A page arrived.
    pub fn set(&mut self, result: Loaded<Vec<Notification>>) {
        self.rows = result.into();
        self.resort();
    }

    /// The live feed pushed a new notification.
    pub fn pushed(&mut self, n: Notification) {
        if n.read_at.is_none()
            && let Remote::Loaded(u) = &mut self.unread
        {
            *u += 1;
        }
        if let Remote::Loaded(rows) = &mut self.rows
            && !rows.iter().any(|r| r.id == n.id)
        {
            rows.push(n);
            self.resort();
        }
    }

    /// One was marked read (the notification as the daemon answered).
    pub fn marked(&mut self, n: Notification) {
        let mut was_unread = false;
        if let Remote::Loaded(rows) = &mut self.rows {
            if let Some(r) = rows.iter_mut().find(|r| r.id == n.id) {
                was_unread = r.read_at.is_none();
                *r = n;
            }
            if self.unread_only {
                rows.retain(|r| r.read_at.is_none());
            }
        }
        if was_unread && let Remote::Loaded(u) = &mut self.unread {
            *u = (*u - 1).max(0);
        }
        self.resort();
    }

    /// The notification under the cursor.
    pub fn current(&self) -> Option<&Notification> {
        self.rows.get()?.get(self.list.current()?)
    }

    /// The id under the cursor, when it is unread.
    pub fn current_unread(&self) -> Option<NotificationId> {
        self.current().filter(|n| n.read_at.is_none()).map(|n| n.id)
    }

    fn resort(&mut self) {
        if let Remote::Loaded(rows) = &mut self.rows {
            rows.sort_by(|a, b| {
                (a.read_at.is_some(), std::cmp::Reverse(a.created_at))
                    .cmp(&(b.read_at.is_some(), std::cmp::Reverse(b.created_at)))
                    .then_with(|| b.id.cmp(&a.id))
            });
            self.list.set_items(rows.iter().map(haystack).collect());
        }
    }

    /// Draw the list.
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let title = if self.unread_only { "Inbox (unread only)" } else { "Inbox" };
        let what = if self.unread_only { "unread notifications" } else { "notifications" };
        if !list_state(frame, area, ctx, title, what, &self.rows) {
            return;
        }
        let Some(rows) = self.rows.get() else { return };
        let t = ctx.theme;
        let widths = [
            Constraint::Length(1),
            Constraint::Length(16),
            Constraint::Length(17),
            Constraint::Length(8),
            Constraint::Fill(1),
        ];
        draw_table(
            frame,
            area,
            t,
            &mut self.list,
            Columns { title, header: &["", "When", "Type", "Severity", "What"], widths: &widths },
            |i| {
                let Some(n) = rows.get(i) else { return Vec::new() };
                let unread = n.read_at.is_none();
                let text = if unread { t.title() } else { t.dim() };
                vec![
                    Cell::from(if unread { "●" } else { " " }).style(t.warn()),
                    Cell::from(ago(ctx.now, n.created_at)),
                    Cell::from(n.kind.as_str()),
                    Cell::from(n.severity.map_or("-", |s| s.as_str())),
                    Cell::from(n.title.as_str()).style(text),
                ]
            },
        );
    }
}

fn haystack(n: &Notification) -> String {
    format!(
        "{} {} {} {}",
        n.kind.as_str(),
        n.severity.map_or("", |s| s.as_str()),
        n.title,
        if n.read_at.is_none() { "unread" } else { "read" }
    )
}
