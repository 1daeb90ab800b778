//! Newsroom accounts and sessions, and the storage contract for them.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::access::Role;
use crate::email::Email;
use crate::store::StoreError;

/// A member's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct UserId(pub i64);

/// A newsroom member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub name: String,
    pub role: Role,
}

/// A member to create. The password hash is made by the application (Argon2id).
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A signed-in session as stored, found by the hash of its cookie token.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
}

/// Failed sign-ins counted for rate limiting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailureCounts {
    pub for_email: u64,
    pub for_ip: u64,
}

/// Accounts, sessions and sign-in links. Every method is one transaction.
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Creates a member; an address already in use is a `Conflict`.
    async fn create_user(&self, user: NewUser) -> Result<User, StoreError>;
    async fn user_count(&self) -> Result<u64, StoreError>;
    /// The member with this address and their password hash, if they have set one.
    async fn user_by_email(
        &self,
        email: &Email,
    ) -> Result<Option<(User, Option<String>)>, StoreError>;
    async fn set_password(&self, user: UserId, password_hash: &str) -> Result<(), StoreError>;

    async fn create_session(
        &self,
        token_hash: &str,
        user: UserId,
        csrf_token: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>, StoreError>;
    async fn touch_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError>;
    async fn delete_session(&self, token_hash: &str) -> Result<(), StoreError>;
    /// Signs the member out everywhere.
    async fn delete_sessions_of(&self, user: UserId) -> Result<(), StoreError>;

    async fn record_login_failure(
        &self,
        email: &str,
        ip: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn login_failures_since(
        &self,
        email: &str,
        ip: &str,
        since: DateTime<Utc>,
    ) -> Result<FailureCounts, StoreError>;
    async fn clear_login_failures(&self, email: &str) -> Result<(), StoreError>;

    async fn create_signin_link(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Uses up a sign-in link: returns its member when it exists and has not expired.
    async fn take_signin_link(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
}
