-- New stories, tags and authors move their listings' counts once per statement and listing
-- day, not once per row, and new links take their story's time once per statement (decision
-- 0034). An
-- import links a hundred stories in one statement; row by row, the few rows of a busy day and
-- month (one author on every story) were updated a hundred times in one transaction, each
-- update walking the row's versions, and each link looked its story up with a plan cached
-- while the table was small (a scan of every story once it had grown): the links took most of
-- an import's time. Both mean what they meant (0009, 0012): the public stories of each listing
-- on each UTC day, and a link's `listed_at` its story's time while the story is public.

LOCK TABLE stories, story_tags, story_authors, listing_days IN SHARE ROW EXCLUSIVE MODE;

DROP TRIGGER listed_story_new ON stories;
DROP TRIGGER listed_tag ON story_tags;
DROP TRIGGER listed_author ON story_authors;
DROP TRIGGER listed_tag_time ON story_tags;
DROP TRIGGER listed_author_time ON story_authors;
DROP FUNCTION listed_link_time();
DROP FUNCTION listed_tag();
DROP FUNCTION listed_author();
DROP FUNCTION listing_filed(TEXT, BIGINT, BIGINT, BIGINT);

-- The links a statement added take their story's time, and they (or the links it removed)
-- are counted into their listings: one row per listing and day, taken in (ref, day) order so
-- that two writers never wait on each other. The arguments are the listing's kind, the link
-- table and its column for the name: fixed by the triggers below, and quoted all the same.
-- The statements are planned on each run (EXECUTE), for the tables' sizes of the day.
CREATE FUNCTION listed_links_counted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    links TEXT := CASE WHEN TG_OP = 'INSERT' THEN 'added' ELSE 'removed' END;
    delta BIGINT := CASE WHEN TG_OP = 'INSERT' THEN 1 ELSE -1 END;
BEGIN
    IF TG_OP = 'INSERT' THEN
        EXECUTE format(
            'UPDATE %I l SET listed_at = CASE WHEN s.status = ''published'' THEN s.published_at END '
            'FROM added a JOIN stories s ON s.id = a.story_id '
            'WHERE l.story_id = a.story_id AND l.%I = a.%I '
            'AND l.listed_at IS DISTINCT FROM (CASE WHEN s.status = ''published'' THEN s.published_at END)',
            TG_ARGV[1], TG_ARGV[2], TG_ARGV[2]);
    END IF;
    EXECUTE format(
        'INSERT INTO listing_days (kind, ref, day, stories) '
        'SELECT %L, l.%I, listing_day(s.published_at), $1 * count(*) '
        'FROM %I l JOIN stories s ON s.id = l.story_id '
        'WHERE s.status = ''published'' AND s.published_at IS NOT NULL '
        'GROUP BY 2, 3 ORDER BY 2, 3 '
        'ON CONFLICT (kind, ref, day) DO UPDATE SET stories = listing_days.stories + excluded.stories',
        TG_ARGV[0], TG_ARGV[2], links)
    USING delta;
    RETURN NULL;
END $$;

CREATE TRIGGER listed_tags_added AFTER INSERT ON story_tags
REFERENCING NEW TABLE AS added FOR EACH STATEMENT
EXECUTE FUNCTION listed_links_counted('tag', 'story_tags', 'tag_id');
CREATE TRIGGER listed_tags_removed AFTER DELETE ON story_tags
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
EXECUTE FUNCTION listed_links_counted('tag', 'story_tags', 'tag_id');
CREATE TRIGGER listed_authors_added AFTER INSERT ON story_authors
REFERENCING NEW TABLE AS added FOR EACH STATEMENT
EXECUTE FUNCTION listed_links_counted('author', 'story_authors', 'author_id');
CREATE TRIGGER listed_authors_removed AFTER DELETE ON story_authors
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT
EXECUTE FUNCTION listed_links_counted('author', 'story_authors', 'author_id');

-- The stories a statement added, counted into the site's listing, their sections' and the
-- tags' and authors' they already have (a restore may write links first): what 0017's
-- `listed_story` counts for one new story, for all of them at once. Moved stories are still
-- counted row by row (0017), as an update moves few.
CREATE FUNCTION listed_stories_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE
        'INSERT INTO listing_days (kind, ref, day, stories) '
        'SELECT c.kind, c.ref, c.day, count(*) FROM ('
        '  SELECT ''all'' AS kind, 0::BIGINT AS ref, listing_day(a.published_at) AS day FROM added a '
        '  WHERE a.status = ''published'' AND a.published_at IS NOT NULL AND a.kind = ''story'' '
        '  UNION ALL SELECT ''section'', a.section_id, listing_day(a.published_at) FROM added a '
        '  WHERE a.status = ''published'' AND a.published_at IS NOT NULL AND a.kind = ''story'' '
        '  AND a.section_id IS NOT NULL '
        '  UNION ALL SELECT ''tag'', l.tag_id, listing_day(a.published_at) FROM added a '
        '  JOIN story_tags l ON l.story_id = a.id '
        '  WHERE a.status = ''published'' AND a.published_at IS NOT NULL AND a.kind = ''story'' '
        '  UNION ALL SELECT ''author'', l.author_id, listing_day(a.published_at) FROM added a '
        '  JOIN story_authors l ON l.story_id = a.id '
        '  WHERE a.status = ''published'' AND a.published_at IS NOT NULL AND a.kind = ''story'' '
        ') c GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 '
        'ON CONFLICT (kind, ref, day) DO UPDATE SET stories = listing_days.stories + excluded.stories';
    RETURN NULL;
END $$;

CREATE TRIGGER listed_stories_added AFTER INSERT ON stories
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION listed_stories_added();
