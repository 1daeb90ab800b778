//! Workflow moves and corrections on a story: the buttons under the editor.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::Status;
use byline_core::access::Permission;
use byline_core::editorial::EditorStory;
use byline_core::workflow::{Move, Transition, decide};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;

use super::auth::SignedIn;
use super::gate::AllowedStory;
use super::stories::{capitalise, ownership, refuse, require, see_other};
use crate::error::AppError;
use crate::state::AppState;

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

/// The newsroom's rule (`[photos] credit_required`): a story whose lead photo has no credit
/// is not published or scheduled.
fn lacks_required_credit(state: &AppState, story: &EditorStory, to: Status) -> bool {
    matches!(to, Status::Published | Status::Scheduled)
        && state.credit_required
        && story
            .lead_picture
            .as_ref()
            .is_some_and(|p| !p.is_credited())
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
    let id = story.id.0;
    let transition = Transition::parse(&form.action).ok_or(AppError::NotFound)?;
    let at = utc_field(&form.at);
    let now = Utc::now();
    let decision = decide(Move {
        from: story.status,
        transition,
        role: me.user.role,
        ownership: ownership(&story, &me),
        at,
        embargo_until: story.embargo_until,
        now,
    });
    let to = match decision {
        Ok(to) => to,
        Err(byline_core::workflow::WorkflowError::Forbidden) => {
            return Err(AppError::Forbidden("Your role does not allow this.".into()));
        }
        Err(problem) => {
            let message = capitalise(&problem.to_string()) + ".";
            return refuse(
                &state,
                &me,
                &story,
                StatusCode::UNPROCESSABLE_ENTITY,
                "status",
                message,
            )
            .await;
        }
    };
    if lacks_required_credit(&state, &story, to) {
        return refuse(
            &state,
            &me,
            &story,
            StatusCode::UNPROCESSABLE_ENTITY,
            "status",
            "The lead photo has no credit. Add the credit line (as the agency gives it) or \
             remove the photo before publishing."
                .into(),
        )
        .await;
    }
    let change = byline_core::editorial::StatusChange {
        from: story.status,
        to,
        at,
        now,
    };
    state.store.change_status(story.id, change).await?;
    tracing::info!(
        story = id,
        from = story.status.as_str(),
        to = to.as_str(),
        user = me.user.id.0,
        "status changed"
    );
    // Back to the story when the member may still edit it, else to the list where it now sits.
    let after = EditorStory {
        status: to,
        ..(*story).clone()
    };
    if byline_core::workflow::may_edit(me.user.role, ownership(&after, &me), to) {
        Ok(see_other(&format!("/admin/stories/{id}?moved")))
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
    let id = story.id.0;
    require(&me, Permission::Correct, ownership(&story, &me))?;
    let note = form.note.split_whitespace().collect::<Vec<_>>().join(" ");
    let problem = if story.status != byline_core::Status::Published {
        Some("Only a published story can be corrected; edit a draft instead.")
    } else if note.is_empty() {
        Some("Write what was wrong and what is right.")
    } else if note.chars().count() > 2000 {
        Some("A correction note is at most 2,000 characters.")
    } else {
        None
    };
    if let Some(message) = problem {
        let message = message.to_owned();
        return refuse(
            &state,
            &me,
            &story,
            StatusCode::UNPROCESSABLE_ENTITY,
            "correction",
            message,
        )
        .await;
    }
    state
        .store
        .add_correction(story.id, me.user.id, &note, Utc::now())
        .await?;
    tracing::info!(story = id, user = me.user.id.0, "correction added");
    Ok(see_other(&format!("/admin/stories/{id}?corrected")))
}
