-- Two things that keep every page of every listing as quick to find as its first page.
--
-- 1. The calendar's months: the sum of each listing's `listing_days` per UTC month, kept by
--    triggers on `listing_days` itself, so a page is located by summing a few hundred months
--    and then one month's days rather than every day. `next` is the first second of the
--    following month, so a month's days are found without date arithmetic in the query.
--    SQLite's dates end with the year 9999: December 9999 ends 31 days after it starts, and a
--    day past that (only a hand-made time can be) is a month of its own.
--
-- 2. Tags and authors in the order of their stories: each link row carries its story's
--    publication time while the story is public (`listed_at`, NULL otherwise), under an index
--    by (tag or author, time), so a page of a tag or author is read from that index directly
--    instead of from a list of all its stories built on every request. Sections get the same
--    from an index of the stories by (section, status, time, id).

CREATE TABLE listing_months (
    kind    TEXT NOT NULL,
    ref     INTEGER NOT NULL,
    month   INTEGER NOT NULL,
    next    INTEGER NOT NULL,
    stories INTEGER NOT NULL,
    PRIMARY KEY (kind, ref, month)
) WITHOUT ROWID;

INSERT INTO listing_months (kind, ref, month, next, stories)
SELECT kind, ref,
       COALESCE(CAST(strftime('%s', day, 'unixepoch', 'start of month') AS INTEGER), day),
       COALESCE(CAST(strftime('%s', day, 'unixepoch', 'start of month', '+1 month') AS INTEGER),
                CAST(strftime('%s', day, 'unixepoch', 'start of month') AS INTEGER) + 31 * 86400,
                day + 86400),
       sum(stories)
FROM listing_days GROUP BY 1, 2, 3, 4;

CREATE TRIGGER listing_month_new AFTER INSERT ON listing_days
BEGIN
    INSERT INTO listing_months (kind, ref, month, next, stories)
    VALUES (NEW.kind, NEW.ref,
            COALESCE(CAST(strftime('%s', NEW.day, 'unixepoch', 'start of month') AS INTEGER),
                     NEW.day),
            COALESCE(CAST(strftime('%s', NEW.day, 'unixepoch', 'start of month', '+1 month')
                          AS INTEGER),
                     CAST(strftime('%s', NEW.day, 'unixepoch', 'start of month') AS INTEGER)
                     + 31 * 86400,
                     NEW.day + 86400),
            NEW.stories)
    ON CONFLICT (kind, ref, month) DO UPDATE SET stories = stories + NEW.stories;
END;

CREATE TRIGGER listing_month_moved AFTER UPDATE OF stories ON listing_days
WHEN NEW.stories IS NOT OLD.stories
BEGIN
    UPDATE listing_months SET stories = stories + NEW.stories - OLD.stories
    WHERE kind = NEW.kind AND ref = NEW.ref
      AND month = COALESCE(CAST(strftime('%s', NEW.day, 'unixepoch', 'start of month')
                                AS INTEGER), NEW.day);
END;

ALTER TABLE story_tags ADD COLUMN listed_at INTEGER;
ALTER TABLE story_authors ADD COLUMN listed_at INTEGER;

UPDATE story_tags SET listed_at = (
    SELECT s.published_at FROM stories s WHERE s.id = story_tags.story_id
    AND s.status = 'published');
UPDATE story_authors SET listed_at = (
    SELECT s.published_at FROM stories s WHERE s.id = story_authors.story_id
    AND s.status = 'published');

CREATE INDEX story_tags_listed ON story_tags (tag_id, listed_at DESC, story_id DESC)
WHERE listed_at IS NOT NULL;
CREATE INDEX story_authors_listed ON story_authors (author_id, listed_at DESC, story_id DESC)
WHERE listed_at IS NOT NULL;

-- A link takes its story's time when it is made...
CREATE TRIGGER listed_tag_time AFTER INSERT ON story_tags
BEGIN
    UPDATE story_tags SET listed_at = (
        SELECT published_at FROM stories WHERE id = NEW.story_id AND status = 'published')
    WHERE story_id = NEW.story_id AND tag_id = NEW.tag_id;
END;

CREATE TRIGGER listed_author_time AFTER INSERT ON story_authors
BEGIN
    UPDATE story_authors SET listed_at = (
        SELECT published_at FROM stories WHERE id = NEW.story_id AND status = 'published')
    WHERE story_id = NEW.story_id AND author_id = NEW.author_id;
END;

-- ...and follows it when the story is published, unpublished or moved in time (or when a
-- story is written after its links, as a restore may do).
CREATE TRIGGER listed_links_new AFTER INSERT ON stories
BEGIN
    UPDATE story_tags SET listed_at = CASE WHEN NEW.status = 'published' THEN NEW.published_at END
    WHERE story_id = NEW.id;
    UPDATE story_authors SET listed_at = CASE WHEN NEW.status = 'published' THEN NEW.published_at END
    WHERE story_id = NEW.id;
END;

CREATE TRIGGER listed_links_moved AFTER UPDATE OF status, published_at ON stories
WHEN NEW.status IS NOT OLD.status OR NEW.published_at IS NOT OLD.published_at
BEGIN
    UPDATE story_tags SET listed_at = CASE WHEN NEW.status = 'published' THEN NEW.published_at END
    WHERE story_id = NEW.id;
    UPDATE story_authors SET listed_at = CASE WHEN NEW.status = 'published' THEN NEW.published_at END
    WHERE story_id = NEW.id;
END;

-- A section's page is a range of this index, in the listing's whole order (time, then id).
DROP INDEX stories_by_section;
CREATE INDEX stories_by_section ON stories (section_id, status, published_at DESC, id DESC);

-- What changed since a time, oldest change first (the Content API's `updated_since`), is a range
-- of this index rather than a sort of every public story.
CREATE INDEX stories_changed ON stories (status, updated_at, id);
