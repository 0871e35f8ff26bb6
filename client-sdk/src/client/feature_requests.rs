//! Feature requests: members ask (a feature, a package, a bug), tenant admins set the status.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{
    CreateFeatureRequest, FeatureRequest, FeatureRequestId, FeatureRequestStatusChange, Page,
};

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

impl Client {
    /// `GET /feature-requests`, one page (`status=` and `kind=` filters in `q`).
    pub async fn feature_requests_page(&self, q: &ListQuery) -> Result<Page<FeatureRequest>, Error> {
        self.page(&v1("feature-requests"), q).await
    }

    /// `GET /feature-requests`, every request, as a stream.
    pub fn feature_requests(&self, q: ListQuery) -> BoxStream<'static, Result<FeatureRequest, Error>> {
        self.paginate(v1("feature-requests"), q)
    }

    /// `POST /feature-requests`: asks (`open`).
    pub async fn create_feature_request(&self, body: &CreateFeatureRequest) -> Result<FeatureRequest, Error> {
        self.json(Req::new(Method::POST, v1("feature-requests")).idempotent_create().json(body)?).await
    }

    /// `GET /feature-requests/{id}` (its `version` is what a status change sends as `If-Match`).
    pub async fn feature_request(&self, id: FeatureRequestId) -> Result<FeatureRequest, Error> {
        self.json(Req::new(Method::GET, v1(format!("feature-requests/{id}")))).await
    }

    /// `POST /feature-requests/{id}/status` with `If-Match: "<version>"` (admins); a stale
    /// version is a 412 naming the current one.
    pub async fn set_feature_request_status(
        &self,
        id: FeatureRequestId,
        version: i64,
        body: &FeatureRequestStatusChange,
    ) -> Result<FeatureRequest, Error> {
        let req = Req::new(Method::POST, v1(format!("feature-requests/{id}/status")))
            .if_match(version)
            .json(body)?;
        self.json(req).await
    }
}
