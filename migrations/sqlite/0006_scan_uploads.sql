-- Uploaded archives and SBOM documents waiting for their scan: kept in the database so whichever
-- replica claims the job can read them, and deleted when the scan ends.

CREATE TABLE scan_uploads (
    scan_id TEXT PRIMARY KEY REFERENCES scans (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    created_at TEXT NOT NULL
);
