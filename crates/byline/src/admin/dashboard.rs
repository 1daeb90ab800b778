//! `/admin`: the newsroom's story list, filtered by status, section, author and text, sorted,
//! paginated; sorted by publication time it is the schedule.

use axum::extract::{Query, State};
use axum::response::Response;
use byline_core::store::{AdminOrder, AdminQuery};
use byline_core::{Section, Slug, Status};
use byline_render::views::{PageMeta, SiteView, TimeView, paths};
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::Actor;
use crate::usecases::stories as story_cases;

const PAGE_SIZE: u32 = 50;

/// The list's query string, as sent.
#[derive(Debug, Default, Deserialize, Serialize)]
pub struct ListParams {
    #[serde(default)]
    status: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<u32>,
}

impl ListParams {
    fn query(&self) -> Result<AdminQuery, AppError> {
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        let page = self.page.unwrap_or(1);
        if page == 0 || page > 100_000 {
            return Err(AppError::NotFound);
        }
        Ok(AdminQuery {
            status: optional(&self.status)
                .map(|s| Status::parse(&s).ok_or(AppError::NotFound))
                .transpose()?,
            section: optional(&self.section)
                .map(|s| Slug::parse(&s).map_err(|_| AppError::NotFound))
                .transpose()?,
            author: optional(&self.author),
            text: optional(&self.q),
            order: optional(&self.sort)
                .map(|s| AdminOrder::parse(&s).ok_or(AppError::NotFound))
                .transpose()?
                .unwrap_or_default(),
            limit: PAGE_SIZE,
            offset: (page - 1) * PAGE_SIZE,
            // Whose stories the member sees is the use case's to decide.
            own_or_public: None,
        })
    }

    /// This list's URL on another page.
    fn url_for_page(&self, page: u32) -> String {
        let pairs = [
            ("status", &self.status),
            ("section", &self.section),
            ("author", &self.author),
            ("q", &self.q),
            ("sort", &self.sort),
        ];
        let mut url = String::from("/admin?");
        for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
            url.push_str(&format!("{key}={}&", encode(value)));
        }
        url.push_str(&format!("page={page}"));
        url
    }
}

/// `text` percent-encoded for a query string value.
pub(super) fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[derive(Serialize)]
struct Row {
    #[serde(skip)]
    id: i64,
    /// Readers' views over the last seven days.
    views: u64,
    headline: String,
    status: &'static str,
    status_key: &'static str,
    updated: TimeView,
    publication: Option<TimeView>,
    edit: String,
    url: Option<String>,
}

#[derive(Serialize)]
struct Choice {
    value: &'static str,
    label: &'static str,
}

/// The newsroom's story list, as `admin/dashboard.html` shows it.
#[derive(Serialize)]
struct DashboardPage<'a> {
    site: SiteView,
    page: PageMeta,
    rows: Vec<Row>,
    statuses: Vec<Choice>,
    orders: Vec<Choice>,
    sections: Vec<Section>,
    next: Option<String>,
    prev: Option<String>,
    params: &'a ListParams,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// The signed-in member as the admin header shows them: who they are and which desks they
/// may open.
#[derive(Serialize)]
pub struct MemberView<'a> {
    name: &'a str,
    role: &'static str,
    email: &'a str,
    newsletter: bool,
    subscribers: bool,
    members: bool,
    redirects: bool,
    pages: bool,
    integrations: bool,
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(params): Query<ListParams>,
) -> Result<Response, AppError> {
    let query = params.query()?;
    let actor = Actor::Member(&me.user);
    let searched = match (&query.text, state.search.index()) {
        (Some(text), Some(index)) => Some(search_rows(actor, index, text, &query, &params).await?),
        _ => None,
    };
    let (mut rows, more) = match searched {
        Some(found) => found,
        None => {
            let (stories, more) = story_cases::list(&state.newsroom, actor, query).await?;
            (stories.iter().map(row).collect::<Vec<Row>>(), more)
        }
    };
    let ids: Vec<byline_core::StoryId> = rows.iter().map(|r| byline_core::StoryId(r.id)).collect();
    let views = story_cases::views_this_week(&state.newsroom, &ids, chrono::Utc::now()).await?;
    for row in &mut rows {
        row.views = views
            .get(&byline_core::StoryId(row.id))
            .copied()
            .unwrap_or(0);
    }
    let statuses: Vec<Choice> = Status::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str(),
            label: s.label(),
        })
        .collect();
    let orders: Vec<Choice> = AdminOrder::ALL
        .iter()
        .map(|o| Choice {
            value: o.as_str(),
            label: o.label(),
        })
        .collect();
    let sections = story_cases::sections(&state.newsroom).await?;
    let page_no = params.page.unwrap_or(1);
    let next = more.then(|| params.url_for_page(page_no + 1));
    let prev = (page_no > 1).then(|| params.url_for_page(page_no - 1));
    let site = bare_site_view(&state);
    let page = PageMeta::new(&site, "Newsroom", "/admin");
    let view = DashboardPage {
        site,
        page,
        rows,
        statuses,
        orders,
        sections,
        next,
        prev,
        params: &params,
        me: me_view(&me),
        csrf: &me.csrf_token,
    };
    admin_page(&state, "admin/dashboard.html", view)
}

fn row(s: &byline_core::store::AdminStoryRow) -> Row {
    Row {
        id: s.id.0,
        views: 0,
        headline: s.headline.as_str().to_owned(),
        status: s.status.label(),
        status_key: s.status.as_str(),
        updated: s.updated_at.into(),
        publication: s.published_at.map(TimeView::from),
        edit: format!("/admin/stories/{}", s.id.0),
        url: (s.status == Status::Published).then(|| paths::story(&s.slug)),
    }
}

/// The list when words are searched: every status the member may see, best match first,
/// from the search index (the store's text filter serves while the index is being built).
async fn search_rows(
    actor: Actor<'_>,
    index: std::sync::Arc<byline_search::SearchIndex>,
    text: &str,
    query: &AdminQuery,
    params: &ListParams,
) -> Result<(Vec<Row>, bool), AppError> {
    let request = crate::usecases::search::SearchRequest {
        text: text.to_owned(),
        section: query.section.clone(),
        author: query.author.as_deref().and_then(Slug::derive),
        page: params.page.unwrap_or(1),
        per_page: PAGE_SIZE,
        ..Default::default()
    };
    let found = crate::usecases::search::newsroom(actor, Some(index), &request, query.status)
        .await
        .map_err(|refusal| match refusal {
            crate::usecases::Refusal::Invalid { message, .. } => AppError::BadRequest(message),
            other => other.into(),
        })?;
    let rows = found
        .found
        .hits
        .iter()
        .filter_map(|hit| {
            let status = Status::parse(&hit.status)?;
            let slug = Slug::parse(&hit.slug).ok()?;
            let at = |secs| chrono::DateTime::<chrono::Utc>::from_timestamp(secs, 0);
            let published = matches!(status, Status::Published | Status::Scheduled);
            Some(Row {
                id: hit.id,
                views: 0,
                headline: byline_render::html::plain_text(&hit.headline_html),
                status: status.label(),
                status_key: status.as_str(),
                updated: at(hit.updated)?.into(),
                publication: published
                    .then(|| at(hit.when))
                    .flatten()
                    .map(TimeView::from),
                edit: format!("/admin/stories/{}", hit.id),
                url: (status == Status::Published).then(|| paths::story(&slug)),
            })
        })
        .collect();
    Ok((rows, found.page < found.pages))
}

/// The signed-in member as the admin header shows them.
pub fn me_view(me: &SignedIn) -> MemberView<'_> {
    use byline_core::access::{Ownership, Permission, allows};
    let may = |permission| allows(me.user.role, permission, Ownership::Own);
    MemberView {
        name: &me.user.name,
        role: me.user.role.as_str(),
        email: me.user.email.as_str(),
        newsletter: may(Permission::SendNewsletter),
        subscribers: may(Permission::ManageSubscribers),
        members: may(Permission::ManageUsers),
        redirects: may(Permission::ManageRedirects),
        pages: may(Permission::ManagePages),
        integrations: may(Permission::ManageSettings),
    }
}
