-- Integrations: API tokens (kept as the SHA-256 of their secret), idempotent creates, the
-- event log every writer appends to in the transaction of its change, and webhooks with their
-- deliveries (an outbox, like the newsletter's).

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('personal', 'integration', 'content')),
    user_id      INTEGER REFERENCES users (id),
    role         TEXT,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    revoked_at   INTEGER
);

CREATE TABLE idempotency_keys (
    token_id     INTEGER NOT NULL REFERENCES api_tokens (id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    -- What the first request made: 'story' or 'newsletter_draft', and its id.
    object_kind  TEXT NOT NULL,
    object_id    INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (token_id, key)
);

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    subject    INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    fanned_out INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX events_waiting ON events (id) WHERE fanned_out = 0;

CREATE TABLE webhooks (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    url           TEXT NOT NULL,
    events        TEXT NOT NULL,
    secret        TEXT NOT NULL,
    allow_private INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);

CREATE TABLE webhook_deliveries (
    id            INTEGER PRIMARY KEY,
    webhook_id    INTEGER NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id      INTEGER NOT NULL REFERENCES events (id),
    payload       TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_at       INTEGER NOT NULL,
    claimed_until INTEGER,
    last_status   INTEGER,
    last_error    TEXT,
    delivered_at  INTEGER,
    created_at    INTEGER NOT NULL,
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, next_at, id);
