//! Triage rules (applied across projects, now and in later scans) and VEX import into a
//! project's triage.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{
    CreateTriageRule, Page, ProjectId, TriageRule, TriageRuleCreated, TriageRuleId, VexImport,
};

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

impl Client {
    /// `GET /triage-rules`, one page.
    pub async fn triage_rules_page(&self, q: &ListQuery) -> Result<Page<TriageRule>, Error> {
        self.page(&v1("triage-rules"), q).await
    }

    /// `GET /triage-rules`, every rule, as a stream.
    pub fn triage_rules(&self, q: ListQuery) -> BoxStream<'static, Result<TriageRule, Error>> {
        self.paginate(v1("triage-rules"), q)
    }

    /// `POST /triage-rules`: makes a rule and applies it to the findings there are now; the
    /// answer says how many it triaged.
    pub async fn create_triage_rule(&self, body: &CreateTriageRule) -> Result<TriageRuleCreated, Error> {
        self.json(Req::new(Method::POST, v1("triage-rules")).idempotent_create().json(body)?).await
    }

    /// `GET /triage-rules/{id}`.
    pub async fn triage_rule(&self, id: TriageRuleId) -> Result<TriageRule, Error> {
        self.json(Req::new(Method::GET, v1(format!("triage-rules/{id}")))).await
    }

    /// `DELETE /triage-rules/{id}` (the triage it set stays).
    pub async fn delete_triage_rule(&self, id: TriageRuleId) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("triage-rules/{id}")))).await
    }

    /// `POST /projects/{id}/vex`: imports an OpenVEX, CycloneDX VEX or CSAF VEX document (its
    /// bytes) into the project's triage.
    pub async fn import_vex(&self, project: ProjectId, document: Vec<u8>) -> Result<VexImport, Error> {
        self.json(
            Req::new(Method::POST, v1(format!("projects/{project}/vex"))).bytes("application/json", document),
        )
        .await
    }
}
