//! The public site in-process: listings, pagination, 404s, assets, ads, health.

use axum::http::StatusCode;

use crate::support::{ADS_CONFIG, Item, Site, get, send_built, shared};

/// A site with `n` stories in the World section, tagged Energy, by two authors.
fn world_site(config: &str, n: usize) -> Site {
    let site = Site::new(config);
    let dir = site.dir.path().join("items");
    let paths: Vec<_> = (0..n)
        .map(|i| {
            Item::new(
                &format!("urn:test:w{i}"),
                &format!("World story number {i}"),
            )
            .created(&format!("2024-03-{:02}T08:00:00Z", i + 1))
            .subjects(&["Energy"])
            .set("by", serde_json::json!("By Jane Doe and John Roe"))
            .write(&dir, &format!("w{i:02}"))
        })
        .collect();
    let out = site.cli(&[
        "import",
        "ninjs",
        "--section",
        "world",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(paths.len(), n);
    site
}

#[tokio::test]
async fn listings_paginate_newest_first() {
    let site = world_site("", 25);
    let app = site.app().await;
    let (status, _, first) = get(&app, "/section/world").await;
    assert_eq!(status, StatusCode::OK);
    assert!(first.contains("<h1>World</h1>"));
    assert_eq!(first.matches("<li class=\"card\">").count(), 20);
    assert!(
        first.find("World story number 24").unwrap() < first.find("World story number 23").unwrap()
    );
    assert!(first.contains(r#"<a href="/section/world?page=2" rel="next">Older stories</a>"#));
    let (_, _, second) = get(&app, "/section/world?page=2").await;
    assert_eq!(second.matches("<li class=\"card\">").count(), 5);
    assert!(second.contains(r#"<a href="/section/world" rel="prev">Newer stories</a>"#));
    assert!(
        second.contains(r#"<link rel="canonical" href="http://byline.test/section/world?page=2">"#)
    );
    assert_eq!(
        get(&app, "/section/world?page=3").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(&app, "/section/world?page=zero").await.0,
        StatusCode::NOT_FOUND
    );

    let (status, _, tag) = get(&app, "/tag/energy").await;
    assert_eq!(status, StatusCode::OK);
    assert!(tag.contains("<h1>Energy</h1>") && tag.contains("World story number 24"));
    let (status, _, author) = get(&app, "/author/john-roe").await;
    assert_eq!(status, StatusCode::OK);
    assert!(author.contains("<h1>John Roe</h1>") && author.contains("World story number 24"));

    let (_, _, article) = get(&app, "/story/world-story-number-3").await;
    assert!(article.contains(r#"By <a href="/author/jane-doe" rel="author">Jane Doe</a> and <a href="/author/john-roe" rel="author">John Roe</a>"#));
    assert!(article.contains(r#"<p class="kicker"><a href="/section/world">World</a></p>"#));
    assert!(article.contains(r#"<a href="/tag/energy" rel="tag">Energy</a>"#));

    let (_, _, home) = get(&app, "/").await;
    assert!(home.contains(r#"<h2 class="lead-title"><a href="/story/world-story-number-24">"#));
    assert!(
        home.contains(r#"<a href="/section/world">World</a></h2>"#),
        "a block per section"
    );
    assert!(home.contains(r#"<nav class="site-nav" aria-label="Sections">"#));
}

#[tokio::test]
async fn unknown_urls_get_the_styled_404_page() {
    let site = world_site("", 1);
    let app = site.app().await;
    for path in [
        "/nope",
        "/story/unknown-story",
        "/story/Not_A_Slug",
        "/section/nowhere",
        "/tag/x",
        "/author/y",
        "/static/site.css",
        "/media/../byline.db",
    ] {
        let (status, headers, html) = get(&app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            headers["content-type"], "text/html; charset=utf-8",
            "{path}"
        );
        assert!(html.contains("<h1>Page not found</h1>"), "{path}: {html}");
        assert!(
            stylesheet(&app, &html).await.contains(":focus-visible"),
            "styled: {path}"
        );
    }
}

#[tokio::test]
async fn assets_and_health() {
    let site = world_site("", 1);
    let (app, state) = site.cached_app().await;
    let (_, headers, home) = get(&app, "/").await;
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(
        headers["referrer-policy"],
        "strict-origin-when-cross-origin"
    );
    // The default stylesheet is small: it travels inside the page, and blocks no rendering.
    assert!(!home.contains("<link rel=\"stylesheet\""));
    let inline = stylesheet(&app, &home).await;
    assert!(inline.contains(":focus-visible"));
    let url = state.theme.asset_url("site.css").unwrap().to_owned();
    let (status, headers, body) = get(&app, &url).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/css; charset=utf-8");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(body, inline, "the same stylesheet, also served as a file");
    // Served compressed to clients that take it.
    for (coding, decoded) in [
        ("br", brotli_text as fn(&[u8]) -> String),
        ("gzip", gzip_text),
    ] {
        let request = axum::http::Request::get(&url).header("accept-encoding", coding);
        let (status, headers, bytes) = send_built(&app, request, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["content-encoding"], coding);
        assert_eq!(headers["vary"], "Accept-Encoding");
        assert!(
            bytes.len() < body.len() / 2,
            "{coding}: {} bytes",
            bytes.len()
        );
        assert_eq!(decoded(&bytes), body, "{coding}");
    }
    let (status, _, body) = get(&app, "/healthz").await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, "store ok\nmedia ok\n")
    );
}

#[tokio::test]
async fn ad_slots_render_only_when_configured() {
    let plain = world_site("", 1);
    let (_, _, html) = get(&plain.app().await, "/story/world-story-number-0").await;
    assert!(
        !html.contains("Advertisement") && !html.contains("class=\"ad "),
        "no placement, no slot"
    );

    let with_ads = world_site(&format!("{ADS_CONFIG}\n[ads]\nlabel = \"Anzeige\"\n"), 1);
    let (_, _, page) = get(&with_ads.app().await, "/story/world-story-number-0").await;
    // The markup, not the stylesheet inside the page's head.
    let html = page.split("<body>").nth(1).unwrap();
    let top = html.find("ad-article_top").unwrap();
    let body = html.find("class=\"article-body\"").unwrap();
    let bottom = html.find("ad-article_bottom").unwrap();
    assert!(
        top < body && body < bottom,
        "top before the body, bottom after it"
    );
    assert!(
        html.contains(r#"<p class="ad-label">Anzeige</p>"#),
        "the label is configurable"
    );
    assert!(
        html.contains(r#"<a href="/latest">Support independent journalism</a>"#),
        "operator HTML as written"
    );
    let css = stylesheet(&with_ads.app().await, &page).await;
    assert!(
        css.contains(".ad-article_top .ad-box{width:728px;max-width:100%;min-height:90px;}"),
        "the declared size is reserved by the stylesheet"
    );
}

/// The stylesheet of a page: inside it, or the file it links to.
async fn stylesheet(app: &byline::router::App, html: &str) -> String {
    if let Some(inline) = html
        .split("<style>")
        .nth(1)
        .and_then(|rest| rest.split("</style>").next())
    {
        return inline.to_owned();
    }
    let href = html
        .split("<link rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a stylesheet, inline or linked");
    let (status, _, css) = get(app, href).await;
    assert_eq!(status, StatusCode::OK);
    css
}

fn brotli_text(bytes: &[u8]) -> String {
    let mut out = String::new();
    std::io::Read::read_to_string(&mut brotli::Decompressor::new(bytes, 4096), &mut out).unwrap();
    out
}

fn gzip_text(bytes: &[u8]) -> String {
    let mut out = String::new();
    std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(bytes), &mut out).unwrap();
    out
}

#[tokio::test]
async fn ad_sizes_follow_the_breakpoints_and_every_slot_has_its_own_name() {
    let config = r#"
[ads.article_top]
html = '<iframe title="Leaderboard" src="about:blank" width="728" height="90"></iframe>'
sizes = [[728, 90], [320, 50]]
[ads.article_bottom]
html = 'bottom'
height = 250
[ads.sidebar]
html = 'tower'
width = 300
height = 600
[ads.in_article]
html = 'inline creative'
height = 250
after_paragraph = 2
"#;
    let site = Site::new(config);
    let dir = site.dir.path().join("items");
    let body: String = (1..=4).map(|n| format!("<p>Paragraph {n}.</p>")).collect();
    Item::new("urn:test:long", "A long story")
        .body(&body)
        .write(&dir, "long");
    Item::new("urn:test:short", "A short story")
        .body("<p>Only one.</p>")
        .write(&dir, "short");
    assert!(
        site.cli(&["import", "ninjs", dir.to_str().unwrap()])
            .status
            .success()
    );
    let app = site.app().await;
    let (_, _, html) = get(&app, "/story/a-long-story").await;
    let names: Vec<&str> = html
        .split("<aside class=\"ad ")
        .skip(1)
        .filter_map(|a| a.split("aria-label=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(names.len(), 4, "{html}");
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), 4, "each slot is named once: {names:?}");
    assert!(names.iter().all(|n| n.starts_with("Advertisement")));
    assert_eq!(
        html.matches("<p class=\"ad-label\">- Advertisement -</p>")
            .count(),
        4
    );
    // In the body, after the second paragraph; the sidebar's after the rails.
    let second = html.find("<p>Paragraph 2.</p>").unwrap();
    let inline = html.find("inline creative").unwrap();
    let third = html.find("<p>Paragraph 3.</p>").unwrap();
    assert!(second < inline && inline < third);
    assert!(html.find("dont-miss-title").unwrap() < html.find("tower").unwrap());
    let (_, _, short) = get(&app, "/story/a-short-story").await;
    assert!(
        !short.contains("inline creative"),
        "a body too short for the slot goes without it"
    );
    let css = stylesheet(&app, &html).await;
    for rule in [
        ".ad-article_top .ad-box{width:320px;max-width:100%;min-height:50px;}",
        "@media (min-width:760px){.ad-article_top .ad-box{width:728px;max-width:100%;min-height:90px;}}",
        ".ad-sidebar .ad-box{width:300px;max-width:100%;min-height:600px;}",
        ".ad-in_article .ad-box{min-height:250px;}",
    ] {
        assert!(css.contains(rule), "{rule} in the stylesheet");
    }
    assert!(
        !html.contains("style=\""),
        "sizes live in the stylesheet, not in style attributes"
    );
}

#[tokio::test]
async fn the_front_page_shows_each_story_once() {
    let site = Site::new("");
    let sections = ["world", "business", "sport"];
    for (s, section) in sections.iter().enumerate() {
        let dir = site.dir.path().join(section);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(shared().join("seed/lead-photo.jpg"), dir.join("photo.jpg")).unwrap();
        for i in (s..30).step_by(3) {
            let mut item = Item::new(&format!("urn:test:f{i}"), &format!("Front story {i}"))
                .created(&format!("2024-04-{:02}T08:00:00Z", i + 1));
            if i % 4 == 1 {
                item = item.picture("photo.jpg", "AGENCY/PHOTOGRAPHER", "A caption");
            }
            item.write(&dir, &format!("f{i:02}"));
        }
        let out = site.cli(&[
            "import",
            "ninjs",
            "--section",
            section,
            dir.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let app = site.app().await;
    let (status, _, home) = get(&app, "/").await;
    assert_eq!(status, StatusCode::OK);
    let main = home
        .split("<main")
        .nth(1)
        .and_then(|m| m.split("</main>").next())
        .unwrap();
    let mut links: Vec<&str> = main
        .split("href=\"/story/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    // The lead links its photo and its headline to the story: one story, two links.
    let lead = links[0];
    assert_eq!(links[1], lead);
    links.remove(0);
    let count = links.len();
    let mut unique = links.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), count, "a story shown twice: {links:?}");
    assert!(
        count > 14,
        "lead, secondary, latest and section blocks: {links:?}"
    );
    // The newest photographed story leads, with its photo; the next photographed follow it.
    assert_eq!(lead, "front-story-29");
    assert!(main.contains("class=\"secondary\""));
    let secondary = main.split("cards-secondary").nth(1).unwrap();
    let secondary = secondary.split("</ol>").next().unwrap();
    assert!(secondary.contains("front-story-25") && secondary.contains("<picture>"));
    assert!(
        secondary.contains("loading=\"lazy\""),
        "card photos load lazily"
    );
}

#[tokio::test]
async fn a_theme_folder_named_in_the_config_replaces_files_by_name() {
    let site = world_site("[theme]\npath = \"house-theme\"\n", 1);
    let theme = site.dir.path().join("house-theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("static")).unwrap();
    std::fs::write(
        theme.join("templates/not_found.html"),
        "{% extends \"base.html\" %}{% block main %}<h1>Lost at sea</h1>{% endblock %}",
    )
    .unwrap();
    std::fs::write(theme.join("static/site.css"), "body { color: navy; }").unwrap();
    let app = site.app().await;
    let (status, _, html) = get(&app, "/nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("<h1>Lost at sea</h1>"), "{html}");
    assert_eq!(stylesheet(&app, &html).await, "body { color: navy; }");
    let (_, _, article) = get(&app, "/story/world-story-number-0").await;
    assert!(
        article.contains("<h1>World story number 0</h1>"),
        "other templates stay the default's"
    );
}
