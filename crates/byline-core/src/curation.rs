//! The rails beside every article: `Latest`, `Don't miss` and the more-stories list.
//!
//! Rules: `Latest` is the 3 newest public stories; `Don't miss` is the editor's picks, or the
//! 4 newest when there are none; the more-stories list is the 8 newest stories not already
//! shown in either rail. The story being read never appears in its own rails.

use serde::Serialize;

use crate::excerpt::{MORE_EXCERPT_WORDS, RAIL_EXCERPT_WORDS};
use crate::ids::StoryId;
use crate::story::StoryCard;

pub const LATEST_LEN: usize = 3;
pub const DONT_MISS_LEN: usize = 4;
pub const MORE_LEN: usize = 8;

/// How many of the newest cards [`Rails::assemble`] may need: every rail full even when the
/// current story and all picks are among the newest.
pub const NEWEST_NEEDED: usize = LATEST_LEN + DONT_MISS_LEN + MORE_LEN + 1;

/// Which rail a card sits in; it decides the excerpt length.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CardKind {
    Rail,
    More,
}

impl CardKind {
    pub fn excerpt_words(self) -> usize {
        match self {
            CardKind::Rail => RAIL_EXCERPT_WORDS,
            CardKind::More => MORE_EXCERPT_WORDS,
        }
    }
}

/// The three rails of an article page, filled at request time.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rails {
    pub latest: Vec<StoryCard>,
    pub dont_miss: Vec<StoryCard>,
    pub more: Vec<StoryCard>,
}

impl Rails {
    /// `newest` must be public stories newest first (at least [`NEWEST_NEEDED`] when there are
    /// that many); `picks` the editor's picks in their order, already filtered to public ones.
    pub fn assemble(newest: &[StoryCard], picks: &[StoryCard], current: Option<StoryId>) -> Rails {
        let others = |c: &&StoryCard| Some(c.id) != current;
        let latest: Vec<StoryCard> = newest
            .iter()
            .filter(others)
            .take(LATEST_LEN)
            .cloned()
            .collect();
        let chosen: Vec<StoryCard> = picks
            .iter()
            .filter(others)
            .take(DONT_MISS_LEN)
            .cloned()
            .collect();
        let dont_miss = if chosen.is_empty() {
            newest
                .iter()
                .filter(others)
                .take(DONT_MISS_LEN)
                .cloned()
                .collect()
        } else {
            chosen
        };
        let shown = |c: &&StoryCard| !latest.iter().chain(&dont_miss).any(|s| s.id == c.id);
        let more = newest
            .iter()
            .filter(others)
            .filter(shown)
            .take(MORE_LEN)
            .cloned()
            .collect();
        Rails {
            latest,
            dont_miss,
            more,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{card, ids};

    #[test]
    fn without_picks_dont_miss_repeats_the_newest_and_more_follows() {
        let newest: Vec<_> = (1..=16).map(card).collect();
        let rails = Rails::assemble(&newest, &[], Some(StoryId(99)));
        assert_eq!(ids(&rails.latest), [1, 2, 3]);
        assert_eq!(ids(&rails.dont_miss), [1, 2, 3, 4]);
        assert_eq!(ids(&rails.more), [5, 6, 7, 8, 9, 10, 11, 12]);
    }

    #[test]
    fn picks_replace_the_fallback_and_leave_the_more_list() {
        let newest: Vec<_> = (1..=16).map(card).collect();
        let picks = [card(9), card(2), card(30)];
        let rails = Rails::assemble(&newest, &picks, None);
        assert_eq!(ids(&rails.latest), [1, 2, 3]);
        assert_eq!(ids(&rails.dont_miss), [9, 2, 30]);
        assert_eq!(ids(&rails.more), [4, 5, 6, 7, 8, 10, 11, 12]);
    }

    #[test]
    fn the_current_story_is_never_in_its_own_rails() {
        let newest: Vec<_> = (1..=16).map(card).collect();
        let rails = Rails::assemble(&newest, &[card(2)], Some(StoryId(2)));
        assert_eq!(ids(&rails.latest), [1, 3, 4]);
        assert_eq!(
            ids(&rails.dont_miss),
            [1, 3, 4, 5],
            "a pick that is the current story falls away"
        );
        assert_eq!(ids(&rails.more), [6, 7, 8, 9, 10, 11, 12, 13]);
    }

    #[test]
    fn a_small_site_fills_what_it_can() {
        let newest: Vec<_> = (1..=2).map(card).collect();
        let rails = Rails::assemble(&newest, &[], None);
        assert_eq!(ids(&rails.latest), [1, 2]);
        assert_eq!(ids(&rails.dont_miss), [1, 2]);
        assert!(rails.more.is_empty());
        assert_eq!(Rails::assemble(&[], &[], None), Rails::default());
    }
}
