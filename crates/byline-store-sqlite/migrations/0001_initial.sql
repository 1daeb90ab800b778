-- Byline's first schema. Times are UTC Unix seconds; HTML columns hold sanitized HTML only.

CREATE TABLE sections (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE authors (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL
);

CREATE TABLE pictures (
    id           INTEGER PRIMARY KEY,
    source_kind  TEXT NOT NULL CHECK (source_kind IN ('local', 'remote')),
    location     TEXT NOT NULL,
    credit       TEXT,
    caption      TEXT,
    alt          TEXT,
    width        INTEGER,
    height       INTEGER,
    content_type TEXT
);

CREATE TABLE stories (
    id              INTEGER PRIMARY KEY,
    external_id     TEXT UNIQUE,
    version         INTEGER,
    slug            TEXT NOT NULL UNIQUE,
    headline        TEXT NOT NULL,
    standfirst      TEXT,
    body_html       TEXT NOT NULL,
    summary         TEXT NOT NULL,
    section_id      INTEGER REFERENCES sections (id),
    byline          TEXT,
    language        TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('draft', 'in_review', 'scheduled', 'published', 'unpublished')),
    published_at    INTEGER,
    embargo_until   INTEGER,
    updated_at      INTEGER NOT NULL,
    created_at      INTEGER NOT NULL,
    lead_picture_id INTEGER REFERENCES pictures (id) ON DELETE SET NULL
);

CREATE INDEX stories_public ON stories (status, published_at DESC, id DESC);
CREATE INDEX stories_by_section ON stories (section_id, status, published_at DESC);

CREATE TABLE story_tags (
    story_id INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    tag_id   INTEGER NOT NULL REFERENCES tags (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (story_id, tag_id)
);
CREATE INDEX story_tags_by_tag ON story_tags (tag_id);

CREATE TABLE story_authors (
    story_id  INTEGER NOT NULL REFERENCES stories (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES authors (id),
    position  INTEGER NOT NULL,
    PRIMARY KEY (story_id, author_id)
);
CREATE INDEX story_authors_by_author ON story_authors (author_id);

-- The editor's "Don't miss" picks, in order.
CREATE TABLE picks (
    position INTEGER PRIMARY KEY,
    story_id INTEGER NOT NULL UNIQUE REFERENCES stories (id) ON DELETE CASCADE
);

CREATE TABLE subscribers (
    id           INTEGER PRIMARY KEY,
    email        TEXT NOT NULL UNIQUE,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'active', 'unsubscribed', 'bounced')),
    source       TEXT NOT NULL,
    consented_at INTEGER NOT NULL,
    confirmed_at INTEGER
);
