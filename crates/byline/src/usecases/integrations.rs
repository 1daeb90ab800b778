//! What other programs may do and see: API tokens, webhooks and their delivery log, and the
//! event log the webhooks carry. Managing them needs `ManageSettings`; a member may make a
//! personal token for themselves, never with more than their own role.

use byline_core::access::{Ownership, Permission, Role};
use byline_core::integrations::{
    AttemptResult, Event, EventKind, HookKind, NewToken, NewWebhook, TokenHolder, TokenKind,
    TokenOwner, TokenRecord, Webhook, WebhookDelivery,
};
use byline_core::{Email, EventId, Slug, Story, StoryId, WebhookDeliveryId, WebhookId};
use chrono::{DateTime, Utc};

use super::{Actor, Newsroom, Outcome, Refusal};

/// Live personal tokens a member may hold.
pub const MAX_PERSONAL_TOKENS: usize = 20;

/// Every token starts so, which lets secret scanners find a leaked one.
pub const TOKEN_PREFIX: &str = "byl_";

/// A token to make.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub name: String,
    pub kind: TokenKind,
    /// The role it acts with; a personal token without one takes its member's.
    pub role: Option<Role>,
    /// For a personal token made by the system (the command line): whose it is.
    pub member: Option<Email>,
}

/// A new token's secret, shown once: only its SHA-256 is kept.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub name: String,
    pub secret: String,
}

fn check_name(field: &'static str, raw: &str) -> Outcome<String> {
    let name = raw.trim();
    if name.is_empty() || name.chars().count() > 80 || name.chars().any(char::is_control) {
        return Err(Refusal::invalid(
            field,
            "A name is 1 to 80 characters, without control characters.",
        ));
    }
    Ok(name.to_owned())
}

/// Makes a token and returns its secret, once.
pub async fn issue_token(
    nr: &Newsroom,
    actor: Actor<'_>,
    request: TokenRequest,
    now: DateTime<Utc>,
) -> Outcome<IssuedToken> {
    let name = check_name("name", &request.name)?;
    let (owner, role) = match request.kind {
        TokenKind::Personal => personal_owner(nr, actor, &request).await?,
        TokenKind::Integration => {
            actor.require(Permission::ManageSettings, Ownership::Own)?;
            let role = request
                .role
                .ok_or_else(|| Refusal::invalid("role", "An integration's token needs a role."))?;
            let slug = Slug::derive(&name).ok_or_else(|| {
                Refusal::invalid("name", "A name needs at least one letter or digit.")
            })?;
            let email = Email::parse(&format!("{slug}@integrations.invalid"))
                .map_err(|_| Refusal::invalid("name", "This name is too long for an account."))?;
            (TokenOwner::NewIntegration { email }, Some(role))
        }
        TokenKind::Content => {
            actor.require(Permission::ManageSettings, Ownership::Own)?;
            (TokenOwner::Nobody, None)
        }
    };
    let secret = format!("{TOKEN_PREFIX}{}", crate::secrets::random_token());
    let token = NewToken {
        name: name.clone(),
        kind: request.kind,
        owner,
        role,
        hash: crate::secrets::token_hash(&secret),
        now,
    };
    nr.store().add_token(token).await.map_err(|e| match e {
        byline_core::store::StoreError::Conflict(_) => {
            Refusal::invalid("name", "That name is taken; choose another.")
        }
        other => other.into(),
    })?;
    tracing::info!(
        token = name,
        kind = request.kind.as_str(),
        role = role.map(Role::as_str),
        by = actor.user_id().map(|u| u.0),
        "token issued"
    );
    Ok(IssuedToken { name, secret })
}

/// Whose a personal token is and its role: the acting member's own (or, for the system, the
/// member named), with at most that member's role.
async fn personal_owner(
    nr: &Newsroom,
    actor: Actor<'_>,
    request: &TokenRequest,
) -> Outcome<(TokenOwner, Option<Role>)> {
    let member = match (actor.member(), &request.member) {
        (Some(me), None) => me.clone(),
        (Some(me), Some(email)) if *email == me.email => me.clone(),
        (Some(_), Some(_)) => {
            return Err(Refusal::Forbidden(
                "A personal token is made by its own member.".into(),
            ));
        }
        (None, Some(email)) => {
            nr.store()
                .user_by_email(email)
                .await?
                .ok_or_else(|| {
                    Refusal::invalid("member", format!("No member signs in as {email}."))
                })?
                .0
        }
        (None, None) => {
            return Err(Refusal::invalid(
                "member",
                "A personal token belongs to a member: name one.",
            ));
        }
    };
    let live = nr
        .store()
        .tokens()
        .await?
        .iter()
        .filter(|t| t.user == Some(member.id) && t.revoked_at.is_none())
        .count();
    if live >= MAX_PERSONAL_TOKENS {
        return Err(Refusal::invalid(
            "name",
            format!("A member has at most {MAX_PERSONAL_TOKENS} live tokens; revoke one first."),
        ));
    }
    let role = request.role.unwrap_or(member.role);
    if role > member.role {
        return Err(Refusal::invalid(
            "role",
            format!(
                "{} is a {}; their token cannot act as a {}.",
                member.name,
                member.role.as_str(),
                role.as_str()
            ),
        ));
    }
    Ok((TokenOwner::Member(member.id), Some(role)))
}

/// Every token, live and revoked (never their secrets).
pub async fn tokens(nr: &Newsroom, actor: Actor<'_>) -> Outcome<Vec<TokenRecord>> {
    actor.require(Permission::ManageSettings, Ownership::Own)?;
    Ok(nr.store().tokens().await?)
}

/// Revokes the live token called `name`: it stops working at once, on every node.
pub async fn revoke_token(
    nr: &Newsroom,
    actor: Actor<'_>,
    name: &str,
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::ManageSettings, Ownership::Own)?;
    if !nr.store().revoke_token(name.trim(), now).await? {
        return Err(Refusal::NotFound);
    }
    tracing::info!(
        token = name,
        by = actor.user_id().map(|u| u.0),
        "token revoked"
    );
    Ok(())
}

/// The acting member's own personal tokens, live and revoked.
pub async fn my_tokens(nr: &Newsroom, actor: Actor<'_>) -> Outcome<Vec<TokenRecord>> {
    let me = actor.user_id().ok_or(Refusal::NotFound)?;
    let all = nr.store().tokens().await?;
    Ok(all
        .into_iter()
        .filter(|t| t.kind == TokenKind::Personal && t.user == Some(me))
        .collect())
}

/// Revokes one of the acting member's own personal tokens.
pub async fn revoke_my_token(
    nr: &Newsroom,
    actor: Actor<'_>,
    name: &str,
    now: DateTime<Utc>,
) -> Outcome<()> {
    let mine = my_tokens(nr, actor).await?;
    if !mine
        .iter()
        .any(|t| t.name == name.trim() && t.revoked_at.is_none())
    {
        return Err(Refusal::NotFound);
    }
    if !nr.store().revoke_token(name.trim(), now).await? {
        return Err(Refusal::NotFound);
    }
    tracing::info!(
        token = name,
        by = actor.user_id().map(|u| u.0),
        "personal token revoked"
    );
    Ok(())
}

/// Who presents `secret`, if it is a live token of a member who may sign in.
pub async fn token_holder(
    nr: &Newsroom,
    secret: &str,
    now: DateTime<Utc>,
) -> Outcome<Option<TokenHolder>> {
    // A string that cannot be a token costs no query.
    let well_formed = secret.len() == TOKEN_PREFIX.len() + 64
        && secret.starts_with(TOKEN_PREFIX)
        && secret[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit());
    if !well_formed {
        return Ok(None);
    }
    let hash = crate::secrets::token_hash(secret);
    Ok(nr.store().token_holder(&hash, now).await?)
}

/// A webhook to add.
#[derive(Debug, Clone)]
pub struct WebhookRequest {
    pub name: String,
    pub url: String,
    pub events: Vec<String>,
    pub secret: String,
    pub allow_private: bool,
}

/// Adds a webhook after checking its URL, events and secret. A URL naming a loopback,
/// link-local or private address is refused unless `allow_private` (hosts named by DNS are
/// checked again at every delivery).
pub async fn add_webhook(
    nr: &Newsroom,
    actor: Actor<'_>,
    request: WebhookRequest,
    now: DateTime<Utc>,
) -> Outcome<WebhookId> {
    actor.require(Permission::ManageSettings, Ownership::Own)?;
    let name = check_name("name", &request.name)?;
    let target = crate::webhooks::Target::parse(request.url.trim())
        .map_err(|why| Refusal::invalid("url", why))?;
    if !request.allow_private && target.names_private_address() {
        return Err(Refusal::invalid(
            "url",
            "This URL names a loopback, link-local or private address; allow private addresses \
             for this webhook if that is meant.",
        ));
    }
    let events = event_kinds(&request.events)?;
    if request.secret.len() < 16 || request.secret.len() > 256 {
        return Err(Refusal::invalid(
            "secret",
            "A signing secret is 16 to 256 characters.",
        ));
    }
    let hook = NewWebhook {
        name: name.clone(),
        kind: HookKind::Webhook,
        url: request.url.trim().to_owned(),
        events,
        secret: request.secret,
        allow_private: request.allow_private,
        now,
    };
    let id = nr.store().add_webhook(hook).await.map_err(|e| match e {
        byline_core::store::StoreError::Conflict(why) => Refusal::invalid("name", why),
        other => other.into(),
    })?;
    tracing::info!(
        webhook = name,
        by = actor.user_id().map(|u| u.0),
        "webhook added"
    );
    Ok(id)
}

/// Keeps the WebSub hooks equal to `[seo] ping_urls`: one per URL, told when a story is
/// published or corrected; hooks for URLs no longer configured are removed with their
/// pending notices. A URL that names a private address (a hub on the newsroom's own network)
/// may reach it; any other is reached through the public-only resolver, like a webhook. Logs
/// name the host only: a hub's URL may carry a key.
pub async fn keep_websub_hooks(nr: &Newsroom, urls: &[String], now: DateTime<Utc>) -> Outcome<()> {
    let hooks = nr.store().webhooks().await?;
    let present: Vec<&Webhook> = hooks
        .iter()
        .filter(|h| h.kind == HookKind::WebSub)
        .collect();
    for hook in present.iter().filter(|h| !urls.contains(&h.url)) {
        nr.store().remove_webhook(&hook.name).await?;
        tracing::info!(hub = host_of(&hook.url), "WebSub hub no longer told");
    }
    for url in urls
        .iter()
        .filter(|u| !present.iter().any(|h| &h.url == *u))
    {
        let target = crate::webhooks::Target::parse(url)
            .map_err(|why| Refusal::invalid("ping_urls", why))?;
        let name = format!("websub-{}", &crate::secrets::token_hash(url)[..12]);
        let hook = NewWebhook {
            name: name.clone(),
            kind: HookKind::WebSub,
            url: url.clone(),
            events: vec![EventKind::StoryPublished, EventKind::StoryCorrected],
            // WebSub notices are not signed; the column wants a value no one can guess.
            secret: crate::secrets::random_token(),
            allow_private: target.names_private_address(),
            now,
        };
        match nr.store().add_webhook(hook).await {
            Ok(_) => tracing::info!(
                hub = host_of(url),
                "WebSub hub told of publications and corrections"
            ),
            // Another node starting at the same time added it, or a webhook took its name.
            Err(byline_core::store::StoreError::Conflict(_)) => {
                let ours = nr
                    .store()
                    .webhooks()
                    .await?
                    .into_iter()
                    .any(|h| h.name == name && h.kind == HookKind::WebSub && &h.url == url);
                if !ours {
                    tracing::warn!(
                        hub = host_of(url),
                        webhook = name,
                        "a webhook of that name is in the way: this hub is not told"
                    );
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    Ok(())
}

/// The host of a URL, for logs.
fn host_of(url: &str) -> String {
    crate::webhooks::Target::parse(url).map_or_else(|_| "?".to_owned(), |t| t.host())
}

/// The events named, each once; at least one, and every one known.
fn event_kinds(names: &[String]) -> Outcome<Vec<EventKind>> {
    let mut events = Vec::new();
    for name in names.iter().map(|e| e.trim()).filter(|e| !e.is_empty()) {
        let kind = EventKind::parse(name).ok_or_else(|| {
            let known: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
            Refusal::invalid(
                "events",
                format!(
                    "There is no event \"{name}\"; the events are {}.",
                    known.join(", ")
                ),
            )
        })?;
        if !events.contains(&kind) {
            events.push(kind);
        }
    }
    if events.is_empty() {
        return Err(Refusal::invalid("events", "Choose at least one event."));
    }
    Ok(events)
}

pub async fn webhooks(nr: &Newsroom, actor: Actor<'_>) -> Outcome<Vec<Webhook>> {
    actor.require(Permission::ManageSettings, Ownership::Own)?;
    Ok(nr.store().webhooks().await?)
}

/// Removes a webhook; its pending deliveries go with it.
pub async fn remove_webhook(nr: &Newsroom, actor: Actor<'_>, name: &str) -> Outcome<()> {
    actor.require(Permission::ManageSettings, Ownership::Own)?;
    if !nr.store().remove_webhook(name.trim()).await? {
        return Err(Refusal::NotFound);
    }
    tracing::info!(webhook = name, "webhook removed");
    Ok(())
}

/// The delivery log, newest first.
pub async fn deliveries(
    nr: &Newsroom,
    actor: Actor<'_>,
    limit: u32,
) -> Outcome<Vec<WebhookDelivery>> {
    actor.require(Permission::ManageSettings, Ownership::Own)?;
    Ok(nr.store().webhook_deliveries(limit.min(500)).await?)
}

/// Sends a delivery again, with the same event id and body.
pub async fn resend(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: WebhookDeliveryId,
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::ManageSettings, Ownership::Own)?;
    if !nr.store().resend_webhook_delivery(id, now).await? {
        return Err(Refusal::invalid(
            "delivery",
            "There is no such delivery, or it is being sent right now.",
        ));
    }
    Ok(())
}

/// The events no node has handed to the webhooks yet (for the system's dispatcher).
pub async fn pending_events(nr: &Newsroom, limit: u32) -> Outcome<Vec<Event>> {
    Ok(nr.store().pending_events(limit).await?)
}

/// A story as an event reports it (whatever its status now).
pub async fn story_of_event(nr: &Newsroom, id: StoryId) -> Outcome<Option<Story>> {
    Ok(nr.store().story_by_id(id).await?)
}

/// Marks events that no webhook wants as handed out, in one transaction.
pub async fn fan_out_unwanted(nr: &Newsroom, events: &[EventId]) -> Outcome<()> {
    Ok(nr.store().fan_out_unwanted(events).await?)
}

/// Marks up to `limit` waiting events as handed out when no webhook exists at all (after a
/// bulk import, thousands in one statement); how many.
pub async fn skip_events_nobody_wants(nr: &Newsroom, limit: u32) -> Outcome<u64> {
    Ok(nr.store().skip_events_nobody_wants(limit).await?)
}

/// Hands an event to its webhooks with their bodies; false when another node did.
pub async fn fan_out(
    nr: &Newsroom,
    event: &Event,
    deliveries: &[(WebhookId, String)],
    now: DateTime<Utc>,
) -> Outcome<bool> {
    Ok(nr.store().fan_out(event.id, deliveries, now).await?)
}

/// The next due delivery, held by this node for `lease`.
pub async fn claim_delivery(
    nr: &Newsroom,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Outcome<Option<WebhookDelivery>> {
    Ok(nr.store().claim_webhook_delivery(now, lease).await?)
}

/// Records an attempt's result; false when this node's claim had ended (another node or a
/// resend took the delivery over).
pub async fn finish_delivery(
    nr: &Newsroom,
    delivery: &WebhookDelivery,
    result: AttemptResult,
    now: DateTime<Utc>,
) -> Outcome<bool> {
    Ok(nr
        .store()
        .finish_webhook_delivery(delivery, result, now)
        .await?)
}

/// When the next pending delivery is due.
pub async fn next_delivery(nr: &Newsroom) -> Outcome<Option<DateTime<Utc>>> {
    Ok(nr.store().next_webhook_delivery().await?)
}

/// Forgets finished deliveries, handed-out events and idempotency keys older than the days
/// they are kept (for the system's webhook task).
pub async fn prune(nr: &Newsroom, now: DateTime<Utc>) -> Outcome<u64> {
    let days = byline_core::integrations::INTEGRATIONS_KEPT_DAYS;
    Ok(nr
        .store()
        .prune_integrations(now - chrono::Duration::days(days))
        .await?)
}
