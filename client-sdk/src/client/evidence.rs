//! Evidence for a regulator: a version's CRA checklist, the tenant's settings (the triage SLA
//! the checklist judges against), and the controls of frameworks judged from the tenant's data.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{
    Control, CraStatus, Framework, FrameworkId, Page, ReportFormat, TenantSettings, UpdateTenantSettings,
    VersionId,
};

fn with_framework(mut q: ListQuery, framework: Option<FrameworkId>) -> ListQuery {
    if let Some(f) = framework {
        q = q.filter("framework", f.as_str());
    }
    q
}

impl Client {
    /// `GET /versions/{id}/cra-status`: the version's CRA checklist, each item `met`, `not_met`
    /// or `not_applicable` with the evidence behind it.
    ///
    /// Scope: `scan:read`. Errors: 404 for a version not in the tenant.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client, v: cairn_sdk::types::VersionId) -> Result<(), cairn_sdk::Error> {
    /// let status = client.version_cra_status(v).await?;
    /// for item in &status.items {
    ///     println!("{:?}: {:?} ({})", item.requirement, item.status, item.reason);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn version_cra_status(&self, version: VersionId) -> Result<CraStatus, Error> {
        self.json(Req::new(Method::GET, format!("api/v1/versions/{version}/cra-status"))).await
    }

    /// `GET /versions/{id}/export`: the version's technical file (a ZIP whose `manifest.json` is
    /// a [`crate::types::TechnicalFileManifest`]). The same data gives the same bytes.
    ///
    /// Scope: `bom:read`. Errors: 404 for a version not in the tenant or without a completed
    /// scan.
    pub async fn version_export(&self, version: VersionId) -> Result<Vec<u8>, Error> {
        let resp = self.send(Req::new(Method::GET, format!("api/v1/versions/{version}/export"))).await?;
        Ok(resp.bytes().await.map_err(Error::Transport)?.to_vec())
    }

    /// `GET /versions/{id}/compliance-report?format=html|pdf`: the version's compliance report
    /// (a self-contained HTML page, or a PDF).
    ///
    /// Scope: `scan:read`. Errors: 404 for a version not in the tenant or without a completed
    /// scan.
    pub async fn version_compliance_report(
        &self,
        version: VersionId,
        format: ReportFormat,
    ) -> Result<Vec<u8>, Error> {
        let req = Req::new(Method::GET, format!("api/v1/versions/{version}/compliance-report"))
            .query([("format".to_owned(), format.as_str().to_owned())]);
        let resp = self.send(req).await?;
        Ok(resp.bytes().await.map_err(Error::Transport)?.to_vec())
    }

    /// `GET /tenant/settings`: the tenant's settings (`version` 0 before the first change).
    pub async fn tenant_settings(&self) -> Result<TenantSettings, Error> {
        self.json(Req::new(Method::GET, "api/v1/tenant/settings")).await
    }

    /// `PUT /tenant/settings` with `If-Match: "<version>"` (0 before the first change); tenant
    /// admins only. A 412 means someone changed them meanwhile: read again.
    pub async fn set_tenant_settings(
        &self,
        version: i64,
        body: &UpdateTenantSettings,
    ) -> Result<TenantSettings, Error> {
        self.json(Req::new(Method::PUT, "api/v1/tenant/settings").if_match(version).json(body)?).await
    }

    /// `GET /frameworks`, one page: the built-in catalogue's frameworks (EU CRA Annex I, NIST
    /// SSDF, ISO/IEC 27001:2022 A.8), each with its controls counted by status for the tenant.
    ///
    /// Scope: `scan:read`.
    pub async fn frameworks_page(&self, q: &ListQuery) -> Result<Page<Framework>, Error> {
        self.page("api/v1/frameworks", q).await
    }

    /// `GET /frameworks`, every framework, as a stream.
    pub fn frameworks(&self, q: ListQuery) -> BoxStream<'static, Result<Framework, Error>> {
        self.paginate("api/v1/frameworks".to_owned(), q)
    }

    /// `GET /controls?framework=`, one page: controls (of one framework, or of all) judged from
    /// the tenant's data now, each `met`, `partially_met`, `not_met` or `not_assessed` with its
    /// evidence count and the kinds of evidence it rests on.
    ///
    /// Scope: `scan:read`.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::FrameworkId;
    /// let page = client.controls_page(Some(FrameworkId::NistSsdf), &Default::default()).await?;
    /// for c in &page.items {
    ///     println!("{} {:?} ({} items of evidence): {}", c.id, c.status, c.evidence_count, c.reason);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn controls_page(
        &self,
        framework: Option<FrameworkId>,
        q: &ListQuery,
    ) -> Result<Page<Control>, Error> {
        self.page("api/v1/controls", &with_framework(q.clone(), framework)).await
    }

    /// `GET /controls?framework=`, every control, as a stream.
    pub fn controls(
        &self,
        framework: Option<FrameworkId>,
        q: ListQuery,
    ) -> BoxStream<'static, Result<Control, Error>> {
        self.paginate("api/v1/controls".to_owned(), with_framework(q, framework))
    }
}
