-- Issue 16, point 1: per-tenant git credentials for private repositories. `sealed` is the secret
-- (token or ssh key) encrypted with the daemon's git credentials key, the tenant id as associated
-- data (base64 of nonce || ciphertext || tag); nothing here is readable without that key.
CREATE TABLE git_credentials (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    host_pattern TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('token', 'ssh_key')),
    username TEXT,
    sealed TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (tenant_id, host_pattern)
);
