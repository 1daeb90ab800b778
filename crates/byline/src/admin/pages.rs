//! The site's own pages (listed in their tree, written in the story editor) and its menus
//! (saved and removed from the curation screen).

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::Slug;
use byline_render::views::{PageMeta, SiteView, TimeView, paths};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::editor_form::EditorForm;
use super::stories::{render_editor, see_other};
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::pages::{self as page_cases, MenuInput};
use crate::usecases::{Actor, Refusal};

/// One page as the list shows it.
#[derive(Serialize)]
struct PageRow {
    id: i64,
    title: String,
    path: String,
    depth: usize,
    status: &'static str,
    status_key: &'static str,
    updated: TimeView,
}

#[derive(Serialize)]
struct PagesPage<'a> {
    site: SiteView,
    page: PageMeta,
    pages: Vec<PageRow>,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// `/admin/pages`: every page in its tree, in any status.
pub async fn list(State(state): State<AppState>, me: SignedIn) -> Result<Response, AppError> {
    let actor = Actor::Member(&me.user);
    let pages = page_cases::list(&state.newsroom, actor)
        .await?
        .into_iter()
        .map(|(depth, p)| PageRow {
            id: p.id.0,
            path: paths::page(&p.slug),
            title: p.title,
            depth,
            status: p.status.label(),
            status_key: p.status.as_str(),
            updated: TimeView::from(p.updated_at),
        })
        .collect();
    let site = bare_site_view(&state);
    let page = PageMeta::new(&site, "Pages", "/admin/pages");
    let view = PagesPage {
        site,
        page,
        pages,
        me: me_view(&me),
        csrf: &me.csrf_token,
    };
    admin_page(&state, "admin/pages.html", view)
}

/// `/admin/pages/new`: the editor, for a new page.
pub async fn new_form(State(state): State<AppState>, me: SignedIn) -> Result<Response, AppError> {
    page_cases::require(Actor::Member(&me.user))?;
    let form = EditorForm {
        page: true,
        ..EditorForm::default()
    };
    render_editor(&state, &me, StatusCode::OK, None, &form, &[], None, &[]).await
}

/// `POST /admin/pages`: a new page, as a draft, then its editor.
pub async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    Form(mut form): Form<EditorForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    form.page = true;
    super::stories::create_draft(&state, &me, &form).await
}

#[derive(Debug, Deserialize)]
pub struct MenuForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    items: String,
}

/// `POST /admin/menus`: adds or replaces a menu; the curation screen again, with the menu as
/// typed and the problem (422), when it is refused.
pub async fn save_menu(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<MenuForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let actor = Actor::Member(&me.user);
    let menu = MenuInput {
        slug: form.slug,
        name: form.name,
        location: form.location,
        items: form.items,
    };
    match page_cases::save_menu(&state.newsroom, actor, &menu, Utc::now()).await {
        Ok(_) => Ok(see_other("/admin/curation?saved#menus")),
        Err(Refusal::Invalid { message, .. }) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            super::curation::render_with(&state, &me, status, Some(message), None, Some(menu)).await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct RemoveMenuForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    slug: String,
}

/// `POST /admin/menus/remove`: removes a menu.
pub async fn remove_menu(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<RemoveMenuForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let slug = Slug::parse(form.slug.trim()).map_err(|_| AppError::NotFound)?;
    let actor = Actor::Member(&me.user);
    page_cases::delete_menu(&state.newsroom, actor, &slug, Utc::now()).await?;
    Ok(see_other("/admin/curation?saved#menus"))
}
