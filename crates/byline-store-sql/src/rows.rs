//! Turning rows into core types, and core times into stored integers.

use crate::db::DbRow;
use byline_core::store::StoreError;
use byline_core::{Focus, Headline, Picture, PictureSource, Rights, Slug, StoryCard, StoryId};
use chrono::{DateTime, Utc};
use sqlx::Row;

/// The picture columns every card and story query selects, prefixed `p_`.
/// The caption is the story's own for this use, else the picture's.
pub(crate) const PICTURE_COLUMNS: &str = "p.source_kind AS p_kind, p.location AS p_location, \
     p.credit AS p_credit, COALESCE(s.lead_caption, p.caption) AS p_caption, p.alt AS p_alt, \
     p.width AS p_width, p.height AS p_height, p.content_type AS p_content_type, \
     p.keywords AS p_keywords, p.focus_x AS p_focus_x, p.focus_y AS p_focus_y, p.shared, \
     p.rights_creator, p.rights_copyright, p.rights_license_url, p.rights_licensor_url";

/// The same columns for a picture read on its own (the library), with its own caption.
pub(crate) const LIBRARY_COLUMNS: &str = "p.id, p.added_at, p.source_kind AS p_kind, \
     p.location AS p_location, p.credit AS p_credit, p.caption AS p_caption, p.alt AS p_alt, \
     p.width AS p_width, p.height AS p_height, p.content_type AS p_content_type, \
     p.keywords AS p_keywords, p.focus_x AS p_focus_x, p.focus_y AS p_focus_y, p.shared, \
     p.rights_creator, p.rights_copyright, p.rights_license_url, p.rights_licensor_url";

/// Keywords as stored: one per line.
pub(crate) fn keywords_text(keywords: &[String]) -> String {
    keywords.join("\n")
}

pub(crate) fn to_secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

pub(crate) fn from_secs(secs: i64) -> Result<DateTime<Utc>, StoreError> {
    DateTime::from_timestamp(secs, 0).ok_or_else(|| corrupt(format!("time {secs} out of range")))
}

pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Defect(format!("stored data is not valid: {what}"))
}

pub(crate) fn get<'r, T>(row: &'r DbRow, column: &str) -> Result<T, StoreError>
where
    T: sqlx::Decode<'r, crate::db::Db> + sqlx::Type<crate::db::Db>,
{
    row.try_get(column)
        .map_err(|e| corrupt(format!("column {column}: {e}")))
}

pub(crate) fn slug(row: &DbRow, column: &str) -> Result<Slug, StoreError> {
    let text: String = get(row, column)?;
    Slug::parse(&text).map_err(corrupt)
}

pub(crate) fn headline(row: &DbRow) -> Result<Headline, StoreError> {
    let text: String = get(row, "headline")?;
    Headline::parse(&text).map_err(corrupt)
}

/// The `p_` columns of a row, when the row has a picture.
pub(crate) fn picture(row: &DbRow) -> Result<Option<Picture>, StoreError> {
    let Some(kind) = get::<Option<String>>(row, "p_kind")? else {
        return Ok(None);
    };
    let location: String = get(row, "p_location")?;
    let source = match kind.as_str() {
        "local" => PictureSource::Local { key: location },
        "remote" => PictureSource::Remote { url: location },
        other => return Err(corrupt(format!("picture kind {other}"))),
    };
    let dimension = |column| -> Result<Option<u32>, StoreError> {
        Ok(get::<Option<i64>>(row, column)?.and_then(|v| u32::try_from(v).ok()))
    };
    Ok(Some(Picture {
        source,
        credit: get(row, "p_credit")?,
        caption: get(row, "p_caption")?,
        alt: get(row, "p_alt")?,
        width: dimension("p_width")?,
        height: dimension("p_height")?,
        content_type: get(row, "p_content_type")?,
        keywords: get::<String>(row, "p_keywords")?
            .lines()
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
            .collect(),
        focus: Focus::new(get(row, "p_focus_x")?, get(row, "p_focus_y")?),
        rights: Rights {
            creator: get(row, "rights_creator")?,
            copyright: get(row, "rights_copyright")?,
            license_url: get(row, "rights_license_url")?,
            licensor_url: get(row, "rights_licensor_url")?,
        },
    }))
}

pub(crate) fn card(row: &DbRow) -> Result<StoryCard, StoreError> {
    Ok(StoryCard {
        id: StoryId(get(row, "id")?),
        slug: slug(row, "slug")?,
        headline: headline(row)?,
        summary: get(row, "summary")?,
        published_at: from_secs(get(row, "published_at")?)?,
        lead_picture: picture(row)?,
    })
}
