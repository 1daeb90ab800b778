#!/usr/bin/env python3
"""Grows a benchmark store (SQLite) to N public stories by inserting short generated stories
straight into its tables, each older than the oldest there, 5 minutes apart, each with one of
the store's tags and by its first author. Only for benchmarks: the listing calendar's triggers count every row as
`byline import` would, far faster than importing.

usage: bench_grow.py DATABASE N"""
import sqlite3
import sys


def main():
    path, target = sys.argv[1], int(sys.argv[2])
    db = sqlite3.connect(path)
    have, oldest, first_id = db.execute(
        "SELECT count(*), min(published_at), max(id) + 1 FROM stories WHERE status = 'published'"
    ).fetchone()
    more = target - have
    if more <= 0:
        return
    tags = [t for (t,) in db.execute("SELECT id FROM tags ORDER BY id")]
    db.execute("BEGIN")
    db.execute(
        """WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
        INSERT INTO stories (id, slug, headline, body_html, summary, language, status,
                             published_at, updated_at, created_at, body_source)
        SELECT ? + k, 'generated-' || k, 'Generated story ' || k,
               '<p>A generated story for the benchmark.</p>', 'A generated story.', 'en',
               'published', ? - 300 * k, ? - 300 * k, ? - 300 * k, ''
        FROM n""",
        (more, first_id, oldest, oldest, oldest),
    )
    if tags:
        db.execute(
            "CREATE TEMP TABLE numbered AS "
            "SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM tags"
        )
        db.execute(
            "INSERT INTO story_tags (story_id, tag_id, position) "
            "SELECT s.id, t.id, 0 FROM stories s JOIN numbered t ON t.n = s.id % ? "
            "WHERE s.id >= ?",
            (len(tags), first_id),
        )
    # Every grown story is also by the store's first author: one author with every story, the
    # deepest listing a newsroom can have.
    db.execute(
        "INSERT INTO story_authors (story_id, author_id, position) "
        "SELECT s.id, a.id, 0 FROM stories s JOIN (SELECT min(id) AS id FROM authors) a "
        "ON a.id IS NOT NULL WHERE s.id >= ?",
        (first_id,),
    )
    db.commit()
    print(f"grown by {more} stories to {target}")


main()
