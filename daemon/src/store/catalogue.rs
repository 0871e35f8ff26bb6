//! The image catalogue's placement: the project a registry image's scan lands in (named by its
//! repository) and the version (named by its tag), found or created. Two scans racing to create
//! the same one both end with the row the first made: a unique violation is read back.

use cairn_sdk::types::{CreateProject, CreateVersion, Project, ProjectId, ProjectKind, TenantId, Version};

use super::{Store, StoreError, StoreResult};

impl Store {
    /// The tenant's project named `name`, created as an `image` project when there is none.
    pub async fn image_project_find_or_create(&self, tenant: TenantId, name: &str) -> StoreResult<Project> {
        match self.project_by_name(tenant, name).await {
            Err(StoreError::NotFound) => {}
            other => return other,
        }
        let new = CreateProject {
            name: name.to_owned(),
            kind: ProjectKind::Image,
            repo_url: None,
            default_ref: None,
            team_id: None,
            tags: Vec::new(),
        };
        match self.project_create(tenant, &new).await {
            Err(StoreError::Conflict(_)) => self.project_by_name(tenant, name).await,
            other => other,
        }
    }

    /// The version named `name` of `project`, created as a draft when there is none.
    pub async fn version_find_or_create(
        &self,
        tenant: TenantId,
        project: ProjectId,
        name: &str,
    ) -> StoreResult<Version> {
        match self.version_by_name(tenant, project, name).await {
            Err(StoreError::NotFound) => {}
            other => return other,
        }
        let new = CreateVersion { name: name.to_owned(), support_until: None };
        match self.version_create(tenant, project, &new).await {
            Err(StoreError::Conflict(_)) => self.version_by_name(tenant, project, name).await,
            other => other,
        }
    }
}
