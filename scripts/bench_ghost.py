#!/usr/bin/env python3
"""A generated Ghost 5 export for the import benchmark: N posts with lexical bodies (about 600
words in 12 paragraphs, a heading, a list, an image card, a callout, a bookmark), one in ten
with mobiledoc instead, three tags each (one internal), one or two of 20 authors, one in ten
with a feature image. Deterministic (a fixed seed).

usage: bench_ghost.py OUT.json N"""
import json
import random
import sys

WORDS = ("council harbour minister budget report election ceasefire storm bridge museum trade "
         "court doctor hospital ferry festival police inquiry plan tax road market school river "
         "station village mayor strike union price energy water").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def lexical(rng):
    children = []
    for p in range(12):
        children.append({"type": "paragraph", "children": [
            {"type": "text", "text": " ".join(sentence(rng, 10) for _ in range(5)), "format": 0}]})
        if p == 3:
            children.append({"type": "heading", "tag": "h2", "children": [{"type": "text", "text": sentence(rng, 4)}]})
        if p == 5:
            children.append({"type": "list", "listType": "bullet", "children": [
                {"type": "listitem", "children": [{"type": "text", "text": sentence(rng, 6)}]} for _ in range(3)]})
        if p == 7:
            children.append({"type": "image", "src": "https://images.example/%d.jpg" % rng.randrange(10**6),
                             "caption": sentence(rng, 6), "alt": sentence(rng, 4)})
        if p == 9:
            children.append({"type": "callout", "calloutEmoji": "💡", "calloutText": "<p>%s</p>" % sentence(rng, 8)})
        if p == 10:
            children.append({"type": "bookmark", "url": "https://example.com/%d" % rng.randrange(10**6),
                             "metadata": {"title": sentence(rng, 5)}})
    return {"root": {"type": "root", "children": children}}


def mobiledoc(rng):
    sections = [[1, "p", [[0, [], 0, " ".join(sentence(rng, 10) for _ in range(5))]]] for _ in range(12)]
    return {"version": "0.3.1", "atoms": [], "cards": [], "markups": [], "sections": sections}


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(19)
    users = [{"id": "u%d" % i, "name": "Author %d" % i, "slug": "author-%d" % i} for i in range(20)]
    tags = [{"id": "t%d" % i, "name": "Topic %d" % i, "slug": "topic-%d" % i} for i in range(50)]
    tags.append({"id": "internal", "name": "#import", "slug": "hash-import", "visibility": "internal"})
    posts, posts_tags, posts_authors, posts_meta = [], [], [], []
    for i in range(n):
        post = {"id": "p%d" % i, "uuid": "bench-%d" % i, "title": sentence(rng, 7)[:-1] + " %d" % i,
                "slug": "post-%d" % i, "type": "post", "status": "published", "visibility": "public",
                "html": None, "custom_excerpt": sentence(rng, 12),
                "published_at": "2024-%02d-%02dT%02d:00:00.000Z" % (1 + i % 12, 1 + i % 28, i % 24),
                "created_at": "2024-01-01T00:00:00.000Z", "updated_at": "2024-06-01T00:00:00.000Z"}
        if i % 10 == 9:
            post["mobiledoc"] = json.dumps(mobiledoc(rng))
        else:
            post["lexical"] = json.dumps(lexical(rng))
        if i % 10 == 0:
            post["feature_image"] = "https://images.example/feature-%d.jpg" % i
            posts_meta.append({"post_id": post["id"], "feature_image_alt": sentence(rng, 4),
                               "feature_image_caption": sentence(rng, 8)})
        posts.append(post)
        chosen = rng.sample(tags[:50], 2) + [tags[50]]
        for order, tag in enumerate(chosen):
            posts_tags.append({"post_id": post["id"], "tag_id": tag["id"], "sort_order": order})
        for order, user in enumerate(rng.sample(users, rng.choice([1, 1, 2]))):
            posts_authors.append({"post_id": post["id"], "author_id": user["id"], "sort_order": order})
    export = {"db": [{"meta": {"exported_on": 1733000000000, "version": "5.80.0"}, "data": {
        "posts": posts, "tags": tags, "users": users, "posts_tags": posts_tags,
        "posts_authors": posts_authors, "posts_meta": posts_meta,
        "settings": [{"key": "locale", "value": "en"}]}}]}
    with open(out, "w") as f:
        json.dump(export, f)


if __name__ == "__main__":
    main()
