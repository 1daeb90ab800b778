//! The newsletter's sender when mail goes wrong, against real SMTP servers on 127.0.0.1: a
//! server that is down keeps the issue "sending" and it resumes when the server comes back; a
//! server that refuses an address for good (550) marks it bouncing after the configured count,
//! and a bouncing address gets no later issue.

use std::time::{Duration, Instant};

use byline::AppState;
use byline_core::Email;
use byline_core::newsletter::IssueContent;
use chrono::Utc;

use crate::editorial::member;
use crate::newsletter_desk::subscribe;
use crate::newsletter_mail::{SmtpServer, free_port, mail_config, parsed};
use crate::support::Site;

fn issue(subject: &str) -> IssueContent {
    IssueContent {
        subject: subject.into(),
        text: "The day's news.\n\nUnsubscribe: %%UNSUBSCRIBE_URL%%\n".into(),
        html: "<p>The day's news.</p><p><a href=\"%%UNSUBSCRIBE_URL%%\">Unsubscribe</a></p>".into(),
    }
}

/// Waits (at most 20 s) until the issue's state is `state`, and returns its summary.
async fn wait_for_state(
    app: &AppState,
    issue: byline_core::IssueId,
    state: &str,
) -> byline_core::newsletter::IssueSummary {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (summary, _) = app.store.issue(issue).await.unwrap().unwrap();
        if summary.state == state {
            return summary;
        }
        assert!(
            Instant::now() < deadline,
            "issue {issue} not {state} in 20 s: {summary:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn an_issue_waits_while_the_mail_server_is_down_and_resumes_when_it_is_back() {
    let port = free_port();
    let config = format!("{}retry_seconds = 1\n", mail_config(port));
    let site = Site::new(&config);
    let (_, state) = site.cached_app().await;
    subscribe(state.store.as_ref(), &["r1@example.org", "r2@example.org"]).await;
    let (id, queued) = state
        .store
        .queue_issue(&issue("While the server was down"), "test", Utc::now())
        .await
        .unwrap();
    assert_eq!(queued, 2);
    let sender = tokio::spawn(byline::newsletter::sender::run(state.clone()));

    // Nothing listens: every try is deferred, and the issue stays "sending".
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (summary, _) = state.store.issue(id).await.unwrap().unwrap();
        assert_eq!(summary.state, "sending");
        assert_eq!(summary.progress.sent + summary.progress.failed, 0);
        let tried = state
            .store
            .dump_site()
            .await
            .unwrap()
            .into_iter()
            .find(|t| t.table == "deliveries")
            .unwrap()
            .rows
            .iter()
            .all(|row| row[4] != byline_core::archive::Cell::Int(0));
        if tried {
            break;
        }
        assert!(Instant::now() < deadline, "no delivery was tried in 10 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // The server comes back on the same port: the rest goes out, each once.
    let smtp = SmtpServer::refusing(port, "nobody-refused");
    let summary = wait_for_state(&state, id, "sent").await;
    assert_eq!(summary.progress.sent, 2, "{summary:?}");
    sender.abort();
    let mut to: Vec<String> = smtp
        .messages()
        .iter()
        .map(|m| parsed(m)["headers"]["To"].as_str().unwrap().to_owned())
        .collect();
    to.sort();
    assert_eq!(to, ["r1@example.org", "r2@example.org"]);
}

#[tokio::test]
async fn permanent_refusals_mark_an_address_bouncing_and_it_gets_no_more_issues() {
    let smtp = SmtpServer::refusing(free_port(), "gone");
    let config = format!("{}bounce_limit = 2\n", mail_config(smtp.port));
    let site = Site::new(&config);
    let (app, state) = site.cached_app().await;
    let admin = member(&app, &site, "ad@example.org", "admin").await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    subscribe(
        state.store.as_ref(),
        &["gone@example.org", "here@example.org"],
    )
    .await;
    let sender = tokio::spawn(byline::newsletter::sender::run(state.clone()));
    let gone = Email::parse("gone@example.org").unwrap();

    for (n, subject) in ["First", "Second"].into_iter().enumerate() {
        let (id, queued) = state
            .store
            .queue_issue(&issue(subject), "test", Utc::now())
            .await
            .unwrap();
        assert_eq!(queued, 2, "{subject}: the address still counts as active");
        let summary = wait_for_state(&state, id, "sent").await;
        assert_eq!(
            (summary.progress.sent, summary.progress.failed),
            (1, 1),
            "{summary:?}"
        );
        let subscriber = state.store.find_subscriber(&gone).await.unwrap().unwrap();
        assert_eq!(subscriber.bounces, n as u32 + 1);
        let expected = if n == 0 { "active" } else { "bounced" };
        assert_eq!(subscriber.status, expected, "after {subject}");
        // Admins see which address failed and what the server said; editors see counts.
        let path = format!("/admin/newsletter/issues/{id}");
        let (_, page) = admin.get(&app, &path).await;
        assert!(
            page.contains("<td>gone@example.org</td><td>failed</td><td>1</td><td>permanent error (550): 5.1.1 No such mailbox here</td>"),
            "{page}"
        );
        let (_, page) = ed.get(&app, &path).await;
        assert!(
            page.contains("<dt>Refused or given up</dt><dd>1</dd>"),
            "{page}"
        );
        assert!(!page.contains("gone@example.org"), "{page}");
    }
    let (_, queued) = state
        .store
        .queue_issue(&issue("Third"), "test", Utc::now())
        .await
        .unwrap();
    assert_eq!(queued, 1, "a bouncing address is not sent to");
    smtp.wait_for(3).await;
    sender.abort();
    assert!(
        smtp.messages()
            .iter()
            .all(|m| { parsed(m)["headers"]["To"].as_str() == Some("here@example.org") })
    );
}

#[tokio::test]
async fn deliveries_of_unknown_outcome_go_again_only_at_an_editors_word() {
    let smtp = SmtpServer::start();
    let site = Site::new(&mail_config(smtp.port));
    let (app, state) = site.cached_app().await;
    let ed = member(&app, &site, "ed@example.org", "editor").await;
    subscribe(state.store.as_ref(), &["r1@example.org", "r2@example.org"]).await;
    let (id, _) = state
        .store
        .queue_issue(&issue("Unknown"), "test", Utc::now())
        .await
        .unwrap();

    // A sender takes r1 and dies; the next claim, past the lease, records r1 as unknown.
    let lease = Duration::from_secs(60);
    let now = Utc::now();
    let first = state
        .store
        .claim_delivery(now, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.email.as_str(), "r1@example.org");
    let later = now + chrono::Duration::minutes(2);
    let second = state
        .store
        .claim_delivery(later, lease)
        .await
        .unwrap()
        .unwrap();
    let limits = byline_core::newsletter::RetryLimits {
        bounce_limit: 3,
        max_attempts: 8,
        retry_after: Duration::from_secs(60),
    };
    state
        .store
        .finish_delivery(
            &second,
            byline_core::newsletter::DeliveryOutcome::Sent,
            later,
            limits,
        )
        .await
        .unwrap();
    let summary = wait_for_state(&state, id, "sent").await;
    assert_eq!((summary.progress.sent, summary.progress.unknown), (1, 1));

    let path = format!("/admin/newsletter/issues/{id}");
    let (_, page) = ed.get(&app, &path).await;
    assert!(page.contains("Send the 1 again"), "{page}");
    let resend = format!("{path}/resend-unknown");
    let (status, _, _) = ed.post(&app, &resend, "").await;
    assert_eq!(
        status,
        axum::http::StatusCode::UNPROCESSABLE_ENTITY,
        "the box must be ticked"
    );
    assert_eq!(state.store.issue_progress(id).await.unwrap().unknown, 1);
    let (status, location, _) = ed.post(&app, &resend, "confirm=yes").await;
    assert_eq!(status, axum::http::StatusCode::SEE_OTHER);
    assert_eq!(location, format!("{path}?done=requeued"));
    assert_eq!(
        state.store.issue(id).await.unwrap().unwrap().0.state,
        "sending"
    );

    let sender = tokio::spawn(byline::newsletter::sender::run(state.clone()));
    let summary = wait_for_state(&state, id, "sent").await;
    sender.abort();
    assert_eq!((summary.progress.sent, summary.progress.unknown), (2, 0));
    let received = smtp.wait_for(1).await;
    assert_eq!(received.len(), 1, "only the unknown one went again");
    assert_eq!(parsed(&received[0])["headers"]["To"], "r1@example.org");
}
