//! The newsletter desk's operations: drafts, schedules, sends, the outbox and the digest.

use byline_core::Slug;
use byline_core::access::{Ownership, Permission};
use byline_core::newsletter::{
    Delivery, DeliveryOutcome, Draft, DraftInput, IssueContent, IssueSummary, RetryLimits,
    Undelivered,
};
use byline_core::store::StoreError;
use byline_core::{DraftId, IssueId};
use chrono::{DateTime, Utc};

use super::{Actor, Newsroom, Outcome, Refusal};

/// The most stories one issue carries.
pub const MAX_STORIES: usize = 30;
/// The longest intro, in characters.
pub const MAX_INTRO: usize = 5_000;
/// The longest subject, in characters.
const MAX_SUBJECT: usize = 200;
/// The issues the desk lists.
const DESK_ISSUES: u32 = 50;
/// The undelivered addresses an issue's report lists.
const UNDELIVERED_LISTED: u32 = 200;

/// A draft's words as an editor gives them; [`create_draft`] and [`save_draft`] check them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DraftFields {
    pub subject: String,
    pub intro: String,
    /// The stories' slugs, in order.
    pub stories: Vec<String>,
}

/// The desk at a glance: subscribers by status, every draft, the latest issues.
#[derive(Debug, Clone)]
pub struct Desk {
    pub counts: Vec<(String, u64)>,
    pub drafts: Vec<Draft>,
    pub issues: Vec<IssueSummary>,
}

/// An issue as it went out, and its deliveries that failed or whose outcome is unknown (listed
/// only to an actor who may see subscribers: addresses are personal data).
#[derive(Debug, Clone)]
pub struct IssueReport {
    pub summary: IssueSummary,
    pub content: IssueContent,
    pub undelivered: Vec<Undelivered>,
}

fn require_desk(actor: Actor<'_>) -> Outcome<()> {
    actor.require(Permission::SendNewsletter, Ownership::Own)
}

/// The desk's front page. Who may send newsletters.
pub async fn desk(nr: &Newsroom, actor: Actor<'_>) -> Outcome<Desk> {
    require_desk(actor)?;
    let store = nr.store();
    Ok(Desk {
        counts: store.subscriber_counts().await?,
        drafts: store.drafts().await?,
        issues: store.issues(DESK_ISSUES).await?,
    })
}

/// One draft; NotFound once it was sent or deleted. Who may send newsletters.
pub async fn draft(nr: &Newsroom, actor: Actor<'_>, id: DraftId) -> Outcome<Draft> {
    require_desk(actor)?;
    nr.store().draft(id).await?.ok_or(Refusal::NotFound)
}

/// What the editor saw of a draft, as a short fingerprint: its words, its stories and when it
/// last changed, so that sending refuses a draft changed since (even within the same second).
pub fn version(draft: &Draft) -> String {
    use sha2::{Digest, Sha256};
    let input = &draft.input;
    let mut hash = Sha256::new();
    for part in [&input.subject, &input.intro, &input.stories.join("\n")] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    hash.update(draft.updated_at.timestamp().to_be_bytes());
    hash.finalize()[..12]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The draft `fields` describe, signed by the actor, or what is wrong with it.
fn checked_input(fields: &DraftFields, actor: Actor<'_>) -> Outcome<DraftInput> {
    let subject = fields.subject.trim();
    if subject.is_empty() {
        return Err(Refusal::invalid("subject", "Give the issue a subject."));
    }
    if subject.chars().count() > MAX_SUBJECT {
        return Err(Refusal::invalid(
            "subject",
            format!("The subject is longer than {MAX_SUBJECT} characters."),
        ));
    }
    if subject.chars().any(char::is_control) {
        return Err(Refusal::invalid(
            "subject",
            "The subject holds a line break or another control character.",
        ));
    }
    if fields.intro.chars().count() > MAX_INTRO {
        return Err(Refusal::invalid(
            "intro",
            format!("The intro is longer than {MAX_INTRO} characters."),
        ));
    }
    if fields.stories.len() > MAX_STORIES {
        return Err(Refusal::invalid(
            "stories",
            format!("An issue carries at most {MAX_STORIES} stories."),
        ));
    }
    if let Some(bad) = fields.stories.iter().find(|s| Slug::parse(s).is_err()) {
        return Err(Refusal::invalid(
            "stories",
            format!("{bad:?} is not the address or slug of a story."),
        ));
    }
    Ok(DraftInput {
        subject: subject.to_owned(),
        intro: fields.intro.trim().to_owned(),
        stories: fields.stories.clone(),
        author: actor
            .member()
            .map_or_else(|| "Byline".to_owned(), |u| u.name.clone()),
    })
}

/// Starts a draft from `fields`, signed by the actor; its id. Who may send newsletters.
pub async fn create_draft(
    nr: &Newsroom,
    actor: Actor<'_>,
    fields: &DraftFields,
    now: DateTime<Utc>,
) -> Outcome<DraftId> {
    require_desk(actor)?;
    let input = checked_input(fields, actor)?;
    nr.store()
        .save_draft(None, &input, now)
        .await?
        .ok_or_else(|| Refusal::Store(StoreError::Defect("a new draft was not stored".into())))
}

/// Starts a draft as [`create_draft`] does, once per idempotency key: a retry with the same key
/// and request gets the draft made the first time (and `false`); the same key with another
/// request is refused.
pub async fn create_draft_once(
    nr: &Newsroom,
    actor: Actor<'_>,
    fields: &DraftFields,
    once: &byline_core::integrations::Once,
    now: DateTime<Utc>,
) -> Outcome<(DraftId, bool)> {
    use byline_core::integrations::CreatedOnce;
    require_desk(actor)?;
    let input = checked_input(fields, actor)?;
    match nr
        .store()
        .create_newsletter_draft_once(&input, now, once)
        .await?
    {
        CreatedOnce::Created(id) => Ok((id, true)),
        CreatedOnce::Before(id) => Ok((id, false)),
        CreatedOnce::Mismatch => Err(Refusal::invalid(
            "Idempotency-Key",
            "This idempotency key was used for a different request; use a new key.",
        )),
    }
}

/// Stores `input` over the draft's words when they differ; NotFound when it went meanwhile.
async fn store_changes(
    nr: &Newsroom,
    draft: &Draft,
    input: &DraftInput,
    now: DateTime<Utc>,
) -> Outcome<()> {
    if *input != draft.input {
        nr.store()
            .save_draft(Some(draft.id), input, now)
            .await?
            .ok_or(Refusal::NotFound)?;
    }
    Ok(())
}

/// Saves an editor's changes to a draft; refused as a conflict while it is scheduled (its
/// content is frozen until it is unscheduled). Who may send newsletters.
pub async fn save_draft(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: DraftId,
    fields: &DraftFields,
    now: DateTime<Utc>,
) -> Outcome<()> {
    let draft = draft(nr, actor, id).await?;
    let input = checked_input(fields, actor)?;
    if draft.send_at.is_some() {
        return Err(Refusal::Store(StoreError::Conflict(
            "This issue is scheduled and its content frozen: unschedule it to change it.".into(),
        )));
    }
    store_changes(nr, &draft, &input, now).await
}

/// Before a test copy: saves the editor's changes, except to a scheduled draft (whose frozen
/// issue is what gets tested), and returns the draft as it now stands. Who may send
/// newsletters.
pub async fn save_for_test(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: DraftId,
    fields: &DraftFields,
    now: DateTime<Utc>,
) -> Outcome<Draft> {
    let draft = draft(nr, actor, id).await?;
    let input = checked_input(fields, actor)?;
    if draft.send_at.is_none() {
        store_changes(nr, &draft, &input, now).await?;
    }
    self::draft(nr, actor, id).await
}

/// The draft, when it is still the version (see [`version`]) the editor previewed, `seen`;
/// refused (field `updated`) when someone changed it since. Who may send newsletters.
pub async fn draft_as_seen(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: DraftId,
    seen: &str,
) -> Outcome<Draft> {
    let draft = draft(nr, actor, id).await?;
    if seen != version(&draft) {
        return Err(Refusal::invalid(
            "updated",
            format!(
                "{} changed this issue after you opened it. Check the preview below, then send again.",
                draft.input.author
            ),
        ));
    }
    Ok(draft)
}

/// The issue composed by the caller (who has the theme), or why it cannot be composed.
fn composed(content: Result<IssueContent, String>) -> Outcome<IssueContent> {
    content.map_err(|problem| Refusal::invalid("stories", problem))
}

/// Turns the draft into an issue queued for every active subscriber, now, once: a second call
/// finds no draft (NotFound). `seen` is the version previewed (see [`draft_as_seen`]);
/// `content` the issue composed from the draft, or why it cannot be. Returns the issue and how
/// many deliveries were queued. Who may send newsletters.
pub async fn send_draft(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: DraftId,
    seen: &str,
    content: Result<IssueContent, String>,
    now: DateTime<Utc>,
) -> Outcome<(IssueId, u64)> {
    draft_as_seen(nr, actor, id, seen).await?;
    let content = composed(content)?;
    nr.store()
        .send_draft(id, &content, now)
        .await?
        .ok_or(Refusal::NotFound)
}

/// Freezes the draft's issue to go out at `at`, which must be after `now` (field `send_at`).
/// `seen` and `content` as for [`send_draft`]. Who may send newsletters.
pub async fn schedule_draft(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: DraftId,
    seen: &str,
    content: Result<IssueContent, String>,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Outcome<()> {
    draft_as_seen(nr, actor, id, seen).await?;
    if at <= now {
        return Err(Refusal::invalid(
            "send_at",
            "Choose a time in the future (UTC), or send the issue now.",
        ));
    }
    let content = composed(content)?;
    if !nr.store().schedule_draft(id, &content, at).await? {
        return Err(Refusal::NotFound);
    }
    Ok(())
}

/// Makes a scheduled draft a draft again (a draft not scheduled stays as it is); NotFound once
/// it was sent or deleted. Who may send newsletters.
pub async fn unschedule_draft(nr: &Newsroom, actor: Actor<'_>, id: DraftId) -> Outcome<()> {
    draft(nr, actor, id).await?;
    nr.store().unschedule_draft(id).await?;
    Ok(())
}

/// Deletes a draft; NotFound when there is none. Who may send newsletters.
pub async fn delete_draft(nr: &Newsroom, actor: Actor<'_>, id: DraftId) -> Outcome<()> {
    require_desk(actor)?;
    if !nr.store().delete_draft(id).await? {
        return Err(Refusal::NotFound);
    }
    Ok(())
}

/// An issue as it went out. Who may send newsletters.
pub async fn issue(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: IssueId,
) -> Outcome<(IssueSummary, IssueContent)> {
    require_desk(actor)?;
    nr.store().issue(id).await?.ok_or(Refusal::NotFound)
}

/// An issue and how far its sending has got; the addresses it did not reach only for an actor
/// who may also manage subscribers. Who may send newsletters.
pub async fn issue_report(nr: &Newsroom, actor: Actor<'_>, id: IssueId) -> Outcome<IssueReport> {
    let (summary, content) = issue(nr, actor, id).await?;
    let undelivered = if actor.may(Permission::ManageSubscribers, Ownership::Own) {
        nr.store().undelivered(id, UNDELIVERED_LISTED).await?
    } else {
        Vec::new()
    };
    Ok(IssueReport {
        summary,
        content,
        undelivered,
    })
}

/// Queues again the issue's deliveries of unknown outcome, once the editor has `confirmed`
/// that some readers may get a second copy (field `confirm`); how many. Who may send
/// newsletters.
pub async fn requeue_unknown(
    nr: &Newsroom,
    actor: Actor<'_>,
    issue_id: IssueId,
    confirmed: bool,
    now: DateTime<Utc>,
) -> Outcome<u64> {
    issue(nr, actor, issue_id).await?;
    if !confirmed {
        return Err(Refusal::invalid(
            "confirm",
            "Tick the box: some of these readers may already have the issue.",
        ));
    }
    Ok(nr.store().requeue_unknown(issue_id, now).await?)
}

/// Queues every scheduled draft due at `now`; the issues made. Who may send newsletters (the
/// newsletter's clock, as [`Actor::System`]).
pub async fn release_due_drafts(
    nr: &Newsroom,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Outcome<Vec<(IssueId, u64)>> {
    require_desk(actor)?;
    Ok(nr.store().release_due_drafts(now).await?)
}

/// Whether the digest of `day` (`YYYY-MM-DD`) was sent or skipped. Who may send newsletters
/// (the newsletter's clock, as [`Actor::System`]).
pub async fn digest_done(nr: &Newsroom, actor: Actor<'_>, day: &str) -> Outcome<bool> {
    require_desk(actor)?;
    Ok(nr.store().digest_done(day).await?)
}

/// Records the digest of `day` and, with content, queues it; None when it was done already
/// (on another node). Who may send newsletters (the clock, as [`Actor::System`]).
pub async fn queue_digest(
    nr: &Newsroom,
    actor: Actor<'_>,
    day: &str,
    content: Option<&IssueContent>,
    now: DateTime<Utc>,
) -> Outcome<Option<Option<(IssueId, u64)>>> {
    require_desk(actor)?;
    Ok(nr.store().queue_digest(day, content, now).await?)
}

/// The outbox's next due delivery, for one of Byline's own senders (no member calls this).
pub(crate) async fn claim_delivery(
    nr: &Newsroom,
    now: DateTime<Utc>,
    lease: std::time::Duration,
) -> Outcome<Option<Delivery>> {
    Ok(nr.store().claim_delivery(now, lease).await?)
}

/// Records how a claimed delivery went, for the sender that claimed it (no member calls this).
pub(crate) async fn record_delivery(
    nr: &Newsroom,
    delivery: &Delivery,
    outcome: DeliveryOutcome,
    now: DateTime<Utc>,
    limits: RetryLimits,
) -> Outcome<()> {
    Ok(nr
        .store()
        .finish_delivery(delivery, outcome, now, limits)
        .await?)
}

/// Queues a composed issue for every active subscriber at once, from the command line (its
/// sender named "the command line"). Who may send newsletters.
pub async fn queue_issue(
    nr: &Newsroom,
    actor: Actor<'_>,
    issue: &IssueContent,
    now: DateTime<Utc>,
) -> Outcome<(IssueId, u64)> {
    require_desk(actor)?;
    Ok(nr
        .store()
        .queue_issue(issue, "the command line", now)
        .await?)
}
