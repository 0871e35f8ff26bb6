-- CVE watches (issue 18). The `cve_watches` table of 0001 was never used by any code and could
-- only name an advisory (`vulnerability_id` NOT NULL and unique per tenant), so it is replaced
-- rather than altered: a watch names an advisory (id or alias) or a package (purl, optionally a
-- version range). `target_key` is the watch's identity (one watch per target and tenant).
DROP TABLE cve_watches;

CREATE TABLE cve_watches (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('advisory', 'package')),
    advisory TEXT,
    purl TEXT,
    version_range TEXT,
    target_key TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    UNIQUE (tenant_id, target_key)
);

-- Each (watch, project, advisory, component) hits once: the row is written in the transaction
-- that appends its `cve_watch.hit` event (`event_id`), or at the watch's creation for what was
-- already there (`event_id` NULL), so a re-match or a replayed event adds nothing. `advisory` is
-- '' for a package watch's hit. `scan_id` names the scan it was found in, without a foreign key:
-- the hit stays when older scans are deleted.
CREATE TABLE cve_watch_hits (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    watch_id TEXT NOT NULL REFERENCES cve_watches (id) ON DELETE CASCADE,
    project_id TEXT NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    scan_id TEXT NOT NULL,
    advisory TEXT NOT NULL,
    purl TEXT NOT NULL,
    finding_id TEXT,
    severity TEXT,
    event_id TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (watch_id, project_id, advisory, purl)
);
CREATE INDEX cve_watch_hits_watch ON cve_watch_hits (watch_id, created_at, id);
