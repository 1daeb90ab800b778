//! The media library: every picture stored once, with its credit, reused by any number of
//! stories (each with its own caption), and the queue of rendition work.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::ids::{PictureId, StoryId};
use crate::picture::{Focus, Picture};
use crate::slug::Slug;
use crate::store::StoreError;
use crate::story::Headline;

/// A picture in the library; `picture.caption` is the caption a new use starts from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LibraryPicture {
    pub id: PictureId,
    pub picture: Picture,
    pub added_at: DateTime<Utc>,
    /// How many stories use it as their lead picture.
    pub uses: u64,
    /// Added to the library for everyone (its upload form), not only as a story's photo.
    pub shared: bool,
}

/// A story that uses a picture, for the library to list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PictureUse {
    pub story: StoryId,
    pub slug: Slug,
    pub headline: Headline,
    /// The caption this story shows, when it has its own.
    pub caption: Option<String>,
    /// Whether readers can see the story.
    pub published: bool,
    pub created_by: Option<crate::accounts::UserId>,
}

impl PictureUse {
    /// Whether a member (`role`, `me`) may know of this use: the story is public, theirs, or
    /// they may see others' work.
    pub fn seen_by(&self, role: crate::access::Role, me: crate::accounts::UserId) -> bool {
        self.published || self.created_by == Some(me) || crate::workflow::sees_others_work(role)
    }
}

/// Whether a member may see a library picture at all: one added to the library for everyone,
/// or one a story they may see uses. A photo that came in with someone's unpublished story
/// (its caption and alt text are that story's) is theirs and the desk's until it goes out.
pub fn picture_seen_by(
    shared: bool,
    uses: &[PictureUse],
    role: crate::access::Role,
    me: crate::accounts::UserId,
) -> bool {
    shared || crate::workflow::sees_others_work(role) || uses.iter().any(|u| u.seen_by(role, me))
}

/// A page of the library, newest first, matching `search` in caption, credit or keywords.
#[derive(Debug, Clone, Default)]
pub struct LibraryQuery {
    pub search: Option<String>,
    pub page: u32,
    pub per_page: u32,
    /// For a member who may not see others' unpublished work: pictures that only came in
    /// with such work are left out (see [`picture_seen_by`]).
    pub visible_to: Option<crate::accounts::UserId>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LibraryPage {
    pub pictures: Vec<LibraryPicture>,
    pub total: u64,
}

/// What the desk edits of a picture itself, for every story that uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PictureEdit {
    pub credit: Option<String>,
    pub caption: Option<String>,
    pub alt: Option<String>,
    pub keywords: Vec<String>,
    pub focus: Focus,
}

/// Why a picture could not be deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeleteOutcome {
    Deleted,
    /// Stories still use it; nothing was changed.
    InUse(u64),
}

/// A claimed request to make a picture's renditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenditionJob {
    pub id: crate::ids::JobId,
    pub picture: PictureId,
    /// The original's key in the media store.
    pub key: String,
    pub focus: Focus,
    /// Tries so far, this one included.
    pub attempts: u32,
}

/// Whose words come with a picture a member adds or sets as a story's lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Describing {
    /// The photo desk's (a member who may manage pictures): the credit and alt text given (and
    /// a library upload's caption) replace the library's, for every story using the picture.
    Desk,
    /// Anyone else's: they describe a picture new to the library, but one it already has keeps
    /// its words, since other stories show them.
    GapsOnly,
}

/// The storage contract of the media library.
#[async_trait]
pub trait LibraryStore: Send + Sync {
    /// Adds a picture to the library, or returns the one already stored at the same place,
    /// its credit, alt text and caption replaced by those given when the desk gives them.
    /// Local raster pictures get a rendition job.
    async fn add_picture(
        &self,
        picture: &Picture,
        describing: Describing,
        now: DateTime<Utc>,
    ) -> Result<PictureId, StoreError>;
    async fn library(&self, query: &LibraryQuery) -> Result<LibraryPage, StoreError>;
    async fn library_picture(&self, id: PictureId) -> Result<Option<LibraryPicture>, StoreError>;
    /// The library's entry for the picture stored under a media key.
    async fn library_picture_at(&self, key: &str) -> Result<Option<LibraryPicture>, StoreError>;
    /// The library's picture stored under `STEM.EXTENSION` for one of `extensions` (a
    /// rendition's key names the stem only), in one lookup.
    async fn picture_of_stem(
        &self,
        stem: &str,
        extensions: &[&str],
    ) -> Result<Option<Picture>, StoreError>;
    async fn picture_uses(&self, id: PictureId) -> Result<Vec<PictureUse>, StoreError>;
    /// Changes a picture for every story that uses it; a moved focus queues new crops.
    async fn edit_picture(
        &self,
        id: PictureId,
        edit: PictureEdit,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// Deletes a picture no story uses; returns its media key so its files can go too.
    async fn delete_picture(&self, id: PictureId) -> Result<(DeleteOutcome, String), StoreError>;
    /// Makes a library picture the story's lead, with this use's caption.
    async fn use_picture(
        &self,
        story: StoryId,
        id: PictureId,
        caption: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}

/// The queue of rendition work: a job per picture that needs its sizes made, queued in the
/// transaction that adds the picture or moves its focus.
#[async_trait]
pub trait RenditionQueue: Send + Sync {
    /// Takes the oldest due rendition job for `lease`; a worker that dies holding it loses it
    /// when the lease runs out, and another takes it over.
    async fn claim_rendition_job(
        &self,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<Option<RenditionJob>, StoreError>;
    /// Records a job's outcome: done, or failed with the reason (retried later, given up after
    /// a few tries).
    async fn finish_rendition_job(
        &self,
        id: crate::ids::JobId,
        outcome: Result<(), String>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
}
