-- Redirects by hand (issue 19): an old address may lead to any path of this site or any http(s)
-- URL (`kind = 'url'`, its `target`), as editors set it on /admin/redirects or with
-- `byline redirects import`. SQLite cannot change a CHECK, so the table is made again.
CREATE TABLE old_addresses_new (
    address TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('story', 'section', 'tag', 'author', 'url')),
    story_id INTEGER REFERENCES stories(id) ON DELETE CASCADE,
    slug TEXT,
    target TEXT,
    created_at INTEGER NOT NULL,
    CHECK ((kind = 'story') = (story_id IS NOT NULL)),
    CHECK ((kind IN ('section', 'tag', 'author')) = (slug IS NOT NULL)),
    CHECK ((kind = 'url') = (target IS NOT NULL))
);
INSERT INTO old_addresses_new (address, kind, story_id, slug, created_at)
    SELECT address, kind, story_id, slug, created_at FROM old_addresses;
DROP TABLE old_addresses;
ALTER TABLE old_addresses_new RENAME TO old_addresses;
CREATE INDEX old_addresses_by_story ON old_addresses (story_id);
