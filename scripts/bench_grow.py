#!/usr/bin/env python3
"""Grows a benchmark store to N public stories by inserting short generated stories straight
into its tables, each older than the oldest there, 5 minutes apart, each with one of the
store's tags, by its first author and in its first section. Only for benchmarks: the listing
calendar's triggers count every row as `byline import` would, far faster than importing.

usage: bench_grow.py DATABASE N
DATABASE is a SQLite file, or a PostgreSQL URL (postgres://…), grown through psql."""
import sqlite3
import subprocess
import sys

# The grown stories, then their tags (one each, in turn) and their author (the first); `:more`,
# `:first_id` and `:oldest` are bound by each dialect's own runner.
STORIES = """INSERT INTO stories (id, slug, headline, body_html, summary, language, status,
                         published_at, updated_at, created_at, body_source, section_id)
    SELECT {first_id} + k, 'generated-' || k, 'Generated story ' || k,
           '<p>A generated story for the benchmark.</p>', 'A generated story.', 'en',
           'published', {oldest} - 300 * k, {oldest} - 300 * k, {oldest} - 300 * k, '',
           (SELECT min(id) FROM sections)
    FROM {numbers}"""
TAGS = """INSERT INTO story_tags (story_id, tag_id, position)
    SELECT s.id, t.id, 0 FROM stories s
    JOIN (SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM tags) t
      ON t.n = s.id % (SELECT count(*) FROM tags)
    WHERE s.id >= {first_id}"""
# Every grown story is also by the store's first author: one author with every story, the
# deepest listing a newsroom can have.
AUTHORS = """INSERT INTO story_authors (story_id, author_id, position)
    SELECT s.id, a.id, 0 FROM stories s JOIN (SELECT min(id) AS id FROM authors) a
    ON a.id IS NOT NULL WHERE s.id >= {first_id}"""
STATE = "SELECT count(*), min(published_at), max(id) + 1 FROM stories WHERE status = 'published'"


def grow_sqlite(path, target):
    db = sqlite3.connect(path)
    have, oldest, first_id = db.execute(STATE).fetchone()
    more = target - have
    if more <= 0:
        return 0
    numbers = "(WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < {0}) SELECT k FROM n)".format(more)
    db.execute("BEGIN")
    for sql in (STORIES, TAGS, AUTHORS):
        db.execute(sql.format(first_id=first_id, oldest=oldest, numbers=numbers))
    db.commit()
    return more


def grow_postgres(url, target):
    def psql(sql):
        return subprocess.run(["psql", url, "-qAtX", "-v", "ON_ERROR_STOP=1", "-c", sql],
                              check=True, capture_output=True, text=True).stdout

    have, oldest, first_id = (int(v) for v in psql(STATE).strip().split("|"))
    more = target - have
    if more <= 0:
        return 0
    numbers = f"generate_series(1, {more}) AS n(k)"
    script = ["BEGIN;"]
    script += [sql.format(first_id=first_id, oldest=oldest, numbers=numbers) + ";"
               for sql in (STORIES, TAGS, AUTHORS)]
    # Later stories take ids after the grown ones.
    script.append("SELECT setval(pg_get_serial_sequence('stories', 'id'), (SELECT max(id) FROM stories));")
    script.append("COMMIT; ANALYZE;")
    psql("\n".join(script))
    return more


def main():
    database, target = sys.argv[1], int(sys.argv[2])
    if database.startswith(("postgres://", "postgresql://")):
        more = grow_postgres(database, target)
    else:
        more = grow_sqlite(database, target)
    if more:
        print(f"grown by {more} stories to {target}")


main()
