//! The newsletter's sender when mail goes wrong, against real SMTP servers on 127.0.0.1: a
//! server that is down keeps the issue "sending" and it resumes when the server comes back; a
//! server that refuses an address for good (550) marks it bouncing after the configured count,
//! and a bouncing address gets no later issue.

use std::time::{Duration, Instant};

use byline::AppState;
use byline_core::Email;
use byline_core::newsletter::IssueContent;
use chrono::Utc;

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
    issue: i64,
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
    subscribe(&state, &["r1@example.org", "r2@example.org"]).await;
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
    let (_, state) = site.cached_app().await;
    subscribe(&state, &["gone@example.org", "here@example.org"]).await;
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
