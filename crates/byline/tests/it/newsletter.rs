//! The sign-up box: validation, de-duplication, the honeypot, CSRF and rate limits.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use byline::router::App;
use byline_core::Email;
use tower::ServiceExt;

use crate::support::{Item, Site, get};

pub async fn post(
    app: &App,
    form: &str,
    from: &str,
    headers: &[(&'static str, &str)],
) -> (StatusCode, String) {
    let mut request = Request::post("/newsletter/subscribe")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    let addr: SocketAddr = format!("{from}:40000").parse().unwrap();
    request.extensions_mut().insert(ConnectInfo(addr));
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

pub async fn subscriber_status(site: &Site, email: &str) -> Option<String> {
    let store = site.data_dir().open_store().await.unwrap();
    store
        .find_subscriber(&Email::parse(email).unwrap())
        .await
        .unwrap()
        .map(|s| s.status)
}

fn site_with_story(config: &str) -> Site {
    let site = Site::new(config);
    let item =
        Item::new("urn:test:nl", "A story with the box").write(&site.dir.path().join("i"), "nl");
    assert!(site.import(&[&item]).2);
    site
}

#[tokio::test]
async fn the_box_on_the_article_posts_a_pending_subscriber() {
    let site = site_with_story("");
    let app = site.app().await;
    let (_, _, article) = get(&app, "/story/a-story-with-the-box").await;
    assert!(article.contains(r#"<form method="post" action="/newsletter/subscribe">"#));
    assert!(article.contains(r#"<label for="newsletter-email">Email address</label>"#));
    assert!(
        article
            .contains(r#"<input type="hidden" name="source" value="/story/a-story-with-the-box">"#)
    );

    let form = "email=Reader%40Example.ORG&source=%2Fstory%2Fa-story-with-the-box&website=";
    let (status, page) = post(
        &app,
        form,
        "192.0.2.10",
        &[("origin", "http://byline.test"), ("host", "byline.test")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("We have recorded your sign-up for reader@example.org."),
        "{page}"
    );
    assert!(page.contains(r#"<a href="/story/a-story-with-the-box">Back to where you were</a>"#));
    assert_eq!(
        subscriber_status(&site, "reader@example.org")
            .await
            .as_deref(),
        Some("pending")
    );

    // Signing up again says exactly the same and stores nothing new.
    let (status, again) = post(&app, "email=READER%40example.org", "192.0.2.11", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let message = |p: &str| {
        p.split("<h1>")
            .nth(1)
            .unwrap()
            .split("</form>")
            .next()
            .unwrap()
            .replace("/story/a-story-with-the-box", "/")
    };
    assert_eq!(message(&again), message(&page));
}

#[tokio::test]
async fn bad_addresses_get_a_clear_message_and_the_form_again() {
    let site = site_with_story("");
    let app = site.app().await;
    let (status, page) = post(&app, "email=not-an-address&source=%2F", "192.0.2.20", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains(
        "That does not look like an email address (it should look like name@example.com)."
    ));
    assert!(
        page.contains(r#"value="not-an-address""#),
        "the form comes back filled in"
    );
    let (status, page) = post(&app, "email=", "192.0.2.20", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Please enter your email address."));
    let injected = "email=a%40example.com%0D%0ABcc%3A+victim%40example.com";
    assert_eq!(
        post(&app, injected, "192.0.2.20", &[]).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let huge = format!("email={}", "a".repeat(20_000));
    assert_eq!(
        post(&app, &huge, "192.0.2.20", &[]).await.0,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn bots_and_other_sites_cannot_sign_anyone_up() {
    let site = site_with_story("");
    let app = site.app().await;
    let (status, page) = post(
        &app,
        "email=bot%40example.com&website=http%3A%2F%2Fspam.example",
        "192.0.2.30",
        &[],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the honeypot answers as if all went well"
    );
    assert!(page.contains("We have recorded your sign-up"));
    assert_eq!(subscriber_status(&site, "bot@example.com").await, None);

    let (status, _) = post(
        &app,
        "email=victim%40example.com",
        "192.0.2.31",
        &[("sec-fetch-site", "cross-site")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = post(
        &app,
        "email=victim%40example.com",
        "192.0.2.31",
        &[("origin", "https://evil.example"), ("host", "byline.test")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(subscriber_status(&site, "victim@example.com").await, None);
}

#[tokio::test]
async fn sign_ups_are_rate_limited_per_address() {
    let site = site_with_story("[newsletter]\nsignups_per_ip_per_hour = 3\n");
    let app = site.app().await;
    for n in 0..3 {
        let (status, _) = post(
            &app,
            &format!("email=r{n}%40example.com"),
            "198.51.100.7",
            &[],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, page) = post(&app, "email=r4%40example.com", "198.51.100.7", &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(page.contains("<h1>Too many requests</h1>"));
    assert_eq!(subscriber_status(&site, "r4@example.com").await, None);
    assert_eq!(
        post(&app, "email=r5%40example.com", "198.51.100.8", &[])
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn subscribers_export_as_csv_by_status_from_the_command_line() {
    let site = Site::new("");
    let app = site.app().await;
    let headers = &[("origin", "http://byline.test"), ("host", "byline.test")];
    for (n, email) in ["b%40example.org", "a%40example.org"].iter().enumerate() {
        let form = format!("email={email}&source=%2Fstory%2Fone&website=");
        let from = format!("192.0.2.{}", 20 + n);
        assert_eq!(post(&app, &form, &from, headers).await.0, StatusCode::OK);
    }
    let out = site.cli(&["subscribers", "export", "--status", "pending"]);
    assert!(out.status.success());
    let csv = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "email,status,source,consented_at,confirmed_at,unsubscribed_at,bounces"
    );
    assert!(
        lines[1].starts_with("a@example.org,pending,/story/one,20"),
        "{csv}"
    );
    assert!(
        lines[2].starts_with("b@example.org,pending,/story/one,20"),
        "{csv}"
    );
    assert!(
        lines[1].ends_with("Z,,,0"),
        "not confirmed, not unsubscribed, no bounces: {csv}"
    );
    assert_eq!(lines.len(), 4, "two rows and the final line end: {csv}");
    let counts = String::from_utf8(out.stderr).unwrap();
    assert!(
        counts.contains("exported 2 subscribers (in all: 2 pending)"),
        "{counts}"
    );

    let out = site.cli(&["subscribers", "export", "--status", "active"]);
    let csv = String::from_utf8(out.stdout).unwrap();
    assert_eq!(csv.lines().count(), 1, "only the header: {csv}");
    let out = site.cli(&["subscribers", "export", "--status", "gone"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("possible values: active, pending, unsubscribed, bounced"),
        "{err}"
    );
}
