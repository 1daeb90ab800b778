//! A newsletter issue in the admin: how far its sending has got, what it said (HTML and
//! text), and, for those who may see subscribers, the addresses it did not reach.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use byline_core::access::{Ownership, Permission, allows};
use byline_core::newsletter::UNSUBSCRIBE_MARK;
use byline_render::views::PageMeta;

use super::admin_page;
use super::auth::SignedIn;
use super::newsletter::{DoneParams, email_frame, notice, when};
use super::stories::require;
use crate::error::AppError;
use crate::site::bare_site_view;
use crate::state::AppState;

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
    Path(id): Path<i64>,
    Query(params): Query<DoneParams>,
) -> Result<Response, AppError> {
    require(&me, Permission::SendNewsletter, Ownership::Own)?;
    let (summary, content) = state.store.issue(id).await?.ok_or(AppError::NotFound)?;
    // Addresses are personal data: listed only for those who may see subscribers.
    let undelivered = if allows(me.user.role, Permission::ManageSubscribers, Ownership::Own) {
        state.store.undelivered(id, 200).await?
    } else {
        Vec::new()
    };
    let undelivered: Vec<_> = undelivered
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
            issue => issue_view(&summary), undelivered,
            text => content.text.replace(UNSUBSCRIBE_MARK, "(the reader's unsubscribe link)"),
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
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    require(&me, Permission::SendNewsletter, Ownership::Own)?;
    let (_, content) = state.store.issue(id).await?.ok_or(AppError::NotFound)?;
    let copy = crate::newsletter::sender::personal_copy(&state, &me.user.email, &content).await?;
    Ok(email_frame(copy.html))
}
