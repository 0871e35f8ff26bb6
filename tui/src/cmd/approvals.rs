//! `cairn approvals ls|request|approve|reject`: exceptions to gate violations. Deciding reads
//! the approval first and sends its version as `If-Match`, so a decision someone made meanwhile
//! is reported (412) instead of overwritten.

use std::process::ExitCode;

use cairn_sdk::ListQuery;
use cairn_sdk::types::{Approval, GateSubject, RequestApproval};

use crate::cli::ApprovalsCommand;
use crate::exit;

use super::lookup::explain;

pub fn run(cmd: ApprovalsCommand, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    super::lookup::with_client(profile, |client| async move {
        match cmd {
            ApprovalsCommand::Ls { state, json } => {
                // The first 1000; more are said, not dropped silently.
                let page = client
                    .approvals_page(state, &ListQuery::limit(1000))
                    .await
                    .map_err(|e| explain(e, "listing approvals", false))?;
                if json {
                    crate::outln!("{}", serde_json::to_string_pretty(&page.items)?);
                } else {
                    for a in &page.items {
                        crate::outln!("{}", line(a));
                    }
                    let more = page.total - page.items.len() as i64;
                    if more > 0 {
                        crate::outln!("… and {more} more (use the API's paging to read them)");
                    }
                }
            }
            ApprovalsCommand::Request { finding, project, rule, subject, reason, expires } => {
                let body = match (finding, project, subject) {
                    (Some(f), _, _) => RequestApproval {
                        project_id: None,
                        rule: None,
                        subject: None,
                        finding_id: Some(f),
                        reason,
                        expires_at: expires,
                    },
                    (None, Some(p), Some(s)) => {
                        let subject: GateSubject = serde_json::from_str(&s)
                            .map_err(|e| exit::usage(format!("--subject is not a gate subject: {e}")))?;
                        RequestApproval {
                            project_id: Some(super::lookup::project_id(&client, &p).await?),
                            rule,
                            subject: Some(subject),
                            finding_id: None,
                            reason,
                            expires_at: expires,
                        }
                    }
                    _ => return Err(exit::usage("give --finding, or --project with --subject (and --rule)")),
                };
                let a = client
                    .request_approval(&body)
                    .await
                    .map_err(|e| explain(e, "requesting the exception", false))?;
                crate::outln!("{}", line(&a));
            }
            ApprovalsCommand::Approve { id, note } => {
                let a = client.approval(id).await.map_err(|e| explain(e, "reading the approval", false))?;
                let done = client
                    .approve(id, a.version, note.as_deref())
                    .await
                    .map_err(|e| decided(e, "approving"))?;
                crate::outln!("{}", line(&done));
            }
            ApprovalsCommand::Reject { id, note } => {
                let a = client.approval(id).await.map_err(|e| explain(e, "reading the approval", false))?;
                let done = client
                    .reject(id, a.version, note.as_deref())
                    .await
                    .map_err(|e| decided(e, "rejecting"))?;
                crate::outln!("{}", line(&done));
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

fn decided(e: cairn_sdk::Error, doing: &str) -> anyhow::Error {
    if e.is_precondition_failed() {
        return anyhow::anyhow!("{doing} the exception: someone changed it meanwhile; list it again");
    }
    explain(e, &format!("{doing} the exception"), false)
}

/// One approval in a line: id, state, rule and subject, expiry, reason.
pub fn line(a: &Approval) -> String {
    let subject = serde_json::to_string(&a.subject).unwrap_or_default();
    format!(
        "{}  {}  {} {}  until {}  {}",
        a.id,
        a.state,
        a.rule.as_deref().unwrap_or("(any rule)"),
        subject,
        a.expires_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        a.reason
    )
}
