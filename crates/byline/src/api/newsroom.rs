//! The Admin API: the newsroom's story operations for a token's account, on the same use
//! cases as the admin (so one member gets the same answer from both), with `If-Match` on
//! saves and idempotency keys on creates.

use std::sync::Arc;

use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use byline_core::access::{Ownership, allows};
use byline_core::integrations::Once;
use byline_core::workflow::{Need, Transition};
use byline_core::{PictureId, StoryId};
use chrono::Utc;
use sha2::{Digest, Sha256};

use super::model::{
    CorrectionIn, DraftIn, DraftOut, LeadPictureIn, Problem, Site, StatusIn, TransitionIn,
};
use super::{ApiError, ApiJson, Caller};
use crate::admin::editor_form::EditorForm;
use crate::state::AppState;
use crate::usecases::stories::{self, OpenStory};
use crate::usecases::{Actor, pictures};

/// The story a route names, opened by the gate for the caller.
#[derive(Debug, Clone)]
pub struct ApiStory(pub Arc<OpenStory>);

impl<S: Send + Sync> FromRequestParts<S> for ApiStory {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ApiStory, ApiError> {
        parts
            .extensions
            .get::<ApiStory>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("a story route without its need".into()))
    }
}

/// Middleware after the API's gate: admits the caller when their account meets the route's
/// need (the admin's own table), opening the story it names, before the body is read.
pub async fn need(
    State((state, need)): State<(AppState, Need)>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    match meet(&state, need, &mut parts).await {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(refusal) => refusal.into_response(),
    }
}

async fn meet(state: &AppState, need: Need, parts: &mut Parts) -> Result<(), ApiError> {
    let caller = Caller::from_request_parts(parts, state).await?;
    let member = caller.member()?;
    match need {
        Need::Anyone | Need::Member => {}
        Need::Role(permission) => {
            if !allows(member.role, permission, Ownership::Own) {
                return Err(ApiError::Forbidden("Your role does not allow this.".into()));
            }
        }
        Need::Story(access) => {
            let params = RawPathParams::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::NotFound)?;
            let id = params
                .iter()
                .find(|(name, _)| *name == "id")
                .and_then(|(_, value)| value.parse::<i64>().ok())
                .ok_or(ApiError::NotFound)?;
            let story =
                stories::open(&state.newsroom, Actor::Member(member), StoryId(id), access).await?;
            parts.extensions.insert(ApiStory(Arc::new(story)));
        }
    }
    Ok(())
}

fn site(state: &AppState) -> Site<'_> {
    Site {
        base_url: &state.site.base_url,
    }
}

/// The ETag of a story as the Admin API sends it: its revision.
fn revision_tag(revision: i64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"r{revision}\"")).expect("digits")
}

/// The story `id` now, as the Admin API answers with it.
async fn answer(
    state: &AppState,
    actor: Actor<'_>,
    id: StoryId,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let story = stories::open(
        &state.newsroom,
        actor,
        id,
        byline_core::workflow::StoryAccess::Open,
    )
    .await;
    // One whose role no longer reaches the story after what they did is told it was done
    // (204), without the story.
    let story = match story {
        Ok(story) => story,
        Err(crate::usecases::Refusal::Forbidden(_)) => {
            return Ok(StatusCode::NO_CONTENT.into_response());
        }
        Err(other) => return Err(other.into()),
    };
    let mut response = (status, axum::Json(DraftOut::of(&story, site(state)))).into_response();
    let headers = response.headers_mut();
    headers.insert(header::ETAG, revision_tag(story.revision));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::CREATED
        && let Ok(location) = HeaderValue::from_str(&format!("/api/v1/admin/stories/{id}"))
    {
        headers.insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The editor's checks on the API's fields: the same form, so the same answers.
/// `current` is the story saved over: its slug and its words for search engines stay when the
/// input leaves them out (a client that does not know those fields keeps them).
fn fields(
    state: &AppState,
    input: &DraftIn,
    current: Option<&byline_core::editorial::EditorStory>,
) -> Result<byline_core::editorial::StoryFields, ApiError> {
    let kept = |given: &Option<String>, stored: Option<&String>| {
        given
            .clone()
            .or_else(|| stored.cloned())
            .unwrap_or_default()
    };
    let list = |field: &'static str, items: &[String]| -> Result<String, ApiError> {
        if items.iter().any(|i| i.contains(',')) {
            return Err(ApiError::Invalid {
                field,
                message: format!("A name in {field} cannot contain a comma."),
            });
        }
        Ok(items.join(", "))
    };
    let form = EditorForm {
        headline: input.headline.clone(),
        standfirst: input.standfirst.clone().unwrap_or_default(),
        body: input.body.clone(),
        body_format: match input.body_format {
            super::model::BodyFormatIn::Markdown => "markdown".into(),
            super::model::BodyFormatIn::Html => "html".into(),
        },
        section: input.section.clone().unwrap_or_default(),
        tags: list("tags", &input.tags)?,
        authors: list("authors", &input.authors)?,
        slug: input.slug.clone().unwrap_or_default(),
        language: input.language.clone().unwrap_or_default(),
        seo_title: kept(&input.seo_title, current.and_then(|s| s.seo.title.as_ref())),
        seo_description: kept(
            &input.seo_description,
            current.and_then(|s| s.seo.description.as_ref()),
        ),
        revision: 0,
        parent: None,
        position: None,
        page: false,
        csrf: String::new(),
    };
    form.check(&state.site.language, current.map(|s| &s.slug))
        .map_err(|errors| match errors.into_iter().next() {
            Some(first) => ApiError::Invalid {
                field: first.field,
                message: first.message,
            },
            None => ApiError::Invalid {
                field: "headline",
                message: "The story cannot be saved as given.".into(),
            },
        })
}

/// The create's idempotency key, if the request sends one, with a digest of what it asks.
pub fn idempotency<T: serde::Serialize>(
    headers: &HeaderMap,
    caller: &Caller,
    input: &T,
) -> Result<Option<Once>, ApiError> {
    let Caller::Token(holder) = caller else {
        return Ok(None);
    };
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value
        .to_str()
        .ok()
        .filter(|k| !k.is_empty() && k.len() <= 255)
        .ok_or_else(|| {
            ApiError::BadRequest("An Idempotency-Key is 1 to 255 visible characters.".into())
        })?;
    let request = serde_json::to_vec(input).expect("API input serializes");
    let digest = Sha256::digest(&request);
    Ok(Some(Once {
        token: holder.token,
        key: key.to_owned(),
        request: digest.iter().map(|b| format!("{b:02x}")).collect(),
    }))
}

/// Creates a draft owned by the token's account. With an `Idempotency-Key`, a retry gets the
/// story made the first time (200) instead of a second one.
#[utoipa::path(post, path = "/api/v1/admin/stories", tag = "admin",
    request_body = DraftIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body create one story", max_length = 255)),
    responses(
        (status = 201, description = "Created", body = DraftOut),
        (status = 200, description = "Created before under this idempotency key", body = DraftOut),
        (status = 404, description = "Created before under this idempotency key, and no longer there", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 204, description = "Done, though the token's role no longer reaches the story"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow this", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field to change", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_story(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<DraftIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor()?;
    let fields = fields(&state, &input, None)?;
    let now = Utc::now();
    let once = idempotency(&headers, &caller, &input)?;
    let (id, created) = match once {
        Some(once) => {
            stories::create_draft_once(&state.newsroom, actor, fields, &once, now).await?
        }
        None => (
            stories::create_draft(&state.newsroom, actor, fields, now).await?,
            true,
        ),
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    answer(&state, actor, id, status).await
}

/// A story as the editor sees it, whatever its status; its ETag is its revision.
#[utoipa::path(get, path = "/api/v1/admin/stories/{id}", tag = "admin",
    params(("id" = i64, Path, description = "The story's id")),
    responses(
        (status = 200, description = "The story", body = DraftOut),
        (status = 204, description = "Done, though the token's role no longer reaches the story"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not reach this story", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such story", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_story(
    State(state): State<AppState>,
    caller: Caller,
    story: ApiStory,
) -> Result<Response, ApiError> {
    answer(&state, caller.actor()?, story.0.id, StatusCode::OK).await
}

/// The revision an `If-Match` header names; a save without one is refused (428).
fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let value = headers
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    value
        .to_str()
        .ok()
        .map(|v| v.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|v| v.strip_prefix('r'))
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| {
            ApiError::BadRequest("If-Match takes the story's ETag, such as \"r3\".".into())
        })
}

/// Replaces a story's text and metadata, made against the revision `If-Match` names: 409 with
/// the current revision when someone saved since.
#[utoipa::path(put, path = "/api/v1/admin/stories/{id}", tag = "admin",
    request_body = DraftIn,
    params(
        ("id" = i64, Path, description = "The story's id"),
        ("If-Match" = String, Header, description = "The story's ETag, as fetched"),
    ),
    responses(
        (status = 200, description = "Saved", body = DraftOut),
        (status = 400, description = "A body that is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 204, description = "Done, though the token's role no longer reaches the story"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow editing this story now", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such story", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Someone saved since the revision sent", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field to change", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "No If-Match header", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn save_story(
    State(state): State<AppState>,
    caller: Caller,
    story: ApiStory,
    headers: HeaderMap,
    ApiJson(input): ApiJson<DraftIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor()?;
    let expected = if_match(&headers)?;
    let fields = fields(&state, &input, Some(&story.0))?;
    stories::save_edit(
        &state.newsroom,
        actor,
        &story.0,
        fields,
        expected,
        Utc::now(),
    )
    .await?;
    answer(&state, actor, story.0.id, StatusCode::OK).await
}

/// Moves a story through the workflow, as the admin's buttons do.
#[utoipa::path(post, path = "/api/v1/admin/stories/{id}/status", tag = "admin",
    request_body = StatusIn,
    params(("id" = i64, Path, description = "The story's id")),
    responses(
        (status = 200, description = "Moved", body = DraftOut),
        (status = 400, description = "A body that is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 204, description = "Done, though the token's role no longer reaches the story"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow this move", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such story", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The move is not possible now", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    story: ApiStory,
    ApiJson(input): ApiJson<StatusIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor()?;
    let transition = match input.transition {
        TransitionIn::Submit => Transition::Submit,
        TransitionIn::Schedule => Transition::Schedule,
        TransitionIn::Publish => Transition::Publish,
        TransitionIn::Unpublish => Transition::Unpublish,
        TransitionIn::ReturnToDraft => Transition::ReturnToDraft,
    };
    stories::change_status(
        &state.newsroom,
        actor,
        &story.0,
        transition,
        input.at,
        Utc::now(),
    )
    .await?;
    answer(&state, actor, story.0.id, StatusCode::OK).await
}

/// Appends a correction note to a published story.
#[utoipa::path(post, path = "/api/v1/admin/stories/{id}/corrections", tag = "admin",
    request_body = CorrectionIn,
    params(("id" = i64, Path, description = "The story's id")),
    responses(
        (status = 200, description = "Corrected", body = DraftOut),
        (status = 400, description = "A body that is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 204, description = "Done, though the token's role no longer reaches the story"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow corrections", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such story", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The story is not published, or the note is empty or too long", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn correct(
    State(state): State<AppState>,
    caller: Caller,
    story: ApiStory,
    ApiJson(input): ApiJson<CorrectionIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor()?;
    stories::add_correction(&state.newsroom, actor, &story.0, &input.note, Utc::now()).await?;
    answer(&state, actor, story.0.id, StatusCode::OK).await
}

/// Makes a picture of the media library the story's lead photo.
#[utoipa::path(put, path = "/api/v1/admin/stories/{id}/lead-picture", tag = "admin",
    request_body = LeadPictureIn,
    params(("id" = i64, Path, description = "The story's id")),
    responses(
        (status = 200, description = "The story with its new lead picture", body = DraftOut),
        (status = 400, description = "A body that is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 204, description = "Done, though the token's role no longer reaches the story"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow editing this story now", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such story", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such picture the caller may see, or one that cannot be used", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn set_lead_picture(
    State(state): State<AppState>,
    caller: Caller,
    story: ApiStory,
    ApiJson(input): ApiJson<LeadPictureIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor()?;
    let id = PictureId(input.picture_id);
    pictures::choose_library_picture(
        &state.newsroom,
        actor,
        &story.0,
        id,
        input.caption,
        Utc::now(),
    )
    .await
    .map_err(|refusal| match refusal {
        // The story was found (the gate opened it): what is missing is the picture.
        crate::usecases::Refusal::NotFound => ApiError::Invalid {
            field: "picture_id",
            message: "The library has no such picture, or not one you may see.".into(),
        },
        other => other.into(),
    })?;
    answer(&state, actor, story.0.id, StatusCode::OK).await
}
