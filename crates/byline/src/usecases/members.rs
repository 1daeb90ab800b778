//! Members: listing, adding, disabling and enabling them, their sessions and sign-in links.

use std::future::Future;

use byline_core::Email;
use byline_core::access::{Ownership, Permission, Role};
use byline_core::accounts::{MemberRecord, NewUser, User, UserId};
use chrono::{DateTime, Duration, Utc};

use super::sessions::{has_members, open_session};
use super::{Actor, Newsroom, Outcome, Refusal};
use crate::secrets::{random_token, token_hash};

/// How long a sign-in link works.
pub const SIGNIN_LINK_HOURS: i64 = 72;

/// A member to add, as whoever adds them gave it.
#[derive(Debug, Clone)]
pub struct NewMember {
    pub email: Email,
    /// Full name, as bylines show it; its spacing is tidied (see [`member_name`]).
    pub name: String,
    pub role: Role,
    /// The password's Argon2id PHC string; `None` for a member who will choose their
    /// password from a sign-in link.
    pub password_hash: Option<String>,
}

/// A one-time sign-in link: `token` goes in the link, the store keeps only its hash.
#[derive(Debug, Clone)]
pub struct SigninLink {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// A name as bylines show it: words separated by single spaces. Refuses an empty one (field
/// `name`). Anyone may call; it reads nothing.
pub fn member_name(raw: &str) -> Outcome<String> {
    let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        return Err(Refusal::invalid("name", "Please enter your name."));
    }
    Ok(name)
}

/// Every member with their live sessions. Needs `ManageUsers`.
pub async fn list_members(nr: &Newsroom, actor: Actor<'_>) -> Outcome<Vec<MemberRecord>> {
    actor.require(Permission::ManageUsers, Ownership::Own)?;
    Ok(nr.store().members().await?)
}

/// Adds a member; an address already in use is the store's conflict. Needs `ManageUsers`
/// (the system has it: `byline user add`).
pub async fn add_member(
    nr: &Newsroom,
    actor: Actor<'_>,
    new: NewMember,
    now: DateTime<Utc>,
) -> Outcome<User> {
    actor.require(Permission::ManageUsers, Ownership::Own)?;
    create(nr, new, now).await
}

async fn create(nr: &Newsroom, new: NewMember, now: DateTime<Utc>) -> Outcome<User> {
    let user = NewUser {
        name: member_name(&new.name)?,
        email: new.email,
        role: new.role,
        password_hash: new.password_hash,
        created_at: now,
    };
    Ok(nr.store().create_user(user).await?)
}

/// Creates the first administrator (an administrator whatever `first.role` says) and signs
/// them in, ending the session the browser presented (`replacing`, its cookie token). Anyone
/// may call who holds the setup token printed at start (the caller checks it), and only while
/// the newsroom has no member: afterwards this is `NotFound`. Returns the member and their
/// session's cookie token.
pub async fn add_first_administrator(
    nr: &Newsroom,
    first: NewMember,
    replacing: Option<&str>,
    now: DateTime<Utc>,
) -> Outcome<(User, String)> {
    if has_members(nr).await? {
        return Err(Refusal::NotFound);
    }
    let admin = NewMember {
        role: Role::Admin,
        ..first
    };
    let user = create(nr, admin, now).await?;
    let token = open_session(nr, user.id, replacing, now).await?;
    Ok((user, token))
}

/// Disables a member: their sessions and sign-in links end and they cannot sign in. Needs
/// `ManageUsers`; no one may disable themselves (field `member`), so the newsroom cannot lose
/// its last way in. `NotFound` when there is no such member.
pub async fn disable_member(
    nr: &Newsroom,
    actor: Actor<'_>,
    member: UserId,
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::ManageUsers, Ownership::Own)?;
    if actor.user_id() == Some(member) {
        return Err(Refusal::invalid(
            "member",
            "You cannot disable your own account.",
        ));
    }
    if !nr.store().set_disabled(member, Some(now)).await? {
        return Err(Refusal::NotFound);
    }
    Ok(())
}

/// Lets a disabled member sign in again. Needs `ManageUsers`; `NotFound` when there is no
/// such member.
pub async fn enable_member(nr: &Newsroom, actor: Actor<'_>, member: UserId) -> Outcome<()> {
    actor.require(Permission::ManageUsers, Ownership::Own)?;
    if !nr.store().set_disabled(member, None).await? {
        return Err(Refusal::NotFound);
    }
    Ok(())
}

/// Ends every session of a member (they sign in again where they want to be). Needs
/// `ManageUsers`.
pub async fn end_member_sessions(nr: &Newsroom, actor: Actor<'_>, member: UserId) -> Outcome<()> {
    actor.require(Permission::ManageUsers, Ownership::Own)?;
    Ok(nr.store().delete_sessions_of(member).await?)
}

/// A one-time link where `member` chooses their password, working for
/// [`SIGNIN_LINK_HOURS`]. Needs `ManageUsers` (the system has it: `byline user add`).
pub async fn create_signin_link(
    nr: &Newsroom,
    actor: Actor<'_>,
    member: UserId,
    now: DateTime<Utc>,
) -> Outcome<SigninLink> {
    actor.require(Permission::ManageUsers, Ownership::Own)?;
    let token = random_token();
    let expires_at = now + Duration::hours(SIGNIN_LINK_HOURS);
    nr.store()
        .create_signin_link(&token_hash(&token), member, expires_at)
        .await?;
    Ok(SigninLink { token, expires_at })
}

/// Uses up the sign-in link `link_token`, sets the password `hash_password` makes (called
/// only once the link proved good), ends the member's other sessions and the one the browser
/// presented (`replacing`), and signs them in. Whoever holds the link may call: it stands for
/// the member. A spent or expired link is `Forbidden`. Returns the member and their new
/// session's cookie token.
pub async fn redeem_signin_link<E, H, HF>(
    nr: &Newsroom,
    link_token: &str,
    hash_password: H,
    replacing: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(User, String), E>
where
    E: From<Refusal>,
    H: FnOnce() -> HF,
    HF: Future<Output = Result<String, E>>,
{
    let store = nr.store();
    let link = token_hash(link_token);
    let spent = || {
        Refusal::Forbidden(
            "This sign-in link has expired or was already used. Ask an administrator for a new one."
                .into(),
        )
    };
    // A link that does not work costs no password hashing; one that does is used up only
    // with the new password, in one transaction (a busy refusal or a crash leaves it live).
    if store
        .signin_link_member(&link, now)
        .await
        .map_err(Refusal::from)?
        .is_none()
    {
        return Err(spent().into());
    }
    let password_hash = hash_password().await?;
    let user = store
        .redeem_signin_link(&link, &password_hash, now)
        .await
        .map_err(Refusal::from)?
        .ok_or_else(spent)?;
    let token = open_session(nr, user.id, replacing, now).await?;
    Ok((user, token))
}
