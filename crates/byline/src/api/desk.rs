//! The Admin API beyond stories: the media library (upload, read, update), curation, sections
//! and newsletter drafts, on the same use cases and checks as the admin's pages.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::library::LibraryPicture;
use byline_core::{PictureId, Slug};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{Problem, Site};
use super::{ApiError, ApiJson, ApiQuery, Caller};
use crate::admin::library::{PictureForm, edit_from};
use crate::state::AppState;
use crate::uploads::UploadRefused;
use crate::usecases::curation::{self, SectionInput};
use crate::usecases::newsletter::{self, DraftFields};
use crate::usecases::pictures::{self, Words};
use crate::usecases::reading;

/// A picture of the media library.
#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryPictureOut {
    pub id: i64,
    pub url: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub content_type: Option<String>,
    pub credit: Option<String>,
    pub caption: Option<String>,
    pub alt: Option<String>,
    pub keywords: Vec<String>,
    /// The point crops keep in view, in percent from the left and from the top.
    pub focus_x: f64,
    pub focus_y: f64,
    /// How many stories use it as their lead picture.
    pub uses: u64,
}

impl LibraryPictureOut {
    fn of(item: &LibraryPicture, site: Site<'_>) -> LibraryPictureOut {
        let p = &item.picture;
        LibraryPictureOut {
            id: item.id.0,
            url: site.absolute(&p.url()),
            width: p.width,
            height: p.height,
            content_type: p.content_type.clone(),
            credit: p.credit.clone(),
            caption: p.caption.clone(),
            alt: p.alt.clone(),
            keywords: p.keywords.clone(),
            focus_x: f64::from(p.focus.x) / 10.0,
            focus_y: f64::from(p.focus.y) / 10.0,
            uses: item.uses,
        }
    }
}

/// An image file, sent as the request's body.
#[derive(Debug, ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct ImageFile(pub Vec<u8>);

/// The words sent with an upload, as query parameters.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadParams {
    /// The credit; the file's own (IPTC/XMP/EXIF) when none is given.
    #[param(max_length = 300)]
    pub credit: Option<String>,
    #[param(max_length = 2000)]
    pub caption: Option<String>,
    #[param(max_length = 500)]
    pub alt: Option<String>,
}

/// A library picture's words and focus, replaced whole.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PictureEditIn {
    #[serde(default)]
    #[schema(max_length = 300)]
    pub credit: Option<String>,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub caption: Option<String>,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub alt: Option<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Percent from the left, 0 to 100; 50 by default.
    #[serde(default = "middle")]
    #[schema(minimum = 0, maximum = 100)]
    pub focus_x: f64,
    /// Percent from the top, 0 to 100; 50 by default.
    #[serde(default = "middle")]
    #[schema(minimum = 0, maximum = 100)]
    pub focus_y: f64,
}

fn middle() -> f64 {
    50.0
}

/// The front page's lead and the "Don't miss" picks, by story slug, replaced whole.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CurationIn {
    /// The lead's slug; none lets the newest story lead.
    #[serde(default)]
    pub lead: Option<String>,
    /// In order; none lets the rail show the newest stories.
    #[serde(default)]
    pub picks: Vec<String>,
}

/// A section's name, description and place in the navigation.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionIn {
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: String,
    /// Smallest first.
    #[serde(default, deserialize_with = "super::model::whole_number")]
    pub position: i64,
    /// The slug of the section it sits under, `""` for the top level; left out, it stays
    /// where it is (a new section: the top level).
    #[serde(default)]
    #[schema(max_length = 200)]
    pub parent: Option<String>,
}

/// A newsletter draft's words and stories.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewsletterDraftIn {
    #[schema(min_length = 1, max_length = 200)]
    pub subject: String,
    #[serde(default)]
    pub intro: String,
    /// The stories' slugs, in order.
    #[serde(default)]
    pub stories: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NewsletterDraftOut {
    pub id: i64,
    pub subject: String,
    pub intro: String,
    pub stories: Vec<String>,
}

fn site(state: &AppState) -> Site<'_> {
    Site {
        base_url: &state.site.base_url,
    }
}

fn picture_answer(state: &AppState, item: &LibraryPicture, status: StatusCode) -> Response {
    let mut response =
        (status, axum::Json(LibraryPictureOut::of(item, site(state)))).into_response();
    if status == StatusCode::CREATED
        && let Ok(location) = format!("/api/v1/admin/pictures/{}", item.id).parse()
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Adds a picture to the media library: the body is the image file itself (JPEG, PNG, GIF or
/// WebP), decoded whole before it is kept; its credit is read from the file unless given.
#[utoipa::path(post, path = "/api/v1/admin/pictures", tag = "admin",
    params(UploadParams),
    request_body(content = ImageFile, description = "The image file", content_type = "image/*"),
    responses(
        (status = 201, description = "Added (or found: the same file is one picture)", body = LibraryPictureOut),
        (status = 400, description = "No image body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow this, or the words given are the desk's to change", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Larger than the newsroom's upload limit"),
        (status = 422, description = "Not a usable picture, or words too long", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn upload_picture(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UploadParams>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let actor = caller.actor()?;
    let is_image = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.trim().to_ascii_lowercase().starts_with("image/"));
    if !is_image || body.is_empty() {
        return Err(ApiError::BadRequest(
            "Send the image file as the body, with its image/… Content-Type.".into(),
        ));
    }
    let tidy = |t: Option<String>| {
        t.map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|t| !t.is_empty())
    };
    let words = Words {
        credit: tidy(params.credit),
        caption: tidy(params.caption),
        alt: tidy(params.alt),
    };
    let id = crate::uploads::add_to_library(&state, actor, &body, &words)
        .await
        .map_err(|refused| match refused {
            UploadRefused::NotAPicture(why) => ApiError::Invalid {
                field: "body",
                message: why,
            },
            UploadRefused::Refused(refusal) => refusal.into(),
            UploadRefused::Failed(e) => ApiError::Internal(e.to_string()),
        })?;
    let (item, _) = pictures::picture(&state.newsroom, actor, id).await?;
    Ok(picture_answer(&state, &item, StatusCode::CREATED))
}

/// A picture of the media library.
#[utoipa::path(get, path = "/api/v1/admin/pictures/{id}", tag = "admin",
    params(("id" = i64, Path, description = "The picture's id")),
    responses(
        (status = 200, description = "The picture", body = LibraryPictureOut),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such picture the caller may see", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn get_picture(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = picture_id(&id)?;
    let (item, _) = pictures::picture(&state.newsroom, caller.actor()?, id).await?;
    Ok(picture_answer(&state, &item, StatusCode::OK))
}

/// Changes a library picture's words and focus for every story that uses it.
#[utoipa::path(put, path = "/api/v1/admin/pictures/{id}", tag = "admin",
    request_body = PictureEditIn,
    params(("id" = i64, Path, description = "The picture's id")),
    responses(
        (status = 200, description = "Changed", body = LibraryPictureOut),
        (status = 400, description = "A body that is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow this", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such picture", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field to change", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn update_picture(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PictureEditIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor()?;
    let id = picture_id(&id)?;
    if input.keywords.iter().any(|k| k.contains([',', '\n'])) {
        return Err(ApiError::Invalid {
            field: "keywords",
            message: "A keyword cannot contain a comma or a line break.".into(),
        });
    }
    // The admin's form and its checks, so both give the same answers.
    let form = PictureForm {
        csrf: String::new(),
        credit: input.credit.unwrap_or_default(),
        caption: input.caption.unwrap_or_default(),
        alt: input.alt.unwrap_or_default(),
        keywords: input.keywords.join(", "),
        focus_x: input.focus_x.to_string(),
        focus_y: input.focus_y.to_string(),
    };
    let edit = edit_from(&form).map_err(|message| ApiError::Invalid {
        field: "picture",
        message,
    })?;
    pictures::update_library_picture(&state.newsroom, actor, id, edit, Utc::now()).await?;
    state.renditions_wanted.notify_one();
    let (item, _) = pictures::picture(&state.newsroom, actor, id).await?;
    Ok(picture_answer(&state, &item, StatusCode::OK))
}

/// The picture a path names; anything but an id names none.
fn picture_id(text: &str) -> Result<PictureId, ApiError> {
    text.parse().map(PictureId).map_err(|_| ApiError::NotFound)
}

fn slug_of(field: &'static str, text: &str) -> Result<Slug, ApiError> {
    Slug::parse(text).map_err(|e| ApiError::Invalid {
        field,
        message: format!("\"{text}\" is not a story's slug: {e}."),
    })
}

/// Sets the front page's lead and the "Don't miss" picks.
#[utoipa::path(put, path = "/api/v1/admin/curation", tag = "admin",
    request_body = CurationIn,
    responses(
        (status = 204, description = "Set"),
        (status = 400, description = "A body that is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow curating", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "A slug names no story", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A slug that is not one, or a story picked twice", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn curate(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<CurationIn>,
) -> Result<Response, ApiError> {
    let lead = input
        .lead
        .as_deref()
        .map(|s| slug_of("lead", s))
        .transpose()?;
    let picks = input
        .picks
        .iter()
        .map(|s| slug_of("picks", s))
        .collect::<Result<Vec<_>, _>>()?;
    curation::curate(&state.newsroom, caller.actor()?, lead, picks, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Creates the section at this slug, or changes it.
#[utoipa::path(put, path = "/api/v1/admin/sections/{slug}", tag = "admin",
    request_body = SectionIn,
    params(("slug" = String, Path, description = "The section's slug", max_length = 200)),
    responses(
        (status = 204, description = "Saved"),
        (status = 400, description = "A body that is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Only administrators manage sections", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field to change", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn save_section(
    State(state): State<AppState>,
    caller: Caller,
    Path(slug): Path<String>,
    ApiJson(input): ApiJson<SectionIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor()?;
    let existing = reading::sections(&state.newsroom)
        .await?
        .into_iter()
        .find(|s| s.slug.as_str() == slug);
    let section = SectionInput {
        id: existing.map(|s| s.id),
        name: input.name,
        slug,
        description: input.description,
        position: input.position,
        parent: input.parent,
    };
    curation::save_section(&state.newsroom, actor, section, Utc::now()).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Starts a newsletter draft, signed by the token's account.
#[utoipa::path(post, path = "/api/v1/admin/newsletter/drafts", tag = "admin",
    request_body = NewsletterDraftIn,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry safe: the same key and body create one draft", max_length = 255)),
    responses(
        (status = 201, description = "Created", body = NewsletterDraftOut),
        (status = 200, description = "Created before under this idempotency key", body = NewsletterDraftOut),
        (status = 404, description = "Created before under this idempotency key, and since sent or deleted", body = Problem, content_type = "application/problem+json"),
        (status = 400, description = "A body that is not JSON of this shape", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The token's role does not allow sending newsletters", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field to change", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Over the token's limit", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = [])))]
pub async fn create_newsletter_draft(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    ApiJson(input): ApiJson<NewsletterDraftIn>,
) -> Result<Response, ApiError> {
    let actor = caller.actor()?;
    let once = super::newsroom::idempotency(&headers, &caller, &input)?;
    let fields = DraftFields {
        subject: input.subject,
        intro: input.intro,
        stories: input.stories,
    };
    let (nr, now) = (&state.newsroom, Utc::now());
    let (id, created) = match once {
        Some(once) => newsletter::create_draft_once(nr, actor, &fields, &once, now).await?,
        None => (
            newsletter::create_draft(nr, actor, &fields, now).await?,
            true,
        ),
    };
    let draft = newsletter::draft(&state.newsroom, actor, id).await?;
    let out = NewsletterDraftOut {
        id: draft.id.0,
        subject: draft.input.subject,
        intro: draft.input.intro,
        stories: draft.input.stories,
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(out)).into_response())
}
