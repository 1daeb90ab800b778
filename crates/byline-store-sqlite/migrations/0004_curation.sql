-- Curation: section order and descriptions, and site settings such as the front page's lead.

ALTER TABLE sections ADD COLUMN position INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sections ADD COLUMN description TEXT NOT NULL DEFAULT '';

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
