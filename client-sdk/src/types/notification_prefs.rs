//! Notification preferences: per event kind, which channels notify the caller; which projects
//! (all of the tenant's by default) and from which severity on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Event, EventKind, ProjectId, Severity};

/// What a user gets before choosing: everything in the app; mail only for what needs action.
pub fn default_channels(kind: EventKind) -> ChannelPrefs {
    let email = matches!(
        kind,
        EventKind::ScanFailed | EventKind::FindingNew | EventKind::GateFailed | EventKind::CveWatchHit
    );
    ChannelPrefs { in_app: true, email }
}

/// The channels of one event kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChannelPrefs {
    /// In the dashboard's notification list.
    pub in_app: bool,
    /// By mail.
    pub email: bool,
}

/// The caller's preferences in the current tenant. Reads list every kind; a write may name a
/// subset (the others go back to their defaults).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NotificationPrefs {
    /// Event kind (every [`EventKind`]: `scan.completed`, `scan.failed`, `finding.new`,
    /// `finding.resolved`, `finding.triaged`, `gate.failed`, `cve_watch.hit`, `vulndb.updated`,
    /// `approval.changed`, `webhook.unhealthy` — the last for admins and owners only) to channels. `vulnerability.found` is read as `finding.new`.
    pub events: BTreeMap<String, ChannelPrefs>,
    /// Only events of these projects (events of no project, such as `vulndb.updated`, always
    /// pass); absent or null: every project of the tenant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projects: Option<Vec<ProjectId>>,
    /// Only events carrying at least this severity (events without a severity always pass).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_severity: Option<Severity>,
}

impl NotificationPrefs {
    /// Every kind at its default, every project, any severity.
    pub fn defaults() -> Self {
        Self {
            events: EventKind::ALL
                .into_iter()
                .map(|k| (k.as_str().to_owned(), default_channels(k)))
                .collect(),
            projects: None,
            min_severity: None,
        }
    }

    /// The defaults overlaid with `saved` (kinds under their other names read as the kind; kinds
    /// no longer known are dropped).
    pub fn over_defaults(saved: NotificationPrefs) -> Self {
        let mut prefs = Self::defaults();
        for (name, channels) in saved.events {
            if let Some(kind) = EventKind::parse(&name).filter(|k| *k != EventKind::Unknown) {
                prefs.events.insert(kind.as_str().to_owned(), channels);
            }
        }
        prefs.projects = saved.projects;
        prefs.min_severity = saved.min_severity;
        prefs
    }

    /// The channels of `kind` (its default when not listed).
    pub fn channels(&self, kind: EventKind) -> ChannelPrefs {
        self.events.get(kind.as_str()).copied().unwrap_or_else(|| default_channels(kind))
    }

    /// Whether `event` makes an in-app notification under these preferences.
    pub fn wants_in_app(&self, event: &Event) -> bool {
        event.kind != EventKind::Unknown && self.channels(event.kind).in_app && self.passes_filters(event)
    }

    /// Whether `event` is mailed under these preferences (the same project and severity filters).
    pub fn wants_email(&self, event: &Event) -> bool {
        event.kind != EventKind::Unknown && self.channels(event.kind).email && self.passes_filters(event)
    }

    fn passes_filters(&self, event: &Event) -> bool {
        if let (Some(only), Some(project)) = (&self.projects, event.project)
            && !only.contains(&project)
        {
            return false;
        }
        match (self.min_severity, event.severity) {
            (Some(min), Some(s)) => s >= min,
            _ => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{EventId, TenantId};

    fn event(kind: EventKind, project: Option<ProjectId>, severity: Option<Severity>) -> Event {
        Event {
            version: crate::types::EVENT_ENVELOPE_VERSION,
            id: EventId::new(),
            kind,
            seq: 1,
            tenant: TenantId::new(),
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            project,
            severity,
            data: serde_json::Value::Null,
        }
    }

    #[test]
    fn preferences_filter_by_kind_project_and_severity() {
        let (a, b) = (ProjectId::new(), ProjectId::new());
        let mut prefs = NotificationPrefs::defaults();
        assert!(prefs.wants_in_app(&event(EventKind::FindingNew, Some(a), Some(Severity::Low))));
        prefs.projects = Some(vec![a]);
        prefs.min_severity = Some(Severity::High);
        assert!(prefs.wants_in_app(&event(EventKind::FindingNew, Some(a), Some(Severity::Critical))));
        assert!(!prefs.wants_in_app(&event(EventKind::FindingNew, Some(a), Some(Severity::Medium))));
        assert!(!prefs.wants_in_app(&event(EventKind::FindingNew, Some(b), Some(Severity::Critical))));
        // No project and no severity: tenant-wide events pass both filters.
        assert!(prefs.wants_in_app(&event(EventKind::VulndbUpdated, None, None)));
        prefs.events.insert("vulndb.updated".into(), ChannelPrefs { in_app: false, email: false });
        assert!(!prefs.wants_in_app(&event(EventKind::VulndbUpdated, None, None)));
        assert!(!prefs.wants_in_app(&event(EventKind::Unknown, None, None)));
    }

    #[test]
    fn the_old_name_of_finding_new_is_read_as_it() {
        let saved: NotificationPrefs = serde_json::from_str(
            r#"{"events": {"vulnerability.found": {"in_app": false, "email": false}, "gone.kind": {"in_app": true, "email": true}}}"#,
        )
        .expect("prefs");
        let prefs = NotificationPrefs::over_defaults(saved);
        assert_eq!(prefs.channels(EventKind::FindingNew), ChannelPrefs { in_app: false, email: false });
        assert!(!prefs.events.contains_key("vulnerability.found"));
        assert!(!prefs.events.contains_key("gone.kind"));
        assert_eq!(prefs.events.len(), EventKind::ALL.len());
    }
}
