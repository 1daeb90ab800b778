//! Moving a whole WordPress site in: its category tree as sections inside sections, Yoast's
//! search titles and descriptions, its media library, and every fixture's counts of posts,
//! sections, tags, authors and captioned pictures matching the file.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::editorial::member;
use crate::import_wordpress::wordpress;
use crate::support::{Site, get, python, shared};

/// A small news site: World › Europe › Balkans, a post filed under Balkans and Analysis with
/// Yoast's fields and a featured image, a second picture no post uses, and a PDF.
const TREE_SITE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><title>Tree Times</title><link>https://tree.example</link>
<wp:author><wp:author_login>ana</wp:author_login><wp:author_display_name>Ana Berg</wp:author_display_name></wp:author>
<wp:category><wp:term_id>3</wp:term_id><wp:category_nicename>balkans</wp:category_nicename><wp:category_parent>europe</wp:category_parent><wp:cat_name><![CDATA[Balkans]]></wp:cat_name></wp:category>
<wp:category><wp:term_id>1</wp:term_id><wp:category_nicename>world</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[World]]></wp:cat_name></wp:category>
<wp:category><wp:term_id>2</wp:term_id><wp:category_nicename>europe</wp:category_nicename><wp:category_parent>world</wp:category_parent><wp:cat_name><![CDATA[Europe]]></wp:cat_name></wp:category>
<wp:category><wp:term_id>4</wp:term_id><wp:category_nicename>analysis</wp:category_nicename><wp:category_parent></wp:category_parent><wp:cat_name><![CDATA[Analysis]]></wp:cat_name></wp:category>
<item><title>Bridge reopens in Mostar</title><link>https://tree.example/2024/05/bridge-reopens/</link>
<guid isPermaLink="false">https://tree.example/?p=10</guid><dc:creator>ana</dc:creator>
<wp:post_id>10</wp:post_id><wp:post_date>2024-05-01 10:00:00</wp:post_date><wp:post_date_gmt>2024-05-01 08:00:00</wp:post_date_gmt>
<wp:post_name>bridge-reopens</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
<category domain="category" nicename="balkans"><![CDATA[Balkans]]></category>
<category domain="category" nicename="analysis"><![CDATA[Analysis]]></category>
<category domain="post_tag" nicename="bridges"><![CDATA[Bridges]]></category>
<content:encoded><![CDATA[The old bridge carries traffic again.]]></content:encoded>
<wp:postmeta><wp:meta_key>_thumbnail_id</wp:meta_key><wp:meta_value>20</wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_yoast_wpseo_title</wp:meta_key><wp:meta_value><![CDATA[Mostar bridge open again %%sep%% %%sitename%%]]></wp:meta_value></wp:postmeta>
<wp:postmeta><wp:meta_key>_yoast_wpseo_metadesc</wp:meta_key><wp:meta_value><![CDATA[After two years of repairs, %%title%% &amp; cars cross the Neretva.]]></wp:meta_value></wp:postmeta>
</item>
<item><title>bridge photo</title><guid>https://tree.example/wp-content/uploads/2024/05/bridge.jpg</guid>
<wp:post_id>20</wp:post_id><wp:post_date>2024-05-01 08:00:00</wp:post_date><wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type><wp:post_mime_type>image/jpeg</wp:post_mime_type>
<wp:attachment_url>https://tree.example/wp-content/uploads/2024/05/bridge.jpg</wp:attachment_url>
<excerpt:encoded><![CDATA[The bridge at dawn.]]></excerpt:encoded>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>A stone arch over a river</wp:meta_value></wp:postmeta></item>
<item><title>market photo</title><guid>https://tree.example/wp-content/uploads/2024/05/market.jpg</guid>
<wp:post_id>21</wp:post_id><wp:post_date>2024-05-01 08:00:00</wp:post_date><wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type><wp:post_mime_type>image/jpeg</wp:post_mime_type>
<wp:attachment_url>https://tree.example/wp-content/uploads/2024/05/market.jpg</wp:attachment_url>
<excerpt:encoded><![CDATA[Stalls in the old market.]]></excerpt:encoded>
<wp:postmeta><wp:meta_key>_wp_attachment_image_alt</wp:meta_key><wp:meta_value>Fruit stalls</wp:meta_value></wp:postmeta></item>
<item><title>price list</title><guid>https://tree.example/wp-content/uploads/2024/05/prices.pdf</guid>
<wp:post_id>22</wp:post_id><wp:post_date>2024-05-01 08:00:00</wp:post_date><wp:status>inherit</wp:status>
<wp:post_type>attachment</wp:post_type><wp:post_mime_type>application/pdf</wp:post_mime_type>
<wp:attachment_url>https://tree.example/wp-content/uploads/2024/05/prices.pdf</wp:attachment_url></item>
</channel></rss>"#;

/// The uploads folder of [`TREE_SITE`]: two real photos.
fn tree_uploads(root: &Path) -> PathBuf {
    let may = root.join("uploads/2024/05");
    std::fs::create_dir_all(&may).unwrap();
    let photos = shared().join("fixtures/photos/exiftool");
    std::fs::copy(photos.join("IPTC.jpg"), may.join("bridge.jpg")).unwrap();
    std::fs::copy(photos.join("XMP.jpg"), may.join("market.jpg")).unwrap();
    root.join("uploads")
}

#[tokio::test]
async fn a_sites_category_tree_search_words_and_media_library_move_in() {
    let site = Site::new("");
    let export = site.dir.path().join("tree.xml");
    std::fs::write(&export, TREE_SITE).unwrap();
    let uploads = tree_uploads(site.dir.path());
    let args = [
        "--uploads",
        uploads.to_str().unwrap(),
        export.to_str().unwrap(),
    ];
    let (out, err, ok) = wordpress(&site, &args);
    assert!(ok, "{out}{err}");
    assert!(
        err.contains(
            "library: 2 pictures added, 0 already there, 0 linked where they live, 0 not imported"
        ),
        "{err}"
    );
    assert!(
        out.contains("an attachment that is not a picture (application/pdf)"),
        "{out}"
    );
    let app = site.app().await;

    // The section pages: the parent leads to its subsections, the subsection names the
    // sections above it, and the header names only the top level.
    let (status, _, world) = get(&app, "/section/world").await;
    assert_eq!(status, 200);
    assert!(
        world.contains(r#"<a href="/section/europe">Europe</a>"#),
        "{world}"
    );
    let (_, _, balkans) = get(&app, "/section/balkans").await;
    assert!(balkans.contains("Bridge reopens in Mostar"), "{balkans}");
    let trail = &balkans[balkans.find("class=\"trail\"").expect("a trail")..];
    let trail = &trail[..trail.find("</nav>").unwrap()];
    assert!(
        trail.find(">World<").unwrap() < trail.find(">Europe<").unwrap(),
        "{trail}"
    );
    let nav = &balkans[balkans.find("class=\"site-nav\"").unwrap()..];
    let nav = &nav[..nav.find("</nav>").unwrap()];
    assert!(
        nav.contains("/section/world") && !nav.contains("/section/europe"),
        "{nav}"
    );
    // The post's second category is a tag.
    assert_eq!(get(&app, "/tag/analysis").await.0, 200);

    // Yoast's words, filled in, for search engines; the theme adds the site's name.
    let (_, _, article) = get(&app, "/story/bridge-reopens").await;
    assert!(
        article.contains("<title>Mostar bridge open again | "),
        "{article}"
    );
    assert!(
        article.contains(r#"<meta name="description" content="After two years of repairs, Bridge reopens in Mostar &amp; cars cross the Neretva.">"#),
        "{article}"
    );
    // The breadcrumbs run from the top section down.
    let crumbs = &article[article.find("BreadcrumbList").unwrap()..];
    assert!(crumbs.find("World").unwrap() < crumbs.find("Balkans").unwrap());

    // Both pictures are in the library for everyone, with their words; the featured one is
    // the story's lead.
    let reporter = member(&app, &site, "rep@tree.example", "contributor").await;
    let (_, library) = reporter.get(&app, "/admin/media?q=market").await;
    assert!(library.contains("1 picture matching"), "{library}");
    assert!(library.contains("Fruit stalls"), "{library}");
    let (_, library) = reporter.get(&app, "/admin/media?q=dawn").await;
    assert!(library.contains("1 picture matching"), "{library}");
    assert!(article.contains("The bridge at dawn."), "{article}");

    // Again: nothing new, and the library keeps what it has.
    let (_, err, ok) = wordpress(&site, &args);
    assert!(ok, "{err}");
    assert!(err.contains("0 created, 0 updated, 1 unchanged"), "{err}");
    assert!(
        err.contains("library: 0 pictures added, 2 already there"),
        "{err}"
    );
}

/// The editor's own search title and description replace the headline and the summary in the
/// page's head, and can be emptied again.
#[tokio::test]
async fn an_editor_sets_a_storys_search_title_and_description() {
    let site = Site::new("");
    let app = site.app().await;
    let editor = member(&app, &site, "ed@tree.example", "editor").await;
    let id = editor
        .write(&app, "Council votes on the budget", "Text.")
        .await;
    let revision = editor.revision(&app, id).await;
    let form = format!(
        "revision={revision}&headline=Council+votes+on+the+budget&body=Text.&body_format=markdown\
         &authors=Ed&slug=council-votes&seo_title=Budget+2025+passes&seo_description=What+the+vote+means."
    );
    let (status, _, page) = editor
        .post(&app, &format!("/admin/stories/{id}"), &form)
        .await;
    assert_eq!(status, 303, "{page}");
    let (_, page) = editor.get(&app, &format!("/admin/stories/{id}")).await;
    assert!(page.contains(r#"value="Budget 2025 passes""#), "{page}");
    let (_, page) = editor
        .get(&app, &format!("/admin/stories/{id}/revisions"))
        .await;
    assert!(page.contains("search title and description"), "{page}");
    editor.act(&app, id, "publish", "").await;
    let (_, _, article) = get(&app, "/story/council-votes").await;
    assert!(
        article.contains("<title>Budget 2025 passes | "),
        "{article}"
    );
    assert!(
        article.contains(r#"<meta name="description" content="What the vote means.">"#),
        "{article}"
    );
    assert!(article.contains("<h1"), "{article}");
    assert!(
        article.contains("Council votes on the budget</h1>"),
        "{article}"
    );
}

/// What an export holds, counted by Python's XML parser, independently of Byline.
fn counts(file: &Path) -> Value {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/wxr_counts.py");
    serde_json::from_slice(&python([script.as_path(), file])).unwrap()
}

/// Names as a set of lower-case strings, for comparing with Byline's spelling.
fn names(list: &Value, key: &str) -> std::collections::BTreeSet<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| match key {
            "" => v.as_str().unwrap().to_lowercase(),
            key => v[key].as_str().unwrap().to_lowercase(),
        })
        .collect()
}

/// Every well-formed WXR fixture: Byline serves exactly the file's published posts, sections,
/// tags, authors and captioned pictures; each story with its headline, no WordPress syntax
/// and valid HTML (the Nu checker); each post's old address leading to its story.
#[tokio::test]
async fn every_wxr_fixture_moves_in_with_the_files_counts() {
    let root = shared().join("fixtures/wxr");
    let mut files: Vec<PathBuf> = walk(&root);
    files.sort();
    let mut checked = 0;
    let pages_dir = tempfile::tempdir().unwrap();
    let mut pages = Vec::new();
    for file in files {
        let expected = counts(&file);
        if expected["well_formed"] == false {
            continue;
        }
        let site = Site::new("");
        let (out, err, _) = wordpress(&site, &[file.to_str().unwrap()]);
        let app = site.app().await;
        let what = format!("{}\n{out}{err}", file.display());
        let api = |path: &'static str| {
            let app = app.clone();
            async move {
                let (status, _, body) = get(&app, path).await;
                assert_eq!(status, 200, "{path}");
                serde_json::from_str::<Value>(&body).unwrap()
            }
        };
        let published = api("/api/v1/stories?limit=100").await;
        let stories = published["items"].as_array().unwrap();
        assert_eq!(
            stories.len() as u64,
            expected["published"].as_u64().unwrap(),
            "{what}"
        );
        let captioned = stories
            .iter()
            .filter(|s| {
                s["lead_picture"]["caption"]
                    .as_str()
                    .is_some_and(|c| !c.is_empty())
            })
            .count();
        assert_eq!(
            captioned as u64,
            expected["captioned"].as_u64().unwrap(),
            "{what}"
        );
        let sections = api("/api/v1/sections").await;
        assert_eq!(
            names(&sections["items"], "name"),
            names(&expected["sections"], ""),
            "{what}"
        );
        let tags = api("/api/v1/tags").await;
        assert_eq!(
            names(&tags["items"], "name"),
            names(&expected["tags"], ""),
            "{what}"
        );
        let authors = api("/api/v1/authors").await;
        assert_eq!(
            names(&authors["items"], "name"),
            names(&expected["authors"], ""),
            "{what}"
        );
        let posts = expected["posts"].as_array().unwrap();
        crate::import_walk::walk(&app, stories, posts, pages_dir.path(), &mut pages, &what).await;
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} fixtures were read");
    let errors = crate::html_validity::nu_errors(&pages);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "xml") {
            found.push(path);
        }
    }
    found
}

/// The id of the section named `name` on the curation page.
fn section_id(curation: &str, name: &str) -> String {
    let field = format!("name=\"name\" value=\"{name}\"");
    let before = &curation[..curation.find(&field).expect("the section's row")];
    let start = before.rfind("id=\"name-").unwrap() + "id=\"name-".len();
    before[start..].split('"').next().unwrap().to_owned()
}

/// Administrators move sections in the tree an import made, never into a loop.
#[tokio::test]
async fn administrators_place_sections_and_never_in_a_loop() {
    let site = Site::new("");
    let export = site.dir.path().join("tree.xml");
    std::fs::write(&export, TREE_SITE).unwrap();
    let (out, err, ok) = wordpress(&site, &[export.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let app = site.app().await;
    let admin = member(&app, &site, "admin@tree.example", "admin").await;
    let (_, curation) = admin.get(&app, "/admin/curation").await;
    let world = section_id(&curation, "World");
    let europe = section_id(&curation, "Europe");
    let move_to = |id: &str, name: &str, parent: &str| {
        format!(
            "id={id}&name={name}&slug={}&description=&position=0&parent={parent}",
            name.to_lowercase()
        )
    };
    // World under Balkans (its own grandchild) is refused, and nothing moves.
    let (status, _, page) = admin
        .post(
            &app,
            "/admin/sections",
            &move_to(&world, "World", "balkans"),
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(
        page.contains("cannot sit under itself or one of its own subsections"),
        "{page}"
    );
    // Europe to the top level: the header names it now, and the API tells the tree.
    let (status, _, page) = admin
        .post(&app, "/admin/sections", &move_to(&europe, "Europe", ""))
        .await;
    assert_eq!(status, 303, "{page}");
    let (_, _, body) = get(&app, "/api/v1/sections").await;
    let list: Value = serde_json::from_str(&body).unwrap();
    let parent_of = |slug: &str| {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["slug"] == slug)
            .map(|s| s["parent"].clone())
            .unwrap()
    };
    assert_eq!(parent_of("europe"), Value::Null);
    assert_eq!(parent_of("balkans"), "europe");
    assert_eq!(parent_of("world"), Value::Null);
    // Importing the site again leaves sections where the newsroom put them.
    let (_, err, ok) = wordpress(&site, &[export.to_str().unwrap()]);
    assert!(ok, "{err}");
    let (_, _, body) = get(&app, "/api/v1/sections").await;
    let again: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(again, list, "a re-import moved a section");
    let (_, _, home) = get(&app, "/").await;
    let nav = &home[home.find("class=\"site-nav\"").unwrap()..];
    assert!(nav[..nav.find("</nav>").unwrap()].contains("/section/europe"));
}

/// A page builder's shortcodes in every post: the first posts that lose them are named with
/// their line, the rest only counted, so the report stays readable.
#[tokio::test]
async fn shortcodes_lost_by_every_post_are_named_twenty_times_and_counted_in_full() {
    let site = Site::new("");
    let mut export = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel><link>https://builder.example</link>"#,
    );
    for n in 1..=25 {
        export.push_str(&format!(
            "\n<item><title>Post {n}</title><guid>https://builder.example/?p={n}</guid>\
             <wp:post_id>{n}</wp:post_id><wp:post_date>2024-05-01 08:00:00</wp:post_date>\
             <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>\
             <content:encoded><![CDATA[[vc_row][vc_column]Text {n}.[/vc_column][/vc_row]]]></content:encoded></item>"
        ));
    }
    export.push_str("\n</channel></rss>");
    let path = site.dir.path().join("builder.xml");
    std::fs::write(&path, export).unwrap();
    let (out, err, ok) = wordpress(&site, &[path.to_str().unwrap()]);
    assert!(ok, "{out}{err}");
    let named: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("warning: ") && l.contains("shortcodes removed"))
        .collect();
    assert_eq!(named.len(), 20, "{err}");
    assert!(
        named[0].contains("builder.xml:4: shortcodes removed: [vc_column] ×1, [vc_row] ×1"),
        "{err}"
    );
    assert!(
        named[19].contains("counted only in the run's totals"),
        "{err}"
    );
    assert!(
        err.contains("shortcodes removed: [vc_column] ×25, [vc_row] ×25"),
        "{err}"
    );
    assert!(err.contains("25 created"), "{err}");
    let app = site.app().await;
    let (_, _, page) = get(&app, "/story/post-25").await;
    assert!(
        page.contains("Text 25.") && !page.contains("[vc_"),
        "{page}"
    );
}

/// Through the Admin API the same two fields: given on create, kept by a save that leaves them
/// out (a client written before them), emptied by a save that sends them empty.
#[tokio::test]
async fn the_api_keeps_search_words_a_save_leaves_out() {
    use crate::api::{call, token};
    use serde_json::json;
    let site = Site::new("");
    let app = site.app().await;
    let editor = token(&site, &["--name", "desk", "--role", "editor"]);
    let draft = json!({"headline": "Ferry timetable", "body": "Text.",
        "seo_title": "Ferry times 2025", "seo_description": "When the boats leave."});
    let (status, _, story) = call(
        &app,
        "POST",
        "/api/v1/admin/stories",
        Some(&editor),
        Some(draft),
        &[],
    )
    .await;
    assert_eq!(status, 201, "{story}");
    assert_eq!(story["seo_title"], "Ferry times 2025");
    let path = format!("/api/v1/admin/stories/{}", story["id"]);
    let save = |body: Value, revision: &'static str| {
        let (app, editor, path) = (app.clone(), editor.clone(), path.clone());
        async move {
            call(
                &app,
                "PUT",
                &path,
                Some(&editor),
                Some(body),
                &[("if-match", revision)],
            )
            .await
        }
    };
    let (status, _, kept) = save(
        json!({"headline": "Ferry timetable", "body": "New text."}),
        "\"r1\"",
    )
    .await;
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["seo_title"], "Ferry times 2025");
    assert_eq!(kept["seo_description"], "When the boats leave.");
    let (status, _, emptied) = save(
        json!({"headline": "Ferry timetable", "body": "New text.", "seo_title": "", "seo_description": ""}),
        "\"r2\"",
    )
    .await;
    assert_eq!(status, 200, "{emptied}");
    assert_eq!(emptied["seo_title"], Value::Null);
}
