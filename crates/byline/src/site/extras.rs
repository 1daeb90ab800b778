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
const MOST_KEPT: usize = 10_000;

/// The blocks as `article.html` shows them (empty when off).
#[derive(Serialize, Default)]
pub struct Extras {
    pub related: Vec<CardView>,
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
pub fn for_article(
    state: &AppState,
    story: StoryId,
    shown: &[StoryId],
    now: DateTime<Utc>,
) -> Extras {
    let shown_or_this = |card: &&StoryCard| card.id != story && !shown.contains(&card.id);
    let related = if state.related_stories == 0 {
        Vec::new()
    } else {
        let cards = related(state, story, shown.len(), now);
        let kept: Vec<StoryCard> = cards
            .iter()
            .filter(shown_or_this)
            .take(state.related_stories)
            .cloned()
            .collect();
        CardView::list(&kept, CardKind::Rail)
    };
    let most_read = state.most_read_window.map(|window| {
        let cards = state
            .most_read
            .cards
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
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
    Extras { related, most_read }
}

/// The keys an article depends on for its extra blocks.
pub fn keys(state: &AppState) -> Vec<CacheKey> {
    let most_read = state.most_read_window.map(|_| CacheKey::MostRead);
    let related = (state.related_stories > 0).then_some(CacheKey::Related);
    most_read.into_iter().chain(related).collect()
}

/// Stories like `story`, enough to fill the block after leaving out `shown` others.
fn related(
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
    let cards: Vec<StoryCard> = match index.related(story.0, &[], wanted, now.timestamp()) {
        Ok(found) => found.into_iter().filter_map(card_of).collect(),
        Err(e) => {
            tracing::warn!(error = %e, story = story.0, "cannot find related stories");
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
        lists.clear();
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
