"""What a WordPress export holds, read with Python's own XML parser (not Byline's): its
published posts, the sections its posts are filed under (with the categories above them),
the tags and authors of its published posts, how many of those have a captioned featured
image, and each published post's title and link. Prints one JSON object; `well_formed` is false
for a file that is not XML."""

import html
import json
from datetime import datetime
from email.utils import parsedate_to_datetime
import re
import sys
import xml.etree.ElementTree as ET

WP = ("{http://wordpress.org/export/", "{https://wordpress.org/export/")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"


def local(tag):
    return tag.split("}")[-1]


def wp(element, name):
    """The text of a wp: child, whatever the export's WXR version."""
    for child in element:
        if child.tag.startswith(WP) and local(child.tag) == name and "/excerpt/" not in child.tag:
            return (child.text or "").strip()
    return ""


def excerpt(element):
    for child in element:
        if local(child.tag) == "encoded" and "/excerpt/" in child.tag:
            return (child.text or "").strip()
    return ""


def meta(item):
    found = {}
    for pm in item:
        if local(pm.tag) == "postmeta":
            found[wp(pm, "meta_key")] = wp(pm, "meta_value")
    return found


def names_of(item, domain):
    names = []
    for c in item:
        # A plain RSS category (no domain) is a WordPress category.
        if c.tag == "category" and c.get("domain", "category") == domain:
            name = html.unescape(c.text or "").strip()
            if name and name != "Uncategorized":
                names.append((c.get("nicename"), name))
    return names


def readable_date(item):
    """Whether a post that goes out has a date Byline can read: a GMT or local WordPress time
    (or ISO 8601), or an RFC 822 pubDate."""
    for name in ("post_date_gmt", "post_date"):
        text = wp(item, name)
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
            try:
                datetime.strptime(text, fmt)
                return True
            except ValueError:
                pass
        try:
            datetime.fromisoformat(text)
            return True
        except ValueError:
            pass
    try:
        return parsedate_to_datetime((item.findtext("pubDate") or "").strip()) is not None
    except (TypeError, ValueError, IndexError):
        return False


def host(url):
    """The host of an http(s) URL, lower-case, without `www.`."""
    found = re.match(r"https?://([^/?#]+)", (url or "").strip())
    return found.group(1).lower().removeprefix("www.") if found else None


def byline_names(byline):
    """Names in a byline as Byline splits them: `By` dropped, split at , ; & and `and`."""
    text = byline.strip()
    if text.lower().startswith("by "):
        text = text[3:]
    parts = re.split(r"[,;&]| and ", text)
    return [p.strip() for p in parts if p.strip()]


def main(path):
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        print(json.dumps({"well_formed": False}))
        return
    channel = root.find("channel")
    authors, parents, category_names = {}, {}, {}
    for element in channel:
        if local(element.tag) == "author" and element.tag.startswith(WP):
            display = html.unescape(wp(element, "author_display_name")).strip()
            if display:
                authors[wp(element, "author_login")] = display
        if local(element.tag) == "category" and element.tag.startswith(WP):
            nicename = wp(element, "category_nicename")
            if wp(element, "category_parent"):
                parents[nicename] = wp(element, "category_parent")
            name = html.unescape(wp(element, "cat_name")).strip()
            if name:
                category_names[nicename] = name
    site = host(channel.findtext("link"))
    items = list(channel.iter("item"))
    attachments = {wp(i, "post_id"): i for i in items if wp(i, "post_type") == "attachment"}
    sections, tags, people = set(), set(), set()
    published = captioned = 0
    posts = []
    for item in items:
        dated = wp(item, "post_date") or wp(item, "post_date_gmt") or item.findtext("pubDate")
        if wp(item, "post_type") != "post" or not wp(item, "status") or not dated:
            continue
        if wp(item, "status") in ("publish", "future") and not readable_date(item):
            continue
        title = (item.findtext("title") or "").strip()
        if not title and not (item.findtext(CONTENT) or "").strip():
            continue
        categories = names_of(item, "category")
        if categories:
            nicename, name = categories[0]
            sections.add(name)
            seen = set()
            while nicename in parents and parents[nicename] not in seen and len(seen) < 8:
                nicename = parents[nicename]
                seen.add(nicename)
                sections.add(category_names.get(nicename, nicename))
        if wp(item, "status") != "publish" or wp(item, "post_password"):
            continue
        published += 1
        link = (item.findtext("link") or "").strip()
        # A link on another host than the site's is no address of this site; a `?p=N` link
        # is the item's only when N is its own id (WordPress writes `?p=` with the post's id;
        # an item without one cannot claim it).
        named = re.search(r"[?&]p=([0-9]+)", link)
        if host(link) != site or (named and named.group(1) != wp(item, "post_id")):
            link = ""
        posts.append({"title": html.unescape(title), "link": link})
        for _, name in names_of(item, "post_tag") + categories[1:]:
            tags.add(name)
        coauthors = [authors.get(name, name) for _, name in names_of(item, "author")]
        creator = item.findtext("{http://purl.org/dc/elements/1.1/}creator") or ""
        byline = ", ".join(coauthors) if coauthors else authors.get(creator.strip(), creator)
        people.update(byline_names(byline))
        attachment = attachments.get(meta(item).get("_thumbnail_id", "").strip())
        if attachment is not None:
            mime = wp(attachment, "post_mime_type")
            described = excerpt(attachment) or (attachment.findtext(CONTENT) or "").strip()
            metadata = meta(attachment).get("_wp_attachment_metadata", "")
            in_file = re.search(r's:7:"caption";s:[1-9][0-9]*:', metadata)
            if (not mime or mime.startswith("image/")) and (described or in_file):
                captioned += 1
    print(json.dumps({
        "well_formed": True,
        "published": published,
        "sections": sorted(sections),
        "tags": sorted(tags),
        "authors": sorted(people),
        "captioned": captioned,
        "posts": posts,
    }))


main(sys.argv[1])
