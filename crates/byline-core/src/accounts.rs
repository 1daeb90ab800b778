//! Newsroom accounts and sessions, and the storage contract for them.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::access::Role;
use crate::email::Email;
use crate::store::StoreError;

/// A member's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
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

/// How many password guesses are let through (decision 0017). An address gets `per_address`
/// attempts that fail in `window`, then none until the window moves on. An account that has
/// failed `per_account` times in the window is not locked, since that would let anyone lock any
/// member out: each further attempt on it from a browser that has not signed in to it before
/// waits twice as long as the one before (1 s, 2 s, 4 s … up to `max_spacing`) after the
/// account's last attempt; the member's own browsers are not slowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInLimits {
    pub per_address: u64,
    pub per_account: u64,
    pub window: Duration,
    pub max_spacing: Duration,
}

impl Default for SignInLimits {
    fn default() -> SignInLimits {
        SignInLimits {
            per_address: 10,
            per_account: 10,
            window: Duration::minutes(15),
            max_spacing: Duration::seconds(60),
        }
    }
}

/// The attempts (failed, or in flight) the store holds within the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AttemptCounts {
    pub for_address: u64,
    /// The oldest of the address's, which is the first to leave the window.
    pub oldest_for_address: Option<DateTime<Utc>>,
    pub for_account: u64,
    pub newest_for_account: Option<DateTime<Utc>>,
}

impl SignInLimits {
    /// `None` when an attempt may go ahead now; else how long it must wait. A browser that
    /// signed in to the account before (`known_browser`) is not slowed by the account's
    /// failures, only by its address's: whoever guesses cannot keep the member out.
    pub fn wait(
        &self,
        counts: &AttemptCounts,
        now: DateTime<Utc>,
        known_browser: bool,
    ) -> Option<Duration> {
        if counts.for_address >= self.per_address {
            let frees = counts.oldest_for_address.unwrap_or(now) + self.window;
            return Some((frees - now).max(Duration::seconds(1)));
        }
        if !known_browser && counts.for_account >= self.per_account {
            let beyond = (counts.for_account - self.per_account).min(30) as u32;
            let spacing = Duration::seconds(1i64 << beyond.min(20)).min(self.max_spacing);
            let next = counts.newest_for_account.unwrap_or(now) + spacing;
            if next > now {
                return Some(next - now);
            }
        }
        None
    }
}

/// A sign-in attempt the store let through (its row is the attempt), or how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reservation {
    Granted(crate::ids::AttemptId),
    Refused { retry_after: Duration },
}

/// A member as the members' page shows them.
#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub user: User,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
    /// Their live sessions, newest use first.
    pub sessions: Vec<SessionInfo>,
}

/// One signed-in session, without its token.
#[derive(Debug, Clone, Copy)]
pub struct SessionInfo {
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
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

    /// Counts the attempts on `email` and from `ip` within the window and, when `limits`
    /// allow another, records it before it is checked; one transaction, so attempts sent at
    /// once cannot all read the same count.
    async fn reserve_sign_in(
        &self,
        email: &str,
        ip: &str,
        now: DateTime<Utc>,
        limits: &SignInLimits,
        known_browser: bool,
    ) -> Result<Reservation, StoreError>;
    /// A reserved attempt had the right password: it and the earlier failures of this account
    /// from this address are forgotten (other addresses' failures are not).
    async fn sign_in_succeeded(
        &self,
        attempt: crate::ids::AttemptId,
        email: &str,
        ip: &str,
    ) -> Result<(), StoreError>;
    /// A reserved attempt was never checked (the server was too busy): it does not count.
    async fn release_sign_in(&self, attempt: crate::ids::AttemptId) -> Result<(), StoreError>;

    /// Every member, with their live sessions.
    async fn members(&self) -> Result<Vec<MemberRecord>, StoreError>;
    /// Disables a member (`Some(time)`: their sessions and sign-in links end in the same
    /// transaction) or enables them again (`None`). False when there is no such member.
    async fn set_disabled(
        &self,
        user: UserId,
        at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError>;

    async fn create_signin_link(
        &self,
        token_hash: &str,
        user: UserId,
        expires_at: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The member a sign-in link is for, while it exists, has not expired and its member is
    /// not disabled; the link stays.
    async fn signin_link_member(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
    /// Uses up a live sign-in link in one transaction: its member's password becomes
    /// `password_hash` and their other sessions end. None (and nothing written) when the link
    /// is not live any more.
    async fn redeem_signin_link(
        &self,
        token_hash: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<User>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_stopped_and_an_account_is_slowed() {
        let limits = SignInLimits::default();
        let now = Utc::now();
        let mut counts = AttemptCounts::default();
        assert_eq!(limits.wait(&counts, now, false), None);
        counts.for_address = 10;
        counts.oldest_for_address = Some(now - Duration::minutes(5));
        assert_eq!(
            limits.wait(&counts, now, false),
            Some(Duration::minutes(10))
        );
        assert_eq!(
            limits.wait(&counts, now, true),
            Some(Duration::minutes(10)),
            "an address's limit holds for every browser"
        );
        let account = |n, ago| AttemptCounts {
            for_account: n,
            newest_for_account: Some(now - Duration::seconds(ago)),
            ..AttemptCounts::default()
        };
        assert_eq!(limits.wait(&account(9, 0), now, false), None);
        assert_eq!(
            limits.wait(&account(10, 0), now, false),
            Some(Duration::seconds(1))
        );
        assert_eq!(
            limits.wait(&account(10, 1), now, false),
            None,
            "a second later it goes"
        );
        assert_eq!(
            limits.wait(&account(13, 3), now, false),
            Some(Duration::seconds(5))
        );
        assert_eq!(
            limits.wait(&account(500, 0), now, false),
            Some(Duration::seconds(60)),
            "never more than the longest spacing"
        );
        assert_eq!(
            limits.wait(&account(500, 0), now, true),
            None,
            "the member's own browser is not slowed"
        );
    }
}
