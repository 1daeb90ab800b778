//! Story cards for the unit tests of curation and the front page: card `n` is `n` minutes
//! older than card 0.

use chrono::{TimeZone, Utc};

use crate::ids::StoryId;
use crate::picture::{Picture, PictureSource};
use crate::slug::Slug;
use crate::story::{Headline, StoryCard};

pub(crate) fn card(n: i64) -> StoryCard {
    StoryCard {
        id: StoryId(n),
        slug: Slug::parse(&format!("story-{n}")).unwrap(),
        headline: Headline::parse(&format!("Story {n}")).unwrap(),
        summary: String::new(),
        published_at: Utc.timestamp_opt(1_700_000_000 - n * 60, 0).unwrap(),
        lead_picture: None,
    }
}

/// Card `n` with a lead photo.
pub(crate) fn photographed(n: i64) -> StoryCard {
    StoryCard {
        lead_picture: Some(Picture {
            width: Some(1200),
            height: Some(675),
            ..Picture::at(PictureSource::Local {
                key: format!("{n}.jpg"),
            })
        }),
        ..card(n)
    }
}

pub(crate) fn ids(cards: &[StoryCard]) -> Vec<i64> {
    cards.iter().map(|c| c.id.0).collect()
}
