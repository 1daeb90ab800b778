//! Tokens, idempotent creates, the event log and webhook deliveries: a token never does more
//! than its account; an event is recorded with its change; an event is handed out once
//! however many nodes try; a delivery's claim holds until its lease ends, and a result or a
//! resend never overrides a claim that is not theirs.

use std::time::Duration as StdDuration;

use byline_core::Email;
use byline_core::access::Role;
use byline_core::integrations::{
    AttemptResult, CreatedOnce, EventKind, NewToken, NewWebhook, Once, TokenKind, TokenOwner,
};
use byline_core::store::Store;
use chrono::{Duration, Utc};

use super::editorial::{draft, fields, link, member, publish};
use super::fresh;

fn token(name: &str, owner: TokenOwner, role: Option<Role>, hash: &str) -> NewToken {
    NewToken {
        name: name.to_owned(),
        kind: match owner {
            TokenOwner::Member(_) => TokenKind::Personal,
            TokenOwner::NewIntegration { .. } => TokenKind::Integration,
            TokenOwner::Nobody => TokenKind::Content,
        },
        owner,
        role,
        hash: hash.to_owned(),
        now: Utc::now(),
    }
}

#[tokio::test]
async fn a_token_acts_with_at_most_its_accounts_role_and_stops_at_once() {
    let (_site, store) = fresh().await;
    let author = member(store.as_ref(), "Ann", Role::Author).await;
    let scoped = token(
        "ann",
        TokenOwner::Member(author.id),
        Some(Role::Admin),
        "h1",
    );
    store.add_token(scoped).await.unwrap();
    let holder = store.token_holder("h1", Utc::now()).await.unwrap().unwrap();
    assert_eq!(
        holder.user.unwrap().role,
        Role::Author,
        "never above the member"
    );
    let duplicate = token("ann", TokenOwner::Nobody, None, "h2");
    assert!(
        store.add_token(duplicate).await.is_err(),
        "names are unique"
    );
    let email = Email::parse("bot@integrations.invalid").unwrap();
    let bot = token(
        "bot",
        TokenOwner::NewIntegration { email },
        Some(Role::Editor),
        "h3",
    );
    store.add_token(bot).await.unwrap();
    let bot = store.token_holder("h3", Utc::now()).await.unwrap().unwrap();
    assert_eq!(bot.user.as_ref().unwrap().role, Role::Editor);
    assert_eq!(bot.kind, TokenKind::Integration);
    // A member disabled, a token revoked: refused at once.
    store
        .set_disabled(author.id, Some(Utc::now()))
        .await
        .unwrap();
    assert!(
        store
            .token_holder("h1", Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.revoke_token("bot", Utc::now()).await.unwrap());
    assert!(
        store
            .token_holder("h3", Utc::now())
            .await
            .unwrap()
            .is_none()
    );
    assert!(!store.revoke_token("bot", Utc::now()).await.unwrap());
    assert!(
        store
            .token_holder("unknown", Utc::now())
            .await
            .unwrap()
            .is_none()
    );
}

#[tokio::test]
async fn a_create_under_one_key_happens_once() {
    let (_site, store) = fresh().await;
    let writer = member(store.as_ref(), "Wes", Role::Author).await;
    let id = store
        .add_token(token("wes", TokenOwner::Member(writer.id), None, "h"))
        .await
        .unwrap();
    let once = |request: &str| Once {
        token: id,
        key: "k-1".into(),
        request: request.into(),
    };
    let create = |request: &str| {
        let store = store.clone();
        let once = once(request);
        async move {
            let f = fields("Once only", "once-only");
            store
                .create_draft_once(f, writer.id, &link(7), Utc::now(), &once)
                .await
                .unwrap()
        }
    };
    let CreatedOnce::Created(first) = create("r1").await else {
        panic!("the first create makes the story");
    };
    assert_eq!(create("r1").await, CreatedOnce::Before(first));
    assert_eq!(create("r2").await, CreatedOnce::Mismatch);
    let laptop = store
        .add_token(token(
            "wes laptop",
            TokenOwner::Member(writer.id),
            None,
            "h2",
        ))
        .await
        .unwrap();
    let other = Once {
        token: laptop,
        ..once("r1")
    };
    let f = fields("Once only", "once-only");
    let made = store
        .create_draft_once(f, writer.id, &link(7), Utc::now(), &other)
        .await;
    assert!(
        matches!(made, Ok(CreatedOnce::Created(second)) if second != first),
        "keys are per token: {made:?}"
    );
}

async fn hook(store: &dyn Store, name: &str) -> byline_core::WebhookId {
    store
        .add_webhook(NewWebhook {
            name: name.into(),
            kind: byline_core::integrations::HookKind::Webhook,
            url: "https://hooks.example.com/".into(),
            events: vec![EventKind::StoryPublished, EventKind::StoryCorrected],
            secret: "a-secret-of-sixteen".into(),
            allow_private: false,
            now: Utc::now(),
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn events_are_recorded_with_their_change_and_handed_out_once() {
    let (_site, store) = fresh().await;
    let ed = member(store.as_ref(), "Eve", Role::Editor).await;
    let id = draft(store.as_ref(), &ed, "An event", "an-event").await;
    assert!(
        store.pending_events(10).await.unwrap().is_empty(),
        "a draft is no event"
    );
    publish(store.as_ref(), id).await;
    store
        .add_correction(id, ed.id, "A fix.", Utc::now())
        .await
        .unwrap();
    let events = store.pending_events(10).await.unwrap();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [EventKind::StoryPublished, EventKind::StoryCorrected]
    );
    assert!(events.iter().all(|e| e.subject == id.0));
    let webhook = hook(store.as_ref(), "one").await;
    let deliveries = vec![(webhook, "{}".to_owned())];
    assert!(
        store
            .fan_out(events[0].id, &deliveries, Utc::now())
            .await
            .unwrap()
    );
    assert!(
        !store
            .fan_out(events[0].id, &deliveries, Utc::now())
            .await
            .unwrap(),
        "a second node finds it handed out"
    );
    assert_eq!(store.pending_events(10).await.unwrap().len(), 1);
}

#[tokio::test]
async fn events_nobody_wants_are_skipped_in_bulk_only_while_no_hook_exists() {
    let (_site, store) = fresh().await;
    let ed = member(store.as_ref(), "Ivo", Role::Editor).await;
    for n in 0..5 {
        let id = draft(
            store.as_ref(),
            &ed,
            &format!("Bulk {n}"),
            &format!("bulk-{n}"),
        )
        .await;
        publish(store.as_ref(), id).await;
    }
    assert_eq!(store.pending_events(10).await.unwrap().len(), 5);
    assert_eq!(store.skip_events_nobody_wants(3).await.unwrap(), 3);
    let left = store.pending_events(10).await.unwrap();
    assert_eq!(left.len(), 2, "the oldest three were skipped");
    hook(store.as_ref(), "late").await;
    assert_eq!(
        store.skip_events_nobody_wants(10).await.unwrap(),
        0,
        "a hook wants its events handed out one by one"
    );
    assert_eq!(store.pending_events(10).await.unwrap(), left);
}

#[tokio::test]
async fn a_claim_holds_until_its_lease_ends_and_only_its_holder_records_the_result() {
    let (_site, store) = fresh().await;
    let ed = member(store.as_ref(), "Eli", Role::Editor).await;
    let id = draft(store.as_ref(), &ed, "Leased", "leased").await;
    publish(store.as_ref(), id).await;
    let event = store.pending_events(1).await.unwrap().remove(0);
    let webhook = hook(store.as_ref(), "one").await;
    // Stores keep whole seconds.
    let now = super::at(0);
    store
        .fan_out(event.id, &[(webhook, "{\"a\":1}".to_owned())], now)
        .await
        .unwrap();
    let lease = StdDuration::from_secs(30);
    let first = store
        .claim_webhook_delivery(now, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first.payload, "{\"a\":1}");
    assert!(
        store
            .claim_webhook_delivery(now, lease)
            .await
            .unwrap()
            .is_none(),
        "held"
    );
    assert!(
        !store.resend_webhook_delivery(first.id, now).await.unwrap(),
        "no resend while an attempt is under way"
    );
    // The lease ends (the node died): another node takes it; the first node's late result
    // is not recorded over the second's claim.
    let later = now + Duration::seconds(31);
    let second = store
        .claim_webhook_delivery(later, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.id, first.id);
    assert_eq!(second.attempts, 2);
    let late = AttemptResult::Delivered { status: 200 };
    assert!(
        !store
            .finish_webhook_delivery(&first, late, later)
            .await
            .unwrap()
    );
    let failed = AttemptResult::Failed {
        status: Some(503),
        error: "down".into(),
        retry_at: Some(later + Duration::seconds(20)),
    };
    assert!(
        store
            .finish_webhook_delivery(&second, failed, later)
            .await
            .unwrap()
    );
    assert_eq!(
        store.next_webhook_delivery().await.unwrap(),
        Some(later + Duration::seconds(20))
    );
    assert!(
        store
            .claim_webhook_delivery(later, lease)
            .await
            .unwrap()
            .is_none(),
        "not due"
    );
    assert!(
        store
            .resend_webhook_delivery(second.id, later)
            .await
            .unwrap()
    );
    let third = store
        .claim_webhook_delivery(later, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(third.attempts, 1, "a resend starts the count again");
    let log = store.webhook_deliveries(10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].last_status, Some(503));
    // Nothing pending is forgotten, however old; what is done goes after its time.
    let long_after = later + Duration::days(60);
    store.prune_integrations(long_after).await.unwrap();
    assert_eq!(
        store.webhook_deliveries(10).await.unwrap().len(),
        1,
        "still being tried"
    );
    let done = AttemptResult::Delivered { status: 204 };
    assert!(
        store
            .finish_webhook_delivery(&third, done, later)
            .await
            .unwrap()
    );
    assert_eq!(
        store.prune_integrations(now).await.unwrap(),
        0,
        "too young to forget"
    );
    assert!(store.prune_integrations(long_after).await.unwrap() >= 2);
    assert!(store.webhook_deliveries(10).await.unwrap().is_empty());
    assert!(store.pending_events(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn pictures_and_subscribers_record_their_events_too() {
    let (_site, store) = fresh().await;
    let picture = super::library::photo("ab/cdef.jpg", Some("Agency"));
    let describing = byline_core::library::Describing::Desk;
    let id = store
        .add_picture(&picture, describing, Utc::now())
        .await
        .unwrap();
    let edit = byline_core::library::PictureEdit {
        credit: Some("Desk".into()),
        caption: None,
        alt: None,
        keywords: vec![],
        focus: byline_core::Focus::default(),
    };
    store.edit_picture(id, edit, Utc::now()).await.unwrap();
    let email = Email::parse("reader@example.org").unwrap();
    let signup = byline_core::store::NewSubscriber {
        email: email.clone(),
        source: "/".into(),
        consented_at: Utc::now(),
        ip_hash: None,
    };
    store.add_subscriber(signup).await.unwrap();
    let before = store.pending_events(10).await.unwrap();
    assert_eq!(before.len(), 1, "a pending sign-up is no event");
    store.confirm_subscriber(&email, Utc::now()).await.unwrap();
    let events = store.pending_events(10).await.unwrap();
    let kinds: Vec<EventKind> = events.iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [EventKind::PictureUpdated, EventKind::SubscriberConfirmed]
    );
    assert_eq!(events[0].subject, id.0);
}
