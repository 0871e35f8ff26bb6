-- Issue 16 (points 11 and 13) and issue 18 (mail): the outbox becomes a delivery queue.
-- `next_attempt_at` is when a sender may next try the mail (NULL: nothing to do, because it was
-- delivered, given up, or no transport was configured); `has_secret` remembers that it carried
-- a one-time secret (so one whose secret expired first is given up, never sent without it); `attempts` and `last_error` show
-- administrators why a mail is still waiting; `failed_at` marks one given up. Senders claim a due
-- mail by moving its `next_attempt_at` forward (a lease), so replicas never send it twice at once.
-- Mails queued before this migration are not scheduled: they were written for a daemon without a
-- transport, and any secret they held has expired.
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN next_attempt_at TEXT;
ALTER TABLE outbox ADD COLUMN failed_at TEXT;
ALTER TABLE outbox ADD COLUMN has_secret INTEGER NOT NULL DEFAULT 0;
CREATE INDEX outbox_due ON outbox (next_attempt_at);

-- Open registration is verified by mail (issue 16 point 13): the request is kept here, under the
-- SHA-256 of the mailed token, until the token comes back or expires. The password is stored as
-- its argon2id hash only. Several pending requests may name one address (only the mailbox's
-- owner can complete one).
CREATE TABLE registration_requests (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    display_name TEXT,
    tenant_name TEXT,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
CREATE INDEX registration_requests_email ON registration_requests (email);
