"""Writes a WordPress export (WXR 1.2) of N generated posts for `scripts/bench-import`:
about 10 KB each (paragraphs with line breaks, headings, lists, a [caption] and an unknown
shortcode, a YouTube line), two categories of a hierarchy, three tags, one author of twenty,
a featured image on one post in ten, and an attachment item for each. Written as a stream.

    python3 scripts/bench_import.py OUT.xml N
"""
import random
import sys

WORDS = ("harbour council ferry storm budget election minister hospital bridge school port "
         "report plan vote mayor river museum festival railway energy wind tide quay fishing "
         "crew night morning market strike union court ruling police housing rent tram").split()


def sentence(rng, n):
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def body(rng, k):
    parts = []
    for p in range(17):
        lines = [" ".join(sentence(rng, rng.randint(8, 16)) for _ in range(3)) for _ in range(2)]
        parts.append("\n".join(lines))
        if p == 3:
            parts.append("<h2>" + sentence(rng, 4) + "</h2>")
        if p == 6:
            parts.append("<ul>\n" + "\n".join(f"<li>{sentence(rng, 5)}</li>" for _ in range(4)) + "\n</ul>")
        if p == 8:
            parts.append(f'[caption id="attachment_{k}" width="600"]<img src="https://old.example/'
                         f'wp-content/uploads/photo-{k}.jpg" alt="Photo {k}" /> {sentence(rng, 8)}[/caption]')
        if p == 10:
            parts.append(f"[dropcap]A[/dropcap]{sentence(rng, 12)} [newsletter_signup id=\"3\"]")
        if p == 12:
            parts.append(f"https://www.youtube.com/watch?v=v{k:07d}")
    return "\n\n".join(parts)


def main():
    out, n = sys.argv[1], int(sys.argv[2])
    rng = random.Random(11)
    w = open(out, "w", encoding="utf-8", buffering=1 << 20)
    w.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            '<title>Old Harbour Post</title><link>https://old.example</link><language>en-GB</language>\n'
            '<wp:wxr_version>1.2</wp:wxr_version>\n')
    for a in range(20):
        w.write(f"<wp:author><wp:author_login>writer{a}</wp:author_login>"
                f"<wp:author_display_name><![CDATA[Writer Number{a}]]></wp:author_display_name></wp:author>\n")
    w.write("<wp:category><wp:category_nicename>news</wp:category_nicename><wp:category_parent></wp:category_parent>"
            "<wp:cat_name><![CDATA[News]]></wp:cat_name></wp:category>\n")
    for c in range(8):
        w.write(f"<wp:category><wp:category_nicename>desk-{c}</wp:category_nicename>"
                f"<wp:category_parent>news</wp:category_parent><wp:cat_name><![CDATA[Desk {c}]]></wp:cat_name></wp:category>\n")
    for k in range(1, n + 1):
        day = 1 + k % 28
        date = f"20{10 + k % 15}-{1 + k % 12:02d}-{day:02d} {k % 24:02d}:{k % 60:02d}:00"
        title = sentence(rng, 7)[:-1]
        tags = "".join(f'<category domain="post_tag" nicename="topic-{t}"><![CDATA[Topic {t}]]></category>'
                       for t in rng.sample(range(500), 3))
        desk = k % 8
        thumb = ""
        if k % 10 == 0:
            thumb = (f"<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key>"
                     f"<wp:meta_value>{n + k}</wp:meta_value></wp:postmeta>")
        w.write(f"""<item><title>{title} {k}</title><link>https://old.example/{date[:4]}/{date[5:7]}/post-{k}/</link>
<guid isPermaLink="false">https://old.example/?p={k}</guid><dc:creator>writer{k % 20}</dc:creator>
<wp:post_id>{k}</wp:post_id><wp:post_date>{date}</wp:post_date><wp:post_date_gmt>{date}</wp:post_date_gmt>
<wp:post_name>post-{k}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="desk-{desk}"><![CDATA[Desk {desk}]]></category>{tags}
<excerpt:encoded><![CDATA[{sentence(rng, 20)}]]></excerpt:encoded>
<content:encoded><![CDATA[{body(rng, k)}]]></content:encoded>{thumb}
</item>
""")
        if k % 10 == 0:
            w.write(f"""<item><title>photo-{k}</title><guid>https://old.example/wp-content/uploads/photo-{k}.jpg</guid>
<wp:post_id>{n + k}</wp:post_id><wp:post_date>{date}</wp:post_date><wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type><wp:post_mime_type>image/jpeg</wp:post_mime_type>
<wp:attachment_url>https://old.example/wp-content/uploads/photo-{k}.jpg</wp:attachment_url>
<excerpt:encoded><![CDATA[{sentence(rng, 10)}]]></excerpt:encoded>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value><![CDATA[Photo {k}]]></wp:meta_value></wp:postmeta>
</item>
""")
    w.write("</channel>\n</rss>\n")
    w.close()


main()
