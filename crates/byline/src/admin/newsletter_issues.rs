//! A newsletter issue in the admin: how far its sending has got, what it said (HTML and
//! text), and, for those who may see subscribers, the addresses it did not reach.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use byline_core::IssueId;
use byline_core::newsletter::UNSUBSCRIBE_MARK;
use byline_render::views::PageMeta;

use super::admin_page;
use super::auth::SignedIn;
use super::newsletter::{DoneParams, email_frame, notice, when};
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::Actor;
use crate::usecases::newsletter as cases;

pub fn issue_view(issue: &byline_core::newsletter::IssueSummary) -> serde_json::Value {
    let p = issue.progress;
    serde_json::json!({
        "id": issue.id, "subject": issue.subject, "origin": issue.origin, "state": issue.state,
        "created": when(issue.created_at), "sent": issue.sent_at.map(when),
        "queued": p.queued + p.claimed, "delivered": p.sent, "unknown": p.unknown,
        "failed": p.failed, "total": p.queued + p.claimed + p.sent + p.unknown + p.failed,
    })
}

/// `GET /admin/newsletter/issues/{id}`: an issue as sent, and how far its sending has got.
pub async fn show_issue(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<IssueId>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    // Addresses are personal data: listed only for those who may see subscribers.
    let report = cases::issue_report(&state.newsroom, Actor::Member(&me.user), id).await?;
    let undelivered: Vec<_> = report
        .undelivered
        .iter()
        .map(|u| {
            serde_json::json!({
                "email": u.email, "state": u.state, "error": u.error, "attempts": u.attempts,
            })
        })
        .collect();
    let site = bare_site_view(&state);
    let meta = PageMeta::new(
        &site,
        "Newsletter issue",
        format!("/admin/newsletter/issues/{id}"),
    );
    admin_page(
        &state,
        "admin/newsletter_issue.html",
        byline_render::page! {
            site, page => meta,
            issue => issue_view(&report.summary), undelivered,
            text => report.content.text.replace(UNSUBSCRIBE_MARK, "(the reader's unsubscribe link)"),
            notice => notice(&params.done),
            me => super::dashboard::me_view(&me),
            csrf => &me.csrf_token,
        },
    )
}

/// `GET /admin/newsletter/issues/{id}/email`: the issue's HTML as it went out.
pub async fn issue_email(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<IssueId>,
) -> Result<Response, AppError> {
    let (_, content) = cases::issue(&state.newsroom, Actor::Member(&me.user), id).await?;
    let copy = crate::newsletter::sender::personal_copy(&state, &me.user.email, &content).await?;
    Ok(email_frame(copy.html))
}
