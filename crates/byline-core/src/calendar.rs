//! A listing's calendar: how many public stories it has on each day. Any page of a listing is
//! found from it without reading the pages before it; the date archives and sitemaps are drawn
//! from it.

use async_trait::async_trait;
use chrono::{DateTime, Datelike, NaiveDate, Utc};

use crate::ids::StoryId;
use crate::integrations::After;
use crate::picture::Picture;
use crate::slug::Slug;
use crate::store::{Listing, StoreError};
use crate::story::Headline;

/// The public stories a listing has on one UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayCount {
    pub day: NaiveDate,
    pub stories: u64,
}

/// The public stories a listing has in one month, and its newest day with any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthCount {
    pub year: i32,
    pub month: u32,
    pub stories: u64,
    pub newest: NaiveDate,
}

/// Where a page starts: the day of its first story (newest first) and how many of that day's
/// stories come before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageStart {
    pub day: NaiveDate,
    pub skip: u64,
}

/// How many stories the calendar counts.
pub fn total(days: &[DayCount]) -> u64 {
    days.iter().map(|d| d.stories).sum()
}

/// Where the story at `offset` lies in days given in the order their stories are counted
/// (newest day first for a listing's pages, oldest first for a month's sitemap); `None` when
/// the days hold no more than `offset` stories. Reads days, never stories.
pub fn locate(days: &[DayCount], offset: u64) -> Option<PageStart> {
    let mut before = 0;
    for day in days {
        if offset < before + day.stories {
            return Some(PageStart {
                day: day.day,
                skip: offset - before,
            });
        }
        before += day.stories;
    }
    None
}

/// The calendar's months, newest first, from its days given newest first.
pub fn months(days: &[DayCount]) -> Vec<MonthCount> {
    let mut months: Vec<MonthCount> = Vec::new();
    for day in days {
        match months.last_mut() {
            Some(m) if m.year == day.day.year() && m.month == day.day.month() => {
                m.stories += day.stories;
            }
            _ => months.push(MonthCount {
                year: day.day.year(),
                month: day.day.month(),
                stories: day.stories,
                newest: day.day,
            }),
        }
    }
    months
}

/// The first instant of a UTC day.
pub fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// The first instant of the month after `year`-`month`, or `None` past the calendar's end.
pub fn month_end(year: i32, month: u32) -> Option<DateTime<Utc>> {
    let (year, month) = if month == 12 {
        (year.checked_add(1)?, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(year, month, 1).map(start_of)
}

/// What a listing is filed under, for the sitemaps of sections, tags and authors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filing {
    Section,
    Tag,
    Author,
}

impl Filing {
    pub const ALL: [Filing; 3] = [Filing::Section, Filing::Tag, Filing::Author];

    /// How the calendar and the sitemaps name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Filing::Section => "section",
            Filing::Tag => "tag",
            Filing::Author => "author",
        }
    }
}

/// One story as a sitemap lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub id: StoryId,
    pub slug: Slug,
    pub headline: Headline,
    pub language: String,
    pub published_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lead_picture: Option<Picture>,
}

/// A run of public stories published in `[since, until)`, oldest first (or newest first),
/// starting `skip` stories in, or after a story when `after` is given.
#[derive(Debug, Clone)]
pub struct MapQuery {
    pub since: DateTime<Utc>,
    pub until: DateTime<Utc>,
    pub newest_first: bool,
    pub after: Option<After>,
    pub skip: u64,
    pub limit: u32,
}

/// The calendar and what the sitemaps read. Every method is one read.
#[async_trait]
pub trait CalendarStore: Send + Sync {
    /// The listing's days within `span` (first and last day; all when `None`) with stories
    /// public at `now`, newest first (a story published with a later time is not counted
    /// before it).
    async fn listing_days(
        &self,
        listing: &Listing,
        span: Option<(NaiveDate, NaiveDate)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<DayCount>, StoreError>;
    /// The listing's months with stories public at `now`, newest first, each with its newest
    /// day: read from the calendar's monthly sums, a row a month.
    async fn listing_months(
        &self,
        listing: &Listing,
        now: DateTime<Utc>,
    ) -> Result<Vec<MonthCount>, StoreError>;
    /// Where the story at `offset` (0 is the newest public at `now`) lies in a listing, and
    /// how many public stories the listing has: found from the calendar's sums, without
    /// handing its days over one by one. `None` for the place when the listing has no more
    /// than `offset` stories.
    async fn locate(
        &self,
        listing: &Listing,
        offset: u64,
        now: DateTime<Utc>,
    ) -> Result<(Option<PageStart>, u64), StoreError>;
    /// The highest id among sections, tags or authors (0 when there are none): their sitemaps
    /// are parts by id, `URLS_PER_SITEMAP` ids each.
    async fn filed_last_id(&self, filing: Filing) -> Result<u64, StoreError>;
    /// Sections, tags or authors with ids in `ids` that have stories public by `now`'s day,
    /// in id order, each with the day of its newest story.
    async fn filed_under(
        &self,
        filing: Filing,
        ids: std::ops::RangeInclusive<u64>,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Slug, NaiveDate)>, StoreError>;
    /// Public stories for a sitemap.
    async fn map_entries(&self, query: &MapQuery) -> Result<Vec<MapEntry>, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32, stories: u64) -> DayCount {
        DayCount {
            day: NaiveDate::from_ymd_opt(y, m, d).unwrap(),
            stories,
        }
    }

    #[test]
    fn pages_are_found_by_day_and_skip() {
        let days = [
            day(2024, 11, 24, 3),
            day(2024, 11, 2, 1),
            day(2024, 10, 30, 5),
        ];
        assert_eq!(total(&days), 9);
        let at = |offset| locate(&days, offset).map(|p| (p.day.day(), p.skip));
        assert_eq!(at(0), Some((24, 0)));
        assert_eq!(at(2), Some((24, 2)));
        assert_eq!(at(3), Some((2, 0)));
        assert_eq!(at(4), Some((30, 0)));
        assert_eq!(at(8), Some((30, 4)));
        assert_eq!(at(9), None);
        assert_eq!(locate(&[], 0), None);
    }

    #[test]
    fn months_sum_their_days() {
        let days = [
            day(2024, 11, 24, 3),
            day(2024, 11, 2, 1),
            day(2024, 10, 30, 5),
        ];
        let months = months(&days);
        assert_eq!(months.len(), 2);
        assert_eq!(
            (months[0].month, months[0].stories, months[0].newest.day()),
            (11, 4, 24)
        );
        assert_eq!((months[1].month, months[1].stories), (10, 5));
        assert_eq!(
            month_end(2024, 12),
            Some(start_of(NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()))
        );
    }
}
