-- The media library: a picture is stored once, however many stories use it, and keeps its
-- credit; each use (a story's lead) may have its own caption. Renditions are made by jobs.

ALTER TABLE pictures ADD COLUMN keywords TEXT NOT NULL DEFAULT '';
-- The point crops keep in view, in thousandths of the width and height.
ALTER TABLE pictures ADD COLUMN focus_x INTEGER NOT NULL DEFAULT 500 CHECK (focus_x BETWEEN 0 AND 1000);
ALTER TABLE pictures ADD COLUMN focus_y INTEGER NOT NULL DEFAULT 500 CHECK (focus_y BETWEEN 0 AND 1000);
ALTER TABLE pictures ADD COLUMN added_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN lead_caption TEXT;

-- Until now each story had its own picture row: its caption becomes the use's caption, and
-- rows for the same file become one.
UPDATE stories SET lead_caption = (SELECT caption FROM pictures WHERE pictures.id = stories.lead_picture_id)
    WHERE lead_picture_id IS NOT NULL;
UPDATE stories SET lead_picture_id = (
        SELECT MIN(same.id) FROM pictures p JOIN pictures same
            ON same.source_kind = p.source_kind AND same.location = p.location
        WHERE p.id = stories.lead_picture_id)
    WHERE lead_picture_id IS NOT NULL;
DELETE FROM pictures WHERE id NOT IN (SELECT MIN(id) FROM pictures GROUP BY source_kind, location);
UPDATE pictures SET added_at = COALESCE(
    (SELECT MIN(created_at) FROM stories WHERE stories.lead_picture_id = pictures.id), 0);
CREATE UNIQUE INDEX pictures_by_location ON pictures (source_kind, location);
CREATE INDEX pictures_newest ON pictures (added_at DESC, id DESC);
CREATE INDEX stories_by_picture ON stories (lead_picture_id);

CREATE TABLE rendition_jobs (
    id         INTEGER PRIMARY KEY,
    picture_id INTEGER NOT NULL REFERENCES pictures (id) ON DELETE CASCADE,
    run_at     INTEGER NOT NULL,
    state      TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX rendition_jobs_due ON rendition_jobs (state, run_at);
