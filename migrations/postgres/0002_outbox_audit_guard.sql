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
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();

-- One successor per row: two writers racing for the same tail cannot fork the chain.
CREATE UNIQUE INDEX audit_log_prev_hash ON audit_log (prev_hash);
