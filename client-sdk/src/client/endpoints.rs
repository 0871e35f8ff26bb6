//! One method per endpoint, grouped by resource. Lists come as one page (`*_page`) or as a stream
//! of every item.

use std::sync::Arc;

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Body, Client, Credential, Error, ListQuery, Req};
use crate::types::{
    ApiKey, ApiKeyId, BomFormat, CreateApiKey, CreateProject, CreateScan, CreateVersion, CreatedApiKey,
    CryptoAsset, Finding, GateResult, Health, LoginRequest, LogoutRequest, Me, Page, Project, ProjectId,
    ProjectKind, RegisterRequest, RegistrationPending, ReleaseStateChange, Scan, ScanComponent,
    ScanDiagnostic, ScanEdge, ScanEvent, ScanFinding, ScanId, ScanLicense, ScanWarning, TokenResponse,
    TriageUpdate, UpdateProject, UpdateVersion, VerifyRegistrationRequest, Version, VersionId, VulnDbStatus,
};

/// What `POST /auth/register` did.
#[derive(Debug, Clone, PartialEq)]
pub enum Registered {
    /// An invitation: the account exists and the client holds its tokens.
    LoggedIn(TokenResponse),
    /// Open registration: a token was mailed (if the address had no account); complete it with
    /// [`Client::register_verify`].
    VerificationSent(RegistrationPending),
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum RegisterAnswer {
    Tokens(TokenResponse),
    Pending(RegistrationPending),
}

/// A file to upload: its name and bytes.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The file name sent (its extension tells the daemon the archive type).
    pub file_name: String,
    /// The content.
    pub bytes: Vec<u8>,
}

impl Upload {
    fn media_type(&self) -> &'static str {
        let n = self.file_name.to_ascii_lowercase();
        if n.ends_with(".tar.gz") || n.ends_with(".tgz") {
            "application/gzip"
        } else if n.ends_with(".zip") {
            "application/zip"
        } else if n.ends_with(".tar") {
            "application/x-tar"
        } else if n.ends_with(".json") {
            "application/json"
        } else {
            "application/octet-stream"
        }
    }

    fn into_body(self, fields: Vec<(String, String)>) -> Body {
        Body::Multipart {
            media_type: self.media_type(),
            file_name: self.file_name,
            bytes: Arc::new(self.bytes),
            fields,
        }
    }
}

/// A document being downloaded: its size when the daemon said, then its bytes chunk by chunk (for
/// progress on large documents). Dropping it abandons the download.
#[derive(Debug)]
pub struct Download {
    pub(super) resp: reqwest::Response,
}

impl Download {
    /// The `Content-Length` the daemon sent, if any.
    pub fn content_length(&self) -> Option<u64> {
        self.resp.content_length()
    }

    /// The document's `ETag` without its quotes (the stored document's SHA-256), to tell whether
    /// a document already saved is the same.
    pub fn etag(&self) -> Option<&str> {
        let v = self.resp.headers().get(reqwest::header::ETAG)?.to_str().ok()?;
        Some(v.trim_start_matches("W/").trim_matches('"'))
    }

    /// The media type (`application/vnd.cyclonedx+json`, `application/spdx+json`, …).
    pub fn media_type(&self) -> Option<&str> {
        let v = self.resp.headers().get(reqwest::header::CONTENT_TYPE)?.to_str().ok()?;
        Some(v.split(';').next().unwrap_or(v).trim())
    }

    /// The file name the daemon suggests (`Content-Disposition`), reduced to its last path
    /// component so it can never point outside the directory it is saved in.
    pub fn file_name(&self) -> Option<String> {
        let v = self.resp.headers().get(reqwest::header::CONTENT_DISPOSITION)?.to_str().ok()?;
        let name = v.split(';').map(str::trim).find_map(|p| p.strip_prefix("filename="))?;
        let name = name.trim_matches('"');
        let name = name.rsplit(['/', '\\']).next().unwrap_or(name);
        (!name.is_empty() && name != "." && name != "..").then(|| name.to_owned())
    }

    /// Writes the whole document to `path` (created or truncated) and returns the bytes
    /// written. A failure part-way removes the partial file.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, scan: cairn_sdk::types::ScanId) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::BomFormat;
    /// let download = client.scan_bom_download(scan, BomFormat::CycloneDx).await?;
    /// let name = download.file_name().unwrap_or_else(|| "bom.json".into());
    /// download.save_to(&name).await?;
    /// # Ok(()) }
    /// ```
    pub async fn save_to(mut self, path: impl AsRef<std::path::Path>) -> Result<u64, Error> {
        use tokio::io::AsyncWriteExt;
        let path = path.as_ref();
        let io = |source| Error::Io { path: path.to_owned(), source };
        let mut file = tokio::fs::File::create(path).await.map_err(io)?;
        let mut written = 0u64;
        let result = async {
            while let Some(chunk) = self.chunk().await? {
                file.write_all(&chunk).await.map_err(io)?;
                written += chunk.len() as u64;
            }
            file.flush().await.map_err(io)
        }
        .await;
        if let Err(e) = result {
            drop(file);
            let _ = tokio::fs::remove_file(path).await;
            return Err(e);
        }
        Ok(written)
    }

    /// The next chunk of bytes; `None` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Vec<u8>>, Error> {
        Ok(self.resp.chunk().await.map_err(Error::Transport)?.map(|b| b.to_vec()))
    }
}

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

/// `text` as one path segment: every byte outside RFC 3986's unreserved set percent-encoded, so
/// a name with `/`, `?` or a space stays one segment.
pub(super) fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Client {
    // --- service -------------------------------------------------------------------------------

    /// `GET /api/health` (public; sends the credential when the client holds one, for the
    /// version and backend, which anonymous callers do not see).
    pub async fn health(&self) -> Result<Health, Error> {
        self.json(Req::new(Method::GET, "api/health")).await
    }

    // --- auth ----------------------------------------------------------------------------------

    /// `POST /auth/login`; on success the client holds the new tokens.
    pub async fn login(&self, email: &str, password: &str) -> Result<TokenResponse, Error> {
        let body = LoginRequest { email: email.to_owned(), password: password.to_owned() };
        let tokens: TokenResponse =
            self.json(Req::new(Method::POST, v1("auth/login")).anonymous().json(&body)?).await?;
        self.set_credential(Some(Credential::Tokens {
            access: tokens.access_token.clone(),
            refresh: tokens.refresh_token.clone(),
        }));
        Ok(tokens)
    }

    /// `POST /auth/register`. With an invitation the account is made at once and the client holds
    /// its tokens; open registration mails a token to the address, which
    /// [`Client::register_verify`] completes.
    pub async fn register(&self, body: &RegisterRequest) -> Result<Registered, Error> {
        let answer: RegisterAnswer =
            self.json(Req::new(Method::POST, v1("auth/register")).anonymous().json(body)?).await?;
        Ok(match answer {
            RegisterAnswer::Tokens(tokens) => {
                self.set_credential(Some(Credential::Tokens {
                    access: tokens.access_token.clone(),
                    refresh: tokens.refresh_token.clone(),
                }));
                Registered::LoggedIn(tokens)
            }
            RegisterAnswer::Pending(p) => Registered::VerificationSent(p),
        })
    }

    /// `POST /auth/register/verify`: completes an open registration with the mailed token; the
    /// client then holds the new account's tokens.
    pub async fn register_verify(&self, token: &str) -> Result<TokenResponse, Error> {
        let body = VerifyRegistrationRequest { token: token.to_owned() };
        let tokens: TokenResponse =
            self.json(Req::new(Method::POST, v1("auth/register/verify")).anonymous().json(&body)?).await?;
        self.set_credential(Some(Credential::Tokens {
            access: tokens.access_token.clone(),
            refresh: tokens.refresh_token.clone(),
        }));
        Ok(tokens)
    }

    /// `POST /auth/logout`: revokes the held refresh token's family and forgets the credential.
    pub async fn logout(&self) -> Result<(), Error> {
        let Some(Credential::Tokens { refresh, .. }) = self.credential() else {
            return Err(Error::Credential(
                "logout needs a session; API keys are revoked with delete_api_key",
            ));
        };
        let req = Req::new(Method::POST, v1("auth/logout"))
            .anonymous()
            .json(&LogoutRequest { refresh_token: refresh })?;
        self.empty(req).await?;
        self.set_credential(None);
        Ok(())
    }

    /// `GET /auth/me`.
    pub async fn me(&self) -> Result<Me, Error> {
        self.json(Req::new(Method::GET, v1("auth/me"))).await
    }

    // --- API keys ------------------------------------------------------------------------------

    /// `GET /api-keys`, one page.
    pub async fn api_keys_page(&self, q: &ListQuery) -> Result<Page<ApiKey>, Error> {
        self.page(&v1("api-keys"), q).await
    }

    /// `GET /api-keys`, every key.
    pub fn api_keys(&self, q: ListQuery) -> BoxStream<'static, Result<ApiKey, Error>> {
        self.paginate(v1("api-keys"), q)
    }

    /// `POST /api-keys`; the secret is in the answer only.
    pub async fn create_api_key(&self, body: &CreateApiKey) -> Result<CreatedApiKey, Error> {
        self.json(Req::new(Method::POST, v1("api-keys")).idempotent_create().json(body)?).await
    }

    /// `GET /api-keys/{id}`.
    pub async fn api_key(&self, id: ApiKeyId) -> Result<ApiKey, Error> {
        self.json(Req::new(Method::GET, v1(format!("api-keys/{id}")))).await
    }

    /// `DELETE /api-keys/{id}`: revokes the key.
    pub async fn delete_api_key(&self, id: ApiKeyId) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("api-keys/{id}")))).await
    }

    // --- projects ------------------------------------------------------------------------------

    /// `GET /projects`, one page (filter: `name`).
    pub async fn projects_page(&self, q: &ListQuery) -> Result<Page<Project>, Error> {
        self.page(&v1("projects"), q).await
    }

    /// `GET /projects`, every project.
    pub fn projects(&self, q: ListQuery) -> BoxStream<'static, Result<Project, Error>> {
        self.paginate(v1("projects"), q)
    }

    /// The project named exactly `name` (names are unique within a tenant), if any. The
    /// daemon's `name` filter matches substrings: the exact name is picked from its answer.
    pub async fn project_by_name(&self, name: &str) -> Result<Option<Project>, Error> {
        use futures_util::TryStreamExt;
        let mut found = self.projects(ListQuery::limit(200).filter("name", name));
        while let Some(p) = found.try_next().await? {
            if p.name == name {
                return Ok(Some(p));
            }
        }
        Ok(None)
    }

    /// The project named exactly `name`, created (as a [`ProjectKind::Repo`]) when there is none.
    /// Two jobs racing to create it both end with the same project. Scope `project:write` when
    /// it creates; errors as [`Client::create_project`].
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// let project = client.find_or_create_project("payments-api").await?;
    /// # Ok(()) }
    /// ```
    pub async fn find_or_create_project(&self, name: &str) -> Result<Project, Error> {
        self.find_or_create_project_with(&CreateProject::new(name, ProjectKind::Repo)).await
    }

    /// [`Client::find_or_create_project`] with the whole body used when creating.
    pub async fn find_or_create_project_with(&self, body: &CreateProject) -> Result<Project, Error> {
        if let Some(p) = self.project_by_name(&body.name).await? {
            return Ok(p);
        }
        match self.create_project(body).await {
            // Someone created it between the lookup and the create.
            Err(e) if e.is_conflict() => self.project_by_name(&body.name).await?.ok_or(e),
            other => other,
        }
    }

    /// `POST /projects`. Scope `project:write`, role member. Errors: 409 `CONFLICT` (the name is
    /// taken: see [`Client::find_or_create_project`]), 400 `VALIDATION_FAILED`.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::{CreateProject, ProjectKind};
    /// let p = client.create_project(&CreateProject::new("web", ProjectKind::Repo).tag("team-a")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_project(&self, body: &CreateProject) -> Result<Project, Error> {
        self.json(Req::new(Method::POST, v1("projects")).idempotent_create().json(body)?).await
    }

    /// `GET /projects/{id}`.
    pub async fn project(&self, id: ProjectId) -> Result<Project, Error> {
        self.json(Req::new(Method::GET, v1(format!("projects/{id}")))).await
    }

    /// `PATCH /projects/{id}` with `If-Match: "<version>"`; a stale version is a 412
    /// (`PRECONDITION_FAILED`, [`Error::current_version`]).
    pub async fn update_project(
        &self,
        id: ProjectId,
        version: i64,
        body: &UpdateProject,
    ) -> Result<Project, Error> {
        self.json(Req::new(Method::PATCH, v1(format!("projects/{id}"))).if_match(version).json(body)?).await
    }

    /// `DELETE /projects/{id}` with `If-Match`.
    pub async fn delete_project(&self, id: ProjectId, version: i64) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("projects/{id}"))).if_match(version)).await
    }

    // --- versions ------------------------------------------------------------------------------

    /// `GET /projects/{id}/versions`, one page.
    pub async fn versions_page(&self, project: ProjectId, q: &ListQuery) -> Result<Page<Version>, Error> {
        self.page(&v1(format!("projects/{project}/versions")), q).await
    }

    /// `GET /projects/{id}/versions`, every version.
    pub fn versions(&self, project: ProjectId, q: ListQuery) -> BoxStream<'static, Result<Version, Error>> {
        self.paginate(v1(format!("projects/{project}/versions")), q)
    }

    /// The version of `project` named exactly `name`, if any (the version list has no name
    /// filter: the project's versions are read until it is found). Scope `project:read`.
    pub async fn version_by_name(&self, project: ProjectId, name: &str) -> Result<Option<Version>, Error> {
        use futures_util::TryStreamExt;
        let mut found = self.versions(project, ListQuery::limit(200));
        while let Some(v) = found.try_next().await? {
            if v.name == name {
                return Ok(Some(v));
            }
        }
        Ok(None)
    }

    /// The version of `project` named exactly `name`, created (as a draft) when there is none.
    /// Scope `project:write` when it creates.
    pub async fn find_or_create_version(&self, project: ProjectId, name: &str) -> Result<Version, Error> {
        if let Some(v) = self.version_by_name(project, name).await? {
            return Ok(v);
        }
        match self.create_version(project, &CreateVersion::new(name)).await {
            Err(e) if e.is_conflict() => self.version_by_name(project, name).await?.ok_or(e),
            other => other,
        }
    }

    /// `POST /projects/{id}/versions`.
    pub async fn create_version(&self, project: ProjectId, body: &CreateVersion) -> Result<Version, Error> {
        self.json(
            Req::new(Method::POST, v1(format!("projects/{project}/versions")))
                .idempotent_create()
                .json(body)?,
        )
        .await
    }

    /// `GET /versions/{id}`.
    pub async fn version(&self, id: VersionId) -> Result<Version, Error> {
        self.json(Req::new(Method::GET, v1(format!("versions/{id}")))).await
    }

    /// `PATCH /versions/{id}` with `If-Match`.
    pub async fn update_version(
        &self,
        id: VersionId,
        version: i64,
        body: &UpdateVersion,
    ) -> Result<Version, Error> {
        self.json(Req::new(Method::PATCH, v1(format!("versions/{id}"))).if_match(version).json(body)?).await
    }

    /// `PATCH /versions/{id}/release-state` with `If-Match`.
    pub async fn set_release_state(
        &self,
        id: VersionId,
        version: i64,
        body: &ReleaseStateChange,
    ) -> Result<Version, Error> {
        self.json(
            Req::new(Method::PATCH, v1(format!("versions/{id}/release-state")))
                .if_match(version)
                .json(body)?,
        )
        .await
    }

    /// `DELETE /versions/{id}` with `If-Match`.
    pub async fn delete_version(&self, id: VersionId, version: i64) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("versions/{id}"))).if_match(version)).await
    }

    // --- scans ---------------------------------------------------------------------------------

    /// `POST /scans` (202): queues a scan of a git URL or a path on the daemon's machine. Scope
    /// `scan:write`, role member. Errors: 400 `VALIDATION_FAILED` (a URL the daemon will not
    /// clone, a path outside its roots, an unknown project), 429 after the retries.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::CreateScan;
    /// let scan = client.create_scan(&CreateScan::git("https://git.example.com/app.git").git_ref("v2")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn create_scan(&self, body: &CreateScan) -> Result<Scan, Error> {
        self.json(Req::new(Method::POST, v1("scans")).idempotent_create().json(body)?).await
    }

    /// `POST /scans/upload` (multipart `file`, optional `project`, `version`): scans an archive
    /// (tar, tar.gz or zip, told by the file name). Scope `scan:write`. Errors: 400
    /// `VALIDATION_FAILED` naming `body.file`, `body.project` or `body.version`; 413
    /// `PAYLOAD_TOO_LARGE` over the daemon's upload limit.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::Upload;
    /// let bytes = std::fs::read("src.tar.gz").unwrap_or_default();
    /// let scan = client.upload_scan(Upload { file_name: "src.tar.gz".into(), bytes }, None, None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn upload_scan(
        &self,
        file: Upload,
        project: Option<ProjectId>,
        version: Option<VersionId>,
    ) -> Result<Scan, Error> {
        let mut fields = Vec::new();
        if let Some(p) = project {
            fields.push(("project".to_owned(), p.to_string()));
        }
        if let Some(v) = version {
            fields.push(("version".to_owned(), v.to_string()));
        }
        let mut req = Req::new(Method::POST, v1("scans/upload")).idempotent_create();
        req.body = file.into_body(fields);
        self.json(req).await
    }

    /// `POST /sboms/ingest` (multipart `file`): matches an existing CycloneDX or SPDX document.
    pub async fn ingest_sbom(&self, file: Upload) -> Result<Scan, Error> {
        let mut req = Req::new(Method::POST, v1("sboms/ingest")).idempotent_create();
        req.body = file.into_body(Vec::new());
        self.json(req).await
    }

    /// `POST /sboms/ingest` into the project and version named `project` and `version`, each
    /// created when missing (as Dependency-Track's BOM upload with `autoCreate`). Scopes
    /// `sbom:write`, and `project:write` when it creates; a document the daemon cannot read is a
    /// 400 `VALIDATION_FAILED` naming `body.file`.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::Upload;
    /// let bytes = std::fs::read("bom.json").unwrap_or_default();
    /// let scan = client
    ///     .ingest_sbom_to(Upload { file_name: "bom.json".into(), bytes }, "payments-api", "2.4.0")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn ingest_sbom_to(&self, file: Upload, project: &str, version: &str) -> Result<Scan, Error> {
        let p = self.find_or_create_project(project).await?;
        let v = self.find_or_create_version(p.id, version).await?;
        let fields = vec![("project".to_owned(), p.id.to_string()), ("version".to_owned(), v.id.to_string())];
        let mut req = Req::new(Method::POST, v1("sboms/ingest")).idempotent_create();
        req.body = file.into_body(fields);
        self.json(req).await
    }

    /// `GET /scans`, one page (filters such as `status`, `project`).
    pub async fn scans_page(&self, q: &ListQuery) -> Result<Page<Scan>, Error> {
        self.page(&v1("scans"), q).await
    }

    /// `GET /scans`, every scan.
    pub fn scans(&self, q: ListQuery) -> BoxStream<'static, Result<Scan, Error>> {
        self.paginate(v1("scans"), q)
    }

    /// `GET /scans/{id}`: the scan, its status and counts. Scope `scan:read`. Errors: 404
    /// `NOT_FOUND` (no such scan in the tenant).
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::ScanId) -> Result<(), cairn_sdk::Error> {
    /// let scan = client.scan(id).await?;
    /// println!("{} {}%", scan.status, scan.percent);
    /// # Ok(()) }
    /// ```
    pub async fn scan(&self, id: ScanId) -> Result<Scan, Error> {
        self.json(Req::new(Method::GET, v1(format!("scans/{id}")))).await
    }

    /// `GET /scans/{id}/gate-result`: the policy gate evaluated at the scan's end.
    pub async fn scan_gate_result(&self, id: ScanId) -> Result<GateResult, Error> {
        self.json(Req::new(Method::GET, v1(format!("scans/{id}/gate-result")))).await
    }

    /// `GET /projects/{id}/gate-result`: the gate of the project's latest completed scan.
    pub async fn project_gate_result(&self, id: ProjectId) -> Result<GateResult, Error> {
        self.json(Req::new(Method::GET, v1(format!("projects/{id}/gate-result")))).await
    }

    /// `POST /scans/{id}/cancel`.
    pub async fn cancel_scan(&self, id: ScanId) -> Result<Scan, Error> {
        self.json(Req::new(Method::POST, v1(format!("scans/{id}/cancel")))).await
    }

    /// `GET /scans/{id}/components`, every component (cursor-paged).
    pub fn scan_components(
        &self,
        id: ScanId,
        q: ListQuery,
    ) -> BoxStream<'static, Result<ScanComponent, Error>> {
        self.paginate(v1(format!("scans/{id}/components")), q)
    }

    /// `GET /scans/{id}/findings`, every finding (cursor-paged).
    pub fn scan_findings(&self, id: ScanId, q: ListQuery) -> BoxStream<'static, Result<ScanFinding, Error>> {
        self.paginate(v1(format!("scans/{id}/findings")), q)
    }

    /// `GET /scans/{id}/dependencies`, every dependency edge (the Dependencies tree).
    pub fn scan_dependencies(&self, id: ScanId, q: ListQuery) -> BoxStream<'static, Result<ScanEdge, Error>> {
        self.paginate(v1(format!("scans/{id}/dependencies")), q)
    }

    /// `GET /scans/{id}/licenses`, every license row.
    pub fn scan_licenses(&self, id: ScanId, q: ListQuery) -> BoxStream<'static, Result<ScanLicense, Error>> {
        self.paginate(v1(format!("scans/{id}/licenses")), q)
    }

    /// `GET /scans/{id}/crypto-assets`, every asset.
    pub fn scan_crypto_assets(
        &self,
        id: ScanId,
        q: ListQuery,
    ) -> BoxStream<'static, Result<CryptoAsset, Error>> {
        self.paginate(v1(format!("scans/{id}/crypto-assets")), q)
    }

    /// `GET /scans/{id}/diagnostics`, everything the scan could not read fully, in scan order.
    pub fn scan_diagnostics(
        &self,
        id: ScanId,
        q: ListQuery,
    ) -> BoxStream<'static, Result<ScanDiagnostic, Error>> {
        self.paginate(v1(format!("scans/{id}/diagnostics")), q)
    }

    /// `GET /scans/{id}/warnings`, every informational advisory (unmaintained, unsound, notice)
    /// that applies to the scan's components, in scan order.
    pub fn scan_warnings(&self, id: ScanId, q: ListQuery) -> BoxStream<'static, Result<ScanWarning, Error>> {
        self.paginate(v1(format!("scans/{id}/warnings")), q)
    }

    /// `GET /scans/{id}/events`, every progress event so far.
    pub fn scan_events(&self, id: ScanId, q: ListQuery) -> BoxStream<'static, Result<ScanEvent, Error>> {
        self.paginate(v1(format!("scans/{id}/events")), q)
    }

    /// `GET /scans/{id}/bom?format=…`: the stored document's bytes. Scope `bom:read`. Errors:
    /// 409 `SCAN_NOT_COMPLETED` until the scan completes, 404 `NOT_FOUND`.
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, id: cairn_sdk::types::ScanId) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::BomFormat;
    /// let sarif = client.scan_bom(id, BomFormat::Sarif).await?;
    /// # Ok(()) }
    /// ```
    pub async fn scan_bom(&self, id: ScanId, format: BomFormat) -> Result<Vec<u8>, Error> {
        let req = Req::new(Method::GET, v1(format!("scans/{id}/bom")))
            .query([("format".to_owned(), format.as_str().to_owned())]);
        let resp = self.send(req).await?;
        Ok(resp.bytes().await.map_err(Error::Transport)?.to_vec())
    }

    /// `GET /scans/{id}/bom?format=`, streamed: the answer's headers have arrived (errors are
    /// told here, as for [`Client::scan_bom`]), the body comes through [`Download::chunk`] or
    /// [`Download::save_to`]; [`Download::etag`], [`Download::media_type`] and
    /// [`Download::file_name`] describe it.
    pub async fn scan_bom_download(&self, id: ScanId, format: BomFormat) -> Result<Download, Error> {
        let req = Req::new(Method::GET, v1(format!("scans/{id}/bom")))
            .query([("format".to_owned(), format.as_str().to_owned())]);
        Ok(Download { resp: self.send(req).await? })
    }

    // --- findings and triage -------------------------------------------------------------------

    /// `GET /findings`, one page. Filters (`ListQuery::filter`): `project`, `scan`, `severity`,
    /// `state` (a triage state, or `untriaged`), `vulnerability`, `purl`. Without `scan`, the
    /// findings of each project's latest completed scan.
    pub async fn findings_page(&self, q: &ListQuery) -> Result<Page<Finding>, Error> {
        self.page(&v1("findings"), q).await
    }

    /// `GET /findings`, every finding matching the filters.
    pub fn findings(&self, q: ListQuery) -> BoxStream<'static, Result<Finding, Error>> {
        self.paginate(v1("findings"), q)
    }

    /// `GET /findings/{id}`: the finding, its triage and the advisory's details.
    pub async fn finding(&self, id: &str) -> Result<Finding, Error> {
        self.json(Req::new(Method::GET, v1(format!("findings/{id}")))).await
    }

    /// `PATCH /findings/{id}` with `If-Match: "<version>"` ([`Finding::etag_version`]): triage.
    /// Scope `finding:triage`. Someone else's change in between is a 412
    /// ([`Error::is_precondition_failed`]); fetch again and retry. 400 `VALIDATION_FAILED` when
    /// `not_affected` has neither a justification nor a note. Retried on 429/503 (the If-Match
    /// makes a repeat safe).
    ///
    /// ```no_run
    /// # async fn demo(client: cairn_sdk::Client, f: cairn_sdk::types::Finding) -> Result<(), cairn_sdk::Error> {
    /// use cairn_sdk::types::{Justification, TriageState, TriageUpdate};
    /// let update = TriageUpdate::new()
    ///     .state(TriageState::NotAffected)
    ///     .justification(Justification::VulnerableCodeNotInExecutePath);
    /// client.triage_finding(&f.finding.id, f.etag_version(), &update).await?;
    /// # Ok(()) }
    /// ```
    pub async fn triage_finding(
        &self,
        id: &str,
        version: i64,
        body: &TriageUpdate,
    ) -> Result<Finding, Error> {
        self.json(Req::new(Method::PATCH, v1(format!("findings/{id}"))).if_match(version).json(body)?).await
    }

    // --- vulnerability data --------------------------------------------------------------------

    /// `GET /vulndb/status`.
    pub async fn vulndb_status(&self) -> Result<VulnDbStatus, Error> {
        self.json(Req::new(Method::GET, v1("vulndb/status"))).await
    }
}
