//! Listings in their stories' order at any depth: pages located by the calendar's months and
//! then one month's days, tags and authors read from their links' index, checked against the
//! stories' own times and the Content API's walk as stories move in time and leave.

use axum::http::StatusCode;
use serde_json::json;

use crate::api::call;
use crate::finding::Desk;
use crate::items::Item;
use crate::listing_pages::{headlines, link};
use crate::support::{Site, get};

/// The headlines of every page of a listing, in order, until its last page.
async fn every_page(app: &byline::router::App, path: &str) -> Vec<String> {
    let mut seen = Vec::new();
    for page in 1.. {
        let address = if page == 1 {
            path.to_owned()
        } else {
            format!("{path}?page={page}")
        };
        let (status, _, html) = get(app, &address).await;
        assert_eq!(status, StatusCode::OK, "{address}");
        seen.extend(headlines(&html));
        if link(&html, "next").is_none() {
            break;
        }
    }
    seen
}

/// The headlines the Content API gives for a filter, newest first.
pub(crate) async fn api_order(app: &byline::router::App, filter: &str) -> Vec<String> {
    let (_, _, found) = call(
        app,
        "GET",
        &format!("/api/v1/stories?limit=100&{filter}"),
        None,
        None,
        &[],
    )
    .await;
    found["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["headline"].as_str().unwrap().to_owned())
        .collect()
}

/// Pages are found from the calendar's months and then one month's days; tags and authors
/// are read in their stories' order. Across month ends, after a story is moved in time by any
/// writer and after one is unpublished, every page of every kind of listing holds exactly
/// what the Content API's walk holds, in the same order.
#[tokio::test]
async fn pages_across_months_follow_stories_moved_in_time() {
    let site = Site::new("");
    let dir = site.dir.path().join("items");
    let start = chrono::DateTime::parse_from_rfc3339("2024-10-20T06:00:00Z").unwrap();
    let paths: Vec<_> = (0..70)
        .map(|i| {
            let at = start + chrono::TimeDelta::hours(23 * i);
            Item::new(
                &format!("urn:test:months:{i}"),
                &format!("Months story {i}"),
            )
            .created(&at.to_rfc3339())
            .subjects(if i % 3 == 0 { &["Ports"] } else { &["Weather"] })
            .set(
                "byline",
                json!(if i % 2 == 0 { "Ana Lima" } else { "Ben Okafor" }),
            )
            .write(&dir, &format!("item{i}"))
        })
        .collect();
    let refs: Vec<&std::path::Path> = paths.iter().map(|p| p.as_path()).collect();
    let (_, err, ok) = site.import(&refs);
    assert!(ok, "{err}");
    let app = site.app().await;
    let listings = [
        ("/latest", ""),
        ("/tag/ports", "tag=ports"),
        ("/tag/weather", "tag=weather"),
        ("/author/ana-lima", "author=ana-lima"),
        ("/author/ben-okafor", "author=ben-okafor"),
    ];
    // What each listing must hold, newest first, worked out here from the stories' times.
    let expected = |page: &str, moved: bool, gone: Option<i64>| {
        let mut stories: Vec<(i64, i64)> = (0..70)
            .filter(|i| Some(*i) != gone)
            .filter(|i| match page {
                "/tag/ports" => i % 3 == 0,
                "/tag/weather" => i % 3 != 0,
                "/author/ana-lima" => i % 2 == 0,
                "/author/ben-okafor" => i % 2 == 1,
                _ => true,
            })
            .map(|i| (23 * i - if moved && i == 66 { 50 * 24 } else { 0 }, i))
            .collect();
        stories.sort_by(|a, b| b.cmp(a));
        stories
            .into_iter()
            .map(|(_, i)| format!("Months story {i}"))
            .collect::<Vec<_>>()
    };
    let check = async |when: &str, moved: bool, gone: Option<i64>| {
        for (page, filter) in listings {
            let pages = every_page(&app, page).await;
            assert_eq!(pages, expected(page, moved, gone), "{page} {when}");
            assert_eq!(pages, api_order(&app, filter).await, "{page} {when}");
        }
    };
    check("as imported", false, None).await;

    // A December story is moved back 50 days into November by a writer other than the
    // server, and another November story is unpublished: both leave their day and month in
    // every listing they are in.
    crate::security::imports::run_sql(
        &site,
        "UPDATE stories SET published_at = published_at - 50 * 86400 \
         WHERE headline = 'Months story 66'",
    )
    .await;
    check("after a move in time", true, None).await;

    let desk = Desk {
        app: app.clone(),
        token: crate::api::token(&site, &["--name", "ed", "--role", "editor"]),
    };
    let (_, _, found) = call(&app, "GET", "/api/v1/stories?limit=100", None, None, &[]).await;
    let gone = found["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["headline"] == "Months story 30")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    desk.transition(gone, "unpublish").await;
    check("after an unpublication", true, Some(30)).await;
    assert_eq!(
        tag_counts(&app).await,
        [("ports".to_owned(), 23), ("weather".to_owned(), 46)]
    );

    // A time at the very end of the calendar (December 9999, where SQLite's dates stop) is
    // stored and counted nowhere until it comes, like any time ahead.
    crate::security::imports::run_sql(
        &site,
        "UPDATE stories SET published_at = 253402128000 WHERE headline = 'Months story 0'",
    )
    .await;
    let mut later = expected("/tag/ports", true, Some(30));
    later.retain(|h| h != "Months story 0");
    assert_eq!(every_page(&app, "/tag/ports").await, later);
    assert_eq!(
        tag_counts(&app).await,
        [("ports".to_owned(), 22), ("weather".to_owned(), 46)]
    );
}

/// The Content API's tags with how many public stories each has.
pub(crate) async fn tag_counts(app: &byline::router::App) -> Vec<(String, u64)> {
    let (_, _, tags) = call(app, "GET", "/api/v1/tags", None, None, &[]).await;
    tags["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            let slug = t["slug"].as_str().unwrap().to_owned();
            (slug, t["stories"].as_u64().unwrap())
        })
        .collect()
}
