//! The partner CBOM surface (`/api/v1/cbom/…`) from the client side.

use reqwest::Method;

use super::{Client, Error, Req};
use crate::types::{
    CbomBomFormat, CbomDemoRequest, CbomHealth, CbomScanCreated, CbomScanDetail, CbomScanList,
    CbomScanRequest, ScanId,
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

    /// `GET /cbom/scans/{id}/bom.json?format=…`: the scan's document as stored at completion:
    /// `Cyclonedx`, the CBOM (CycloneDX 1.6 with the cryptographic assets and the libraries that
    /// provide them), or `Spdx` (SPDX 3.0.1).
    ///
    /// Scope: `bom:read` (a viewer of the tenant).
    ///
    /// Errors: [`Error::Api`] 409 (`SCAN_NOT_COMPLETED`) until the scan completes; 404 when it is
    /// not in the tenant.
    ///
    /// ```no_run
    /// # async fn f(client: cairn_sdk::Client, id: cairn_sdk::types::ScanId) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::CbomBomFormat;
    /// let cbom: serde_json::Value = serde_json::from_slice(&client.cbom_scan_bom(id, CbomBomFormat::Cyclonedx).await?)
    ///     .expect("JSON");
    /// println!("{} components", cbom["components"].as_array().map_or(0, Vec::len));
    /// # Ok(()) }
    /// ```
    pub async fn cbom_scan_bom(&self, id: ScanId, format: CbomBomFormat) -> Result<Vec<u8>, Error> {
        let path = format!("api/v1/cbom/scans/{id}/bom.json");
        // The wire word is the enum's serde name (`cyclonedx`, `spdx`).
        let word = serde_json::to_value(format).ok().and_then(|v| v.as_str().map(str::to_owned)).ok_or_else(
            || Error::Decode { path: path.clone(), message: format!("cannot encode {format:?}") },
        )?;
        let req = Req::new(Method::GET, path).query([("format".to_owned(), word)]);
        let resp = self.send(req).await?;
        Ok(resp.bytes().await.map_err(Error::Transport)?.to_vec())
    }
}
