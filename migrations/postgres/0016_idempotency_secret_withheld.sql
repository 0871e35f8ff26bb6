-- Idempotency responses that carried a one-time secret (a new API key, an invite token) are
-- not kept: the row only remembers that the request succeeded, so a replay answers 409.
ALTER TABLE idempotency_keys ADD COLUMN secret_withheld BIGINT NOT NULL DEFAULT 0;
