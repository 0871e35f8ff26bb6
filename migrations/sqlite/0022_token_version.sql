-- Issue 16, sessions end when they should: access tokens carry the user's token version, and a
-- password change, reset or deactivation bumps it, so tokens issued before stop working at once.
ALTER TABLE users ADD COLUMN token_version BIGINT NOT NULL DEFAULT 0;
