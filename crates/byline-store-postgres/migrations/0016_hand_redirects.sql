-- Redirects by hand (issue 19): an old address may lead to any path of this site or any http(s)
-- URL (`kind = 'url'`, its `target`), as editors set it on /admin/redirects or with
-- `byline redirects import`.
ALTER TABLE old_addresses ADD COLUMN target TEXT;
ALTER TABLE old_addresses DROP CONSTRAINT old_addresses_kind_check;
ALTER TABLE old_addresses DROP CONSTRAINT old_addresses_check1;
ALTER TABLE old_addresses ADD CONSTRAINT old_addresses_kind_check
    CHECK (kind IN ('story', 'section', 'tag', 'author', 'url'));
ALTER TABLE old_addresses ADD CONSTRAINT old_addresses_slug_check
    CHECK ((kind IN ('section', 'tag', 'author')) = (slug IS NOT NULL));
ALTER TABLE old_addresses ADD CONSTRAINT old_addresses_target_check
    CHECK ((kind = 'url') = (target IS NOT NULL));
