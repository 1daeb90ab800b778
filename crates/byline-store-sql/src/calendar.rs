//! Listings' calendars (the `listing_days` table the triggers keep) and the sitemaps' reads.

use async_trait::async_trait;
use byline_core::Slug;
use byline_core::StoryId;
use byline_core::calendar::{self, CalendarStore, DayCount, Filing, MapEntry, MapQuery, PageStart};
use byline_core::store::{Listing, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;

use crate::failure::db_error;
use crate::rows::{self, PICTURE_COLUMNS};

/// The calendar's name of a listing and the table its slug is looked up in.
fn listing_kind(listing: &Listing) -> (&'static str, Option<(&'static str, &Slug)>) {
    match listing {
        Listing::All => ("all", None),
        Listing::Section(slug) => ("section", Some(("sections", slug))),
        Listing::Tag(slug) => ("tag", Some(("tags", slug))),
        Listing::Author(slug) => ("author", Some(("authors", slug))),
    }
}

fn table_of(filing: Filing) -> &'static str {
    match filing {
        Filing::Section => "sections",
        Filing::Tag => "tags",
        Filing::Author => "authors",
    }
}

/// Whether the name `n` has public stories on a day up to `$2` (the calendar kind is `$1`).
const FILED: &str = "SELECT 1 FROM listing_days d WHERE d.kind = $1 AND d.ref = n.id \
     AND d.stories > 0 AND d.day <= $2";

/// The first second of `now`'s UTC day.
fn today(now: DateTime<Utc>) -> i64 {
    rows::to_secs(calendar::start_of(now.date_naive()))
}

impl crate::SqlStore {
    /// How many of a listing's published stories have a time later today than `now`.
    async fn later_today(&self, listing: &Listing, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let (filter, slug) = crate::listing::listing_filter(listing);
        let sql = format!(
            "SELECT count(*) FROM stories s WHERE s.status = 'published' \
             AND s.published_at > $1 AND s.published_at < $3 {filter}"
        );
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .bind(rows::to_secs(now))
            .bind(slug)
            .bind(today(now) + 86_400)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(u64::try_from(count).unwrap_or(0))
    }
}

fn day_of(secs: i64) -> Result<NaiveDate, StoreError> {
    Ok(rows::from_secs(secs)?.date_naive())
}

#[async_trait]
impl CalendarStore for crate::SqlStore {
    async fn listing_days(
        &self,
        listing: &Listing,
        span: Option<(NaiveDate, NaiveDate)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<DayCount>, StoreError> {
        // Only fixed fragments are joined into the SQL; every value is a bound parameter.
        let (kind, named) = listing_kind(listing);
        let reference = match named {
            None => "0".to_owned(),
            Some((table, _)) => format!("(SELECT id FROM {table} WHERE slug = $2)"),
        };
        let today = rows::to_secs(calendar::start_of(now.date_naive()));
        let sql = format!(
            "SELECT day, stories FROM listing_days WHERE kind = $1 AND ref = {reference} \
             AND stories > 0 AND day <= $3 AND day >= $4 AND day <= $5 ORDER BY day DESC"
        );
        let found: Vec<(i64, i64)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(kind)
            .bind(named.map(|(_, slug)| slug.as_str()))
            .bind(today)
            .bind(span.map_or(i64::MIN, |(first, _)| {
                rows::to_secs(calendar::start_of(first))
            }))
            .bind(span.map_or(i64::MAX, |(_, last)| {
                rows::to_secs(calendar::start_of(last))
            }))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        let mut days = found
            .into_iter()
            .map(|(day, stories)| {
                Ok(DayCount {
                    day: day_of(day)?,
                    stories: u64::try_from(stories).unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        if let Some(first) = days.first_mut().filter(|d| d.day == now.date_naive()) {
            // Today counts only the stories whose time has come.
            first.stories = first
                .stories
                .saturating_sub(self.later_today(listing, now).await?);
        }
        days.retain(|d| d.stories > 0);
        Ok(days)
    }

    async fn locate(
        &self,
        listing: &Listing,
        offset: u64,
        now: DateTime<Utc>,
    ) -> Result<(Option<PageStart>, u64), StoreError> {
        // Only fixed fragments are joined into the SQL; every value is a bound parameter.
        // Today counts only the stories whose time has come ($5 of its stories are later).
        let (kind, named) = listing_kind(listing);
        let reference = match named {
            None => "0".to_owned(),
            Some((table, _)) => format!("(SELECT id FROM {table} WHERE slug = $2)"),
        };
        let counted = "CASE WHEN day = $3 THEN stories - $4 ELSE stories END";
        let sql = format!(
            "SELECT day, running - counted AS before, total FROM (\
               SELECT day, {counted} AS counted, \
               CAST(sum({counted}) OVER (ORDER BY day DESC ROWS BETWEEN UNBOUNDED PRECEDING \
                    AND CURRENT ROW) AS BIGINT) AS running, \
               CAST(sum({counted}) OVER () AS BIGINT) AS total \
               FROM listing_days WHERE kind = $1 AND ref = {reference} AND stories > 0 \
               AND day <= $3) counts \
             WHERE running > $5 ORDER BY day DESC LIMIT 1"
        );
        let later = i64::try_from(self.later_today(listing, now).await?).unwrap_or(0);
        let found: Option<(i64, i64, i64)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(kind)
            .bind(named.map(|(_, slug)| slug.as_str()))
            .bind(today(now))
            .bind(later)
            .bind(i64::try_from(offset).unwrap_or(i64::MAX))
            .fetch_optional(&self.pool)
            .await
            .map_err(db_error)?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        match found {
            Some((day, before, total)) => {
                let start = PageStart {
                    day: day_of(day)?,
                    skip: offset.saturating_sub(count(before)),
                };
                Ok((Some(start), count(total)))
            }
            None => {
                let days = self.listing_days(listing, None, now).await?;
                Ok((None, calendar::total(&days)))
            }
        }
    }

    async fn filed_last_id(&self, filing: Filing) -> Result<u64, StoreError> {
        let sql = format!("SELECT COALESCE(max(id), 0) FROM {}", table_of(filing));
        let last: i64 = sqlx::query_scalar(AssertSqlSafe(sql))
            .fetch_one(&self.pool)
            .await
            .map_err(db_error)?;
        Ok(u64::try_from(last).unwrap_or(0))
    }

    async fn filed_under(
        &self,
        filing: Filing,
        ids: std::ops::RangeInclusive<u64>,
        now: DateTime<Utc>,
    ) -> Result<Vec<(Slug, NaiveDate)>, StoreError> {
        // A range of ids, each checked by its own few calendar rows (the key leads with kind
        // and ref): bounded work whatever the number of names or stories.
        let sql = format!(
            "SELECT n.slug, (SELECT max(d.day) FROM listing_days d WHERE d.kind = $1 \
             AND d.ref = n.id AND d.stories > 0 AND d.day <= $2) AS newest \
             FROM {} n WHERE n.id >= $3 AND n.id <= $4 AND EXISTS ({FILED}) ORDER BY n.id",
            table_of(filing)
        );
        let bound = |id: u64| i64::try_from(id).unwrap_or(i64::MAX);
        let found = sqlx::query(AssertSqlSafe(sql))
            .bind(filing.as_str())
            .bind(today(now))
            .bind(bound(*ids.start()))
            .bind(bound(*ids.end()))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        found
            .iter()
            .map(|row| Ok((rows::slug(row, "slug")?, day_of(rows::get(row, "newest")?)?)))
            .collect()
    }

    async fn map_entries(&self, query: &MapQuery) -> Result<Vec<MapEntry>, StoreError> {
        // One of two fixed orders, each with its own keyset condition; values are bound.
        let (order, position) = if query.newest_first {
            (
                "s.published_at DESC, s.id DESC",
                "AND (s.published_at < $3 OR (s.published_at = $3 AND s.id < $4))",
            )
        } else {
            (
                "s.published_at ASC, s.id ASC",
                "AND (s.published_at > $3 OR (s.published_at = $3 AND s.id > $4))",
            )
        };
        let (time, id) = match (query.after, query.newest_first) {
            (Some(after), _) => (rows::to_secs(after.time), after.id.0),
            (None, true) => (i64::MAX, i64::MAX),
            (None, false) => (i64::MIN, i64::MIN),
        };
        let sql = format!(
            "SELECT s.id, s.slug, s.headline, s.language, s.published_at, s.updated_at, \
             {PICTURE_COLUMNS} FROM stories s LEFT JOIN pictures p ON p.id = s.lead_picture_id \
             WHERE s.status = 'published' AND s.published_at >= $1 AND s.published_at < $2 \
             {position} ORDER BY {order} LIMIT $5 OFFSET $6"
        );
        let found = sqlx::query(AssertSqlSafe(sql))
            .bind(rows::to_secs(query.since))
            .bind(rows::to_secs(query.until))
            .bind(time)
            .bind(id)
            .bind(i64::from(query.limit))
            .bind(i64::try_from(query.skip).unwrap_or(i64::MAX))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        found
            .iter()
            .map(|row| {
                Ok(MapEntry {
                    id: StoryId(rows::get(row, "id")?),
                    slug: rows::slug(row, "slug")?,
                    headline: rows::headline(row)?,
                    language: rows::get(row, "language")?,
                    published_at: rows::from_secs(rows::get(row, "published_at")?)?,
                    updated_at: rows::from_secs(rows::get(row, "updated_at")?)?,
                    lead_picture: rows::picture(row)?,
                })
            })
            .collect()
    }
}
