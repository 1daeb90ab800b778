//! Listings page by page and the date archives: every page found from the listing's calendar
//! with its position, neighbours and canonical address, 404 past the end; and feeds, sitemaps
//! and listings following publication, correction and unpublishing through the page cache.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::json;

use crate::api::call;
use crate::finding::Desk;
use crate::items::Item;
use crate::listing_order::api_order;
use crate::support::{Site, get, request_with};

/// 45 stories, three a day from 1 to 15 November 2024, alternately about ports and weather.
fn import_days(site: &Site) {
    let dir = site.dir.path().join("items");
    let paths: Vec<_> = (0..45)
        .map(|i| {
            let day = 1 + i / 3;
            let hour = 8 + (i % 3) * 3;
            Item::new(
                &format!("urn:test:days:{i}"),
                &format!("Day {day} story {i}"),
            )
            .created(&format!("2024-11-{day:02}T{hour:02}:00:00Z"))
            .subjects(if i % 2 == 0 { &["Ports"] } else { &["Weather"] })
            .write(&dir, &format!("item{i}"))
        })
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let (_, err, ok) = site.import(&refs);
    assert!(ok, "{err}");
}

/// The story headlines of a listing page, in order.
pub(crate) fn headlines(html: &str) -> Vec<String> {
    html.split("<h2 class=\"card-title\">")
        .skip(1)
        .filter_map(|card| {
            let text = card.split("</a>").next()?;
            Some(text.rsplit('>').next()?.to_owned())
        })
        .collect()
}

pub(crate) fn link(html: &str, rel: &str) -> Option<String> {
    let marker = format!("<link rel=\"{rel}\" href=\"");
    let start = html.find(&marker)? + marker.len();
    Some(html[start..].split('"').next()?.to_owned())
}

#[tokio::test]
async fn listing_pages_are_found_by_the_calendar_however_deep() {
    let site = Site::new("[site]\nbase_url = \"https://news.example\"\n");
    import_days(&site);
    let app = site.app().await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let path = if page == 1 {
            "/latest".to_owned()
        } else {
            format!("/latest?page={page}")
        };
        let (status, _, html) = get(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let cards = headlines(&html);
        assert_eq!(
            cards.len(),
            if page < 3 { 20 } else { 5 },
            "{path}: {cards:?}"
        );
        seen.extend(cards);
        assert_eq!(
            link(&html, "canonical").unwrap(),
            format!("https://news.example{path}")
        );
        let prev = link(&html, "prev");
        let next = link(&html, "next");
        match page {
            1 => assert_eq!((prev, next.as_deref()), (None, Some("/latest?page=2"))),
            2 => {
                assert_eq!(prev.as_deref(), Some("/latest"));
                assert_eq!(next.as_deref(), Some("/latest?page=3"));
                assert!(
                    html.contains("<title>All stories (page 2 of 3) | Byline</title>"),
                    "{html}"
                );
            }
            _ => assert_eq!((prev.as_deref(), next), (Some("/latest?page=2"), None)),
        }
        assert!(html.contains("<meta name=\"description\""), "{path}");
    }
    // Newest first, every story once, as the Content API's keyset walk gives them.
    let (_, _, api) = call(&app, "GET", "/api/v1/stories?limit=100", None, None, &[]).await;
    let walked: Vec<String> = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["headline"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(seen, walked);
    for gone in [
        "/latest?page=4",
        "/latest?page=0",
        "/latest?page=x",
        "/tag/ports?page=3",
    ] {
        assert_eq!(get(&app, gone).await.0, StatusCode::NOT_FOUND, "{gone}");
    }
    let (_, _, ports) = get(&app, "/tag/ports?page=2").await;
    assert_eq!(headlines(&ports).len(), 3, "23 ports stories: 20 then 3");
    assert!(ports.contains(
        "type=\"application/atom+xml\" title=\"Ports (Atom)\" href=\"/tag/ports/atom.xml\""
    ));

    // Unpublishing one story moves every later page by one.
    let desk = Desk {
        app: app.clone(),
        token: crate::api::token(&site, &["--name", "ed", "--role", "editor"]),
    };
    let newest = api["items"][0]["id"].as_i64().unwrap();
    desk.transition(newest, "unpublish").await;
    let (_, _, last) = get(&app, "/latest?page=3").await;
    assert_eq!(headlines(&last).len(), 4);
    assert_eq!(headlines(&get(&app, "/latest").await.2)[0], walked[1]);
}

#[tokio::test]
async fn the_date_archives_reach_every_story_in_a_few_clicks() {
    let site = Site::new("");
    import_days(&site);
    let app = site.app().await;
    let (_, _, home) = get(&app, "/").await;
    assert!(
        home.contains("<a href=\"/archive\">Archive</a>"),
        "the footer links the archive"
    );
    let (status, _, years) = get(&app, "/archive").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        years.contains(
            "<a href=\"/archive/2024\">2024</a> <span class=\"count\">(45 stories)</span>"
        ),
        "{years}"
    );
    let (_, _, months) = get(&app, "/archive/2024").await;
    assert!(
        months.contains("<a href=\"/archive/2024/11\">November 2024</a>"),
        "{months}"
    );
    let (_, _, days) = get(&app, "/archive/2024/11").await;
    let mut reached = BTreeSet::new();
    for day in 1..=15 {
        let path = format!("/archive/2024/11/{day:02}");
        assert!(days.contains(&format!("<a href=\"{path}\">")), "{path}");
        let (status, _, html) = get(&app, &path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let cards = headlines(&html);
        assert_eq!(cards.len(), 3, "{path}");
        assert!(
            cards.iter().all(|c| c.starts_with(&format!("Day {day} "))),
            "{path}: {cards:?}"
        );
        reached.extend(cards);
    }
    assert_eq!(reached.len(), 45, "every story is in its day");
    for gone in [
        "/archive/2023",
        "/archive/2024/12",
        "/archive/2024/11/16",
        "/archive/2024/11/03?page=2",
        "/archive/2024/1",
        "/archive/2024/13",
        "/archive/2024/02/30",
        "/archive/24",
    ] {
        assert_eq!(get(&app, gone).await.0, StatusCode::NOT_FOUND, "{gone}");
    }
}

/// A GET with `If-None-Match`, for its status and the new `ETag`.
async fn revalidate(
    app: &byline::router::App,
    path: &str,
    etag: &str,
) -> (StatusCode, String, String) {
    let headers = [("if-none-match".to_owned(), etag.to_owned())];
    let (status, headers, body) = request_with(app, "GET", path, &headers, None).await;
    let etag = headers
        .get("etag")
        .map(|e| e.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, etag, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn feeds_sitemaps_and_listings_follow_publication_correction_and_unpublishing() {
    let site = Site::new("");
    let (app, state) = site.cached_app().await;
    let desk = Desk {
        app: app.clone(),
        token: crate::api::token(&site, &["--name", "ed", "--role", "admin"]),
    };
    let (first, _) = desk
        .publish(json!({"headline": "First light", "body": "<p>One.</p>", "section": "World"}))
        .await;
    state.cache.sync(state.store.as_ref()).await.unwrap();
    let month = chrono::Utc::now()
        .format("/sitemaps/stories-%Y-%m.xml")
        .to_string();
    let (_, _, index) = get(&app, "/sitemap.xml").await;
    assert!(index.contains(&format!("{month}</loc>")), "{index}");
    let paths = [
        "/feed.xml",
        "/atom.xml",
        "/feed.json",
        "/section/world/feed.xml",
        month.as_str(),
        "/sitemap-news.xml",
        "/latest",
    ];
    let mut etags = Vec::new();
    for path in paths {
        let (status, headers, body) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(body.contains("/story/first-light"), "{path}: {body}");
        assert!(
            headers["surrogate-key"].to_str().unwrap().contains("lists"),
            "{path}"
        );
        let etag = headers["etag"].to_str().unwrap().to_owned();
        assert_eq!(
            revalidate(&app, path, &etag).await.0,
            StatusCode::NOT_MODIFIED,
            "{path}"
        );
        etags.push(etag);
    }
    let (second, _) = desk
        .publish(json!({"headline": "Second wind", "body": "<p>Two.</p>", "section": "World"}))
        .await;
    state.cache.sync(state.store.as_ref()).await.unwrap();
    for (path, etag) in paths.iter().zip(&mut etags) {
        let (status, new_etag, body) = revalidate(&app, path, etag).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{path} changed with the publication"
        );
        assert!(body.contains("/story/second-wind"), "{path}");
        *etag = new_etag;
    }
    // Times are kept to the second: the correction comes in a later one.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    desk.correct(first, "It was the second light.").await;
    state.cache.sync(state.store.as_ref()).await.unwrap();
    let (status, _, _) = revalidate(&app, "/feed.json", &etags[2]).await;
    assert_eq!(status, StatusCode::OK, "a correction changes the feed");
    desk.transition(second, "unpublish").await;
    state.cache.sync(state.store.as_ref()).await.unwrap();
    for path in paths {
        let (status, _, body) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(
            !body.contains("/story/second-wind"),
            "{path} dropped the unpublished story"
        );
    }
}

/// How many stories a listing page says it has: its cards, over every page.
async fn listed(app: &byline::router::App, path: &str) -> usize {
    let mut count = 0;
    for page in 1.. {
        let (status, _, html) = get(app, &format!("{path}?page={page}")).await;
        if status == StatusCode::NOT_FOUND && page > 1 {
            break;
        }
        assert_eq!(status, StatusCode::OK, "{path}?page={page}");
        let cards = headlines(&html).len();
        count += cards;
        if cards < 20 {
            break;
        }
    }
    count
}

/// How many public stories the Content API finds for a filter.
async fn walked(app: &byline::router::App, filter: &str) -> usize {
    api_order(app, filter).await.len()
}

#[tokio::test]
async fn the_calendar_follows_every_change_to_a_story_and_its_filing() {
    let site = Site::new("");
    let app = site.app().await;
    let desk = Desk {
        app: app.clone(),
        token: crate::api::token(&site, &["--name", "ed", "--role", "admin"]),
    };
    let mut ids = Vec::new();
    for i in 0..25 {
        let section = if i % 2 == 0 { "World" } else { "Sport" };
        let fields = json!({"headline": format!("Story {i}"), "body": "<p>Text.</p>", "section": section,
                            "tags": ["Ports"], "authors": ["Ana Lima"]});
        ids.push(desk.publish(fields).await.0);
    }
    // Refiled: a story moves section, loses its tag, changes author; another is unpublished
    // and published again; a third is unpublished; a draft is filed everywhere.
    let path = format!("/api/v1/admin/stories/{}", ids[0]);
    let (_, headers, _) = call(&app, "GET", &path, Some(&desk.token), None, &[]).await;
    let revision = headers["etag"].to_str().unwrap().to_owned();
    let (status, _, answer) = call(
        &app, "PUT", &path, Some(&desk.token),
        Some(json!({"headline": "Story 0", "body": "<p>Text.</p>", "section": "Sport", "tags": ["Weather"], "authors": ["Ben Okafor"]})),
        &[("if-match", &revision)],
    ).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    desk.transition(ids[1], "unpublish").await;
    desk.transition(ids[1], "return_to_draft").await;
    desk.transition(ids[1], "publish").await;
    desk.transition(ids[2], "unpublish").await;
    desk.call("POST", "/api/v1/admin/stories", Some(json!({"headline": "Draft", "body": "<p>x</p>", "section": "World", "tags": ["Ports"], "authors": ["Ana Lima"]}))).await;

    for (page, filter) in [
        ("/latest", ""),
        ("/section/world", "section=world"),
        ("/section/sport", "section=sport"),
        ("/tag/ports", "tag=ports"),
        ("/tag/weather", "tag=weather"),
        ("/author/ana-lima", "author=ana-lima"),
        ("/author/ben-okafor", "author=ben-okafor"),
    ] {
        assert_eq!(
            listed(&app, page).await,
            walked(&app, filter).await,
            "{page}"
        );
    }
    assert_eq!(listed(&app, "/latest").await, 24);
    assert_eq!(listed(&app, "/tag/weather").await, 1);
    assert_eq!(listed(&app, "/section/sport").await, 13);
}

/// Each listing page has one address and one cache entry: another spelling of the page
/// number is a 404 that fills nothing, and a percent-encoded path is the page it decodes to.
#[tokio::test]
async fn a_page_has_one_address_and_one_cache_entry() {
    let site = Site::new("");
    import_days(&site);
    let (app, state) = site.cached_app().await;
    let (_, _, first) = get(&app, "/latest").await;
    for odd in [
        "/latest?page=0000002",
        "/latest?page=2&page=1",
        "/archive/2024/11/03?page=1&page=2",
        "/latest?page=+2",
    ] {
        assert_eq!(get(&app, odd).await.0, StatusCode::NOT_FOUND, "{odd}");
    }
    assert_eq!(
        get(&app, "/latest").await.2,
        first,
        "the first page is still the first page"
    );
    let (_, _, second) = get(&app, "/latest?page=2").await;
    assert!(second.contains("(page 2 of 3)"));
    let (status, _, encoded) = get(&app, "/tag/%70orts/feed.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(get(&app, "/tag/ports/feed.xml").await.2, encoded);
    assert_eq!(get(&app, "/tag/p%6Frts/feed.xml").await.2, encoded);
    assert_eq!(
        state.cache.renders("/tag/ports/feed.xml"),
        1,
        "one render for every spelling"
    );
    assert_eq!(state.cache.renders("/tag/%70orts/feed.xml"), 0);
}

/// A story published with a time still to come (as a store changed by hand or by an older
/// version could hold; the newsroom schedules such stories instead) is counted nowhere until
/// it comes.
#[tokio::test]
async fn a_story_dated_ahead_is_counted_nowhere_until_its_time() {
    let site = Site::new("");
    let now = chrono::Utc::now();
    let dir = site.dir.path().join("items");
    let past = Item::new("urn:test:past", "Already out")
        .created(&(now - chrono::TimeDelta::minutes(5)).to_rfc3339())
        .subjects(&["Known"])
        .write(&dir, "past");
    let soon = Item::new("urn:test:soon", "Out later today")
        .created(&(now + chrono::TimeDelta::minutes(30)).to_rfc3339())
        .subjects(&["Known"])
        .write(&dir, "soon");
    let tomorrow = Item::new("urn:test:tomorrow", "Out tomorrow")
        .created(&(now + chrono::TimeDelta::days(1)).to_rfc3339())
        .subjects(&["Secret topic"])
        .write(&dir, "tomorrow");
    let later = Item::new("urn:test:later", "Out in three days")
        .created(&(now + chrono::TimeDelta::days(3)).to_rfc3339())
        .subjects(&["Known"])
        .write(&dir, "later");
    assert!(site.import(&[&past, &soon, &tomorrow, &later]).2);
    crate::security::imports::run_sql(
        &site,
        "UPDATE stories SET status = 'published' WHERE status = 'scheduled'",
    )
    .await;
    let app = site.app().await;
    let (_, _, latest) = get(&app, "/latest").await;
    assert_eq!(headlines(&latest), ["Already out"]);
    assert_eq!(get(&app, "/latest?page=2").await.0, StatusCode::NOT_FOUND);
    let (_, _, known) = get(&app, "/tag/known").await;
    assert_eq!(headlines(&known), ["Already out"]);
    assert_eq!(
        crate::listing_order::tag_counts(&app).await,
        [("known".to_owned(), 1)],
        "only what is out counts; a tag with nothing out is not listed"
    );
    assert_eq!(
        get(&app, "/tag/known?page=2").await.0,
        StatusCode::NOT_FOUND
    );
    let (_, _, month) = get(&app, &now.format("/archive/%Y/%m").to_string()).await;
    assert!(month.contains("(1 story)"), "{month}");
    let (_, _, years) = get(&app, "/archive").await;
    assert!(years.contains("(1 story)"), "{years}");
    let day = now.format("/archive/%Y/%m/%d").to_string();
    let (_, _, today) = get(&app, &day).await;
    assert_eq!(headlines(&today), ["Already out"]);
    let (_, _, tags) = get(&app, "/sitemaps/tags.xml").await;
    assert!(
        tags.contains("/tag/known") && !tags.contains("secret-topic"),
        "{tags}"
    );
    assert_eq!(
        get(&app, "/sitemaps/tags-2.xml").await.0,
        StatusCode::NOT_FOUND
    );
    let month = now.format("/sitemaps/stories-%Y-%m-2.xml").to_string();
    assert_eq!(
        get(&app, &month).await.0,
        StatusCode::NOT_FOUND,
        "no second part"
    );
}
