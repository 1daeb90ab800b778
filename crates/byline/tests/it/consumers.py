"""What other people's consumers read from a running Byline site.

RSS and Atom feeds are read by feedparser; JSON Feeds (which feedparser 6 does not read) are
checked against the fields JSON Feed 1.1 requires and allows, with jsonschema; the sitemaps (found through robots.txt) by
ultimate-sitemap-parser, and pages' JSON-LD and OpenGraph by extruct. Prints one JSON
document; the Rust test asserts on it.

usage: consumers.py BASE_URL FEED_PATHS PAGE_PATHS   (paths comma-separated)
"""

import json
import sys
import urllib.request

import extruct
import feedparser
import jsonschema
from usp.tree import sitemap_tree_for_homepage


def fetch(url):
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.read()


def fetch_with_type(url):
    with urllib.request.urlopen(url, timeout=20) as response:
        return response.read(), response.headers.get("content-type", "")


def entry(e):
    return {
        "title": e.get("title"),
        "link": e.get("link"),
        "id": e.get("id"),
        "authors": [a.get("name") for a in e.get("authors", [])],
        "tags": [t.get("term") for t in e.get("tags", [])],
        "enclosures": [{"href": x.get("href"), "type": x.get("type")} for x in e.get("enclosures", [])],
        "media": [m.get("url") for m in e.get("media_content", [])],
        "credit": [c.get("content") for c in e.get("media_credit", [])],
        "published": e.get("published"),
        "updated": e.get("updated"),
        "content": [c.get("value") for c in e.get("content", [])],
        "summary": e.get("summary"),
    }


# JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/): what a feed and each item must
# have, and the types of the optional fields Byline writes.
AUTHOR = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "url": {"type": "string"}, "avatar": {"type": "string"}},
    "anyOf": [{"required": ["name"]}, {"required": ["url"]}, {"required": ["avatar"]}],
}
JSON_FEED = {
    "type": "object",
    "required": ["version", "title", "items"],
    "properties": {
        "version": {"const": "https://jsonfeed.org/version/1.1"},
        "title": {"type": "string"},
        "home_page_url": {"type": "string"},
        "feed_url": {"type": "string"},
        "description": {"type": "string"},
        "icon": {"type": "string"},
        "favicon": {"type": "string"},
        "language": {"type": "string"},
        "authors": {"type": "array", "items": AUTHOR},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id"],
                "anyOf": [{"required": ["content_html"]}, {"required": ["content_text"]}],
                "properties": {
                    "id": {"type": "string"},
                    "url": {"type": "string"},
                    "title": {"type": "string"},
                    "content_html": {"type": "string"},
                    "content_text": {"type": "string"},
                    "summary": {"type": "string"},
                    "image": {"type": "string"},
                    "date_published": {"type": "string", "format": "date-time"},
                    "date_modified": {"type": "string", "format": "date-time"},
                    "authors": {"type": "array", "items": AUTHOR},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "language": {"type": "string"},
                },
            },
        },
    },
}


def json_feed(body, media_type):
    problem = ""
    try:
        if not media_type.startswith("application/feed+json"):
            raise ValueError(f"served as {media_type}")
        parsed = json.loads(body)
        jsonschema.validate(parsed, JSON_FEED, format_checker=jsonschema.FormatChecker())
    except Exception as e:  # noqa: BLE001 - any failure is the finding
        return {"bozo": True, "problem": str(e), "entries": []}
    entries = [
        {
            "title": i.get("title"),
            "link": i.get("url"),
            "id": i["id"],
            "authors": [a.get("name") for a in i.get("authors", [])],
            "tags": i.get("tags", []),
            "enclosures": [],
            "media": [i["image"]] if "image" in i else [],
            "credit": [],
            "published": i.get("date_published"),
            "updated": i.get("date_modified"),
            "content": [i["content_html"]] if "content_html" in i else [],
            "summary": i.get("summary"),
        }
        for i in parsed["items"]
    ]
    return {"bozo": False, "problem": problem, "version": "json11", "title": parsed["title"], "entries": entries}


def feed(url):
    body, media_type = fetch_with_type(url)
    if url.endswith(".json"):
        return json_feed(body, media_type)
    parsed = feedparser.parse(body, response_headers={"content-type": media_type})
    return {
        "bozo": bool(parsed.bozo),
        "problem": str(parsed.get("bozo_exception", "")),
        "version": parsed.version,
        "title": parsed.feed.get("title"),
        "entries": [entry(e) for e in parsed.entries],
    }


def page(p):
    news = p.news_story
    return {
        "url": p.url,
        "lastmod": p.last_modified.isoformat() if p.last_modified else None,
        "images": [i.loc for i in (p.images or [])],
        "image_licenses": [i.license for i in (p.images or [])],
        "news": None
        if news is None
        else {
            "title": news.title,
            "published": news.publish_date.isoformat() if news.publish_date else None,
            "name": news.publication_name,
            "language": news.publication_language,
        },
    }


def sitemaps(base):
    tree = sitemap_tree_for_homepage(base + "/", use_known_paths=False, normalize_homepage_url=False)
    found = {}
    for sitemap in tree.all_sitemaps():
        if type(sitemap).__name__ == "InvalidSitemap":
            found[sitemap.url] = {"invalid": sitemap.reason}
        elif not getattr(sitemap, "sub_sitemaps", None):
            found[sitemap.url] = {"pages": [page(p) for p in sitemap.all_pages()]}
    return found


def structured(url):
    data = extruct.extract(fetch(url).decode("utf-8"), base_url=url, syntaxes=["json-ld", "opengraph"])
    og = {}
    for block in data.get("opengraph", []):
        for name, value in block.get("properties", []):
            og.setdefault(name, []).append(value)
    return {"json_ld": data.get("json-ld", []), "og": og}


def main():
    base, feeds, pages = sys.argv[1], sys.argv[2], sys.argv[3]
    print(
        json.dumps(
            {
                "feeds": {p: feed(base + p) for p in feeds.split(",") if p},
                "sitemaps": sitemaps(base),
                "pages": {p: structured(base + p) for p in pages.split(",") if p},
            }
        )
    )


main()
