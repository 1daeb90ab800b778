//! The front page: a lead with its photo, secondary stories, `Latest`, and a block per
//! section, with no story shown twice.
//!
//! Rules: the lead is the editor's choice, else the newest photographed story among the
//! newest [`LEAD_REACH`], else the newest story. The secondary stories are the newest
//! photographed ones after it within as many again (filled with the newest others when fewer
//! have a photo).
//! `Latest` is the newest stories not already shown, and each section block the newest of
//! its section not shown above it.

use crate::ids::StoryId;
use crate::story::StoryCard;

/// How far down the newest stories a lead photo is looked for when the editor chose no lead:
/// the front page leads with a picture, but not with a day-old story over an hour-old one.
pub const LEAD_REACH: usize = 6;
pub const SECONDARY_LEN: usize = 3;
pub const FRONT_LATEST_LEN: usize = 8;
pub const SECTION_BLOCK_LEN: usize = 4;

/// How many of the newest stories [`Front::assemble`] needs to fill the top of the page.
pub const FRONT_NEWEST_NEEDED: usize = 1 + SECONDARY_LEN + FRONT_LATEST_LEN + LEAD_REACH;

/// How many of a section's newest stories a block needs so that it stays full even when
/// every story shown above it is from that section.
pub const SECTION_NEEDED: usize = SECTION_BLOCK_LEN + 1 + SECONDARY_LEN + FRONT_LATEST_LEN;

/// The top of the front page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Front {
    pub lead: Option<StoryCard>,
    pub secondary: Vec<StoryCard>,
    pub latest: Vec<StoryCard>,
}

impl Front {
    /// `newest` must be public stories newest first (at least [`FRONT_NEWEST_NEEDED`] when
    /// there are that many); `chosen` the editor's lead while it is public.
    pub fn assemble(newest: &[StoryCard], chosen: Option<StoryCard>) -> Front {
        let lead = chosen.or_else(|| {
            newest
                .iter()
                .take(LEAD_REACH)
                .find(|c| c.lead_picture.is_some())
                .or(newest.first())
                .cloned()
        });
        let lead_id = lead.as_ref().map(|c| c.id);
        let rest: Vec<&StoryCard> = newest.iter().filter(|c| Some(c.id) != lead_id).collect();
        // Photographed stories are looked for as far down as a lead photo is, no further.
        let mut secondary: Vec<StoryCard> = rest
            .iter()
            .take(LEAD_REACH + SECONDARY_LEN)
            .filter(|c| c.lead_picture.is_some())
            .take(SECONDARY_LEN)
            .map(|c| (*c).clone())
            .collect();
        for card in &rest {
            if secondary.len() >= SECONDARY_LEN {
                break;
            }
            if !secondary.iter().any(|s| s.id == card.id) {
                secondary.push((*card).clone());
            }
        }
        // The newest first, whatever order the photos were found in.
        secondary.sort_by_key(|c| std::cmp::Reverse(c.published_at));
        let latest = rest
            .iter()
            .filter(|c| !secondary.iter().any(|s| s.id == c.id))
            .take(FRONT_LATEST_LEN)
            .map(|c| (*c).clone())
            .collect();
        Front {
            lead,
            secondary,
            latest,
        }
    }

    /// Every story shown at the top, lead first.
    pub fn shown_cards(&self) -> impl Iterator<Item = &StoryCard> {
        self.lead.iter().chain(&self.secondary).chain(&self.latest)
    }

    /// The ids of [`Front::shown_cards`].
    pub fn shown(&self) -> Vec<StoryId> {
        self.shown_cards().map(|c| c.id).collect()
    }
}

/// A section block: the newest of `newest_in_section` (newest first) that are not in
/// `shown`, at most [`SECTION_BLOCK_LEN`]. A block shows its stories to the blocks after it,
/// so the caller adds them to `shown`.
pub fn section_block(newest_in_section: &[StoryCard], shown: &[StoryId]) -> Vec<StoryCard> {
    newest_in_section
        .iter()
        .filter(|c| !shown.contains(&c.id))
        .take(SECTION_BLOCK_LEN)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{card as plain, ids, photographed};

    fn card(n: i64, with_photo: bool) -> StoryCard {
        if with_photo {
            photographed(n)
        } else {
            plain(n)
        }
    }

    #[test]
    fn the_lead_is_the_newest_photographed_story_and_nothing_repeats() {
        let newest: Vec<_> = (1..=20).map(|n| card(n, n % 3 == 0)).collect();
        let front = Front::assemble(&newest, None);
        assert_eq!(front.lead.as_ref().map(|c| c.id.0), Some(3));
        // Two photographed stories within reach; the newest other fills the third place.
        assert_eq!(ids(&front.secondary), [1, 6, 9]);
        assert_eq!(ids(&front.latest), [2, 4, 5, 7, 8, 10, 11, 12]);
        let mut shown = front.shown();
        let count = shown.len();
        shown.sort();
        shown.dedup();
        assert_eq!(shown.len(), count, "a story shown twice");
    }

    #[test]
    fn the_editor_chooses_the_lead_and_few_photos_fill_with_the_newest() {
        let newest: Vec<_> = (1..=20).map(|n| card(n, n == 5)).collect();
        let front = Front::assemble(&newest, Some(card(2, false)));
        assert_eq!(front.lead.as_ref().map(|c| c.id.0), Some(2));
        assert_eq!(ids(&front.secondary), [1, 3, 5]);
        assert_eq!(ids(&front.latest)[..3], [4, 6, 7]);
    }

    #[test]
    fn no_photo_near_the_top_leads_with_the_newest() {
        let newest: Vec<_> = (1..=20).map(|n| card(n, n == 15)).collect();
        let front = Front::assemble(&newest, None);
        assert_eq!(front.lead.as_ref().map(|c| c.id.0), Some(1));
        assert_eq!(ids(&front.secondary), [2, 3, 4]);
        assert_eq!(ids(&front.latest)[..2], [5, 6]);
    }

    #[test]
    fn section_blocks_skip_what_is_shown_above() {
        let in_section: Vec<_> = (1..=8).map(|n| card(n, false)).collect();
        let shown = [StoryId(1), StoryId(3), StoryId(4)];
        assert_eq!(ids(&section_block(&in_section, &shown)), [2, 5, 6, 7]);
        assert!(section_block(&[], &shown).is_empty());
        assert_eq!(Front::assemble(&[], None), Front::default());
    }
}
