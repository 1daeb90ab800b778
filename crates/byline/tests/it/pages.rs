//! The site's own pages and menus: editors write a page in the story editor, place it in the
//! tree and publish it at `/{slug}`; no listing, feed or search shows it; menus written on the
//! curation screen replace the header's sections and the footer's links (imports: pages_import.rs).

use axum::http::StatusCode;

use crate::editorial::{Member, member};
use byline::router::App;

use crate::support::{Site, enc, follow, get, send};

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

/// The page's `<main>`, without the header and footer.
pub(crate) fn body_of(page: &str) -> &str {
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
