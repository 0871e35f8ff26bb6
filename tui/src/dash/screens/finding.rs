//! Finding detail: the advisory, the affected package, where the scan found it and the fix, the
//! triage as it stands, the advisory's details and references; `t` opens the triage panel.

use cairn_sdk::types::{Finding, ScanComponent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::{Ctx, failure_text, field, message};
use crate::dash::msg::Failure;
use crate::dash::package;
use crate::dash::remote::Remote;
use crate::dash::time::date;

/// One open finding.
#[derive(Debug)]
pub struct FindingScreen {
    /// The finding's id.
    pub id: String,
    /// The finding (first as the list had it, then with details once loaded).
    pub finding: Remote<Finding>,
    /// The last refresh failed while a copy was shown.
    pub refresh_failed: Option<Failure>,
    /// The details (advisory text, references) are on their way.
    pub loading_details: bool,
    /// Scroll.
    pub scroll: u16,
}

impl FindingScreen {
    /// A finding screen; `known` shows the list's copy while the details load.
    pub fn new(id: String, known: Option<Finding>) -> Self {
        FindingScreen {
            id,
            finding: known.map_or(Remote::Loading, Remote::Loaded),
            refresh_failed: None,
            loading_details: true,
            scroll: 0,
        }
    }

    /// Draw it; `components` are the scan's (for where the package was found), as the scan
    /// screen beneath holds them.
    pub fn draw(
        &mut self,
        frame: &mut Frame,
        area: Rect,
        ctx: &Ctx,
        components: Option<&Remote<Vec<ScanComponent>>>,
    ) {
        let t = ctx.theme;
        let f = match &self.finding {
            Remote::Loaded(f) => f,
            Remote::Failed(e) => {
                let lines = vec![
                    Line::styled(format!("Could not load the finding: {}", failure_text(e)), t.bad()),
                    Line::styled("Press r to retry.", t.dim()),
                ];
                return message(frame, area, ctx, "Finding", lines);
            }
            _ => {
                return message(
                    frame,
                    area,
                    ctx,
                    "Finding",
                    vec![Line::styled(format!("{} Loading the finding…", ctx.spinner), t.dim())],
                );
            }
        };
        let s = &f.finding;
        let mut lines = vec![
            field("Advisory", s.vulnerability_id.clone(), t, t.title()),
            field(
                "Aliases",
                if s.aliases.is_empty() { "-".to_owned() } else { s.aliases.join(", ") },
                t,
                t.text(),
            ),
            field("Severity", s.severity.to_string(), t, t.severity(s.severity)),
            field(
                "CVSS",
                match (s.cvss_score, &s.cvss_vector) {
                    (Some(score), Some(v)) => format!("{score:.1} {v}"),
                    (Some(score), None) => format!("{score:.1}"),
                    (None, Some(v)) => v.clone(),
                    (None, None) => "-".to_owned(),
                },
                t,
                t.text(),
            ),
            field("Package", format!("{} ({})", package::label(&s.purl), s.purl), t, t.text()),
            found_in(&s.component_id, components, ctx),
            field("Fixed in", s.fixed_version.clone().unwrap_or_else(|| "no fix known".into()), t, t.text()),
            field("Summary", s.summary.clone().unwrap_or_default(), t, t.text()),
            Line::raw(""),
        ];
        match &f.triage {
            None => lines.push(field("Triage", "untriaged (press t to triage)", t, t.warn())),
            Some(tr) => {
                lines.push(field("Triage", tr.state.as_str(), t, t.good()));
                lines.push(field("Justification", tr.justification.map_or("-", |j| j.as_str()), t, t.text()));
                lines.push(field("Response", tr.response.map_or("-", |r| r.as_str()), t, t.text()));
                lines.push(field("Note", tr.note.clone().unwrap_or_else(|| "-".into()), t, t.text()));
                lines.push(field(
                    "Updated",
                    format!(
                        "{} by {} (version {})",
                        date(tr.updated_at),
                        // People read an email; the id only when the email is not known.
                        match (&tr.updated_by_email, tr.updated_by) {
                            (Some(email), _) => email.clone(),
                            (None, Some(id)) => id.to_string(),
                            (None, None) => "a deleted user".to_owned(),
                        },
                        tr.version
                    ),
                    t,
                    t.dim(),
                ));
                // Set by a triage rule or an imported VEX document, not by hand.
                if let Some(source) = &tr.source {
                    lines.push(field("Source", source.to_string(), t, t.dim()));
                }
            }
        }
        if self.loading_details {
            lines.push(Line::styled(format!("{} Loading the advisory's details…", ctx.spinner), t.dim()));
        }
        if let Some(e) = &self.refresh_failed {
            lines.push(Line::styled(format!("Could not load the details: {}", failure_text(e)), t.bad()));
        }
        if let Some(d) = &f.details {
            lines.push(Line::raw(""));
            lines.push(Line::styled("Details", t.header()));
            lines.extend(d.lines().map(|l| Line::raw(l.to_owned())));
        }
        if !f.references.is_empty() {
            lines.push(Line::raw(""));
            lines.push(Line::styled("References", t.header()));
            // OSV lists a URL once per type (ADVISORY, WEB, …): show each once, in order.
            let mut seen = std::collections::HashSet::new();
            lines.extend(
                f.references.iter().filter(|r| seen.insert(r.as_str())).map(|r| Line::raw(format!("  {r}"))),
            );
        }
        // j/k and G scroll; never past the last line.
        self.scroll = self.scroll.min(u16::try_from(lines.len().saturating_sub(1)).unwrap_or(u16::MAX));
        let block = Block::default()
            .borders(Borders::ALL)
            .title(ratatui::text::Span::styled(format!(" Finding {} ", s.vulnerability_id), t.title()));
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: false }).scroll((self.scroll, 0)),
            area,
        );
    }
}

/// "Found in": the files (and lines) the component came from.
fn found_in<'a>(component: &str, components: Option<&Remote<Vec<ScanComponent>>>, ctx: &Ctx) -> Line<'a> {
    let t = ctx.theme;
    match components {
        Some(Remote::Loaded(cs)) => match cs.iter().find(|c| c.id == component) {
            Some(c) if !c.locations.is_empty() => field("Found in", c.locations.join(", "), t, t.text()),
            Some(_) => field("Found in", "no location recorded by the scan", t, t.dim()),
            None => field("Found in", "the component is not in the scan's list", t, t.dim()),
        },
        Some(Remote::Failed(f)) => field("Found in", format!("unknown: {}", failure_text(f)), t, t.warn()),
        Some(Remote::Loading) => {
            field("Found in", format!("{} loading the components…", ctx.spinner), t, t.dim())
        }
        Some(Remote::NotAsked) | None => {
            field("Found in", "unknown (the scan's components are not loaded)", t, t.dim())
        }
    }
}
