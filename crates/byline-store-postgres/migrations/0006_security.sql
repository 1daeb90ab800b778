-- Security: members who can be disabled, preview links that expire, imports that respect the
-- newsroom's edits and leave a revision, and sign-in attempts reserved before they are checked.

-- A disabled member cannot sign in and has no sessions.
ALTER TABLE users ADD COLUMN disabled_at BIGINT;

-- A preview link works until this time, and only while the story is not public or taken down.
ALTER TABLE stories ADD COLUMN preview_expires_at BIGINT;
UPDATE stories SET preview_token = NULL WHERE status IN ('published', 'unpublished');
UPDATE stories SET preview_expires_at = CAST(EXTRACT(EPOCH FROM now()) AS BIGINT) + 7 * 86400
    WHERE preview_token IS NOT NULL;

-- What the last import of a story brought (a fingerprint of the item), and whether the
-- newsroom changed the story since (an edit, a status change, a correction, its photo).
ALTER TABLE stories ADD COLUMN import_hash TEXT;
ALTER TABLE stories ADD COLUMN edited_since_import BIGINT NOT NULL DEFAULT 0;
-- Stories a member saved, corrected, took down or sent for review before this migration
-- count as changed (an imported story taken down by its own item counts too: its next import
-- then needs --overwrite, which errs on the newsroom's side).
UPDATE stories SET edited_since_import = 1
    WHERE status IN ('unpublished', 'in_review')
       OR EXISTS (SELECT 1 FROM revisions r WHERE r.story_id = stories.id AND r.user_id IS NOT NULL)
       OR EXISTS (SELECT 1 FROM corrections c WHERE c.story_id = stories.id);

-- A picture added through the library's own form is everyone's; one that came in as a story's
-- photo is seen by writers only once a story they may see uses it (its words are that story's).
ALTER TABLE pictures ADD COLUMN shared BIGINT NOT NULL DEFAULT 0;
UPDATE pictures SET shared = 1
    WHERE NOT EXISTS (SELECT 1 FROM stories s WHERE s.lead_picture_id = pictures.id);

-- Where a revision came from when no member made it ("import: FILE").
ALTER TABLE revisions ADD COLUMN source TEXT;

-- Sign-in attempts are reserved (a row) before the password is checked; a good password
-- removes its row, so the rows are the failures and the attempts in flight.
CREATE INDEX login_failures_by_email_ip ON login_failures (email, ip, at);
