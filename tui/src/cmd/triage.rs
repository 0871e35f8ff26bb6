//! `cairn triage FINDING --state …`: read the finding, then PATCH it with `If-Match` its version,
//! so a change someone made in between is reported (exit 1), never overwritten. With `--rule`:
//! make a triage rule from the finding's advisory and package instead.

use std::process::ExitCode;

use anyhow::Context;
use cairn_sdk::types::{CreateTriageRule, Finding, TriageState, TriageUpdate};

use crate::cli::TriageArgs;
use crate::exit;

pub fn run(args: TriageArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    let body = update(&args)?;
    super::lookup::with_client(profile, |client| async move {
        let finding = match client.finding(&args.finding).await {
            Ok(f) => f,
            Err(e) if e.code() == Some("ROUTE_NOT_FOUND") => {
                anyhow::bail!("{} has no triage (it predates it); upgrade it", client.base_url())
            }
            Err(e) if e.is_not_found() => anyhow::bail!("no finding {:?}", args.finding),
            Err(e) => return Err(super::lookup::explain(e, "reading the finding", false)),
        };
        let body = for_current(body, &finding);
        match client.triage_finding(&args.finding, finding.etag_version(), &body).await {
            Ok(saved) => {
                crate::outln!("{}", describe(&saved));
                Ok(ExitCode::SUCCESS)
            }
            Err(e) if e.status() == Some(412) => {
                let now = client.finding(&args.finding).await.context("reading the finding again")?;
                eprintln!(
                    "cairn: error: finding {} was changed by someone else since it was read; nothing was saved",
                    args.finding
                );
                eprintln!("cairn: it is now: {}", describe(&now));
                eprintln!("cairn: run the command again to set it anyway");
                Ok(ExitCode::from(exit::FAILURE))
            }
            Err(e) => Err(super::lookup::explain(e, "saving the triage", false)),
        }
    })
}

/// `cairn triage FINDING --rule …`: a rule on the finding's advisory and package (the purl
/// without its version), in every project or those named.
pub fn run_rule(args: TriageArgs, profile: Option<&str>) -> anyhow::Result<ExitCode> {
    let fields = update(&args)?;
    super::lookup::with_client(profile, |client| async move {
        let finding = match client.finding(&args.finding).await {
            Ok(f) => f,
            Err(e) if e.is_not_found() => anyhow::bail!("no finding {:?}", args.finding),
            Err(e) => return Err(super::lookup::explain(e, "reading the finding", false)),
        };
        let mut projects = Vec::new();
        for p in &args.projects {
            projects.push(super::lookup::project_id(&client, p).await?);
        }
        let purl = &finding.finding.purl;
        let package = purl.split_once('@').map_or(purl.as_str(), |(base, _)| base);
        let body = CreateTriageRule {
            version_range: args.version_range.clone(),
            projects: (!projects.is_empty()).then_some(projects),
            justification: fields.justification.flatten(),
            response: fields.response.flatten(),
            note: fields.note.flatten(),
            expires_at: args.expires,
            ..CreateTriageRule::new(finding.finding.vulnerability_id.clone(), package, args.state)
        };
        match client.create_triage_rule(&body).await {
            Ok(made) => {
                let scope = match &made.rule.projects {
                    None => "every project".to_owned(),
                    Some(list) => format!("{} project(s)", list.len()),
                };
                crate::outln!(
                    "rule {}: {} {} in {} -> {}; triaged {} finding(s) now",
                    made.rule.id,
                    made.rule.vulnerability,
                    made.rule.purl,
                    scope,
                    made.rule.state.as_str(),
                    made.applied_now
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => Err(super::lookup::explain(e, "making the triage rule", false)),
        }
    })
}

/// The PATCH body. A justification with a state it cannot explain is a usage error; the rest
/// (`not_affected` needs a justification or a note, kept ones count) the daemon checks.
pub fn update(args: &TriageArgs) -> anyhow::Result<TriageUpdate> {
    if args.justification.is_some() && !explains(args.state) {
        return Err(exit::usage(format!(
            "--justification says why a component is not affected; it does not go with --state {}",
            args.state.as_str()
        )));
    }
    Ok(TriageUpdate {
        state: Some(args.state),
        justification: args.justification.map(Some),
        response: args.response.map(Some),
        note: args.note.clone().map(Some),
    })
}

/// States a justification (why not affected) goes with.
fn explains(state: TriageState) -> bool {
    matches!(state, TriageState::NotAffected | TriageState::FalsePositive)
}

/// `body` for `current`: a justification kept from an earlier `not_affected` is cleared when the
/// new state contradicts it (an `affected` finding "not present" would mislead a VEX reader).
pub fn for_current(mut body: TriageUpdate, current: &Finding) -> TriageUpdate {
    let stale = current.triage.as_ref().is_some_and(|t| t.justification.is_some());
    if stale && body.justification.is_none() && body.state.is_some_and(|s| !explains(s)) {
        body.justification = Some(None);
    }
    body
}

/// One line: id, advisory, component and the triage fields that are set.
pub fn describe(f: &Finding) -> String {
    let head = format!("{} {} {}", f.finding.id, f.finding.vulnerability_id, f.finding.purl);
    let Some(t) = &f.triage else { return format!("{head}: untriaged") };
    let mut parts = vec![format!("state {}", t.state.as_str())];
    if let Some(j) = t.justification {
        parts.push(format!("justification {}", j.as_str()));
    }
    if let Some(r) = t.response {
        parts.push(format!("response {}", r.as_str()));
    }
    if let Some(n) = &t.note {
        parts.push(format!("note {n:?}"));
    }
    if let Some(source) = &t.source {
        parts.push(source.to_string());
    } else if let Some(u) = t.updated_by {
        parts.push(format!("by user {u}"));
    }
    parts.push(format!("at {}", super::scans::date(t.updated_at)));
    format!("{head}: {}", parts.join(", "))
}
