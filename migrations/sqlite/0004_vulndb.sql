-- Vulnerability data shared by every replica: the OSV records per source, what each source is
-- (mirror ecosystem or operator import) and how its last check went. The generation id that
-- changes with every successful change lives in `settings` under `vulndb_generation`.
CREATE TABLE vulndb_sources (
    name TEXT PRIMARY KEY,
    origin TEXT NOT NULL,
    location TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    advisories BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT,
    checked_at TEXT,
    last_error TEXT
);

CREATE TABLE osv_records (
    source TEXT NOT NULL REFERENCES vulndb_sources (name) ON DELETE CASCADE,
    id TEXT NOT NULL,
    modified TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (source, id)
);
