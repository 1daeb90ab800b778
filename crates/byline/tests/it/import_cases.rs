//! Moving in: small WordPress exports and agency files written here for one case each, and
//! every WXR fixture walked page by page, through the real CLI and the real site.

use std::path::PathBuf;

use axum::http::StatusCode;

use crate::editorial::member;
use crate::html_validity::nu_errors;
use crate::support::{Site, get, shared};

fn run(site: &Site, args: &[&str]) -> (String, String, bool) {
    let out = site.cli(args);
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

/// A German site's export: one post with every kind of WordPress text, a copy sharing its
/// guid, an item that is no post at all, a page and a menu item.
const GERMAN_SITE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Zeitung</title><link>https://zeitung.example</link><language>de-DE</language>
<wp:author><wp:author_login>hk</wp:author_login><wp:author_display_name><![CDATA[Hans K&ouml;nig]]></wp:author_display_name></wp:author>
<item><title>F&#252;r die Zukunft des Hafens</title><link>https://zeitung.example/2024/03/fuer-die-zukunft/</link>
<guid isPermaLink="false">https://zeitung.example/?p=1</guid><dc:creator>hk</dc:creator>
<wp:post_id>1</wp:post_id><wp:post_date>2024-03-01 10:00:00</wp:post_date><wp:post_date_gmt>2024-03-01 09:00:00</wp:post_date_gmt>
<wp:post_name><![CDATA[fuer-die-zukunft]]></wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="lokales"><![CDATA[Lokales]]></category>
<category domain="post_tag" nicename="secrets-lies"><![CDATA[Secrets &amp; Lies]]></category>
<excerpt:encoded><![CDATA[[dropcap]D[/dropcap]er Hafen bekommt eine Zukunft.]]></excerpt:encoded>
<content:encoded><![CDATA[[dropcap]M[/dropcap]orgens um sieben
ging es los.

<h2>Die Pläne</h2>
Nach der Überschrift.

<ul>
<li>Erstens</li>
<li>Zweitens</li>
</ul>

<pre>code

  eingerückt</pre>

[caption id="attachment_9" align="alignnone" width="300"]<img src="https://zeitung.example/wp-content/uploads/hafen.jpg" alt="Der Hafen" width="300" height="200" /> Der Hafen am Morgen.[/caption]

Der Preis war <strike>zu hoch</strike> angemessen.

<address>Hafenstraße 1
Hamburg</address>

https://www.youtube.com/watch?v=abc123

[contact_form id="4"]]]></content:encoded></item>
<item><title>Eine Kopie mit derselben guid</title><guid isPermaLink="false">https://zeitung.example/?p=1</guid>
<wp:post_id>2</wp:post_id><wp:post_date>2024-03-02 10:00:00</wp:post_date><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><content:encoded><![CDATA[Ein anderer Text.]]></content:encoded></item>
<item><title>Kein Beitrag</title><guid>https://zeitung.example/?p=3</guid>
<content:encoded><![CDATA[Ohne Typ, Status und Datum.]]></content:encoded></item>
<item><title>Impressum</title><guid>https://zeitung.example/?page_id=5</guid><wp:post_id>5</wp:post_id>
<wp:post_date>2024-01-01 10:00:00</wp:post_date><wp:status>publish</wp:status><wp:post_type>page</wp:post_type></item>
<item><title>Home</title><guid>https://zeitung.example/?p=6</guid><wp:post_id>6</wp:post_id>
<wp:post_date>2024-01-01 10:00:00</wp:post_date><wp:status>publish</wp:status><wp:post_type>nav_menu_item</wp:post_type></item>
</channel></rss>"#;

/// The article's body as served.
fn article_body(page: &str) -> &str {
    let start = page
        .find("<div class=\"article-body\">")
        .expect("an article body");
    let end = page[start..]
        .find("</article>")
        .map_or(page.len(), |e| start + e);
    &page[start..end]
}

#[tokio::test]
async fn a_wordpress_post_keeps_its_structure_language_slug_and_terms() {
    let site = Site::new("");
    let export = site.dir.path().join("zeitung.xml");
    std::fs::write(&export, GERMAN_SITE).unwrap();
    let (out, err, ok) = run(&site, &["import", "wordpress", export.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    let at = |line: usize| format!("{}:{line}", export.display());
    assert_eq!(
        lines,
        vec![
            "created  wordpress:https://zeitung.example/?p=1#post-1 /story/fuer-die-zukunft",
            "created  wordpress:https://zeitung.example/?p=1#post-2 /story/eine-kopie-mit-derselben-guid",
            &format!(
                "skipped  https://zeitung.example/?p=3 {}: not a well-formed post: it has no wp:post_type, wp:status, date (wp:post_date, pubDate)",
                at(42)
            ),
            "created  wordpress:https://zeitung.example/?page_id=5#post-5 /impressum",
            &format!(
                "skipped  https://zeitung.example/?p=6 {}: a menu item in no menu",
                at(46)
            ),
        ],
        "{err}"
    );
    assert!(
        err.contains(
            "1 files: 3 created, 0 updated, 0 unchanged, 2 skipped, 0 not valid, 1 warnings"
        ),
        "{err}"
    );
    assert!(
        err.contains("shortcodes removed: [contact_form] ×1, [dropcap] ×2"),
        "{err}"
    );

    let app = site.app().await;
    // Dated by its local `post_date` alone (no GMT time, no pubDate), not at the import.
    let (_, _, copy) = get(&app, "/story/eine-kopie-mit-derselben-guid").await;
    assert!(copy.contains("datetime=\"2024-03-02T10:00:00"), "{copy}");
    let (status, _, page) = get(&app, "/story/fuer-die-zukunft").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("<html lang=\"de-DE\">"),
        "the channel's language"
    );
    assert!(page.contains("Für die Zukunft des Hafens"));
    assert!(page.contains("Hans König"));
    let body = article_body(&page);
    for expected in [
        "<p>Morgens um sieben<br>\nging es los.</p>",
        "<h2>Die Pläne</h2>\n<p>Nach der Überschrift.</p>",
        "<ul><li>Erstens</li>\n<li>Zweitens</li>\n</ul>",
        "<pre>code\n\n  eingerückt</pre>",
        "<figcaption>Der Hafen am Morgen.</figcaption>\n</figure>",
        "<s>zu hoch</s>",
        "<address>Hafenstraße 1<br>\nHamburg</address>",
        "<p class=\"embed embed-youtube\"><a href=\"https://www.youtube.com/watch?v=abc123\" rel=\"noopener noreferrer\">Watch on YouTube: www.youtube.com/watch?v=abc123</a></p>",
    ] {
        assert!(body.contains(expected), "{expected:?} in {body}");
    }
    for absent in ["[", "<p></p>", "<br>\n<li", "<iframe"] {
        assert!(!body.contains(absent), "{absent:?} in {body}");
    }
    // The excerpt (the page's description) lost its shortcode too.
    assert!(
        page.contains("content=\"Der Hafen bekommt eine Zukunft.\""),
        "{page}"
    );
    // The tag's name is the name WordPress showed, slugged from it.
    let (status, _, tag) = get(&app, "/tag/secrets-lies").await;
    assert_eq!(status, 200);
    assert!(tag.contains("Secrets &amp; Lies") && !tag.contains("&amp;amp;"));
    // The item that is no post is nowhere on the site.
    let (_, _, home) = get(&app, "/").await;
    assert!(!home.contains("Kein Beitrag"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("post.html");
    std::fs::write(&file, &page).unwrap();
    let errors = nu_errors(&[file]);
    assert!(errors.is_empty(), "{}", errors.join("\n"));

    // Every old address leads to the new page: permalinks of every structure, `?p=`, the
    // category, tag and author archives.
    let moved = |location: &'static str| (StatusCode::MOVED_PERMANENTLY, Some(location));
    let story = "/story/fuer-die-zukunft";
    for (old, expected) in [
        ("/2024/03/fuer-die-zukunft/", moved(story)),
        ("/2024/03/01/fuer-die-zukunft", moved(story)),
        ("/fuer-die-zukunft/?utm_source=newsletter", moved(story)),
        ("/?p=1", moved(story)),
        ("/archives/1", moved(story)),
        (
            "/index.php?p=2",
            moved("/story/eine-kopie-mit-derselben-guid"),
        ),
        ("/category/lokales/", moved("/section/lokales")),
        ("/author/hk/", moved("/author/hans-konig")),
        // The tag's own page under its old address's spelling.
        ("/tag/secrets-lies/", moved("/tag/secrets-lies")),
        ("/?p=999", (StatusCode::NOT_FOUND, None)),
        ("/2024/03/no-such-post/", (StatusCode::NOT_FOUND, None)),
    ] {
        let (status, headers, _) = get(&app, old).await;
        let location = headers
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        assert_eq!((status, location.as_deref()), expected, "{old}");
    }

    // A later change of slug: the old addresses follow the story.
    let (_, headers, _) = get(&app, story).await;
    let id: i64 = headers["surrogate-key"]
        .to_str()
        .unwrap()
        .split(' ')
        .next()
        .and_then(|k| k.strip_prefix("story-"))
        .unwrap()
        .parse()
        .unwrap();
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let revision = ed.revision(&app, id).await;
    let (status, _, _) = ed
        .save(
            &app,
            id,
            &revision,
            "Für die Zukunft des Hafens",
            "Text.",
            "hafen-zukunft",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, headers, _) = get(&app, "/2024/03/fuer-die-zukunft/").await;
    assert_eq!(status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(headers["location"], "/story/hafen-zukunft");
}

/// An agency API's answer (`data.items[].item`), a text item whose text is only a link, a
/// German byline and a whole HTML document as the body.
#[tokio::test]
async fn agency_envelopes_bylines_and_documents_are_read() {
    let site = Site::new("");
    let dir = site.dir.path().join("wire");
    std::fs::create_dir_all(&dir).unwrap();
    let answer = serde_json::json!({"data": {"items": [
        {"item": {"uri": "urn:dpa:1", "type": "text", "language": "de", "headline": "Hafen wächst",
            "by": "Von Christian Hollmann, dpa",
            "body_html": "<html><head><title>Hafen wächst</title></head><body><h1>Hafen wächst</h1>\
                <figure><img src=\"https://dpa.example/p/1-thumb.jpg\"><figcaption>Doppelt</figcaption></figure>\
                <p>Der Hafen wächst weiter.</p><p><span>Hamburg</span><span>Hafen</span></p></body></html>",
            "body_text": "Der Hafen wächst weiter.\n\nHamburg Hafen",
            "associations": {"featureimage": {"type": "picture", "uri": "urn:dpa:pic:1",
                "description_creditline": "dpa/Christian Charisius", "description_caption": "Containerschiffe im Hafen.",
                "renditions": {"original": {"href": "https://dpa.example/p/1.jpg"},
                               "thumb": {"href": "https://dpa.example/p/1-thumb.jpg"}}}}}},
        {"item": {"uri": "urn:dpa:2", "type": "text", "headline": "Nur ein Verweis",
            "renditions": [{"name": "html", "contenttype": "text/html", "href": "https://dpa.example/text/2.html"}]}}
    ]}});
    std::fs::write(dir.join("answer.json"), answer.to_string()).unwrap();
    std::fs::write(dir.join("other.json"), r#"{"status": "ok", "count": 0}"#).unwrap();
    let (out, err, ok) = site.import(&[&dir]);
    assert!(!ok, "a file that is not ninjs is an error");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "created  urn:dpa:1 /story/hafen-wachst");
    assert_eq!(
        lines[1],
        "created  urn:dpa:2 /story/nur-ein-verweis (a draft)"
    );
    assert!(
        lines[2].ends_with("other.json not a ninjs item: the object has no ninjs field (uri, guid, headline, headlines, bodies, …) and no envelope (data, items, item, results, result) holding items; its keys are status, count")
            || lines[2].ends_with("its keys are count, status"),
        "{}",
        lines[2]
    );
    assert!(
        err.contains("#2 (urn:dpa:2): the item's text is not in the file, only at https://dpa.example/text/2.html: imported as a draft"),
        "{err}"
    );
    let app = site.app().await;
    let (status, _, page) = get(&app, "/story/hafen-wachst").await;
    assert_eq!(status, 200, "{page}");
    assert!(
        page.contains("href=\"/author/christian-hollmann\""),
        "{page}"
    );
    assert!(!page.contains("/author/von-"), "the German 'by' is no name");
    assert!(page.contains("dpa/Christian Charisius"), "the credit line");
    assert!(page.contains("Containerschiffe im Hafen."), "the caption");
    let body = article_body(&page);
    assert!(body.contains("<p>Der Hafen wächst weiter.</p>"), "{body}");
    let text: String = body
        .split('<')
        .map(|part| part.split_once('>').map_or(part, |(_, text)| text))
        .collect();
    assert!(
        text.contains("Hamburg Hafen"),
        "inline elements apart, as the plain text shows them: {body}"
    );
    for gone in ["<h1", "Doppelt", "<title", "1-thumb.jpg"] {
        assert!(!body.contains(gone), "{gone} in {body}");
    }
    let (status, _, _) = get(&app, "/story/nur-ein-verweis").await;
    assert_eq!(status, 404, "never published empty");
}

/// Counts of an export's items, read independently of Byline (Python's XML parser).
fn published_posts(file: &std::path::Path) -> usize {
    let script = r#"
import sys, xml.etree.ElementTree as ET
WP = None
n = 0
for item in ET.parse(sys.argv[1]).getroot().iter('item'):
    fields = {c.tag.split('}')[-1]: (c.text or '').strip() for c in item}
    if fields.get('post_type') == 'post' and fields.get('status') == 'publish' and not fields.get('post_password'):
        n += 1
print(n)
"#;
    let out = crate::support::python([std::ffi::OsStr::new("-c"), script.as_ref(), file.as_ref()]);
    String::from_utf8(out).unwrap().trim().parse().unwrap()
}

/// WordPress's own test exports: every published post is served, valid, with its headline and
/// no WordPress syntax left in its text.
#[tokio::test]
async fn every_published_post_of_the_theme_test_exports_is_served_clean_and_valid() {
    let fixtures: Vec<PathBuf> = [
        "theme-test-data/themeunittestdata.wordpress.xml",
        "theme-test-data/64-block-test-data.xml",
    ]
    .iter()
    .map(|f| shared().join("fixtures/wxr").join(f))
    .collect();
    let dir = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    for fixture in &fixtures {
        let site = Site::new("");
        let (out, err, ok) = run(&site, &["import", "wordpress", fixture.to_str().unwrap()]);
        assert!(ok, "{err}");
        let public: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("created ") && l.contains(" /story/") && !l.contains(" ("))
            .map(|l| l.split_whitespace().nth(2).unwrap())
            .collect();
        assert_eq!(
            public.len(),
            published_posts(fixture),
            "{}\n{out}",
            fixture.display()
        );
        let app = site.app().await;
        if fixture.ends_with("themeunittestdata.wordpress.xml") {
            // Its one sticky post is a "Don't miss" pick, shown on other stories' pages.
            assert!(
                err.contains("picked for Don't miss: 1 sticky stories"),
                "{err}"
            );
            let other = public
                .iter()
                .find(|p| !p.ends_with("template-sticky"))
                .unwrap();
            let (_, _, page) = get(&app, other).await;
            let rail = &page[page.find("id=\"dont-miss-title\"").unwrap()..];
            let rail = &rail[..rail.find("</section>").unwrap()];
            assert!(rail.contains("Template: Sticky"), "{rail}");
        }
        for path in public {
            let (status, _, page) = get(&app, path).await;
            assert_eq!(status, 200, "{path}");
            let body = article_body(&page);
            for raw in crate::import_walk::RAW {
                assert!(!body.contains(raw), "{path}: {raw:?} in {body}");
            }
            let file = dir.path().join(format!("{}.html", pages.len()));
            std::fs::write(&file, &page).unwrap();
            pages.push(file);
        }
    }
    let errors = nu_errors(&pages);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

/// A site exported in parts: the posts in one file, their featured image in another. One run
/// over both reads every file's attachments before the first post.
#[tokio::test]
async fn a_site_exported_in_parts_keeps_its_featured_images() {
    let site = Site::new("");
    let head = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" xmlns:wp="http://wordpress.org/export/1.2/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><link>https://parts.example</link>"#;
    let posts = format!(
        r#"{head}<item><title>Harbour opens</title><guid>https://parts.example/?p=4</guid>
<wp:post_id>4</wp:post_id><wp:post_date>2024-05-01 08:00:00</wp:post_date><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><content:encoded><![CDATA[Text.]]></content:encoded>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>5</wp:meta_value></wp:postmeta>
</item></channel></rss>"#
    );
    let attachments = format!(
        r#"{head}<item><title>quay</title><guid>https://parts.example/wp-content/uploads/quay.jpg</guid>
<wp:post_id>5</wp:post_id><wp:post_date>2024-05-01 08:00:00</wp:post_date><wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type><wp:post_mime_type>image/jpeg</wp:post_mime_type>
<wp:attachment_url>https://parts.example/wp-content/uploads/quay.jpg</wp:attachment_url>
<excerpt:encoded><![CDATA[The quay at dawn.]]></excerpt:encoded></item></channel></rss>"#
    );
    let dir = site.dir.path().join("export");
    std::fs::create_dir_all(&dir).unwrap();
    // The posts come first in the run, the attachments after.
    std::fs::write(dir.join("1-posts.xml"), posts).unwrap();
    std::fs::write(dir.join("2-attachments.xml"), attachments).unwrap();
    let (out, err, ok) = run(&site, &["import", "wordpress", dir.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    assert!(err.contains("2 files: 1 created"), "{err}");
    let app = site.app().await;
    let (status, _, page) = get(&app, "/story/harbour-opens").await;
    assert_eq!(status, 200, "{out}");
    assert!(
        page.contains("parts.example/wp-content/uploads/quay.jpg")
            && page.contains("The quay at dawn."),
        "the featured image from the other file: {page}"
    );
}

/// `--dry-run` says what an import would do, item by item, and writes nothing: no story, no
/// old address, no picture.
#[tokio::test]
async fn a_dry_run_reports_everything_and_writes_nothing() {
    let site = Site::new("");
    let export = site.dir.path().join("zeitung.xml");
    std::fs::write(&export, GERMAN_SITE).unwrap();
    let path = export.to_str().unwrap();
    let (dry, err, ok) = run(&site, &["import", "wordpress", "--dry-run", path]);
    assert!(ok, "{dry}{err}");
    assert!(
        err.contains("3 created, 0 updated, 0 unchanged, 2 skipped, 0 not valid, 1 warnings (a dry run: nothing written)"),
        "{err}"
    );
    let app = site.app().await;
    assert_eq!(
        get(&app, "/story/fuer-die-zukunft").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(get(&app, "/?p=1").await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, "/category/lokales/").await.0,
        StatusCode::NOT_FOUND
    );
    // The real run reports the same lines, and writes.
    let (real, _, ok) = run(&site, &["import", "wordpress", path]);
    assert!(ok);
    assert_eq!(dry, real);
    let app = site.app().await;
    assert_eq!(get(&app, "/story/fuer-die-zukunft").await.0, StatusCode::OK);
}

/// Old addresses lead only where readers may go: never to a draft (not even a draft copy that
/// claims a live story's permalink), never to an archive of an author who has only drafts, a
/// tag that does not exist, or back to the page asked for.
#[tokio::test]
async fn old_addresses_lead_only_to_what_readers_may_see() {
    let site = Site::new("");
    let export = r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><link>https://old.example</link>
<wp:author><wp:author_login>secret</wp:author_login><wp:author_display_name>Hidden Writer</wp:author_display_name></wp:author>
<item><title>Live story</title><link>https://old.example/live/</link><guid>https://old.example/?p=1</guid>
<wp:post_id>1</wp:post_id><wp:post_date>2024-01-01 10:00:00</wp:post_date><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><category domain="post_tag" nicename="uncategorized"><![CDATA[Uncategorized]]></category>
<content:encoded><![CDATA[Live.]]></content:encoded></item>
<item><title>Draft copy</title><link>https://old.example/live/</link><guid>https://old.example/?p=2</guid>
<dc:creator>secret</dc:creator><wp:post_id>2</wp:post_id><wp:post_date>2024-01-02 10:00:00</wp:post_date>
<wp:status>draft</wp:status><wp:post_type>post</wp:post_type><content:encoded><![CDATA[Draft.]]></content:encoded></item>
<item><title>Elsewhere</title><link>https://other.example/elsewhere/</link><guid>https://old.example/?p=3</guid>
<wp:post_id>3</wp:post_id><wp:post_date>2024-01-03 10:00:00</wp:post_date><wp:status>publish</wp:status>
<wp:post_type>post</wp:post_type><content:encoded><![CDATA[Text.]]></content:encoded></item>
</channel></rss>"#;
    let file = site.dir.path().join("old.xml");
    std::fs::write(&file, export).unwrap();
    let (out, err, ok) = run(&site, &["import", "wordpress", file.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let app = site.app().await;
    for (old, status, location) in [
        (
            "/live/",
            StatusCode::MOVED_PERMANENTLY,
            Some("/story/live-story"),
        ),
        ("/?p=2", StatusCode::NOT_FOUND, None),
        ("/author/secret/", StatusCode::NOT_FOUND, None),
        ("/tag/uncategorized", StatusCode::NOT_FOUND, None),
        ("/tag/uncategorized/", StatusCode::NOT_FOUND, None),
        ("/elsewhere/", StatusCode::NOT_FOUND, None),
        (
            "/?p=3",
            StatusCode::MOVED_PERMANENTLY,
            Some("/story/elsewhere"),
        ),
    ] {
        let (got, headers, _) = get(&app, old).await;
        let to = headers
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        assert_eq!((got, to.as_deref()), (status, location), "{old}");
    }
}
