//! The front page and the site's structure: lead, picks, sections, tags and authors' bios.

use byline_core::access::{Ownership, Permission};
use byline_core::store::{ListQuery, Listing, SectionEdit, StoreError};
use byline_core::{Section, SectionId, Slug, StoryCard, Tag};
use chrono::{DateTime, Utc};

use super::{Actor, Newsroom, Outcome, Refusal};

/// Stories offered for the lead and the picks.
const CANDIDATES: u32 = 100;

/// What the curation screen shows.
#[derive(Debug)]
pub struct CurationDesk {
    /// The newest public stories, to choose from.
    pub candidates: Vec<StoryCard>,
    pub lead: Option<Slug>,
    pub picks: Vec<Slug>,
    pub sections: Vec<Section>,
    /// Every tag with how many stories carry it.
    pub tags: Vec<(Tag, u64)>,
    /// Every author with public stories, with how many.
    pub authors: Vec<(byline_core::Author, u64)>,
}

/// The curation screen's contents at `now`. Needs `Curate`.
pub async fn desk(nr: &Newsroom, actor: Actor<'_>, now: DateTime<Utc>) -> Outcome<CurationDesk> {
    actor.require(Permission::Curate, Ownership::Own)?;
    let store = nr.store();
    let query = ListQuery {
        listing: Listing::All,
        limit: CANDIDATES,
        offset: 0,
        now,
    };
    Ok(CurationDesk {
        candidates: store.list_cards(&query).await?.cards,
        lead: store.home_lead(now).await?.map(|c| c.slug),
        picks: store
            .picks(now)
            .await?
            .into_iter()
            .map(|c| c.slug)
            .collect(),
        sections: store.sections().await?,
        tags: store.tags().await?,
        authors: store.public_authors(now).await?,
    })
}

/// Chooses the front page's lead (or none) and the "Don't miss" picks, in order; only what
/// changed is written, so only the pages that show it are made again. Needs `Curate`.
pub async fn curate(
    nr: &Newsroom,
    actor: Actor<'_>,
    lead: Option<Slug>,
    picks: Vec<Slug>,
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::Curate, Ownership::Own)?;
    check_picks(&picks)?;
    let store = nr.store();
    // Every story named must exist before anything is written, so that a refused form
    // leaves the front page as it was, not half changed.
    for slug in lead.iter().chain(&picks) {
        if store.story_by_slug(slug).await?.is_none() {
            return Err(Refusal::NotFound);
        }
    }
    if store.home_lead(now).await?.map(|c| c.slug) != lead {
        store.set_home_lead(lead.as_ref(), now).await?;
    }
    write_picks(nr, actor, &picks, now).await
}

/// Replaces the "Don't miss" picks (none: the rail shows the newest stories), when they
/// changed; every slug must name a story. Needs `Curate`.
pub async fn set_picks(
    nr: &Newsroom,
    actor: Actor<'_>,
    picks: &[Slug],
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::Curate, Ownership::Own)?;
    check_picks(picks)?;
    write_picks(nr, actor, picks, now).await
}

/// Adds `slugs` after the current "Don't miss" picks, each once (an import's sticky posts).
/// Needs `Curate`.
pub async fn add_picks(
    nr: &Newsroom,
    actor: Actor<'_>,
    slugs: &[Slug],
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::Curate, Ownership::Own)?;
    let mut picks: Vec<Slug> = nr
        .store()
        .picks(now)
        .await?
        .into_iter()
        .map(|c| c.slug)
        .collect();
    for slug in slugs {
        if !picks.contains(slug) {
            picks.push(slug.clone());
        }
    }
    write_picks(nr, actor, &picks, now).await
}

/// Writes checked picks when they differ from the stored ones.
async fn write_picks(
    nr: &Newsroom,
    actor: Actor<'_>,
    picks: &[Slug],
    now: DateTime<Utc>,
) -> Outcome<()> {
    let store = nr.store();
    let current: Vec<Slug> = store
        .picks(now)
        .await?
        .into_iter()
        .map(|c| c.slug)
        .collect();
    if current != picks {
        store.set_picks(picks, now).await?;
    }
    tracing::info!(
        user = actor.user_id().map(|u| u.0),
        picks = picks.len(),
        "curation changed"
    );
    Ok(())
}

fn check_picks(picks: &[Slug]) -> Outcome<()> {
    if picks
        .iter()
        .enumerate()
        .any(|(i, slug)| picks[..i].contains(slug))
    {
        return Err(Refusal::invalid(
            "picks",
            "A story can be picked only once.",
        ));
    }
    Ok(())
}

/// A section as the admin's form gives it.
#[derive(Debug, Clone)]
pub struct SectionInput {
    /// The section changed; none for a new one.
    pub id: Option<SectionId>,
    pub name: String,
    /// Empty: derived from the name.
    pub slug: String,
    pub description: String,
    pub position: i64,
    /// The slug of the section it sits under (empty: the top level); `None` keeps where it
    /// is (a new section: the top level).
    pub parent: Option<String>,
}

/// Creates or changes a section. Needs `ManageSections` (administrators).
pub async fn save_section(
    nr: &Newsroom,
    actor: Actor<'_>,
    input: SectionInput,
    now: DateTime<Utc>,
) -> Outcome<()> {
    if !actor.may(Permission::ManageSections, Ownership::Own) {
        return Err(Refusal::Forbidden(
            "Only administrators manage sections.".into(),
        ));
    }
    let name = words(&input.name);
    if name.is_empty() || input.name.chars().count() > 100 {
        return Err(Refusal::invalid(
            "name",
            "A section's name needs 1 to 100 characters.",
        ));
    }
    if input.description.chars().count() > 500 {
        return Err(Refusal::invalid(
            "description",
            "A section's description is at most 500 characters.",
        ));
    }
    let slug = match input.slug.trim() {
        "" => Slug::derive(&name),
        text => Slug::parse(text).ok(),
    }
    .ok_or_else(|| {
        Refusal::invalid(
            "slug",
            "The slug may hold only a-z, 0-9 and single hyphens.",
        )
    })?;
    let parent = parent_of(nr, input.id, input.parent.as_deref()).await?;
    let edit = SectionEdit {
        id: input.id,
        slug,
        name,
        description: words(&input.description),
        position: input.position,
        parent,
    };
    match nr.store().save_section(edit, now).await {
        Ok(()) => Ok(()),
        Err(StoreError::Conflict(why)) => Err(Refusal::invalid("slug", why)),
        Err(StoreError::Invalid(why)) => Err(Refusal::invalid("parent", why)),
        Err(e) => Err(e.into()),
    }
}

/// The section a saved section sits under: the one `parent` names (empty: none), else where it
/// sits now. The store refuses a place that would close a loop.
async fn parent_of(
    nr: &Newsroom,
    id: Option<SectionId>,
    parent: Option<&str>,
) -> Outcome<Option<SectionId>> {
    let all = nr.store().sections().await?;
    match parent.map(str::trim) {
        None => Ok(id.and_then(|id| all.iter().find(|s| s.id == id)?.parent)),
        Some("") => Ok(None),
        Some(slug) => match all.iter().find(|s| s.slug.as_str() == slug) {
            Some(chosen) => Ok(Some(chosen.id)),
            None => Err(Refusal::invalid(
                "parent",
                "There is no section with that slug to sit under.",
            )),
        },
    }
}

/// Renames a tag; its slug (and so its address) stays. Needs `Curate`.
pub async fn rename_tag(
    nr: &Newsroom,
    actor: Actor<'_>,
    slug: &Slug,
    name: &str,
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::Curate, Ownership::Own)?;
    let name = words(name);
    if name.is_empty() || name.chars().count() > 100 {
        return Err(Refusal::invalid(
            "name",
            "A tag's name needs 1 to 100 characters.",
        ));
    }
    nr.store().rename_tag(slug, &name, now).await?;
    Ok(())
}

/// Longest author biography, in characters.
pub const MAX_BIO: usize = 1_000;

/// A biography as it is kept: plain text on one line (white space collapsed, control
/// characters left out), at most [`MAX_BIO`] characters, else why not.
pub fn checked_bio(text: &str) -> Outcome<String> {
    let bio: String = words(text).chars().filter(|c| !c.is_control()).collect();
    if bio.chars().count() > MAX_BIO {
        return Err(Refusal::invalid(
            "bio",
            format!("A biography is at most {MAX_BIO} characters."),
        ));
    }
    Ok(bio)
}

/// Sets the biography on an author's page (empty: none). Needs `Curate`.
pub async fn set_author_bio(
    nr: &Newsroom,
    actor: Actor<'_>,
    slug: &Slug,
    bio: &str,
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::Curate, Ownership::Own)?;
    let bio = checked_bio(bio)?;
    nr.store().set_author_bio(slug, &bio, false, now).await?;
    Ok(())
}

/// Whitespace runs as single spaces, trimmed.
pub(crate) fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
