//! What the API sends and takes, as Rust types: the OpenAPI description is generated from
//! these, so it cannot drift from what the handlers do.

use byline_core::editorial::EditorStory;
use byline_core::{Author, Picture, Section, Story, Tag};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// An error, as RFC 9457 problem details.
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// The HTTP status's name.
    pub title: String,
    pub status: u16,
    /// What went wrong, in words for the person reading the log.
    pub detail: String,
    /// The field or parameter to change, when one is at fault.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// On a conflict: the story's current revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<i64>,
}

/// Turns the site's relative addresses into absolute ones.
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    pub base_url: &'a str,
}

impl Site<'_> {
    pub fn absolute(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base_url)
        }
    }

    /// Where a story (or one of the site's pages) lives.
    pub fn story_url(&self, kind: byline_core::StoryKind, slug: &byline_core::Slug) -> String {
        let path = byline_render::views::paths::of(kind, slug);
        format!("{}{path}", self.base_url)
    }

    /// A story's permanent identifier: its address in the API, which its slug does not change.
    pub fn story_uri(&self, id: byline_core::StoryId) -> String {
        format!("{}/api/v1/stories/{id}", self.base_url)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionOut {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub url: String,
    /// In the list of sections: the slug of the section it sits under, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
}

impl SectionOut {
    pub fn of(section: &Section, site: Site<'_>) -> SectionOut {
        SectionOut {
            slug: section.slug.to_string(),
            name: section.name.clone(),
            description: section.description.clone(),
            url: site.absolute(&format!("/section/{}", section.slug)),
            parent: None,
        }
    }

    /// Every section of `all`, each with the slug of the section it sits under.
    pub fn list(all: &[Section], site: Site<'_>) -> Vec<SectionOut> {
        let slugs: std::collections::HashMap<_, _> =
            all.iter().map(|s| (s.id, s.slug.to_string())).collect();
        all.iter()
            .map(|section| SectionOut {
                parent: section.parent.and_then(|id| slugs.get(&id).cloned()),
                ..SectionOut::of(section, site)
            })
            .collect()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagOut {
    pub slug: String,
    pub name: String,
    pub url: String,
    /// Public and unpublished stories filed under it (in the tag list only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stories: Option<u64>,
}

impl TagOut {
    pub fn of(tag: &Tag, stories: Option<u64>, site: Site<'_>) -> TagOut {
        TagOut {
            slug: tag.slug.to_string(),
            name: tag.name.clone(),
            url: site.absolute(&format!("/tag/{}", tag.slug)),
            stories,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorOut {
    pub slug: String,
    pub name: String,
    pub url: String,
}

impl AuthorOut {
    pub fn of(author: &Author, site: Site<'_>) -> AuthorOut {
        AuthorOut {
            slug: author.slug.to_string(),
            name: author.name.clone(),
            url: site.absolute(&format!("/author/{}", author.slug)),
        }
    }
}

/// A picture with its credit, as the site prints it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PictureOut {
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub credit: Option<String>,
    pub caption: Option<String>,
    pub alt: Option<String>,
}

impl PictureOut {
    pub fn of(picture: &Picture, site: Site<'_>) -> PictureOut {
        PictureOut {
            url: site.absolute(&picture.url()),
            width: picture.width,
            height: picture.height,
            credit: picture.credit.clone(),
            caption: picture.caption.clone(),
            alt: picture.alt.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CorrectionOut {
    pub at: DateTime<Utc>,
    pub note: String,
}

/// A public story.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoryOut {
    pub id: i64,
    /// Its permanent identifier (its address in this API).
    pub uri: String,
    pub slug: String,
    /// Its page on the site.
    pub url: String,
    pub headline: String,
    pub standfirst: Option<String>,
    /// The body as sanitized HTML.
    pub body_html: String,
    /// Plain text for excerpts.
    pub summary: String,
    pub section: Option<SectionOut>,
    pub tags: Vec<TagOut>,
    pub authors: Vec<AuthorOut>,
    pub byline: Option<String>,
    /// BCP 47 language tag.
    pub language: String,
    pub published_at: Option<DateTime<Utc>>,
    /// The last change readers can see (an edit or a correction).
    pub updated_at: DateTime<Utc>,
    pub lead_picture: Option<PictureOut>,
    pub corrections: Vec<CorrectionOut>,
}

impl StoryOut {
    pub fn of(story: &Story, site: Site<'_>) -> StoryOut {
        StoryOut {
            id: story.id.0,
            uri: site.story_uri(story.id),
            slug: story.slug.to_string(),
            url: site.story_url(story.kind, &story.slug),
            headline: story.headline.as_str().to_owned(),
            standfirst: story.standfirst.clone(),
            body_html: story.body.as_str().to_owned(),
            summary: story.summary.clone(),
            section: story.section.as_ref().map(|s| SectionOut::of(s, site)),
            tags: story
                .tags
                .iter()
                .map(|t| TagOut::of(t, None, site))
                .collect(),
            authors: story
                .authors
                .iter()
                .map(|a| AuthorOut::of(a, site))
                .collect(),
            byline: story.byline.clone(),
            language: story.language.clone(),
            published_at: story.published_at,
            updated_at: story.updated_at,
            lead_picture: story.lead_picture.as_ref().map(|p| PictureOut::of(p, site)),
            corrections: story
                .corrections
                .iter()
                .map(|c| CorrectionOut {
                    at: c.created_at,
                    note: c.note.clone(),
                })
                .collect(),
        }
    }
}

/// One page of stories, and the address of the next.
#[derive(Debug, Serialize, ToSchema)]
pub struct StoryPage {
    pub items: Vec<StoryOut>,
    /// The URL of the next page, or null on the last.
    pub next: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionList {
    pub items: Vec<SectionOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub items: Vec<TagOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorList {
    pub items: Vec<AuthorOut>,
}

/// The story list's filters and position.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StoryListParams {
    /// Only stories in this section (its slug).
    #[param(max_length = 200)]
    pub section: Option<String>,
    /// Only stories with this tag (its slug).
    #[param(max_length = 200)]
    pub tag: Option<String>,
    /// Only stories by this author (their slug).
    #[param(max_length = 200)]
    pub author: Option<String>,
    /// Only stories changed at or after this time, oldest change first (to follow changes).
    pub updated_since: Option<DateTime<Utc>>,
    /// Stories per page: 1 to 100, default 20.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
    /// Where the page starts: the `next` link of the page before carries it.
    #[param(max_length = 100)]
    pub cursor: Option<String>,
}

/// A story as the newsroom edits it, whatever its status.
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftOut {
    pub id: i64,
    pub slug: String,
    pub headline: String,
    pub standfirst: Option<String>,
    /// The body as the writer wrote it.
    pub body: String,
    pub body_format: BodyFormatIn,
    pub section: Option<String>,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    /// draft, in_review, scheduled, published or unpublished.
    pub status: String,
    pub published_at: Option<DateTime<Utc>>,
    pub embargo_until: Option<DateTime<Utc>>,
    /// Bumped by every save; send it back as `If-Match` (the ETag) to save.
    pub revision: i64,
    pub updated_at: DateTime<Utc>,
    pub lead_picture: Option<PictureOut>,
    /// Its own title and description for search engines, when it has them.
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    /// Its public page, once published.
    pub url: Option<String>,
}

impl DraftOut {
    pub fn of(story: &EditorStory, site: Site<'_>) -> DraftOut {
        DraftOut {
            id: story.id.0,
            slug: story.slug.to_string(),
            headline: story.headline.as_str().to_owned(),
            standfirst: story.standfirst.clone(),
            body: story.body_source.clone(),
            body_format: match story.body_format {
                byline_core::editorial::BodyFormat::Markdown => BodyFormatIn::Markdown,
                byline_core::editorial::BodyFormat::Html => BodyFormatIn::Html,
            },
            section: story.section.as_ref().map(|s| s.name.clone()),
            tags: story.tags.iter().map(|t| t.name.clone()).collect(),
            authors: story.authors.iter().map(|a| a.name.clone()).collect(),
            status: story.status.as_str().to_owned(),
            published_at: story.published_at,
            embargo_until: story.embargo_until,
            revision: story.revision,
            updated_at: story.updated_at,
            lead_picture: story.lead_picture.as_ref().map(|p| PictureOut::of(p, site)),
            seo_title: story.seo.title.clone(),
            seo_description: story.seo.description.clone(),
            url: (story.status == byline_core::Status::Published)
                .then(|| site.story_url(story.kind, &story.slug)),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BodyFormatIn {
    #[default]
    Markdown,
    Html,
}

/// A story's fields, to create a draft or replace a story's text.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftIn {
    #[schema(min_length = 1, max_length = 300)]
    pub headline: String,
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub standfirst: Option<String>,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub body_format: BodyFormatIn,
    /// The section's name (an administrator's token may name a new one).
    #[serde(default)]
    #[schema(max_length = 100)]
    pub section: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub authors: Vec<String>,
    /// The address's last part; empty keeps the current one (a new story's comes from the
    /// headline).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub slug: Option<String>,
    /// BCP 47 language tag; the site's by default.
    #[serde(default)]
    #[schema(max_length = 35)]
    pub language: Option<String>,
    /// The page's title in search results and link previews; empty: the headline; left out,
    /// a saved story keeps its own.
    #[serde(default)]
    #[schema(max_length = 300)]
    pub seo_title: Option<String>,
    /// The page's description in search results and link previews; empty: the summary; left
    /// out, a saved story keeps its own.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub seo_description: Option<String>,
}

/// A move through the workflow.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransitionIn {
    Submit,
    Schedule,
    Publish,
    Unpublish,
    ReturnToDraft,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusIn {
    pub transition: TransitionIn,
    /// For `schedule`: when to publish.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionIn {
    /// What was wrong and what is right.
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LeadPictureIn {
    /// A picture of the media library.
    #[serde(deserialize_with = "whole_number")]
    pub picture_id: i64,
    /// This story's caption; the library's when none is given.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub caption: Option<String>,
}

/// An integer as JSON Schema counts them: `7` or `7.0`, not `7.5`.
pub(crate) fn whole_number<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<i64, D::Error> {
    let value = serde_json::Number::deserialize(deserializer)?;
    if let Some(n) = value.as_i64() {
        return Ok(n);
    }
    match value.as_f64() {
        Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        _ => Err(serde::de::Error::custom(format!(
            "{value} is not a whole number"
        ))),
    }
}
