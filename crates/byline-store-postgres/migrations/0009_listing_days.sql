-- How many public stories each listing (the whole site, a section, a tag, an author) has on
-- each UTC day. It finds any page of a listing without reading the pages before it, and it
-- is the date archives' and the sitemaps' calendar. Triggers keep it in the transaction of
-- every change to a story, its section, tags or authors, whoever writes it. A day is the
-- first second of its UTC day; rows at zero stay and are read as absent. Stories are never
-- deleted (they are unpublished), so no trigger watches deletions of stories.

-- No node may change a story between the count below and the triggers that keep it.
LOCK TABLE stories, story_tags, story_authors IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE listing_days (
    kind    TEXT NOT NULL CHECK (kind IN ('all', 'section', 'tag', 'author')),
    ref     BIGINT NOT NULL,
    day     BIGINT NOT NULL,
    stories BIGINT NOT NULL,
    PRIMARY KEY (kind, ref, day)
);

CREATE FUNCTION listing_day(secs BIGINT) RETURNS BIGINT LANGUAGE sql IMMUTABLE AS
$$ SELECT secs - ((secs % 86400) + 86400) % 86400 $$;

INSERT INTO listing_days (kind, ref, day, stories)
SELECT 'all', 0, listing_day(published_at), count(*)
FROM stories WHERE status = 'published' AND published_at IS NOT NULL GROUP BY 3;

INSERT INTO listing_days (kind, ref, day, stories)
SELECT 'section', section_id, listing_day(published_at), count(*)
FROM stories WHERE status = 'published' AND published_at IS NOT NULL AND section_id IS NOT NULL
GROUP BY 2, 3;

INSERT INTO listing_days (kind, ref, day, stories)
SELECT 'tag', st.tag_id, listing_day(s.published_at), count(*)
FROM story_tags st JOIN stories s ON s.id = st.story_id
WHERE s.status = 'published' AND s.published_at IS NOT NULL GROUP BY 2, 3;

INSERT INTO listing_days (kind, ref, day, stories)
SELECT 'author', sa.author_id, listing_day(s.published_at), count(*)
FROM story_authors sa JOIN stories s ON s.id = sa.story_id
WHERE s.status = 'published' AND s.published_at IS NOT NULL GROUP BY 2, 3;

-- Adds `delta` to every listing a story is in, on the day of `at`.
CREATE FUNCTION listing_count(story BIGINT, section BIGINT, at BIGINT, delta BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    d BIGINT := listing_day(at);
BEGIN
    INSERT INTO listing_days (kind, ref, day, stories) VALUES ('all', 0, d, delta)
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = listing_days.stories + delta;
    IF section IS NOT NULL THEN
        INSERT INTO listing_days (kind, ref, day, stories) VALUES ('section', section, d, delta)
        ON CONFLICT (kind, ref, day) DO UPDATE SET stories = listing_days.stories + delta;
    END IF;
    -- Rows are taken in one order (kind, ref, day) so that two writers never wait on each other.
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'tag', tag_id, d, delta FROM story_tags WHERE story_id = story ORDER BY tag_id
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = listing_days.stories + delta;
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'author', author_id, d, delta FROM story_authors WHERE story_id = story
    ORDER BY author_id
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = listing_days.stories + delta;
END $$;

CREATE FUNCTION listed_story() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_listed BOOLEAN := TG_OP = 'UPDATE' AND OLD.status = 'published' AND OLD.published_at IS NOT NULL;
    is_listed BOOLEAN := NEW.status = 'published' AND NEW.published_at IS NOT NULL;
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

CREATE TRIGGER listed_story_new AFTER INSERT ON stories
FOR EACH ROW EXECUTE FUNCTION listed_story();

CREATE TRIGGER listed_story_moved AFTER UPDATE OF status, published_at, section_id ON stories
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
    OR OLD.published_at IS DISTINCT FROM NEW.published_at
    OR OLD.section_id IS DISTINCT FROM NEW.section_id)
EXECUTE FUNCTION listed_story();

-- A tag or author added to or taken from a public story moves its listing's count.
CREATE FUNCTION listing_filed(listing TEXT, listed BIGINT, story BIGINT, delta BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT listing, listed, listing_day(published_at), delta FROM stories
    WHERE id = story AND status = 'published' AND published_at IS NOT NULL
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = listing_days.stories + delta;
END $$;

CREATE FUNCTION listed_tag() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM listing_filed('tag', NEW.tag_id, NEW.story_id, 1);
    ELSE
        PERFORM listing_filed('tag', OLD.tag_id, OLD.story_id, -1);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION listed_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM listing_filed('author', NEW.author_id, NEW.story_id, 1);
    ELSE
        PERFORM listing_filed('author', OLD.author_id, OLD.story_id, -1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER listed_tag AFTER INSERT OR DELETE ON story_tags
FOR EACH ROW EXECUTE FUNCTION listed_tag();

CREATE TRIGGER listed_author AFTER INSERT OR DELETE ON story_authors
FOR EACH ROW EXECUTE FUNCTION listed_author();
