-- The event outbox (issue 18): one row per domain event, written in the transaction that made the
-- change. `seq` numbers a tenant's events 1, 2, 3, … without gaps: the tenant's counter row is
-- updated in that same transaction, so writers of one tenant take turns and commit in seq order,
-- and a reader that saw seq N has seen everything before it.
CREATE TABLE events (
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    seq BIGINT NOT NULL,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    project_id TEXT,
    severity TEXT,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);

CREATE TABLE event_counters (
    tenant_id TEXT PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    last_seq BIGINT NOT NULL
);

-- How far each consumer (notifications, webhooks, …) has handled each tenant's events. A consumer
-- advances its cursor in the transaction that records what it did, so an event is handled once
-- per consumer even across crashes and replicas.
CREATE TABLE event_cursors (
    consumer TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    last_seq BIGINT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (consumer, tenant_id)
);
