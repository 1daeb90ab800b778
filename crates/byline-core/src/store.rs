//! The storage contract every backend implements, and what crosses it.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::accounts::AccountStore;
use crate::editorial::EditorialStore;
use crate::email::Email;
use crate::ids::StoryId;
use crate::picture::Picture;
use crate::slug::Slug;
use crate::story::{Author, Headline, SafeHtml, Section, Status, Story, StoryCard, Tag};

/// What went wrong in a store, in terms the application can act on; each boundary maps these
/// once (the web: 404, 409, 422, 503 and 500).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found: {0}")]
    NotFound(String),
    /// A named conflict with what is stored (a slug in use, a site already restored).
    #[error("conflict: {0}")]
    Conflict(String),
    /// Data the store refuses (a table or column it does not have, a broken reference).
    #[error("the store refused the data: {0}")]
    Invalid(String),
    /// The store cannot answer now (no connection, the pool exhausted, busy): try again.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// A fault of Byline's own: a query or a stored value that does not fit the schema.
    #[error("the store failed: {0}")]
    Defect(String),
}

/// A section as a write names it: created on first use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionRef {
    pub slug: Slug,
    pub name: String,
    /// The section it belongs under, as the source has it (WordPress's category hierarchy):
    /// kept for a section that has none yet, never moving one the newsroom placed. `None`
    /// leaves the section where it is.
    pub parent: Option<Box<SectionRef>>,
}

impl SectionRef {
    /// The deepest hierarchy a write names; anything above it is left out.
    pub const MAX_DEPTH: usize = 8;

    /// A section with no parent named.
    pub fn new(slug: Slug, name: impl Into<String>) -> SectionRef {
        SectionRef {
            slug,
            name: name.into(),
            parent: None,
        }
    }

    /// The section and the sections above it, innermost first, at most [`Self::MAX_DEPTH`].
    pub fn lineage(&self) -> Vec<&SectionRef> {
        let mut line = vec![self];
        while let Some(parent) = line.last().and_then(|s| s.parent.as_deref()) {
            if line.len() == Self::MAX_DEPTH || line.iter().any(|s| s.slug == parent.slug) {
                break;
            }
            line.push(parent);
        }
        line
    }
}

/// A story as a use case saves it. Identified by `external_id` (a wire item's `uri`) when it
/// has one, so that saving the same item again updates it in place.
#[derive(Debug, Clone)]
pub struct StoryInput {
    pub external_id: Option<String>,
    /// Identities the source gave the same item in earlier versions of Byline (a WordPress
    /// post was once `guid` alone): a story found under one of them, and none under
    /// `external_id`, takes `external_id` on, so a re-import updates it instead of making a
    /// copy.
    pub former_external_ids: Vec<String>,
    /// The source's version number; an input older than the stored one is not applied.
    pub version: Option<i64>,
    /// The slug wanted for a new story; a taken slug gets a `-2`, `-3`, … suffix. An existing
    /// story keeps its slug.
    pub slug: Slug,
    pub headline: Headline,
    pub standfirst: Option<String>,
    pub body: SafeHtml,
    pub summary: String,
    pub section: Option<SectionRef>,
    /// Tag names; slugs are derived and shared between stories.
    pub tags: Vec<String>,
    /// Author names in byline order; authors are created on first use.
    pub authors: Vec<String>,
    pub byline: Option<String>,
    pub language: String,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub embargo_until: Option<DateTime<Utc>>,
    pub lead_picture: Option<Picture>,
    pub seo: crate::story::Seo,
    /// When the content last changed at its source (`versioncreated`).
    pub updated_at: DateTime<Utc>,
    /// Where this save comes from and what it brings, for the revision it writes and to
    /// recognise an item imported before.
    pub origin: ImportOrigin,
    /// When the save happens (the store never reads the clock itself).
    pub now: DateTime<Utc>,
    /// Where the story lived on the site it was imported from ([`crate::redirects`] keys),
    /// kept in the same transaction so that those addresses lead to it.
    pub old_addresses: Vec<String>,
    /// Decide and answer as the save would, then roll it back: nothing is written.
    pub dry_run: bool,
    /// For one of the site's pages, where it sits; `None` for a story. An item saved again
    /// stays what it was first saved as.
    pub page: Option<crate::pages::ImportedPage>,
}

/// An import's mark on the stories it saves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOrigin {
    /// Named in the revision the save writes ("import: FILE", "demo").
    pub source: String,
    /// A digest of everything the item brings: an item imported again unchanged is skipped.
    pub fingerprint: String,
    /// Replace a story the newsroom changed since its import (else it is skipped).
    pub overwrite: bool,
    /// The item gives no time of its own (its times are the import's): a story it updates
    /// keeps its publication time.
    pub undated: bool,
}

/// What saving did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SaveOutcome {
    Created {
        id: StoryId,
        slug: Slug,
    },
    Updated {
        id: StoryId,
        slug: Slug,
    },
    /// The stored story is newer than the input; nothing was written.
    SkippedOlder {
        slug: Slug,
        stored_version: i64,
    },
    /// The item is exactly what was imported last time; nothing was written.
    SkippedUnchanged {
        slug: Slug,
    },
    /// The newsroom changed the story since it was imported (an edit, a status change, a
    /// correction, its photo); nothing was written.
    SkippedEdited {
        slug: Slug,
    },
    /// The story was imported before Byline recorded what imports bring, so whether the
    /// newsroom changed it since is unknown; only a newer version of the item (or
    /// `--overwrite`) replaces it. Nothing was written.
    SkippedUnknown {
        slug: Slug,
    },
}

/// Which public stories a listing shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    All,
    Section(Slug),
    Tag(Slug),
    Author(Slug),
}

/// A page of a listing, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub listing: Listing,
    pub limit: u32,
    pub offset: u32,
    /// Stories published after this instant are not yet public.
    pub now: DateTime<Utc>,
}

/// One page of cards, and whether more follow.
#[derive(Debug, Clone, PartialEq)]
pub struct CardPage {
    pub cards: Vec<StoryCard>,
    pub has_more: bool,
}

/// A pending newsletter subscription, with its consent record.
#[derive(Debug, Clone)]
pub struct NewSubscriber {
    pub email: Email,
    /// The page the reader signed up on.
    pub source: String,
    pub consented_at: DateTime<Utc>,
    /// The reader's IP address, hashed with the site's secret: evidence of the consent that
    /// does not keep the address.
    pub ip_hash: Option<String>,
}

/// What signing up did. The reader is told the same thing either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscribeOutcome {
    /// A new pending subscriber (or one who had unsubscribed and signs up again): ask them to
    /// confirm.
    Added,
    /// Signed up before and not confirmed yet: the consent record is renewed; ask again.
    StillPending,
    /// Signed up again within [`ASK_AGAIN_AFTER`] of the last request: the mail already sent
    /// stands, so that sign-ups from many places cannot flood one inbox.
    JustAsked,
    /// Already confirmed, or an address that bounces: nothing is sent.
    AlreadyKnown,
}

/// How long after a confirmation mail a sign-up of the same pending address sends another.
pub const ASK_AGAIN_AFTER: chrono::Duration = chrono::Duration::minutes(15);

/// A story as the admin's lists show it, whatever its status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminStoryRow {
    pub id: StoryId,
    pub slug: Slug,
    pub headline: Headline,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

/// A section as the admin creates or changes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SectionEdit {
    pub id: Option<crate::ids::SectionId>,
    pub slug: Slug,
    pub name: String,
    pub description: String,
    pub position: i64,
    /// The section it sits under; none at the top level.
    pub parent: Option<crate::ids::SectionId>,
}

/// The admin's story list: filters (all optional), order and page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdminQuery {
    pub status: Option<Status>,
    pub section: Option<Slug>,
    /// Part of an author's name.
    pub author: Option<String>,
    /// Part of the headline or standfirst.
    pub text: Option<String>,
    pub order: AdminOrder,
    pub limit: u32,
    pub offset: u32,
    /// For a member who may not see others' unpublished work: only their own stories and
    /// published ones are listed.
    pub own_or_public: Option<crate::accounts::UserId>,
}

/// How the admin's story list is sorted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AdminOrder {
    /// Most recently changed first.
    #[default]
    Changed,
    /// Soonest publication first: the schedule.
    PublicationSoonest,
    /// Latest publication first.
    PublicationLatest,
    Headline,
}

impl AdminOrder {
    pub const ALL: [AdminOrder; 4] = [
        AdminOrder::Changed,
        AdminOrder::PublicationSoonest,
        AdminOrder::PublicationLatest,
        AdminOrder::Headline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AdminOrder::Changed => "changed",
            AdminOrder::PublicationSoonest => "soonest",
            AdminOrder::PublicationLatest => "latest",
            AdminOrder::Headline => "headline",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            AdminOrder::Changed => "Last changed",
            AdminOrder::PublicationSoonest => "Publication time, soonest first",
            AdminOrder::PublicationLatest => "Publication time, latest first",
            AdminOrder::Headline => "Headline A–Z",
        }
    }

    pub fn parse(text: &str) -> Option<AdminOrder> {
        AdminOrder::ALL.into_iter().find(|o| o.as_str() == text)
    }
}

/// A subscriber as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    pub email: Email,
    /// `pending`, `active`, `unsubscribed` or `bounced`.
    pub status: String,
    pub source: String,
    pub consented_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
    /// Permanent delivery failures in a row.
    pub bounces: u32,
}

/// How a store's connection pool is used at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolUse {
    pub open: u32,
    pub idle: u32,
}

/// The whole storage contract. Every method is one transaction.
#[async_trait]
pub trait Store:
    AccountStore
    + EditorialStore
    + crate::library::LibraryStore
    + crate::library::RenditionQueue
    + crate::newsletter::SubscriberStore
    + crate::newsletter::OutboxStore
    + crate::newsletter::NewsletterDesk
    + crate::integrations::IntegrationStore
    + crate::calendar::CalendarStore
    + crate::search::SearchSource
    + crate::views::ViewStore
    + crate::redirects::RedirectStore
    + Send
    + Sync
    + 'static
{
    /// Answers when the store can serve queries.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Brings the database's statistics up to date after a large write (an import), so that
    /// the next queries are planned for the tables' new sizes rather than their old ones.
    async fn refresh_statistics(&self) -> Result<(), StoreError>;

    /// Creates or updates a story (by external id), its section, tags, authors and picture.
    async fn save_story(&self, input: StoryInput) -> Result<SaveOutcome, StoreError>;

    /// Saves `inputs` as [`Store::save_story`] saves each, in one transaction: an input that
    /// fails (or is a dry run) is rolled back alone and answered on its own, the rest are
    /// written together. `Err` when the transaction itself fails: then nothing of it is
    /// written.
    async fn save_stories(
        &self,
        inputs: Vec<StoryInput>,
    ) -> Result<Vec<Result<SaveOutcome, StoreError>>, StoreError>;

    /// Any story by slug, whatever its status; callers decide what readers may see.
    async fn story_by_slug(&self, slug: &Slug) -> Result<Option<Story>, StoreError>;

    /// Public stories of a listing, newest first.
    async fn list_cards(&self, query: &ListQuery) -> Result<CardPage, StoreError>;

    /// The editor's picks that are public at `now`, in the editor's order.
    async fn picks(&self, now: DateTime<Utc>) -> Result<Vec<StoryCard>, StoreError>;

    /// Replaces the editor's picks; every slug must name an existing story.
    async fn set_picks(&self, slugs: &[Slug], now: DateTime<Utc>) -> Result<(), StoreError>;

    /// Sections in navigation order.
    async fn sections(&self) -> Result<Vec<Section>, StoreError>;
    /// Creates (`id` none) or changes a section; a slug in use by another is a `Conflict`.
    async fn save_section(&self, edit: SectionEdit, now: DateTime<Utc>) -> Result<(), StoreError>;
    /// Every tag with how many stories carry it, by name.
    async fn tags(&self) -> Result<Vec<(Tag, u64)>, StoreError>;
    /// Renames a tag; its slug (and so its URL) stays.
    async fn rename_tag(
        &self,
        slug: &Slug,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The story an editor chose to lead the front page, while it is public at `now`.
    async fn home_lead(&self, now: DateTime<Utc>) -> Result<Option<StoryCard>, StoreError>;
    /// Chooses (or with `None` clears) the front page's lead story.
    async fn set_home_lead(
        &self,
        slug: Option<&Slug>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn section(&self, slug: &Slug) -> Result<Option<Section>, StoreError>;
    async fn tag(&self, slug: &Slug) -> Result<Option<Tag>, StoreError>;
    async fn author(&self, slug: &Slug) -> Result<Option<Author>, StoreError>;

    /// Stories in any status (or one), most recently changed first, with whether more follow.
    async fn admin_stories(
        &self,
        query: &AdminQuery,
    ) -> Result<(Vec<AdminStoryRow>, bool), StoreError>;

    /// Changes to the public site after change `after`, oldest first: (change id, keys).
    async fn changes_since(
        &self,
        after: crate::ids::ChangeId,
    ) -> Result<Vec<(crate::ids::ChangeId, Vec<crate::changes::CacheKey>)>, StoreError>;
    /// The id of the newest change (0 when none).
    async fn last_change(&self) -> Result<crate::ids::ChangeId, StoreError>;
    /// Returns when a change may have been recorded by any process, or after `within` at the
    /// latest. A store that can be told (PostgreSQL's `LISTEN`) returns as soon as a change
    /// commits, and also after it lost and regained its connection (so the caller reads the
    /// log again); others just wait.
    async fn wait_for_changes(&self, within: std::time::Duration);

    /// How many stories exist, in any status.
    async fn story_count(&self) -> Result<u64, StoreError>;

    /// Sets an author's biography (`keep_existing`: only where it has none yet, as an import
    /// does); whether it changed. Announced as a change to the author's page.
    async fn set_author_bio(
        &self,
        slug: &Slug,
        bio: &str,
        keep_existing: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError>;

    /// Every one of the site's pages, in any status (a site has tens, not thousands).
    async fn pages(&self) -> Result<Vec<crate::pages::PageEntry>, StoreError>;

    /// Every menu, by name.
    async fn menus(&self) -> Result<Vec<crate::menus::Menu>, StoreError>;

    /// Adds or replaces the menu with `menu.slug`; a location it takes is taken from the
    /// menu that had it. Announced as a change to what every page shows.
    async fn save_menu(
        &self,
        menu: &crate::menus::Menu,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Removes a menu (a location it had shows the theme's default again).
    async fn delete_menu(&self, slug: &Slug, now: DateTime<Utc>) -> Result<(), StoreError>;

    /// Every table that makes up the site — stories, revisions, users, settings, subscribers
    /// and the rest, but not sessions, sign-in attempts or the change log — rows by key.
    async fn dump_site(&self) -> Result<Vec<crate::archive::TableRows>, StoreError>;
    /// Writes a dumped site into this store in one transaction. Refused (`Conflict`) when the
    /// store already holds a site, and (`Invalid`) when a table or column is not this schema's.
    async fn restore_site(&self, tables: &[crate::archive::TableRows]) -> Result<(), StoreError>;

    /// Scheduled jobs not yet run.
    async fn pending_jobs(&self) -> Result<u64, StoreError>;
    /// The connection pool now: connections open, and how many of them are idle.
    fn connections(&self) -> PoolUse;

    /// Records a pending subscriber: a new address, one that had unsubscribed, or a pending
    /// one (whose consent record is renewed).
    async fn add_subscriber(
        &self,
        subscriber: NewSubscriber,
    ) -> Result<SubscribeOutcome, StoreError>;

    /// The subscriber with this address, if any.
    async fn find_subscriber(&self, email: &Email) -> Result<Option<Subscriber>, StoreError>;
}
