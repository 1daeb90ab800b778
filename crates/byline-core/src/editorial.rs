//! What the story editor loads and saves, and the storage contract for the editorial workflow.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::accounts::UserId;
use crate::ids::StoryId;
use crate::picture::Picture;
use crate::slug::Slug;
use crate::store::{SectionRef, StoreError};
use crate::story::{Author, Headline, SafeHtml, Section, Status, Story, Tag};

/// How the writer wrote the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormat {
    Markdown,
    /// Pasted or imported HTML (sanitized before it is stored).
    Html,
}

impl BodyFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            BodyFormat::Markdown => "markdown",
            BodyFormat::Html => "html",
        }
    }

    pub fn parse(text: &str) -> Option<BodyFormat> {
        match text {
            "markdown" => Some(BodyFormat::Markdown),
            "html" => Some(BodyFormat::Html),
            _ => None,
        }
    }
}

/// A story as the editor shows it, whatever its status.
#[derive(Debug, Clone, Serialize)]
pub struct EditorStory {
    pub id: StoryId,
    pub kind: crate::pages::StoryKind,
    /// Where a page sits among the site's pages (a story's is the default).
    #[serde(skip)]
    pub place: crate::pages::PagePlace,
    pub slug: Slug,
    pub headline: Headline,
    pub standfirst: Option<String>,
    pub body_source: String,
    pub body_format: BodyFormat,
    pub section: Option<Section>,
    pub tags: Vec<Tag>,
    pub authors: Vec<Author>,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub first_published_at: Option<DateTime<Utc>>,
    pub embargo_until: Option<DateTime<Utc>>,
    /// Bumped by every save; the editor sends it back to detect a lost update.
    pub revision: i64,
    pub created_by: Option<UserId>,
    /// The private preview link's token and until when it works; a story has one when its
    /// draft was created in the editor or an editor made one, and loses it when it is
    /// published or taken down (the public address takes over).
    pub preview_token: Option<String>,
    pub preview_expires_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
    pub lead_picture: Option<Picture>,
    pub seo: crate::story::Seo,
}

/// The editor's fields, checked and rendered, as one save writes them.
#[derive(Debug, Clone)]
pub struct StoryFields {
    pub headline: Headline,
    pub standfirst: Option<String>,
    pub body_source: String,
    pub body_format: BodyFormat,
    pub body_html: SafeHtml,
    pub summary: String,
    pub section: Option<SectionRef>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub language: String,
    pub slug: Slug,
    pub seo: crate::story::Seo,
    /// For a page, where it sits among the site's pages; `None` for a story. A draft made
    /// with a place is a page; a save never changes what a story is.
    pub place: Option<crate::pages::PagePlace>,
}

/// A save from the editor by `user`, made against revision `expected_revision`.
#[derive(Debug, Clone)]
pub struct StoryEdit {
    pub fields: StoryFields,
    pub expected_revision: i64,
    pub user: UserId,
    pub now: DateTime<Utc>,
}

/// What a save did.
#[derive(Debug, Clone)]
pub enum EditOutcome {
    Saved {
        revision: i64,
        slug: Slug,
    },
    /// Someone saved since the editor was opened; nothing was written.
    Conflict(Box<EditorStory>),
}

/// A private preview link: a random token that works until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviewLink {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// One saved state of a story.
#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub number: i64,
    /// The member who saved it, if a member did.
    pub author: Option<String>,
    /// Where it came from when no member saved it ("import: FILE").
    pub source: Option<String>,
    pub created_at: DateTime<Utc>,
    pub headline: String,
    pub standfirst: Option<String>,
    pub body_source: String,
    pub body_format: BodyFormat,
    /// What changed, in words.
    pub summary: String,
}

/// A dated correction note shown under the article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    pub created_at: DateTime<Utc>,
    pub note: String,
}

/// A status change the workflow allowed, as the store applies it.
#[derive(Debug, Clone, Copy)]
pub struct StatusChange {
    /// The status the decision was made on; if the story moved since, nothing is written.
    pub from: Status,
    pub to: Status,
    /// For `Scheduled`: when to publish.
    pub at: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// What a save changes, in words for the revision list ("headline, body"): the names of the
/// fields that differ between the stored story and the save.
pub fn changed_fields(before: &EditorStory, after: &StoryFields) -> String {
    let mut changed = Vec::new();
    if before.headline != after.headline {
        changed.push("headline");
    }
    if before.standfirst != after.standfirst {
        changed.push("standfirst");
    }
    if before.body_source != after.body_source || before.body_format != after.body_format {
        changed.push("body");
    }
    if before.seo != after.seo {
        changed.push("search title and description");
    }
    if before.section.as_ref().map(|s| &s.slug) != after.section.as_ref().map(|s| &s.slug) {
        changed.push("section");
    }
    if before
        .tags
        .iter()
        .map(|t| t.name.as_str())
        .ne(after.tags.iter().map(String::as_str))
    {
        changed.push("tags");
    }
    if before
        .authors
        .iter()
        .map(|a| a.name.as_str())
        .ne(after.authors.iter().map(String::as_str))
    {
        changed.push("authors");
    }
    if before.slug != after.slug {
        changed.push("slug");
    }
    if changed.is_empty() {
        "no changes".to_owned()
    } else {
        changed.join(", ")
    }
}

/// The editorial workflow's storage. Every method is one transaction.
#[async_trait]
pub trait EditorialStore: Send + Sync {
    /// Creates a draft owned by `user`, with revision 1.
    async fn create_draft(
        &self,
        fields: StoryFields,
        user: UserId,
        preview: &PreviewLink,
        now: DateTime<Utc>,
    ) -> Result<StoryId, StoreError>;
    async fn editor_story(&self, id: StoryId) -> Result<Option<EditorStory>, StoreError>;
    /// Saves the editor's fields as a new revision, unless someone saved since.
    async fn save_edit(&self, id: StoryId, edit: StoryEdit) -> Result<EditOutcome, StoreError>;
    /// Applies a workflow move; a scheduled story gets a publication job.
    async fn change_status(&self, id: StoryId, change: StatusChange) -> Result<(), StoreError>;
    /// Publishes every scheduled story whose time has come; returns them.
    async fn publish_due(&self, now: DateTime<Utc>) -> Result<Vec<StoryId>, StoreError>;
    /// When the next scheduled publication is due, if any.
    async fn next_due(&self) -> Result<Option<DateTime<Utc>>, StoreError>;
    async fn revisions(&self, id: StoryId) -> Result<Vec<Revision>, StoreError>;
    async fn add_correction(
        &self,
        id: StoryId,
        user: UserId,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    async fn corrections(&self, id: StoryId) -> Result<Vec<Correction>, StoreError>;
    /// The story a preview link shows at `now`: the link must be live and the story neither
    /// published nor taken down.
    async fn story_by_preview_token(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Story>, StoreError>;
    /// Replaces the story's preview link (the old one stops working) or, with `None`, ends it.
    async fn set_preview_link(
        &self,
        id: StoryId,
        link: Option<&PreviewLink>,
    ) -> Result<(), StoreError>;
    /// Replaces (or with `None` removes) a story's lead picture. The picture joins the media
    /// library if it is new there; when the desk describes it, the credit and alt text given
    /// replace the library's for every story that uses the picture; the caption is this
    /// story's own.
    async fn set_lead_picture(
        &self,
        id: StoryId,
        picture: Option<Picture>,
        describing: crate::library::Describing,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The current slug of a story that used to live at `old`.
    async fn redirect_for(&self, old: &Slug) -> Result<Option<Slug>, StoreError>;
}
