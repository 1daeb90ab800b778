//! The newsletter's subscribers beyond sign-up: the site's signing secret, confirmation of a
//! pending address (double opt-in) and unsubscription.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::email::Email;
use crate::store::StoreError;

/// What a confirmation link did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfirmOutcome {
    /// The address is now an active subscriber.
    Confirmed,
    /// It already was.
    AlreadyActive,
    /// No pending subscription has this address (it unsubscribed, was erased or bounces).
    NotPending,
}

#[async_trait]
pub trait SubscriberStore: Send + Sync {
    /// The secret newsletter links are signed with: the one stored, or `candidate` (then
    /// stored) when there is none yet; the same on every node.
    async fn newsletter_secret(&self, candidate: &str) -> Result<String, StoreError>;
    /// Makes a pending subscriber active, recording when.
    async fn confirm_subscriber(
        &self,
        email: &Email,
        now: DateTime<Utc>,
    ) -> Result<ConfirmOutcome, StoreError>;
    /// Every subscriber (or those with `status`), by address.
    async fn subscribers(
        &self,
        status: Option<&str>,
    ) -> Result<Vec<crate::store::Subscriber>, StoreError>;
    /// How many subscribers have each status, for every status that has any.
    async fn subscriber_counts(&self) -> Result<Vec<(String, u64)>, StoreError>;
    /// Marks the address unsubscribed; false when it was not subscribed.
    async fn unsubscribe(&self, email: &Email, now: DateTime<Utc>) -> Result<bool, StoreError>;
}

/// A newsletter issue as it goes out: the same words to every subscriber, except the
/// unsubscribe link, which replaces [`UNSUBSCRIBE_MARK`] in both bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueContent {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where each recipient's own unsubscribe URL goes in an issue's bodies.
pub const UNSUBSCRIBE_MARK: &str = "%%UNSUBSCRIBE_URL%%";

/// One claimed delivery: an issue for one address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub issue: i64,
    pub email: Email,
    pub content: IssueContent,
    /// Tries so far, this one included.
    pub attempts: u32,
}

/// How a delivery went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryOutcome {
    Sent,
    /// Refused for good (SMTP 5xx): counts towards marking the address bouncing.
    Refused(String),
    /// Could not be handed over now (down, 4xx): tried again later, up to a limit.
    Deferred(String),
}

/// Deliveries of an issue by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct IssueProgress {
    pub queued: u64,
    pub claimed: u64,
    pub sent: u64,
    pub unknown: u64,
    pub failed: u64,
}

/// The outbox: issues queued once per active subscriber, and their deliveries claimed one at
/// a time, so that a sender that dies at any point never causes a second copy.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Freezes the issue and queues one delivery per active subscriber, in one transaction;
    /// returns the issue's id and how many deliveries were queued.
    async fn queue_issue(
        &self,
        content: &IssueContent,
        now: DateTime<Utc>,
    ) -> Result<(i64, u64), StoreError>;
    /// Takes the next due delivery. A delivery claimed longer ago than `lease` belonged to a
    /// sender that stopped before recording what happened: it becomes `unknown` first, never
    /// queued again.
    async fn claim_delivery(
        &self,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<Option<Delivery>, StoreError>;
    /// Records a claimed delivery's outcome; `bounce_limit` refusals in a row mark the address
    /// bouncing, and a deferral is retried with back-off up to `max_attempts` tries.
    async fn finish_delivery(
        &self,
        delivery: &Delivery,
        outcome: DeliveryOutcome,
        now: DateTime<Utc>,
        limits: (u32, u32),
    ) -> Result<(), StoreError>;
    async fn issue_progress(&self, issue: i64) -> Result<IssueProgress, StoreError>;
}
