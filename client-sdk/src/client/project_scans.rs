//! A project's scans and its current SBOM: the project-scoped views of `/scans`.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{BomFormat, Page, ProjectId, Scan};

fn scans_of(project: ProjectId) -> String {
    format!("api/v1/projects/{project}/scans")
}

impl Client {
    /// `GET /projects/{id}/scans`, one page: the project's scans, newest first. Filters
    /// ([`ListQuery::filter`]) as for [`scans_page`](Client::scans_page), e.g. `status`.
    ///
    /// Scope: `scan:read` (a viewer of the tenant).
    ///
    /// Errors: [`Error::Api`] 404 when the project is not in the tenant.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client, project: cairn_sdk::types::ProjectId) -> Result<(), cairn_sdk::Error> {
    /// let page = client.project_scans_page(project, &cairn_sdk::ListQuery::limit(5)).await?;
    /// println!("{} scans", page.total);
    /// # Ok(()) }
    /// ```
    pub async fn project_scans_page(&self, project: ProjectId, q: &ListQuery) -> Result<Page<Scan>, Error> {
        self.page(&scans_of(project), q).await
    }

    /// `GET /projects/{id}/scans`, every scan of the project, as a stream.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client, project: cairn_sdk::types::ProjectId) -> Result<(), cairn_sdk::Error> {
    /// use futures_util::TryStreamExt;
    /// let failed: Vec<_> =
    ///     client.project_scans(project, cairn_sdk::ListQuery::default().filter("status", "failed")).try_collect().await?;
    /// println!("{} failed scans", failed.len());
    /// # Ok(()) }
    /// ```
    pub fn project_scans(&self, project: ProjectId, q: ListQuery) -> BoxStream<'static, Result<Scan, Error>> {
        self.paginate(scans_of(project), q)
    }

    /// `POST /projects/{id}/scans` (202): queues a scan of the project's repository (its
    /// `repo_url` at its `default_ref`), cryptography included.
    ///
    /// Scope: `scan:write` (a member of the tenant).
    ///
    /// Errors: [`Error::Api`] 409 (`CONFLICT`) when the project has no `repo_url`; 404 when it is
    /// not in the tenant.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client, project: cairn_sdk::types::ProjectId) -> Result<(), cairn_sdk::Error> {
    /// let scan = client.create_project_scan(project).await?;
    /// println!("queued {}", scan.id);
    /// # Ok(()) }
    /// ```
    pub async fn create_project_scan(&self, project: ProjectId) -> Result<Scan, Error> {
        self.json(Req::new(Method::POST, scans_of(project)).idempotent_create()).await
    }

    /// `GET /projects/{id}/sbom?format=…`: the document of the project's latest completed scan,
    /// as stored when that scan completed.
    ///
    /// Scope: `bom:read` (a viewer of the tenant).
    ///
    /// Errors: [`Error::Api`] 404 when the project is not in the tenant or has no completed scan.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client, project: cairn_sdk::types::ProjectId) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::BomFormat;
    /// let bytes = client.project_sbom(project, BomFormat::CycloneDx).await?;
    /// std::fs::write("sbom.cdx.json", bytes).expect("write");
    /// # Ok(()) }
    /// ```
    pub async fn project_sbom(&self, project: ProjectId, format: BomFormat) -> Result<Vec<u8>, Error> {
        let req = Req::new(Method::GET, format!("api/v1/projects/{project}/sbom"))
            .query([("format".to_owned(), format.as_str().to_owned())]);
        let resp = self.send(req).await?;
        Ok(resp.bytes().await.map_err(Error::Transport)?.to_vec())
    }
}
