//! The Content API: public stories (as JSON or IPTC ninjs), sections, tags and authors,
//! read-only, served through the page cache with validators and surrogate keys.

use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use byline_core::changes::CacheKey;
use byline_core::integrations::{After, PublicQuery};
use byline_core::store::Listing;
use byline_core::{Slug, Story, StoryId};
use chrono::{DateTime, Utc};

use super::model::{
    AuthorList, AuthorOut, Problem, SectionList, SectionOut, Site, StoryListParams, StoryOut,
    StoryPage, TagList, TagOut,
};
use super::{ApiError, ApiQuery, Caller};
use crate::frame::PageInfo;
use crate::state::AppState;
use crate::usecases::reading;

/// The media type of an IPTC ninjs document.
pub const NINJS: &str = "application/ninjs+json";
const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;

/// Whether the request asks for ninjs rather than Byline's JSON.
fn wants_ninjs(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| {
            accept
                .split(',')
                .take(32)
                .any(|t| t.split(';').next().unwrap_or_default().trim() == NINJS)
        })
}

/// The cache key of a Content API read: its path, the parameters it reads as parsed (so that
/// other spellings or made-up parameters cannot fill the cache) and the representation asked
/// for. Pages past the first (a cursor) and change-following reads are not cached.
fn cache_key(request: &Request) -> Option<String> {
    let uri = request.uri();
    let path = uri.path();
    // One key per resource: a percent-encoded spelling of a path is answered, never kept.
    if path.len() > 300 || path.contains('%') {
        return None;
    }
    let representation = if wants_ninjs(request.headers()) {
        "ninjs"
    } else {
        "json"
    };
    if path != "/api/v1/stories" {
        return Some(format!("api {path} {representation}"));
    }
    let params: StoryListParams =
        super::serde_urlencoded_from(uri.query().unwrap_or_default()).ok()?;
    if params.cursor.is_some() || params.updated_since.is_some() {
        return None;
    }
    Some(format!(
        "api {path}?{:?}|{:?}|{:?}|{:?} {representation}",
        params.section, params.tag, params.author, params.limit
    ))
}

/// Middleware: the Content API's answers go through the page cache like pages.
pub async fn cached(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let key = cache_key(&request);
    let mut response = crate::site::delivery::deliver_as(&state, key, request, next).await;
    if state.api_content_key_required {
        // Only token holders may read: no shared cache (a CDN) may keep an answer for others.
        let headers = response.headers_mut();
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, max-age=0, must-revalidate"),
        );
        headers.remove("surrogate-key");
    }
    response
}

fn site(state: &AppState) -> Site<'_> {
    Site {
        base_url: &state.site.base_url,
    }
}

/// A JSON answer that depends on `keys`, for the cache.
fn json_answer<T: serde::Serialize>(
    body: &T,
    content_type: &'static str,
    keys: Vec<CacheKey>,
    last_modified: Option<DateTime<Utc>>,
) -> Response {
    let bytes = serde_json::to_vec(body).expect("API types serialize");
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(
        header::VARY,
        HeaderValue::from_static("Accept, Accept-Encoding"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response.extensions_mut().insert(PageInfo {
        keys,
        last_modified,
    });
    response
}

fn slug_param(field: &'static str, text: &str) -> Result<Slug, ApiError> {
    Slug::parse(text).map_err(|e| ApiError::Invalid {
        field,
        message: format!("The {field} is a slug: {e}."),
    })
}

fn listing(params: &StoryListParams) -> Result<Listing, ApiError> {
    match (&params.section, &params.tag, &params.author) {
        (None, None, None) => Ok(Listing::All),
        (Some(s), None, None) => Ok(Listing::Section(slug_param("section", s)?)),
        (None, Some(t), None) => Ok(Listing::Tag(slug_param("tag", t)?)),
        (None, None, Some(a)) => Ok(Listing::Author(slug_param("author", a)?)),
        _ => Err(ApiError::Invalid {
            field: "section",
            message: "Filter by one of section, tag or author at a time.".into(),
        }),
    }
}

fn encode_cursor(after: After) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!(
        "{}.{}",
        after.time.timestamp(),
        after.id.0
    ))
}

fn decode_cursor(text: &str) -> Result<After, ApiError> {
    let bad = || ApiError::Invalid {
        field: "cursor",
        message: "This cursor was not made by this API; follow the `next` link.".into(),
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| bad())?;
    let text = String::from_utf8(bytes).map_err(|_| bad())?;
    let (time, id) = text.split_once('.').ok_or_else(bad)?;
    let time = DateTime::from_timestamp(time.parse().map_err(|_| bad())?, 0).ok_or_else(bad)?;
    Ok(After {
        time,
        id: StoryId(id.parse().map_err(|_| bad())?),
    })
}

/// Percent-encodes a query value (everything but RFC 3986's unreserved characters).
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

fn next_link(state: &AppState, params: &StoryListParams, limit: u32, after: After) -> String {
    let mut query = Vec::new();
    for (name, value) in [
        ("section", params.section.clone()),
        ("tag", params.tag.clone()),
        ("author", params.author.clone()),
        (
            "updated_since",
            params.updated_since.map(|t| t.to_rfc3339()),
        ),
    ] {
        if let Some(value) = value {
            query.push(format!("{name}={}", query_value(&value)));
        }
    }
    query.push(format!("limit={limit}"));
    query.push(format!("cursor={}", encode_cursor(after)));
    format!("{}/api/v1/stories?{}", state.site.base_url, query.join("&"))
}

/// Public stories, newest first, or with `updated_since` oldest change first.
#[utoipa::path(get, path = "/api/v1/stories", tag = "content",
    params(StoryListParams),
    responses(
        (status = 200, description = "A page of stories", body = StoryPage),
        (status = 304, description = "Not modified since the ETag sent"),
        (status = 400, description = "A parameter that cannot be read", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "A token that is unknown or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A parameter out of range", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the caller's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])))]
pub async fn list_stories(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(params): ApiQuery<StoryListParams>,
) -> Result<Response, ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::Invalid {
            field: "limit",
            message: format!("The limit is 1 to {MAX_LIMIT}."),
        });
    }
    let query = PublicQuery {
        listing: listing(&params)?,
        changed_since: params.updated_since,
        after: params.cursor.as_deref().map(decode_cursor).transpose()?,
        limit,
        now: Utc::now(),
    };
    let (stories, more) = reading::public_stories(&state.newsroom, &query).await?;
    let following = params.updated_since.is_some();
    let next = stories.last().filter(|_| more).map(|last| {
        let time = if following {
            last.updated_at
        } else {
            last.published_at.unwrap_or(last.updated_at)
        };
        next_link(&state, &params, limit, After { time, id: last.id })
    });
    let mut keys = vec![CacheKey::Lists, CacheKey::Site];
    keys.extend(stories.iter().map(|s| CacheKey::Story(s.id)));
    let modified = stories.iter().map(|s| s.updated_at).max();
    let page = StoryPage {
        items: stories
            .iter()
            .map(|s| StoryOut::of(s, site(&state)))
            .collect(),
        next,
    };
    let mut response = json_answer(&page, "application/json", keys, modified);
    if stories.is_empty() && query.listing != Listing::All {
        // An unknown section, tag or author: answered, not kept (made-up names cannot fill
        // the cache).
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// A story by id or slug; an `Accept: application/ninjs+json` request gets an IPTC ninjs 2.x
/// document.
#[utoipa::path(get, path = "/api/v1/stories/{story}", tag = "content",
    params(("story" = String, Path, description = "The story's id or slug", max_length = 200)),
    responses(
        (status = 200, description = "The story", content(
            (StoryOut = "application/json"),
            (super::ninjs::NinjsItem = "application/ninjs+json"),
        )),
        (status = 304, description = "Not modified since the ETag sent"),
        (status = 401, description = "A token that is unknown or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No public story has this id or slug", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the caller's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])))]
pub async fn story(
    State(state): State<AppState>,
    _caller: Caller,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let story = find_story(&state, &reference).await?;
    let keys = vec![CacheKey::Story(story.id), CacheKey::Site];
    let modified = Some(story.updated_at);
    Ok(if wants_ninjs(&headers) {
        let item = super::ninjs::NinjsItem::of(&story, site(&state));
        json_answer(&item, NINJS, keys, modified)
    } else {
        json_answer(
            &StoryOut::of(&story, site(&state)),
            "application/json",
            keys,
            modified,
        )
    })
}

async fn find_story(state: &AppState, reference: &str) -> Result<Story, ApiError> {
    let now = Utc::now();
    let found = match reference.parse::<i64>() {
        // One spelling per story: `007` or `+7` is no id.
        Ok(id) if id.to_string() != reference => None,
        Ok(id) => reading::public_story_by_id(&state.newsroom, StoryId(id), now).await?,
        Err(_) => match Slug::parse(reference) {
            Ok(slug) => reading::public_story(&state.newsroom, &slug, now).await?,
            Err(_) => None,
        },
    };
    found.ok_or(ApiError::NotFound)
}

/// The site's sections, in navigation order.
#[utoipa::path(get, path = "/api/v1/sections", tag = "content",
    responses(
        (status = 200, description = "The sections", body = SectionList),
        (status = 304, description = "Not modified since the ETag sent"),
        (status = 401, description = "A token that is unknown or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the caller's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])))]
pub async fn sections(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<Response, ApiError> {
    let sections = reading::sections(&state.newsroom).await?;
    let list = SectionList {
        items: SectionOut::list(&sections, site(&state)),
    };
    Ok(json_answer(
        &list,
        "application/json",
        vec![CacheKey::Site],
        None,
    ))
}

/// Tags of public stories, by name, with how many public stories each has.
#[utoipa::path(get, path = "/api/v1/tags", tag = "content",
    responses(
        (status = 200, description = "The tags", body = TagList),
        (status = 304, description = "Not modified since the ETag sent"),
        (status = 401, description = "A token that is unknown or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the caller's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])))]
pub async fn tags(State(state): State<AppState>, _caller: Caller) -> Result<Response, ApiError> {
    let tags = reading::public_tags(&state.newsroom, Utc::now()).await?;
    let list = TagList {
        items: tags
            .iter()
            .map(|(t, n)| TagOut::of(t, Some(*n), site(&state)))
            .collect(),
    };
    let keys = vec![CacheKey::Site, CacheKey::Lists];
    Ok(json_answer(&list, "application/json", keys, None))
}

/// Authors of public stories, by name.
#[utoipa::path(get, path = "/api/v1/authors", tag = "content",
    responses(
        (status = 200, description = "The authors", body = AuthorList),
        (status = 304, description = "Not modified since the ETag sent"),
        (status = 401, description = "A token that is unknown or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the caller's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = [])))]
pub async fn authors(State(state): State<AppState>, _caller: Caller) -> Result<Response, ApiError> {
    let authors = reading::public_authors(&state.newsroom, Utc::now()).await?;
    let list = AuthorList {
        items: authors
            .iter()
            .map(|(a, _)| AuthorOut::of(a, site(&state)))
            .collect(),
    };
    let keys = vec![CacheKey::Site, CacheKey::Lists];
    Ok(json_answer(&list, "application/json", keys, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_read_back_and_forged_ones_are_refused() {
        let after = After {
            time: DateTime::from_timestamp(1_700_000_000, 0).unwrap(),
            id: StoryId(42),
        };
        assert_eq!(decode_cursor(&encode_cursor(after)).unwrap(), after);
        for forged in ["", "!!", "bm90IGEgY3Vyc29y", "MTcwMDAwMDAwMC54"] {
            assert!(decode_cursor(forged).is_err(), "{forged}");
        }
    }

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(
            query_value("2024-11-24T10:00:00+00:00"),
            "2024-11-24T10%3A00%3A00%2B00%3A00"
        );
        assert_eq!(query_value("harbour-news"), "harbour-news");
    }
}
