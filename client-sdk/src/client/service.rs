//! The service's own endpoints: liveness, readiness, metrics, the OpenAPI document and the
//! explanations of problem types. None of them is under `/api/v1`.

use reqwest::Method;

use super::{Client, Error, Req, api_error_from, retry_after};
use crate::types::{Health, ProblemType};

impl Client {
    /// `GET /healthz` (public): liveness, answered while the process runs (the version and
    /// backend only when the client holds a credential).
    ///
    /// Errors: [`Error::Transport`] when the daemon does not answer.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), cairn_sdk::Error> {
    /// let client = cairn_sdk::Client::anonymous("http://127.0.0.1:8440")?;
    /// println!("{}", client.healthz().await?.status);
    /// # Ok(()) }
    /// ```
    pub async fn healthz(&self) -> Result<Health, Error> {
        self.json(Req::new(Method::GET, "healthz")).await
    }

    /// `GET /readyz` (public): readiness, `Ok` when the daemon's database answers.
    ///
    /// Sent once, without the retry policy: a probe wants today's answer, not one after backoff.
    ///
    /// Errors: [`Error::Api`] with status 503 (`UNAVAILABLE`) when the database does not answer;
    /// [`Error::Transport`] when the daemon does not.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), cairn_sdk::Error> {
    /// let client = cairn_sdk::Client::anonymous("http://127.0.0.1:8440")?;
    /// match client.readyz().await {
    ///     Ok(h) => println!("ready: {}", h.database),
    ///     Err(e) => eprintln!("not ready: {e}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn readyz(&self) -> Result<Health, Error> {
        let req = Req::new(Method::GET, "readyz").anonymous();
        let resp = self.build(&req)?.send().await.map_err(Error::Transport)?;
        let status = resp.status().as_u16();
        let wait = retry_after(resp.headers());
        let bytes = resp.bytes().await.map_err(Error::Transport)?;
        if !(200..300).contains(&status) {
            return Err(api_error_from(status, wait, &bytes));
        }
        serde_json::from_slice(&bytes)
            .map_err(|e| Error::Decode { path: "readyz".into(), message: e.to_string() })
    }

    /// `GET /metrics`: the Prometheus text exposition.
    ///
    /// Scope: a super admin's session or key, or the daemon's configured metrics token (held as
    /// [`Credential::ApiKey`](super::Credential::ApiKey): any bearer is sent as it is).
    ///
    /// Errors: [`Error::Api`] 404 for anyone else (the endpoint does not reveal itself).
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::{Client, Credential};
    /// let client = Client::new("http://127.0.0.1:8440", Credential::ApiKey("metrics-token".into()))?;
    /// let text = client.metrics().await?;
    /// assert!(text.contains("# TYPE"));
    /// # Ok(()) }
    /// ```
    pub async fn metrics(&self) -> Result<String, Error> {
        let resp = self.send(Req::new(Method::GET, "metrics")).await?;
        resp.text().await.map_err(Error::Transport)
    }

    /// `GET /api/openapi.json` (public): the daemon's OpenAPI 3.1 document, as JSON.
    ///
    /// Errors: [`Error::Decode`] when the answer is not JSON.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), cairn_sdk::Error> {
    /// let client = cairn_sdk::Client::anonymous("http://127.0.0.1:8440")?;
    /// let doc = client.openapi_json().await?;
    /// println!("{} operations", doc["paths"].as_object().map_or(0, |p| p.len()));
    /// # Ok(()) }
    /// ```
    pub async fn openapi_json(&self) -> Result<serde_json::Value, Error> {
        self.json(Req::new(Method::GET, "api/openapi.json").anonymous()).await
    }

    /// `GET /problems/{slug}` (public): what a problem type means and what to do about it. The
    /// slug is the last segment of a [`Problem`](crate::types::Problem)'s `type`.
    ///
    /// Errors: [`Error::Api`] 404 for an unknown slug.
    ///
    /// ```no_run
    /// # async fn f() -> Result<(), cairn_sdk::Error> {
    /// let client = cairn_sdk::Client::anonymous("http://127.0.0.1:8440")?;
    /// let t = client.problem_type("validation-failed").await?;
    /// println!("{} ({}): {}", t.title, t.code, t.description);
    /// # Ok(()) }
    /// ```
    pub async fn problem_type(&self, slug: &str) -> Result<ProblemType, Error> {
        let path = format!("problems/{}", super::endpoints::segment(slug));
        self.json(Req::new(Method::GET, path).anonymous()).await
    }
}
