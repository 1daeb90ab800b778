//! Workflow moves and corrections on a story: the buttons under the editor.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use byline_core::editorial::EditorStory;
use byline_core::workflow::Transition;
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

use super::auth::SignedIn;
use super::gate::AllowedStory;
use super::stories::{after, see_other};
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::Actor;
use crate::usecases::stories as story_cases;

#[derive(Debug, Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    action: String,
    /// `YYYY-MM-DDTHH:MM` in UTC, for scheduling.
    #[serde(default)]
    at: String,
}

/// The time a `datetime-local` field gives (the admin's times are UTC), if it is one.
pub fn utc_field(text: &str) -> Option<DateTime<Utc>> {
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|format| NaiveDateTime::parse_from_str(text.trim(), format).ok())
        .map(|t| t.and_utc())
}

pub async fn change_status(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let transition = Transition::parse(&form.action).ok_or(AppError::NotFound)?;
    let (actor, at, now) = (Actor::Member(&me.user), utc_field(&form.at), Utc::now());
    let moving = story_cases::change_status(&state.newsroom, actor, &story, transition, at, now);
    let to = match moving.await {
        Ok(to) => to,
        Err(refused) => return after(&state, &me, &story, Err(refused), "moved").await,
    };
    // Back to the story when the member may still edit it, else to the list where it now sits.
    let after_move = EditorStory {
        status: to,
        ..(**story).clone()
    };
    if byline_core::workflow::may_edit(me.user.role, actor.ownership(&after_move), to) {
        Ok(see_other(&format!("/admin/stories/{}?moved", story.id.0)))
    } else {
        Ok(see_other(&format!("/admin?status={}", to.as_str())))
    }
}

#[derive(Debug, Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    note: String,
}

pub async fn add_correction(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    Form(form): Form<CorrectionForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let actor = Actor::Member(&me.user);
    let done =
        story_cases::add_correction(&state.newsroom, actor, &story, &form.note, Utc::now()).await;
    after(&state, &me, &story, done, "corrected").await
}
