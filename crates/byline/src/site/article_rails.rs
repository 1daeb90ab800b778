//! The rails of article pages as parts of their own (`article_rails.html` rendered alone): made
//! once per change to the rails and joined with every cached article, so that a publication
//! costs one rails render, not one render per article (decision 0033).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use byline_core::StoryId;
use byline_core::changes::CacheKey;
use byline_core::curation::Rails;
use byline_render::views::{ArticleAds, RailsView};
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::article::shown;
use crate::cache::{Kept, PartedPage};
use crate::cached_page::CachedPage;
use crate::error::AppError;
use crate::parted_page::RailsPart;
use crate::state::AppState;
use crate::usecases::reading::RailSources;

/// The template of the rails alone, which `article.html` includes.
const TEMPLATE: &str = "article_rails.html";
/// The templates an article page is rendered from. Parts are used only while all of them are
/// the default theme's: a theme of one's own may read the rails anywhere in the page (a "next
/// up" line, a count), which a part joined later would leave stale.
const ARTICLE_TEMPLATES: [&str; 4] = ["base.html", "macros.html", "article.html", TEMPLATE];

/// Whether articles may be kept as parts: the cache keeps pages, the templates are the
/// default theme's, and no `Related` block (which leaves out what the rails show) is on.
pub fn parts_apply(state: &AppState) -> bool {
    state.cache.enabled()
        && state.related_stories == 0
        && state.theme.all_default(&ARTICLE_TEMPLATES)
}
/// The page cache's name for the current rails parts.
const SHARED_NAME: &str = "article-rails";
/// Versions of the rails made by this process, so that a page joins each version once.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// What the rails template is given: the rails and the ad slots, nothing of a story.
#[derive(Serialize)]
struct RailsAlone<'a> {
    rails: RailsView,
    ads: &'a ArticleAds,
}

/// One version of the rails: what they are made from and their parts, the one most articles
/// share and, made when first asked, one for each story the rails list (a story never shows
/// in its own rails).
pub struct RailsParts {
    pub sources: Arc<RailSources>,
    generation: u64,
    listed: Vec<StoryId>,
    /// `None` when this theme's rails cannot be rendered alone.
    shared: Option<Arc<RailsPart>>,
    own: Mutex<HashMap<StoryId, Option<Arc<RailsPart>>>>,
}

impl RailsParts {
    fn new(state: &AppState, sources: Arc<RailSources>) -> RailsParts {
        let generation = GENERATION.fetch_add(1, Ordering::Relaxed) + 1;
        let rails = sources.rails(None);
        let listed = shown(&rails).map(|card| card.id).collect();
        RailsParts {
            shared: render(state, &rails, generation),
            sources,
            generation,
            listed,
            own: Mutex::default(),
        }
    }

    /// The rails part of the article of `story`.
    pub fn part_for(&self, state: &AppState, story: StoryId) -> Option<Arc<RailsPart>> {
        if !self.listed.contains(&story) {
            // A story the rails do not list is left out of nothing: its rails are everyone's.
            return self.shared.clone();
        }
        self.shared.as_ref()?;
        let mut own = self.own.lock().unwrap_or_else(|p| p.into_inner());
        own.entry(story)
            .or_insert_with(|| render(state, &self.sources.rails(Some(story)), self.generation))
            .clone()
    }
}

/// The rails rendered alone, or `None` when the theme cannot (its rails read the story).
fn render(state: &AppState, rails: &Rails, generation: u64) -> Option<Arc<RailsPart>> {
    let context = RailsAlone {
        rails: RailsView::from(rails),
        ads: &state.ads,
    };
    match state.theme.render(TEMPLATE, context) {
        Ok(html) => {
            let newest = shown(rails).map(|card| card.published_at).max();
            Some(Arc::new(RailsPart::new(html, newest, generation)))
        }
        Err(error) => {
            tracing::debug!(%error, "the rails are not rendered alone; articles are kept whole");
            None
        }
    }
}

/// The current rails parts: the cache's, or made now (once, however many readers ask).
pub async fn current(state: &AppState, now: DateTime<Utc>) -> Result<Arc<RailsParts>, AppError> {
    if let Some(parts) = state.cache.shared::<RailsParts>(SHARED_NAME) {
        return Ok(parts);
    }
    let _making = state.cache.render_lock("#article-rails").await;
    if let Some(parts) = state.cache.shared::<RailsParts>(SHARED_NAME) {
        return Ok(parts);
    }
    let read_at = state.cache.epoch();
    let sources = super::rail_sources(state, now).await?;
    let parts = Arc::new(RailsParts::new(state, sources));
    state
        .cache
        .share(SHARED_NAME, &[CacheKey::Rails], parts.clone(), read_at);
    Ok(parts)
}

/// The current rails parts while the cache holds them (no store read: for the front door).
pub fn kept(state: &AppState) -> Option<Arc<RailsParts>> {
    state.cache.shared::<RailsParts>(SHARED_NAME)
}

/// What an article's response tells the delivery layer so that it can keep the page as parts.
#[derive(Clone)]
pub struct RailsSplit {
    pub parts: Arc<RailsParts>,
    pub story: StoryId,
    /// What the page depends on besides the rails.
    pub own_keys: Vec<CacheKey>,
    /// The story's own time, without the rails'.
    pub own_last_modified: Option<DateTime<Utc>>,
}

impl RailsSplit {
    /// The whole page `plain`, answered with `headers`, as parts when its rails are found in it.
    pub fn parted(
        &self,
        state: &AppState,
        plain: &[u8],
        headers: &HeaderMap,
    ) -> Option<PartedPage> {
        let rails = self.parts.part_for(state, self.story)?;
        PartedPage::split(
            plain,
            &rails,
            state.style_part.as_ref(),
            self.story,
            self.own_last_modified,
            headers.clone(),
        )
    }
}

/// The article kept as `parted` under `key`, joined with `parts`; counted again in the cache
/// when joining made it hold new bytes. Parts still quick are offered to idle time to be
/// compressed again; the parts it made are taken in (and counted) by the next article read.
pub fn joined(
    state: &AppState,
    key: &str,
    parted: &Arc<PartedPage>,
    parts: &RailsParts,
) -> Option<Arc<CachedPage>> {
    state.cache.take_in_recompressed();
    let rails = parts.part_for(state, parted.story())?;
    let (page, new) = parted.joined(&rails)?;
    if new {
        state.cache.recount(key, &Kept::Parted(parted.clone()));
    }
    if parted.wants_recompressing() {
        let (job, joined) = (parted.clone(), page.clone());
        let (told, key) = (state.cache.recompressed_list(), key.to_owned());
        let offered = crate::idle::offer(Box::new(move || {
            job.recompress(&joined);
            told.lock()
                .unwrap_or_else(|p| p.into_inner())
                .push((key, job));
        }));
        if !offered {
            parted.recompressing_refused();
        }
    }
    Some(page)
}
