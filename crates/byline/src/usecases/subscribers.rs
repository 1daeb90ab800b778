//! Newsletter subscribers: a reader's own sign-up, confirmation and way out; list, export, erasure.

use byline_core::Email;
use byline_core::access::{Ownership, Permission};
use byline_core::newsletter::{ConfirmOutcome, SubscriberQuery};
use byline_core::store::{NewSubscriber, SubscribeOutcome, Subscriber};
use chrono::{DateTime, Utc};

use super::{Actor, Newsroom, Outcome, Refusal};
use crate::newsletter::token;

/// A page of subscribers and the numbers shown beside it.
#[derive(Debug, Clone)]
pub struct SubscriberPage {
    pub found: Vec<Subscriber>,
    /// How many match the search in all.
    pub total: u64,
    /// How many subscribers have each status.
    pub counts: Vec<(String, u64)>,
    /// How many addresses were erased (and have not come back).
    pub erased: u64,
}

fn require_subscribers(actor: Actor<'_>) -> Outcome<()> {
    actor.require(Permission::ManageSubscribers, Ownership::Own)
}

/// A page of subscribers found by `query`, with the counts. Who may manage subscribers.
pub async fn list(
    nr: &Newsroom,
    actor: Actor<'_>,
    query: &SubscriberQuery,
) -> Outcome<SubscriberPage> {
    require_subscribers(actor)?;
    let store = nr.store();
    let (found, total) = store.search_subscribers(query).await?;
    Ok(SubscriberPage {
        found,
        total,
        counts: store.subscriber_counts().await?,
        erased: store.suppressed_count().await?,
    })
}

/// How many subscribers each status has. Who may manage subscribers.
pub async fn counts(nr: &Newsroom, actor: Actor<'_>) -> Outcome<Vec<(String, u64)>> {
    require_subscribers(actor)?;
    Ok(nr.store().subscriber_counts().await?)
}

/// Every subscriber (or those with `status`), by address, to download. Who may manage
/// subscribers.
pub async fn export(
    nr: &Newsroom,
    actor: Actor<'_>,
    status: Option<&str>,
) -> Outcome<Vec<Subscriber>> {
    require_subscribers(actor)?;
    Ok(nr.store().subscribers(status).await?)
}

/// Erases the address `email` everywhere (GDPR), keeping only its keyed hash under `secret`
/// (the newsletter's); refused unless the address is one (field `email`), the erasure is
/// `confirmed` (field `confirm`) and a subscriber has it (field `email`). Who may manage
/// subscribers.
pub async fn erase(
    nr: &Newsroom,
    actor: Actor<'_>,
    email: &str,
    confirmed: bool,
    secret: &[u8],
    now: DateTime<Utc>,
) -> Outcome<()> {
    require_subscribers(actor)?;
    let address = Email::parse(email)
        .map_err(|e| Refusal::invalid("email", format!("{}: {e}", email.trim())))?;
    if !confirmed {
        return Err(Refusal::invalid(
            "confirm",
            "Tick the box to confirm the erasure: it cannot be undone.",
        ));
    }
    let suppression = token::suppression(secret, &address);
    if !nr
        .store()
        .erase_subscriber(&address, &suppression, now)
        .await?
    {
        return Err(Refusal::invalid(
            "email",
            format!("No subscriber has the address {}.", address.as_str()),
        ));
    }
    Ok(())
}

/// Records a pending subscriber who consented at `now` on the page `source`; the reader's own
/// sign-up (no member acts), with their IP address kept only as `ip_hash`.
pub async fn add_subscriber(
    nr: &Newsroom,
    email: Email,
    source: String,
    ip_hash: Option<String>,
    now: DateTime<Utc>,
) -> Outcome<SubscribeOutcome> {
    let subscriber = NewSubscriber {
        email,
        source,
        consented_at: now,
        ip_hash,
    };
    Ok(nr.store().add_subscriber(subscriber).await?)
}

/// Makes a pending subscriber active. An erased reader who signs up and confirms again has come
/// back of their own accord: the keyed hash of the address (under `secret`) is dropped. The
/// reader's own, through their signed link (no member acts).
pub async fn confirm(
    nr: &Newsroom,
    email: &Email,
    secret: &[u8],
    now: DateTime<Utc>,
) -> Outcome<ConfirmOutcome> {
    let outcome = nr.store().confirm_subscriber(email, now).await?;
    if outcome == ConfirmOutcome::Confirmed {
        let suppression = token::suppression(secret, email);
        nr.store().lift_suppression(&suppression).await?;
    }
    Ok(outcome)
}

/// Unsubscribes the address and drops its queued deliveries; false when it was not
/// subscribed. The reader's own, through their signed link (no member acts).
pub async fn unsubscribe(nr: &Newsroom, email: &Email, now: DateTime<Utc>) -> Outcome<bool> {
    Ok(nr.store().unsubscribe(email, now).await?)
}

/// The secret newsletter links are signed with: the stored one, or `candidate` when there is
/// none yet. Byline's own machinery (no member acts); callers keep it once read.
pub(crate) async fn newsletter_secret(nr: &Newsroom, candidate: &str) -> Outcome<String> {
    Ok(nr.store().newsletter_secret(candidate).await?)
}
