//! `cairn requests ls|add|status`: feature requests to the operators through `/feature-requests`;
//! `status` (tenant admins) reads the request and sends its version as `If-Match`.

use std::process::ExitCode;

use cairn_sdk::ListQuery;
use cairn_sdk::types::{CreateFeatureRequest, FeatureRequest, FeatureRequestStatusChange};
use futures_util::TryStreamExt;

use crate::cli::RequestsCommand;
use crate::table::{Table, print_json};

fn explain(doing: &'static str) -> impl Fn(cairn_sdk::Error) -> anyhow::Error {
    move |e| super::lookup::explain(e, doing, false)
}

pub fn run(cmd: RequestsCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            RequestsCommand::Ls { status, kind, json } => {
                let mut q = ListQuery::limit(200);
                if let Some(s) = status {
                    q = q.filter("status", s.as_str());
                }
                if let Some(k) = kind {
                    q = q.filter("kind", k.as_str());
                }
                let list: Vec<FeatureRequest> = client
                    .feature_requests(q)
                    .try_collect()
                    .await
                    .map_err(explain("listing the requests"))?;
                if json {
                    print_json(&list)?;
                } else {
                    requests(&list).print()?;
                }
            }
            RequestsCommand::Add { kind, title, body } => {
                let made = client
                    .create_feature_request(&CreateFeatureRequest { kind, title, body })
                    .await
                    .map_err(explain("adding the request"))?;
                crate::outln!("{}", made.id);
            }
            RequestsCommand::Status { id, status, note } => {
                let current = client.feature_request(id).await.map_err(explain("reading the request"))?;
                let body = FeatureRequestStatusChange { status, note };
                let changed = client
                    .set_feature_request_status(id, current.version, &body)
                    .await
                    .map_err(explain("setting the status"))?;
                crate::outln!("{} is {}", changed.id, changed.status);
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn requests(list: &[FeatureRequest]) -> Table {
    let mut t = Table::new(&["TITLE", "KIND", "STATUS", "ASKED", "ID"]);
    for r in list {
        t.row(vec![
            r.title.clone(),
            r.kind.to_string(),
            r.status.to_string(),
            super::scans::date(r.created_at),
            r.id.to_string(),
        ]);
    }
    t
}
