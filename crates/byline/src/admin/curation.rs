//! Curation: the front page's lead story, the "Don't miss" picks and the sections.

use axum::Form;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::access::{Ownership, Permission, allows};
use byline_core::store::{ListQuery, Listing, SectionEdit, StoreError};
use byline_core::{SectionId, Slug};
use byline_render::views::PageMeta;
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::stories::{require, see_other};
use crate::error::AppError;
use crate::site::bare_site_view;
use crate::state::AppState;

/// Stories offered in the lead and picks lists.
const CANDIDATES: u32 = 100;
/// Picks the form offers.
const PICK_SLOTS: usize = 4;

#[derive(Serialize)]
struct Choice {
    slug: String,
    headline: String,
}

async fn render(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    error: Option<String>,
    notice: Option<&str>,
) -> Result<Response, AppError> {
    let now = Utc::now();
    let recent = state
        .store
        .list_cards(&ListQuery {
            listing: Listing::All,
            limit: CANDIDATES,
            offset: 0,
            now,
        })
        .await?;
    let choices: Vec<Choice> = recent
        .cards
        .iter()
        .map(|c| Choice {
            slug: c.slug.to_string(),
            headline: c.headline.as_str().to_owned(),
        })
        .collect();
    let lead = state
        .store
        .home_lead(now)
        .await?
        .map(|c| c.slug.to_string());
    let mut picks: Vec<String> = state
        .store
        .picks(now)
        .await?
        .iter()
        .map(|c| c.slug.to_string())
        .collect();
    picks.resize(PICK_SLOTS, String::new());
    let sections = state.store.sections().await?;
    let tags: Vec<_> = state
        .store
        .tags()
        .await?
        .into_iter()
        .map(|(tag, uses)| byline_render::page! { slug => tag.slug.as_str(), name => tag.name, uses })
        .collect();
    let site = bare_site_view(state);
    let page = PageMeta::new(&site, "Curation", "/admin/curation");
    let mut response = admin_page(
        state,
        "admin/curation.html",
        byline_render::page! {
            site, page, choices, lead, picks, sections, tags, error, notice,
            manage_sections => allows(me.user.role, Permission::ManageSections, Ownership::Own),
            me => super::dashboard::me_view(me),
            csrf => &me.csrf_token,
        },
    )?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    require(&me, Permission::Curate, Ownership::Own)?;
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
    require(&me, Permission::Curate, Ownership::Own)?;
    let parse = |text: &str| Slug::parse(text.trim()).map_err(|_| AppError::NotFound);
    let lead = match form.lead.trim() {
        "" => None,
        text => Some(parse(text)?),
    };
    let mut picks: Vec<Slug> = Vec::new();
    for text in [&form.pick1, &form.pick2, &form.pick3, &form.pick4]
        .into_iter()
        .filter(|t| !t.trim().is_empty())
    {
        let slug = parse(text)?;
        if picks.contains(&slug) {
            return render(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("A story can be picked only once.".into()),
                None,
            )
            .await;
        }
        picks.push(slug);
    }
    // Only what changed is written, so only the pages that show it are made again.
    let now = Utc::now();
    let current_lead = state.store.home_lead(now).await?.map(|c| c.slug);
    if current_lead != lead {
        state.store.set_home_lead(lead.as_ref()).await?;
    }
    let current_picks: Vec<Slug> = state
        .store
        .picks(now)
        .await?
        .into_iter()
        .map(|c| c.slug)
        .collect();
    if current_picks != picks {
        state.store.set_picks(&picks).await?;
    }
    tracing::info!(user = me.user.id.0, picks = picks.len(), "curation changed");
    Ok(see_other("/admin/curation?saved"))
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
}

pub async fn save_section(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<SectionForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    if !allows(me.user.role, Permission::ManageSections, Ownership::Own) {
        return Err(AppError::Forbidden(
            "Only administrators manage sections.".into(),
        ));
    }
    let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let slug = if form.slug.trim().is_empty() {
        Slug::derive(&name)
    } else {
        Slug::parse(form.slug.trim()).ok()
    };
    let position = if form.position.trim().is_empty() {
        Some(0)
    } else {
        form.position.trim().parse::<i64>().ok()
    };
    let id = if form.id.is_empty() {
        Some(None)
    } else {
        form.id.parse().ok().map(|n| Some(SectionId(n)))
    };
    let problem = match (&slug, position, id) {
        _ if name.is_empty() => Some("A section needs a name.".to_owned()),
        (None, _, _) => Some("The slug may hold only a-z, 0-9 and single hyphens.".to_owned()),
        (_, None, _) => Some("The position must be a whole number.".to_owned()),
        (_, _, None) => return Err(AppError::NotFound),
        _ => None,
    };
    if let Some(message) = problem {
        return render(
            &state,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            None,
        )
        .await;
    }
    let edit = SectionEdit {
        id: id.flatten(),
        slug: slug.expect("checked above"),
        name,
        description: form
            .description
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        position: position.expect("checked above"),
    };
    match state.store.save_section(edit).await {
        Ok(()) => Ok(see_other("/admin/curation?saved")),
        Err(StoreError::Conflict(why)) => {
            render(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(why),
                None,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
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
    require(&me, Permission::Curate, Ownership::Own)?;
    let slug = Slug::parse(form.slug.trim()).map_err(|_| AppError::NotFound)?;
    let name = form.name.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() || name.chars().count() > 100 {
        let message = "A tag's name needs 1 to 100 characters.".to_owned();
        return render(
            &state,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
            None,
        )
        .await;
    }
    state.store.rename_tag(&slug, &name).await?;
    Ok(see_other("/admin/curation?saved"))
}
