-- Mail the daemon would send: kept here for administrators to read when no SMTP is configured.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX outbox_created ON outbox (created_at);

CREATE INDEX password_resets_user ON password_resets (user_id);

-- The audit log is append-only: the database itself refuses to change or remove a row.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- One successor per row: two writers racing for the same tail cannot fork the chain.
CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log (prev_hash);
