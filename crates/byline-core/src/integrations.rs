//! What other programs use: API tokens, idempotent creates, the event log and the webhooks
//! that carry it, and the storage contract for them.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::access::Role;
use crate::accounts::{User, UserId};
use crate::editorial::{PreviewLink, StoryFields};
use crate::email::Email;
use crate::ids::{EventId, StoryId, TokenId, WebhookDeliveryId, WebhookId};
use crate::store::StoreError;

/// What an API token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// A member's own token: acts as the member, with at most the member's role.
    Personal,
    /// A program's token (an app, a partner's feed, a script): acts as its own account, which
    /// no one signs in to.
    Integration,
    /// A content key: reads the public Content API only, counted against its own limit.
    Content,
}

impl TokenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Personal => "personal",
            TokenKind::Integration => "integration",
            TokenKind::Content => "content",
        }
    }

    pub fn parse(text: &str) -> Option<TokenKind> {
        [
            TokenKind::Personal,
            TokenKind::Integration,
            TokenKind::Content,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// Whose a new token is.
#[derive(Debug, Clone)]
pub enum TokenOwner {
    /// An existing member's personal token.
    Member(UserId),
    /// A new integration, with its own account made in the same transaction.
    NewIntegration { email: Email },
    /// A content key, which acts as no one.
    Nobody,
}

/// A token to store: only the SHA-256 of the secret is kept.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub name: String,
    pub kind: TokenKind,
    pub owner: TokenOwner,
    /// The role the token acts with (none for a content key).
    pub role: Option<Role>,
    pub hash: String,
    pub now: DateTime<Utc>,
}

/// A token as the admin and `byline token list` show it (never its secret).
#[derive(Debug, Clone, Serialize)]
pub struct TokenRecord {
    pub id: TokenId,
    pub name: String,
    pub kind: TokenKind,
    pub role: Option<Role>,
    /// The account it acts as: the member, or the integration's own.
    pub acts_as: Option<String>,
    pub user: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Who presents a live token: the account it acts as, with the role the token allows (never
/// more than the account's own).
#[derive(Debug, Clone)]
pub struct TokenHolder {
    pub token: TokenId,
    pub name: String,
    pub kind: TokenKind,
    pub user: Option<User>,
}

/// A create that may be retried: the token that asked, the client's key and a digest of the
/// request, so a retry gets the first answer and a different request under the same key is
/// refused.
#[derive(Debug, Clone)]
pub struct Once {
    pub token: TokenId,
    pub key: String,
    pub request: String,
}

/// What an idempotent create did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreatedOnce<T> {
    Created(T),
    /// The key was used before for the same request: what it made then.
    Before(T),
    /// The key was used before for a different request (or another kind of create): nothing
    /// was made.
    Mismatch,
}

/// Something that happened in the newsroom that integrations may subscribe to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum EventKind {
    #[serde(rename = "story.published")]
    StoryPublished,
    #[serde(rename = "story.updated")]
    StoryUpdated,
    #[serde(rename = "story.unpublished")]
    StoryUnpublished,
    #[serde(rename = "story.corrected")]
    StoryCorrected,
    #[serde(rename = "picture.updated")]
    PictureUpdated,
    #[serde(rename = "subscriber.confirmed")]
    SubscriberConfirmed,
    #[serde(rename = "newsletter.sent")]
    NewsletterSent,
}

impl<T> CreatedOnce<T> {
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> CreatedOnce<U> {
        match self {
            CreatedOnce::Created(t) => CreatedOnce::Created(f(t)),
            CreatedOnce::Before(t) => CreatedOnce::Before(f(t)),
            CreatedOnce::Mismatch => CreatedOnce::Mismatch,
        }
    }
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::StoryPublished,
        EventKind::StoryUpdated,
        EventKind::StoryUnpublished,
        EventKind::StoryCorrected,
        EventKind::PictureUpdated,
        EventKind::SubscriberConfirmed,
        EventKind::NewsletterSent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::StoryPublished => "story.published",
            EventKind::StoryUpdated => "story.updated",
            EventKind::StoryUnpublished => "story.unpublished",
            EventKind::StoryCorrected => "story.corrected",
            EventKind::PictureUpdated => "picture.updated",
            EventKind::SubscriberConfirmed => "subscriber.confirmed",
            EventKind::NewsletterSent => "newsletter.sent",
        }
    }

    pub fn parse(text: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// What a story's change of visibility is to readers: published, updated or taken down;
    /// none when it was and is not public.
    pub fn of_story(was_public: bool, is_public: bool) -> Option<EventKind> {
        match (was_public, is_public) {
            (false, true) => Some(EventKind::StoryPublished),
            (true, true) => Some(EventKind::StoryUpdated),
            (true, false) => Some(EventKind::StoryUnpublished),
            (false, false) => None,
        }
    }
}

/// One entry of the event log: what happened, to which object (a story, picture, subscriber
/// or newsletter issue id), and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: EventId,
    pub kind: EventKind,
    pub subject: i64,
    pub at: DateTime<Utc>,
}

/// A webhook to add.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub name: String,
    pub kind: HookKind,
    pub url: String,
    pub events: Vec<EventKind>,
    pub secret: String,
    /// Whether the URL may name a loopback, link-local or private address.
    pub allow_private: bool,
    pub now: DateTime<Utc>,
}

/// How a webhook's deliveries travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HookKind {
    /// A JSON body, signed as Standard Webhooks describes.
    Webhook,
    /// A WebSub publish notice (`hub.mode=publish` with the changed feeds' URLs), for the hubs
    /// and endpoints of `[seo] ping_urls`.
    WebSub,
}

impl HookKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HookKind::Webhook => "webhook",
            HookKind::WebSub => "websub",
        }
    }

    pub fn parse(text: &str) -> Option<HookKind> {
        [HookKind::Webhook, HookKind::WebSub]
            .into_iter()
            .find(|k| k.as_str() == text)
    }
}

/// A webhook as stored.
#[derive(Debug, Clone, Serialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub name: String,
    pub kind: HookKind,
    pub url: String,
    pub events: Vec<EventKind>,
    #[serde(skip)]
    pub secret: String,
    pub allow_private: bool,
    pub created_at: DateTime<Utc>,
}

impl Webhook {
    pub fn wants(&self, kind: EventKind) -> bool {
        self.events.contains(&kind)
    }
}

/// Where a delivery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for its (next) attempt.
    Pending,
    Delivered,
    /// Given up after the last attempt; the delivery log can send it again.
    Failed,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<DeliveryState> {
        [
            DeliveryState::Pending,
            DeliveryState::Delivered,
            DeliveryState::Failed,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// One event's delivery to one webhook, with the exact body every attempt sends.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookDelivery {
    pub id: WebhookDeliveryId,
    pub webhook: WebhookId,
    pub webhook_name: String,
    /// How the delivery travels: its webhook's kind.
    pub hook_kind: HookKind,
    pub event: EventId,
    pub kind: EventKind,
    #[serde(skip)]
    pub url: String,
    #[serde(skip)]
    pub secret: String,
    #[serde(skip)]
    pub allow_private: bool,
    #[serde(skip)]
    pub payload: String,
    pub state: DeliveryState,
    pub attempts: u32,
    pub next_at: DateTime<Utc>,
    pub last_status: Option<u16>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Until when the node that claimed it holds it (none when no one does).
    #[serde(skip)]
    pub claimed_until: Option<DateTime<Utc>>,
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub enum AttemptResult {
    /// The receiver answered 2xx.
    Delivered { status: u16 },
    /// No 2xx: try again at `retry_at`, or give up when there is none.
    Failed {
        status: Option<u16>,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    },
}

/// How many attempts a delivery gets before it is given up (the delivery log can resend it).
pub const WEBHOOK_ATTEMPTS: u32 = 16;

/// When the attempt after `attempts` failed ones goes, or `None` when none is left: waits of
/// 10 s doubling to at most 6 h (about 29 h in all), so a receiver down for a day still gets
/// every event.
pub fn next_webhook_attempt(attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if attempts >= WEBHOOK_ATTEMPTS {
        return None;
    }
    let wait = 10i64.saturating_mul(1i64 << attempts.saturating_sub(1).min(20));
    Some(now + Duration::seconds(wait.min(6 * 3600)))
}

/// Where a page of the Content API's story list starts: after the story with this time (its
/// publication time, or its last change when the list follows changes) and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct After {
    pub time: DateTime<Utc>,
    pub id: StoryId,
}

/// One page of public stories for the Content API: newest published first, or, with
/// `changed_since`, oldest change first (so that a client following changes never misses one).
#[derive(Debug, Clone)]
pub struct PublicQuery {
    pub listing: crate::store::Listing,
    pub changed_since: Option<DateTime<Utc>>,
    pub after: Option<After>,
    pub limit: u32,
    pub now: DateTime<Utc>,
}

/// The storage of tokens, idempotent creates, events and webhook deliveries. Every method is
/// one transaction.
#[async_trait]
pub trait IntegrationStore: Send + Sync {
    /// Stores a token (and an integration's account); a name in use is a conflict.
    async fn add_token(&self, token: NewToken) -> Result<TokenId, StoreError>;
    /// The holder of the live token with this hash: none when it is unknown or revoked, or
    /// its account is disabled. Notes its use (at most once a minute).
    async fn token_holder(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<TokenHolder>, StoreError>;
    async fn tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;
    /// Revokes the live token of this name; false when there is none.
    async fn revoke_token(&self, name: &str, now: DateTime<Utc>) -> Result<bool, StoreError>;
    /// Creates a draft as `create_draft` does, once per idempotency key.
    async fn create_draft_once(
        &self,
        fields: StoryFields,
        user: UserId,
        preview: &PreviewLink,
        now: DateTime<Utc>,
        once: &Once,
    ) -> Result<CreatedOnce<StoryId>, StoreError>;
    /// Creates a newsletter draft as `save_draft(None, …)` does, once per idempotency key.
    async fn create_newsletter_draft_once(
        &self,
        input: &crate::newsletter::DraftInput,
        now: DateTime<Utc>,
        once: &Once,
    ) -> Result<CreatedOnce<crate::ids::DraftId>, StoreError>;

    /// A page of public stories, whole, and whether more follow.
    async fn public_stories(
        &self,
        query: &PublicQuery,
    ) -> Result<(Vec<crate::story::Story>, bool), StoreError>;
    /// Tags of stories public at `now`, with how many such stories each has, by name.
    async fn public_tags(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(crate::story::Tag, u64)>, StoreError>;
    /// Authors of stories public at `now`, with how many such stories each has, by name.
    async fn public_authors(
        &self,
        now: DateTime<Utc>,
    ) -> Result<Vec<(crate::story::Author, u64)>, StoreError>;
    /// The story with this id, as readers would see it (whatever its status: the caller checks).
    async fn story_by_id(&self, id: StoryId) -> Result<Option<crate::story::Story>, StoreError>;

    /// Adds a webhook; a name in use is a conflict.
    async fn add_webhook(&self, hook: NewWebhook) -> Result<WebhookId, StoreError>;
    async fn webhooks(&self) -> Result<Vec<Webhook>, StoreError>;
    /// Removes a webhook and its pending deliveries; false when there is none of that name.
    async fn remove_webhook(&self, name: &str) -> Result<bool, StoreError>;

    /// The oldest events not yet handed to the webhooks, at most `limit`.
    async fn pending_events(&self, limit: u32) -> Result<Vec<Event>, StoreError>;
    /// Marks events no webhook wants as handed out, all in one transaction (a bulk import's
    /// thousands of events cost one commit per batch, not one each).
    async fn fan_out_unwanted(&self, events: &[EventId]) -> Result<(), StoreError>;
    /// Marks the oldest `limit` waiting events as handed out in one statement, but only while
    /// no webhook or WebSub subscription exists at all (checked in that same statement, so a
    /// hook added meanwhile still gets every later event); how many were marked.
    async fn skip_events_nobody_wants(&self, limit: u32) -> Result<u64, StoreError>;
    /// Hands one event to its webhooks: one delivery per `(webhook, body)`, due at `now`. Does
    /// nothing and answers false when another node did it first.
    async fn fan_out(
        &self,
        event: EventId,
        deliveries: &[(WebhookId, String)],
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// Takes the next due delivery for an attempt, for `lease`: a node that dies mid-attempt
    /// leaves it to be taken again when the lease ends (so a receiver may see it twice, with
    /// the same event id).
    async fn claim_webhook_delivery(
        &self,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<Option<WebhookDelivery>, StoreError>;
    /// Records an attempt's result, if the claim it was made under still holds (a node whose
    /// lease ran out, or whose delivery was sent again meanwhile, records nothing): false then.
    async fn finish_webhook_delivery(
        &self,
        delivery: &WebhookDelivery,
        result: AttemptResult,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// The newest deliveries, newest first, for the delivery log.
    async fn webhook_deliveries(&self, limit: u32) -> Result<Vec<WebhookDelivery>, StoreError>;
    /// Sends a delivery again at `now`, whatever its state, unless an attempt of it is under
    /// way; false when there is no such delivery or it is being sent.
    async fn resend_webhook_delivery(
        &self,
        id: WebhookDeliveryId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;
    /// When the next pending delivery is due, if any.
    async fn next_webhook_delivery(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    /// Forgets what is done and older than `before`: deliveries delivered or given up, events
    /// handed out with no delivery left, idempotency keys. Returns how many rows went.
    async fn prune_integrations(&self, before: DateTime<Utc>) -> Result<u64, StoreError>;
}

/// How long finished deliveries, handed-out events and idempotency keys are kept.
pub const INTEGRATIONS_KEPT_DAYS: i64 = 30;

#[cfg(test)]
#[path = "integrations_tests.rs"]
mod tests;
