//! The page cache: every affected page and no other is rendered again after a change;
//! concurrent misses render once; editors bypass it; floods cannot grow it.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use byline::AppState;
use byline::router::App;
use tower::ServiceExt;

use crate::editorial::{Member, member};
use crate::support::Site;

/// The pages the tests watch.
const PAGES: [&str; 6] = [
    "/",
    "/latest",
    "/story/story-a",
    "/story/story-b",
    "/section/desk",
    "/tag/ports",
];

/// A reader's GET: the status and the page.
async fn read(app: &App, path: &str) -> (StatusCode, String) {
    let response = app
        .clone()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 10 << 20)
        .await
        .unwrap();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

async fn visit(app: &App, path: &str) -> StatusCode {
    read(app, path).await.0
}

async fn page_text(app: &App, path: &str) -> String {
    read(app, path).await.1
}

/// Renders so far of each watched page.
fn renders(state: &AppState) -> Vec<u64> {
    PAGES.iter().map(|p| state.cache.renders(p)).collect()
}

/// Visits every watched page and returns which were rendered again (1) or not (0).
async fn rerendered(app: &App, state: &AppState, before: &[u64]) -> Vec<u64> {
    for page in PAGES {
        visit(app, page).await;
    }
    renders(state)
        .iter()
        .zip(before)
        .map(|(now, was)| now - was)
        .collect()
}

async fn newsroom() -> (Site, App, AppState, Member, i64, i64) {
    let site = Site::new("");
    let (app, state) = site.cached_app().await;
    crate::support::sections(&site, &["Desk"]).await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let mut ids = Vec::new();
    for title in ["Story A", "Story B"] {
        let form = format!(
            "headline={}&body=Text.&section=Desk&tags=Ports",
            title.replace(' ', "+")
        );
        let (_, location, _) = ed.post(&app, "/admin/stories", &form).await;
        let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
        ed.act(&app, id, "publish", "").await;
        ids.push(id);
    }
    for page in PAGES {
        assert_eq!(visit(&app, page).await, StatusCode::OK, "{page}");
    }
    (site, app, state, ed, ids[0], ids[1])
}

#[tokio::test]
async fn each_change_renders_again_exactly_the_pages_that_show_it() {
    let (_site, app, state, ed, a, b) = newsroom().await;
    // Pages: home, latest, A, B, section, tag.
    let before = renders(&state);
    assert_eq!(
        rerendered(&app, &state, &before).await,
        [0, 0, 0, 0, 0, 0],
        "warm cache: nothing renders"
    );

    let before = renders(&state);
    ed.post(
        &app,
        &format!("/admin/stories/{a}/corrections"),
        "note=A+date+was+wrong.",
    )
    .await;
    assert_eq!(
        rerendered(&app, &state, &before).await,
        [0, 0, 1, 0, 0, 0],
        "a correction shows on its article only"
    );

    let before = renders(&state);
    let (_, location, _) = ed
        .post(&app, "/admin/stories", "headline=Draft+C&body=Text.")
        .await;
    let draft: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let rev = ed.revision(&app, draft).await;
    ed.save(&app, draft, &rev, "Draft C edited", "More text.", "")
        .await;
    assert_eq!(
        rerendered(&app, &state, &before).await,
        [0, 0, 0, 0, 0, 0],
        "drafts are not public"
    );

    let before = renders(&state);
    ed.post(
        &app,
        "/admin/curation",
        &format!("lead=&pick1=story-{}", "b"),
    )
    .await;
    assert_eq!(
        rerendered(&app, &state, &before).await,
        [0, 0, 0, 0, 0, 0],
        "picks change only the articles' rails, which are joined, not rendered (see \
         election_night.rs for the joined pages' bytes)"
    );

    let before = renders(&state);
    ed.post(&app, "/admin/curation", "lead=story-a&pick1=story-b")
        .await;
    assert_eq!(
        rerendered(&app, &state, &before).await,
        [1, 0, 0, 0, 0, 0],
        "the lead shows on the front page"
    );

    let before = renders(&state);
    ed.act(&app, draft, "publish", "").await;
    assert_eq!(
        rerendered(&app, &state, &before).await,
        [1, 1, 0, 0, 1, 1],
        "a publication reaches every list, and every rail without rendering the articles"
    );
    assert!(
        page_text(&app, "/story/story-a")
            .await
            .contains("Draft C edited"),
        "the article's Latest rail shows the new story"
    );

    let before = renders(&state);
    let rev = ed.revision(&app, b).await;
    ed.save(&app, b, &rev, "Story B", "Edited text of B.", "story-b")
        .await;
    assert_eq!(
        rerendered(&app, &state, &before).await,
        [1, 1, 0, 1, 1, 1],
        "an edit of a public story renders its page and the lists"
    );

    ed.act(&app, b, "unpublish", "").await;
    assert_eq!(
        visit(&app, "/story/story-b").await,
        StatusCode::NOT_FOUND,
        "never served from the cache once gone"
    );

    let before = renders(&state);
    let admin = member(&app, &_site, "root@example.org", "admin").await;
    let desk = state.store.sections().await.unwrap()[0].id.0;
    admin
        .post(
            &app,
            "/admin/sections",
            &format!("id={desk}&name=The+Desk&slug=desk&position=0"),
        )
        .await;
    let again = rerendered(&app, &state, &before).await;
    assert_eq!(
        [again[0], again[1], again[2], again[4], again[5]],
        [1, 1, 1, 1, 1],
        "section names are on every page"
    );
    assert!(page_text(&app, "/story/story-a").await.contains("The Desk"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_readers_of_a_missing_page_cause_one_render() {
    let (_site, app, state, ed, a, _) = newsroom().await;
    ed.post(
        &app,
        &format!("/admin/stories/{a}/corrections"),
        "note=Fixed.",
    )
    .await;
    let before = state.cache.renders("/story/story-a");
    let readers: Vec<_> = (0..100)
        .map(|_| {
            let app = app.clone();
            tokio::spawn(async move { visit(&app, "/story/story-a").await })
        })
        .collect();
    for reader in readers {
        assert_eq!(reader.await.unwrap(), StatusCode::OK);
    }
    assert_eq!(state.cache.renders("/story/story-a") - before, 1);
}

#[tokio::test]
async fn editors_bypass_the_cache_and_floods_cannot_fill_it() {
    let (_site, app, state, ed, _, _) = newsroom().await;
    let before = state.cache.renders("/");
    let request = Request::get("/")
        .header("cookie", format!("byline_session={}", ed.cookie))
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.clone().oneshot(request).await.unwrap().status(),
        StatusCode::OK
    );
    let request = Request::get("/")
        .header("cookie", format!("byline_session={}", ed.cookie))
        .body(Body::empty())
        .unwrap();
    app.clone().oneshot(request).await.unwrap();
    assert_eq!(
        state.cache.renders("/"),
        before,
        "signed-in views neither use nor fill the cache"
    );

    let bytes = state.cache.bytes();
    for n in 0..500 {
        visit(&app, &format!("/latest?utm_source={n}")).await;
        visit(&app, &format!("/story/no-such-story-{n}")).await;
    }
    assert_eq!(
        state.cache.renders("/latest"),
        1,
        "other query parameters share one page"
    );
    assert_eq!(
        state.cache.bytes(),
        bytes,
        "errors and query-string variants add nothing"
    );
    let long = format!("/latest?{}", "x=1&".repeat(2000));
    assert_eq!(visit(&app, &long).await, StatusCode::OK);
}

#[tokio::test]
async fn a_page_from_the_cache_is_answered_as_when_it_was_rendered() {
    let (_site, app, state, _, a, _) = newsroom().await;
    state
        .cache
        .bump(&[byline_core::changes::CacheKey::parse(&format!("story-{a}"))]);
    let fetch = |method: &'static str| {
        let app = app.clone();
        async move {
            let request = Request::builder()
                .method(method)
                .uri("/story/story-a")
                .header("accept-encoding", "gzip")
                .body(Body::empty())
                .unwrap();
            let response = app.oneshot(request).await.unwrap();
            let (parts, body) = response.into_parts();
            let body = axum::body::to_bytes(body, 10 << 20).await.unwrap();
            (parts.status, parts.headers, body)
        }
    };
    let before = state.cache.renders("/story/story-a");
    let (status, rendered, first) = fetch("GET").await;
    let (_, cached, second) = fetch("GET").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state.cache.renders("/story/story-a") - before, 1);
    assert_eq!(first, second);
    assert_eq!(rendered, cached, "the same headers from the cache");
    for name in [
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
        "etag",
        "surrogate-key",
    ] {
        assert!(
            cached.contains_key(name),
            "{name} missing from a cached answer"
        );
    }
    assert_eq!(cached["content-encoding"], "gzip");
    let (status, head, body) = fetch("HEAD").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.is_empty(), "HEAD has no body");
    assert_eq!(head["content-length"], cached["content-length"]);
}

#[tokio::test]
async fn the_rails_of_every_article_follow_each_publication() {
    let (_site, app, _state, ed, _, _) = newsroom().await;
    for headline in ["Third story", "Fourth story", "Fifth story"] {
        assert!(!page_text(&app, "/story/story-a").await.contains(headline));
        let id = ed.write(&app, headline, "Text.").await;
        ed.act(&app, id, "publish", "").await;
        for article in ["/story/story-a", "/story/story-b"] {
            assert!(
                page_text(&app, article).await.contains(headline),
                "{article} shows {headline} in its Latest rail"
            );
        }
    }
}
