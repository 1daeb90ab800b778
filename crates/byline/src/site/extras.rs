//! The article's optional blocks beside the seed's: `Related` (stories like this one, from the
//! search index) and `Most read` (from the views every node counts). Each is off unless
//! `[theme]` asks for it, and each is kept apart from the page and refreshed on its own
//! schedule, so that neither makes every article stale at each publication or count: Related
//! lists are kept per story for a minute, the Most read list is read again every minute (at
//! once when a story in it stops being public). See docs/decisions/0027-most-read.md.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use byline_core::changes::CacheKey;
use byline_core::{CardKind, Headline, Slug, StoryCard, StoryId};
use byline_render::views::CardView;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::state::AppState;

/// How long a story's Related list is kept.
const KEPT_FOR: Duration = Duration::from_secs(60);
/// Related lists kept at most; past it they are all dropped and made again.
const MOST_KEPT: usize = 2_000;

/// The blocks as `article.html` shows them (empty when off).
#[derive(Serialize, Default)]
pub struct Extras {
    pub related: Vec<CardView>,
    #[serde(skip)]
    pub related_ids: Vec<StoryId>,
    pub most_read: Option<MostReadView>,
}

#[derive(Serialize)]
pub struct MostReadView {
    pub label: &'static str,
    pub cards: Vec<CardView>,
}

/// A story's Related list and when it was made.
type Made = (Instant, Arc<Vec<StoryCard>>);

/// Related lists by story.
#[derive(Default)]
pub struct RelatedLists {
    lists: Mutex<HashMap<i64, Made>>,
}

/// The Most read list this node shows, read from the store on its own schedule.
#[derive(Default)]
pub struct MostReadList {
    cards: RwLock<Arc<Vec<StoryCard>>>,
}

/// The article's extra blocks for `story`, leaving out the stories its page already shows.
pub async fn for_article(
    state: &AppState,
    story: StoryId,
    shown: &[StoryId],
    now: DateTime<Utc>,
) -> Extras {
    let mut extras = Extras::default();
    if state.related_stories > 0 {
        let cards = related(state, story, shown.len(), now).await;
        let kept: Vec<StoryCard> = cards
            .iter()
            .filter(|card| card.id != story && !shown.contains(&card.id))
            .take(state.related_stories)
            .cloned()
            .collect();
        extras.related_ids = kept.iter().map(|c| c.id).collect();
        extras.related = CardView::list(&kept, CardKind::Rail);
    }
    extras.most_read = state.most_read_window.map(|window| {
        let cards = state.most_read.cards();
        let kept: Vec<StoryCard> = cards
            .iter()
            .filter(|c| c.id != story)
            .take(crate::views::MOST_READ as usize)
            .cloned()
            .collect();
        MostReadView {
            label: window.label(),
            cards: CardView::list(&kept, CardKind::Rail),
        }
    });
    extras
}

/// The keys an article depends on for its extra blocks: the stories its Related block shows
/// (so that a story taken down or rewritten leaves it), and the blocks' own keys.
pub fn keys(state: &AppState, extras: &Extras) -> Vec<CacheKey> {
    let most_read = state.most_read_window.map(|_| CacheKey::MostRead);
    let related = (state.related_stories > 0).then_some(CacheKey::Related);
    let shown = extras.related_ids.iter().map(|id| CacheKey::Story(*id));
    most_read.into_iter().chain(related).chain(shown).collect()
}

/// Called when the search index took in changes to `stories`: Related lists that show one
/// of them (or belong to one) are made again, and so are the pages that show them — the
/// index follows the change log a moment after the page cache does, so a page made in
/// between could still show the old list.
pub fn indexed(state: &AppState, stories: &[StoryId]) {
    if state.related_stories == 0 {
        return;
    }
    state
        .related
        .lists
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .retain(|story, (_, cards)| {
            !stories.contains(&StoryId(*story)) && !cards.iter().any(|c| stories.contains(&c.id))
        });
    let keys: Vec<CacheKey> = stories.iter().map(|id| CacheKey::Story(*id)).collect();
    state.cache.bump(&keys);
}

/// Stories like `story`, enough to fill the block after leaving out `shown` others; read
/// from the index (off the request's thread) at most once a minute per story.
async fn related(
    state: &AppState,
    story: StoryId,
    shown: usize,
    now: DateTime<Utc>,
) -> Arc<Vec<StoryCard>> {
    if let Some((made, cards)) = state
        .related
        .lists
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&story.0)
        && made.elapsed() < KEPT_FOR
    {
        return cards.clone();
    }
    let Some(index) = state.search.index() else {
        return Arc::default();
    };
    let wanted = state.related_stories + shown + 1;
    let found =
        tokio::task::spawn_blocking(move || index.related(story.0, &[], wanted, now.timestamp()))
            .await;
    let cards: Vec<StoryCard> = match found {
        Ok(Ok(found)) => found.into_iter().filter_map(card_of).collect(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, story = story.0, "cannot find related stories");
            Vec::new()
        }
        Err(e) => {
            tracing::warn!(error = %e, story = story.0, "finding related stories stopped");
            Vec::new()
        }
    };
    let cards = Arc::new(cards);
    let mut lists = state
        .related
        .lists
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    if lists.len() >= MOST_KEPT {
        lists.retain(|_, (made, _)| made.elapsed() < KEPT_FOR);
        if lists.len() >= MOST_KEPT {
            lists.clear();
        }
    }
    lists.insert(story.0, (Instant::now(), cards.clone()));
    cards
}

fn card_of(found: byline_search::Related) -> Option<StoryCard> {
    Some(StoryCard {
        id: StoryId(found.id),
        slug: Slug::parse(&found.slug).ok()?,
        headline: Headline::parse(&found.headline).ok()?,
        summary: found.summary,
        published_at: DateTime::from_timestamp(found.when, 0)?,
        lead_picture: None,
    })
}

impl MostReadList {
    /// The list shown now.
    pub fn cards(&self) -> Arc<Vec<StoryCard>> {
        self.cards.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the list shown.
    pub fn replace(&self, cards: Vec<StoryCard>) {
        *self.cards.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(cards);
    }
}
