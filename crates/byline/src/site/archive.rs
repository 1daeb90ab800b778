//! Date archives: `/archive` lists the years, `/archive/2024` its months, `/archive/2024/11`
//! its days, and `/archive/2024/11/24` that day's stories, page by page; all from the
//! calendar, so that every published story is a few clicks from the front page.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use byline_core::CardKind;
use byline_core::calendar::{self, MonthCount};
use byline_core::store::Listing;
use byline_render::views::{CardView, PageMeta, Pager, SiteView};
use chrono::{Datelike, NaiveDate, Utc};
use serde::Serialize;

use super::delivery::PageInfo;
use super::listing::{PAGE_SIZE, listing_keys};
use super::{html_page, page_number, site_view, structured};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::finding;

/// One year, month or day of the archive with how many stories it has.
#[derive(Serialize)]
struct Period {
    name: String,
    url: String,
    stories: u64,
}

/// What `archive.html` shows: periods to go into, or one day's stories.
#[derive(Serialize)]
struct ArchivePage {
    site: SiteView,
    page: PageMeta,
    heading: String,
    periods: Vec<Period>,
    cards: Vec<CardView>,
    pager: Option<Pager>,
}

const ROOT: &str = "/archive";

fn year_path(year: i32) -> String {
    format!("{ROOT}/{year:04}")
}

fn month_path(year: i32, month: u32) -> String {
    format!("{ROOT}/{year:04}/{month:02}")
}

fn day_path(day: NaiveDate) -> String {
    format!(
        "{ROOT}/{:04}/{:02}/{:02}",
        day.year(),
        day.month(),
        day.day()
    )
}

fn month_name(year: i32, month: u32) -> String {
    NaiveDate::from_ymd_opt(year, month, 1)
        .map_or_else(String::new, |d| d.format("%B %Y").to_string())
}

/// A number of an archive address in its one spelling (`2024`, `11`, `05`), or 404.
fn number<T: std::str::FromStr>(text: &str, digits: usize) -> Result<T, AppError> {
    if text.len() != digits || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::NotFound);
    }
    text.parse().map_err(|_| AppError::NotFound)
}

async fn months(state: &AppState) -> Result<Vec<MonthCount>, AppError> {
    Ok(finding::months(&state.newsroom, &Listing::All, Utc::now()).await?)
}

/// `/archive`: the years with stories.
pub async fn years(State(state): State<AppState>) -> Result<Response, AppError> {
    let mut periods: Vec<Period> = Vec::new();
    for month in months(&state).await? {
        match periods.last_mut() {
            Some(p) if p.url == year_path(month.year) => p.stories += month.stories,
            _ => periods.push(Period {
                name: month.year.to_string(),
                url: year_path(month.year),
                stories: month.stories,
            }),
        }
    }
    let trail = vec![("Archive".to_owned(), ROOT.to_owned())];
    render_view(
        &state,
        ArchiveView::periods("Archive".into(), trail, periods),
    )
    .await
}

/// `/archive/YYYY`: the year's months with stories.
pub async fn year(
    State(state): State<AppState>,
    Path(year): Path<String>,
) -> Result<Response, AppError> {
    let year: i32 = number(&year, 4)?;
    let periods: Vec<Period> = months(&state)
        .await?
        .into_iter()
        .filter(|m| m.year == year)
        .map(|m| Period {
            name: month_name(m.year, m.month),
            url: month_path(m.year, m.month),
            stories: m.stories,
        })
        .collect();
    if periods.is_empty() {
        return Err(AppError::NotFound);
    }
    let trail = vec![
        ("Archive".to_owned(), ROOT.to_owned()),
        (year.to_string(), year_path(year)),
    ];
    render_view(
        &state,
        ArchiveView::periods(year.to_string(), trail, periods),
    )
    .await
}

/// `/archive/YYYY/MM`: the month's days with stories.
pub async fn month(
    State(state): State<AppState>,
    Path((year, month)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (year, month): (i32, u32) = (number(&year, 4)?, number(&month, 2)?);
    let first = NaiveDate::from_ymd_opt(year, month, 1).ok_or(AppError::NotFound)?;
    let last = calendar::month_end(year, month)
        .ok_or(AppError::NotFound)?
        .date_naive()
        .pred_opt()
        .ok_or(AppError::NotFound)?;
    let mut periods: Vec<Period> =
        finding::calendar_between(&state.newsroom, first, last, Utc::now())
            .await?
            .into_iter()
            .map(|d| Period {
                name: d.day.format("%A %-d %B %Y").to_string(),
                url: day_path(d.day),
                stories: d.stories,
            })
            .collect();
    if periods.is_empty() {
        return Err(AppError::NotFound);
    }
    periods.reverse();
    let trail = vec![
        ("Archive".to_owned(), ROOT.to_owned()),
        (year.to_string(), year_path(year)),
        (month_name(year, month), month_path(year, month)),
    ];
    render_view(
        &state,
        ArchiveView::periods(month_name(year, month), trail, periods),
    )
    .await
}

/// `/archive/YYYY/MM/DD`: the day's stories, newest first, page by page.
pub async fn day(
    State(state): State<AppState>,
    Path((year, month, day)): Path<(String, String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let date = NaiveDate::from_ymd_opt(number(&year, 4)?, number(&month, 2)?, number(&day, 2)?)
        .ok_or(AppError::NotFound)?;
    let page_no = page_number(query.as_deref())?;
    let found = finding::day_page(&state.newsroom, date, page_no, PAGE_SIZE, Utc::now())
        .await?
        .ok_or(AppError::NotFound)?;
    let path = day_path(date);
    let pager = Pager::of(&path, page_no, found.pages);
    let trail = vec![
        ("Archive".to_owned(), ROOT.to_owned()),
        (date.year().to_string(), year_path(date.year())),
        (
            month_name(date.year(), date.month()),
            month_path(date.year(), date.month()),
        ),
        (date.format("%-d %B %Y").to_string(), path),
    ];
    let cards = CardView::list(&found.cards, CardKind::More);
    let heading = format!("Stories of {}", date.format("%A %-d %B %Y"));
    let view = ArchiveView {
        heading,
        trail,
        periods: Vec::new(),
        cards,
        pager: Some(pager),
    };
    render_view(&state, view).await
}

/// An archive page before it is framed.
struct ArchiveView {
    heading: String,
    trail: Vec<(String, String)>,
    periods: Vec<Period>,
    cards: Vec<CardView>,
    pager: Option<Pager>,
}

impl ArchiveView {
    /// A page of periods to go into.
    fn periods(heading: String, trail: Vec<(String, String)>, periods: Vec<Period>) -> Self {
        ArchiveView {
            heading,
            trail,
            periods,
            cards: Vec::new(),
            pager: None,
        }
    }
}

async fn render_view(state: &AppState, view: ArchiveView) -> Result<Response, AppError> {
    let site = site_view(state).await?;
    let path = view
        .trail
        .last()
        .map_or(ROOT.to_owned(), |(_, p)| p.clone());
    let (path, title) = match &view.pager {
        Some(p) if p.page > 1 => (
            format!("{path}?page={}", p.page),
            format!(
                "{} (page {} of {})",
                view.heading,
                p.page,
                p.pages.unwrap_or(1)
            ),
        ),
        _ => (path, view.heading.clone()),
    };
    let mut page = PageMeta::new(&site, title.clone(), path);
    page.description = Some(format!("{title}: the archive of {}.", site.title));
    if let Some(pager) = &view.pager {
        page.prev.clone_from(&pager.prev);
        page.next.clone_from(&pager.next);
    }
    page.json_ld = vec![structured::breadcrumbs(&site, &view.trail)];
    let info = PageInfo {
        keys: listing_keys(ROOT),
        last_modified: None,
    };
    html_page(
        state,
        "archive.html",
        ArchivePage {
            site,
            page,
            heading: view.heading,
            periods: view.periods,
            cards: view.cards,
            pager: view.pager,
        },
        info,
    )
}
