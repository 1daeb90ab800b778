//! Moving in from Ghost: every export in `../shared/fixtures/ghost/` imports with the file's
//! count of public posts (read by Python's JSON parser), each reachable at Ghost's old
//! `/{slug}/`; a hand-written Ghost 5 site brings its uploads, sections, tags, authors,
//! scheduled and members-only posts as a newsroom expects, and a dry run writes nothing.

use std::path::Path;

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::support::{Site, follow, get, python, shared};

/// What Python reads in a Ghost export: the slugs of its public, published posts and how many
/// pages it has.
const COUNT: &str = r#"
import json, sys
d = json.load(open(sys.argv[1]))
if "db" in d:
    d = d["db"][0] if isinstance(d["db"], list) else d["db"]
posts = d["data"]["posts"]
def page(p):
    return p.get("type") == "page" or p.get("page") in (1, True)
public = [p["slug"] for p in posts if not page(p) and p.get("status") == "published"
          and p.get("visibility", "public") == "public"]
print(json.dumps({"public": public, "pages": sum(1 for p in posts if page(p))}))
"#;

fn ghost(site: &Site, args: &[&str]) -> (String, String, bool) {
    let mut all = vec!["import", "ghost"];
    all.extend_from_slice(args);
    let out = site.cli(&all);
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
        out.status.success(),
    )
}

#[tokio::test]
async fn every_ghost_fixture_moves_in_with_its_posts_at_their_old_addresses() {
    let folder = shared().join("fixtures/ghost");
    let mut files = Vec::new();
    for dir in std::fs::read_dir(&folder).unwrap() {
        for file in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            files.push(file.unwrap().path());
        }
    }
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    for file in files {
        let counted: Value =
            serde_json::from_slice(&python(["-c", COUNT, file.to_str().unwrap()])).unwrap();
        let site = Site::new("");
        let (out, err, ok) = ghost(&site, &[file.to_str().unwrap()]);
        assert!(ok, "{}: {err}", file.display());
        let created = out.lines().filter(|l| l.starts_with("created")).count();
        let public = counted["public"].as_array().unwrap();
        assert!(created >= public.len(), "{}: {out}", file.display());
        let app = site.app().await;
        for slug in public {
            let old = format!("/{}/", slug.as_str().unwrap());
            let (status, location) = follow(&app, &old).await;
            assert_eq!(
                status,
                StatusCode::MOVED_PERMANENTLY,
                "{}: {old}",
                file.display()
            );
            assert!(location.starts_with("/story/"), "{old} -> {location}");
            assert_eq!(get(&app, &location).await.0, StatusCode::OK, "{location}");
        }
        let stories = out.lines().filter(|l| l.contains("/story/")).count();
        assert_eq!(stories, created, "{out}");
    }
}

/// A Ghost 5 site: lexical and mobiledoc bodies with cards, an upload, a page, internal and
/// public tags, two authors, a scheduled post and a members-only one.
fn ghost_site(root: &Path) -> std::path::PathBuf {
    let images = root.join("content/images/2024/05");
    std::fs::create_dir_all(&images).unwrap();
    std::fs::copy(
        shared().join("fixtures/photos/exiftool/IPTC.jpg"),
        images.join("harbour.jpg"),
    )
    .unwrap();
    std::fs::copy(
        shared().join("fixtures/photos/exiftool/XMP.jpg"),
        images.join("quay.jpg"),
    )
    .unwrap();
    let words = |n: usize, word: &str| vec![word; n].join(" ");
    let lexical = json!({"root": {"children": [
        {"type": "paragraph", "children": [{"type": "text", "text": words(40, "alpha")}]},
        {"type": "heading", "tag": "h2", "children": [{"type": "text", "text": "Beta heading"}]},
        {"type": "list", "listType": "bullet", "children": [
            {"type": "listitem", "children": [{"type": "text", "text": words(5, "gamma")}]}]},
        {"type": "callout", "calloutEmoji": "💡", "calloutText": "<p>A delta note.</p>"},
        {"type": "toggle", "heading": "Epsilon question", "content": "<p>Epsilon answer.</p>"},
        {"type": "bookmark", "url": "https://example.com/zeta", "metadata": {"title": "Zeta page"}},
        {"type": "button", "buttonText": "Eta button", "buttonUrl": "https://example.com/eta"},
        {"type": "paragraph", "children": [{"type": "text", "text": words(30, "theta")}]},
        {"type": "image", "src": "__GHOST_URL__/content/images/size/w600/2024/05/quay.jpg",
         "alt": "The quay inline", "caption": "Inline quay"},
        {"type": "image", "src": "__GHOST_URL__/content/images/2024/05/missing.jpg", "alt": "Gone"}
    ]}});
    let mobiledoc = json!({"version": "0.3.1", "atoms": [], "cards": [["hr", {}]],
        "markups": [["em"]],
        "sections": [[1, "p", [[0, [0], 1, words(20, "iota")]]], [10, 0], [1, "p", [[0, [], 0, words(10, "kappa")]]]]});
    let export = json!({"db": [{"meta": {"version": "5.80.0"}, "data": {
        "posts": [
            {"id": "1", "uuid": "g-1", "title": "Harbour reopens", "slug": "harbour-reopens", "type": "post",
             "status": "published", "visibility": "public", "lexical": lexical.to_string(), "html": null,
             "feature_image": "__GHOST_URL__/content/images/2024/05/harbour.jpg",
             "custom_excerpt": "Ships are back.", "published_at": "2024-05-02T09:00:00.000Z"},
            {"id": "2", "uuid": "g-2", "title": "Old editor story", "slug": "old-editor-story", "type": "post",
             "status": "published", "visibility": "public", "mobiledoc": mobiledoc.to_string(),
             "published_at": "2024-05-01T09:00:00.000Z"},
            {"id": "3", "uuid": "g-3", "title": "Tomorrow's story", "slug": "tomorrows-story", "type": "post",
             "status": "scheduled", "visibility": "public", "html": "<p>Later.</p>",
             "published_at": "2099-05-01T09:00:00.000Z"},
            {"id": "4", "uuid": "g-4", "title": "For members", "slug": "for-members", "type": "post",
             "status": "published", "visibility": "members", "html": "<p>Members only.</p>",
             "published_at": "2024-05-01T08:00:00.000Z"},
            {"id": "5", "uuid": "g-5", "title": "About", "slug": "about", "type": "page",
             "status": "published", "html": "<p>About us.</p>"}
        ],
        "posts_meta": [{"post_id": "1", "feature_image_alt": "Ships at the quay", "feature_image_caption": "The quay at dawn."}],
        "tags": [{"id": "t1", "name": "Port News", "slug": "port-news"}, {"id": "t2", "name": "#feature", "slug": "hash-feature", "visibility": "internal"},
                 {"id": "t3", "name": "Shipping", "slug": "shipping"}],
        "posts_tags": [{"post_id": "1", "tag_id": "t2", "sort_order": 0}, {"post_id": "1", "tag_id": "t1", "sort_order": 1},
                       {"post_id": "1", "tag_id": "t3", "sort_order": 2}],
        "users": [{"id": "u1", "name": "Ana Lima", "slug": "ana"}, {"id": "u2", "name": "Bo Chen", "slug": "bochen"}],
        "posts_authors": [{"post_id": "1", "author_id": "u1", "sort_order": 0}, {"post_id": "1", "author_id": "u2", "sort_order": 1}]
    }}]});
    let file = root.join("ghost.json");
    std::fs::write(&file, export.to_string()).unwrap();
    file
}

#[tokio::test]
async fn a_ghost_site_moves_in_with_its_cards_pictures_terms_and_statuses() {
    let site = Site::new("");
    let root = site.dir.path().join("ghost");
    let file = ghost_site(&root);
    let content = root.join("content/images");
    let (file, content) = (file.to_str().unwrap(), content.to_str().unwrap());

    let (out, err, ok) = ghost(&site, &["--dry-run", "--content", content, file]);
    assert!(ok, "{err}");
    assert!(err.contains("a dry run: nothing written"), "{err}");
    assert!(out.contains("created  ghost:g-5 /about\n"), "a page: {out}");
    let app = site.app().await;
    assert_eq!(
        get(&app, "/story/harbour-reopens").await.0,
        StatusCode::NOT_FOUND
    );

    let (out, err, ok) = ghost(&site, &["--content", content, file]);
    assert!(ok, "{err}");
    assert!(
        err.contains("for members readers only in Ghost: imported as a draft"),
        "{err}"
    );
    assert!(
        err.contains("a picture in its body (/content/images/2024/05/missing.jpg) was not copied"),
        "{err}"
    );
    let (status, _, page) = get(&app, "/story/harbour-reopens").await;
    assert_eq!(status, StatusCode::OK, "{out}");
    for part in [
        "Ana Lima",
        "Bo Chen",
        "Port News",
        "Shipping",
        "Ships are back.",
        "The quay at dawn.",
        "Ships at the quay",
        "<h2>Beta heading</h2>",
        "💡 A delta note.",
        "<summary>Epsilon question</summary>",
        "Zeta page",
        "Eta button",
        "src=\"/media/",
    ] {
        assert!(page.contains(part), "{part}");
    }
    assert!(!page.contains("#feature"), "internal tags are dropped");
    // Every word of the converted bodies is in the article's body.
    let count = |page: &str, word: &str| {
        let body = page
            .split("<div class=\"article-body\">")
            .nth(1)
            .unwrap_or_default();
        body.split("</article>")
            .next()
            .unwrap_or_default()
            .matches(word)
            .count()
    };
    assert_eq!(count(&page, "alpha"), 40);
    assert_eq!(count(&page, "theta"), 30);
    assert_eq!(count(&page, "gamma"), 5);
    // The upload the body shows (Ghost's resized copy of it) is copied, and shown from here.
    assert_eq!(count(&page, "src=\"/media/"), 1, "{page}");
    assert_eq!(count(&page, "/content/images/2024/05/missing.jpg"), 1);
    let (status, _, old) = get(&app, "/story/old-editor-story").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((count(&old, "iota"), count(&old, "kappa")), (20, 10));
    assert!(old.contains("<em>iota") && old.contains("<hr>"), "{old}");

    assert_eq!(
        get(&app, "/story/tomorrows-story").await.0,
        StatusCode::NOT_FOUND,
        "scheduled"
    );
    assert_eq!(
        get(&app, "/story/for-members").await.0,
        StatusCode::NOT_FOUND,
        "a draft"
    );
    for (old, new) in [
        ("/harbour-reopens/", "/story/harbour-reopens"),
        ("/tag/port-news/", "/section/port-news"),
        ("/tag/shipping/", "/tag/shipping"),
        ("/author/bochen/", "/author/bo-chen"),
    ] {
        assert_eq!(
            follow(&app, old).await,
            (StatusCode::MOVED_PERMANENTLY, new.to_owned()),
            "{old}"
        );
    }
    assert_eq!(
        follow(&app, "/about/").await,
        (StatusCode::MOVED_PERMANENTLY, "/about".to_owned()),
        "a page keeps its Ghost address"
    );

    // Again: nothing changed, nothing written twice.
    let (out, _, ok) = ghost(&site, &["--content", content, file]);
    assert!(ok);
    assert!(
        out.lines().filter(|l| l.starts_with("unchanged")).count() >= 2,
        "{out}"
    );

    let (_, err, ok) = ghost(
        &site,
        &[site.dir.path().join("missing.json").to_str().unwrap()],
    );
    assert!(!ok, "{err}");
    let broken = site.dir.path().join("broken.json");
    std::fs::write(&broken, "{\"db\": [{\"data\": {\"posts\": [}]}").unwrap();
    let (out, _, ok) = ghost(&site, &[broken.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("not JSON at line 1"), "{out}");
}
