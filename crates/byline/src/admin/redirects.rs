//! Redirects in the admin: every one the site follows or keeps (from imports, slug changes and
//! editors), searched and paged; editors set one (new, or replacing where an address led) and
//! remove any.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::redirects::{Found, Redirect, RedirectQuery};
use byline_render::views::{PageMeta, SiteView};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, encode, me_view};
use super::stories::see_other;
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::redirects as cases;
use crate::usecases::{Actor, Refusal};

const PER_PAGE: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    after: String,
    /// A redirect to change, put in the form.
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    done: String,
}

/// `admin/redirects.html`.
#[derive(Serialize)]
struct RedirectsPage<'a> {
    site: SiteView,
    page: PageMeta,
    rows: Vec<RedirectRow>,
    search: Option<String>,
    /// The query string of the next page, if there is one.
    next: Option<String>,
    /// On a later page, the query string of the first.
    first: Option<String>,
    form_from: String,
    form_to: String,
    error: Option<String>,
    notice: Option<&'static str>,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// One redirect as the list shows it.
#[derive(Serialize)]
struct RedirectRow {
    address: String,
    origin: &'static str,
    to: String,
    /// Why readers are not sent there now, when they are not.
    resting: Option<&'static str>,
    change: String,
}

fn row(redirect: &Redirect) -> RedirectRow {
    let to = cases::location(&redirect.leads_to);
    let resting = (!redirect.followed).then_some(match redirect.leads_to {
        Found::Story(_) => "the story is not public",
        Found::Page(_) => "the page is not public",
        Found::Section(_) => "the section is gone",
        Found::Tag(_) => "the tag is gone",
        Found::Author(_) => "the author is gone",
        Found::Url(_) => "not followed",
    });
    RedirectRow {
        // The form decodes what it is given, as it does what an editor types.
        change: format!(
            "from={}&to={}#set",
            encode(&redirect.address.replace('%', "%25")),
            encode(&to)
        ),
        address: redirect.address.clone(),
        origin: redirect.origin.as_str(),
        to,
        resting,
    }
}

/// `GET /admin/redirects`.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let notice = match params.done.as_str() {
        "set" => Some("The redirect was set."),
        "removed" => Some("The redirect was removed."),
        _ => None,
    };
    let form = (params.from.clone(), params.to.clone());
    list_page(&state, &me, &params, form, (StatusCode::OK, None), notice).await
}

async fn list_page(
    state: &AppState,
    me: &SignedIn,
    params: &ListParams,
    (form_from, form_to): (String, String),
    (status, error): (StatusCode, Option<String>),
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let search =
        Some(params.q.trim().chars().take(200).collect::<String>()).filter(|q| !q.is_empty());
    let after = Some(params.after.clone()).filter(|a| !a.is_empty());
    let query = RedirectQuery {
        containing: search.clone(),
        after: after.clone(),
        limit: PER_PAGE + 1,
    };
    let actor = Actor::Member(&me.user);
    let mut found = cases::list(&state.newsroom, actor, &query, Utc::now()).await?;
    let more = found.len() > PER_PAGE as usize;
    found.truncate(PER_PAGE as usize);
    let q = search.as_deref().map(encode).unwrap_or_default();
    let next = more.then(|| {
        let last = found.last().map(|r| encode(&r.address)).unwrap_or_default();
        format!("q={q}&after={last}")
    });
    let first = after.is_some().then(|| format!("q={q}"));
    let site = bare_site_view(state);
    let meta = PageMeta::new(&site, "Redirects", "/admin/redirects");
    let view = RedirectsPage {
        site,
        page: meta,
        rows: found.iter().map(row).collect(),
        search,
        next,
        first,
        form_from,
        form_to,
        error,
        notice,
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/redirects.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct SetForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// `POST /admin/redirects`: sets a redirect, replacing whatever its address led to.
pub async fn set(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<SetForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let actor = Actor::Member(&me.user);
    match cases::set(&state.newsroom, actor, &form.from, &form.to, Utc::now()).await {
        Ok(set) => {
            tracing::info!(user = me.user.id.0, from = %set.address, to = %set.target, "redirect set");
            Ok(see_other("/admin/redirects?done=set"))
        }
        Err(Refusal::Invalid { message, .. }) => {
            let refused = (StatusCode::UNPROCESSABLE_ENTITY, Some(message));
            let params = ListParams::default();
            list_page(&state, &me, &params, (form.from, form.to), refused, None).await
        }
        Err(refusal) => Err(refusal.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    address: String,
}

/// `POST /admin/redirects/remove`.
pub async fn remove(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<RemoveForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    cases::remove(&state.newsroom, Actor::Member(&me.user), &form.address).await?;
    tracing::info!(user = me.user.id.0, from = %form.address, "redirect removed");
    Ok(see_other("/admin/redirects?done=removed"))
}
