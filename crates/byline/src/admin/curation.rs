//! Curation: the front page's lead story, the "Don't miss" picks and the sections.

use axum::Form;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::access::{Ownership, Permission};
use byline_core::{Section, SectionId, Slug};
use byline_render::views::{PageMeta, SiteView};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::stories::see_other;
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::curation::{self, SectionInput};
use crate::usecases::pages::{self, MenuInput};
use crate::usecases::{Actor, Refusal};
use byline_core::menus::format_items;

/// Picks the form offers.
const PICK_SLOTS: usize = 4;

#[derive(Serialize)]
struct Choice {
    slug: String,
    headline: String,
}

/// A tag with how many stories carry it.
#[derive(Serialize)]
struct TagRow {
    slug: String,
    name: String,
    uses: u64,
}

/// An author with their bio and how many public stories they have.
#[derive(Serialize)]
struct AuthorRow {
    slug: String,
    name: String,
    bio: String,
    uses: u64,
}

/// The curation screen, as `admin/curation.html` shows it.
#[derive(Serialize)]
struct CurationPage<'a> {
    site: SiteView,
    page: PageMeta,
    choices: Vec<Choice>,
    lead: Option<String>,
    /// One slug per pick slot, empty where none is chosen.
    picks: Vec<String>,
    sections: Vec<Section>,
    tags: Vec<TagRow>,
    authors: Vec<AuthorRow>,
    error: Option<String>,
    notice: Option<&'a str>,
    manage_sections: bool,
    /// The menus, each as its form shows it, and a blank form for a new one; empty for a
    /// member who may not arrange menus.
    menus: Vec<MenuInput>,
    me: MemberView<'a>,
    csrf: &'a str,
}

async fn render(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    error: Option<String>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    render_with(state, me, status, error, notice, None).await
}

/// The menus' forms: each stored menu, and a blank one for a new menu; `typed`, the form an
/// editor sent that was refused, replaces the stored one of its slug (or the blank one).
async fn menu_forms(
    state: &AppState,
    actor: Actor<'_>,
    typed: Option<MenuInput>,
) -> Result<Vec<MenuInput>, AppError> {
    if !actor.may(Permission::ManagePages, Ownership::Own) {
        return Ok(Vec::new());
    }
    let mut forms: Vec<MenuInput> = pages::menus(&state.newsroom, actor)
        .await?
        .into_iter()
        .map(|m| MenuInput {
            slug: m.slug.to_string(),
            name: m.name,
            location: m
                .location
                .map(|l| l.as_str().to_owned())
                .unwrap_or_default(),
            items: format_items(&m.items),
        })
        .collect();
    forms.push(MenuInput::default());
    if let Some(typed) = typed {
        match forms.iter_mut().find(|f| f.slug == typed.slug) {
            Some(form) => *form = typed,
            None => *forms.last_mut().expect("the blank form") = typed,
        }
    }
    Ok(forms)
}

/// The curation screen, with `typed` (a refused menu form) shown as it was sent.
pub async fn render_with(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    error: Option<String>,
    notice: Option<&str>,
    typed: Option<MenuInput>,
) -> Result<Response, AppError> {
    let actor = Actor::Member(&me.user);
    let menus = menu_forms(state, actor, typed).await?;
    let desk = curation::desk(&state.newsroom, actor, Utc::now()).await?;
    let choices: Vec<Choice> = desk
        .candidates
        .iter()
        .map(|c| Choice {
            slug: c.slug.to_string(),
            headline: c.headline.as_str().to_owned(),
        })
        .collect();
    let lead = desk.lead.map(|slug| slug.to_string());
    let mut picks: Vec<String> = desk.picks.iter().map(|s| s.to_string()).collect();
    picks.resize(PICK_SLOTS, String::new());
    let sections = desk.sections;
    let tags: Vec<TagRow> = desk
        .tags
        .into_iter()
        .map(|(tag, uses)| TagRow {
            slug: tag.slug.as_str().to_owned(),
            name: tag.name,
            uses,
        })
        .collect();
    let authors: Vec<AuthorRow> = desk
        .authors
        .into_iter()
        .map(|(author, uses)| AuthorRow {
            slug: author.slug.as_str().to_owned(),
            name: author.name,
            bio: author.bio,
            uses,
        })
        .collect();
    let site = bare_site_view(state);
    let page = PageMeta::new(&site, "Curation", "/admin/curation");
    let view = CurationPage {
        site,
        page,
        choices,
        lead,
        picks,
        sections,
        tags,
        authors,
        error,
        notice,
        manage_sections: actor.may(Permission::ManageSections, Ownership::Own),
        menus,
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/curation.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let notice = (query.as_deref() == Some("saved")).then_some("Saved.");
    render(&state, &me, StatusCode::OK, None, notice).await
}

#[derive(Debug, Deserialize)]
pub struct CurationForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    lead: String,
    #[serde(default)]
    pick1: String,
    #[serde(default)]
    pick2: String,
    #[serde(default)]
    pick3: String,
    #[serde(default)]
    pick4: String,
}

pub async fn save(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<CurationForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let parse = |text: &str| Slug::parse(text.trim()).map_err(|_| AppError::NotFound);
    let lead = match form.lead.trim() {
        "" => None,
        text => Some(parse(text)?),
    };
    let picks = [&form.pick1, &form.pick2, &form.pick3, &form.pick4]
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .map(|text| parse(text))
        .collect::<Result<Vec<Slug>, AppError>>()?;
    let actor = Actor::Member(&me.user);
    let done = curation::curate(&state.newsroom, actor, lead, picks, Utc::now()).await;
    after(&state, &me, done).await
}

/// Back to the curation screen when an operation was done, or the screen again with the
/// problem (422).
async fn after(
    state: &AppState,
    me: &SignedIn,
    done: crate::usecases::Outcome<()>,
) -> Result<Response, AppError> {
    match done {
        Ok(()) => Ok(see_other("/admin/curation?saved")),
        Err(Refusal::Invalid { message, .. }) => {
            render(
                state,
                me,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
                None,
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct SectionForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    position: String,
    /// The slug of the section it sits under; empty: the top level.
    #[serde(default)]
    parent: String,
}

pub async fn save_section(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<SectionForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let id = match form.id.trim() {
        "" => None,
        text => Some(SectionId(text.parse().map_err(|_| AppError::NotFound)?)),
    };
    let position = match form.position.trim() {
        "" => Some(0),
        text => text.parse::<i64>().ok(),
    };
    let Some(position) = position else {
        let message = Some("The position must be a whole number.".to_owned());
        return render(&state, &me, StatusCode::UNPROCESSABLE_ENTITY, message, None).await;
    };
    let input = SectionInput {
        id,
        name: form.name,
        slug: form.slug,
        description: form.description,
        position,
        parent: Some(form.parent),
    };
    let actor = Actor::Member(&me.user);
    let done = curation::save_section(&state.newsroom, actor, input, Utc::now()).await;
    after(&state, &me, done).await
}

#[derive(Debug, Deserialize)]
pub struct TagForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
}

/// Renames a tag (editors curate tags); its address stays the same.
pub async fn rename_tag(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<TagForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let slug = Slug::parse(form.slug.trim()).map_err(|_| AppError::NotFound)?;
    let actor = Actor::Member(&me.user);
    let done = curation::rename_tag(&state.newsroom, actor, &slug, &form.name, Utc::now()).await;
    after(&state, &me, done).await
}

#[derive(Debug, Deserialize)]
pub struct BioForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    slug: String,
    #[serde(default)]
    bio: String,
}

/// Sets an author's biography (editors curate the authors' pages).
pub async fn save_author_bio(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<BioForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let slug = Slug::parse(form.slug.trim()).map_err(|_| AppError::NotFound)?;
    let actor = Actor::Member(&me.user);
    let done = curation::set_author_bio(&state.newsroom, actor, &slug, &form.bio, Utc::now()).await;
    after(&state, &me, done).await
}
