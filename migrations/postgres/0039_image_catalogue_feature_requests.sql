-- Issue 21: the image catalogue and feature requests.
-- A scan of a registry image records the digest its reference resolved to when it was pulled:
-- `image_digest` is what the tag named (the index of a multi-platform image, else the manifest),
-- as registries list a tag's history; `image_manifest_digest` is the platform's image manifest
-- that was read. Both NULL for every other source (and for image scans from before).
ALTER TABLE scans ADD COLUMN image_digest TEXT;
ALTER TABLE scans ADD COLUMN image_manifest_digest TEXT;
-- A version's scan history and latest digest are read by version.
CREATE INDEX scans_version ON scans (tenant_id, version_id, created_at, id);

-- Feedback a tenant's members give the operators: a feature, a package to support or a bug,
-- with its status (set by tenant admins, `version` for If-Match). The `feature_requests` table of
-- 0001 was never used by any code and had no kind, version or status rule, so it is replaced
-- rather than altered (its index goes with it).
DROP TABLE feature_requests;

CREATE TABLE feature_requests (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('feature', 'package', 'bug')),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'planned', 'in_progress', 'done', 'declined')),
    requested_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    status_note TEXT,
    status_changed_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    status_changed_at TEXT,
    version BIGINT NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX feature_requests_tenant_created ON feature_requests (tenant_id, created_at, id);
