-- How many public stories each listing (the whole site, a section, a tag, an author) has on
-- each UTC day. It finds any page of a listing without reading the pages before it, and it
-- is the date archives' and the sitemaps' calendar. Triggers keep it in the transaction of
-- every change to a story, its section, tags or authors, whoever writes it. A day is the
-- first second of its UTC day; rows at zero stay and are read as absent. Stories are never
-- deleted (they are unpublished), so no trigger watches deletions of stories.

CREATE TABLE listing_days (
    kind    TEXT NOT NULL CHECK (kind IN ('all', 'section', 'tag', 'author')),
    ref     INTEGER NOT NULL,
    day     INTEGER NOT NULL,
    stories INTEGER NOT NULL,
    PRIMARY KEY (kind, ref, day)
) WITHOUT ROWID;

INSERT INTO listing_days (kind, ref, day, stories)
SELECT 'all', 0, published_at - ((published_at % 86400) + 86400) % 86400, count(*)
FROM stories WHERE status = 'published' AND published_at IS NOT NULL GROUP BY 3;

INSERT INTO listing_days (kind, ref, day, stories)
SELECT 'section', section_id, published_at - ((published_at % 86400) + 86400) % 86400, count(*)
FROM stories WHERE status = 'published' AND published_at IS NOT NULL AND section_id IS NOT NULL
GROUP BY 2, 3;

INSERT INTO listing_days (kind, ref, day, stories)
SELECT 'tag', st.tag_id, s.published_at - ((s.published_at % 86400) + 86400) % 86400, count(*)
FROM story_tags st JOIN stories s ON s.id = st.story_id
WHERE s.status = 'published' AND s.published_at IS NOT NULL GROUP BY 2, 3;

INSERT INTO listing_days (kind, ref, day, stories)
SELECT 'author', sa.author_id, s.published_at - ((s.published_at % 86400) + 86400) % 86400, count(*)
FROM story_authors sa JOIN stories s ON s.id = sa.story_id
WHERE s.status = 'published' AND s.published_at IS NOT NULL GROUP BY 2, 3;

CREATE TRIGGER listed_story_new AFTER INSERT ON stories
WHEN NEW.status = 'published' AND NEW.published_at IS NOT NULL
BEGIN
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'all', 0, NEW.published_at - ((NEW.published_at % 86400) + 86400) % 86400, 1 WHERE 1
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'section', NEW.section_id, NEW.published_at - ((NEW.published_at % 86400) + 86400) % 86400, 1
    WHERE NEW.section_id IS NOT NULL
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
END;

-- A change of status, time or section takes the story out of its old day's counts...
CREATE TRIGGER listed_story_out AFTER UPDATE OF status, published_at, section_id ON stories
WHEN OLD.status = 'published' AND OLD.published_at IS NOT NULL
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

-- ...and puts it into its new one.
CREATE TRIGGER listed_story_in AFTER UPDATE OF status, published_at, section_id ON stories
WHEN NEW.status = 'published' AND NEW.published_at IS NOT NULL
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

CREATE TRIGGER listed_tag_in AFTER INSERT ON story_tags
BEGIN
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'tag', NEW.tag_id, published_at - ((published_at % 86400) + 86400) % 86400, 1
    FROM stories WHERE id = NEW.story_id AND status = 'published' AND published_at IS NOT NULL
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
END;

CREATE TRIGGER listed_tag_out AFTER DELETE ON story_tags
BEGIN
    UPDATE listing_days SET stories = stories - 1
    WHERE kind = 'tag' AND ref = OLD.tag_id AND day = (
        SELECT published_at - ((published_at % 86400) + 86400) % 86400 FROM stories
        WHERE id = OLD.story_id AND status = 'published' AND published_at IS NOT NULL);
END;

CREATE TRIGGER listed_author_in AFTER INSERT ON story_authors
BEGIN
    INSERT INTO listing_days (kind, ref, day, stories)
    SELECT 'author', NEW.author_id, published_at - ((published_at % 86400) + 86400) % 86400, 1
    FROM stories WHERE id = NEW.story_id AND status = 'published' AND published_at IS NOT NULL
    ON CONFLICT (kind, ref, day) DO UPDATE SET stories = stories + 1;
END;

CREATE TRIGGER listed_author_out AFTER DELETE ON story_authors
BEGIN
    UPDATE listing_days SET stories = stories - 1
    WHERE kind = 'author' AND ref = OLD.author_id AND day = (
        SELECT published_at - ((published_at % 86400) + 86400) % 86400 FROM stories
        WHERE id = OLD.story_id AND status = 'published' AND published_at IS NOT NULL);
END;
