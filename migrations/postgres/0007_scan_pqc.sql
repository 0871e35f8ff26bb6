-- The post-quantum readiness of a scan (methodology, score, counts; JSON like `counts`), written
-- with its results; and what kind of tenant a tenant is, for the partner CBOM surface.
-- Tenants that existed before this migration were not recorded as self-registered: organization.

ALTER TABLE scans ADD COLUMN pqc TEXT;
ALTER TABLE tenants ADD COLUMN kind TEXT NOT NULL DEFAULT 'organization' CHECK (kind IN ('personal', 'organization'));
