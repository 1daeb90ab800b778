//! Subscribers' consent, the outbox's once-only deliveries and the desk's drafts.

use byline_core::Email;
use byline_core::newsletter::{
    ConfirmOutcome, DeliveryOutcome, DraftInput, IssueContent, RetryLimits,
};
use byline_core::store::{NewSubscriber, SubscribeOutcome};
use chrono::{DateTime, Duration, Utc};

use super::fresh;

fn reader(address: &str, at: DateTime<Utc>) -> NewSubscriber {
    NewSubscriber {
        email: Email::parse(address).unwrap(),
        source: "/story/x".to_owned(),
        consented_at: at,
        ip_hash: None,
    }
}

fn content(subject: &str) -> IssueContent {
    IssueContent {
        subject: subject.to_owned(),
        text: "Text".to_owned(),
        html: "<p>Text</p>".to_owned(),
    }
}

#[tokio::test]
async fn signing_up_asks_once_a_quarter_hour_until_the_reader_confirms() {
    let (_site, store) = fresh().await;
    let now = Utc::now();
    let add = |at| store.add_subscriber(reader("reader@example.org", at));
    assert_eq!(add(now).await.unwrap(), SubscribeOutcome::Added);
    assert_eq!(
        add(now + Duration::minutes(1)).await.unwrap(),
        SubscribeOutcome::JustAsked
    );
    assert_eq!(
        add(now + Duration::minutes(20)).await.unwrap(),
        SubscribeOutcome::StillPending
    );
    let email = Email::parse("reader@example.org").unwrap();
    assert_eq!(
        store.confirm_subscriber(&email, now).await.unwrap(),
        ConfirmOutcome::Confirmed
    );
    assert_eq!(
        store.confirm_subscriber(&email, now).await.unwrap(),
        ConfirmOutcome::AlreadyActive
    );
    assert_eq!(
        add(now + Duration::hours(1)).await.unwrap(),
        SubscribeOutcome::AlreadyKnown
    );
    assert!(store.unsubscribe(&email, now).await.unwrap());
    assert_eq!(
        store.find_subscriber(&email).await.unwrap().unwrap().status,
        "unsubscribed"
    );
    let nobody = Email::parse("nobody@example.org").unwrap();
    assert_eq!(
        store.confirm_subscriber(&nobody, now).await.unwrap(),
        ConfirmOutcome::NotPending
    );
}

#[tokio::test]
async fn an_issue_goes_to_each_active_subscriber_once_whoever_claims_it() {
    let (_site, store) = fresh().await;
    let now = Utc::now();
    for n in 0..5 {
        let address = format!("r{n}@example.org");
        store.add_subscriber(reader(&address, now)).await.unwrap();
        if n < 4 {
            store
                .confirm_subscriber(&Email::parse(&address).unwrap(), now)
                .await
                .unwrap();
        }
    }
    let (issue, queued) = store
        .queue_issue(&content("Morning"), "contract", now)
        .await
        .unwrap();
    assert_eq!(queued, 4, "pending readers get nothing");
    let lease = std::time::Duration::from_secs(60);
    let workers = (0..3).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(delivery) = store.claim_delivery(now, lease).await.unwrap() {
                mine.push(delivery.email.to_string());
                let limits = RetryLimits {
                    bounce_limit: 3,
                    max_attempts: 3,
                    retry_after: lease,
                };
                store
                    .finish_delivery(&delivery, DeliveryOutcome::Sent, now, limits)
                    .await
                    .unwrap();
            }
            mine
        })
    });
    let mut delivered = Vec::new();
    for worker in workers {
        delivered.extend(worker.await.unwrap());
    }
    delivered.sort();
    assert_eq!(
        delivered,
        [
            "r0@example.org",
            "r1@example.org",
            "r2@example.org",
            "r3@example.org"
        ]
    );
    let progress = store.issue_progress(issue).await.unwrap();
    assert_eq!(
        (progress.sent, progress.queued, progress.claimed),
        (4, 0, 0)
    );
}

#[tokio::test]
async fn a_draft_is_sent_once_and_then_is_an_issue() {
    let (_site, store) = fresh().await;
    let now = Utc::now();
    let input = DraftInput {
        subject: "Evening".to_owned(),
        intro: "Hello".to_owned(),
        stories: vec![],
        author: "Ana".to_owned(),
    };
    let id = store
        .save_draft(None, &input, now)
        .await
        .unwrap()
        .expect("a new draft");
    assert_eq!(store.drafts().await.unwrap().len(), 1);
    let sent = store
        .send_draft(id, &content("Evening"), now)
        .await
        .unwrap();
    assert!(sent.is_some());
    assert!(
        store
            .send_draft(id, &content("Evening"), now)
            .await
            .unwrap()
            .is_none(),
        "sent once"
    );
    assert!(store.drafts().await.unwrap().is_empty());
    let (issue, _) = sent.unwrap();
    let (summary, stored) = store.issue(issue).await.unwrap().unwrap();
    assert_eq!(
        (summary.subject.as_str(), stored.subject.as_str()),
        ("Evening", "Evening")
    );
    assert!(!store.delete_draft(id).await.unwrap());
}
