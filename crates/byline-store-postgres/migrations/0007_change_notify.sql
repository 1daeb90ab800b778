-- Every commit that records a change tells the other nodes, whatever code wrote it: the
-- notification is delivered when the writing transaction commits (and not at all if it rolls
-- back), once per transaction however many changes it recorded.
CREATE FUNCTION byline_announce_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('byline_changes', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER changes_announce
AFTER INSERT ON changes
FOR EACH STATEMENT
EXECUTE FUNCTION byline_announce_change();
