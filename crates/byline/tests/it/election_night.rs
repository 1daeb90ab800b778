//! Election night: a publication costs the cache one rails render, not one render per cached
//! article. Articles kept as parts and joined with the new rails are, in every coding, the
//! page a full render gives, with validators and CDN headers to match.

use std::io::Read;

use axum::http::{HeaderMap, StatusCode};
use byline::AppState;
use byline::router::App;

use crate::editorial::{Member, member};
use crate::support::{Site, request_with};

/// A reader's GET with `Accept-Encoding: accept` (and `If-None-Match` when given).
async fn fetch(
    app: &App,
    path: &str,
    accept: &str,
    etag: Option<&str>,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut headers = vec![("accept-encoding".to_owned(), accept.to_owned())];
    if let Some(tag) = etag {
        headers.push(("if-none-match".to_owned(), tag.to_owned()));
    }
    request_with(app, "GET", path, &headers, None).await
}

/// The body as the reader reads it, by its `Content-Encoding`.
fn decoded(headers: &HeaderMap, body: &[u8]) -> String {
    let mut out = Vec::new();
    match headers.get("content-encoding").map(|v| v.to_str().unwrap()) {
        None => out.extend_from_slice(body),
        Some("gzip") => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some("br") => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .unwrap();
        }
        Some(other) => panic!("unexpected coding {other}"),
    }
    String::from_utf8(out).unwrap()
}

/// A newsroom of `count` published stories ("Story 1" … ), with the cached app, an app
/// without the cache over the same store (the full render), the state and an editor.
async fn newsroom(config: &str, count: usize) -> (Site, App, App, AppState, Member) {
    let site = Site::new(config);
    let (app, state) = site.cached_app().await;
    let uncached = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    for n in 1..=count {
        let id = ed.write(&app, &format!("Story {n}"), "Text.").await;
        ed.act(&app, id, "publish", "").await;
    }
    (site, app, uncached, state, ed)
}

/// Checks that `path` from the cache is, in every coding, what a full render gives now, with
/// the same `Last-Modified` and `Surrogate-Key`, one entity tag across codings and 304 for it.
async fn assert_as_rendered(app: &App, uncached: &App, path: &str) -> String {
    let (status, full_headers, full) = fetch(uncached, path, "identity", None).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let full = String::from_utf8(full).unwrap();
    let mut tags = Vec::new();
    for accept in ["br", "gzip", "identity"] {
        let (status, headers, body) = fetch(app, path, accept, None).await;
        assert_eq!(status, StatusCode::OK);
        let coding = headers.get("content-encoding").map(|v| v.to_str().unwrap());
        assert_eq!(coding, Some(accept).filter(|a| *a != "identity"));
        assert!(
            decoded(&headers, &body) == full,
            "{path} in {accept} is the page a full render gives"
        );
        for name in ["last-modified", "surrogate-key", "content-type"] {
            assert_eq!(headers.get(name), full_headers.get(name), "{path}: {name}");
        }
        let tag = headers["etag"].to_str().unwrap().to_owned();
        let (status, _, body) = fetch(app, path, accept, Some(&tag)).await;
        assert_eq!(status, StatusCode::NOT_MODIFIED, "{path} {accept}");
        assert!(body.is_empty());
        tags.push(tag.trim_matches('"').split('-').next().unwrap().to_owned());
    }
    assert!(tags.iter().all(|t| *t == tags[0]), "one content, one tag");
    tags.swap_remove(0)
}

#[tokio::test]
async fn an_article_answered_quick_on_a_miss_is_compressed_again_in_idle_time() {
    let (_site, app, uncached, _state, _ed) = newsroom("", 3).await;
    let path = "/story/story-1";
    let (_, headers, quick) = fetch(&app, path, "br", None).await;
    let quick_tag = headers["etag"].to_str().unwrap().to_owned();
    assert!(quick_tag.ends_with("-br-quick\""), "{quick_tag}");
    // Idle time recompresses it; the next reads take the new parts in (bounded wait).
    let started = std::time::Instant::now();
    let (headers, full) = loop {
        let (_, headers, body) = fetch(&app, path, "br", None).await;
        if headers["etag"].to_str().unwrap().ends_with("-br\"") {
            break (headers, body);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "still quick after 20 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(full.len() < quick.len(), "full quality is smaller");
    assert_eq!(decoded(&headers, &full), decoded(&headers, &quick));
    // The same content: a reader holding the quick answer is told it is unchanged.
    let (status, _, _) = fetch(&app, path, "br", Some(&quick_tag)).await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert_as_rendered(&app, &uncached, path).await;
}

#[tokio::test]
async fn a_publication_joins_cached_articles_with_the_new_rails_instead_of_rendering_them() {
    // Twenty stories: the oldest are in no rail (they share the rails part), the newest are
    // (each has a part of its own, without itself).
    let (_site, app, uncached, state, ed) = newsroom("", 20).await;
    let articles = ["/story/story-1", "/story/story-2", "/story/story-20"];
    let mut tags = Vec::new();
    for path in articles {
        tags.push(assert_as_rendered(&app, &uncached, path).await);
    }
    let renders: Vec<u64> = articles.iter().map(|p| state.cache.renders(p)).collect();
    for round in 1..=3 {
        let headline = format!("Results from district {round}");
        let id = ed.write(&app, &headline, "Counted.").await;
        ed.act(&app, id, "publish", "").await;
        for (n, path) in articles.iter().enumerate() {
            let tag = assert_as_rendered(&app, &uncached, path).await;
            assert_ne!(tag, tags[n], "{path}: new rails, new entity tag");
            tags[n] = tag;
            let (_, _, body) = fetch(&app, path, "identity", None).await;
            assert!(
                String::from_utf8(body).unwrap().contains(&headline),
                "{path} shows {headline} in Latest"
            );
        }
    }
    let after: Vec<u64> = articles.iter().map(|p| state.cache.renders(p)).collect();
    assert_eq!(after, renders, "no article was rendered again");
}

#[tokio::test]
async fn a_house_theme_that_shows_the_rails_elsewhere_is_kept_whole_and_stays_right() {
    let site = Site::new("[theme]\npath = \"house-theme\"\n");
    let templates = site.dir.path().join("house-theme/templates");
    std::fs::create_dir_all(&templates).unwrap();
    // The default article with a "Next up" line of its own, read from the rails outside the
    // rails' template: a part joined later would leave that line stale.
    let default = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../themes/default/templates/article.html"),
    )
    .unwrap();
    let house = default.replacen(
        "{% block main %}",
        "{% block main %}<p class=\"next\">Next up: {{ rails.latest[0].title }}</p>",
        1,
    );
    assert_ne!(house, default);
    std::fs::write(templates.join("article.html"), house).unwrap();
    let (app, state) = site.cached_app().await;
    let uncached = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    for n in 1..=3 {
        let id = ed.write(&app, &format!("Story {n}"), "Text.").await;
        ed.act(&app, id, "publish", "").await;
    }
    let path = "/story/story-1";
    assert_as_rendered(&app, &uncached, path).await;
    let before = state.cache.renders(path);
    let id = ed.write(&app, "Late count", "Text.").await;
    ed.act(&app, id, "publish", "").await;
    let (_, _, body) = fetch(&app, path, "identity", None).await;
    let page = String::from_utf8(body).unwrap();
    assert!(
        page.contains("Next up: Late count"),
        "the house line follows"
    );
    assert_eq!(
        state.cache.renders(path),
        before + 1,
        "rendered whole again"
    );
    assert_as_rendered(&app, &uncached, path).await;
}
