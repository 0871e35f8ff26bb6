//! Feature requests (`requests` in the palette): the tenant's requests to the operators, newest
//! first, with kind, title, status, who asked and when; `n` asks for one
//! ([`super::new_request::NewRequestForm`]), `enter` shows one ([`super::request::RequestDialog`],
//! where tenant admins change its status).

use cairn_sdk::types::{FeatureRequest, FeatureRequestStatus, UserId};
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

use super::{Ctx, list_state};
use crate::dash::msg::Loaded;
use crate::dash::remote::Remote;
use crate::dash::theme::Theme;
use crate::dash::time::ago;
use crate::dash::widgets::list::{Columns, ListState, draw_table};

/// The requests.
#[derive(Debug, Default)]
pub struct RequestsScreen {
    /// The requests, newest first.
    pub rows: Remote<Vec<FeatureRequest>>,
    /// Cursor, filter.
    pub list: ListState,
}

fn haystack(r: &FeatureRequest) -> String {
    format!("{} {} {}", r.kind.as_str(), r.status.as_str(), r.title)
}

/// Who asked, as the list can say it: `you`, else the account's id (the daemon lists no other
/// member's email), `account gone` once it was deleted.
pub fn author(by: Option<UserId>, me: Option<UserId>) -> String {
    match by {
        Some(u) if Some(u) == me => "you".to_owned(),
        Some(u) => format!("user {}", super::tail(&u)),
        None => "account gone".to_owned(),
    }
}

/// A status's colour.
pub fn status_style(s: FeatureRequestStatus, t: Theme) -> ratatui::style::Style {
    match s {
        FeatureRequestStatus::Open => t.warn(),
        FeatureRequestStatus::Planned | FeatureRequestStatus::InProgress => t.text(),
        FeatureRequestStatus::Done => t.good(),
        FeatureRequestStatus::Declined => t.dim(),
    }
}

impl RequestsScreen {
    /// The list while its first load is on its way.
    pub fn loading() -> Self {
        RequestsScreen { rows: Remote::Loading, ..RequestsScreen::default() }
    }

    /// The requests arrived.
    pub fn set(&mut self, result: Loaded<Vec<FeatureRequest>>) {
        self.rows = result.into();
        if let Some(rows) = self.rows.get() {
            self.list.set_items(rows.iter().map(haystack).collect());
        }
    }

    /// A request changed (its status set, or found changed by someone else): its row as it is
    /// now.
    pub fn replace(&mut self, r: &FeatureRequest) {
        let Some(rows) = self.rows.get_mut() else { return };
        if let Some(i) = rows.iter().position(|x| x.id == r.id) {
            rows[i] = r.clone();
            self.list.update_item(i, &haystack(r));
        }
    }

    /// The request under the cursor.
    pub fn current(&self) -> Option<&FeatureRequest> {
        self.rows.get()?.get(self.list.current()?)
    }

    /// Draw the list; `me` is the signed-in user (their requests say `you`).
    pub fn draw(&mut self, frame: &mut Frame, area: Rect, ctx: &Ctx, me: Option<UserId>) {
        let t = ctx.theme;
        if !list_state(frame, area, ctx, "Feature requests", "feature requests", &self.rows) {
            return;
        }
        let Some(rows) = self.rows.get() else { return };
        let widths = [
            Constraint::Length(8),
            Constraint::Fill(1),
            Constraint::Length(12),
            Constraint::Length(14),
            Constraint::Length(9),
        ];
        draw_table(
            frame,
            area,
            t,
            &mut self.list,
            Columns {
                title: "Feature requests",
                header: &["Kind", "Title", "Status", "Asked by", "Created"],
                widths: &widths,
            },
            |i| {
                let Some(r) = rows.get(i) else { return Vec::new() };
                vec![
                    Cell::from(r.kind.as_str()),
                    Cell::from(r.title.clone()),
                    Cell::from(r.status.as_str()).style(status_style(r.status, t)),
                    Cell::from(author(r.requested_by, me)),
                    Cell::from(ago(ctx.now, r.created_at)),
                ]
            },
        );
    }
}
