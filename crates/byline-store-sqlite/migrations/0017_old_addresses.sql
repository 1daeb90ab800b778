-- Old addresses (issue 18): where stories, sections, tags and authors lived on the site a
-- newsroom moved from, in the form core's `address_key` writes. A story is held by id so that
-- its old address follows any later slug; the others by slug.
CREATE TABLE old_addresses (
    address TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('story', 'section', 'tag', 'author')),
    story_id INTEGER REFERENCES stories(id) ON DELETE CASCADE,
    slug TEXT,
    created_at INTEGER NOT NULL,
    CHECK ((kind = 'story') = (story_id IS NOT NULL)),
    CHECK ((kind = 'story') = (slug IS NULL))
);
CREATE INDEX old_addresses_by_story ON old_addresses (story_id);
