//! What the public site reads: stories, listings, rails, sections, as readers see them at
//! `now`. Anonymous readers need no permission; nothing here shows what is not public.

use byline_core::curation::{NEWEST_NEEDED, Rails};
use byline_core::front::{FRONT_NEWEST_NEEDED, Front, SECTION_NEEDED, section_block};
use byline_core::pages::PageEntry;
use byline_core::redirects::Found;
use byline_core::store::{CardPage, ListQuery, Listing};
use byline_core::{Author, Section, Slug, Story, StoryCard, StoryId, StoryKind, Tag};
use chrono::{DateTime, Utc};

use super::{Newsroom, Outcome};

/// The front page's stories, each shown once.
#[derive(Debug)]
pub struct FrontPage {
    pub front: Front,
    pub sections: Vec<(Section, Vec<StoryCard>)>,
}

/// What every article's rails are made from: the newest public stories and the editor's picks.
#[derive(Debug)]
pub struct RailSources {
    newest: Vec<StoryCard>,
    picks: Vec<StoryCard>,
}

impl RailSources {
    /// Reads them as readers see them at `now`.
    pub async fn read(nr: &Newsroom, now: DateTime<Utc>) -> Outcome<RailSources> {
        let store = nr.store();
        let query = ListQuery {
            listing: Listing::All,
            limit: NEWEST_NEEDED as u32,
            offset: 0,
            now,
        };
        Ok(RailSources {
            newest: store.list_cards(&query).await?.cards,
            picks: store.picks(now).await?,
        })
    }

    /// The rails of a page showing `current` (or of no story).
    pub fn rails(&self, current: Option<StoryId>) -> Rails {
        Rails::assemble(&self.newest, &self.picks, current)
    }
}

/// What a story's public address leads to.
#[derive(Debug)]
pub enum Article {
    /// The story, public at `now`.
    Story(Box<Story>),
    /// A story that used to live here lives at this slug now.
    Moved(Slug),
    /// One of the site's pages, which lives at the site root.
    Page(Slug),
    Missing,
}

/// The story at `slug` as readers see it at `now`: public, moved, or not there (a story not
/// public yet is not there).
pub async fn article(nr: &Newsroom, slug: &Slug, now: DateTime<Utc>) -> Outcome<Article> {
    if let Some(story) = public_story(nr, slug, now).await? {
        if story.kind == StoryKind::Page {
            return Ok(Article::Page(story.slug));
        }
        return Ok(Article::Story(Box::new(story)));
    }
    Ok(match nr.store().redirect_for(slug).await? {
        Some(current) => Article::Moved(current),
        None => Article::Missing,
    })
}

/// One of the site's pages as readers see it, with the public pages above it (top first) and
/// under it (in order).
#[derive(Debug)]
pub struct PublicPage {
    pub story: Story,
    pub above: Vec<PageEntry>,
    pub under: Vec<PageEntry>,
}

/// What a page's address (`/{slug}`) leads to.
#[derive(Debug)]
pub enum PageAnswer {
    Page(Box<PublicPage>),
    /// A public page that used to have this slug has this one now.
    Moved(Slug),
    Missing,
}

/// The page at `slug` as readers see it at `now`: public, moved, or not there (a story is no
/// page, and a page not public yet is not there).
pub async fn page(nr: &Newsroom, slug: &Slug, now: DateTime<Utc>) -> Outcome<PageAnswer> {
    let is_page = |s: &Story| s.kind == StoryKind::Page;
    if let Some(story) = public_story(nr, slug, now).await?.filter(is_page) {
        let pages = public_pages(nr, now).await?;
        let (above, under) = byline_core::pages::family(&pages, story.id);
        let (above, under) = (
            above.into_iter().cloned().collect(),
            under.into_iter().cloned().collect(),
        );
        return Ok(PageAnswer::Page(Box::new(PublicPage {
            story,
            above,
            under,
        })));
    }
    if let Some(current) = nr.store().redirect_for(slug).await?
        && public_story(nr, &current, now)
            .await?
            .is_some_and(|s| is_page(&s))
    {
        return Ok(PageAnswer::Moved(current));
    }
    Ok(PageAnswer::Missing)
}

/// The slug of the public page `slug` names at `now`: its own, or the one a public page that
/// had it has now (one or two indexed reads; nothing else of the page is read).
pub async fn page_address(nr: &Newsroom, slug: &Slug, now: DateTime<Utc>) -> Outcome<Option<Slug>> {
    let is_page = |s: &Story| s.kind == StoryKind::Page;
    if public_story(nr, slug, now)
        .await?
        .is_some_and(|s| is_page(&s))
    {
        return Ok(Some(slug.clone()));
    }
    match nr.store().redirect_for(slug).await? {
        Some(current)
            if public_story(nr, &current, now)
                .await?
                .is_some_and(|s| is_page(&s)) =>
        {
            Ok(Some(current))
        }
        _ => Ok(None),
    }
}

/// The site's pages public at `now`, in the order of their tree.
pub async fn public_pages(nr: &Newsroom, now: DateTime<Utc>) -> Outcome<Vec<PageEntry>> {
    let pages: Vec<PageEntry> = nr
        .store()
        .pages()
        .await?
        .into_iter()
        .filter(|p| p.is_public_at(now))
        .collect();
    Ok(byline_core::pages::tree(&pages)
        .into_iter()
        .map(|(_, p)| p.clone())
        .collect())
}

/// The site's menus, as the theme shows them.
pub async fn menus(nr: &Newsroom) -> Outcome<Vec<byline_core::menus::Menu>> {
    Ok(nr.store().menus().await?)
}

/// Where an address of the site a newsroom moved from (a [`byline_core::redirects`] key) leads
/// at `now`: a story only while it is public, so an old address says nothing of drafts.
pub async fn old_address(nr: &Newsroom, key: &str, now: DateTime<Utc>) -> Outcome<Option<Found>> {
    Ok(nr.store().old_address(key, now).await?)
}

/// The story at `slug` if it is public at `now` (a newsletter links only those).
pub async fn public_story(
    nr: &Newsroom,
    slug: &Slug,
    now: DateTime<Utc>,
) -> Outcome<Option<Story>> {
    let story = nr.store().story_by_slug(slug).await?;
    Ok(story.filter(|s| s.is_public_at(now)))
}

/// The story a private preview link shows at `now`, whatever its status: whoever holds a live
/// link may read it.
pub async fn preview(nr: &Newsroom, token: &str, now: DateTime<Utc>) -> Outcome<Option<Story>> {
    Ok(nr.store().story_by_preview_token(token, now).await?)
}

/// The story with this id if it is public at `now`.
pub async fn public_story_by_id(
    nr: &Newsroom,
    id: byline_core::StoryId,
    now: DateTime<Utc>,
) -> Outcome<Option<Story>> {
    let story = nr.store().story_by_id(id).await?;
    Ok(story.filter(|s| s.is_public_at(now)))
}

/// A page of public stories, whole, and whether more follow (the Content API's list).
pub async fn public_stories(
    nr: &Newsroom,
    query: &byline_core::integrations::PublicQuery,
) -> Outcome<(Vec<Story>, bool)> {
    Ok(nr.store().public_stories(query).await?)
}

/// Tags that public stories carry, with how many each.
pub async fn public_tags(
    nr: &Newsroom,
    now: DateTime<Utc>,
) -> Outcome<Vec<(byline_core::Tag, u64)>> {
    Ok(nr.store().public_tags(now).await?)
}

/// Authors of public stories, with how many each.
pub async fn public_authors(
    nr: &Newsroom,
    now: DateTime<Utc>,
) -> Outcome<Vec<(byline_core::Author, u64)>> {
    Ok(nr.store().public_authors(now).await?)
}

/// The site's sections in navigation order.
pub async fn sections(nr: &Newsroom) -> Outcome<Vec<Section>> {
    Ok(nr.store().sections().await?)
}

/// One page of a listing, newest first.
pub async fn cards(nr: &Newsroom, query: &ListQuery) -> Outcome<CardPage> {
    Ok(nr.store().list_cards(query).await?)
}

/// The front page as readers see it at `now`: its top, then a block per section of the
/// section's newest stories not shown above it (sections with none left are left out).
pub async fn front_page(nr: &Newsroom, now: DateTime<Utc>) -> Outcome<FrontPage> {
    let store = nr.store();
    let newest = |listing, limit: usize| ListQuery {
        listing,
        limit: limit as u32,
        offset: 0,
        now,
    };
    let top = store
        .list_cards(&newest(Listing::All, FRONT_NEWEST_NEEDED))
        .await?;
    let chosen = store.home_lead(now).await?;
    let front = Front::assemble(&top.cards, chosen);
    let mut shown = front.shown();
    let mut sections = Vec::new();
    for section in store.sections().await? {
        let listing = Listing::Section(section.slug.clone());
        let page = store.list_cards(&newest(listing, SECTION_NEEDED)).await?;
        let cards = section_block(&page.cards, &shown);
        if !cards.is_empty() {
            shown.extend(cards.iter().map(|c| c.id));
            sections.push((section, cards));
        }
    }
    Ok(FrontPage { front, sections })
}

/// What a listing's address names: a section, a tag or an author, if it exists.
pub async fn listing_named(nr: &Newsroom, listing: &Listing) -> Outcome<Option<Named>> {
    let store = nr.store();
    Ok(match listing {
        Listing::All => None,
        Listing::Section(slug) => store.section(slug).await?.map(Named::Section),
        Listing::Tag(slug) => store.tag(slug).await?.map(Named::Tag),
        Listing::Author(slug) => store.author(slug).await?.map(Named::Author),
    })
}

/// The section, tag or author a listing shows.
#[derive(Debug)]
pub enum Named {
    Section(Section),
    Tag(Tag),
    Author(Author),
}

/// A picture file or one of its renditions, as readers fetch it: a rendition the library
/// offers is made on first request (at most one per core at a time, `slots`).
pub async fn media_file(
    nr: &Newsroom,
    media: &byline_media::MediaStore,
    slots: &tokio::sync::Semaphore,
    key: &str,
) -> Result<Option<(axum::body::Bytes, &'static str)>, crate::media::MediaError> {
    crate::media::read(media, nr.store(), slots, key).await
}
