//! The newsletter's subscribers beyond sign-up: the site's signing secret, confirmation of a
//! pending address (double opt-in) and unsubscription.

use crate::ids::{DeliveryId, DraftId, IssueId};
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
    /// Marks the address unsubscribed and drops its deliveries still queued; false when it
    /// was not subscribed.
    async fn unsubscribe(&self, email: &Email, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// A page of subscribers, by address, with how many match in all.
    async fn search_subscribers(
        &self,
        query: &SubscriberQuery,
    ) -> Result<(Vec<crate::store::Subscriber>, u64), StoreError>;
    /// Erases the address everywhere (its subscription, consent record and deliveries) and
    /// keeps only `suppression`, a keyed hash of it; false when no subscriber had it.
    async fn erase_subscriber(
        &self,
        email: &Email,
        suppression: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Removes a suppression entry: the reader signed up again and confirmed.
    async fn lift_suppression(&self, suppression: &str) -> Result<(), StoreError>;
    /// How many addresses have been erased (and not come back).
    async fn suppressed_count(&self) -> Result<u64, StoreError>;
}

/// A search of the subscribers: words in the address, a status, a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SubscriberQuery {
    pub search: Option<String>,
    pub status: Option<String>,
    pub limit: u32,
    pub offset: u32,
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
    pub id: DeliveryId,
    pub issue: IssueId,
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

/// How refusals and deferrals are counted: `bounce_limit` refusals in a row mark an address
/// bouncing; a deferred delivery is tried again after `retry_after` × tries², up to
/// `max_attempts` tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryLimits {
    pub bounce_limit: u32,
    pub max_attempts: u32,
    pub retry_after: std::time::Duration,
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
        origin: &str,
        now: DateTime<Utc>,
    ) -> Result<(IssueId, u64), StoreError>;
    /// Takes the next due delivery. A delivery claimed longer ago than `lease` belonged to a
    /// sender that stopped before recording what happened: it becomes `unknown` first, never
    /// queued again.
    async fn claim_delivery(
        &self,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<Option<Delivery>, StoreError>;
    /// Records a claimed delivery's outcome, counting refusals and deferrals by `limits`.
    async fn finish_delivery(
        &self,
        delivery: &Delivery,
        outcome: DeliveryOutcome,
        now: DateTime<Utc>,
        limits: RetryLimits,
    ) -> Result<(), StoreError>;
    async fn issue_progress(&self, issue: IssueId) -> Result<IssueProgress, StoreError>;
}

/// An issue in the outbox, as the admin lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueSummary {
    pub id: IssueId,
    pub subject: String,
    /// Who sent it: an editor's name, or the daily digest.
    pub origin: String,
    /// `sending` or `sent`.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub progress: IssueProgress,
}

/// An issue being written in the admin: a subject, an intro and the stories, in order, by slug.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftInput {
    pub subject: String,
    pub intro: String,
    pub stories: Vec<String>,
    /// The editor who last changed it.
    pub author: String,
}

/// A stored draft; `send_at` is set while it is scheduled, and then its content is frozen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    pub id: DraftId,
    pub input: DraftInput,
    pub updated_at: DateTime<Utc>,
    pub send_at: Option<DateTime<Utc>>,
    /// What goes out, frozen when it was scheduled.
    pub frozen: Option<IssueContent>,
}

/// The newsletter desk: drafts, scheduling, the issues sent, and the daily digest. Every step
/// that turns a draft into an issue removes the draft in the same transaction, so a draft is
/// sent once however often its button is pressed or however many nodes look.
#[async_trait]
pub trait NewsletterDesk: Send + Sync {
    /// Stores a new draft (`id` None) or changes one; a change unschedules it. Returns its id,
    /// or None when the draft no longer exists (it was sent or deleted meanwhile).
    async fn save_draft(
        &self,
        id: Option<DraftId>,
        input: &DraftInput,
        now: DateTime<Utc>,
    ) -> Result<Option<DraftId>, StoreError>;
    async fn draft(&self, id: DraftId) -> Result<Option<Draft>, StoreError>;
    /// Every draft, scheduled ones first by time, then the latest changed.
    async fn drafts(&self) -> Result<Vec<Draft>, StoreError>;
    async fn delete_draft(&self, id: DraftId) -> Result<bool, StoreError>;
    /// Freezes the draft's content to go out at `send_at`; false when it no longer exists.
    async fn schedule_draft(
        &self,
        id: DraftId,
        content: &IssueContent,
        send_at: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    async fn unschedule_draft(&self, id: DraftId) -> Result<bool, StoreError>;
    /// Turns the draft into an issue queued for every active subscriber, now; None when the
    /// draft no longer exists.
    async fn send_draft(
        &self,
        id: DraftId,
        content: &IssueContent,
        now: DateTime<Utc>,
    ) -> Result<Option<(IssueId, u64)>, StoreError>;
    /// Queues every scheduled draft that is due, each as [`NewsletterDesk::send_draft`] does;
    /// returns the issues made.
    async fn release_due_drafts(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(IssueId, u64)>, StoreError>;
    /// The latest issues, newest first, with their deliveries counted.
    async fn issues(&self, limit: u32) -> Result<Vec<IssueSummary>, StoreError>;
    async fn issue(&self, id: IssueId) -> Result<Option<(IssueSummary, IssueContent)>, StoreError>;
    /// Records the digest of `day` (`YYYY-MM-DD`) and, with content, queues it as an issue; a
    /// day with no stories is recorded with none. None when the day was already done.
    async fn queue_digest(
        &self,
        day: &str,
        content: Option<&IssueContent>,
        now: DateTime<Utc>,
    ) -> Result<Option<Option<(IssueId, u64)>>, StoreError>;
    /// Whether the digest of `day` was sent or skipped.
    async fn digest_done(&self, day: &str) -> Result<bool, StoreError>;
    /// The issue's deliveries that failed or whose outcome is unknown, first `limit` of them.
    async fn undelivered(&self, issue: IssueId, limit: u32)
    -> Result<Vec<Undelivered>, StoreError>;
    /// Queues again, at an editor's word, the issue's deliveries of unknown outcome (some may
    /// have arrived: the server took them before their sender died); returns how many.
    async fn requeue_unknown(&self, issue: IssueId, now: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// A delivery that did not go out as it should have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undelivered {
    pub email: String,
    /// `failed` or `unknown`.
    pub state: String,
    pub error: Option<String>,
    pub attempts: u32,
}
