//! CVE watches: advisories and packages watched across the tenant's projects, with their hits.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{CreateCveWatch, CveWatch, CveWatchCreated, CveWatchHit, CveWatchId, Page};

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

impl Client {
    /// `GET /cve-watches`, one page.
    pub async fn cve_watches_page(&self, q: &ListQuery) -> Result<Page<CveWatch>, Error> {
        self.page(&v1("cve-watches"), q).await
    }

    /// `GET /cve-watches`, every watch, as a stream.
    pub fn cve_watches(&self, q: ListQuery) -> BoxStream<'static, Result<CveWatch, Error>> {
        self.paginate(v1("cve-watches"), q)
    }

    /// `POST /cve-watches`: watches an advisory or a package; the answer lists its hits now.
    /// Watching the same thing twice is a 409.
    pub async fn create_cve_watch(&self, body: &CreateCveWatch) -> Result<CveWatchCreated, Error> {
        self.json(Req::new(Method::POST, v1("cve-watches")).idempotent_create().json(body)?).await
    }

    /// `GET /cve-watches/{id}`.
    pub async fn cve_watch(&self, id: CveWatchId) -> Result<CveWatch, Error> {
        self.json(Req::new(Method::GET, v1(format!("cve-watches/{id}")))).await
    }

    /// `GET /cve-watches/{id}/hits`, one page (oldest first).
    pub async fn cve_watch_hits_page(
        &self,
        id: CveWatchId,
        q: &ListQuery,
    ) -> Result<Page<CveWatchHit>, Error> {
        self.page(&v1(format!("cve-watches/{id}/hits")), q).await
    }

    /// `GET /cve-watches/{id}/hits`, every hit, as a stream.
    pub fn cve_watch_hits(
        &self,
        id: CveWatchId,
        q: ListQuery,
    ) -> BoxStream<'static, Result<CveWatchHit, Error>> {
        self.paginate(v1(format!("cve-watches/{id}/hits")), q)
    }

    /// `DELETE /cve-watches/{id}`: stops watching.
    pub async fn delete_cve_watch(&self, id: CveWatchId) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("cve-watches/{id}")))).await
    }
}
