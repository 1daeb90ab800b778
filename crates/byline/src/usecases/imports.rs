//! Stories from a source (a wire item, an archive, the demo): every such write goes through
//! [`import_item`].

use byline_core::access::{Ownership, Permission};
use byline_core::library::Describing;
use byline_core::redirects::{Destination, OldAddress};
use byline_core::store::{ImportOrigin, SaveOutcome, SectionRef, StoryInput};
use byline_core::story::byline_names;
use byline_core::{Headline, Picture, PictureSource, RawBody, Seo, Slug, Status};
use byline_render::{html, plain_text, sanitize};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::{Actor, Newsroom, Outcome};

/// A story as a source (an import, the demo, later the editor) hands it over.
#[derive(Debug, Clone)]
pub struct Draft {
    pub external_id: Option<String>,
    /// The identities earlier versions of Byline gave the same item.
    pub former_external_ids: Vec<String>,
    pub version: Option<i64>,
    pub headline: Headline,
    /// The address the source gave the story (kept when it is free), else one from the
    /// headline.
    pub slug: Option<Slug>,
    pub standfirst: Option<String>,
    pub body: RawBody,
    pub section: Option<SectionRef>,
    pub tags: Vec<String>,
    pub byline: Option<String>,
    pub language: String,
    pub status: Status,
    pub published_at: Option<DateTime<Utc>>,
    pub embargo_until: Option<DateTime<Utc>>,
    pub lead_picture: Option<Picture>,
    /// The source's own title and description for search engines.
    pub seo: Seo,
    pub updated_at: DateTime<Utc>,
    /// Named in the revision the save writes ("import: FILE", "demo").
    pub source: String,
    /// Replace a story the newsroom changed since its import.
    pub overwrite: bool,
    /// Where the story lived on the site it comes from ([`byline_core::redirects`] keys).
    pub old_addresses: Vec<String>,
    /// Answer what the save would do, and write nothing.
    pub dry_run: bool,
    /// One of the site's own pages and where it sits among them; `None` for a story.
    pub page: Option<byline_core::pages::ImportedPage>,
    /// The source gives no time of its own: `published_at` and `updated_at` are the import's,
    /// so they neither count as a change nor move a story that exists.
    pub undated: bool,
}

impl Draft {
    /// A digest of everything the draft brings, so that an item imported again unchanged is
    /// recognised (and skipped) whatever else happened meanwhile.
    pub fn fingerprint(&self) -> String {
        let mut hash = Sha256::new();
        let mut field = |text: &str| {
            hash.update((text.len() as u64).to_le_bytes());
            hash.update(text.as_bytes());
        };
        let time =
            |t: Option<DateTime<Utc>>| t.map(|t| t.timestamp().to_string()).unwrap_or_default();
        let body = match &self.body {
            RawBody::Html(html) => format!("html:{html}"),
            RawBody::Text(text) => format!("text:{text}"),
            RawBody::Empty => String::new(),
        };
        field(&self.external_id.clone().unwrap_or_default());
        field(&self.version.map(|v| v.to_string()).unwrap_or_default());
        field(self.headline.as_str());
        // Only a source that names addresses adds them, so earlier digests stay the same.
        if let Some(slug) = &self.slug {
            field(slug.as_str());
        }
        if !self.old_addresses.is_empty() {
            field(&self.old_addresses.join("\u{1f}"));
        }
        field(self.standfirst.as_deref().unwrap_or_default());
        field(&body);
        field(
            &self
                .section
                .as_ref()
                .map(|s| format!("{}:{}", s.slug, s.name))
                .unwrap_or_default(),
        );
        field(&self.tags.join("\u{1f}"));
        // Only a source with its own words for search engines adds them, nor does a section
        // with no parent named: earlier digests stay the same.
        if !self.seo.is_empty() {
            field(self.seo.title.as_deref().unwrap_or_default());
            field(self.seo.description.as_deref().unwrap_or_default());
        }
        let mut above = self
            .section
            .as_ref()
            .map(|s| s.lineage())
            .unwrap_or_default();
        if above.len() > 1 {
            above.remove(0);
            field(
                &above
                    .iter()
                    .map(|s| s.slug.as_str())
                    .collect::<Vec<_>>()
                    .join("/"),
            );
        }
        field(self.byline.as_deref().unwrap_or_default());
        field(&self.language);
        field(self.status.as_str());
        if !self.undated {
            field(&time(self.published_at));
            field(&time(Some(self.updated_at)));
        }
        field(&time(self.embargo_until));
        // Only a page adds its place, so stories' digests stay the same.
        if let Some(page) = &self.page {
            field(&format!(
                "page:{}:{}",
                page.parent.as_deref().unwrap_or_default(),
                page.position
            ));
        }
        match &self.lead_picture {
            Some(p) => {
                field(&p.url());
                for text in [&p.credit, &p.caption, &p.alt] {
                    field(text.as_deref().unwrap_or_default());
                }
            }
            None => field("no picture"),
        }
        hash.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Sanitizes the body, derives slug, summary and authors, and saves in one transaction. A
/// story "published" with a time still to come is scheduled (core's [`Status::at`]). Needs
/// the right to publish anyone's story (the system, editors and administrators).
pub async fn import_item(
    nr: &Newsroom,
    actor: Actor<'_>,
    draft: Draft,
    now: DateTime<Utc>,
) -> Outcome<SaveOutcome> {
    actor.require(Permission::Publish, Ownership::Others)?;
    let input = story_input(actor, draft, now)?;
    Ok(nr.store().save_story(input).await?)
}

/// Brings the store's statistics up to date after an import wrote many stories, so that the
/// site's listings are planned for its new size at once. Needs the right to publish anyone's
/// story, as importing does.
pub async fn refresh_statistics(nr: &Newsroom, actor: Actor<'_>) -> Outcome<()> {
    actor.require(Permission::Publish, Ownership::Others)?;
    nr.store().refresh_statistics().await?;
    Ok(())
}

/// Saves many drafts as [`import_item`] saves one, in one transaction: each draft is answered
/// on its own (one that fails is rolled back alone), and nothing is written unless the whole
/// transaction is (`Err`). Needs the right to publish anyone's story.
pub async fn import_items(
    nr: &Newsroom,
    actor: Actor<'_>,
    drafts: Vec<Draft>,
    now: DateTime<Utc>,
) -> Outcome<Vec<Outcome<SaveOutcome>>> {
    actor.require(Permission::Publish, Ownership::Others)?;
    let mut answers: Vec<Option<Outcome<SaveOutcome>>> = Vec::with_capacity(drafts.len());
    let mut inputs = Vec::with_capacity(drafts.len());
    for draft in drafts {
        match story_input(actor, draft, now) {
            Ok(input) => {
                inputs.push(input);
                answers.push(None);
            }
            Err(e) => answers.push(Some(Err(e))),
        }
    }
    let mut saved = nr.store().save_stories(inputs).await?.into_iter();
    Ok(answers
        .into_iter()
        .map(|answer| match answer {
            Some(refused) => refused,
            None => match saved.next() {
                Some(outcome) => outcome.map_err(Into::into),
                None => Err(byline_core::store::StoreError::Defect(
                    "the store answered fewer stories than it was given".into(),
                )
                .into()),
            },
        })
        .collect())
}

/// The stored form of a draft: its body sanitized, its slug, summary and authors derived.
fn story_input(actor: Actor<'_>, draft: Draft, now: DateTime<Utc>) -> Outcome<StoryInput> {
    let origin = ImportOrigin {
        source: draft.source.clone(),
        fingerprint: draft.fingerprint(),
        overwrite: draft.overwrite,
        undated: draft.undated,
    };
    let body = match &draft.body {
        RawBody::Html(untrusted) => sanitize(untrusted),
        RawBody::Text(text) => html::paragraphs_from_text(text),
        RawBody::Empty => byline_core::SafeHtml::default(),
    };
    let standfirst = draft
        .standfirst
        .as_deref()
        .map(plain_text)
        .filter(|s| !s.is_empty());
    let summary = byline_core::excerpt::summary(standfirst.as_deref(), &plain_text(body.as_str()));
    let slug = draft
        .slug
        .clone()
        .or_else(|| Slug::derive(draft.headline.as_str()))
        .unwrap_or_else(|| Slug::parse("story").expect("a valid slug"));
    let mut authors = draft
        .byline
        .as_deref()
        .map(|b| byline_names(b, &draft.language))
        .unwrap_or_default();
    let (mut section, mut tags) = (draft.section, draft.tags);
    let slug = match &draft.page {
        Some(_) => {
            // A page is filed under nothing and never takes a fixed route's address.
            super::pages::require(actor)?;
            (section, tags, authors) = (None, Vec::new(), Vec::new());
            page_slug(slug)
        }
        None => slug,
    };
    let byline = draft
        .byline
        .as_deref()
        .map(plain_text)
        .filter(|b| !b.is_empty());
    Ok(StoryInput {
        external_id: draft.external_id,
        former_external_ids: draft.former_external_ids,
        version: draft.version,
        slug,
        headline: draft.headline,
        standfirst,
        body,
        summary,
        section,
        tags,
        authors,
        byline,
        language: draft.language,
        status: draft.status.at(draft.published_at, now),
        published_at: draft.published_at,
        embargo_until: draft.embargo_until,
        lead_picture: draft.lead_picture,
        seo: draft.seo,
        updated_at: draft.updated_at,
        origin,
        now,
        old_addresses: draft.old_addresses,
        dry_run: draft.dry_run,
        page: draft.page,
    })
}

/// Gives the authors a source names their biographies, where the newsroom wrote none (an
/// author no imported story names is passed over). Needs the right to publish anyone's
/// story, as an import does.
pub async fn keep_author_bios(
    nr: &Newsroom,
    actor: Actor<'_>,
    bios: &[(String, String)],
    now: DateTime<Utc>,
) -> Outcome<usize> {
    actor.require(Permission::Publish, Ownership::Others)?;
    let mut kept = 0;
    for (name, bio) in bios {
        let Some(slug) = Slug::derive(name) else {
            continue;
        };
        let Ok(bio) = super::curation::checked_bio(bio) else {
            continue;
        };
        match nr.store().set_author_bio(&slug, &bio, true, now).await {
            Ok(changed) => kept += usize::from(changed),
            Err(byline_core::store::StoreError::NotFound(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(kept)
}

/// A page's slug that is no fixed route of the site (`search` becomes `search-page`).
fn page_slug(slug: Slug) -> Slug {
    if crate::router::is_fixed_address(&byline_render::views::paths::page(&slug)) {
        Slug::parse(&format!("{slug}-page")).unwrap_or(slug)
    } else {
        slug
    }
}

/// What an old address of a section, tag or author leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermKind {
    Section,
    Tag,
    Author,
}

/// Old addresses (keys) of sections, tags and authors, with what each is and its name.
pub type TermAddresses = Vec<(String, TermKind, String)>;

/// Keeps the old site's addresses of sections, tags and authors, each leading to the one of
/// that name (slugged as a save slugs it). Needs the right to publish anyone's story, as an
/// import does.
pub async fn keep_term_addresses(
    nr: &Newsroom,
    actor: Actor<'_>,
    addresses: &TermAddresses,
    now: DateTime<Utc>,
) -> Outcome<()> {
    actor.require(Permission::Publish, Ownership::Others)?;
    let kept: Vec<OldAddress> = addresses
        .iter()
        .filter_map(|(address, kind, name)| {
            let slug = Slug::derive(name)?;
            let destination = match kind {
                TermKind::Section => Destination::Section(slug),
                TermKind::Tag => Destination::Tag(slug),
                TermKind::Author => Destination::Author(slug),
            };
            Some(OldAddress {
                address: address.clone(),
                destination,
            })
        })
        .collect();
    Ok(nr.store().keep_old_addresses(&kept, now).await?)
}

/// What adding a picture a site brings did to the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LibraryAddition {
    /// A file new to the library.
    Added,
    /// A file the library had: it keeps its words (the desk may have changed them since).
    Known,
    /// A picture kept where it lives (no copy of the site's uploads was given).
    Linked,
}

/// Adds a picture a site brings (a WordPress attachment) to the library for everyone, as the
/// site's own media library held it; a picture the library has keeps its credit, caption and
/// alt text. Needs the right to publish anyone's story, as an import does.
pub async fn add_library_picture(
    nr: &Newsroom,
    actor: Actor<'_>,
    picture: &Picture,
    now: DateTime<Utc>,
) -> Outcome<LibraryAddition> {
    actor.require(Permission::Publish, Ownership::Others)?;
    let store = nr.store();
    let addition = match &picture.source {
        PictureSource::Local { key } if store.library_picture_at(key).await?.is_some() => {
            LibraryAddition::Known
        }
        PictureSource::Local { .. } => LibraryAddition::Added,
        PictureSource::Remote { .. } => LibraryAddition::Linked,
    };
    store
        .add_picture(picture, Describing::GapsOnly, now)
        .await?;
    Ok(addition)
}

/// Whether the site holds no story at all (the demo newsroom loads only into an empty site).
pub async fn site_is_empty(nr: &Newsroom) -> Outcome<bool> {
    Ok(nr.store().story_count().await? == 0)
}
