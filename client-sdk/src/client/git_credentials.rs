//! The tenant's git credentials (tenant admins): tokens and ssh keys the daemon clones private
//! repositories with. Write-only: what comes back never holds the secret.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{CreateGitCredential, GitCredential, GitCredentialId, Page};

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

impl Client {
    /// `GET /git-credentials`, one page.
    pub async fn git_credentials_page(&self, q: &ListQuery) -> Result<Page<GitCredential>, Error> {
        self.page(&v1("git-credentials"), q).await
    }

    /// `GET /git-credentials`, every credential, as a stream.
    pub fn git_credentials(&self, q: ListQuery) -> BoxStream<'static, Result<GitCredential, Error>> {
        self.paginate(v1("git-credentials"), q)
    }

    /// `POST /git-credentials`: stores a token or ssh key for a host pattern. A daemon without a
    /// git credentials key answers `GIT_CREDENTIALS_DISABLED` (409).
    pub async fn create_git_credential(&self, body: &CreateGitCredential) -> Result<GitCredential, Error> {
        self.json(Req::new(Method::POST, v1("git-credentials")).idempotent_create().json(body)?).await
    }

    /// `DELETE /git-credentials/{id}`.
    pub async fn delete_git_credential(&self, id: GitCredentialId) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("git-credentials/{id}")))).await
    }
}
