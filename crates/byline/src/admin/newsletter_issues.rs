//! A newsletter issue in the admin: how far its sending has got, what it said (HTML and
//! text), and, for those who may see subscribers, the addresses it did not reach.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use byline_core::IssueId;
use byline_core::newsletter::UNSUBSCRIBE_MARK;
use byline_render::views::{PageMeta, SiteView};
use serde::Serialize;

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::newsletter::{DoneParams, email_frame, notice, when};
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::Actor;
use crate::usecases::newsletter as cases;

/// An issue and how far its sending has got, as the desk and the issue's page show it.
#[derive(Serialize)]
pub struct IssueRow<'a> {
    id: IssueId,
    subject: &'a str,
    origin: &'a str,
    /// `sending` or `sent`.
    state: &'a str,
    created: String,
    sent: Option<String>,
    /// Waiting or being sent.
    queued: u64,
    delivered: u64,
    unknown: u64,
    failed: u64,
    total: u64,
}

/// One delivery that did not arrive, for those who may see subscribers.
#[derive(Serialize)]
struct UndeliveredRow<'a> {
    email: &'a str,
    state: &'a str,
    error: &'a Option<String>,
    attempts: u32,
}

pub fn issue_view(issue: &byline_core::newsletter::IssueSummary) -> IssueRow<'_> {
    let p = issue.progress;
    IssueRow {
        id: issue.id,
        subject: &issue.subject,
        origin: &issue.origin,
        state: &issue.state,
        created: when(issue.created_at),
        sent: issue.sent_at.map(when),
        queued: p.queued + p.claimed,
        delivered: p.sent,
        unknown: p.unknown,
        failed: p.failed,
        total: p.queued + p.claimed + p.sent + p.unknown + p.failed,
    }
}

/// An issue as sent and how far its sending has got, as `admin/newsletter_issue.html` shows it.
#[derive(Serialize)]
struct IssuePage<'a> {
    site: SiteView,
    page: PageMeta,
    issue: IssueRow<'a>,
    undelivered: Vec<UndeliveredRow<'a>>,
    text: String,
    notice: Option<&'static str>,
    me: MemberView<'a>,
    csrf: &'a str,
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
        .map(|u| UndeliveredRow {
            email: u.email.as_str(),
            state: &u.state,
            error: &u.error,
            attempts: u.attempts,
        })
        .collect();
    let site = bare_site_view(&state);
    let meta = PageMeta::new(
        &site,
        "Newsletter issue",
        format!("/admin/newsletter/issues/{id}"),
    );
    let text = report
        .content
        .text
        .replace(UNSUBSCRIBE_MARK, "(the reader's unsubscribe link)");
    let view = IssuePage {
        site,
        page: meta,
        issue: issue_view(&report.summary),
        undelivered,
        text,
        notice: notice(&params.done),
        me: me_view(&me),
        csrf: &me.csrf_token,
    };
    admin_page(&state, "admin/newsletter_issue.html", view)
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
