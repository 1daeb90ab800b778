//! A story's revisions: the list, one compared with the current text, and restoring one.

use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use byline_core::editorial::Revision;
use byline_render::views::{PageMeta, SiteView, TimeView};
use serde::Serialize;

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::editor_form::EditorForm;
use super::gate::AllowedStory;
use super::login::CsrfForm;
use super::stories::{fields_from, see_other};
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::stories as story_cases;
use crate::usecases::{Actor, Refusal};
use chrono::Utc;

#[derive(Serialize)]
struct Row {
    number: i64,
    when: TimeView,
    author: Option<String>,
    summary: String,
}

/// The story's text now, to compare a revision with.
#[derive(Serialize)]
struct CurrentText<'a> {
    headline: &'a str,
    standfirst: Option<&'a str>,
    body_source: &'a str,
}

/// A story's revisions, one maybe compared, as `admin/revisions.html` shows them.
#[derive(Serialize)]
struct RevisionsPage<'a> {
    site: SiteView,
    page: PageMeta,
    compare: Option<&'a Revision>,
    revisions: Vec<Row>,
    id: i64,
    headline: &'a str,
    current: CurrentText<'a>,
    me: MemberView<'a>,
    csrf: &'a str,
}

pub async fn list(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let actor = Actor::Member(&me.user);
    let revisions = story_cases::revisions(&state.newsroom, actor, &story).await?;
    let compare = match query.as_deref().and_then(|q| q.strip_prefix("compare=")) {
        Some(n) => {
            let n: i64 = n.parse().map_err(|_| AppError::NotFound)?;
            Some(
                revisions
                    .iter()
                    .find(|r| r.number == n)
                    .ok_or(AppError::NotFound)?,
            )
        }
        None => None,
    };
    let rows: Vec<Row> = revisions
        .iter()
        .map(|r| Row {
            number: r.number,
            when: r.created_at.into(),
            author: r.author.clone().or_else(|| r.source.clone()),
            summary: r.summary.clone(),
        })
        .collect();
    let site = bare_site_view(&state);
    let page = PageMeta::new(&site, "Revisions", "/admin/stories");
    let current = CurrentText {
        headline: story.headline.as_str(),
        standfirst: story.standfirst.as_deref(),
        body_source: &story.body_source,
    };
    let view = RevisionsPage {
        site,
        page,
        compare,
        revisions: rows,
        id: story.id.0,
        headline: story.headline.as_str(),
        current,
        me: me_view(&me),
        csrf: &me.csrf_token,
    };
    admin_page(&state, "admin/revisions.html", view)
}

/// Saves an old revision's text as the newest revision; nothing in between is lost, it stays
/// in the list.
pub async fn restore(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    Path((id, number)): Path<(i64, i64)>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    me.check_csrf(form.csrf())?;
    let actor = Actor::Member(&me.user);
    let revisions = story_cases::revisions(&state.newsroom, actor, &story).await?;
    let old = revisions
        .iter()
        .find(|r| r.number == number)
        .ok_or(AppError::NotFound)?;
    let mut restored = EditorForm::from_story(&story);
    restored.headline = old.headline.clone();
    restored.standfirst = old.standfirst.clone().unwrap_or_default();
    restored.body = old.body_source.clone();
    restored.body_format = old.body_format.as_str().to_owned();
    let fields = fields_from(&state, &story, &restored).map_err(|errors| {
        let why = errors.into_iter().map(|e| e.message).collect::<Vec<_>>();
        AppError::Unprocessable(format!(
            "Revision {number} cannot be restored as it is: {}",
            why.join(" ")
        ))
    })?;
    let now = Utc::now();
    match story_cases::save_edit(&state.newsroom, actor, &story, fields, story.revision, now).await
    {
        Ok(_) => Ok(see_other(&format!("/admin/stories/{id}?saved"))),
        Err(Refusal::Stale(_)) => Err(AppError::Store(byline_core::store::StoreError::Conflict(
            "the story was saved by someone else meanwhile; open it again and retry".into(),
        ))),
        Err(other) => Err(other.into()),
    }
}
