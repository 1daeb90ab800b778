//! The newsletter desk through the real admin: a draft from chosen stories previewed as the
//! email, a test copy to oneself through a real SMTP server, sending once however often the
//! button is pressed, scheduling, and the daily digest.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use byline::router::App;
use byline_core::Email;
use byline_core::store::NewSubscriber;
use chrono::{DateTime, Utc};

use crate::editorial::{Member, member};
use crate::newsletter_mail::{SmtpServer, mail_config, parsed};
use crate::support::{Site, enc, send};

/// Active subscribers, confirmed as double opt-in would.
pub async fn subscribe(store: &dyn byline_core::store::Store, emails: &[&str]) {
    for email in emails {
        let email = Email::parse(email).unwrap();
        let signup = NewSubscriber {
            email: email.clone(),
            source: "/".into(),
            consented_at: Utc::now(),
            ip_hash: None,
        };
        store.add_subscriber(signup).await.unwrap();
        store.confirm_subscriber(&email, Utc::now()).await.unwrap();
    }
}

/// A published story in `section`; returns its slug.
async fn publish(app: &App, ed: &Member, headline: &str, section: &str) -> String {
    let form = format!(
        "headline={}&standfirst={}&body=Text.&body_format=markdown&authors=Desk&section={}",
        enc(headline),
        enc(&format!("What {headline} means.")),
        enc(section)
    );
    let (status, location, page) = ed.post(app, "/admin/stories", &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let id: i64 = location.rsplit('/').next().unwrap().parse().unwrap();
    let (status, _, page) = ed.act(app, id, "publish", "").await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    byline_core::Slug::derive(headline).unwrap().to_string()
}

/// Starts a draft; returns its page's path.
async fn start_draft(app: &App, ed: &Member, subject: &str) -> String {
    let (status, location, page) = ed
        .post(
            app,
            "/admin/newsletter/drafts",
            &format!("subject={}", enc(subject)),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    location
}

fn hidden(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .unwrap_or_else(|| panic!("no {name} in {page}"))
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn editors_compose_preview_test_and_send_an_issue_once() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let smtp = SmtpServer::start();
    let site = Site::new(&mail_config(smtp.port));
    let (app, state) = site.cached_app().await;
    crate::support::sections(&site, &["News", "World", "Sport"]).await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let author = member(&app, &site, "au@example.org", "author").await;
    let bridge = publish(&app, &ed, "Harbour bridge reopens", "News").await;
    let budget = publish(&app, &ed, "Council votes on budget", "News").await;
    let readers = ["r1@example.org", "r2@example.org", "r3@example.org"];
    subscribe(state.store.as_ref(), &readers).await;

    assert_eq!(
        author.get(&app, "/admin/newsletter").await.0,
        StatusCode::FORBIDDEN
    );
    let (status, _, _) = author
        .post(&app, "/admin/newsletter/drafts", "subject=Mine")
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the server checks, whatever the page shows"
    );

    let draft = start_draft(&app, &ed, "Morning briefing").await;
    let form = format!(
        "subject=Morning+briefing&intro={}&story={bridge}&add={}&action=save",
        enc("Good morning from the desk."),
        enc(&format!("http://byline.test/story/{budget}"))
    );
    let (status, location, page) = ed.post(&app, &draft, &form).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, format!("{draft}?done=saved"));

    // Header injection and forged forms change nothing.
    let (status, _, page) = ed
        .post(
            &app,
            &draft,
            &format!("subject={}&action=save", enc("Hi\r\nBcc: all@example.org")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("line break or another control character"),
        "{page}"
    );
    let (status, _, _) = send(
        &app,
        "POST",
        &draft,
        Some(&ed.cookie),
        Some("csrf=forged&subject=X"),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The preview: the text as sent, and the HTML in a frame of its own.
    let (status, page) = ed.get(&app, &draft).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("Good morning from the desk."), "{page}");
    assert!(
        page.contains(&format!("http://byline.test/story/{bridge}")),
        "{page}"
    );
    assert!(
        page.contains(&format!("http://byline.test/story/{budget}")),
        "{page}"
    );
    assert!(
        page.find("Harbour bridge reopens") < page.find("Council votes on budget"),
        "the stories in the order chosen"
    );
    assert!(page.contains(&format!("src=\"{draft}/email\"")), "{page}");
    let (status, headers, html) = send(
        &app,
        "GET",
        &format!("{draft}/email"),
        Some(&ed.cookie),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let csp = headers["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("style-src 'unsafe-inline'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert!(html.contains("Council votes on budget"), "{html}");
    assert!(html.contains("/newsletter/unsubscribe?token="), "{html}");

    // A test copy goes to the editor alone.
    let (status, location, page) = ed
        .post(
            &app,
            &draft,
            &format!(
                "subject=Morning+briefing&intro={}&story={bridge}&story={budget}&action=test",
                enc("Good morning from the desk.")
            ),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, format!("{draft}?done=tested"));
    let test = parsed(&smtp.wait_for(1).await[0]);
    assert_eq!(test["headers"]["To"], "ed@example.org");
    assert_eq!(test["headers"]["Subject"], "[Test] Morning briefing");
    assert_eq!(test["html_ok"], true);
    let text = test["text"].as_str().unwrap();
    for slug in [&bridge, &budget] {
        assert!(
            text.contains(&format!("http://byline.test/story/{slug}")),
            "{text}"
        );
    }

    // Sending checks that the issue is the one previewed, then goes once.
    let (_, page) = ed.get(&app, &draft).await;
    let seen = hidden(&page, "updated");
    // Someone changes the intro meanwhile (within the same second, as likely as not).
    let change = format!(
        "subject=Morning+briefing&intro=Changed.&story={bridge}&story={budget}&action=save"
    );
    assert_eq!(
        ed.post(&app, &draft, &change).await.0,
        StatusCode::SEE_OTHER
    );
    let send_path = format!("{draft}/send");
    let (status, _, page) = ed.post(&app, &send_path, &format!("updated={seen}")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        page.contains("changed this issue after you opened it"),
        "{page}"
    );
    let updated = hidden(&page, "updated");
    let (status, location, page) = ed
        .post(&app, &send_path, &format!("updated={updated}"))
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    let issue = location.split('?').next().unwrap().to_owned();
    let (status, _, _) = ed
        .post(&app, &send_path, &format!("updated={updated}"))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a second press finds no draft"
    );
    assert_eq!(state.store.issues(10).await.unwrap().len(), 1);

    let sender = tokio::spawn(byline::newsletter::sender::run(state.clone()));
    let received = smtp.wait_for(1 + readers.len()).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    let page = loop {
        let (_, page) = ed.get(&app, &issue).await;
        if page.contains("status-sent") {
            break page;
        }
        assert!(
            Instant::now() < deadline,
            "the issue was not marked sent in 15 s: {page}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert!(page.contains("<dd>3 of 3</dd>"), "{page}");
    assert!(
        page.contains("<dt>From</dt><dd>Test Member</dd>"),
        "who sent it: {page}"
    );
    sender.abort();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let received = smtp.messages().len().max(received.len());
    assert_eq!(
        received,
        1 + readers.len(),
        "each reader once, and the test copy"
    );
    let to: BTreeSet<String> = smtp.messages()[..]
        .iter()
        .map(|m| parsed(m)["headers"]["To"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(to.len(), 4, "{to:?}");
    let (_, desk) = ed.get(&app, "/admin/newsletter").await;
    assert!(
        desk.contains("Morning briefing") && desk.contains("3 of 3"),
        "{desk}"
    );
    assert!(desk.contains("No drafts."), "{desk}");
}

/// The first `hh:00` UTC at or after `t`, as the digest's `due` would be at that hour.
fn next_due(t: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    let today = t.date_naive().and_hms_opt(hour, 0, 0).unwrap().and_utc();
    if today >= t {
        today
    } else {
        today + chrono::Duration::days(1)
    }
}

#[tokio::test]
async fn a_scheduled_issue_goes_out_once_when_due_and_not_before() {
    let _ = tracing_subscriber::fmt().with_test_writer().try_init();
    let site = Site::new("[site]\nbase_url = \"http://byline.test\"\n");
    let (app, state) = site.cached_app().await;
    crate::support::sections(&site, &["News", "World", "Sport"]).await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let story = publish(&app, &ed, "Ferry timetable changes", "News").await;
    subscribe(state.store.as_ref(), &["r1@example.org", "r2@example.org"]).await;
    let draft = start_draft(&app, &ed, "Weekend edition").await;
    let (status, _, _) = ed
        .post(
            &app,
            &draft,
            &format!("subject=Weekend+edition&story={story}&action=save"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (_, page) = ed.get(&app, &draft).await;
    let updated = hidden(&page, "updated");
    let schedule = format!("{draft}/schedule");

    let past = (Utc::now() - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M");
    let (status, _, page) = ed
        .post(
            &app,
            &schedule,
            &format!("updated={updated}&send_at={past}"),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("Choose a time in the future"), "{page}");
    let at = Utc::now() + chrono::Duration::hours(3);
    let field = at.format("%Y-%m-%dT%H:%M").to_string();
    let (status, location, page) = ed
        .post(
            &app,
            &schedule,
            &format!("updated={updated}&send_at={field}"),
        )
        .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
    assert_eq!(location, format!("{draft}?done=scheduled"));
    let (_, page) = ed.get(&app, &draft).await;
    assert!(
        page.contains(&format!(
            "Scheduled for {}",
            at.format("%-d %B %Y, %H:%M UTC")
        )),
        "{page}"
    );
    let (status, _, page) = ed
        .post(
            &app,
            &draft,
            &format!("subject=Changed&story={story}&action=save"),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "a scheduled issue is frozen");
    assert!(page.contains("unschedule it to change it"), "{page}");

    // Not before its time; at its time once, on however many ticks (or nodes).
    byline::newsletter::schedule::tick(&state, Utc::now()).await;
    assert!(state.store.issues(10).await.unwrap().is_empty());
    let later = at + chrono::Duration::minutes(1);
    byline::newsletter::schedule::tick(&state, later).await;
    byline::newsletter::schedule::tick(&state, later).await;
    let issues = state.store.issues(10).await.unwrap();
    assert_eq!(issues.len(), 1, "{issues:?}");
    assert_eq!(issues[0].subject, "Weekend edition");
    assert_eq!(issues[0].origin, "Test Member");
    assert_eq!(issues[0].progress.queued, 2);
    assert_eq!(ed.get(&app, &draft).await.0, StatusCode::NOT_FOUND);

    // Unscheduling makes it a draft again.
    let other = start_draft(&app, &ed, "Later edition").await;
    ed.post(
        &app,
        &other,
        &format!("subject=Later+edition&story={story}&action=save"),
    )
    .await;
    let (_, page) = ed.get(&app, &other).await;
    let updated = hidden(&page, "updated");
    ed.post(
        &app,
        &format!("{other}/schedule"),
        &format!("updated={updated}&send_at={field}"),
    )
    .await;
    let (status, _, _) = ed.post(&app, &format!("{other}/unschedule"), "").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    byline::newsletter::schedule::tick(&state, later).await;
    assert_eq!(state.store.issues(10).await.unwrap().len(), 1);
    let (_, page) = ed.get(&app, &other).await;
    assert!(!page.contains("Scheduled for"), "{page}");
    let (status, location, _) = ed.post(&app, &format!("{other}/delete"), "").await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/admin/newsletter?done=deleted")
    );
}

#[tokio::test]
async fn the_daily_digest_carries_the_days_stories_from_its_sections_and_skips_empty_days() {
    let config = "[site]\nbase_url = \"http://byline.test\"\n\n[newsletter.digest]\ntime_utc = \"06:00\"\nsections = [\"world\"]\n";
    let site = Site::new(config);
    let (app, state) = site.cached_app().await;
    crate::support::sections(&site, &["News", "World", "Sport"]).await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    let world = publish(&app, &ed, "Summit ends in agreement", "World").await;
    publish(&app, &ed, "Late winner in the derby", "Sport").await;
    subscribe(state.store.as_ref(), &["r1@example.org"]).await;

    let due = next_due(Utc::now(), 6);
    byline::newsletter::schedule::tick(&state, due - chrono::Duration::minutes(1)).await;
    assert!(
        state.store.issues(10).await.unwrap().is_empty(),
        "not before its time"
    );
    byline::newsletter::schedule::tick(&state, due + chrono::Duration::minutes(1)).await;
    byline::newsletter::schedule::tick(&state, due + chrono::Duration::minutes(2)).await;
    let issues = state.store.issues(10).await.unwrap();
    assert_eq!(issues.len(), 1, "once a day: {issues:?}");
    assert_eq!(issues[0].origin, "daily digest");
    assert_eq!(
        issues[0].subject,
        format!("The day's stories, {}", due.format("%-d %B %Y"))
    );
    assert_eq!(issues[0].progress.queued, 1);
    let (_, content) = state.store.issue(issues[0].id).await.unwrap().unwrap();
    assert!(
        content.text.contains(&format!("/story/{world}")),
        "{}",
        content.text
    );
    assert!(
        !content.text.contains("derby"),
        "only its sections: {}",
        content.text
    );

    // The next day has no stories: nothing is sent, and the day is recorded as done.
    let next = due + chrono::Duration::days(1) + chrono::Duration::minutes(1);
    byline::newsletter::schedule::tick(&state, next).await;
    assert_eq!(state.store.issues(10).await.unwrap().len(), 1);
    let day = next.format("%Y-%m-%d").to_string();
    assert!(state.store.digest_done(&day).await.unwrap());
}
