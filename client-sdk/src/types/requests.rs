//! Constructors and chainable setters for the request bodies, so a caller names only what it sets
//! (`CreateProject::new("web", ProjectKind::Repo).tag("team-a")`) and a new optional field never
//! breaks a caller. The wire format is the structs' serde attributes, untouched here.

use time::OffsetDateTime;

use super::{
    ApiKeyEnvironment, CreateApiKey, CreateProject, CreateScan, CreateVersion, Justification, LoginRequest,
    ProjectId, ProjectKind, RegisterRequest, ReleaseState, ReleaseStateChange, Scope, SubmitSource, TeamId,
    TriageResponse, TriageState, TriageUpdate, UpdateProject, UpdateVersion, VersionId, VulnDbUpdate,
};

impl CreateProject {
    /// A project named `name` of `kind`, with no URL, ref, team or tags.
    pub fn new(name: impl Into<String>, kind: ProjectKind) -> Self {
        Self { name: name.into(), kind, repo_url: None, default_ref: None, team_id: None, tags: Vec::new() }
    }

    /// Where the source lives.
    pub fn repo_url(mut self, url: impl Into<String>) -> Self {
        self.repo_url = Some(url.into());
        self
    }

    /// The branch or tag scanned by default.
    pub fn default_ref(mut self, reference: impl Into<String>) -> Self {
        self.default_ref = Some(reference.into());
        self
    }

    /// The owning team.
    pub fn team(mut self, team: TeamId) -> Self {
        self.team_id = Some(team);
        self
    }

    /// Adds a label.
    pub fn tag(mut self, tag: impl Into<String>) -> Self {
        self.tags.push(tag.into());
        self
    }
}

impl UpdateProject {
    /// Renames the project.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Changes the kind.
    pub fn kind(mut self, kind: ProjectKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// Changes the repository URL.
    pub fn repo_url(mut self, url: impl Into<String>) -> Self {
        self.repo_url = Some(url.into());
        self
    }

    /// Changes the default ref.
    pub fn default_ref(mut self, reference: impl Into<String>) -> Self {
        self.default_ref = Some(reference.into());
        self
    }

    /// Changes the owning team.
    pub fn team(mut self, team: TeamId) -> Self {
        self.team_id = Some(team);
        self
    }

    /// Replaces the labels.
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        self.tags = Some(tags.into_iter().map(Into::into).collect());
        self
    }

    /// Replaces the product fields (CRA category, support period, contact, policy, route).
    pub fn product(mut self, product: super::ProductProfile) -> Self {
        self.product = Some(product);
        self
    }
}

impl CreateVersion {
    /// A version named `name` with no end of support.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), support_until: None }
    }

    /// The end of support.
    pub fn support_until(mut self, at: OffsetDateTime) -> Self {
        self.support_until = Some(at);
        self
    }
}

impl UpdateVersion {
    /// Renames the version.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Changes the end of support.
    pub fn support_until(mut self, at: OffsetDateTime) -> Self {
        self.support_until = Some(at);
        self
    }
}

impl ReleaseStateChange {
    /// Moves the version to `state` (forward only).
    pub fn new(state: ReleaseState) -> Self {
        Self { state, support_until: None }
    }

    /// Sets the end of support at the same time.
    pub fn support_until(mut self, at: OffsetDateTime) -> Self {
        self.support_until = Some(at);
        self
    }
}

impl CreateApiKey {
    /// A `live` key named `name` with `scopes` and no expiry.
    pub fn new(name: impl Into<String>, scopes: impl IntoIterator<Item = Scope>) -> Self {
        Self {
            name: name.into(),
            scopes: scopes.into_iter().collect(),
            expires_at: None,
            environment: ApiKeyEnvironment::default(),
        }
    }

    /// When the key stops working.
    pub fn expires_at(mut self, at: OffsetDateTime) -> Self {
        self.expires_at = Some(at);
        self
    }

    /// `live` or `test`.
    pub fn environment(mut self, environment: ApiKeyEnvironment) -> Self {
        self.environment = environment;
        self
    }
}

impl CreateScan {
    /// A scan of `source`, ad hoc (no project), with the cryptography inventory on.
    pub fn new(source: SubmitSource) -> Self {
        Self { source, project: None, version: None, crypto: true }
    }

    /// A scan of a git repository's default branch.
    pub fn git(url: impl Into<String>) -> Self {
        Self::new(SubmitSource::Git { url: url.into(), reference: None })
    }

    /// A scan of a directory on the daemon's machine (under one of its configured roots).
    pub fn path(path: impl Into<String>) -> Self {
        Self::new(SubmitSource::Path { path: path.into() })
    }

    /// A scan of a container image the daemon pulls from a registry (`registry/repo:tag` or
    /// `…@sha256:<hex>`).
    pub fn image(reference: impl Into<String>) -> Self {
        Self::new(SubmitSource::Image { reference: reference.into(), platform: None })
    }

    /// The platform (`linux/arm64`) of an image scan (ignored for other sources).
    pub fn platform(mut self, platform: impl Into<String>) -> Self {
        if let SubmitSource::Image { platform: p, .. } = &mut self.source {
            *p = Some(platform.into());
        }
        self
    }

    /// The branch, tag or commit of a git scan (ignored for other sources).
    pub fn git_ref(mut self, reference: impl Into<String>) -> Self {
        if let SubmitSource::Git { reference: r, .. } = &mut self.source {
            *r = Some(reference.into());
        }
        self
    }

    /// The project the scan belongs to.
    pub fn project(mut self, project: ProjectId) -> Self {
        self.project = Some(project);
        self
    }

    /// The project version it documents.
    pub fn version(mut self, version: VersionId) -> Self {
        self.version = Some(version);
        self
    }

    /// Whether to inventory cryptography too (default true).
    pub fn crypto(mut self, crypto: bool) -> Self {
        self.crypto = crypto;
        self
    }
}

impl TriageUpdate {
    /// An update that changes nothing yet (the same as `Default`).
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the state.
    pub fn state(mut self, state: TriageState) -> Self {
        self.state = Some(state);
        self
    }

    /// Sets the justification.
    pub fn justification(mut self, justification: Justification) -> Self {
        self.justification = Some(Some(justification));
        self
    }

    /// Clears the justification (sends `null`).
    pub fn clear_justification(mut self) -> Self {
        self.justification = Some(None);
        self
    }

    /// Sets the response.
    pub fn response(mut self, response: TriageResponse) -> Self {
        self.response = Some(Some(response));
        self
    }

    /// Clears the response (sends `null`).
    pub fn clear_response(mut self) -> Self {
        self.response = Some(None);
        self
    }

    /// Sets the note.
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(Some(note.into()));
        self
    }

    /// Clears the note (sends `null`).
    pub fn clear_note(mut self) -> Self {
        self.note = Some(None);
        self
    }
}

impl VulnDbUpdate {
    /// Only these configured ecosystems.
    pub fn ecosystems<I: IntoIterator<Item = S>, S: Into<String>>(mut self, ecosystems: I) -> Self {
        self.ecosystems = Some(ecosystems.into_iter().map(Into::into).collect());
        self
    }
}

impl LoginRequest {
    /// A login with an email and a password.
    pub fn new(email: impl Into<String>, password: impl Into<String>) -> Self {
        Self { email: email.into(), password: password.into() }
    }
}

impl RegisterRequest {
    /// A registration with an email and a password (no display name, tenant or invitation yet).
    pub fn new(email: impl Into<String>, password: impl Into<String>) -> Self {
        Self {
            email: email.into(),
            password: password.into(),
            display_name: None,
            tenant_name: None,
            invite_token: None,
        }
    }

    /// The name shown in the UI.
    pub fn display_name(mut self, name: impl Into<String>) -> Self {
        self.display_name = Some(name.into());
        self
    }

    /// Creates a tenant of this name (open registration).
    pub fn tenant_name(mut self, name: impl Into<String>) -> Self {
        self.tenant_name = Some(name.into());
        self
    }

    /// Joins the inviting tenant with this token.
    pub fn invite_token(mut self, token: impl Into<String>) -> Self {
        self.invite_token = Some(token.into());
        self
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests fail loudly
mod tests {
    use super::*;

    #[test]
    fn builders_send_what_struct_literals_sent() {
        let p = CreateProject::new("web", ProjectKind::Repo).repo_url("https://example.com/w.git").tag("a");
        assert_eq!(
            serde_json::to_value(&p).unwrap(),
            serde_json::json!({"name": "web", "kind": "repo", "repo_url": "https://example.com/w.git",
                "default_ref": null, "team_id": null, "tags": ["a"]})
        );
        let t = TriageUpdate::new().state(TriageState::NotAffected).clear_justification().note("n");
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"state":"not_affected","justification":null,"note":"n"}"#
        );
        let s = CreateScan::git("https://example.com/r.git").git_ref("v1").crypto(false);
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            serde_json::json!({"source": {"kind": "git", "url": "https://example.com/r.git", "ref": "v1"},
                "project": null, "version": null, "crypto": false})
        );
        let u = UpdateProject::default().tags(["x"]);
        assert_eq!(
            serde_json::to_string(&u).unwrap(),
            r#"{"name":null,"kind":null,"repo_url":null,"default_ref":null,"team_id":null,"tags":["x"],"product":null}"#
        );
    }
}
