-- Outbound webhooks (issue 18). The `webhooks` and `webhook_deliveries` tables of 0001 were never
-- used by any code, so they are replaced rather than altered.
--
-- `secret` holds `sealed:<base64>` (ChaCha20-Poly1305 with the git credentials key, tenant id as
-- associated data) when the daemon has that key, else `plain:<secret>`: HMAC signing needs the
-- secret itself, so it cannot be hashed. `previous_secret` signs too until `previous_secret_until`
-- (a rotation's grace period).
DROP TABLE webhook_deliveries;
DROP TABLE webhooks;

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    projects TEXT,
    min_severity TEXT,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_secret_until TEXT,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    healthy BIGINT NOT NULL DEFAULT 1 CHECK (healthy IN (0, 1)),
    version BIGINT NOT NULL DEFAULT 1,
    created_by TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks (tenant_id, created_at);

-- The durable delivery queue: one row per (event, webhook), queued in the transaction that
-- advances the webhook consumer's outbox cursor. A sender claims due rows (Postgres: FOR UPDATE
-- SKIP LOCKED; SQLite: the single writer) by setting `state = 'sending'` and a lease; a lease
-- that runs out (the sender died) makes the row due again, so a kill -9 loses nothing.
-- `payload` is the event envelope exactly as sent, the same bytes on every attempt.
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    webhook_id TEXT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id TEXT NOT NULL,
    event_kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    lease_until TEXT,
    retry_from TEXT NOT NULL,
    delivered_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_attempt_at);

-- Each attempt's outcome, for `GET /webhooks/{id}/deliveries` (the excerpt is bounded to 1 KiB).
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempt BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    status_code BIGINT,
    latency_ms BIGINT NOT NULL,
    error TEXT,
    response_excerpt TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
