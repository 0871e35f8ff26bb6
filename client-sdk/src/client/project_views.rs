//! Comparison, project-wide views and scan history: two scans or versions compared, a project's
//! current components, where a package is used across the tenant, the advisories affecting the
//! tenant, a project's scan history, and a project's licenses, obligations and NOTICE.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::endpoints::segment;
use super::{Client, Error, ListQuery, Req};
use crate::types::{
    AdvisoryDetail, AdvisorySummary, ComponentUsage, Page, ProjectId, ProjectLicense, ProjectObligation,
    ScanComparison, ScanComponent, ScanHistory, ScanId, VersionId,
};

fn components_of(project: ProjectId) -> String {
    format!("api/v1/projects/{project}/components")
}

impl Client {
    /// `GET /comparison?from=&to=`: what changed from one completed scan to another (components
    /// added, removed and changed, findings new, fixed and still open, licenses, crypto, the
    /// readiness delta). A section either scan did not look at is in `not_compared`.
    ///
    /// Scope: `scan:read`. Errors: 404 for a scan not in the tenant, 409 `SCAN_NOT_COMPLETED`.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client, a: cairn_sdk::types::ScanId, b: cairn_sdk::types::ScanId) -> Result<(), cairn_sdk::Error> {
    /// let c = client.comparison(a, b).await?;
    /// println!("{} new findings", c.comparison.summary.findings_new.unwrap_or(0));
    /// # Ok(()) }
    /// ```
    pub async fn comparison(&self, from: ScanId, to: ScanId) -> Result<ScanComparison, Error> {
        let q = [("from".to_owned(), from.to_string()), ("to".to_owned(), to.to_string())];
        self.json(Req::new(Method::GET, "api/v1/comparison").query(q)).await
    }

    /// `GET /versions/{id}/compare/{other}`: the latest completed scans of two versions compared
    /// (`from` the earlier). 404 when a version has no completed scan.
    pub async fn version_compare(&self, from: VersionId, to: VersionId) -> Result<ScanComparison, Error> {
        self.json(Req::new(Method::GET, format!("api/v1/versions/{from}/compare/{to}"))).await
    }

    /// `GET /projects/{id}/components`, one page: the latest completed scan's components;
    /// filters `name` and `license` (contained, any case) and `ecosystem` (a purl type).
    pub async fn project_components_page(
        &self,
        project: ProjectId,
        q: &ListQuery,
    ) -> Result<Page<ScanComponent>, Error> {
        self.page(&components_of(project), q).await
    }

    /// `GET /projects/{id}/components`, every match, as a stream.
    pub fn project_components(
        &self,
        project: ProjectId,
        q: ListQuery,
    ) -> BoxStream<'static, Result<ScanComponent, Error>> {
        self.paginate(components_of(project), q)
    }

    /// `GET /components/search`, one page: where a package is used. Filters: `purl` (with a
    /// version, that component; without, every version) or `name` (any case), and `version`,
    /// `ecosystem`. One item per project whose latest completed scan has it, with each file and
    /// line.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// let q = cairn_sdk::ListQuery::default().filter("name", "log4j-core").filter("version", "2.14.1");
    /// for u in client.components_search_page(&q).await?.items {
    ///     println!("{} {:?}", u.project_name, u.locations);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn components_search_page(&self, q: &ListQuery) -> Result<Page<ComponentUsage>, Error> {
        self.page("api/v1/components/search", q).await
    }

    /// `GET /components/search`, every match, as a stream.
    pub fn components_search(&self, q: ListQuery) -> BoxStream<'static, Result<ComponentUsage, Error>> {
        self.paginate("api/v1/components/search".to_owned(), q)
    }

    /// `GET /projects/{id}/history`: the project's completed scans (of one version when given),
    /// oldest first, with counts by severity, components and readiness.
    pub async fn project_history(
        &self,
        project: ProjectId,
        version: Option<VersionId>,
    ) -> Result<ScanHistory, Error> {
        let q = version.map(|v| ("version".to_owned(), v.to_string()));
        self.json(Req::new(Method::GET, format!("api/v1/projects/{project}/history")).query(q)).await
    }

    /// `GET /vulnerabilities`, one page: advisories affecting the tenant's projects now; filter
    /// `q` (id, alias or summary, contained, any case).
    pub async fn vulnerabilities_page(&self, q: &ListQuery) -> Result<Page<AdvisorySummary>, Error> {
        self.page("api/v1/vulnerabilities", q).await
    }

    /// `GET /vulnerabilities`, every match, as a stream.
    pub fn vulnerabilities(&self, q: ListQuery) -> BoxStream<'static, Result<AdvisorySummary, Error>> {
        self.paginate("api/v1/vulnerabilities".to_owned(), q)
    }

    /// `GET /vulnerabilities/{id}`: an advisory by id or alias, its record, and every project of
    /// the tenant it affects now with the triage. 404 when nothing knows the id.
    pub async fn vulnerability(&self, id: &str) -> Result<AdvisoryDetail, Error> {
        self.json(Req::new(Method::GET, format!("api/v1/vulnerabilities/{}", segment(id)))).await
    }

    /// `GET /projects/{id}/licenses`, one page: the latest completed scan's third-party
    /// components grouped by concluded license expression (with its ids and most demanding
    /// category), then those whose license is not determined, by reason. Filter
    /// `components_limit` (1–1000, default 50): components listed per group
    /// (`components_total` counts them all).
    ///
    /// Scope: `scan:read`. Errors: 404 without a completed scan, 409 `SCAN_NOT_COMPLETED` for a
    /// scan completed before results were kept.
    pub async fn project_licenses_page(
        &self,
        project: ProjectId,
        q: &ListQuery,
    ) -> Result<Page<ProjectLicense>, Error> {
        self.page(&format!("api/v1/projects/{project}/licenses"), q).await
    }

    /// `GET /projects/{id}/licenses`, every group, as a stream.
    pub fn project_licenses(
        &self,
        project: ProjectId,
        q: ListQuery,
    ) -> BoxStream<'static, Result<ProjectLicense, Error>> {
        self.paginate(format!("api/v1/projects/{project}/licenses"), q)
    }

    /// `GET /projects/{id}/obligations`, one page: each obligation the latest completed scan's
    /// licenses ask (attribution, source disclosure, …) with the ids asking it and the
    /// components. Components whose license is not determined are in no group.
    pub async fn project_obligations_page(
        &self,
        project: ProjectId,
        q: &ListQuery,
    ) -> Result<Page<ProjectObligation>, Error> {
        self.page(&format!("api/v1/projects/{project}/obligations"), q).await
    }

    /// `GET /projects/{id}/obligations`, every obligation, as a stream.
    pub fn project_obligations(
        &self,
        project: ProjectId,
        q: ListQuery,
    ) -> BoxStream<'static, Result<ProjectObligation, Error>> {
        self.paginate(format!("api/v1/projects/{project}/obligations"), q)
    }

    /// `GET /projects/{id}/notice`: the NOTICE text of the latest completed scan, rendered when
    /// it ran. Scope: `bom:read`. 409 `SCAN_NOT_COMPLETED` when that scan has none (read from an
    /// SBOM, or completed before NOTICE files were kept; the problem's detail says which).
    pub async fn project_notice(&self, project: ProjectId) -> Result<String, Error> {
        let resp = self.send(Req::new(Method::GET, format!("api/v1/projects/{project}/notice"))).await?;
        resp.text().await.map_err(Error::Transport)
    }
}
