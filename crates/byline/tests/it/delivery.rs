//! How public pages are delivered: compression by Accept-Encoding, validators and 304s,
//! and the headers a CDN needs.

use std::io::Read;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use byline::router::App;
use tower::ServiceExt;

use crate::support::{Item, Site};

async fn fetch(
    app: &App,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut request = Request::get(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    (
        parts.status,
        parts.headers,
        axum::body::to_bytes(body, 10 << 20).await.unwrap().to_vec(),
    )
}

fn site_with_story() -> Site {
    let site = Site::new("");
    let item = Item::new("urn:test:d", "Delivered story")
        .created("2024-06-01T10:00:00Z")
        .subjects(&["Ports"])
        .set("by", serde_json::json!("Ana Lima"))
        .body(
            &"<p>A paragraph of the delivered story, long enough to be worth compressing.</p>"
                .repeat(40),
        );
    let out = site.cli(&[
        "import",
        "ninjs",
        "--section",
        "harbour",
        item.write(&site.dir.path().join("i"), "d")
            .to_str()
            .unwrap(),
    ]);
    assert!(out.status.success());
    site
}

#[tokio::test]
async fn pages_are_compressed_as_the_reader_asks() {
    let site = site_with_story();
    let app = site.app().await;
    let (status, headers, plain) = fetch(&app, "/story/delivered-story", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-encoding").is_none());
    assert_eq!(headers["vary"], "Accept-Encoding");

    let (_, headers, br) = fetch(
        &app,
        "/story/delivered-story",
        &[("accept-encoding", "gzip, deflate, br")],
    )
    .await;
    assert_eq!(headers["content-encoding"], "br");
    let mut decoded = Vec::new();
    brotli::Decompressor::new(&br[..], 4096)
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain);
    assert!(br.len() * 3 < plain.len());

    let (_, headers, gz) = fetch(
        &app,
        "/story/delivered-story",
        &[("accept-encoding", "br;q=0, gzip")],
    )
    .await;
    assert_eq!(headers["content-encoding"], "gzip");
    let mut decoded = Vec::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_end(&mut decoded)
        .unwrap();
    assert_eq!(decoded, plain);

    let absurd = "x;q=0.1, ".repeat(5000);
    let (status, headers, body) = fetch(
        &app,
        "/story/delivered-story",
        &[("accept-encoding", &absurd)],
    )
    .await;
    assert_eq!(
        (status, headers.get("content-encoding")),
        (StatusCode::OK, None)
    );
    assert_eq!(body, plain);
    let (status, _, body) = fetch(&app, "/story/delivered-story", &[("range", "bytes=0-10")]).await;
    assert_eq!(
        (status, body.len()),
        (StatusCode::OK, plain.len()),
        "pages are always sent whole"
    );
}

#[tokio::test]
async fn validators_answer_304_until_the_page_changes() {
    let site = site_with_story();
    let app = site.app().await;
    let (_, headers, _) = fetch(&app, "/story/delivered-story", &[("accept-encoding", "br")]).await;
    let etag = headers["etag"].to_str().unwrap().to_owned();
    assert!(etag.starts_with('"') && etag.ends_with("-br\""), "{etag}");
    assert_eq!(headers["last-modified"], "Sat, 01 Jun 2024 10:00:00 GMT");

    let (status, headers, body) = fetch(
        &app,
        "/story/delivered-story",
        &[("if-none-match", &etag), ("accept-encoding", "br")],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());
    assert_eq!(headers["etag"], etag.as_str());
    let (status, _, _) = fetch(&app, "/story/delivered-story", &[("if-none-match", &etag)]).await;
    assert_eq!(
        status,
        StatusCode::NOT_MODIFIED,
        "the same content in another coding is still fresh"
    );
    let (status, _, _) = fetch(
        &app,
        "/story/delivered-story",
        &[("if-none-match", "\"something-else\"")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, _) = fetch(
        &app,
        "/story/delivered-story",
        &[("if-modified-since", "Sat, 01 Jun 2030 10:00:00 GMT")],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "only the entity tag decides a 304");

    // A new story changes the rails of this page: the old tag no longer matches.
    let newer = Item::new("urn:test:newer", "A newer story").created("2024-07-01T10:00:00Z");
    assert!(
        site.import(&[&newer.write(&site.dir.path().join("n"), "n")])
            .2
    );
    let (status, headers, _) = fetch(
        &app,
        "/story/delivered-story",
        &[("if-none-match", &etag), ("accept-encoding", "br")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(headers["etag"], etag.as_str());
}

#[tokio::test]
async fn pages_tell_a_cdn_how_long_to_keep_them_and_what_they_depend_on() {
    let site = site_with_story();
    let app = site.app().await;
    let (_, headers, _) = fetch(&app, "/story/delivered-story", &[]).await;
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(
        cache.contains("s-maxage=")
            && cache.contains("stale-while-revalidate=")
            && cache.contains("max-age=0")
    );
    let keys: Vec<&str> = headers["surrogate-key"]
        .to_str()
        .unwrap()
        .split(' ')
        .collect();
    for key in [
        "rails",
        "site",
        "section-harbour",
        "tag-ports",
        "author-ana-lima",
    ] {
        assert!(keys.contains(&key), "{key} in {keys:?}");
    }
    assert!(keys.iter().any(|k| k.starts_with("story-")));
    let (_, headers, _) = fetch(&app, "/section/harbour", &[]).await;
    assert_eq!(headers["surrogate-key"], "lists site section-harbour");
    let (_, headers, _) = fetch(&app, "/", &[]).await;
    assert_eq!(headers["surrogate-key"], "home lists site");
    let (_, headers, _) = fetch(&app, "/admin/login", &[]).await;
    assert!(
        headers.get("surrogate-key").is_none() && headers.get("etag").is_none(),
        "the admin is not a public page"
    );
    let (status, headers, _) = fetch(&app, "/no-such-page", &[("accept-encoding", "br")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["cache-control"], "no-store");
}
