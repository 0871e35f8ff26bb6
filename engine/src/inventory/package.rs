//! A package as one manifest or lockfile declares it, before packages from several files are merged.

use super::{DeclaredLicense, DistroPackage, Ecosystem, PurlError, purl};
use serde::{Deserialize, Serialize};

/// How a package is needed by the project: Cairn's one [`cairn_vocab::DependencyScope`] under
/// the engine's name (ordered strongest first, so merging declarations keeps the minimum).
pub use cairn_vocab::DependencyScope as Scope;

/// Where a package comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// The ecosystem's registry; `url` is set when the lockfile names a non-default one.
    #[default]
    Registry,
    /// A registry other than the ecosystem's default.
    #[serde(rename = "alt-registry")]
    AltRegistry {
        /// The registry's URL as the lockfile gives it.
        url: String,
    },
    /// A git repository.
    Git {
        /// Repository URL.
        url: String,
        /// Commit, tag or branch when known.
        #[serde(skip_serializing_if = "Option::is_none")]
        rev: Option<String>,
    },
    /// A direct download URL (tarball, wheel, …).
    Url {
        /// The URL.
        url: String,
    },
    /// A path in the project itself: a workspace member or a path dependency. Such packages are
    /// the project's own code, not third-party components.
    Local {
        /// The path as the manifest gives it.
        path: String,
    },
}

impl Source {
    /// True for the project's own packages (workspace members, path dependencies).
    pub fn is_local(&self) -> bool {
        matches!(self, Source::Local { .. })
    }
}

/// A checksum of a package's distribution, as the lockfile records it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hash {
    /// The algorithm in CycloneDX spelling (`SHA-256`, `SHA-512`, `SHA-1`, `MD5`, `SHA-384`), or an
    /// ecosystem-specific name such as `go-h1` (Go's directory hash) that standard formats cannot carry.
    pub algorithm: String,
    /// Lowercase hex for the standard algorithms; the ecosystem's own encoding otherwise.
    pub value: String,
}

impl Hash {
    /// A hash with the given algorithm and value.
    pub fn new(algorithm: impl Into<String>, value: impl Into<String>) -> Self {
        Self { algorithm: algorithm.into(), value: value.into() }
    }
}

/// Where in the tree something was declared.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Location {
    /// File path relative to the scan root, `/`-separated.
    pub path: String,
    /// 1-based line, when cheap to know.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Location {
    /// A location in `path`, at `line` when known.
    pub fn new(path: impl Into<String>, line: Option<u32>) -> Self {
        Self { path: path.into(), line }
    }
}

/// One package declared by one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Package {
    /// Its ecosystem.
    pub ecosystem: Ecosystem,
    /// The ecosystem-native full name (`@scope/pkg`, `group:artifact`, `vendor/pkg`, a Go module path).
    pub name: String,
    /// The exact version pinned (may be empty for local packages that declare none).
    pub version: String,
    /// The package URL, unique per component.
    pub purl: String,
    /// How it is needed.
    pub scope: Scope,
    /// `Some(true)` when the project depends on it directly, `Some(false)` when only transitively,
    /// `None` when the format does not say.
    pub direct: Option<bool>,
    /// Where it comes from.
    pub source: Source,
    /// Checksums the file records.
    pub hashes: Vec<Hash>,
    /// Which file (and line) declared it.
    pub location: Location,
    /// The licenses the file states for it, verbatim (several for SPDX-less formats that list them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<DeclaredLicense>,
    /// The version requirement a manifest declares (`^1.2`, `>=2,<3`) when no lockfile resolved it;
    /// `version` is then empty unless the requirement pins one exact version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub constraint: Option<String>,
    /// For an operating-system package: its release and source package, which advisories name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distro: Option<DistroPackage>,
}

impl Package {
    /// A registry package, required, with nothing else known yet. Fails when no valid purl can be
    /// built from the name (catalogers turn that into a diagnostic).
    pub fn new(
        ecosystem: Ecosystem,
        name: impl Into<String>,
        version: impl Into<String>,
        location: Location,
    ) -> Result<Self, PurlError> {
        let name = name.into();
        let version = version.into();
        let purl = purl(ecosystem, &name, &version, &[])?;
        Ok(Self {
            ecosystem,
            name,
            version,
            purl,
            scope: Scope::Required,
            direct: None,
            source: Source::Registry,
            hashes: Vec::new(),
            location,
            licenses: Vec::new(),
            constraint: None,
            distro: None,
        })
    }

    /// Records the version requirement a manifest declares (blank text is ignored).
    pub fn constraint(mut self, requirement: &str) -> Self {
        let requirement = requirement.trim();
        if !requirement.is_empty() {
            self.constraint = Some(requirement.to_string());
        }
        self
    }

    /// Sets the scope.
    pub fn scope(mut self, scope: Scope) -> Self {
        self.scope = scope;
        self
    }

    /// Sets whether the project depends on it directly.
    pub fn direct(mut self, direct: bool) -> Self {
        self.direct = Some(direct);
        self
    }

    /// Adds a hash.
    pub fn hash(mut self, hash: Hash) -> Self {
        self.hashes.push(hash);
        self
    }

    /// Adds a declared license, as written, stated at `location`; blank text is ignored.
    pub fn license(mut self, raw: &str, location: Location) -> Self {
        let raw = raw.trim();
        if !raw.is_empty() {
            self.licenses.push(DeclaredLicense { raw: raw.to_string(), location });
        }
        self
    }

    /// Sets the source, and for git, URL and alternative-registry sources adds the purl qualifier
    /// (`vcs_url`, `download_url`, `repository_url`) that tells it apart from the registry package of
    /// the same name and version.
    pub fn source(mut self, source: Source) -> Result<Self, PurlError> {
        let qualifier = match &source {
            Source::Git { url, rev } => Some((
                "vcs_url",
                match rev {
                    Some(rev) => format!("{}@{rev}", git_url(url)),
                    None => git_url(url),
                },
            )),
            Source::Url { url } => Some(("download_url", url.clone())),
            Source::AltRegistry { url } => Some(("repository_url", url.clone())),
            Source::Registry | Source::Local { .. } => None,
        };
        if let Some((key, value)) = qualifier {
            self.purl = purl(self.ecosystem, &self.name, &self.version, &[(key, &value)])?;
        }
        self.source = source;
        Ok(self)
    }
}

/// `vcs_url` values carry the VCS tool as a scheme prefix (`git+https://…`), per the purl spec.
fn git_url(url: &str) -> String {
    if url.starts_with("git+") || url.starts_with("git://") { url.to_string() } else { format!("git+{url}") }
}

/// A dependency edge between two packages, by purl.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Edge {
    /// The depending package.
    pub from: String,
    /// The package depended on.
    pub to: String,
}

impl Edge {
    /// An edge `from` → `to`.
    pub fn new(from: impl Into<String>, to: impl Into<String>) -> Self {
        Self { from: from.into(), to: to.into() }
    }
}
