//! Sending a newsletter draft: a test copy to oneself, now to every active subscriber, or at a
//! set time; unscheduling and deleting drafts.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::newsletter::Draft;
use byline_core::{DraftId, IssueId};
use chrono::{DateTime, Utc};

use super::auth::SignedIn;
use super::newsletter::{DraftForm, content_of, draft_page, load_draft};
use super::stories::see_other;
use crate::error::AppError;
use crate::state::AppState;
use crate::usecases::newsletter as cases;
use crate::usecases::{Actor, Outcome, Refusal};

/// Mails the draft, as subscribers would get it, to the editor alone; waits for the mail
/// server's answer so that the editor sees it.
pub async fn test_copy(state: &AppState, me: &SignedIn, draft: &Draft) -> Result<(), String> {
    let Some(mailer) = &state.mailer else {
        return Err(
            "No mail server is configured ([mail] in the config file): nothing can be sent.".into(),
        );
    };
    let mut content = content_of(state, draft).await?;
    content.subject = format!("[Test] {}", content.subject);
    let copy = crate::newsletter::sender::personal_copy(state, &me.user.email, &content)
        .await
        .map_err(|e| e.to_string())?;
    mailer
        .send(&copy)
        .await
        .map_err(|e| format!("The mail server did not take the test copy: {e}"))?;
    tracing::info!(
        draft = draft.id.0,
        user = me.user.id.0,
        "newsletter test copy sent"
    );
    Ok(())
}

/// The draft's page saying what is wrong, for a refused form; any other refusal as an error.
async fn refused(
    state: &AppState,
    me: &SignedIn,
    draft: &Draft,
    refusal: Refusal,
) -> Result<Response, AppError> {
    match refusal {
        Refusal::Invalid { message, .. } => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            draft_page(state, me, draft, status, Some(message), "").await
        }
        refusal => Err(refusal.into()),
    }
}

/// `POST /admin/newsletter/drafts/{id}/send`: into the outbox now, once.
pub async fn send(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<DraftId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = DraftForm::from(pairs);
    me.check_csrf(&form.csrf)?;
    let draft = load_draft(&state, &me, id).await?;
    let content = content_of(&state, &draft).await;
    let actor = Actor::Member(&me.user);
    // The draft leaves in the transaction that queues the issue: a second press finds none.
    let sent = cases::send_draft(
        &state.newsroom,
        actor,
        id,
        &form.updated,
        content,
        Utc::now(),
    )
    .await;
    let (issue, queued) = match sent {
        Ok(sent) => sent,
        Err(refusal) => return refused(&state, &me, &draft, refusal).await,
    };
    tracing::info!(
        issue = issue.0,
        queued,
        user = me.user.id.0,
        "newsletter issue queued"
    );
    Ok(see_other(&format!(
        "/admin/newsletter/issues/{issue}?done=queued"
    )))
}

/// The send time the form gives, or why it is not one.
fn send_time(text: &str) -> Result<DateTime<Utc>, String> {
    super::workflow::utc_field(text).ok_or_else(|| {
        format!(
            "{:?} is not a date and time such as 2026-11-28T07:00.",
            text.trim()
        )
    })
}

/// `POST /admin/newsletter/drafts/{id}/schedule`: frozen as previewed, sent at the time given.
pub async fn schedule(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<DraftId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = DraftForm::from(pairs);
    me.check_csrf(&form.csrf)?;
    let draft = load_draft(&state, &me, id).await?;
    let (nr, actor) = (&state.newsroom, Actor::Member(&me.user));
    let scheduled: Outcome<DateTime<Utc>> = match send_time(&form.send_at) {
        Ok(at) => {
            let content = content_of(&state, &draft).await;
            cases::schedule_draft(nr, actor, id, &form.updated, content, at, Utc::now())
                .await
                .map(|()| at)
        }
        // An unreadable time is answered after the version check, as a past one is.
        Err(problem) => cases::draft_as_seen(nr, actor, id, &form.updated)
            .await
            .and_then(|_| Err(Refusal::invalid("send_at", problem))),
    };
    let at = match scheduled {
        Ok(at) => at,
        Err(refusal) => return refused(&state, &me, &draft, refusal).await,
    };
    tracing::info!(draft = id.0, at = %at, user = me.user.id.0, "newsletter issue scheduled");
    Ok(see_other(&format!(
        "/admin/newsletter/drafts/{id}?done=scheduled"
    )))
}

/// `POST /admin/newsletter/drafts/{id}/unschedule`.
pub async fn unschedule(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<DraftId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    me.check_csrf(&DraftForm::from(pairs).csrf)?;
    // Already sent (or deleted) meanwhile: there is no draft left to show.
    cases::unschedule_draft(&state.newsroom, Actor::Member(&me.user), id).await?;
    Ok(see_other(&format!(
        "/admin/newsletter/drafts/{id}?done=unscheduled"
    )))
}

/// `POST /admin/newsletter/drafts/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<DraftId>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    me.check_csrf(&DraftForm::from(pairs).csrf)?;
    cases::delete_draft(&state.newsroom, Actor::Member(&me.user), id).await?;
    tracing::info!(
        draft = id.0,
        user = me.user.id.0,
        "newsletter draft deleted"
    );
    Ok(see_other("/admin/newsletter?done=deleted"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_times_are_read_as_utc() {
        assert_eq!(
            send_time("2026-11-28T07:30").unwrap().to_rfc3339(),
            "2026-11-28T07:30:00+00:00"
        );
        assert!(send_time("tomorrow").unwrap_err().contains("\"tomorrow\""));
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ResendForm {
    #[serde(default)]
    csrf: String,
    /// The box that says the editor accepts second copies.
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/newsletter/issues/{id}/resend-unknown`: the deliveries of unknown outcome go
/// out again, at the editor's word (some readers may get a second copy).
pub async fn resend_unknown(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<IssueId>,
    Form(form): Form<ResendForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let confirmed = form.confirm == "yes";
    let actor = Actor::Member(&me.user);
    let requeued =
        cases::requeue_unknown(&state.newsroom, actor, id, confirmed, Utc::now()).await?;
    tracing::info!(
        issue = id.0,
        requeued,
        user = me.user.id.0,
        "deliveries of unknown outcome queued again"
    );
    Ok(see_other(&format!(
        "/admin/newsletter/issues/{id}?done=requeued"
    )))
}
