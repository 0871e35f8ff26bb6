//! The triage panel: state, justification, response and note for one finding or every marked
//! one; `ctrl-s` saves one `Cmd::Triage` per finding with the version the user saw. A 412 shows
//! the finding as it is now ("Changed by someone else") and keeps the user's edits for a retry.
//! "Apply to: all projects" makes a triage rule per advisory and package instead
//! (`Cmd::TriageRule`): the same decision for every project, now and in later scans.

use std::collections::BTreeSet;

use cairn_sdk::types::{CreateTriageRule, Finding, Justification, TriageResponse, TriageState, TriageUpdate};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::dialog::Dialog;
use super::{Ctx, Outcome, failure_text, popup};
use crate::dash::keys::{Action, KeyMap};
use crate::dash::msg::{Cmd, Failure, Msg};
use crate::dash::widgets::input::Input;

/// A finding the panel will triage.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The finding's id.
    pub id: String,
    /// Its advisory, for the title.
    pub advisory: String,
    /// Its component's purl (a rule names the package without the version).
    pub purl: String,
    /// The version the user saw (sent as If-Match).
    pub version: i64,
}

const FIELDS: [&str; 5] = ["State", "Justification", "Response", "Note", "Apply to"];
const NOTE: usize = 3;
const SCOPE: usize = 4;

/// The panel's state.
#[derive(Debug)]
pub struct TriagePanel {
    /// The findings.
    pub targets: Vec<Target>,
    focus: usize,
    state: usize,
    /// 0 = none, then `Justification::ALL`.
    justification: usize,
    /// 0 = none, then `TriageResponse::ALL`.
    response: usize,
    note: Input,
    /// Make a triage rule for every project instead of triaging these findings.
    all_projects: bool,
    /// Saves sent and not answered yet.
    pending: BTreeSet<String>,
    /// Findings someone else changed (as they are now).
    pub conflicts: Vec<Finding>,
    /// Saves that failed.
    pub errors: Vec<(String, Failure)>,
    /// Why the form cannot be saved as it is (checked before sending; cleared by the next edit).
    pub invalid: Option<&'static str>,
    /// The key hint, from the key table.
    hint: String,
}

impl TriagePanel {
    /// A panel for `findings`, prefilled from the first one's triage; its hint names `keys`' keys.
    pub fn new(findings: &[Finding], keys: &KeyMap) -> Self {
        let hint = keys.hint(&[
            (Action::NextField, "next field"),
            (Action::Left, "change"),
            (Action::Down, "change"),
            (Action::Submit, "save"),
            (Action::Cancel, "cancel"),
        ]);
        let targets = findings
            .iter()
            .map(|f| Target {
                id: f.finding.id.clone(),
                advisory: f.finding.vulnerability_id.clone(),
                purl: f.finding.purl.clone(),
                version: f.etag_version(),
            })
            .collect();
        let mut p = TriagePanel {
            targets,
            focus: 0,
            state: 0,
            justification: 0,
            response: 0,
            note: Input::default(),
            all_projects: false,
            pending: BTreeSet::new(),
            conflicts: Vec::new(),
            errors: Vec::new(),
            invalid: None,
            hint,
        };
        // One finding: start from its triage. Several: start blank, not from the first one's.
        if let [f] = findings
            && let Some(t) = &f.triage
        {
            p.state = TriageState::ALL.iter().position(|s| *s == t.state).unwrap_or(0);
            p.justification = t
                .justification
                .and_then(|j| Justification::ALL.iter().position(|x| *x == j))
                .map_or(0, |i| i + 1);
            p.response = t
                .response
                .and_then(|r| TriageResponse::ALL.iter().position(|x| *x == r))
                .map_or(0, |i| i + 1);
            p.note = Input::new(t.note.clone().unwrap_or_default());
        }
        p
    }

    /// True while saves are on their way.
    pub fn saving(&self) -> bool {
        !self.pending.is_empty()
    }

    /// What the form says, as a PATCH body (every field, so the result is what the user sees).
    pub fn triage_update(&self) -> TriageUpdate {
        let note = self.note.value().trim();
        TriageUpdate {
            state: TriageState::ALL.get(self.state).copied(),
            justification: Some(
                self.justification.checked_sub(1).and_then(|i| Justification::ALL.get(i).copied()),
            ),
            response: Some(self.response.checked_sub(1).and_then(|i| TriageResponse::ALL.get(i).copied())),
            note: Some((!note.is_empty()).then(|| note.to_owned())),
        }
    }

    /// The daemon's VEX rule, checked before anything is sent: `not_affected` and
    /// `false_positive` (both `not_affected` in OpenVEX) need a justification or a note.
    fn check(&self) -> Option<&'static str> {
        let state = TriageState::ALL.get(self.state).copied();
        let needs_reason = matches!(state, Some(TriageState::NotAffected | TriageState::FalsePositive));
        (needs_reason && self.justification == 0 && self.note.value().trim().is_empty())
            .then_some("not_affected and false_positive need a justification or a note (an impact statement)")
    }

    fn save(&mut self) -> Outcome {
        if self.saving() || self.targets.is_empty() {
            return Outcome::Stay;
        }
        // Last attempt's errors are stale once the user tries again.
        self.conflicts.clear();
        self.errors.clear();
        self.invalid = self.check();
        if self.invalid.is_some() {
            return Outcome::Stay;
        }
        let update = self.triage_update();
        if self.all_projects {
            let rules = self.rules(&update);
            self.pending = rules.iter().map(|(k, _)| k.clone()).collect();
            return Outcome::Cmds(
                rules.into_iter().map(|(key, rule)| Cmd::TriageRule { key, rule }).collect(),
            );
        }
        let cmds = self
            .targets
            .iter()
            .map(|t| Cmd::Triage { id: t.id.clone(), version: t.version, update: update.clone() })
            .collect();
        self.pending = self.targets.iter().map(|t| t.id.clone()).collect();
        Outcome::Cmds(cmds)
    }

    /// One rule per (advisory, package) of the targets, keyed `rule <advisory> <package>`.
    pub fn rules(&self, update: &TriageUpdate) -> Vec<(String, CreateTriageRule)> {
        let Some(state) = update.state else { return Vec::new() };
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for t in &self.targets {
            let package = t.purl.split_once('@').map_or(t.purl.as_str(), |(base, _)| base);
            let key = format!("rule {} {package}", t.advisory);
            if !seen.insert(key.clone()) {
                continue;
            }
            let rule = CreateTriageRule {
                justification: update.justification.flatten(),
                response: update.response.flatten(),
                note: update.note.clone().flatten(),
                ..CreateTriageRule::new(t.advisory.clone(), package, state)
            };
            out.push((key, rule));
        }
        out
    }

    /// A save succeeded; true when it was one of ours.
    pub fn saved(&mut self, f: &Finding) -> bool {
        // A retry after a conflict must not send this one again.
        self.targets.retain(|t| t.id != f.finding.id);
        self.pending.remove(&f.finding.id)
    }

    /// A save met someone else's change: remember the finding as it is now and its version, so
    /// the next save (with the user's edits, kept) goes over it knowingly.
    pub fn conflict(&mut self, f: &Finding) -> bool {
        if !self.pending.remove(&f.finding.id) {
            return false;
        }
        if let Some(t) = self.targets.iter_mut().find(|t| t.id == f.finding.id) {
            t.version = f.etag_version();
        }
        self.conflicts.push(f.clone());
        true
    }

    /// A save failed.
    pub fn failed(&mut self, id: &str, failure: &Failure) -> bool {
        if !self.pending.remove(id) {
            return false;
        }
        self.errors.push((id.to_owned(), failure.clone()));
        true
    }

    /// Every save answered and none conflicted or failed: the panel can close.
    pub fn done(&self) -> bool {
        !self.saving() && self.conflicts.is_empty() && self.errors.is_empty()
    }

    fn cycle(&mut self, by: isize) {
        let (value, n) = match self.focus {
            0 => (&mut self.state, TriageState::ALL.len()),
            1 => (&mut self.justification, Justification::ALL.len() + 1),
            2 => (&mut self.response, TriageResponse::ALL.len() + 1),
            SCOPE => {
                self.all_projects = !self.all_projects;
                return;
            }
            _ => return,
        };
        *value = (*value + n).saturating_add_signed(by) % n;
    }

    fn key_inner(&mut self, action: Action) -> Outcome {
        match action {
            Action::Submit => return self.save(),
            Action::Cancel => return Outcome::Close,
            Action::NextField | Action::FieldDown => self.focus = (self.focus + 1) % FIELDS.len(),
            Action::PrevField | Action::FieldUp => {
                self.focus = (self.focus + FIELDS.len() - 1) % FIELDS.len()
            }
            Action::Confirm if self.focus == NOTE || self.focus == SCOPE => return self.save(),
            Action::Confirm => self.focus += 1,
            other if self.focus == NOTE => {
                self.note.act(other);
            }
            // On a choice, `j`/`k` arrive as the screens' down/up.
            Action::Right | Action::Down => self.cycle(1),
            Action::Left | Action::Up => self.cycle(-1),
            _ => {}
        }
        Outcome::Stay
    }
}

impl Dialog for TriagePanel {
    fn key(&mut self, action: Action) -> Outcome {
        let before =
            (self.state, self.justification, self.response, self.note.value().to_owned(), self.all_projects);
        let outcome = self.key_inner(action);
        // An edit makes the last complaint stale: say it again only if the next save still fails.
        if before
            != (
                self.state,
                self.justification,
                self.response,
                self.note.value().to_owned(),
                self.all_projects,
            )
        {
            self.invalid = None;
            self.errors.clear();
        }
        outcome
    }

    fn paste(&mut self, text: &str) {
        if self.focus == 3 {
            self.note.paste(text);
            self.invalid = None;
        }
    }

    fn text_focus(&self) -> bool {
        self.focus == 3
    }

    fn update(&mut self, msg: &Msg) -> Option<Outcome> {
        match msg {
            // Every save answered well: the panel's work is done.
            Msg::Triaged(f) => {
                Some(if self.saved(f) && self.done() { Outcome::Close } else { Outcome::Stay })
            }
            Msg::TriageRuleMade { key, .. } => {
                let ours = self.pending.remove(key);
                ours.then(|| if self.done() { Outcome::Close } else { Outcome::Stay })
            }
            Msg::TriageConflict(f) => self.conflict(f).then_some(Outcome::Stay),
            Msg::TriageFailed { id, failure } => self.failed(id, failure).then_some(Outcome::Stay),
            _ => None,
        }
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let title = match self.targets.as_slice() {
            [one] => format!(" Triage {} ", one.advisory),
            [] => " Triage ".to_owned(),
            many => format!(" Triage {} findings ", many.len()),
        };
        let choice = |i: usize, text: &str| {
            let style = if self.focus == i { t.focused() } else { t.text() };
            Line::from(vec![
                Span::styled(format!("{:<14}", FIELDS[i]), t.header()),
                Span::styled(format!("< {text} >"), style),
            ])
        };
        let mut lines = vec![
            choice(0, TriageState::ALL.get(self.state).map_or("-", |s| s.as_str())),
            choice(
                1,
                self.justification
                    .checked_sub(1)
                    .and_then(|i| Justification::ALL.get(i))
                    .map_or("(none)", |j| j.as_str()),
            ),
            choice(
                2,
                self.response
                    .checked_sub(1)
                    .and_then(|i| TriageResponse::ALL.get(i))
                    .map_or("(none)", |r| r.as_str()),
            ),
        ];
        let mut note = vec![Span::styled(format!("{:<14}", FIELDS[3]), t.header())];
        note.extend(self.note.spans(self.focus == 3, t));
        lines.push(Line::from(note));
        lines.push(choice(
            SCOPE,
            if self.all_projects { "all projects (a triage rule)" } else { "these findings" },
        ));
        lines.push(Line::raw(""));
        for c in self.conflicts.iter().take(5) {
            lines.push(Line::styled(
                format!("Changed by someone else: {}", c.finding.vulnerability_id),
                t.bad(),
            ));
            let now = match &c.triage {
                Some(tr) => format!(
                    "  now: {}, {}, {}, note: {}",
                    tr.state.as_str(),
                    tr.justification.map_or("(no justification)", |j| j.as_str()),
                    tr.response.map_or("(no response)", |r| r.as_str()),
                    tr.note.as_deref().unwrap_or("-")
                ),
                None => "  now: untriaged".to_owned(),
            };
            lines.push(Line::styled(now, t.warn()));
        }
        if !self.conflicts.is_empty() {
            lines.push(Line::styled(
                "Your edits are kept: ctrl-s saves them over the current values.",
                t.dim(),
            ));
        }
        if let Some(why) = self.invalid {
            lines.push(Line::styled(format!("Not saved: {why}."), t.bad()));
        }
        // The same failure for several findings (a bulk save the daemon refused) is said once.
        let mut said: Vec<(String, Vec<&str>)> = Vec::new();
        for (id, e) in &self.errors {
            let text = failure_text(e);
            match said.iter_mut().find(|(t, _)| *t == text) {
                Some((_, ids)) => ids.push(id),
                None => said.push((text, vec![id])),
            }
        }
        for (text, ids) in said.iter().take(5) {
            let who = match ids.as_slice() {
                [one] => (*one).to_owned(),
                many => format!("{} findings", many.len()),
            };
            lines.push(Line::styled(format!("Could not save {who}: {text}"), t.bad()));
        }
        if self.saving() {
            lines.push(Line::styled(format!("Saving {}…", self.pending.len()), t.warn()));
        }
        lines.push(Line::styled(self.hint.clone(), t.dim()));
        let block = Block::default().borders(Borders::ALL).title(Span::styled(title, t.title()));
        // Room for every line plus the borders (a long note or conflict may wrap: one spare).
        let height = u16::try_from(lines.len()).unwrap_or(u16::MAX).saturating_add(3);
        let r = popup(frame, area, 90, height);
        frame.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), r);
    }
}
