//! A member's own API tokens: made (shown once), listed and revoked; a personal token acts as
//! its member, with at most the member's role.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use byline_core::access::Role;
use byline_core::integrations::TokenKind;
use byline_render::views::{PageMeta, SiteView, TimeView};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::stories::see_other;
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::integrations::{self, TokenRequest};
use crate::usecases::{Actor, Refusal};

#[derive(Serialize)]
struct Row {
    name: String,
    role: &'static str,
    created: TimeView,
    last_used: Option<TimeView>,
    revoked: Option<TimeView>,
}

#[derive(Serialize)]
struct TokensPage<'a> {
    site: SiteView,
    page: PageMeta,
    rows: Vec<Row>,
    roles: Vec<&'static str>,
    new_token: Option<(String, String)>,
    error: Option<String>,
    me: MemberView<'a>,
    csrf: &'a str,
}

async fn page(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    new_token: Option<(String, String)>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let mine = integrations::my_tokens(&state.newsroom, Actor::Member(&me.user)).await?;
    let site = bare_site_view(state);
    let meta = PageMeta::new(&site, "Your API tokens", "/admin/tokens");
    let view = TokensPage {
        site,
        page: meta,
        rows: mine
            .into_iter()
            .map(|t| Row {
                role: t.role.map_or("-", Role::as_str),
                created: t.created_at.into(),
                last_used: t.last_used_at.map(TimeView::from),
                revoked: t.revoked_at.map(TimeView::from),
                name: t.name,
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .filter(|r| **r <= me.user.role)
            .map(|r| r.as_str())
            .collect(),
        new_token,
        error,
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/tokens.html", view)?;
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `GET /admin/tokens`.
pub async fn show(State(state): State<AppState>, me: SignedIn) -> Result<Response, AppError> {
    page(&state, &me, StatusCode::OK, None, None).await
}

#[derive(Debug, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

/// `POST /admin/tokens`: a personal token, shown on this answer only.
pub async fn add(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<TokenForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let request = TokenRequest {
        name: form.name,
        kind: TokenKind::Personal,
        role: Role::parse(&form.role),
        member: None,
    };
    let actor = Actor::Member(&me.user);
    match integrations::issue_token(&state.newsroom, actor, request, Utc::now()).await {
        Ok(issued) => {
            let shown = Some((issued.name, issued.secret));
            page(&state, &me, StatusCode::OK, shown, None).await
        }
        Err(Refusal::Invalid { message, .. }) => {
            page(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                Some(message),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
}

/// `POST /admin/tokens/revoke`: one of the member's own tokens.
pub async fn revoke(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<RevokeForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let actor = Actor::Member(&me.user);
    integrations::revoke_my_token(&state.newsroom, actor, &form.name, Utc::now()).await?;
    Ok(see_other("/admin/tokens"))
}
