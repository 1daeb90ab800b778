//! What readers and machines find stories by: numbered listing pages found from the listing's
//! calendar, date archives, and the reads of feeds and sitemaps. Public, like the site: no
//! permission is needed and nothing that is not public is shown.

use byline_core::calendar::{self, DayCount, Filing, MapEntry, MapQuery, MonthCount};
use byline_core::integrations::PublicQuery;
use byline_core::store::{ListQuery, Listing};
use byline_core::{Slug, Story, StoryCard};
use chrono::{DateTime, NaiveDate, TimeDelta, Utc};

use super::{Newsroom, Outcome};

/// One numbered page of a listing, and how many pages it has.
#[derive(Debug)]
pub struct NumberedPage {
    pub cards: Vec<StoryCard>,
    pub pages: u64,
}

/// The listing's months with public stories at `now`, newest first.
pub async fn months(
    nr: &Newsroom,
    listing: &Listing,
    now: DateTime<Utc>,
) -> Outcome<Vec<MonthCount>> {
    Ok(nr.store().listing_months(listing, now).await?)
}

/// The site's days from `first` to `last` with public stories at `now`, newest first.
pub async fn calendar_between(
    nr: &Newsroom,
    first: NaiveDate,
    last: NaiveDate,
    now: DateTime<Utc>,
) -> Outcome<Vec<DayCount>> {
    Ok(nr
        .store()
        .listing_days(&Listing::All, Some((first, last)), now)
        .await?)
}
/// Page `number` (from 1) of `size` stories of a listing, newest first, or `None` past its end.
/// The page is found from the calendar: the day its first story is on, then that day's stories
/// only; the pages before it are never read, however deep it is.
pub async fn numbered_page(
    nr: &Newsroom,
    listing: Listing,
    number: u32,
    size: u32,
    now: DateTime<Utc>,
) -> Outcome<Option<NumberedPage>> {
    let offset = u64::from(number.saturating_sub(1)) * u64::from(size);
    let (start, total) = nr.store().locate(&listing, offset, now).await?;
    let pages = total.div_ceil(u64::from(size)).max(1);
    let Some(start) = start else {
        // The first page exists even when the listing is empty.
        return Ok((number == 1).then(|| NumberedPage {
            cards: Vec::new(),
            pages,
        }));
    };
    let day_end = calendar::start_of(start.day) + TimeDelta::days(1) - TimeDelta::seconds(1);
    let query = ListQuery {
        listing,
        limit: size,
        offset: u32::try_from(start.skip).unwrap_or(u32::MAX),
        now: now.min(day_end),
    };
    let found = nr.store().list_cards(&query).await?;
    Ok(Some(NumberedPage {
        cards: found.cards,
        pages,
    }))
}

/// The stories of one day, page `number` of `size` each, or `None` past the day's end.
pub async fn day_page(
    nr: &Newsroom,
    day: NaiveDate,
    number: u32,
    size: u32,
    now: DateTime<Utc>,
) -> Outcome<Option<NumberedPage>> {
    let days = calendar_between(nr, day, day, now).await?;
    let stories = days.iter().find(|d| d.day == day).map_or(0, |d| d.stories);
    let offset = u64::from(number.saturating_sub(1)) * u64::from(size);
    if offset >= stories {
        return Ok(None);
    }
    let day_end = calendar::start_of(day) + TimeDelta::days(1) - TimeDelta::seconds(1);
    let query = ListQuery {
        listing: Listing::All,
        limit: u32::try_from((stories - offset).min(u64::from(size))).unwrap_or(size),
        offset: u32::try_from(offset).unwrap_or(u32::MAX),
        now: now.min(day_end),
    };
    let mut cards = nr.store().list_cards(&query).await?.cards;
    // Only the day's own stories, whatever the count said.
    cards.retain(|c| c.published_at.date_naive() == day);
    Ok(Some(NumberedPage {
        cards,
        pages: stories.div_ceil(u64::from(size)),
    }))
}

/// The newest `limit` public stories of a listing, whole (a feed's entries).
pub async fn newest_stories(
    nr: &Newsroom,
    listing: Listing,
    limit: u32,
    now: DateTime<Utc>,
) -> Outcome<Vec<Story>> {
    let query = PublicQuery {
        listing,
        changed_since: None,
        after: None,
        limit,
        now,
    };
    Ok(nr.store().public_stories(&query).await?.0)
}

/// Public stories for a sitemap, read in runs of `query.limit`.
pub async fn map_entries(nr: &Newsroom, query: &MapQuery) -> Outcome<Vec<MapEntry>> {
    Ok(nr.store().map_entries(query).await?)
}

/// The highest id among sections, tags or authors, which numbers their sitemaps' parts.
pub async fn filed_last_id(nr: &Newsroom, filing: Filing) -> Outcome<u64> {
    Ok(nr.store().filed_last_id(filing).await?)
}

/// Sections, tags or authors with ids in `ids` and public stories, each with the day of its
/// newest story.
pub async fn filed_under(
    nr: &Newsroom,
    filing: Filing,
    ids: std::ops::RangeInclusive<u64>,
    now: DateTime<Utc>,
) -> Outcome<Vec<(Slug, NaiveDate)>> {
    Ok(nr.store().filed_under(filing, ids, now).await?)
}

/// The `count` stories public at `now` most read in `window`, most first.
pub async fn most_read(
    nr: &Newsroom,
    window: byline_core::views::MostReadWindow,
    now: DateTime<Utc>,
    count: u32,
) -> Outcome<Vec<StoryCard>> {
    let found = nr.store().most_read(window.since(now), now, count).await?;
    Ok(found.into_iter().map(|(card, _)| card).collect())
}
