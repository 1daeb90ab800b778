//! Found by machines: feeds read by feedparser, sitemaps by ultimate-sitemap-parser and
//! structured data by extruct from a running server, cross-checked against the store; feeds
//! and sitemaps follow publication, correction and unpublishing through the page cache; and
//! the well-known files.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use byline::router::App;
use serde_json::{Value, json};

use crate::api::{call, token};
use crate::support::{Site, get, shared};

const PHOTO: &str = "fixtures/photos/superdesk-core/IPTC-PhotometadataRef-Std2017.1.jpg";
const TRICKY: &str = "Fish & \"Chips\" <Ahoy> 🐟 it's back";

/// A newsroom desk working through the Admin API with an administrator's token.
pub struct Desk {
    pub app: App,
    pub token: String,
}

impl Desk {
    pub async fn new(site: &Site) -> Desk {
        Desk {
            app: site.app().await,
            token: token(site, &["--name", "desk", "--role", "admin"]),
        }
    }

    pub async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, _, answer) = call(&self.app, method, path, Some(&self.token), body, &[]).await;
        assert!(status.is_success(), "{method} {path}: {status} {answer}");
        answer
    }

    /// A published story; returns its id and slug.
    pub async fn publish(&self, fields: Value) -> (i64, String) {
        let story = self
            .call("POST", "/api/v1/admin/stories", Some(fields))
            .await;
        let id = story["id"].as_i64().unwrap();
        self.transition(id, "publish").await;
        (id, story["slug"].as_str().unwrap().to_owned())
    }

    pub async fn transition(&self, id: i64, transition: &str) {
        let path = format!("/api/v1/admin/stories/{id}/status");
        self.call("POST", &path, Some(json!({ "transition": transition })))
            .await;
    }

    pub async fn correct(&self, id: i64, note: &str) {
        let path = format!("/api/v1/admin/stories/{id}/corrections");
        self.call("POST", &path, Some(json!({ "note": note })))
            .await;
    }

    /// The story as the Admin API gives it.
    pub async fn story(&self, id: i64) -> Value {
        self.call("GET", &format!("/api/v1/admin/stories/{id}"), None)
            .await
    }

    /// A library picture from the shared photo, with the desk's credit and caption.
    pub async fn picture(&self, credit: &str, caption: &str) -> i64 {
        use tower::ServiceExt;
        let bytes = std::fs::read(shared().join(PHOTO)).unwrap();
        let request = axum::http::Request::post("/api/v1/admin/pictures?alt=Boats%20at%20dawn")
            .header("authorization", format!("Bearer {}", self.token))
            .header("content-type", "image/jpeg")
            .body(axum::body::Body::from(bytes))
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap();
        let id = serde_json::from_slice::<Value>(&bytes).unwrap()["id"]
            .as_i64()
            .unwrap();
        let path = format!("/api/v1/admin/pictures/{id}");
        self.call(
            "PUT",
            &path,
            Some(json!({"credit": credit, "caption": caption})),
        )
        .await;
        id
    }
}

/// The newsroom the consumers read: a story with two authors, a credited photo, tags and a
/// correction under a tricky headline; one whose headline held a control character; one
/// more; a draft; and a section without stories. Returns the published stories' ids.
async fn newsroom(desk: &Desk) -> Vec<i64> {
    desk.call(
        "PUT",
        "/api/v1/admin/sections/empty",
        Some(json!({"name": "Empty"})),
    )
    .await;
    let picture = desk
        .picture("EPA/Jo Doe", "Boats in the harbour at dawn.")
        .await;
    let body =
        "<p>The fleet came home <a href=\"/story/other\">early</a>.</p><p>Ports reopened.</p>";
    let (tricky, _) = desk
        .publish(json!({
            "headline": TRICKY, "body": body, "section": "World",
            "tags": ["Ports & Harbours", "Weather"], "authors": ["Ana Lima", "Ben Okafor"],
        }))
        .await;
    let lead = format!("/api/v1/admin/stories/{tricky}/lead-picture");
    desk.call("PUT", &lead, Some(json!({"picture_id": picture})))
        .await;
    // A correction a second later moves the story's modification time past its publication.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    desk.correct(tricky, "The fleet came home on Tuesday.")
        .await;
    let (bell, _) = desk
        .publish(json!({"headline": "Bell\u{7} rings at noon", "body": "<p>Ding.</p>", "section": "World"}))
        .await;
    let (plain, _) = desk
        .publish(
            json!({"headline": "Markets steady", "body": "<p>Calm.</p>", "authors": ["Ana Lima"]}),
        )
        .await;
    desk.call(
        "POST",
        "/api/v1/admin/stories",
        Some(json!({"headline": "A draft nobody may see", "body": "<p>Secret.</p>", "section": "World"})),
    )
    .await;
    vec![tricky, bell, plain]
}

fn consumers(base: &str, feeds: &[String], pages: &[String]) -> Value {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/consumers.py");
    let out = crate::support::python([
        script.as_os_str(),
        base.as_ref(),
        feeds.join(",").as_ref(),
        pages.join(",").as_ref(),
    ]);
    serde_json::from_slice(&out).unwrap()
}

fn feed_paths(base: &str) -> Vec<String> {
    ["feed.xml", "atom.xml", "feed.json"]
        .iter()
        .map(|f| format!("{base}/{f}"))
        .collect()
}

fn titles(feed: &Value) -> Vec<&str> {
    feed["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn feeds_sitemaps_and_structured_data_read_right_by_real_consumers() {
    let site = Site::new("[feeds]\nfull_content = true\n");
    let desk = Desk::new(&site).await;
    let ids = newsroom(&desk).await;
    let mut stories = Vec::new();
    for id in &ids {
        stories.push(desk.story(*id).await);
    }
    let tricky = &stories[0];
    let server = site.serve();
    let base = server.url.clone();
    let mut feeds = feed_paths("");
    for listing in [
        "/section/world",
        "/section/empty",
        "/tag/ports-harbours",
        "/author/ana-lima",
    ] {
        feeds.extend(feed_paths(listing));
    }
    let article = format!("/story/{}", tricky["slug"].as_str().unwrap());
    let pages = vec![article.clone(), "/".to_owned(), "/section/world".to_owned()];
    let read = consumers(&base, &feeds, &pages);

    for (path, feed) in read["feeds"].as_object().unwrap() {
        assert_eq!(feed["bozo"], false, "{path}: {}", feed["problem"]);
    }
    let expected = [TRICKY, "Bell rings at noon", "Markets steady"];
    for path in feed_paths("") {
        let feed = &read["feeds"][&path];
        let mut got = titles(feed);
        got.sort();
        let mut want = expected.to_vec();
        want.sort();
        assert_eq!(got, want, "{path}: every public story and only those");
        let entry = feed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["title"] == TRICKY)
            .unwrap();
        assert_eq!(
            entry["authors"],
            json!(["Ana Lima", "Ben Okafor"]),
            "{path}"
        );
        let tags: BTreeSet<&str> = entry["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(
            tags.contains("World") && tags.contains("Ports & Harbours"),
            "{path}: {tags:?}"
        );
        assert_eq!(entry["link"], format!("{base}{article}"), "{path}");
        assert_ne!(
            entry["published"], entry["updated"],
            "{path}: the correction moved the date"
        );
        let content = entry["content"][0].as_str().unwrap_or_default();
        assert!(
            content.contains(&format!("{base}/story/other")),
            "{path}: full content with absolute links: {content}"
        );
        if !path.ends_with(".json") {
            let enclosure = &entry["enclosures"][0];
            assert_eq!(enclosure["type"], "image/jpeg", "{path}");
            assert!(
                enclosure["href"]
                    .as_str()
                    .unwrap()
                    .starts_with(&format!("{base}/media/")),
                "{path}"
            );
            assert_eq!(entry["credit"], json!(["EPA/Jo Doe"]), "{path}");
        }
    }
    for path in feed_paths("/section/world") {
        let mut got = titles(&read["feeds"][&path]);
        got.sort();
        assert_eq!(got, vec!["Bell rings at noon", TRICKY], "{path}");
    }
    for path in feed_paths("/section/empty") {
        assert_eq!(titles(&read["feeds"][&path]).len(), 0, "{path}");
    }
    for path in feed_paths("/author/ana-lima") {
        assert_eq!(titles(&read["feeds"][&path]).len(), 2, "{path}");
    }
    assert_eq!(read["feeds"]["/feed.json"]["version"], "json11");

    check_sitemaps(&read["sitemaps"], &base, &stories);
    check_structured_data(&read["pages"], &base, &article, tricky);
    server.stop();
}

fn check_sitemaps(maps: &Value, base: &str, stories: &[Value]) {
    let mut story_urls = BTreeSet::new();
    let mut others = BTreeSet::new();
    let mut news = Vec::new();
    for (url, map) in maps.as_object().unwrap() {
        assert!(map.get("invalid").is_none(), "{url}: {map}");
        for page in map["pages"].as_array().unwrap() {
            let loc = page["url"].as_str().unwrap().to_owned();
            if url.ends_with("sitemap-news.xml") {
                news.push(page.clone());
            } else if url.contains("/sitemaps/stories-") {
                let story = stories
                    .iter()
                    .find(|s| loc.ends_with(&format!("/story/{}", s["slug"].as_str().unwrap())))
                    .unwrap_or_else(|| panic!("{loc} is not a published story"));
                let updated =
                    chrono::DateTime::parse_from_rfc3339(story["updated_at"].as_str().unwrap())
                        .unwrap();
                let lastmod =
                    chrono::DateTime::parse_from_rfc3339(page["lastmod"].as_str().unwrap())
                        .unwrap();
                assert_eq!(
                    lastmod.timestamp(),
                    updated.timestamp(),
                    "{loc}: lastmod is the last change"
                );
                let has_photo = story["lead_picture"].is_object();
                assert_eq!(
                    page["images"].as_array().unwrap().len(),
                    usize::from(has_photo),
                    "{loc}"
                );
                if has_photo {
                    let license = "http://www.WebStatementOfRights.org/2017.1";
                    assert_eq!(page["image_licenses"], json!([license]), "{loc}");
                }
                story_urls.insert(loc);
            } else {
                others.insert(loc.trim_start_matches(base).to_owned());
            }
        }
    }
    let want: BTreeSet<String> = stories
        .iter()
        .map(|s| format!("{base}/story/{}", s["slug"].as_str().unwrap()))
        .collect();
    assert_eq!(
        story_urls, want,
        "the story sitemaps list every published story"
    );
    let want_others: BTreeSet<String> = [
        "/section/world",
        "/tag/ports-harbours",
        "/tag/weather",
        "/author/ana-lima",
        "/author/ben-okafor",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(
        others, want_others,
        "sections, tags and authors with stories"
    );
    assert_eq!(news.len(), 3, "the news sitemap: the last 48 hours");
    for page in &news {
        let story = &page["news"];
        assert_eq!(story["name"], "Byline");
        assert_eq!(story["language"], "en");
        assert!(story["published"].is_string());
    }
    assert!(news.iter().any(|p| p["news"]["title"] == TRICKY));
}

fn check_structured_data(pages: &Value, base: &str, article: &str, story: &Value) {
    let page = &pages[article];
    let ld = page["json_ld"].as_array().unwrap();
    let news = ld
        .iter()
        .find(|d| d["@type"] == "NewsArticle")
        .expect("NewsArticle");
    assert_eq!(news["headline"], TRICKY);
    assert!(news["description"].as_str().is_some_and(|d| !d.is_empty()));
    assert_eq!(news["articleSection"], "World");
    assert_eq!(news["inLanguage"], "en");
    assert_eq!(news["isAccessibleForFree"], true);
    assert!(news["wordCount"].as_u64().unwrap() >= 7);
    assert_eq!(news["keywords"], json!(["Ports & Harbours", "Weather"]));
    let published =
        chrono::DateTime::parse_from_rfc3339(news["datePublished"].as_str().unwrap()).unwrap();
    let modified =
        chrono::DateTime::parse_from_rfc3339(news["dateModified"].as_str().unwrap()).unwrap();
    assert!(
        modified > published,
        "dateModified moves with the correction"
    );
    let updated =
        chrono::DateTime::parse_from_rfc3339(story["updated_at"].as_str().unwrap()).unwrap();
    assert_eq!(modified.timestamp(), updated.timestamp());
    let authors = news["author"].as_array().unwrap();
    assert_eq!(authors.len(), 2);
    for (author, slug) in authors.iter().zip(["ana-lima", "ben-okafor"]) {
        assert_eq!(author["@type"], "Person");
        assert_eq!(author["url"], format!("{base}/author/{slug}"));
    }
    assert_eq!(news["publisher"]["@type"], "Organization");
    assert!(
        news["publisher"]["logo"]["url"]
            .as_str()
            .unwrap()
            .starts_with(base)
    );
    let images = news["image"].as_array().unwrap();
    assert!(!images.is_empty());
    for image in images {
        assert_eq!(image["@type"], "ImageObject");
        assert_eq!(image["creditText"], "EPA/Jo Doe");
        // The reference photo's own rights, as the MWG guidelines read them (EXIF's Artist
        // first).
        assert_eq!(image["creator"]["name"], "Creator1 (ref2017.1)");
        assert_eq!(
            image["copyrightNotice"],
            "Copyright (Notice) 2017.1 IPTC - www.iptc.org  (ref2017.1)"
        );
        assert_eq!(
            image["license"],
            "http://www.WebStatementOfRights.org/2017.1"
        );
        assert!(
            image.get("acquireLicensePage").is_none(),
            "its Licensor URLs are not URLs"
        );
        assert!(image["width"].as_u64().unwrap() > 0 && image["height"].as_u64().unwrap() > 0);
    }
    assert!(ld.iter().any(|d| d["@type"] == "BreadcrumbList"));
    let og = &page["og"];
    for property in [
        "og:title",
        "og:image",
        "og:image:width",
        "og:image:height",
        "og:image:alt",
        "article:published_time",
        "article:section",
    ] {
        assert!(og[property].is_array(), "{property}: {og}");
    }
    assert_eq!(og["og:title"][0], TRICKY);
    assert_eq!(og["article:author"].as_array().unwrap().len(), 2);
    let home = pages["/"]["json_ld"].as_array().unwrap();
    assert!(home.iter().any(|d| d["@type"] == "WebSite"));
    let section = pages["/section/world"]["json_ld"].as_array().unwrap();
    assert!(section.iter().any(|d| d["@type"] == "BreadcrumbList"));
}

/// The well-known files: robots naming the sitemaps with the extra rules, ads.txt only when
/// configured, the icon as PNG and ICO, the manifest.
#[tokio::test]
async fn robots_ads_txt_icon_and_manifest_are_served() {
    let site = Site::new(
        "[site]\nbase_url = \"https://news.example\"\n[seo]\nrobots_extra = \"User-agent: GPTBot\\nDisallow: /\"\n[ads]\nads_txt = \"example.com, pub-1, DIRECT\"\n",
    );
    let app = site.app().await;
    let (status, headers, robots) = get(&app, "/robots.txt").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert!(robots.contains("Sitemap: https://news.example/sitemap.xml\n"));
    assert!(robots.contains("Sitemap: https://news.example/sitemap-news.xml\n"));
    assert!(robots.contains("User-agent: GPTBot\nDisallow: /\n"));
    assert!(robots.contains("Disallow: /admin/"));
    let (status, _, ads) = get(&app, "/ads.txt").await;
    assert_eq!(
        (status, ads.as_str()),
        (StatusCode::OK, "example.com, pub-1, DIRECT")
    );
    let (status, headers, _) = crate::support::get_bytes(&app, "/favicon.ico").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "image/x-icon");
    let (status, headers, png) = crate::support::get_bytes(&app, "/icon.png").await;
    assert_eq!(
        (status, &headers["content-type"]),
        (StatusCode::OK, &"image/png".parse().unwrap())
    );
    assert!(png.starts_with(b"\x89PNG"));
    assert_eq!(get(&app, "/icon.svg").await.0, StatusCode::NOT_FOUND);
    let (status, _, manifest) = get(&app, "/manifest.webmanifest").await;
    assert_eq!(status, StatusCode::OK);
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest["icons"][0]["sizes"], "192x192");
    let (_, _, home) = get(&app, "/").await;
    for link in [
        "rel=\"icon\" href=\"/icon.png\"",
        "rel=\"manifest\"",
        "type=\"application/rss+xml\"",
        "<meta name=\"description\"",
    ] {
        assert!(home.contains(link), "{link}");
    }

    let plain = Site::new("");
    let app = plain.app().await;
    assert_eq!(
        get(&app, "/ads.txt").await.0,
        StatusCode::NOT_FOUND,
        "no ads.txt unless configured"
    );
    let (status, headers, _) = get(&app, "/feed").await;
    assert_eq!(status, StatusCode::PERMANENT_REDIRECT);
    assert_eq!(headers["location"], "/feed.xml");
}
