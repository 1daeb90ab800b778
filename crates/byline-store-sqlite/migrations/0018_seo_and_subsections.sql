-- Moving in (issue 18): a story's own title and description for search engines (WordPress's
-- Yoast fields), and sections inside sections (WordPress's category hierarchy). The parent is
-- a plain id, not a foreign key: a restore writes sections in id order, and a section may sit
-- under one made after it; a parent that is gone reads as none.
ALTER TABLE stories ADD COLUMN seo_title TEXT;
ALTER TABLE stories ADD COLUMN seo_description TEXT;
ALTER TABLE sections ADD COLUMN parent_id INTEGER;
CREATE INDEX sections_by_parent ON sections (parent_id);
