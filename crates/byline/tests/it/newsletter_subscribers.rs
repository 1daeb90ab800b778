//! The subscribers' admin page: counts per status, search, the CSV download, and erasure at
//! a reader's request, which leaves only a keyed hash until the reader comes back.

use axum::http::StatusCode;
use byline_core::Email;
use byline_core::store::NewSubscriber;
use chrono::Utc;

use crate::editorial::member;
use crate::newsletter_desk::subscribe;
use crate::support::{Site, send};

#[tokio::test]
async fn subscribers_are_counted_searched_downloaded_and_erased() {
    let site = Site::new("[site]\nbase_url = \"http://byline.test\"\n");
    let (app, state) = site.cached_app().await;
    let admin = member(&app, &site, "ad@example.org", "admin").await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    subscribe(
        state.store.as_ref(),
        &["alpha@example.org", "beta@example.org"],
    )
    .await;
    state
        .store
        .add_subscriber(NewSubscriber {
            email: Email::parse("gamma@example.net").unwrap(),
            source: "/story/x".into(),
            consented_at: Utc::now(),
            ip_hash: None,
        })
        .await
        .unwrap();

    for path in ["/admin/subscribers", "/admin/subscribers.csv"] {
        assert_eq!(
            ed.get(&app, path).await.0,
            StatusCode::FORBIDDEN,
            "{path}: personal data"
        );
    }
    let (status, page) = admin.get(&app, "/admin/subscribers").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(">2 active</a>") && page.contains(">1 pending</a>"),
        "{page}"
    );
    let (_, page) = admin.get(&app, "/admin/subscribers?q=ALPHA").await;
    assert!(
        page.contains("alpha@example.org") && !page.contains("beta@example.org"),
        "{page}"
    );
    let (_, page) = admin.get(&app, "/admin/subscribers?status=pending").await;
    assert!(
        page.contains("gamma@example.net") && !page.contains("alpha@example.org"),
        "{page}"
    );
    let (_, page) = admin.get(&app, "/admin/subscribers?q=%25").await;
    assert!(
        page.contains("0 subscribers"),
        "% is a character, not a wildcard: {page}"
    );

    let (status, headers, csv) = send(
        &app,
        "GET",
        "/admin/subscribers.csv?status=active",
        Some(&admin.cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        headers["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment; filename=\"subscribers-active-")
    );
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[1].starts_with("alpha@example.org,active,/,"), "{csv}");

    // An issue on its way to alpha: erasure takes the delivery too.
    let content = byline_core::newsletter::IssueContent {
        subject: "S".into(),
        text: "T".into(),
        html: "<p>H</p>".into(),
    };
    let (issue, queued) = state
        .store
        .queue_issue(&content, "test", Utc::now())
        .await
        .unwrap();
    assert_eq!(queued, 2);
    let (status, _, page) = admin
        .post(
            &app,
            "/admin/subscribers/erase",
            "email=alpha%40example.org",
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "the box must be ticked"
    );
    assert!(page.contains("cannot be undone"), "{page}");
    let (status, location, _) = admin
        .post(
            &app,
            "/admin/subscribers/erase",
            "email=alpha%40example.org&confirm=yes",
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/subscribers?done=erased")
    );
    let alpha = Email::parse("alpha@example.org").unwrap();
    assert!(state.store.find_subscriber(&alpha).await.unwrap().is_none());
    assert_eq!(state.store.issue_progress(issue).await.unwrap().queued, 1);
    let dump = format!("{:?}", state.store.dump_site().await.unwrap());
    assert!(
        !dump.contains("alpha@example.org"),
        "the address is nowhere in the site"
    );
    assert_eq!(state.store.suppressed_count().await.unwrap(), 1);
    let (_, page) = admin.get(&app, "/admin/subscribers").await;
    assert!(page.contains("1 erased"), "{page}");
    let (status, _, page) = admin
        .post(
            &app,
            "/admin/subscribers/erase",
            "email=nobody%40example.org&confirm=yes",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("No subscriber has the address nobody@example.org"),
        "{page}"
    );

    // The reader comes back of their own accord: signing up and confirming lifts the entry.
    let form = "email=alpha%40example.org&source=%2F&website=";
    let (status, _) = crate::newsletter::post(
        &app,
        form,
        "192.0.2.30",
        crate::newsletter_mail::SAME_ORIGIN,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let secret = byline::secrets::site_secret(&state).await.unwrap();
    let token = byline::newsletter::token::sign(
        secret,
        byline::newsletter::token::Purpose::Confirm,
        &alpha,
        Some(Utc::now() + chrono::Duration::days(1)),
    );
    let (status, _, _) = send(
        &app,
        "POST",
        "/newsletter/confirm",
        None,
        Some(&format!("token={token}")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(state.store.suppressed_count().await.unwrap(), 0);
}
