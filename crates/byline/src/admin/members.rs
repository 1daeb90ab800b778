//! The newsroom's members for administrators: who they are, their sessions, and disabling a
//! member (their sessions end at once and they cannot sign in) or enabling them again.

use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::accounts::UserId;
use byline_render::views::{PageMeta, SiteView, TimeView};
use chrono::Utc;
use serde::Serialize;

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::login::CsrfForm;
use super::stories::see_other;
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::members::{disable_member, enable_member, end_member_sessions, list_members};
use crate::usecases::{Actor, Refusal};

#[derive(Serialize)]
struct Row {
    id: i64,
    name: String,
    email: String,
    role: &'static str,
    joined: TimeView,
    disabled: Option<TimeView>,
    sessions: Vec<(TimeView, TimeView)>,
    me: bool,
}

/// The newsroom's members, as `admin/members.html` shows them.
#[derive(Serialize)]
struct MembersPage<'a> {
    site: SiteView,
    page: PageMeta,
    rows: Vec<Row>,
    notice: Option<&'a str>,
    error: Option<&'a str>,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// `/admin/members`.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let notice = match query.as_deref() {
        Some("disabled") => Some("The member is disabled and signed out everywhere."),
        Some("enabled") => Some("The member can sign in again."),
        Some("ended") => Some("The member's sessions have ended."),
        _ => None,
    };
    page(&state, &me, StatusCode::OK, notice, None).await
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    notice: Option<&str>,
    error: Option<&str>,
) -> Result<Response, AppError> {
    let rows: Vec<Row> = list_members(&state.newsroom, Actor::Member(&me.user))
        .await?
        .into_iter()
        .map(|m| Row {
            id: m.user.id.0,
            email: m.user.email.as_str().to_owned(),
            role: m.user.role.as_str(),
            me: m.user.id == me.user.id,
            name: m.user.name,
            joined: m.created_at.into(),
            disabled: m.disabled_at.map(TimeView::from),
            sessions: m
                .sessions
                .iter()
                .map(|s| (s.created_at.into(), s.last_seen_at.into()))
                .collect(),
        })
        .collect();
    let site = bare_site_view(state);
    let meta = PageMeta::new(&site, "Members", "/admin/members");
    let view = MembersPage {
        site,
        page: meta,
        rows,
        notice,
        error,
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/members.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

/// Disables a member; an administrator cannot disable themselves (the use case refuses it: the
/// newsroom would lose its last way in if they were the only one).
pub async fn disable(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<UserId>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    me.check_csrf(form.csrf())?;
    let actor = Actor::Member(&me.user);
    match disable_member(&state.newsroom, actor, id, Utc::now()).await {
        Ok(()) => {}
        Err(Refusal::Invalid { message, .. }) => {
            return page(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(&message),
            )
            .await;
        }
        Err(refusal) => return Err(refusal.into()),
    }
    tracing::info!(member = id.0, by = me.user.id.0, "member disabled");
    Ok(see_other("/admin/members?disabled"))
}

pub async fn enable(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<UserId>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    me.check_csrf(form.csrf())?;
    enable_member(&state.newsroom, Actor::Member(&me.user), id).await?;
    tracing::info!(member = id.0, by = me.user.id.0, "member enabled");
    Ok(see_other("/admin/members?enabled"))
}

/// Ends every session of a member (they sign in again where they want to be).
pub async fn end_sessions(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<UserId>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    me.check_csrf(form.csrf())?;
    end_member_sessions(&state.newsroom, Actor::Member(&me.user), id).await?;
    tracing::info!(member = id.0, by = me.user.id.0, "member's sessions ended");
    if id == me.user.id {
        return Ok(see_other("/admin/login"));
    }
    Ok(see_other("/admin/members?ended"))
}
