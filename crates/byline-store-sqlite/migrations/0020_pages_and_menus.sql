-- Pages and menus (issue 19). A page (About, Imprint, Privacy) is a story of kind 'page':
-- it shares the editor, revisions, workflow and slugs with stories, is served at `/{slug}`,
-- and never appears in a listing, feed or search. `parent_id` and `position` place it among
-- the site's pages; the parent is a plain id, not a foreign key (a restore writes stories in
-- id order, and a page may sit under one made after it; a parent that is gone reads as none).
ALTER TABLE stories ADD COLUMN kind TEXT NOT NULL DEFAULT 'story' CHECK (kind IN ('story', 'page'));
ALTER TABLE stories ADD COLUMN parent_id INTEGER;
ALTER TABLE stories ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
CREATE INDEX stories_pages ON stories (kind, position) WHERE kind = 'page';
-- An author's short biography, shown on their page (Ghost's author bios move in with them).
ALTER TABLE authors ADD COLUMN bio TEXT NOT NULL DEFAULT '';
-- A menu is an ordered tree of links, kept whole in the line format editors write it in
-- (`Label | /link`, two spaces deeper per level; byline-core's `menus`), as it is read and
-- written whole; `location` says where the theme shows it (`header` or `footer`), one each.
CREATE TABLE menus (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    location TEXT UNIQUE CHECK (location IN ('header', 'footer')),
    items TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Pages are never listed: the calendar's counts leave them out (the triggers of 0012 again,
-- for stories only; a story never becomes a page or back).
DROP TRIGGER listed_story_new;
CREATE TRIGGER listed_story_new AFTER INSERT ON stories
WHEN NEW.status = 'published' AND NEW.published_at IS NOT NULL AND NEW.kind = 'story'
BEGIN
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'all', 0, NEW.published_at - ((NEW.published_at % 86400) + 86400) % 86400, 1 WHERE 1
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'section', NEW.section_id, NEW.published_at - ((NEW.published_at % 86400) + 86400) % 86400, 1
    WHERE NEW.section_id IS NOT NULL
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
END;
DROP TRIGGER listed_story_out;
CREATE TRIGGER listed_story_out AFTER UPDATE OF status, published_at, section_id ON stories
WHEN OLD.status = 'published' AND OLD.published_at IS NOT NULL AND OLD.kind = 'story'
 AND (NEW.status IS NOT OLD.status OR NEW.published_at IS NOT OLD.published_at
      OR NEW.section_id IS NOT OLD.section_id)
BEGIN
    UPDATE listing_days SET stories = stories - 1
    WHERE kind = 'all' AND ref = 0
      AND day = OLD.published_at - ((OLD.published_at % 86400) + 86400) % 86400;
    UPDATE listing_days SET stories = stories - 1
    WHERE kind = 'section' AND ref = OLD.section_id
      AND day = OLD.published_at - ((OLD.published_at % 86400) + 86400) % 86400;
    UPDATE listing_days SET stories = stories - 1
    WHERE kind = 'tag' AND ref IN (SELECT tag_id FROM story_tags WHERE story_id = OLD.id)
      AND day = OLD.published_at - ((OLD.published_at % 86400) + 86400) % 86400;
    UPDATE listing_days SET stories = stories - 1
    WHERE kind = 'author' AND ref IN (SELECT author_id FROM story_authors WHERE story_id = OLD.id)
      AND day = OLD.published_at - ((OLD.published_at % 86400) + 86400) % 86400;
END;
DROP TRIGGER listed_story_in;
CREATE TRIGGER listed_story_in AFTER UPDATE OF status, published_at, section_id ON stories
WHEN NEW.status = 'published' AND NEW.published_at IS NOT NULL AND NEW.kind = 'story'
 AND (NEW.status IS NOT OLD.status OR NEW.published_at IS NOT OLD.published_at
      OR NEW.section_id IS NOT OLD.section_id)
BEGIN
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'all', 0, NEW.published_at - ((NEW.published_at % 86400) + 86400) % 86400, 1 WHERE 1
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'section', NEW.section_id, NEW.published_at - ((NEW.published_at % 86400) + 86400) % 86400, 1
    WHERE NEW.section_id IS NOT NULL
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'tag', tag_id, NEW.published_at - ((NEW.published_at % 86400) + 86400) % 86400, 1
    FROM story_tags WHERE story_id = NEW.id
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'author', author_id, NEW.published_at - ((NEW.published_at % 86400) + 86400) % 86400, 1
    FROM story_authors WHERE story_id = NEW.id
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
END;
