-- OAuth / OIDC logins: the pending authorization requests (state, PKCE verifier, nonce), the
-- one-time codes a finished login hands to `redirect_to`, and the email an identity came with.

CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    nonce TEXT NOT NULL,
    redirect_to TEXT,
    link_user_id TEXT REFERENCES users (id) ON DELETE CASCADE,
    invite_token_hash TEXT,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX oauth_states_expires ON oauth_states (expires_at);

CREATE TABLE oauth_login_codes (
    code_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);

ALTER TABLE oauth_identities ADD COLUMN email TEXT;
