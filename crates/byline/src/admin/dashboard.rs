//! `/admin`: the signed-in member's start page, with the newsroom's stories by status.

use axum::extract::{RawQuery, State};
use axum::response::Response;
use byline_core::Status;
use byline_render::views::{PageMeta, TimeView, paths};
use serde::Serialize;

use super::admin_page;
use super::auth::SignedIn;
use crate::error::AppError;
use crate::site::{bare_site_view, page_number};
use crate::state::AppState;

const PAGE_SIZE: u32 = 50;

#[derive(Serialize)]
struct Row {
    headline: String,
    status: &'static str,
    status_key: &'static str,
    updated: TimeView,
    edit: String,
    url: Option<String>,
}

#[derive(Serialize)]
struct Filter {
    key: &'static str,
    label: &'static str,
    current: bool,
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let wanted = query
        .as_deref()
        .unwrap_or_default()
        .split('&')
        .find_map(|pair| pair.strip_prefix("status="))
        .map(|s| Status::parse(s).ok_or(AppError::NotFound))
        .transpose()?;
    let page_no = page_number(query.as_deref())?;
    let (stories, more) = state
        .store
        .admin_stories(wanted, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
        .await?;
    let rows: Vec<Row> = stories
        .iter()
        .map(|s| Row {
            headline: s.headline.as_str().to_owned(),
            status: s.status.label(),
            status_key: s.status.as_str(),
            updated: s.updated_at.into(),
            edit: format!("/admin/stories/{}", s.id.0),
            url: (s.status == Status::Published).then(|| paths::story(&s.slug)),
        })
        .collect();
    let filters: Vec<Filter> = std::iter::once(Filter {
        key: "",
        label: "All",
        current: wanted.is_none(),
    })
    .chain(Status::ALL.iter().map(|s| Filter {
        key: s.as_str(),
        label: s.label(),
        current: wanted == Some(*s),
    }))
    .collect();
    let site = bare_site_view(&state);
    let page = PageMeta::new(&site, "Newsroom", "/admin");
    let next = more.then(|| page_no + 1);
    let prev = (page_no > 1).then(|| page_no - 1);
    let status_key = wanted.map(Status::as_str).unwrap_or_default();
    admin_page(
        &state,
        "admin/dashboard.html",
        byline_render::page! {
            site, page, rows, filters, next, prev, status_key,
            me => me_view(&me),
            csrf => &me.csrf_token,
        },
    )
}

/// The signed-in member as the admin header shows them.
pub fn me_view(me: &SignedIn) -> byline_render::Value {
    byline_render::page! { name => &me.user.name, role => me.user.role.as_str(), email => me.user.email.as_str() }
}
