-- Issue 16, uploads stream: an upload may be kept as a file (its path here) instead of its bytes.
-- `content` becomes optional; rows from before keep their bytes and still work. SQLite cannot drop
-- NOT NULL in place, so the table is rebuilt (nothing references it).
CREATE TABLE scan_uploads_new (
    scan_id TEXT PRIMARY KEY REFERENCES scans (id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB,
    path TEXT,
    created_at TEXT NOT NULL,
    CHECK (content IS NOT NULL OR path IS NOT NULL)
);
INSERT INTO scan_uploads_new (scan_id, tenant_id, filename, media_type, bytes, sha256, content, path, created_at)
    SELECT scan_id, tenant_id, filename, media_type, bytes, sha256, content, NULL, created_at FROM scan_uploads;
DROP TABLE scan_uploads;
ALTER TABLE scan_uploads_new RENAME TO scan_uploads;
