-- The newsletter's outbox: an issue, frozen as it was sent, and one delivery per subscriber,
-- claimed, sent and marked one at a time so that a crash never sends an issue twice.

CREATE TABLE newsletter_issues (
    id         INTEGER PRIMARY KEY,
    subject    TEXT NOT NULL,
    text_body  TEXT NOT NULL,
    html_body  TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'sending' CHECK (state IN ('sending', 'sent')),
    created_at INTEGER NOT NULL,
    sent_at    INTEGER
);

-- 'unknown': claimed by a sender that stopped before recording the outcome; the server may
-- have accepted it, so it is never sent again automatically.
CREATE TABLE deliveries (
    id         INTEGER PRIMARY KEY,
    issue_id   INTEGER NOT NULL REFERENCES newsletter_issues (id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    state      TEXT NOT NULL DEFAULT 'queued'
               CHECK (state IN ('queued', 'claimed', 'sent', 'unknown', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    next_at    INTEGER NOT NULL,
    claimed_at INTEGER,
    last_error TEXT,
    sent_at    INTEGER,
    UNIQUE (issue_id, email)
);
CREATE INDEX deliveries_due ON deliveries (state, next_at, id);

-- Permanent failures in a row; at the configured limit the address is marked bouncing.
ALTER TABLE subscribers ADD COLUMN bounces INTEGER NOT NULL DEFAULT 0;
