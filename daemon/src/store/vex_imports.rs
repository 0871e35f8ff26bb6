//! VEX imports: one row per document imported into a project (format, document key, digest,
//! counts and the unmatched statements as JSON), so each import the triage names is on record.

use cairn_sdk::types::{ProjectId, TenantId, UserId, VexImportId};

use super::{Store, StoreResult, now, ts};

/// An import to record.
#[derive(Debug, Clone)]
pub struct NewVexImport<'a> {
    /// The import's id (the triage it set names it).
    pub id: VexImportId,
    /// The project.
    pub project: ProjectId,
    /// `openvex`, `cyclonedx` or `csaf`.
    pub format: &'a str,
    /// The document's own id, else its SHA-256.
    pub document: &'a str,
    /// SHA-256 of the bytes.
    pub sha256: &'a str,
    /// Statements read.
    pub statements: i64,
    /// (statement, finding) pairs applied.
    pub applied: i64,
    /// Of which changed a triage.
    pub changed: i64,
    /// The unmatched statements (JSON of the wire list).
    pub unmatched: &'a str,
    /// Who.
    pub by: UserId,
}

impl Store {
    /// Records an import; returns its time.
    pub async fn vex_import_record(
        &self,
        tenant: TenantId,
        new: &NewVexImport<'_>,
    ) -> StoreResult<time::OffsetDateTime> {
        let at = now();
        sqlx::query(
            "INSERT INTO vex_imports (id, tenant_id, project_id, format, document, sha256, statements, applied, \
             changed, unmatched, imported_by, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(new.id.to_string())
        .bind(tenant.to_string())
        .bind(new.project.to_string())
        .bind(new.format)
        .bind(new.document)
        .bind(new.sha256)
        .bind(new.statements)
        .bind(new.applied)
        .bind(new.changed)
        .bind(new.unmatched)
        .bind(new.by.to_string())
        .bind(ts(at))
        .execute(self.pool())
        .await?;
        Ok(at)
    }
}
