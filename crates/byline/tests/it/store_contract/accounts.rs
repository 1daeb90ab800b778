//! Members, sessions, sign-in reservations and sign-in links.

use byline_core::Email;
use byline_core::access::Role;
use byline_core::accounts::{NewUser, Reservation, SignInLimits};
use byline_core::store::StoreError;
use chrono::{Duration, Utc};

use super::editorial::member;
use super::fresh;

#[tokio::test]
async fn an_address_belongs_to_one_member() {
    let (_site, store) = fresh().await;
    member(store.as_ref(), "Ana", Role::Author).await;
    let again = store
        .create_user(NewUser {
            email: Email::parse("ANA@example.org").unwrap(),
            name: "Another Ana".to_owned(),
            role: Role::Admin,
            password_hash: None,
            created_at: Utc::now(),
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
    assert_eq!(store.user_count().await.unwrap(), 1);
}

#[tokio::test]
async fn sessions_are_found_by_their_hash_and_end_alone_or_all_together() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Editor).await;
    let now = Utc::now();
    for hash in ["h1", "h2"] {
        store
            .create_session(hash, ana.id, "csrf", now)
            .await
            .unwrap();
    }
    let found = store.session("h1").await.unwrap().unwrap();
    assert_eq!((found.user.id, found.csrf_token.as_str()), (ana.id, "csrf"));
    store.delete_session("h1").await.unwrap();
    assert!(store.session("h1").await.unwrap().is_none());
    assert!(store.session("h2").await.unwrap().is_some());
    store.delete_sessions_of(ana.id).await.unwrap();
    assert!(store.session("h2").await.unwrap().is_none());
}

#[tokio::test]
async fn a_disabled_member_loses_every_session_at_once() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Editor).await;
    store
        .create_session("h", ana.id, "csrf", Utc::now())
        .await
        .unwrap();
    assert!(store.set_disabled(ana.id, Some(Utc::now())).await.unwrap());
    assert!(store.session("h").await.unwrap().is_none());
    assert!(store.set_disabled(ana.id, None).await.unwrap());
    let nobody = byline_core::accounts::UserId(ana.id.0 + 1000);
    assert!(!store.set_disabled(nobody, None).await.unwrap());
}

#[tokio::test]
async fn sign_in_reservations_hold_the_limit_under_concurrency() {
    let (_site, store) = fresh().await;
    let limits = SignInLimits::default();
    let now = Utc::now();
    let attempts = (0..25).map(|n| {
        let store = store.clone();
        async move {
            let email = format!("guess{n}@example.org");
            store
                .reserve_sign_in(&email, "192.0.2.7", now, &limits, false)
                .await
                .unwrap()
        }
    });
    let outcomes = futures_join_all(attempts).await;
    let granted = outcomes
        .iter()
        .filter(|r| matches!(r, Reservation::Granted(_)))
        .count();
    assert_eq!(granted as u64, limits.per_address, "{outcomes:?}");
    let later = now + limits.window + Duration::seconds(1);
    let again = store
        .reserve_sign_in("x@example.org", "192.0.2.7", later, &limits, false)
        .await
        .unwrap();
    assert!(
        matches!(again, Reservation::Granted(_)),
        "the window passed: {again:?}"
    );
}

#[tokio::test]
async fn a_sign_in_link_sets_the_password_once_and_not_after_it_expires() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Author).await;
    let now = Utc::now();
    store
        .create_signin_link("once", ana.id, now + Duration::hours(1))
        .await
        .unwrap();
    store
        .create_signin_link("late", ana.id, now + Duration::hours(1))
        .await
        .unwrap();
    store
        .create_session("old", ana.id, "csrf", now)
        .await
        .unwrap();
    let member = store.signin_link_member("once", now).await.unwrap();
    assert_eq!(member.map(|u| u.id), Some(ana.id));
    assert!(
        store
            .signin_link_member("once", now)
            .await
            .unwrap()
            .is_some(),
        "looking keeps it"
    );

    let redeemed = store
        .redeem_signin_link("once", "$argon2id$new", now)
        .await
        .unwrap();
    assert_eq!(redeemed.map(|u| u.id), Some(ana.id));
    let email = Email::parse("ana@example.org").unwrap();
    let (_, hash) = store.user_by_email(&email).await.unwrap().unwrap();
    assert_eq!(hash.as_deref(), Some("$argon2id$new"));
    assert!(
        store.session("old").await.unwrap().is_none(),
        "other sessions ended with it"
    );
    assert!(
        store
            .redeem_signin_link("once", "$argon2id$again", now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .signin_link_member("once", now)
            .await
            .unwrap()
            .is_none()
    );

    let too_late = now + Duration::hours(2);
    assert!(
        store
            .signin_link_member("late", too_late)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .redeem_signin_link("late", "$argon2id$x", too_late)
            .await
            .unwrap()
            .is_none()
    );
    let (_, hash) = store.user_by_email(&email).await.unwrap().unwrap();
    assert_eq!(
        hash.as_deref(),
        Some("$argon2id$new"),
        "an expired link writes nothing"
    );
}

/// Runs the futures concurrently, in order of their answers' positions.
async fn futures_join_all<F>(futures: impl Iterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test]
async fn a_password_is_found_by_address_and_members_list_their_sessions() {
    let (_site, store) = fresh().await;
    let ana = member(store.as_ref(), "Ana", Role::Editor).await;
    let email = Email::parse("ana@example.org").unwrap();
    let (found, hash) = store.user_by_email(&email).await.unwrap().unwrap();
    assert_eq!(
        (found.id, hash),
        (ana.id, None),
        "no password until one is set"
    );
    store
        .set_password(ana.id, "$argon2id$stand-in")
        .await
        .unwrap();
    let (_, hash) = store.user_by_email(&email).await.unwrap().unwrap();
    assert_eq!(hash.as_deref(), Some("$argon2id$stand-in"));
    assert!(
        store
            .user_by_email(&Email::parse("no@example.org").unwrap())
            .await
            .unwrap()
            .is_none()
    );

    let start = Utc::now() - Duration::hours(2);
    store
        .create_session("h1", ana.id, "csrf", start)
        .await
        .unwrap();
    store
        .touch_session("h1", start + Duration::hours(1))
        .await
        .unwrap();
    let session = store.session("h1").await.unwrap().unwrap();
    assert_eq!(session.created_at.timestamp(), start.timestamp());
    assert_eq!(
        session.last_seen_at.timestamp(),
        (start + Duration::hours(1)).timestamp()
    );
    let members = store.members().await.unwrap();
    assert_eq!(members.len(), 1);
    assert_eq!((members[0].user.id, members[0].sessions.len()), (ana.id, 1));
}

#[tokio::test]
async fn a_released_attempt_gives_its_place_back_and_a_success_forgets_the_failures() {
    let (_site, store) = fresh().await;
    let limits = SignInLimits {
        per_address: 2,
        ..SignInLimits::default()
    };
    let now = Utc::now();
    let reserve = |email: &'static str| {
        let store = store.clone();
        async move {
            store
                .reserve_sign_in(email, "192.0.2.9", now, &limits, false)
                .await
                .unwrap()
        }
    };
    let Reservation::Granted(first) = reserve("a@example.org").await else {
        panic!()
    };
    let Reservation::Granted(_) = reserve("a@example.org").await else {
        panic!()
    };
    assert!(matches!(
        reserve("a@example.org").await,
        Reservation::Refused { .. }
    ));
    // The server was too busy to check the first: it does not count.
    store.release_sign_in(first).await.unwrap();
    let Reservation::Granted(third) = reserve("a@example.org").await else {
        panic!()
    };
    // The right password: this address's failures for the account are forgotten.
    store
        .sign_in_succeeded(third, "a@example.org", "192.0.2.9")
        .await
        .unwrap();
    assert!(matches!(
        reserve("a@example.org").await,
        Reservation::Granted(_)
    ));
}
