-- The newsletter desk: drafts (frozen when scheduled), who sent each issue, the daily digest's
-- record of each day, and the keyed hashes of erased addresses.

CREATE TABLE newsletter_drafts (
    id         INTEGER PRIMARY KEY,
    subject    TEXT NOT NULL,
    intro      TEXT NOT NULL,
    stories    TEXT NOT NULL,
    author     TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    send_at    INTEGER,
    text_body  TEXT,
    html_body  TEXT,
    CHECK ((send_at IS NULL) = (text_body IS NULL) AND (send_at IS NULL) = (html_body IS NULL))
);
CREATE INDEX newsletter_drafts_due ON newsletter_drafts (send_at) WHERE send_at IS NOT NULL;

ALTER TABLE newsletter_issues ADD COLUMN origin TEXT NOT NULL DEFAULT '';

-- One row per day the digest was due: its issue, or none when the day had no stories.
CREATE TABLE newsletter_digests (
    day        TEXT PRIMARY KEY,
    issue_id   INTEGER REFERENCES newsletter_issues (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE suppressions (
    email_hash TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL
);

CREATE INDEX deliveries_email ON deliveries (email);
