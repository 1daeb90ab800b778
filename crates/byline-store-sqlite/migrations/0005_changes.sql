-- What changed on the public site, written in the same transaction as the change itself, so
-- that every server (and every cache) can follow writes made by any process.

CREATE TABLE changes (
    id   INTEGER PRIMARY KEY,
    -- Space-separated names of what the change touches (story-ID, rails, lists, home, site).
    keys TEXT NOT NULL,
    at   INTEGER NOT NULL
);
