//! The partner CBOM surface (`/api/v1/cbom/…`) from the client side.

use reqwest::Method;

use super::{Client, Error, Req};
use crate::types::{
    CbomDemoRequest, CbomHealth, CbomScanCreated, CbomScanDetail, CbomScanList, CbomScanRequest, ScanId,
};

impl Client {
    /// `GET /cbom/health` (public).
    pub async fn cbom_health(&self) -> Result<CbomHealth, Error> {
        self.json(Req::new(Method::GET, "api/v1/cbom/health").anonymous()).await
    }

    /// `POST /cbom/scans` (201): queues a scan of a git repository with cryptography.
    pub async fn cbom_create_scan(&self, body: &CbomScanRequest) -> Result<CbomScanCreated, Error> {
        self.json(Req::new(Method::POST, "api/v1/cbom/scans").idempotent_create().json(body)?).await
    }

    /// `GET /cbom/scans?limit=`: the newest scans (`limit` 1-1000, the daemon's default 50).
    pub async fn cbom_scans(&self, limit: Option<u32>) -> Result<CbomScanList, Error> {
        let pairs = limit.map(|l| ("limit".to_owned(), l.to_string()));
        self.json(Req::new(Method::GET, "api/v1/cbom/scans").query(pairs)).await
    }

    /// `GET /cbom/scans/{id}`: the scan with its components, findings, assets and score.
    pub async fn cbom_scan(&self, id: ScanId) -> Result<CbomScanDetail, Error> {
        self.json(Req::new(Method::GET, format!("api/v1/cbom/scans/{id}"))).await
    }

    /// `POST /cbom/demo` (public, when the daemon enables it): scans a public GitHub repository
    /// without a key. The answer's status is `completed` or `failed` when the scan ended within
    /// the daemon's wait, else still running: ask again within 5 minutes to get the same scan.
    /// A second new repository from the same client within 24 hours is a 429 (`Error::Api`).
    pub async fn cbom_demo(&self, repo_url: &str) -> Result<CbomScanDetail, Error> {
        let body = CbomDemoRequest { repo_url: repo_url.to_owned() };
        self.json(Req::new(Method::POST, "api/v1/cbom/demo").anonymous().json(&body)?).await
    }
}
