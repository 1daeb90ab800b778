//! Workflow moves through the router: review, roles, scheduling, corrections.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use byline_core::StoryId;

use super::*;
use crate::support::{Site, get};

#[tokio::test]
async fn a_story_goes_from_draft_through_review_to_the_site() {
    let site = Site::new("");
    let app = site.app().await;
    let reporter = member(&app, &site, "rep@example.org", "contributor").await;
    let editor = member(&app, &site, "ed@example.org", "editor").await;

    let (status, _, page) = reporter
        .post(&app, "/admin/stories", "headline=++&body=text")
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("The headline: the headline is empty."),
        "{page}"
    );
    assert!(page.contains(">text</textarea>"), "the body is kept");

    let id = reporter
        .write(
            &app,
            "Ferry returns to the bay",
            "The *ferry* is back.\n\n<script>alert(1)</script>",
        )
        .await;
    assert_eq!(
        get(&app, "/story/ferry-returns-to-the-bay").await.0,
        StatusCode::NOT_FOUND,
        "a draft is private"
    );
    let (status, _, _) = reporter.act(&app, id, "publish", "").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a contributor cannot publish"
    );
    let (status, location, _) = reporter.act(&app, id, "submit", "").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin?status=in_review")
    );
    let (status, _, page) = reporter.act(&app, id, "submit", "").await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "already in review"
    );
    assert!(
        page.contains("A story that is in review cannot be moved that way."),
        "{page}"
    );

    let (status, _, _) = editor.act(&app, id, "publish", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, _, html) = get(&app, "/story/ferry-returns-to-the-bay").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<p>The <em>ferry</em> is back.</p>"));
    assert!(
        !html.contains("<script>alert"),
        "scripts in Markdown are neutralised"
    );
    assert!(html.contains(r#"By <a href="/author/test-member" rel="author">Test Member</a>"#));
    let latest = get(&app, "/").await.2;
    assert!(
        latest.contains("Ferry returns to the bay"),
        "on the front page at once"
    );

    assert_eq!(
        reporter.get(&app, &format!("/admin/stories/{id}")).await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = reporter.save(&app, id, "3", "Changed", "x", "").await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "once submitted, a contributor's story is the editors'"
    );
}

#[tokio::test]
async fn authors_publish_their_own_stories_only() {
    let site = Site::new("");
    let app = site.app().await;
    let ana = member(&app, &site, "ana@example.org", "author").await;
    let bo = member(&app, &site, "bo@example.org", "author").await;
    let mine = ana.write(&app, "Ana's story", "Text.").await;
    assert_eq!(
        bo.act(&app, mine, "publish", "").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        bo.get(&app, &format!("/admin/stories/{mine}")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        ana.act(&app, mine, "publish", "").await.0,
        StatusCode::SEE_OTHER
    );
    assert_eq!(get(&app, "/story/anas-story").await.0, StatusCode::OK);
}

#[tokio::test]
async fn schedules_publish_without_visitors_and_across_a_restart() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let id = ed.write(&app, "Scheduled story", "Text.").await;
    let past = (chrono::Utc::now() - chrono::Duration::minutes(5))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let (status, _, page) = ed.act(&app, id, "schedule", &past).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The publication time must be in the future."));

    // Scheduled while no server runs; due before the server starts. The
    // form sends whole seconds, so the time is at least one whole second
    // ahead however late in its second the clock is read.
    let due = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp() + 2, 0).unwrap();
    let (status, _, _) = ed
        .act(
            &app,
            id,
            "schedule",
            &due.format("%Y-%m-%dT%H:%M:%S").to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        get(&app, "/story/scheduled-story").await.0,
        StatusCode::NOT_FOUND
    );
    let second = ed.write(&app, "Second scheduled story", "Text.").await;
    // Whole seconds, as the form sends them.
    let later = chrono::DateTime::from_timestamp(chrono::Utc::now().timestamp() + 3, 0).unwrap();
    ed.act(
        &app,
        second,
        "schedule",
        &later.format("%Y-%m-%dT%H:%M:%S").to_string(),
    )
    .await;
    while chrono::Utc::now() < due {
        std::thread::sleep(Duration::from_millis(50));
    }

    let server = site.serve();
    let store = site.data_dir().open_store().await.unwrap();
    let status_of = |story: i64| {
        let store = store.clone();
        async move {
            store
                .editor_story(StoryId(story))
                .await
                .unwrap()
                .unwrap()
                .status
        }
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    // Nobody requests a page: only the store is read until both are published.
    while status_of(second).await != byline_core::Status::Published {
        assert!(
            Instant::now() < deadline,
            "the scheduled stories were not published within 10 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        status_of(id).await,
        byline_core::Status::Published,
        "the overdue one was published at start-up"
    );
    assert!(chrono::Utc::now() >= later, "not before its time");
    let (status, _) =
        crate::support::http_get(&format!("{}/story/second-scheduled-story", server.url));
    assert_eq!(status, 200);
}

#[tokio::test]
async fn corrections_show_dated_under_the_article() {
    let site = Site::new("");
    let app = site.app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let rep = member(&app, &site, "rep@example.org", "author").await;
    let id = rep
        .write(&app, "A story with an error", "The bridge is 40 m long.")
        .await;
    let (status, _, page) = ed
        .post(
            &app,
            &format!("/admin/stories/{id}/corrections"),
            "note=early",
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Only a published story can be corrected"));
    rep.act(&app, id, "publish", "").await;
    let path = format!("/admin/stories/{id}/corrections");
    assert_eq!(
        rep.post(&app, &path, "note=x").await.0,
        StatusCode::FORBIDDEN,
        "authors do not correct"
    );
    let (status, _, _) = ed
        .post(&app, &path, "note=The+bridge+is+400+m+long%2C+not+40+m.")
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, _, html) = get(&app, "/story/a-story-with-an-error").await;
    assert!(
        html.contains(":</strong> The bridge is 400 m long, not 40 m.</p>"),
        "{html}"
    );
    assert!(html.contains("<strong>Correction, <time datetime=\""));
    let ld = html
        .split("application/ld+json\">")
        .nth(1)
        .unwrap()
        .split("</script>")
        .next()
        .unwrap();
    let ld: serde_json::Value = serde_json::from_str(ld).unwrap();
    assert!(ld["dateModified"].as_str().unwrap() >= ld["datePublished"].as_str().unwrap());
}

#[tokio::test]
async fn every_workflow_move_through_the_router_follows_the_permission_table() {
    use byline_core::access::{Ownership, Role, allows};
    use byline_core::workflow::Transition;
    let site = Site::new("");
    let app = site.app().await;
    let admin = member(&app, &site, "root@example.org", "admin").await;
    let other = member(&app, &site, "other@example.org", "author").await;
    let soon = (chrono::Utc::now() + chrono::Duration::hours(5))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let mut n = 0;
    for role in Role::ALL {
        let me = member(
            &app,
            &site,
            &format!("{}@example.org", role.as_str()),
            role.as_str(),
        )
        .await;
        for transition in Transition::ALL {
            for from in transition.sources() {
                for ownership in [Ownership::Own, Ownership::Others] {
                    n += 1;
                    let owner = if ownership == Ownership::Own {
                        &me
                    } else {
                        &other
                    };
                    let id = story_in(&app, owner, &admin, *from, n).await;
                    let at = if transition == Transition::Schedule {
                        soon.as_str()
                    } else {
                        ""
                    };
                    let (status, _, _) = me.act(&app, id, transition.as_str(), at).await;
                    let allowed = allows(role, transition.permission(), ownership);
                    let expected = if allowed {
                        StatusCode::SEE_OTHER
                    } else {
                        StatusCode::FORBIDDEN
                    };
                    assert_eq!(
                        status, expected,
                        "{role:?} {transition:?} from {from:?} on {ownership:?} story"
                    );
                    let (_, page) = admin.get(&app, &format!("/admin/stories/{id}")).await;
                    let now = if allowed { transition.target() } else { *from };
                    assert!(
                        page.contains(&format!("status-{}\"", now.as_str())),
                        "{role:?} {transition:?}: now {now:?}"
                    );
                }
            }
        }
        // Illegal moves are refused for everyone, with a message.
        let id = story_in(&app, &me, &admin, byline_core::Status::Draft, 1000 + n).await;
        let (status, _, page) = admin.act(&app, id, "unpublish", "").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            page.contains("A story that is draft cannot be moved that way."),
            "{page}"
        );
    }
}
