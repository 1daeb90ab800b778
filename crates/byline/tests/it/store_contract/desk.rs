//! The newsletter desk's schedule and digest, the issues' reports, and the subscribers'
//! lists, erasure and suppression.

use byline_core::Email;
use byline_core::newsletter::{
    DeliveryOutcome, DraftInput, IssueContent, RetryLimits, SubscriberQuery,
};
use byline_core::store::NewSubscriber;
use chrono::{Duration, Utc};

use super::fresh;

fn content(subject: &str) -> IssueContent {
    IssueContent {
        subject: subject.to_owned(),
        text: "Text".to_owned(),
        html: "<p>Text</p>".to_owned(),
    }
}

fn input(subject: &str) -> DraftInput {
    DraftInput {
        subject: subject.to_owned(),
        intro: "Hello".to_owned(),
        stories: vec!["a-story".to_owned()],
        author: "Ana".to_owned(),
    }
}

async fn active(store: &dyn byline_core::store::Store, address: &str) {
    let now = Utc::now();
    let reader = NewSubscriber {
        email: Email::parse(address).unwrap(),
        source: "/".to_owned(),
        consented_at: now,
        ip_hash: None,
    };
    store.add_subscriber(reader).await.unwrap();
    store
        .confirm_subscriber(&Email::parse(address).unwrap(), now)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_scheduled_draft_goes_out_once_when_due_unless_unscheduled_first() {
    let (_site, store) = fresh().await;
    active(store.as_ref(), "r@example.org").await;
    let now = Utc::now();
    let id = store
        .save_draft(None, &input("Noon"), now)
        .await
        .unwrap()
        .unwrap();
    let draft = store.draft(id).await.unwrap().unwrap();
    assert_eq!(
        (draft.input.subject.as_str(), draft.send_at),
        ("Noon", None)
    );
    let at = chrono::DateTime::from_timestamp((now + Duration::hours(1)).timestamp(), 0).unwrap();
    assert!(
        store
            .schedule_draft(id, &content("Noon"), at)
            .await
            .unwrap()
    );
    assert_eq!(store.draft(id).await.unwrap().unwrap().send_at, Some(at));
    assert!(store.unschedule_draft(id).await.unwrap());
    assert!(
        store.release_due_drafts(at).await.unwrap().is_empty(),
        "unscheduled"
    );
    assert!(
        store
            .schedule_draft(id, &content("Noon"), at)
            .await
            .unwrap()
    );
    assert!(
        store.release_due_drafts(now).await.unwrap().is_empty(),
        "not due yet"
    );
    let released = store.release_due_drafts(at).await.unwrap();
    assert_eq!(released.len(), 1);
    assert_eq!(released[0].1, 1, "one active subscriber");
    assert!(
        store.release_due_drafts(at).await.unwrap().is_empty(),
        "once"
    );
    assert!(store.draft(id).await.unwrap().is_none());
    let issues = store.issues(10).await.unwrap();
    assert_eq!(issues.len(), 1);
    assert_eq!(
        (issues[0].id, issues[0].subject.as_str()),
        (released[0].0, "Noon")
    );
    assert_eq!(issues[0].progress.queued, 1);
}

#[tokio::test]
async fn a_day_has_one_digest_whichever_node_makes_it() {
    let (_site, store) = fresh().await;
    active(store.as_ref(), "r@example.org").await;
    let now = Utc::now();
    assert!(!store.digest_done("2026-12-01").await.unwrap());
    let made = store
        .queue_digest("2026-12-01", Some(&content("Digest")), now)
        .await
        .unwrap();
    assert!(matches!(made, Some(Some((_, 1)))), "{made:?}");
    assert!(store.digest_done("2026-12-01").await.unwrap());
    let again = store
        .queue_digest("2026-12-01", Some(&content("Digest")), now)
        .await
        .unwrap();
    assert!(again.is_none(), "the day was done");
    let quiet = store.queue_digest("2026-12-02", None, now).await.unwrap();
    assert!(
        matches!(quiet, Some(None)),
        "a day without stories is recorded: {quiet:?}"
    );
    assert!(store.digest_done("2026-12-02").await.unwrap());
    assert_eq!(store.issues(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn deliveries_whose_sender_died_are_reported_and_go_again_only_when_asked() {
    let (_site, store) = fresh().await;
    active(store.as_ref(), "a@example.org").await;
    active(store.as_ref(), "b@example.org").await;
    let now = Utc::now();
    let (issue, _) = store
        .queue_issue(&content("Evening"), "contract", now)
        .await
        .unwrap();
    let lease = std::time::Duration::from_secs(60);
    let limits = RetryLimits {
        bounce_limit: 1,
        max_attempts: 1,
        retry_after: lease,
    };
    // One refused for good, one whose sender never came back.
    let refused = store.claim_delivery(now, lease).await.unwrap().unwrap();
    let outcome = DeliveryOutcome::Refused("550 no such user".to_owned());
    store
        .finish_delivery(&refused, outcome, now, limits)
        .await
        .unwrap();
    let lost = store.claim_delivery(now, lease).await.unwrap().unwrap();
    let later = now + Duration::seconds(120);
    assert!(store.claim_delivery(later, lease).await.unwrap().is_none());
    let mut report = store.undelivered(issue, 10).await.unwrap();
    report.sort_by(|a, b| a.state.cmp(&b.state));
    let states: Vec<(&str, &str)> = report
        .iter()
        .map(|u| (u.email.as_str(), u.state.as_str()))
        .collect();
    assert_eq!(
        states,
        [
            (refused.email.as_str(), "failed"),
            (lost.email.as_str(), "unknown")
        ]
    );
    assert_eq!(store.requeue_unknown(issue, later).await.unwrap(), 1);
    let again = store.claim_delivery(later, lease).await.unwrap().unwrap();
    assert_eq!(again.email, lost.email, "only the unknown one goes again");
}

#[tokio::test]
async fn subscribers_are_listed_counted_found_and_erased_to_a_suppression() {
    let (_site, store) = fresh().await;
    active(store.as_ref(), "ana@example.org").await;
    active(store.as_ref(), "bo@example.org").await;
    let pending = NewSubscriber {
        email: Email::parse("cy@example.org").unwrap(),
        source: "/".to_owned(),
        consented_at: Utc::now(),
        ip_hash: None,
    };
    store.add_subscriber(pending).await.unwrap();
    let counts = store.subscriber_counts().await.unwrap();
    assert!(counts.contains(&("active".to_owned(), 2)), "{counts:?}");
    assert!(counts.contains(&("pending".to_owned(), 1)), "{counts:?}");
    let active_ones: Vec<String> = store
        .subscribers(Some("active"))
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.email.to_string())
        .collect();
    assert_eq!(active_ones, ["ana@example.org", "bo@example.org"]);
    let query = SubscriberQuery {
        search: Some("BO@".to_owned()),
        status: None,
        limit: 10,
        offset: 0,
    };
    let (found, total) = store.search_subscribers(&query).await.unwrap();
    assert_eq!((found.len(), total), (1, 1));

    let bo = Email::parse("bo@example.org").unwrap();
    assert!(
        store
            .erase_subscriber(&bo, "hash-of-bo", Utc::now())
            .await
            .unwrap()
    );
    assert!(store.find_subscriber(&bo).await.unwrap().is_none());
    assert_eq!(store.suppressed_count().await.unwrap(), 1);
    assert!(
        !store
            .erase_subscriber(&bo, "hash-of-bo", Utc::now())
            .await
            .unwrap()
    );
    store.lift_suppression("hash-of-bo").await.unwrap();
    assert_eq!(store.suppressed_count().await.unwrap(), 0);
}

#[tokio::test]
async fn the_newsletter_secret_is_the_first_one_stored() {
    let (_site, store) = fresh().await;
    let first = store.newsletter_secret("first-candidate").await.unwrap();
    assert_eq!(first, "first-candidate");
    assert_eq!(
        store.newsletter_secret("second-candidate").await.unwrap(),
        first
    );
}
