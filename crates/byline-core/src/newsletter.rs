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
