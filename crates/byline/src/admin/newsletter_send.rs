//! Sending a newsletter draft: a test copy to oneself, now to every active subscriber, or at a
//! set time; unscheduling and deleting drafts.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::access::{Ownership, Permission};
use byline_core::newsletter::{Draft, IssueContent};
use chrono::{DateTime, Utc};

use super::auth::SignedIn;
use super::newsletter::{DraftForm, content_of, draft_page, load_draft};
use super::stories::{require, see_other};
use crate::error::AppError;
use crate::state::AppState;

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
        draft = draft.id,
        user = me.user.id.0,
        "newsletter test copy sent"
    );
    Ok(())
}

/// What the draft would send, once checked: the form's token, the version the editor
/// previewed, `problem` (the caller's own check) and the content itself. Otherwise the draft's
/// page, saying what is wrong.
async fn ready_to_send(
    state: &AppState,
    me: &SignedIn,
    id: i64,
    form: &DraftForm,
    problem: Option<String>,
) -> Result<Result<IssueContent, Response>, AppError> {
    require(me, Permission::SendNewsletter, Ownership::Own)?;
    me.check_csrf(&form.csrf)?;
    let draft = load_draft(state, id).await?;
    let problem = if form.updated != super::newsletter::version(&draft) {
        format!(
            "{} changed this issue after you opened it. Check the preview below, then send again.",
            draft.input.author
        )
    } else if let Some(problem) = problem {
        problem
    } else {
        match content_of(state, &draft).await {
            Ok(content) => return Ok(Ok(content)),
            Err(problem) => problem,
        }
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(Err(draft_page(
        state,
        me,
        &draft,
        status,
        Some(problem),
        "",
    )
    .await?))
}

/// `POST /admin/newsletter/drafts/{id}/send`: into the outbox now, once.
pub async fn send(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = DraftForm::from(pairs);
    let content = match ready_to_send(&state, &me, id, &form, None).await? {
        Ok(content) => content,
        Err(page) => return Ok(page),
    };
    // The draft leaves in the transaction that queues the issue: a second press finds none.
    let Some((issue, queued)) = state.store.send_draft(id, &content, Utc::now()).await? else {
        return Err(AppError::NotFound);
    };
    tracing::info!(
        issue,
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
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let form = DraftForm::from(pairs);
    let at = send_time(&form.send_at).and_then(|at| {
        if at <= Utc::now() {
            Err("Choose a time in the future (UTC), or send the issue now.".to_owned())
        } else {
            Ok(at)
        }
    });
    let content = match ready_to_send(&state, &me, id, &form, at.clone().err()).await? {
        Ok(content) => content,
        Err(page) => return Ok(page),
    };
    // A refused time was answered above, with the draft's page.
    let at = at.map_err(AppError::Unprocessable)?;
    if !state.store.schedule_draft(id, &content, at).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(draft = id, at = %at, user = me.user.id.0, "newsletter issue scheduled");
    Ok(see_other(&format!(
        "/admin/newsletter/drafts/{id}?done=scheduled"
    )))
}

/// `POST /admin/newsletter/drafts/{id}/unschedule`.
pub async fn unschedule(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require(&me, Permission::SendNewsletter, Ownership::Own)?;
    me.check_csrf(&DraftForm::from(pairs).csrf)?;
    // Already sent (or deleted) meanwhile: there is no draft left to show.
    load_draft(&state, id).await?;
    state.store.unschedule_draft(id).await?;
    Ok(see_other(&format!(
        "/admin/newsletter/drafts/{id}?done=unscheduled"
    )))
}

/// `POST /admin/newsletter/drafts/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    require(&me, Permission::SendNewsletter, Ownership::Own)?;
    me.check_csrf(&DraftForm::from(pairs).csrf)?;
    if !state.store.delete_draft(id).await? {
        return Err(AppError::NotFound);
    }
    tracing::info!(draft = id, user = me.user.id.0, "newsletter draft deleted");
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
    Path(id): Path<i64>,
    Form(form): Form<ResendForm>,
) -> Result<Response, AppError> {
    require(&me, Permission::SendNewsletter, Ownership::Own)?;
    me.check_csrf(&form.csrf)?;
    state.store.issue(id).await?.ok_or(AppError::NotFound)?;
    if form.confirm != "yes" {
        return Err(AppError::Unprocessable(
            "Tick the box: some of these readers may already have the issue.".into(),
        ));
    }
    let requeued = state.store.requeue_unknown(id, Utc::now()).await?;
    tracing::info!(
        issue = id,
        requeued,
        user = me.user.id.0,
        "deliveries of unknown outcome queued again"
    );
    Ok(see_other(&format!(
        "/admin/newsletter/issues/{id}?done=requeued"
    )))
}
