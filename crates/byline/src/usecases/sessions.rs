//! Signing in and out, and sessions: a member's own operations, or anyone's before signing in.
//!
//! None of these needs a permission: a session is its holder's (whoever presents its cookie
//! token), a sign-in is open to anyone and limited by the store's reservations (decision
//! 0017), and signing out everywhere ends only the member's own sessions.

use std::future::Future;

use byline_core::Email;
use byline_core::accounts::{Reservation, SessionRecord, SignInLimits, User, UserId};
use chrono::{DateTime, Duration, Utc};

use super::{Newsroom, Outcome, Refusal};
use crate::secrets::{random_token, token_hash};

/// How long a session lives: `idle` since it was last used, `absolute` since it began.
#[derive(Debug, Clone, Copy)]
pub struct Lifetime {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Lifetime {
    /// Whether `session` is over at `now`.
    pub fn expired(&self, session: &SessionRecord, now: DateTime<Utc>) -> bool {
        now - session.last_seen_at > self.idle || now - session.created_at > self.absolute
    }
}

/// A sign-in attempt as the form and the request gave it.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    /// The address as typed, trimmed and lower-cased: attempts on an account count by it.
    pub email_key: &'a str,
    /// The client's address as the limits count it.
    pub client: &'a str,
    pub limits: &'a SignInLimits,
    /// The session token the browser presented, if any: it ends when the new one begins.
    pub replacing: Option<&'a str>,
}

/// How a sign-in went.
#[derive(Debug)]
pub enum SignIn {
    /// The password matched: the member, their password hash (for the browser's mark) and
    /// the new session's cookie token.
    SignedIn {
        user: User,
        password_hash: String,
        token: String,
    },
    /// The address and password match no account (the attempt counts as a failure).
    NoMatch,
    /// Too many attempts: none was made, try again after `retry_after`.
    TooMany { retry_after: Duration },
}

/// Whether the newsroom has a member yet (the sign-in and setup pages ask). Anyone may call.
pub async fn has_members(nr: &Newsroom) -> Outcome<bool> {
    Ok(nr.store().user_count().await? > 0)
}

/// Signs in with a password. Anyone may call; the attempt is reserved in the store before the
/// password is checked, so a burst cannot slip past the limits (decision 0017).
///
/// `known_browser(member, password_hash)` tells whether the browser signed in to that account
/// before (asked only for an account with a password). `check(password_hash)` runs the
/// password check and answers whether the password matches; given `None` (no such account,
/// or no password set) it must spend the same time and answer false. When `check` fails
/// (the server is too busy to check), the attempt is released and its error returned.
pub async fn sign_in<E, K, KF, C, CF>(
    nr: &Newsroom,
    attempt: Attempt<'_>,
    known_browser: K,
    check: C,
    now: DateTime<Utc>,
) -> Result<SignIn, E>
where
    E: From<Refusal>,
    K: FnOnce(UserId, String) -> KF,
    KF: Future<Output = Result<bool, E>>,
    C: FnOnce(Option<String>) -> CF,
    CF: Future<Output = Result<bool, E>>,
{
    let account = account_of(nr, attempt.email_key).await?;
    let hash = account.as_ref().and_then(|(_, hash)| hash.clone());
    let known = match (&account, &hash) {
        (Some((user, _)), Some(hash)) => known_browser(user.id, hash.clone()).await?,
        _ => false,
    };
    let store = nr.store();
    let reserved = store
        .reserve_sign_in(
            attempt.email_key,
            attempt.client,
            now,
            attempt.limits,
            known,
        )
        .await
        .map_err(Refusal::from)?;
    let reservation = match reserved {
        Reservation::Granted(reservation) => reservation,
        Reservation::Refused { retry_after } => return Ok(SignIn::TooMany { retry_after }),
    };
    let matched = match check(hash.clone()).await {
        Ok(matched) => matched,
        Err(unchecked) => {
            // Not checked: the attempt does not count against anyone.
            store
                .release_sign_in(reservation)
                .await
                .map_err(Refusal::from)?;
            return Err(unchecked);
        }
    };
    let (Some((user, _)), Some(password_hash), true) = (account, hash, matched) else {
        return Ok(SignIn::NoMatch);
    };
    store
        .sign_in_succeeded(reservation, attempt.email_key, attempt.client)
        .await
        .map_err(Refusal::from)?;
    let token = open_session(nr, user.id, attempt.replacing, now).await?;
    Ok(SignIn::SignedIn {
        user,
        password_hash,
        token,
    })
}

/// The member an address names, with their password hash if set; an address that does not
/// parse names no one.
async fn account_of(nr: &Newsroom, email_key: &str) -> Outcome<Option<(User, Option<String>)>> {
    match Email::parse(email_key) {
        Ok(email) => Ok(nr.store().user_by_email(&email).await?),
        Err(_) => Ok(None),
    }
}

/// Starts a session for `user`, ending the one the browser presented (`replacing`, its cookie
/// token): a fresh token, so that a token planted before sign-in is useless, and a CSRF token
/// bound to it. Returns the new cookie token. For the use cases that have just established
/// who the member is (a password, the setup token, a sign-in link).
pub(super) async fn open_session(
    nr: &Newsroom,
    user: UserId,
    replacing: Option<&str>,
    now: DateTime<Utc>,
) -> Outcome<String> {
    if let Some(old) = replacing {
        nr.store().delete_session(&token_hash(old)).await?;
    }
    let token = random_token();
    nr.store()
        .create_session(&token_hash(&token), user, &random_token(), now)
        .await?;
    Ok(token)
}

/// The live session whose cookie token hashes to `token_hash`, if any. Whoever presents the
/// token may call. An expired session is ended; a used one is marked used at most once a
/// minute.
pub async fn live_session(
    nr: &Newsroom,
    token_hash: &str,
    lifetime: Lifetime,
    now: DateTime<Utc>,
) -> Outcome<Option<SessionRecord>> {
    let Some(session) = nr.store().session(token_hash).await? else {
        return Ok(None);
    };
    if lifetime.expired(&session, now) {
        nr.store().delete_session(token_hash).await?;
        return Ok(None);
    }
    // One write a minute at most, not one per request.
    if now - session.last_seen_at > Duration::seconds(60) {
        nr.store().touch_session(token_hash, now).await?;
    }
    Ok(Some(session))
}

/// Ends the session whose cookie token hashes to `token_hash`. Its holder may call.
pub async fn sign_out(nr: &Newsroom, token_hash: &str) -> Outcome<()> {
    Ok(nr.store().delete_session(token_hash).await?)
}

/// Ends every session of the signed-in member `me`. The member themselves may call.
pub async fn sign_out_everywhere(nr: &Newsroom, me: &User) -> Outcome<()> {
    Ok(nr.store().delete_sessions_of(me.id).await?)
}
