//! Projects: what Cairn tracks over time (a repository, an image, a product).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::time_fmt::rfc3339;
use super::{ProductProfile, ProjectId, ScanCounts, ScanId, TeamId};

/// What a project is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ProjectKind {
    /// A source repository.
    Repo,
    /// A container image.
    Image,
    /// A product assembled from several parts.
    Product,
}

impl ProjectKind {
    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            ProjectKind::Repo => "repo",
            ProjectKind::Image => "image",
            ProjectKind::Product => "product",
        }
    }

    /// Parses the wire and storage name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "repo" => ProjectKind::Repo,
            "image" => ProjectKind::Image,
            "product" => ProjectKind::Product,
            _ => return None,
        })
    }
}

/// A project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Project {
    /// Id.
    pub id: ProjectId,
    /// Unique within the tenant.
    pub name: String,
    /// Repo, image or product.
    pub kind: ProjectKind,
    /// Where the source lives.
    pub repo_url: Option<String>,
    /// Branch or tag scanned by default.
    pub default_ref: Option<String>,
    /// Owning team.
    pub team_id: Option<TeamId>,
    /// Free-form labels.
    pub tags: Vec<String>,
    /// The product fields the CRA names (category, support period, security contact,
    /// vulnerability handling policy, conformity route); each absent until stated.
    #[serde(default)]
    pub product: ProductProfile,
    /// Row version, also sent as the `ETag`; `If-Match` takes it.
    pub version: i64,
    /// Created.
    #[serde(with = "rfc3339")]
    pub created_at: OffsetDateTime,
    /// Last changed.
    #[serde(with = "rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Risk from the latest completed scan; absent until one completes (and from daemons older
    /// than this field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<ProjectRisk>,
}

/// A project's risk at a glance: what its latest completed scan found, less what triage settled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProjectRisk {
    /// The latest completed scan.
    pub scan_id: ScanId,
    /// When it finished.
    #[serde(with = "rfc3339")]
    pub scanned_at: OffsetDateTime,
    /// Its counts (components, findings by severity, …).
    pub counts: ScanCounts,
    /// Findings with no triage yet, or triaged `in_triage` or `affected`.
    pub open_findings: u64,
    /// Its post-quantum readiness score (0–100), when it has one.
    #[serde(default)]
    pub pqc_score: Option<u8>,
}

/// `POST /projects`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateProject {
    /// 1-200 characters, unique within the tenant.
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 200))]
    pub name: String,
    /// Repo, image or product.
    pub kind: ProjectKind,
    /// `https://`, `http://`, `ssh://` or `git@` URL.
    #[serde(default)]
    pub repo_url: Option<String>,
    /// Branch or tag.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 255))]
    pub default_ref: Option<String>,
    /// Owning team (of the same tenant).
    #[serde(default)]
    pub team_id: Option<TeamId>,
    /// Labels, each 1-64 characters, at most 50.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = tags_schema))]
    pub tags: Vec<String>,
}

/// `PATCH /projects/{id}` (needs `If-Match`). Absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateProject {
    /// New name.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 200))]
    pub name: Option<String>,
    /// New kind.
    #[serde(default)]
    pub kind: Option<ProjectKind>,
    /// New repository URL.
    #[serde(default)]
    pub repo_url: Option<String>,
    /// New default ref.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = "cairn-text", min_length = 1, max_length = 255))]
    pub default_ref: Option<String>,
    /// New owning team.
    #[serde(default)]
    pub team_id: Option<TeamId>,
    /// New labels (replace the old ones).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(schema_with = tags_or_null_schema))]
    pub tags: Option<Vec<String>>,
    /// New product fields (replace the old ones whole; `{}` clears them).
    #[serde(default)]
    pub product: Option<ProductProfile>,
}

/// Most labels a project takes.
pub const MAX_TAGS: usize = 50;
/// Most characters of one label (the name-like text rule, [`super::check_text`]).
pub const MAX_TAG_CHARS: usize = 64;

/// A project's labels: at most [`MAX_TAGS`], each a name-like text of at most [`MAX_TAG_CHARS`].
#[cfg(feature = "openapi")]
fn tags_array() -> utoipa::openapi::schema::ArrayBuilder {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaFormat, Type};
    let tag = ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::Custom(super::TEXT_FORMAT.to_owned())))
        .min_length(Some(1))
        .max_length(Some(MAX_TAG_CHARS));
    ArrayBuilder::new().items(tag).max_items(Some(MAX_TAGS))
}

#[cfg(feature = "openapi")]
fn tags_schema() -> utoipa::openapi::schema::Array {
    tags_array().description(Some("Labels, each 1-64 characters, at most 50.")).build()
}

#[cfg(feature = "openapi")]
fn tags_or_null_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{SchemaType, Type};
    tags_array()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .description(Some("New labels (replace the old ones), each 1-64 characters, at most 50."))
        .build()
}
