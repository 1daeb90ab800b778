//! What the editor's script calls: the body preview and the autosave of drafts.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use byline_core::editorial::BodyFormat;
use byline_render::markdown::render_body;
use serde::Deserialize;

use super::auth::SignedIn;
use super::editor_form::EditorForm;
use super::gate::AllowedStory;
use super::stories::fields_from;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::stories as story_cases;
use crate::usecases::{Actor, Refusal};
use chrono::Utc;

#[derive(Debug, Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    body_format: String,
}

/// The body rendered exactly as the site will show it.
pub async fn preview(
    State(_state): State<AppState>,
    me: SignedIn,
    Form(form): Form<PreviewForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let format = BodyFormat::parse(&form.body_format).unwrap_or(BodyFormat::Markdown);
    let html = render_body(&form.body, format);
    let mut response = (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html.as_str().to_owned(),
    )
        .into_response();
    super::secure_admin_headers(&mut response);
    Ok(response)
}

/// Saves the editor's fields as a new revision and answers the new revision number, or 409
/// when someone else saved meanwhile (the script then asks the writer to save and compare).
pub async fn autosave(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    Form(form): Form<EditorForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    // Only unpublished work autosaves: a live story changes when someone presses Save.
    if story.status == byline_core::Status::Published {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let Ok(fields) = fields_from(&state, &story, &form) else {
        return Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response());
    };
    let (actor, now) = (Actor::Member(&me.user), Utc::now());
    match story_cases::save_edit(&state.newsroom, actor, &story, fields, form.revision, now).await {
        Ok(revision) => Ok(Json(serde_json::json!({ "revision": revision })).into_response()),
        Err(Refusal::Stale(_)) => Ok(StatusCode::CONFLICT.into_response()),
        Err(Refusal::Invalid { .. }) => Ok(StatusCode::UNPROCESSABLE_ENTITY.into_response()),
        Err(other) => Err(other.into()),
    }
}
