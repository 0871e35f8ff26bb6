//! The mail a notification sends when a user's preferences choose mail for its kind: plain text
//! naming the project, the advisory or scan, and a link when the daemon knows its public URL.

use std::fmt::Write;

use cairn_sdk::types::{Event, EventKind, FindingEventData, ScanEventData, VulndbUpdatedData};

/// Subject and body for `event`; `project` is its project's name, `public_url` the daemon's
/// external origin (`[oauth] public_url`).
pub fn compose(event: &Event, project: Option<&str>, public_url: Option<&str>) -> (String, String) {
    let title = super::notifications::title(event);
    let subject = match project {
        Some(p) => format!("[Cairn] {p}: {title}"),
        None => format!("[Cairn] {title}"),
    };
    let mut body = format!("{title}\n\n");
    if let Some(p) = project {
        let _ = writeln!(body, "Project:   {p}");
    }
    let base = public_url.map(|u| u.trim_end_matches('/').to_owned());
    let mut link = event.project.map(|p| format!("/api/v1/projects/{p}"));
    match event.kind {
        EventKind::FindingNew | EventKind::FindingResolved | EventKind::FindingTriaged => {
            if let Ok(f) = event.data_as::<FindingEventData>() {
                let _ = writeln!(body, "Advisory:  {}", f.advisory);
                if !f.aliases.is_empty() {
                    let _ = writeln!(body, "Aliases:   {}", f.aliases.join(", "));
                }
                let _ = writeln!(body, "Component: {}", f.purl);
                let _ = writeln!(body, "Severity:  {}", f.severity.as_str());
                if let Some(fixed) = &f.fixed_version {
                    let _ = writeln!(body, "Fixed in:  {fixed}");
                }
                if let Some(reason) = &f.reason {
                    let _ = writeln!(body, "Why:       {reason}");
                }
                let _ = writeln!(body, "Scan:      {}", f.scan);
                link = Some(format!("/api/v1/findings/{}", f.finding));
            }
        }
        EventKind::ScanCompleted | EventKind::ScanFailed => {
            if let Ok(s) = event.data_as::<ScanEventData>() {
                let _ = writeln!(body, "Scan:      {}", s.scan);
                let _ = writeln!(body, "Status:    {}", s.status.as_str());
                match &s.severities {
                    Some(c) => {
                        let _ = writeln!(
                            body,
                            "Findings:  {} critical, {} high, {} medium, {} low",
                            c.critical, c.high, c.medium, c.low
                        );
                    }
                    None if event.kind == EventKind::ScanCompleted => {
                        let _ = writeln!(body, "Findings:  not matched (no vulnerability data)");
                    }
                    None => {}
                }
                if let Some(error) = &s.error {
                    let _ = writeln!(body, "Error:     {error}");
                }
                link = Some(format!("/api/v1/scans/{}", s.scan));
            }
        }
        EventKind::VulndbUpdated => {
            if let Ok(v) = event.data_as::<VulndbUpdatedData>() {
                let _ = writeln!(body, "Source:    {}", v.source);
            }
        }
        _ => {}
    }
    if let Some(s) = event.severity
        && !body.contains("Severity:")
    {
        let _ = writeln!(body, "Severity:  {}", s.as_str());
    }
    if let (Some(base), Some(path)) = (base, link) {
        let _ = writeln!(body, "\n{base}{path}");
    }
    let _ = write!(
        body,
        "\nYou get this mail because your notification preferences send {} by mail \
         (GET/PUT /api/v1/users/me/notification-prefs).\n",
        event.kind.as_str()
    );
    (subject, body)
}
