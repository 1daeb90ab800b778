//! Listings' calendars (the `listing_days` table the triggers keep) and the sitemaps' reads.

use async_trait::async_trait;
use byline_core::Slug;
use byline_core::StoryId;
use byline_core::calendar::{
    self, CalendarStore, DayCount, Filing, MapEntry, MapQuery, MonthCount, PageStart,
};
use byline_core::store::{Listing, StoreError};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::AssertSqlSafe;

use crate::failure::db_error;
use crate::listing::ListingSource;
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

/// The listing's calendar reference: 0 for the whole site, else the id of its named slug
/// (`$2`).
fn reference_of(named: Option<(&'static str, &Slug)>) -> String {
    match named {
        None => "0".to_owned(),
        Some((table, _)) => format!("(SELECT id FROM {table} WHERE slug = $2)"),
    }
}

/// The first day of `day`'s month.
fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).expect("every month has a first day")
}

/// One read, in one snapshot, that locates the story at offset `$5` of a listing (`$1`, `$2`):
/// the month it falls in, by running sums over the listing's months (the current month, `$3`,
/// counted from its days up to today, `$6`, less its stories later than now, `$4`, and before
/// tomorrow, `$7`), then the day in that month by running sums over its days. One row: the
/// listing's total, the stories in the months before the found one, the day (NULL past the
/// end) and the stories of that month's days before it. The listing's id (`named`) and its
/// stories later today (`later`) are each written once and read by reference: PostgreSQL
/// plans every copy of a repeated subquery, and planning four copies cost more than running
/// the read.
fn locate_sql(named: Option<&str>, source: &ListingSource) -> String {
    let named = named.map_or_else(
        || "SELECT 0 AS id".to_owned(),
        |table| format!("SELECT id FROM {table} WHERE slug = $2"),
    );
    let later = later_sql(source, "$4", "$7");
    let reference = "(SELECT id FROM named)";
    format!(
        "WITH named AS ({named}), \
         later AS ({later}), \
         months AS (\
           SELECT month, next, CASE WHEN month = $3 THEN \
             CAST((SELECT COALESCE(sum(t.stories), 0) FROM listing_days t WHERE t.kind = $1 \
                   AND t.ref = {reference} AND t.day >= $3 AND t.day <= $6) AS BIGINT) \
             - (SELECT n FROM later) ELSE stories END AS counted \
           FROM listing_months WHERE kind = $1 AND ref = {reference} AND stories > 0 \
           AND month <= $3), \
         found AS (\
           SELECT month, next, running - counted AS before, total FROM (\
             SELECT month, next, counted, \
             CAST(sum(counted) OVER (ORDER BY month DESC ROWS BETWEEN UNBOUNDED \
                  PRECEDING AND CURRENT ROW) AS BIGINT) AS running, \
             CAST(sum(counted) OVER () AS BIGINT) AS total FROM months) m \
           ORDER BY running > $5 DESC, month DESC LIMIT 1), \
         days AS (\
           SELECT d.day, CASE WHEN d.day = $6 THEN d.stories - (SELECT n FROM later) \
             ELSE d.stories END AS counted FROM found f CROSS JOIN listing_days d \
           WHERE d.kind = $1 AND d.ref = {reference} AND d.stories > 0 AND d.day >= f.month \
           AND d.day < f.next AND d.day <= $6 AND f.before <= $5) \
         SELECT f.total, f.before, c.day, c.in_month FROM found f LEFT JOIN (\
           SELECT day, running - counted AS in_month FROM (\
             SELECT day, counted, CAST(sum(counted) OVER (ORDER BY day DESC ROWS BETWEEN \
                    UNBOUNDED PRECEDING AND CURRENT ROW) AS BIGINT) AS running FROM days) r \
           WHERE running > $5 - (SELECT before FROM found) ORDER BY day DESC LIMIT 1) c \
         ON 1 = 1"
    )
}

/// The first second of `now`'s UTC day.
fn today(now: DateTime<Utc>) -> i64 {
    rows::to_secs(calendar::start_of(now.date_naive()))
}

/// How many of a listing's published stories have a time after `after` and before `before`
/// (two parameters); the listing's slug is `$2`.
fn later_sql(source: &ListingSource, after: &str, before: &str) -> String {
    let ListingSource {
        from, filter, time, ..
    } = source;
    format!(
        "SELECT count(*) AS n FROM {from} WHERE s.status = 'published' \
         AND {time} > {after} AND {time} < {before} {filter}"
    )
}

impl crate::SqlStore {
    /// How many of a listing's published stories have a time later today than `now`.
    async fn later_today(&self, listing: &Listing, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let source = ListingSource::of(listing);
        let count: i64 = sqlx::query_scalar(AssertSqlSafe(later_sql(&source, "$1", "$3")))
            .bind(rows::to_secs(now))
            .bind(source.slug)
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

/// The first second of the month after `now`'s.
pub(crate) fn next_month(now: DateTime<Utc>) -> i64 {
    let month_end = calendar::month_end(now.year(), now.month());
    month_end.map_or(i64::MAX, rows::to_secs)
}

/// Tags or authors (`names`, as `t`) with public stories at `$1`, by name, each with how many:
/// the calendar's monthly sums (kind `$3`) up to the current month (before `$2`), less the
/// linked stories in those months whose time is still to come. It reads a row per name and
/// month, not a row per story. Only fixed fragments are joined into the SQL.
pub(crate) fn filed_counts(columns: &str, names: &str, links: &str, link: &str) -> String {
    format!(
        "SELECT {columns}, CAST(c.n AS BIGINT) AS n FROM {names} JOIN (\
           SELECT ref, sum(stories) AS n FROM (\
             SELECT ref, stories FROM listing_months WHERE kind = $3 AND month < $2 \
             UNION ALL \
             SELECT f.{link} AS ref, -1 AS stories FROM stories s \
             JOIN {links} f ON f.story_id = s.id \
             WHERE s.status = 'published' AND s.published_at > $1 AND s.published_at < $2\
           ) counted GROUP BY ref\
         ) c ON c.ref = t.id WHERE c.n > 0 ORDER BY t.name"
    )
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
        let reference = reference_of(named);
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

    async fn listing_months(
        &self,
        listing: &Listing,
        now: DateTime<Utc>,
    ) -> Result<Vec<MonthCount>, StoreError> {
        // Only fixed fragments are joined into the SQL; every value is a bound parameter.
        // The current month comes from its days (it may hold stories whose time is still to
        // come); the months before it from their sums, each with its newest day.
        let this_month = month_of(now.date_naive());
        let mut months = calendar::months(
            &self
                .listing_days(listing, Some((this_month, now.date_naive())), now)
                .await?,
        );
        let (kind, named) = listing_kind(listing);
        let sql = format!(
            "SELECT m.month, m.stories, (SELECT max(d.day) FROM listing_days d \
               WHERE d.kind = m.kind AND d.ref = m.ref AND d.day >= m.month AND d.day < m.next \
               AND d.stories > 0) AS newest \
             FROM listing_months m WHERE m.kind = $1 AND m.ref = {} AND m.stories > 0 \
             AND m.month < $3 ORDER BY m.month DESC",
            reference_of(named)
        );
        let found: Vec<(i64, i64, Option<i64>)> = sqlx::query_as(AssertSqlSafe(sql))
            .bind(kind)
            .bind(named.map(|(_, slug)| slug.as_str()))
            .bind(rows::to_secs(calendar::start_of(this_month)))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error)?;
        for (month, stories, newest) in found {
            let (month, newest) = (day_of(month)?, day_of(newest.unwrap_or(month))?);
            months.push(MonthCount {
                year: month.year(),
                month: month.month(),
                stories: u64::try_from(stories).unwrap_or(0),
                newest,
            });
        }
        Ok(months)
    }

    async fn locate(
        &self,
        listing: &Listing,
        offset: u64,
        now: DateTime<Utc>,
    ) -> Result<(Option<PageStart>, u64), StoreError> {
        // Only fixed fragments are joined into the SQL; every value is a bound parameter.
        let (kind, named) = listing_kind(listing);
        let sql = locate_sql(named.map(|(table, _)| table), &ListingSource::of(listing));
        let this_month = calendar::start_of(month_of(now.date_naive()));
        let found: Option<(i64, i64, Option<i64>, Option<i64>)> =
            sqlx::query_as(AssertSqlSafe(sql))
                .bind(kind)
                .bind(named.map(|(_, slug)| slug.as_str()))
                .bind(rows::to_secs(this_month))
                .bind(rows::to_secs(now))
                .bind(i64::try_from(offset).unwrap_or(i64::MAX))
                .bind(today(now))
                .bind(today(now) + 86_400)
                .fetch_optional(&self.pool)
                .await
                .map_err(db_error)?;
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        match found {
            Some((total, before, Some(day), Some(in_month))) => {
                let start = PageStart {
                    day: day_of(day)?,
                    skip: offset.saturating_sub(count(before) + count(in_month)),
                };
                Ok((Some(start), count(total)))
            }
            Some((total, ..)) => Ok((None, count(total))),
            None => Ok((None, 0)),
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
        // One of two fixed orders, each with its own keyset condition; values are bound. The
        // keyset condition is left out when there is no story to start after, and the window
        // is narrowed to the story's time when there is: a condition that bounds nothing (or
        // less than the window) could otherwise be chosen as the index range and scan every
        // story before the month.
        let (order, position) = if query.newest_first {
            (
                "s.published_at DESC, s.id DESC",
                "AND (s.published_at < $5 OR (s.published_at = $5 AND s.id < $6))",
            )
        } else {
            (
                "s.published_at ASC, s.id ASC",
                "AND (s.published_at > $5 OR (s.published_at = $5 AND s.id > $6))",
            )
        };
        let (mut since, mut until) = (rows::to_secs(query.since), rows::to_secs(query.until));
        let (after, position) = match query.after {
            Some(after) => {
                let time = rows::to_secs(after.time);
                if query.newest_first {
                    until = until.min(time.saturating_add(1));
                } else {
                    since = since.max(time);
                }
                (Some((time, after.id.0)), position)
            }
            None => (None, ""),
        };
        let sql = format!(
            "SELECT s.id, s.slug, s.headline, s.language, s.published_at, s.updated_at, \
             {PICTURE_COLUMNS} FROM stories s LEFT JOIN pictures p ON p.id = s.lead_picture_id \
             WHERE s.status = 'published' AND s.published_at >= $1 AND s.published_at < $2 \
             AND s.kind = 'story' {position} ORDER BY {order} LIMIT $3 OFFSET $4"
        );
        let mut read = sqlx::query(AssertSqlSafe(sql))
            .bind(since)
            .bind(until)
            .bind(i64::from(query.limit))
            .bind(i64::try_from(query.skip).unwrap_or(i64::MAX));
        if let Some((time, id)) = after {
            read = read.bind(time).bind(id);
        }
        let found = read.fetch_all(&self.pool).await.map_err(db_error)?;
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
