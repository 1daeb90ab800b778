-- Two things that keep every page of every listing as quick to find as its first page.
--
-- 1. The calendar's months: the sum of each listing's `listing_days` per UTC month, kept by a
--    trigger on `listing_days` itself, so a page is located by summing a few hundred months
--    and then one month's days rather than every day. `next` is the first second of the
--    following month, so a month's days are found without date arithmetic in the query.
--
-- 2. Tags and authors in the order of their stories: each link row carries its story's
--    publication time while the story is public (`listed_at`, NULL otherwise), under an index
--    by (tag or author, time), so a page of a tag or author is read from that index directly
--    instead of from a list of all its stories built on every request. Sections get the same
--    from an index of the stories by (section, status, time, id).

-- No node may change a story between the sums below and the triggers that keep them. The
-- strongest lock is taken at once, since the columns and indexes below need it anyway: a lock
-- taken weaker and raised later could deadlock with a node still reading.
LOCK TABLE stories, story_tags, story_authors, listing_days IN ACCESS EXCLUSIVE MODE;

CREATE FUNCTION listing_month(secs BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS
$$ SELECT CAST(extract(epoch FROM date_trunc('month', timestamp '1970-01-01' + secs * interval '1 second')) AS BIGINT) $$;

CREATE FUNCTION listing_next_month(secs BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS
$$ SELECT CAST(extract(epoch FROM date_trunc('month', timestamp '1970-01-01' + secs * interval '1 second') + interval '1 month') AS BIGINT) $$;

CREATE TABLE listing_months (
    kind    TEXT NOT NULL,
    ref     BIGINT NOT NULL,
    month   BIGINT NOT NULL,
    next    BIGINT NOT NULL,
    stories BIGINT NOT NULL,
    PRIMARY KEY (kind, ref, month)
);

INSERT INTO listing_months (kind, ref, month, next, stories)
SELECT kind, ref, listing_month(day), listing_next_month(day), sum(stories)
FROM listing_days GROUP BY 1, 2, 3, 4;

CREATE FUNCTION listing_month_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta BIGINT := NEW.stories;
BEGIN
    IF TG_OP = 'UPDATE' THEN
        delta := NEW.stories - OLD.stories;
    END IF;
    IF delta <> 0 OR TG_OP = 'INSERT' THEN
        INSERT INTO listing_months (kind, ref, month, next, stories)
        VALUES (NEW.kind, NEW.ref, listing_month(NEW.day), listing_next_month(NEW.day), delta)
        ON CONFLICT (kind, ref, month) DO UPDATE SET stories = listing_months.stories + delta;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER listing_month_count AFTER INSERT OR UPDATE OF stories ON listing_days
FOR EACH ROW EXECUTE FUNCTION listing_month_count();

ALTER TABLE story_tags ADD COLUMN listed_at BIGINT;
ALTER TABLE story_authors ADD COLUMN listed_at BIGINT;

UPDATE story_tags l SET listed_at = s.published_at FROM stories s
WHERE s.id = l.story_id AND s.status = 'published';
UPDATE story_authors l SET listed_at = s.published_at FROM stories s
WHERE s.id = l.story_id AND s.status = 'published';

CREATE INDEX story_tags_listed ON story_tags (tag_id, listed_at DESC, story_id DESC)
WHERE listed_at IS NOT NULL;
CREATE INDEX story_authors_listed ON story_authors (author_id, listed_at DESC, story_id DESC)
WHERE listed_at IS NOT NULL;

-- A link takes its story's time when it is made...
CREATE FUNCTION listed_link_time() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.listed_at := (SELECT published_at FROM stories
                      WHERE id = NEW.story_id AND status = 'published');
    RETURN NEW;
END $$;

CREATE TRIGGER listed_tag_time BEFORE INSERT ON story_tags
FOR EACH ROW EXECUTE FUNCTION listed_link_time();

CREATE TRIGGER listed_author_time BEFORE INSERT ON story_authors
FOR EACH ROW EXECUTE FUNCTION listed_link_time();

-- ...and follows it when the story is published, unpublished or moved in time (or when a
-- story is written after its links, as a restore may do).
CREATE FUNCTION listed_links() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    at BIGINT := CASE WHEN NEW.status = 'published' THEN NEW.published_at END;
BEGIN
    UPDATE story_tags SET listed_at = at
    WHERE story_id = NEW.id AND listed_at IS DISTINCT FROM at;
    UPDATE story_authors SET listed_at = at
    WHERE story_id = NEW.id AND listed_at IS DISTINCT FROM at;
    RETURN NULL;
END $$;

CREATE TRIGGER listed_links_new AFTER INSERT ON stories
FOR EACH ROW EXECUTE FUNCTION listed_links();

CREATE TRIGGER listed_links_moved AFTER UPDATE OF status, published_at ON stories
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.published_at IS DISTINCT FROM NEW.published_at)
EXECUTE FUNCTION listed_links();

-- A section's page is a range of this index, in the listing's whole order (time, then id).
DROP INDEX stories_by_section;
CREATE INDEX stories_by_section ON stories (section_id, status, published_at DESC, id DESC);

-- What changed since a time, oldest change first (the Content API's `updated_since`), is a range
-- of this index rather than a sort of every public story.
CREATE INDEX stories_changed ON stories (status, updated_at, id);
