//! A story's life in the newsroom: open, create, save, move through the workflow, correct.

use byline_core::access::{Ownership, Permission};
use byline_core::editorial::{
    Correction, EditOutcome, EditorStory, PreviewLink, Revision, StatusChange, StoryEdit,
    StoryFields,
};
use byline_core::store::{AdminQuery, AdminStoryRow};
use byline_core::workflow::{LeadPhoto, Move, StoryAccess, Transition, WorkflowError, decide};
use byline_core::{Section, Status, StoryId, StoryKind};
use chrono::{DateTime, Utc};

use super::{Actor, Newsroom, Outcome, Refusal};

/// A story as [`open`] found it for an actor: the only way a use case that acts on a story
/// gets one, so that none acts on a copy nobody checked. Each still checks the reach it needs.
#[derive(Debug, Clone)]
pub struct OpenStory(EditorStory);

impl std::ops::Deref for OpenStory {
    type Target = EditorStory;

    fn deref(&self) -> &EditorStory {
        &self.0
    }
}

/// The story `id` names, when the actor may reach it this way (the admin's gate and every
/// page or call naming a story ask here).
pub async fn open(
    nr: &Newsroom,
    actor: Actor<'_>,
    id: StoryId,
    access: StoryAccess,
) -> Outcome<OpenStory> {
    let story = nr
        .store()
        .editor_story(id)
        .await?
        .ok_or(Refusal::NotFound)?;
    reach(actor, &story, access)?;
    Ok(OpenStory(story))
}

/// Refuses unless the actor may reach `story` this way now.
pub(crate) fn reach(actor: Actor<'_>, story: &EditorStory, access: StoryAccess) -> Outcome<()> {
    // The site's own pages are for editors and administrators, whoever made one.
    if story.kind == StoryKind::Page {
        super::pages::require(actor)?;
    }
    if access.allows(actor.role(), actor.ownership(story), story.status) {
        Ok(())
    } else if access == StoryAccess::Edit {
        Err(Refusal::Forbidden(
            "Your role does not allow editing this story now.".into(),
        ))
    } else {
        Err(Refusal::forbidden())
    }
}

/// The admin's story list. A member who may not see others' unpublished work gets their own
/// stories and published ones only, whatever the query asks.
pub async fn list(
    nr: &Newsroom,
    actor: Actor<'_>,
    mut query: AdminQuery,
) -> Outcome<(Vec<AdminStoryRow>, bool)> {
    query.own_or_public = match actor.member() {
        Some(me) if !byline_core::workflow::sees_others_work(me.role) => Some(me.id),
        _ => None,
    };
    Ok(nr.store().admin_stories(&query).await?)
}

/// Readers' views of each of `ids` over the last seven days, for the story list (any member:
/// counts say nothing about the stories' text).
pub async fn views_this_week(
    nr: &Newsroom,
    ids: &[StoryId],
    now: DateTime<Utc>,
) -> Outcome<std::collections::HashMap<StoryId, u64>> {
    let since = byline_core::views::MostReadWindow::Week.since(now);
    Ok(nr.store().views_of(ids, since).await?.into_iter().collect())
}

/// The newsroom's sections, for the editor's choice.
pub async fn sections(nr: &Newsroom) -> Outcome<Vec<Section>> {
    Ok(nr.store().sections().await?)
}

/// The newsroom's rule on sections: a member who does not manage sections may choose an
/// existing one but not make a new one by naming it.
async fn check_section(nr: &Newsroom, actor: Actor<'_>, fields: &StoryFields) -> Outcome<()> {
    if let Some(section) = &fields.section
        && !actor.may(Permission::ManageSections, Ownership::Own)
        && nr.store().section(&section.slug).await?.is_none()
    {
        return Err(Refusal::invalid(
            "section",
            format!(
                "There is no section \"{}\". Choose one of the newsroom's sections; an \
                 administrator creates new ones.",
                section.name
            ),
        ));
    }
    Ok(())
}

/// A new private preview link, valid `[admin] preview_days` from `now`.
fn new_preview_link(nr: &Newsroom, now: DateTime<Utc>) -> PreviewLink {
    PreviewLink {
        token: crate::secrets::random_token(),
        expires_at: now + chrono::Duration::days(nr.rules.preview_days),
    }
}

/// Creates a draft owned by the member, with a private preview link. Needs `CreateStory`.
pub async fn create_draft(
    nr: &Newsroom,
    actor: Actor<'_>,
    mut fields: StoryFields,
    now: DateTime<Utc>,
) -> Outcome<StoryId> {
    let owner = may_create(nr, actor, &mut fields).await?;
    let preview = new_preview_link(nr, now);
    let id = nr
        .store()
        .create_draft(fields, owner, &preview, now)
        .await?;
    tracing::info!(story = id.0, user = owner.0, "story created");
    Ok(id)
}

/// The member a new draft will belong to, if the actor may create it.
async fn may_create(
    nr: &Newsroom,
    actor: Actor<'_>,
    fields: &mut StoryFields,
) -> Outcome<byline_core::accounts::UserId> {
    actor.require(Permission::CreateStory, Ownership::Own)?;
    if fields.place.is_some() {
        super::pages::check(nr, actor, None, fields).await?;
    }
    let owner = actor.user_id().ok_or_else(|| {
        Refusal::Forbidden("A draft belongs to a member; sign in to write one.".into())
    })?;
    check_section(nr, actor, fields).await?;
    Ok(owner)
}

/// Creates a draft as [`create_draft`] does, once per idempotency key: a retry with the same
/// key and request gets the story made the first time (and `false`); the same key with a
/// different request is refused.
pub async fn create_draft_once(
    nr: &Newsroom,
    actor: Actor<'_>,
    mut fields: StoryFields,
    once: &byline_core::integrations::Once,
    now: DateTime<Utc>,
) -> Outcome<(StoryId, bool)> {
    use byline_core::integrations::CreatedOnce;
    let owner = may_create(nr, actor, &mut fields).await?;
    let preview = new_preview_link(nr, now);
    match nr
        .store()
        .create_draft_once(fields, owner, &preview, now, once)
        .await?
    {
        CreatedOnce::Created(id) => {
            tracing::info!(story = id.0, user = owner.0, "story created");
            Ok((id, true))
        }
        CreatedOnce::Before(id) => Ok((id, false)),
        CreatedOnce::Mismatch => Err(Refusal::invalid(
            "Idempotency-Key",
            "This idempotency key was used for a different request; use a new key.",
        )),
    }
}

/// Saves new fields of `story` as made against `expected_revision`: the new revision's
/// number, or [`Refusal::Stale`] with the current story when someone saved since. Needs the
/// right to edit the story now.
pub async fn save_edit(
    nr: &Newsroom,
    actor: Actor<'_>,
    story: &OpenStory,
    mut fields: StoryFields,
    expected_revision: i64,
    now: DateTime<Utc>,
) -> Outcome<i64> {
    reach(actor, story, StoryAccess::Edit)?;
    // A save never changes what a story is: a page keeps its place unless one is given.
    if story.kind == StoryKind::Page {
        fields.place = Some(fields.place.unwrap_or(story.place));
        super::pages::check(nr, actor, Some(story.id), &mut fields).await?;
    } else {
        fields.place = None;
    }
    let user = actor
        .user_id()
        .ok_or_else(|| Refusal::Forbidden("Only a member edits a story.".into()))?;
    check_section(nr, actor, &fields).await?;
    let edit = StoryEdit {
        fields,
        expected_revision,
        user,
        now,
    };
    match nr.store().save_edit(story.id, edit).await {
        Ok(EditOutcome::Saved { revision, .. }) => {
            tracing::info!(story = story.id.0, revision, user = user.0, "story saved");
            Ok(revision)
        }
        Ok(EditOutcome::Conflict(current)) => Err(Refusal::Stale(current)),
        Err(byline_core::store::StoreError::Conflict(why)) => {
            Err(Refusal::invalid("slug", capitalise(&why)))
        }
        Err(e) => Err(e.into()),
    }
}

/// Moves `story` through the workflow: the move, the actor's role and ownership, the
/// embargo and the newsroom's credit rule decide (core's [`decide`]). Returns the new status.
pub async fn change_status(
    nr: &Newsroom,
    actor: Actor<'_>,
    story: &OpenStory,
    transition: Transition,
    at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Outcome<Status> {
    let to = decide(Move {
        from: story.status,
        transition,
        role: actor.role(),
        ownership: actor.ownership(story),
        at,
        embargo_until: story.embargo_until,
        photo: LeadPhoto::of(story.lead_picture.as_ref()),
        credit_required: nr.rules.credit_required,
        now,
    })
    .map_err(|problem| match problem {
        WorkflowError::Forbidden => Refusal::forbidden(),
        problem => Refusal::invalid("status", capitalise(&problem.to_string()) + "."),
    })?;
    let change = StatusChange {
        from: story.status,
        to,
        at,
        now,
    };
    nr.store().change_status(story.id, change).await?;
    tracing::info!(
        story = story.id.0,
        from = story.status.as_str(),
        to = to.as_str(),
        user = actor.user_id().map(|u| u.0),
        "status changed"
    );
    Ok(to)
}

/// Appends a correction note to a published story. Needs `Correct` on the story.
pub async fn add_correction(
    nr: &Newsroom,
    actor: Actor<'_>,
    story: &OpenStory,
    note: &str,
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::Correct, actor.ownership(story))?;
    let user = actor
        .user_id()
        .ok_or_else(|| Refusal::Forbidden("Only a member corrects a story.".into()))?;
    let note = note.split_whitespace().collect::<Vec<_>>().join(" ");
    let problem = if story.status != Status::Published {
        Some("Only a published story can be corrected; edit a draft instead.")
    } else if note.is_empty() {
        Some("Write what was wrong and what is right.")
    } else if note.chars().count() > 2000 {
        Some("A correction note is at most 2,000 characters.")
    } else {
        None
    };
    if let Some(message) = problem {
        return Err(Refusal::invalid("correction", message));
    }
    nr.store()
        .add_correction(story.id, user, &note, now)
        .await?;
    tracing::info!(story = story.id.0, user = user.0, "correction added");
    Ok(())
}

/// What to do with a story's private preview link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PreviewAction {
    /// A fresh link; the old one stops working.
    Renew,
    /// No link any more.
    Revoke,
}

/// Renews or ends the private preview link of an unpublished story. Needs the right to edit
/// it now.
pub async fn set_preview_link(
    nr: &Newsroom,
    actor: Actor<'_>,
    story: &OpenStory,
    action: PreviewAction,
    now: DateTime<Utc>,
) -> Outcome<()> {
    reach(actor, story, StoryAccess::Edit)?;
    let link = match action {
        PreviewAction::Renew if matches!(story.status, Status::Published | Status::Unpublished) => {
            return Err(Refusal::invalid(
                "preview",
                "A published or taken-down story has no preview: its public address takes over.",
            ));
        }
        PreviewAction::Renew => Some(new_preview_link(nr, now)),
        PreviewAction::Revoke => None,
    };
    nr.store().set_preview_link(story.id, link.as_ref()).await?;
    tracing::info!(
        story = story.id.0,
        user = actor.user_id().map(|u| u.0),
        revoked = link.is_none(),
        "preview link changed"
    );
    Ok(())
}

/// The corrections of a story the actor may open.
pub async fn corrections(
    nr: &Newsroom,
    actor: Actor<'_>,
    story: &OpenStory,
) -> Outcome<Vec<Correction>> {
    reach(actor, story, StoryAccess::Open)?;
    Ok(nr.store().corrections(story.id).await?)
}

/// The revisions of a story the actor may edit now.
pub async fn revisions(
    nr: &Newsroom,
    actor: Actor<'_>,
    story: &OpenStory,
) -> Outcome<Vec<Revision>> {
    reach(actor, story, StoryAccess::Edit)?;
    Ok(nr.store().revisions(story.id).await?)
}

/// Publishes every scheduled story whose time has come (and whose embargo has lifted): the
/// system's job. Returns the stories published.
pub async fn publish_due(
    nr: &Newsroom,
    actor: Actor<'_>,
    now: DateTime<Utc>,
) -> Outcome<Vec<StoryId>> {
    actor.require(Permission::Publish, Ownership::Others)?;
    Ok(nr.store().publish_due(now).await?)
}

/// When the next scheduled publication falls due, if any.
pub async fn next_due(nr: &Newsroom) -> Outcome<Option<DateTime<Utc>>> {
    Ok(nr.store().next_due().await?)
}

/// A store's message as the start of a sentence.
pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
