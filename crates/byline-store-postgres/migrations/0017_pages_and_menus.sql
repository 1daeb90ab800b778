-- Pages and menus (issue 19). A page (About, Imprint, Privacy) is a story of kind 'page':
-- it shares the editor, revisions, workflow and slugs with stories, is served at `/{slug}`,
-- and never appears in a listing, feed or search. `parent_id` and `position` place it among
-- the site's pages; the parent is a plain id, not a foreign key (a restore writes stories in
-- id order, and a page may sit under one made after it; a parent that is gone reads as none).
ALTER TABLE stories ADD COLUMN kind TEXT NOT NULL DEFAULT 'story' CHECK (kind IN ('story', 'page'));
ALTER TABLE stories ADD COLUMN parent_id BIGINT;
ALTER TABLE stories ADD COLUMN position BIGINT NOT NULL DEFAULT 0;
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
    updated_at BIGINT NOT NULL
);

-- Pages are never listed: the calendar's counts leave them out (0009's function again, for
-- stories only; a story never becomes a page or back).
CREATE OR REPLACE FUNCTION listed_story() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_listed BOOLEAN := TG_OP = 'UPDATE' AND OLD.status = 'published' AND OLD.published_at IS NOT NULL
        AND OLD.kind = 'story';
    is_listed BOOLEAN := NEW.status = 'published' AND NEW.published_at IS NOT NULL
        AND NEW.kind = 'story';
BEGIN
    -- The earlier day first, whichever way the story moves: writers lock days in one order.
    IF was_listed AND is_listed AND NEW.published_at < OLD.published_at THEN
        PERFORM listing_count(NEW.id, NEW.section_id, NEW.published_at, 1);
        PERFORM listing_count(OLD.id, OLD.section_id, OLD.published_at, -1);
        RETURN NULL;
    END IF;
    IF was_listed THEN
        PERFORM listing_count(OLD.id, OLD.section_id, OLD.published_at, -1);
    END IF;
    IF is_listed THEN
        PERFORM listing_count(NEW.id, NEW.section_id, NEW.published_at, 1);
    END IF;
    RETURN NULL;
END $$;
