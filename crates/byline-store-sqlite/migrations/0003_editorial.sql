-- The editorial workflow: who owns a story, its revisions, scheduled jobs, corrections, old
-- URLs and the private preview link.

ALTER TABLE stories ADD COLUMN created_by INTEGER REFERENCES users (id) ON DELETE SET NULL;
-- Bumped by every save; a save that names an older revision is a conflict.
ALTER TABLE stories ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
-- What the writer typed: Markdown or HTML. body_html is what it renders to, sanitized.
ALTER TABLE stories ADD COLUMN body_source TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN body_format TEXT NOT NULL DEFAULT 'html'
    CHECK (body_format IN ('markdown', 'html'));
ALTER TABLE stories ADD COLUMN preview_token TEXT;
-- Set once the story has first been published; the slug is fixed from then on.
ALTER TABLE stories ADD COLUMN first_published_at INTEGER;
UPDATE stories SET body_source = body_html, first_published_at = published_at WHERE status = 'published';
UPDATE stories SET body_source = body_html WHERE status <> 'published';
CREATE UNIQUE INDEX stories_by_preview_token ON stories (preview_token);

CREATE TABLE revisions (
    id          INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    number      INTEGER NOT NULL,
    user_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    headline    TEXT NOT NULL,
    standfirst  TEXT,
    body_source TEXT NOT NULL,
    body_format TEXT NOT NULL,
    -- What changed, in words ("headline, body").
    summary     TEXT NOT NULL,
    UNIQUE (story_id, number)
);

CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('publish')),
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    run_at     INTEGER NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed', 'canceled')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX jobs_due ON jobs (state, run_at);
CREATE INDEX jobs_by_story ON jobs (story_id, state);

CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY,
    story_id   INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    note       TEXT NOT NULL
);
CREATE INDEX corrections_by_story ON corrections (story_id, created_at);

CREATE TABLE slug_redirects (
    old_slug TEXT PRIMARY KEY,
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE
);
