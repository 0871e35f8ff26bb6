//! The image catalogue: image projects, a version's scan history (the tag's digests over time)
//! and a version's documents.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Download, Error, ListQuery, Req};
use crate::types::{BomFormat, HistoryPoint, Page, Project, ProjectId, ProjectKind, VersionId};

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

impl Client {
    /// `GET /projects?kind=…`: the tenant's projects of one kind (`Image`: the image catalogue),
    /// as a stream; `q`'s other filters apply too.
    pub fn projects_of_kind(
        &self,
        kind: ProjectKind,
        q: ListQuery,
    ) -> BoxStream<'static, Result<Project, Error>> {
        self.projects(q.filter("kind", kind.as_str()))
    }

    /// `GET /projects/{id}/versions/{vid}/scan-history`, one page (oldest first unless sorted).
    pub async fn version_scan_history_page(
        &self,
        project: ProjectId,
        version: VersionId,
        q: &ListQuery,
    ) -> Result<Page<HistoryPoint>, Error> {
        self.page(&v1(format!("projects/{project}/versions/{version}/scan-history")), q).await
    }

    /// `GET /projects/{id}/versions/{vid}/scan-history`, every point, as a stream: per completed
    /// scan its date, the image digest it pulled, counts and gate.
    pub fn version_scan_history(
        &self,
        project: ProjectId,
        version: VersionId,
        q: ListQuery,
    ) -> BoxStream<'static, Result<HistoryPoint, Error>> {
        self.paginate(v1(format!("projects/{project}/versions/{version}/scan-history")), q)
    }

    /// `GET /projects/{id}/versions/{vid}/sbom?format=…`: a document of the version's latest
    /// completed scan, streamed (404 until a scan of the version completes).
    pub async fn version_sbom(
        &self,
        project: ProjectId,
        version: VersionId,
        format: BomFormat,
    ) -> Result<Download, Error> {
        let req = Req::new(Method::GET, v1(format!("projects/{project}/versions/{version}/sbom")))
            .query([("format".to_owned(), format.as_str().to_owned())]);
        Ok(Download { resp: self.send(req).await? })
    }
}
