-- Readers' views per story and hour, added in batches by every node (issue 17): the sum over
-- nodes is the count; no row per view, no reader data.
CREATE TABLE story_views (
    story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    hour INTEGER NOT NULL,
    views INTEGER NOT NULL,
    PRIMARY KEY (story_id, hour)
);
CREATE INDEX story_views_by_hour ON story_views (hour, story_id);
