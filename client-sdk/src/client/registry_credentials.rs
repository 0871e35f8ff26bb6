//! The tenant's registry credentials (tenant admins): logins the daemon pulls private images
//! with. Write-only: what comes back never holds the password.

use futures_util::stream::BoxStream;
use reqwest::Method;

use super::{Client, Error, ListQuery, Req};
use crate::types::{CreateRegistryCredential, Page, RegistryCredential, RegistryCredentialId};

fn v1(path: impl std::fmt::Display) -> String {
    format!("api/v1/{path}")
}

impl Client {
    /// `GET /registry-credentials`, one page.
    pub async fn registry_credentials_page(&self, q: &ListQuery) -> Result<Page<RegistryCredential>, Error> {
        self.page(&v1("registry-credentials"), q).await
    }

    /// `GET /registry-credentials`, every credential, as a stream.
    pub fn registry_credentials(
        &self,
        q: ListQuery,
    ) -> BoxStream<'static, Result<RegistryCredential, Error>> {
        self.paginate(v1("registry-credentials"), q)
    }

    /// `POST /registry-credentials`: stores a user name and password for a registry. A daemon
    /// without a credentials key answers `GIT_CREDENTIALS_DISABLED` (409).
    pub async fn create_registry_credential(
        &self,
        body: &CreateRegistryCredential,
    ) -> Result<RegistryCredential, Error> {
        self.json(Req::new(Method::POST, v1("registry-credentials")).idempotent_create().json(body)?).await
    }

    /// `DELETE /registry-credentials/{id}`.
    pub async fn delete_registry_credential(&self, id: RegistryCredentialId) -> Result<(), Error> {
        self.empty(Req::new(Method::DELETE, v1(format!("registry-credentials/{id}")))).await
    }
}
