//! Newsletter subscribers in the admin: counted by status, searched, downloaded as CSV, and
//! erased on request (GDPR), leaving only a keyed hash of the address.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::newsletter::SubscriberQuery;
use byline_core::store::Subscriber;
use byline_render::views::{PageMeta, SiteView};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::newsletter::when;
use super::stories::see_other;
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::newsletter::export::{STATUSES, write_csv};
use crate::state::AppState;
use crate::usecases::subscribers as cases;
use crate::usecases::{Actor, Refusal};

const PER_PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    done: String,
}

/// The subscribers, counted, searched and paged, as `admin/subscribers.html` shows them.
#[derive(Serialize)]
struct SubscribersPage<'a> {
    site: SiteView,
    page: PageMeta,
    /// Each status's `name`, `count` and whether it is `chosen`.
    statuses: Vec<StatusChoice>,
    rows: Vec<SubscriberRow<'a>>,
    total: u64,
    search: Option<String>,
    error: Option<String>,
    /// The status the list is limited to, if any.
    status: Option<String>,
    erased: u64,
    prev: Option<String>,
    next: Option<String>,
    notice: Option<&'static str>,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// The status asked for, when it is one.
fn status_of(text: &str) -> Option<String> {
    STATUSES.contains(&text).then(|| text.to_owned())
}

/// `/admin/subscribers`.
pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    list_page(&state, &me, &params, StatusCode::OK, None).await
}

/// One subscriber as the list shows it.
#[derive(Serialize)]
struct SubscriberRow<'a> {
    email: &'a str,
    status: &'a str,
    source: &'a str,
    consented: String,
    confirmed: Option<String>,
    unsubscribed: Option<String>,
    bounces: u32,
}

/// A status to filter by, with how many subscribers have it.
#[derive(Serialize)]
struct StatusChoice {
    name: &'static str,
    count: u64,
    chosen: bool,
}

fn row(s: &Subscriber) -> SubscriberRow<'_> {
    SubscriberRow {
        email: s.email.as_str(),
        status: &s.status,
        source: &s.source,
        consented: when(s.consented_at),
        confirmed: s.confirmed_at.map(when),
        unsubscribed: s.unsubscribed_at.map(when),
        bounces: s.bounces,
    }
}

/// The list's query string for page `n`, keeping its search and status.
fn page_query(n: u64, search: Option<&str>, status: Option<&str>) -> String {
    let mut q = format!("page={n}");
    if let Some(search) = search {
        q.push_str(&format!("&q={}", super::dashboard::encode(search)));
    }
    if let Some(status) = status {
        q.push_str(&format!("&status={status}"));
    }
    q
}

async fn list_page(
    state: &AppState,
    me: &SignedIn,
    params: &ListParams,
    status: StatusCode,
    error: Option<String>,
) -> Result<Response, AppError> {
    let page = params.page.parse::<u32>().unwrap_or(1).clamp(1, 100_000);
    let search = Some(params.q.trim().to_owned()).filter(|q| !q.is_empty());
    let wanted = status_of(&params.status);
    let asked = SubscriberQuery {
        search: search.clone(),
        status: wanted.clone(),
        limit: PER_PAGE,
        offset: (page - 1) * PER_PAGE,
    };
    let listed = cases::list(&state.newsroom, Actor::Member(&me.user), &asked).await?;
    let count = |s: &str| {
        let counts = &listed.counts;
        counts.iter().find(|(c, _)| c == s).map_or(0, |(_, n)| *n)
    };
    let statuses: Vec<_> = STATUSES
        .iter()
        .map(|s| StatusChoice {
            name: s,
            count: count(s),
            chosen: wanted.as_deref() == Some(*s),
        })
        .collect();
    let rows: Vec<_> = listed.found.iter().map(row).collect();
    let total = listed.total;
    let pages = total.div_ceil(u64::from(PER_PAGE)).max(1);
    let query = |n: u64| page_query(n, search.as_deref(), wanted.as_deref());
    let prev = (u64::from(page) > 1).then(|| query(u64::from(page) - 1));
    let next = (u64::from(page) < pages).then(|| query(u64::from(page) + 1));
    let site = bare_site_view(state);
    let meta = PageMeta::new(&site, "Subscribers", "/admin/subscribers");
    let view = SubscribersPage {
        site,
        page: meta,
        statuses,
        rows,
        total,
        search,
        error,
        status: wanted,
        erased: listed.erased,
        prev,
        next,
        notice: (params.done == "erased").then_some("The address was erased."),
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/subscribers.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /admin/subscribers.csv`: every subscriber (or those of one status) as CSV.
pub async fn download(
    State(state): State<AppState>,
    me: SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let wanted = status_of(&params.status);
    let actor = Actor::Member(&me.user);
    let subscribers = cases::export(&state.newsroom, actor, wanted.as_deref()).await?;
    let mut csv = Vec::new();
    write_csv(&mut csv, &subscribers).map_err(|e| AppError::Internal(e.to_string()))?;
    tracing::info!(
        user = me.user.id.0,
        rows = subscribers.len(),
        status = wanted.as_deref().unwrap_or("all"),
        "subscribers downloaded"
    );
    let name = format!(
        "attachment; filename=\"subscribers-{}-{}.csv\"",
        wanted.as_deref().unwrap_or("all"),
        Utc::now().format("%Y-%m-%d")
    );
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_str(&name).map_err(|e| AppError::Internal(e.to_string()))?,
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct EraseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    email: String,
    /// The box that says the editor means it.
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/subscribers/erase`: the address leaves every table; a keyed hash of it stays.
pub async fn erase(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<EraseForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let secret = crate::secrets::site_secret(&state).await?;
    let (actor, confirmed) = (Actor::Member(&me.user), form.confirm == "yes");
    let erased = cases::erase(
        &state.newsroom,
        actor,
        &form.email,
        confirmed,
        secret,
        Utc::now(),
    )
    .await;
    let problem = match erased {
        Ok(()) => {
            // The address itself is not logged: that would keep what was just erased.
            tracing::info!(user = me.user.id.0, "subscriber erased");
            return Ok(see_other("/admin/subscribers?done=erased"));
        }
        Err(Refusal::Invalid { message, .. }) => message,
        Err(refusal) => return Err(refusal.into()),
    };
    let (params, status) = (ListParams::default(), StatusCode::UNPROCESSABLE_ENTITY);
    list_page(&state, &me, &params, status, Some(problem)).await
}
