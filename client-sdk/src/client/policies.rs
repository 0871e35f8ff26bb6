//! Stored policies, their revisions and assignments, and approvals (exception requests).

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{
    Approval, ApprovalDecision, ApprovalId, ApprovalState, AssignPolicy, Page, PolicyAssignment, PolicyBody,
    PolicyId, PolicyRevision, ProjectId, RequestApproval, StoredPolicy,
};

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

impl Client {
    /// `GET /policies`, one page.
    pub async fn policies_page(&self, q: &ListQuery) -> Result<Page<StoredPolicy>, Error> {
        self.page(&v1("policies"), q).await
    }

    /// `GET /policies`, every policy, as a stream.
    pub fn policies(&self, q: ListQuery) -> BoxStream<'static, Result<StoredPolicy, Error>> {
        self.paginate(v1("policies"), q)
    }

    /// `POST /policies`: stores a `cairn-policy/1` document (TOML or JSON text) at revision 1. A
    /// document that does not read is a 400 whose `errors[0].field` names the rule and the field.
    pub async fn create_policy(&self, document: &str) -> Result<StoredPolicy, Error> {
        let body = PolicyBody { document: document.to_owned() };
        self.json(Req::new(Method::POST, v1("policies")).idempotent_create().json(&body)?).await
    }

    /// `GET /policies/{id}`.
    pub async fn policy(&self, id: PolicyId) -> Result<StoredPolicy, Error> {
        self.json(Req::new(Method::GET, v1(format!("policies/{id}")))).await
    }

    /// `PUT /policies/{id}` with `If-Match: "<revision>"`: a new revision; a stale revision is a
    /// 412 ([`Error::is_precondition_failed`]).
    pub async fn update_policy(
        &self,
        id: PolicyId,
        revision: u32,
        document: &str,
    ) -> Result<StoredPolicy, Error> {
        let body = PolicyBody { document: document.to_owned() };
        self.json(
            Req::new(Method::PUT, v1(format!("policies/{id}"))).if_match(i64::from(revision)).json(&body)?,
        )
        .await
    }

    /// `DELETE /policies/{id}` with `If-Match`; 409 while it is assigned.
    pub async fn delete_policy(&self, id: PolicyId, revision: u32) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("policies/{id}"))).if_match(i64::from(revision))).await
    }

    /// `GET /policies/{id}/revisions`, one page.
    pub async fn policy_revisions_page(
        &self,
        id: PolicyId,
        q: &ListQuery,
    ) -> Result<Page<PolicyRevision>, Error> {
        self.page(&v1(format!("policies/{id}/revisions")), q).await
    }

    /// `GET /policies/{id}/revisions/{revision}`: what a gate naming it evaluated.
    pub async fn policy_revision(&self, id: PolicyId, revision: u32) -> Result<PolicyRevision, Error> {
        self.json(Req::new(Method::GET, v1(format!("policies/{id}/revisions/{revision}")))).await
    }

    /// `GET /projects/{id}/policy`: the policy the project's gate uses and where it comes from.
    pub async fn project_policy(&self, project: ProjectId) -> Result<PolicyAssignment, Error> {
        self.json(Req::new(Method::GET, v1(format!("projects/{project}/policy")))).await
    }

    /// `PUT /projects/{id}/policy`: assigns a stored policy to the project.
    pub async fn assign_project_policy(
        &self,
        project: ProjectId,
        policy: PolicyId,
    ) -> Result<PolicyAssignment, Error> {
        let body = AssignPolicy { policy_id: policy };
        self.json(Req::new(Method::PUT, v1(format!("projects/{project}/policy"))).json(&body)?).await
    }

    /// `DELETE /projects/{id}/policy`: clears the project's own policy.
    pub async fn clear_project_policy(&self, project: ProjectId) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("projects/{project}/policy")))).await
    }

    /// `GET /default-policy`: the tenant default.
    pub async fn default_policy(&self) -> Result<PolicyAssignment, Error> {
        self.json(Req::new(Method::GET, v1("default-policy"))).await
    }

    /// `PUT /default-policy`: makes a stored policy the tenant default.
    pub async fn assign_default_policy(&self, policy: PolicyId) -> Result<PolicyAssignment, Error> {
        let body = AssignPolicy { policy_id: policy };
        self.json(Req::new(Method::PUT, v1("default-policy")).json(&body)?).await
    }

    /// `DELETE /default-policy`: clears the tenant default.
    pub async fn clear_default_policy(&self) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1("default-policy"))).await
    }

    /// `GET /approvals[?state=…]`, one page.
    pub async fn approvals_page(
        &self,
        state: Option<ApprovalState>,
        q: &ListQuery,
    ) -> Result<Page<Approval>, Error> {
        let mut pairs = q.pairs();
        if let Some(s) = state {
            pairs.push(("state".to_owned(), s.as_str().to_owned()));
        }
        self.json(Req::new(Method::GET, v1("approvals")).query(pairs)).await
    }

    /// `POST /approvals`: requests an exception.
    pub async fn request_approval(&self, body: &RequestApproval) -> Result<Approval, Error> {
        self.json(Req::new(Method::POST, v1("approvals")).idempotent_create().json(body)?).await
    }

    /// `GET /approvals/{id}`.
    pub async fn approval(&self, id: ApprovalId) -> Result<Approval, Error> {
        self.json(Req::new(Method::GET, v1(format!("approvals/{id}")))).await
    }

    /// `POST /approvals/{id}/approve` with `If-Match: "<version>"` ([`Approval::version`]).
    pub async fn approve(&self, id: ApprovalId, version: i64, note: Option<&str>) -> Result<Approval, Error> {
        let body = ApprovalDecision { note: note.map(str::to_owned) };
        self.json(
            Req::new(Method::POST, v1(format!("approvals/{id}/approve"))).if_match(version).json(&body)?,
        )
        .await
    }

    /// `POST /approvals/{id}/reject` with `If-Match`.
    pub async fn reject(&self, id: ApprovalId, version: i64, note: Option<&str>) -> Result<Approval, Error> {
        let body = ApprovalDecision { note: note.map(str::to_owned) };
        self.json(Req::new(Method::POST, v1(format!("approvals/{id}/reject"))).if_match(version).json(&body)?)
            .await
    }
}
