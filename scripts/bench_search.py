#!/usr/bin/env python3
"""Search benchmark helpers: multilingual generated stories (about 600 words each), a store
grown to size, and 1,000 mixed queries timed over one keep-alive connection.

usage: bench_search.py items OUT_DIR N        ninjs items, 100 per file
       bench_search.py grow DATABASE N        insert stories straight into SQLite up to N
       bench_search.py queries URL [N]        N (1000) mixed queries; prints p50/p99
       bench_search.py find URL WORD SECONDS  seconds until WORD is found (or fails)"""
import http.client
import json
import os
import random
import sqlite3
import statistics
import sys
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

# A few real words per language (with inflected forms, so stemming has work) as the topical
# words, 2% of a text's words (so each is in roughly a tenth of its language's stories, as a
# topic word of a news archive is), and a shared tail of made-up words drawn Zipf-like for the
# rest (its first words as frequent as a language's commonest). Run with REAL_SHARE=0.35 for an
# adversarial corpus in which every topical word is in nearly every story of its language.
REAL_SHARE = float(os.environ.get("REAL_SHARE", "0.02"))
REAL = {
    "en": "council councils harbour harbours minister ministers budget report reports election "
          "elections ceasefire ceasefires storm storms bridge bridges museum trade court courts "
          "doctor hospital hospitals ferry ferries festival police inquiry plan plans tax road".split(),
    "de": "Waffenruhe Waffenruhen Regierung Regierungen Wahl Wahlen Hafen Häfen Brücke Brücken "
          "Gericht Gerichte Krankenhaus Krankenhäuser Polizei Steuer Steuern Straße Straßen Zürich "
          "Minister Ministerin Haushalt Bericht Berichte Sturm Stürme Fähre Fähren Fest".split(),
    "fr": "élection élections gouvernement ministre ministres budget rapport rapports port ports "
          "pont ponts tribunal hôpital hôpitaux police impôt impôts route routes tempête tempêtes "
          "musée musées festival enquête plan plans maire maires commune communes".split(),
    "es": "elección elecciones gobierno ministro ministros presupuesto informe informes puerto "
          "puertos puente puentes tribunal hospital hospitales policía impuesto impuestos "
          "carretera tormenta tormentas museo museos fiesta plan planes alcalde".split(),
    "it": "elezione elezioni governo ministro ministri bilancio rapporto rapporti porto porti "
          "ponte ponti tribunale ospedale ospedali polizia tassa tasse strada strade tempesta "
          "museo musei festa piano piani sindaco comune comuni".split(),
    "no": "valg regjering regjeringen statsråd budsjett rapport rapporter havn havner bro broer "
          "domstol sykehus sykehusene politi skatt skatter vei veier storm stormer museum "
          "festival plan planer ordfører kommune kommuner".split(),
    "sv": "val regering regeringen minister ministrar budget rapport rapporter hamn hamnar bro "
          "broar domstol sjukhus sjukhusen polis skatt skatter väg vägar storm stormar museum "
          "festival plan planer borgmästare kommun kommuner väljare".split(),
}
LANGUAGES = ["en"] * 6 + ["de", "fr", "es", "it", "no", "sv"]
SYLLABLES = "ka lo mi ne ru ta vo si de pa ga le bo fi mu ro ti na ze ho".split()


def made_up(rng, n=6000):
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def text(rng, language, tail, words):
    out = []
    real = REAL[language]
    for _ in range(words):
        if rng.random() < REAL_SHARE:
            out.append(rng.choice(real))
        else:
            # Zipf-like: low ranks far more often.
            out.append(tail[min(int(rng.paretovariate(1.1)) - 1, len(tail) - 1)])
    return out


def paragraphs(words):
    chunks = [words[i:i + 100] for i in range(0, len(words), 100)]
    return "".join("<p>" + " ".join(c).capitalize() + ".</p>" for c in chunks)


def items(out, n):
    os.makedirs(out, exist_ok=True)
    rng = random.Random(17)
    tail = made_up(rng)
    newest = datetime.now(timezone.utc) - timedelta(hours=1)
    batch = []
    for k in range(n):
        language = LANGUAGES[k % len(LANGUAGES)]
        when = (newest - timedelta(minutes=11 * k)).strftime("%Y-%m-%dT%H:%M:%SZ")
        headline = " ".join(text(rng, language, tail, 8)).capitalize() + f" {k}"
        batch.append({
            "uri": f"urn:bench:search:{k}", "type": "text", "version": "1", "language": language,
            "firstcreated": when, "versioncreated": when, "by": "Bench Reporter",
            "headlines": [{"role": "main", "value": headline}],
            "bodies": [{"role": "richtext", "contenttype": "text/html",
                        "value": paragraphs(text(rng, language, tail, 600))}],
            "subject": [{"name": rng.choice(REAL["en"]).capitalize()}],
        })
        if len(batch) == 100 or k == n - 1:
            with open(os.path.join(out, f"items-{k // 100:06d}.json"), "w") as f:
                json.dump(batch, f)
            batch = []


def grow(path, target):
    db = sqlite3.connect(path)
    have, oldest, first_id = db.execute(
        "SELECT count(*), min(published_at), max(id) + 1 FROM stories").fetchone()
    more = target - have
    if more <= 0:
        return
    rng = random.Random(23)
    tail = made_up(random.Random(17))
    db.execute("BEGIN")
    rows = []
    for k in range(more):
        language = LANGUAGES[k % len(LANGUAGES)]
        body = paragraphs(text(rng, language, tail, 600))
        at = oldest - 300 * (k + 1)
        rows.append((first_id + k, f"grown-{k}", " ".join(text(rng, language, tail, 8)).capitalize(),
                     body, "A generated story.", language, at, at, at))
        if len(rows) == 5000:
            insert(db, rows)
            rows = []
    insert(db, rows)
    db.commit()
    print(f"grown by {more} stories to {target}")


def insert(db, rows):
    db.executemany(
        "INSERT INTO stories (id, slug, headline, body_html, summary, language, status, "
        "published_at, updated_at, created_at, body_source) "
        "VALUES (?, ?, ?, ?, ?, ?, 'published', ?, ?, ?, '')", rows)


def mixed(rng, tail):
    """One query of the mix: words, pairs, rare words, phrases, exclusions, prefixes, filters."""
    language = rng.choice(LANGUAGES)
    real = REAL[language]
    kind = rng.random()
    if kind < 0.35:
        return rng.choice(real), False
    if kind < 0.55:
        return f"{rng.choice(real)} {rng.choice(real)}", False
    if kind < 0.65:
        return rng.choice(tail[2000:]), False
    if kind < 0.75:
        return f'"{rng.choice(real)} {rng.choice(tail[:50])}"', False
    if kind < 0.85:
        return f"{rng.choice(real)} -{rng.choice(real)}", False
    if kind < 0.95:
        word = rng.choice(real)
        return word[: max(3, len(word) - 2)], True
    return f"{rng.choice(real)}&from=2025-01-01", False


def queries(url, n):
    rng = random.Random(5)
    tail = made_up(random.Random(17))
    parsed = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port)
    times, totals = [], []
    for _ in range(n):
        query, typing = mixed(rng, tail)
        q, _, rest = query.partition("&")
        path = "/search?q=" + urllib.parse.quote(q) + (("&" + rest) if rest else "")
        # Whole searches as readers send them (the results page); prefixes as suggestions
        # while typing (JSON).
        headers = {"Accept": "application/json" if typing else "text/html"}
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status != 200:
            print(f"{path}: {response.status}", file=sys.stderr)
            continue
        if typing:
            totals.append(json.loads(body)["total"])
    times.sort()
    p50 = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    print(f"queries: {n} mixed, p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {times[-1]:.2f} ms, "
          f"median hits of the suggestions {statistics.median(totals):.0f}")


def find(url, word, seconds):
    parsed = urllib.parse.urlparse(url)
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port)
        conn.request("GET", "/search?q=" + word, headers={"Accept": "application/json"})
        response = conn.getresponse()
        body = response.read()
        if response.status == 200 and json.loads(body)["total"] > 0:
            print(f"{time.perf_counter() - start:.3f}")
            return
        time.sleep(0.01)
    sys.exit(f"{word} not found within {seconds} s")


def main():
    command = sys.argv[1]
    if command == "items":
        items(sys.argv[2], int(sys.argv[3]))
    elif command == "grow":
        grow(sys.argv[2], int(sys.argv[3]))
    elif command == "queries":
        queries(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 1000)
    elif command == "find":
        find(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        sys.exit(__doc__)


main()
