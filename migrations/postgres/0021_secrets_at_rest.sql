-- Issue 16, secrets at rest. The JWT signing secret no longer lives in the database (whoever read
-- a dump could forge super-admin tokens); it comes from configuration, and the daemon says so at
-- startup when this row was present.
DELETE FROM settings WHERE key = 'jwt_secret';

-- A mail's one-time secret (a password-reset token) is kept apart from its body, only until the
-- mail is delivered; the body holds a placeholder, so the admin outbox never shows the secret.
ALTER TABLE outbox ADD COLUMN secret TEXT;
ALTER TABLE outbox ADD COLUMN sent_at TEXT;

-- Mails queued before this carried reset tokens in their body: withhold those bodies and void the
-- tokens (they lived an hour at most; the user asks again).
UPDATE outbox SET body = '(withheld: this mail carried a password-reset token)' WHERE body LIKE '%Reset token: cpr%';
UPDATE password_resets SET used_at = created_at WHERE used_at IS NULL;
