//! WordPress and Ghost pages, menus and author bios move in with their hierarchy and order;
//! a bad menu is refused.

use axum::http::StatusCode;

use byline_core::Slug;
use byline_core::menus::{Menu, MenuItem};

use crate::editorial::member;
use crate::pages::body_of;
use crate::support::{Site, enc, follow, get, shared};

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
