//! The site's own pages and menus: editors write a page in the story editor, place it in the
//! tree and publish it at `/{slug}`; no listing, feed or search shows it; menus written on the
//! curation screen replace the header's sections and the footer's links; WordPress and Ghost
//! pages and menus move in with their hierarchy and order.

use axum::http::StatusCode;

use crate::editorial::{Member, member};
use byline::router::App;
use byline_core::Slug;
use byline_core::menus::{Menu, MenuItem};

use crate::support::{Site, enc, follow, get, send, shared};

/// Creates a page (as `who`) under `parent` (a page id, or empty) and returns its id.
async fn new_page(app: &App, who: &Member, title: &str, slug: &str, parent: &str) -> i64 {
    let form = format!(
        "headline={}&body={}&body_format=markdown&slug={slug}&parent={parent}&position=0",
        enc(title),
        enc(&format!("The {title} page's own words."))
    );
    let (status, location, page) = who.post(app, "/admin/pages", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    location.rsplit('/').next().unwrap().parse().unwrap()
}

fn body_of(page: &str) -> &str {
    let main = page.split("<main").nth(1).unwrap_or(page);
    main.split("</main>").next().unwrap_or(main)
}

#[tokio::test]
async fn editors_write_place_and_publish_pages_that_no_listing_shows() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let (status, page) = ed.get(&app, "/admin/pages/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("name=\"parent\"") && !page.contains("name=\"tags\""),
        "{page}"
    );

    let about = new_page(&app, &ed, "About us", "about", "").await;
    let imprint = new_page(&app, &ed, "Imprint", "imprint", &about.to_string()).await;
    assert_eq!(
        get(&app, "/imprint").await.0,
        StatusCode::NOT_FOUND,
        "a draft"
    );
    for id in [about, imprint] {
        let (status, _, page) = ed.act(&app, id, "publish", "").await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    }
    let story = ed.write(&app, "Harbour opens", "Ships.").await;
    ed.act(&app, story, "publish", "").await;

    let (status, _, page) = get(&app, "/imprint").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("<h1>Imprint</h1>"), "{page}");
    assert!(page.contains("The Imprint page"), "{page}");
    assert!(
        page.contains(r#"<nav class="breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="/about">About us</a></li>"#),
        "the page above it: {page}"
    );
    assert!(!page.contains("class=\"rail"), "no rails on a page");
    let (_, _, parent) = get(&app, "/about").await;
    assert!(
        parent.contains(r#"<li><a href="/imprint">Imprint</a></li>"#),
        "{parent}"
    );

    // One address: the others lead there.
    assert_eq!(
        follow(&app, "/imprint/").await,
        (StatusCode::MOVED_PERMANENTLY, "/imprint".into())
    );
    assert_eq!(
        follow(&app, "/page/imprint").await,
        (StatusCode::MOVED_PERMANENTLY, "/imprint".into())
    );
    assert_eq!(
        follow(&app, "/story/imprint").await,
        (StatusCode::PERMANENT_REDIRECT, "/imprint".into())
    );
    assert_eq!(
        get(&app, "/harbour-opens").await.0,
        StatusCode::NOT_FOUND,
        "a story is no page"
    );

    // Asked for by the API, a page says where it lives.
    let (status, _, json) =
        crate::api::call(&app, "GET", "/api/v1/stories/imprint", None, None, &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["url"], "http://byline.test/imprint");

    // Pages are in the sitemap of pages and nowhere stories are listed.
    let (_, _, pages_map) = get(&app, "/sitemaps/pages.xml").await;
    assert!(
        pages_map.contains("http://byline.test/imprint</loc>"),
        "{pages_map}"
    );
    let (_, _, index) = get(&app, "/sitemap.xml").await;
    assert!(index.contains("/sitemaps/pages.xml"), "{index}");
    for path in [
        "/latest",
        "/",
        "/feed.xml",
        "/feed.json",
        "/sitemap-news.xml",
        "/api/v1/stories",
    ] {
        let (status, _, text) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let text = if text.contains("<main") {
            body_of(&text)
        } else {
            &text
        };
        assert!(
            text.contains("harbour-opens"),
            "{path} lists the story: {text}"
        );
        assert!(
            !text.contains("imprint") && !text.contains("about-us"),
            "{path} lists a page: {text}"
        );
    }
    // The calendar counts stories only.
    let (_, _, archive) = get(&app, "/archive").await;
    assert!(archive.contains("(1 story)"), "{archive}");
    let (_, page) = ed.get(&app, "/admin").await;
    assert!(!page.contains("Imprint"), "the story list holds stories");
    let (_, page) = ed.get(&app, "/admin/pages").await;
    assert!(
        page.contains("About us") && page.contains("<code>/imprint</code>"),
        "{page}"
    );
}

#[tokio::test]
async fn only_editors_work_on_pages_and_a_page_never_takes_a_site_address() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let author = member(&app, &site, "au@example.org", "author").await;
    let contributor = member(&app, &site, "co@example.org", "contributor").await;
    let about = new_page(&app, &ed, "About", "about", "").await;
    for who in [&author, &contributor] {
        assert_eq!(who.get(&app, "/admin/pages").await.0, StatusCode::FORBIDDEN);
        assert_eq!(
            who.get(&app, "/admin/pages/new").await.0,
            StatusCode::FORBIDDEN
        );
        let (status, _, _) = who
            .post(&app, "/admin/pages", "headline=Mine&body=x&slug=mine")
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = who.get(&app, &format!("/admin/stories/{about}")).await;
        assert!(
            matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{status}"
        );
        let (status, _, _) = who.act(&app, about, "publish", "").await;
        assert!(
            matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{status}"
        );
    }
    let forged = "csrf=wrong&headline=X&body=x&slug=x";
    let (status, _, _) = send(&app, "POST", "/admin/pages", Some(&ed.cookie), Some(forged)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    for taken in ["search", "latest", "admin", "archive", "newsletter"] {
        let form = format!("headline=Page&body=x&slug={taken}");
        let (status, _, page) = ed.post(&app, "/admin/pages", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{taken}");
        assert!(
            page.contains(&format!("The address /{taken} belongs to the site itself")),
            "{page}"
        );
    }
    // A page cannot sit under itself or under a page below it.
    let child = new_page(&app, &ed, "Team", "team", &about.to_string()).await;
    let revision = ed.revision(&app, about).await;
    let form = format!("revision={revision}&headline=About&body=x&slug=about&parent={child}");
    let (status, _, page) = ed
        .post(&app, &format!("/admin/stories/{about}"), &form)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("cannot sit under itself"), "{page}");
    // A section, tags or authors sent for a page are not kept: a page is filed under nothing.
    let revision = ed.revision(&app, child).await;
    let form = format!(
        "revision={revision}&headline=Team&body=Us.&slug=team&parent={about}&tags=Secret&section=World&authors=Eve"
    );
    let (status, _, page) = ed
        .post(&app, &format!("/admin/stories/{child}"), &form)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    ed.act(&app, child, "publish", "").await;
    assert_eq!(get(&app, "/tag/secret").await.0, StatusCode::NOT_FOUND);
    // A save that leaves out the place (an older form, the conflict page) keeps the page
    // where it is.
    let revision = ed.revision(&app, child).await;
    let form = format!("revision={revision}&headline=Team&body=Us+all.&slug=team");
    let (status, _, _) = ed
        .post(&app, &format!("/admin/stories/{child}"), &form)
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, editor) = ed.get(&app, &format!("/admin/stories/{child}")).await;
    assert!(
        editor.contains(&format!(r#"<option value="{about}" selected>"#)),
        "still under About: {editor}"
    );
    // Pages sit at most eight levels deep.
    let mut parent = child;
    for level in 3..=8 {
        parent = new_page(
            &app,
            &ed,
            &format!("Level {level}"),
            &format!("level-{level}"),
            &parent.to_string(),
        )
        .await;
    }
    let form = format!("headline=Too+deep&body=x&slug=too-deep&parent={parent}");
    let (status, _, page) = ed.post(&app, "/admin/pages", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("at most 8 levels deep"), "{page}");
    // Saved three times: revisions to compare and restore, as a story has.
    let (_, revisions) = ed
        .get(&app, &format!("/admin/stories/{child}/revisions"))
        .await;
    assert_eq!(
        revisions.matches("revisions?compare=").count(),
        3,
        "made, then saved twice: {revisions}"
    );
}

#[tokio::test]
async fn menus_written_on_the_curation_screen_lead_the_header_and_footer() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let author = member(&app, &site, "au@example.org", "author").await;
    let (_, _, home) = get(&app, "/").await;
    assert!(
        !home.contains("class=\"footer-nav\""),
        "no menu yet: the default footer"
    );

    let items = "World | /section/world\nAbout\n  Imprint | /imprint\n  Wire | https://wire.example/x?a=1&b=2\n";
    let form = format!("name=Footer&location=footer&items={}", enc(items));
    let (status, _, _) = author.post(&app, "/admin/menus", &form).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "authors arrange no menus");
    let (status, location, page) = ed.post(&app, "/admin/menus", &form).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/curation?saved#menus"),
        "{page}"
    );
    let (_, _, home) = get(&app, "/").await;
    let footer = home.split("<footer").nth(1).unwrap();
    assert!(
        footer.contains(r#"<li><span class="menu-heading">About</span><ul><li><a href="/imprint">Imprint</a></li><li><a href="https://wire.example/x?a=1&amp;b=2">Wire</a></li></ul></li>"#),
        "{footer}"
    );

    // A bad line is named, and what was typed comes back.
    let bad = "Home | /\n  Evil | javascript:alert(1)\n";
    let form = format!("name=Header&location=header&items={}", enc(bad));
    let (status, _, page) = ed.post(&app, "/admin/menus", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("line 2: the link:"), "{page}");
    assert!(
        page.contains("  Evil | javascript:alert(1)\n</textarea>"),
        "{page}"
    );

    let form = format!(
        "name=Header&location=header&items={}",
        enc("Home | /\nWorld | /section/world\nPipe | https://example.com/?a=1|2")
    );
    ed.post(&app, "/admin/menus", &form).await;
    let (_, _, home) = get(&app, "/latest").await;
    let header = home.split("</header>").next().unwrap();
    assert!(
        header.contains(r#"<nav class="site-nav" aria-label="Main">"#),
        "{header}"
    );
    assert!(
        header.contains(r#"<a href="/section/world">World</a>"#),
        "{header}"
    );
    assert!(
        header.contains(r#"<a href="https://example.com/?a=1|2">Pipe</a>"#),
        "a link may hold a bar: {header}"
    );

    // The footer menu moved to the header takes the place; the other one is kept, unplaced.
    let form = format!(
        "slug=footer&name=Footer&location=header&items={}",
        enc(items)
    );
    ed.post(&app, "/admin/menus", &form).await;
    let (_, page) = ed.get(&app, "/admin/curation").await;
    assert_eq!(
        page.matches(r#"<option value="header" selected>"#).count(),
        1,
        "{page}"
    );
    let (status, _, _) = ed.post(&app, "/admin/menus/remove", "slug=footer").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, home) = get(&app, "/").await;
    assert!(!home.contains("Imprint"), "{home}");
}

#[tokio::test]
async fn wordpress_pages_and_menus_move_in_with_their_hierarchy_and_order() {
    let site = Site::new("");
    let file = shared().join("fixtures/wxr/theme-test-data/themeunittestdata.wordpress.xml");
    let out = site.cli(&["import", "wordpress", file.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("menus: All Pages, All Pages Flat, Short, Social menu, Testing Menu"),
        "{stderr}"
    );
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let (_, list) = ed.get(&app, "/admin/pages").await;
    assert_eq!(list.matches("<tr><td>").count(), 21, "every page: {list}");
    // Level 3 sits under Level 2 under Level 1, as in WordPress.
    let (status, _, page) = get(&app, "/level-3").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(
            r#"<ol><li><a href="/level-1">Level 1</a></li><li><a href="/level-2">Level 2</a></li>"#
        ),
        "{page}"
    );
    assert_eq!(
        follow(&app, "/?page_id=2").await,
        (StatusCode::MOVED_PERMANENTLY, "/about".into())
    );
    assert_eq!(
        follow(&app, "/about/page-with-comments/").await,
        (StatusCode::MOVED_PERMANENTLY, "/page-with-comments".into())
    );
    let (_, curation) = ed.get(&app, "/admin/curation").await;
    let short = curation.split("<h3>Short</h3>").nth(1).unwrap();
    let short = short.split("</textarea>").next().unwrap();
    assert!(
        short.ends_with("a Blog page | /blog\nAbout The Tests | /about\n  Clearing Floats | /clearing-floats\n  Page with comments | /page-with-comments\n  Page with comments disabled | /page-with-comments-disabled\nLorem Ipsum | /lorem-ipsum\n"),
        "{short:?}"
    );
    // The newsroom changes a menu; imported again, the menus are left as the site has them.
    let form = format!(
        "slug=short&name=Short&location=footer&items={}",
        enc("Our own | /about")
    );
    let (status, _, _) = ed.post(&app, "/admin/menus", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let out = site.cli(&["import", "wordpress", file.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("warning: menu short is the site's already: left as it is")
    );
    let (_, again) = ed.get(&app, "/admin/curation").await;
    assert_eq!(
        again.matches("<h3>").count(),
        curation.matches("<h3>").count()
    );
    assert!(again.contains(">Our own | /about\n</textarea>"), "{again}");
    let (_, _, home) = get(&app, "/").await;
    assert!(
        home.contains(r#"<a href="/about">Our own</a>"#),
        "in the footer still"
    );
}

/// A Ghost 5 site with a post, a page, an author with a bio and both navigations.
fn ghost_site() -> serde_json::Value {
    serde_json::json!({"db": [{"meta": {"version": "5.80.0"}, "data": {
        "posts": [
            {"id": "p1", "uuid": "u1", "title": "Harbour opens", "slug": "harbour-opens", "type": "post",
             "status": "published", "published_at": "2024-05-01T10:00:00.000Z", "html": "<p>Ships.</p>"},
            {"id": "p2", "uuid": "u2", "title": "About us", "slug": "about", "type": "page",
             "status": "published", "published_at": "2024-01-01T10:00:00.000Z", "html": "<p>We report.</p>"}
        ],
        "users": [{"id": "a1", "name": "Ana Lima", "slug": "ana", "bio": "Ana covers\nthe harbour."}],
        "posts_authors": [{"post_id": "p1", "author_id": "a1", "sort_order": 0}],
        "settings": [
            {"key": "navigation", "value": "[{\"label\":\"Home\",\"url\":\"__GHOST_URL__/\"},{\"label\":\"About\",\"url\":\"__GHOST_URL__/about/\"}]"},
            {"key": "secondary_navigation", "value": "[{\"label\":\"Sign up\",\"url\":\"#/portal/\"},{\"label\":\"Data policy\",\"url\":\"https://example.org/privacy\"}]"}
        ]
    }}]})
}

#[tokio::test]
async fn ghost_pages_navigation_and_author_bios_move_in() {
    let site = Site::new("");
    let dir = tempfile::tempdir().unwrap();
    let export = ghost_site();
    let path = dir.path().join("ghost.json");
    std::fs::write(&path, export.to_string()).unwrap();
    let out = site.cli(&["import", "ghost", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("created  ghost:u2 /about"), "{stdout}");
    let app = site.app().await;
    let (status, _, page) = get(&app, "/about").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("We report."));
    assert_eq!(
        follow(&app, "/about/").await,
        (StatusCode::MOVED_PERMANENTLY, "/about".into())
    );
    let header = page.split("</header>").next().unwrap();
    assert!(
        header.contains(r#"<li><a href="/about" aria-current="page">About</a></li>"#),
        "{header}"
    );
    let footer = page.split("<footer").nth(1).unwrap();
    assert!(
        footer.contains(r#"<a href="https://example.org/privacy">Data policy</a>"#),
        "{footer}"
    );
    assert!(
        !footer.contains("Sign up"),
        "a Ghost portal link leads nowhere here: {footer}"
    );
    let (_, _, latest) = get(&app, "/latest").await;
    assert!(body_of(&latest).contains("harbour-opens") && !body_of(&latest).contains("We report"));

    // The author's bio comes with them; an editor's own words are never replaced by an import.
    let (_, _, author) = get(&app, "/author/ana-lima").await;
    assert!(author.contains("Ana covers the harbour."), "{author}");
    assert_eq!(
        follow(&app, "/author/ana/").await,
        (StatusCode::MOVED_PERMANENTLY, "/author/ana-lima".into())
    );
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let author_member = member(&app, &site, "au@example.org", "author").await;
    let (status, _, _) = author_member
        .post(&app, "/admin/authors", "slug=ana-lima&bio=Mine")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, curation) = ed.get(&app, "/admin/curation").await;
    assert!(
        curation.contains(">Ana covers the harbour.</textarea>"),
        "{curation}"
    );
    let (status, _, _) = ed
        .post(
            &app,
            "/admin/authors",
            "slug=ana-lima&bio=Harbour+and+shipping+reporter.",
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    site.cli(&["import", "ghost", path.to_str().unwrap()]);
    let (_, _, author) = get(&app, "/author/ana-lima").await;
    assert!(
        author.contains("Harbour and shipping reporter."),
        "{author}"
    );
    // A page that became a post at its source is not made a story (nor the other way).
    let changed = export.to_string().replace(
        r#""title":"About us","type":"page""#,
        r#""title":"About us","type":"post""#,
    );
    assert_ne!(changed, export.to_string());
    std::fs::write(&path, changed).unwrap();
    let out = site.cli(&["import", "ghost", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("about was imported as a page and is a post now"),
        "{stdout}"
    );
    assert_eq!(get(&app, "/about").await.0, StatusCode::OK);
    let long = "x".repeat(1001);
    let (status, _, _) = ed
        .post(&app, "/admin/authors", &format!("slug=ana-lima&bio={long}"))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn pages_menus_and_bios_move_with_the_site_and_a_bad_menu_is_refused() {
    let site = Site::new("");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ghost.json");
    std::fs::write(&path, ghost_site().to_string()).unwrap();
    assert!(
        site.cli(&["import", "ghost", path.to_str().unwrap()])
            .status
            .success()
    );
    let archive = dir.path().join("site.byline.gz");
    assert!(
        site.cli(&["export", archive.to_str().unwrap()])
            .status
            .success()
    );
    let to = Site::new("");
    let restored = to.cli(&["import", "site", archive.to_str().unwrap()]);
    assert!(restored.status.success(), "{restored:?}");
    let app = to.app().await;
    let (status, _, page) = get(&app, "/about").await;
    assert_eq!(status, StatusCode::OK, "the page, a page still");
    assert!(
        page.contains(r#"<nav class="site-nav" aria-label="Main">"#),
        "{page}"
    );
    assert!(!body_of(&get(&app, "/latest").await.2).contains("We report"));
    assert!(
        get(&app, "/author/ana-lima")
            .await
            .2
            .contains("Ana covers the harbour.")
    );

    // A menu no editor could have saved (a label holding the bar that starts a link) is
    // refused by a restore, naming the row, and nothing is written.
    let store = site.data_dir().open_store().await.unwrap();
    let bad = Menu {
        slug: Slug::parse("bad").unwrap(),
        name: "Bad".into(),
        location: None,
        items: vec![MenuItem {
            label: "A | B".into(),
            link: None,
            children: Vec::new(),
        }],
    };
    store.save_menu(&bad, chrono::Utc::now()).await.unwrap();
    let tampered = dir.path().join("tampered.byline.gz");
    assert!(
        site.cli(&["export", tampered.to_str().unwrap()])
            .status
            .success()
    );
    let other = Site::new("");
    let refused = other.cli(&["import", "site", tampered.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(!refused.status.success());
    assert!(err.contains("table menus row"), "{err}");
    assert_eq!(
        get(&other.app().await, "/about").await.0,
        StatusCode::NOT_FOUND
    );
}
