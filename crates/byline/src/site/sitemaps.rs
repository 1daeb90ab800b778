//! Sitemaps: `/sitemap.xml` indexes one sitemap per month of stories (split in parts of at
//! most [`URLS_PER_SITEMAP`] URLs) and the sitemaps of sections, tags and authors;
//! `/sitemap-news.xml` lists the last 48 hours for Google News. Stories are read from the
//! store in runs and written as they come, so no more than one run is held at a time.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use byline_core::calendar::{self, DayCount, Filing, MapQuery};
use byline_core::changes::CacheKey;
use byline_core::integrations::After;
use byline_core::store::Listing;
use byline_render::sitemaps::{
    LastMod, MapImage, NEWS_STORIES, NewsStory, SitemapWriter, URLS_PER_SITEMAP,
};
use byline_render::views::paths;
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use super::delivery::PageInfo;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::{finding, reading};

/// Stories read from the store at a time.
const RUN: u32 = 1_000;
/// How far back the news sitemap reaches.
const NEWS_HOURS: i64 = 48;

fn xml(body: String) -> Response {
    let mut response = (
        [(header::CONTENT_TYPE, "application/xml; charset=utf-8")],
        body,
    )
        .into_response();
    response.extensions_mut().insert(PageInfo {
        keys: vec![CacheKey::Lists, CacheKey::Feeds, CacheKey::Site],
        last_modified: None,
    });
    response
}

/// One sitemap file as its name says: a part of a month of stories, or of a filing.
#[derive(Debug, PartialEq, Eq)]
enum MapFile {
    Month {
        year: i32,
        month: u32,
        part: u64,
    },
    Filed {
        filing: Filing,
        part: u64,
    },
    /// The site's own pages.
    Pages,
}

impl MapFile {
    fn parse(name: &str) -> Option<MapFile> {
        let stem = name.strip_suffix(".xml")?;
        if stem == "pages" {
            return Some(MapFile::Pages);
        }
        let later_part = |n: &str| n.parse::<u64>().ok().filter(|p| (2..1_000_000).contains(p));
        if let Some(rest) = stem.strip_prefix("stories-") {
            let mut fields = rest.split('-');
            let year = fields.next()?.parse().ok()?;
            let month = fields.next()?.parse().ok()?;
            let part = match fields.next() {
                None => 1,
                Some(n) => later_part(n)?,
            };
            NaiveDate::from_ymd_opt(year, month, 1)?;
            return fields
                .next()
                .is_none()
                .then_some(MapFile::Month { year, month, part });
        }
        let (kind, part) = match stem.split_once('-') {
            Some((kind, n)) => (kind, later_part(n)?),
            None => (stem, 1),
        };
        let filing = Filing::ALL
            .into_iter()
            .find(|f| kind.strip_suffix('s') == Some(f.as_str()))?;
        Some(MapFile::Filed { filing, part })
    }

    fn name(&self) -> String {
        let (stem, part) = match self {
            MapFile::Month { year, month, part } => {
                (format!("stories-{year:04}-{month:02}"), *part)
            }
            MapFile::Filed { filing, part } => (format!("{}s", filing.as_str()), *part),
            MapFile::Pages => ("pages".to_owned(), 1),
        };
        if part == 1 {
            format!("{stem}.xml")
        } else {
            format!("{stem}-{part}.xml")
        }
    }
}

/// `/sitemap.xml`.
pub async fn index(State(state): State<AppState>) -> Result<Response, AppError> {
    let now = Utc::now();
    let base = &state.site.base_url;
    let mut index = SitemapWriter::index();
    let mut add = |file: MapFile, lastmod: Option<LastMod>| {
        index.sitemap(&format!("{base}/sitemaps/{}", file.name()), lastmod);
    };
    for month in finding::months(&state.newsroom, &Listing::All, now).await? {
        for part in 1..=month.stories.div_ceil(u64::from(URLS_PER_SITEMAP)) {
            let file = MapFile::Month {
                year: month.year,
                month: month.month,
                part,
            };
            add(file, Some(LastMod::Day(month.newest)));
        }
    }
    for filing in Filing::ALL {
        let last = finding::filed_last_id(&state.newsroom, filing).await?;
        for part in 1..=last.div_ceil(u64::from(URLS_PER_SITEMAP)) {
            add(MapFile::Filed { filing, part }, None);
        }
    }
    let pages = reading::public_pages(&state.newsroom, now).await?;
    if let Some(newest) = pages.iter().map(|p| p.updated_at).max() {
        add(MapFile::Pages, Some(LastMod::At(newest)));
    }
    Ok(xml(index.finish()))
}

/// `/sitemaps/FILE`: a part of a month of stories, or of the sections, tags or authors.
pub async fn file(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let file = MapFile::parse(&name).ok_or(AppError::NotFound)?;
    if file.name() != name {
        return Err(AppError::NotFound);
    }
    let body = match file {
        MapFile::Month { year, month, part } => month_map(&state, year, month, part).await?,
        MapFile::Filed { filing, part } => filed_map(&state, filing, part).await?,
        MapFile::Pages => pages_map(&state).await?,
    };
    Ok(xml(body.ok_or(AppError::NotFound)?))
}

/// The stories published in one month, part `part`; `None` when the part is empty.
async fn month_map(
    state: &AppState,
    year: i32,
    month: u32,
    part: u64,
) -> Result<Option<String>, AppError> {
    let since = NaiveDate::from_ymd_opt(year, month, 1).map(calendar::start_of);
    let until = calendar::month_end(year, month);
    let (Some(since), Some(until)) = (since, until) else {
        return Ok(None);
    };
    // The part starts on the day the calendar says holds its first story (oldest first), so
    // no more than that day's stories are skipped; a part the month does not have is not
    // looked for.
    let last = (until - TimeDelta::days(1)).date_naive();
    let days =
        finding::calendar_between(&state.newsroom, since.date_naive(), last, Utc::now()).await?;
    let mut month_days: Vec<DayCount> = days
        .into_iter()
        .filter(|d| (d.day.year(), d.day.month()) == (year, month))
        .collect();
    month_days.reverse();
    let Some(start) = calendar::locate(&month_days, (part - 1) * u64::from(URLS_PER_SITEMAP))
    else {
        return Ok(None);
    };
    let base = &state.site.base_url;
    let mut set = SitemapWriter::pages();
    let mut written = 0;
    let mut query = MapQuery {
        since: since.max(calendar::start_of(start.day)),
        until: until.min(Utc::now() + TimeDelta::seconds(1)),
        newest_first: false,
        after: None,
        skip: start.skip,
        limit: RUN,
    };
    while written < URLS_PER_SITEMAP {
        query.limit = RUN.min(URLS_PER_SITEMAP - written);
        let run = finding::map_entries(&state.newsroom, &query).await?;
        for entry in &run {
            let image = entry.lead_picture.as_ref().map(|p| MapImage::of(base, p));
            let loc = format!("{base}{}", paths::story(&entry.slug));
            set.page(&loc, Some(LastMod::At(entry.updated_at)), image.as_ref());
        }
        written += run.len() as u32;
        match run.last() {
            Some(last) if run.len() as u32 == query.limit => {
                query.after = Some(After {
                    time: last.published_at,
                    id: last.id,
                });
                query.skip = 0;
            }
            _ => break,
        }
    }
    Ok((written > 0).then(|| set.finish()))
}

/// Sections, tags or authors with public stories among the ids of part `part` (ids 1 to
/// 500 in part 1, and so on; a part whose names have no public story is an empty set);
/// `None` past the last id.
async fn filed_map(
    state: &AppState,
    filing: Filing,
    part: u64,
) -> Result<Option<String>, AppError> {
    let per_part = u64::from(URLS_PER_SITEMAP);
    let last = finding::filed_last_id(&state.newsroom, filing).await?;
    if part > last.div_ceil(per_part) {
        return Ok(None);
    }
    let ids = (part - 1) * per_part + 1..=part * per_part;
    let base = &state.site.base_url;
    let mut set = SitemapWriter::pages();
    for (slug, newest) in finding::filed_under(&state.newsroom, filing, ids, Utc::now()).await? {
        let path = match filing {
            Filing::Section => paths::section(&slug),
            Filing::Tag => paths::tag(&slug),
            Filing::Author => paths::author(&slug),
        };
        set.page(&format!("{base}{path}"), Some(LastMod::Day(newest)), None);
    }
    Ok(Some(set.finish()))
}

/// The site's public pages; `None` when it has none.
async fn pages_map(state: &AppState) -> Result<Option<String>, AppError> {
    let pages = reading::public_pages(&state.newsroom, Utc::now()).await?;
    if pages.is_empty() {
        return Ok(None);
    }
    let base = &state.site.base_url;
    let mut set = SitemapWriter::pages();
    for page in pages.iter().take(URLS_PER_SITEMAP as usize) {
        let path = paths::page(&page.slug);
        set.page(
            &format!("{base}{path}"),
            Some(LastMod::At(page.updated_at)),
            None,
        );
    }
    Ok(Some(set.finish()))
}

/// `/sitemap-news.xml`: the stories of the last 48 hours, newest first, at most 1,000.
pub async fn news(State(state): State<AppState>) -> Result<Response, AppError> {
    let now = Utc::now();
    let base = &state.site.base_url;
    let mut news = SitemapWriter::news(&state.site.title);
    let query = MapQuery {
        since: now - TimeDelta::hours(NEWS_HOURS),
        until: now + TimeDelta::seconds(1),
        newest_first: true,
        after: None,
        skip: 0,
        limit: NEWS_STORIES,
    };
    for entry in finding::map_entries(&state.newsroom, &query).await? {
        let image = entry.lead_picture.as_ref().map(|p| MapImage::of(base, p));
        let loc = format!("{base}{}", paths::story(&entry.slug));
        let story = NewsStory {
            title: entry.headline.as_str(),
            language: &entry.language,
            published: entry.published_at,
        };
        news.story(&loc, story, image.as_ref());
    }
    Ok(xml(news.finish()))
}

/// The hour a news sitemap was made in: part of its cache key, so that a quiet site's copy
/// is never more than an hour past its 48-hour window.
pub fn news_hour(now: DateTime<Utc>) -> i64 {
    now.timestamp() / 3600
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_round_trip() {
        for name in [
            "stories-2024-11.xml",
            "stories-2024-11-2.xml",
            "sections.xml",
            "tags.xml",
            "tags-3.xml",
            "authors.xml",
        ] {
            let file = MapFile::parse(name).unwrap_or_else(|| panic!("{name}"));
            assert_eq!(file.name(), name);
        }
        for bad in [
            "stories-2024-13.xml",
            "stories-2024.xml",
            "tags-1.xml",
            "tags-0.xml",
            "storys.xml",
            "sections",
            "tag.xml",
        ] {
            assert_eq!(MapFile::parse(bad), None, "{bad}");
        }
        assert_eq!(
            MapFile::parse("stories-2024-11-2.xml"),
            Some(MapFile::Month {
                year: 2024,
                month: 11,
                part: 2
            })
        );
    }
}
