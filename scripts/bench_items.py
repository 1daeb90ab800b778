#!/usr/bin/env python3
"""Writes N generated ninjs 2.2 items into OUT_DIR, 100 per file, 17 minutes apart.

usage: bench_items.py OUT_DIR N [PARAGRAPHS] [NEWEST]
PARAGRAPHS (default 15, about 1,500 words) of 7 sentences each; NEWEST is the newest item's
time (ISO 8601, default 2026-01-01T00:00:00Z)."""
import json, os, random, sys
from datetime import datetime, timedelta, timezone

WORDS = ("council harbour minister budget report agency market energy river school court "
         "election vote village storm bridge museum trade union doctor hospital ferry farm "
         "festival police inquiry plan tax road rail port water price wage").split()


def sentence(rng):
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 20))]
    return " ".join(words).capitalize() + "."


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    os.makedirs(out, exist_ok=True)
    rng = random.Random(42)
    newest = datetime(2026, 1, 1, tzinfo=timezone.utc)
    if len(sys.argv) > 4:
        newest = datetime.fromisoformat(sys.argv[4].replace("Z", "+00:00"))
    batch = []
    for k in range(n):
        paragraphs = ["<p>" + " ".join(sentence(rng) for _ in range(7)) + "</p>" for _ in range(count)]
        when = (newest - timedelta(minutes=17 * k)).strftime("%Y-%m-%dT%H:%M:%SZ")
        batch.append({
            "uri": f"urn:bench:{k}", "type": "text", "version": "1", "language": "en",
            "firstcreated": when, "versioncreated": when, "by": "Bench Reporter",
            "headlines": [{"role": "main", "value": f"{sentence(rng)[:-1]} {k}"}],
            "bodies": [{"role": "richtext", "contenttype": "text/html", "value": "".join(paragraphs)}],
            "subject": [{"name": rng.choice(WORDS).capitalize()}],
        })
        if len(batch) == 100 or k == n - 1:
            with open(os.path.join(out, f"items-{k // 100:05d}.json"), "w") as f:
                json.dump(batch, f)
            batch = []


if __name__ == "__main__":
    main()
