-- Issue 21, point 2: per-tenant container registry credentials, stored like git credentials
-- (0023): the registry (`host[:port]`, exact, lower case) and user name in clear, `sealed` the
-- password or token encrypted with the daemon's git credentials key, the tenant id as associated
-- data. Used only for that tenant's image pulls, never returned.
CREATE TABLE registry_credentials (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    registry TEXT NOT NULL,
    username TEXT NOT NULL,
    sealed TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (tenant_id, registry)
);
