//! The story editor: create, edit (with lost-update detection), workflow moves, corrections.

use axum::Form;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::access::{Ownership, Permission, allows};
use byline_core::editorial::{EditOutcome, EditorStory, PreviewLink, StoryEdit, StoryFields};
use byline_core::store::StoreError;
use byline_core::workflow::Transition;
use byline_core::{Slug, Status, StoryId};
use byline_render::views::{PageMeta, TimeView, paths};
use chrono::Utc;
use serde::Serialize;

use super::admin_page;
use super::auth::{SignedIn, random_token};
use super::editor_form::{EditorForm, FieldError};
use super::gate::AllowedStory;
pub use super::gate::ownership;
use crate::error::AppError;
use crate::site::bare_site_view;
use crate::state::AppState;

/// Refuses unless the member's role allows `permission` here: the server decides, whatever
/// the page showed.
pub fn require(
    me: &SignedIn,
    permission: Permission,
    ownership: Ownership,
) -> Result<(), AppError> {
    if allows(me.user.role, permission, ownership) {
        Ok(())
    } else {
        Err(AppError::Forbidden("Your role does not allow this.".into()))
    }
}

/// Refuses unless the member may change this story's text in its current state (a story
/// route's gate has checked this already; a library page naming a story checks it here).
pub fn require_edit(me: &SignedIn, story: &EditorStory) -> Result<(), AppError> {
    if byline_core::workflow::may_edit(me.user.role, ownership(story, me), story.status) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Your role does not allow editing this story now.".into(),
        ))
    }
}

/// A story named outside the route (a query parameter), loaded and checked like the gate does.
pub async fn load_editable(
    state: &AppState,
    me: &SignedIn,
    id: i64,
) -> Result<EditorStory, AppError> {
    let story = state
        .store
        .editor_story(StoryId(id))
        .await?
        .ok_or(AppError::NotFound)?;
    require_edit(me, &story)?;
    Ok(story)
}

#[derive(Serialize)]
struct Action {
    name: &'static str,
    label: &'static str,
    needs_time: bool,
}

fn label(t: Transition) -> &'static str {
    match t {
        Transition::Submit => "Submit for review",
        Transition::Schedule => "Schedule",
        Transition::Publish => "Publish now",
        Transition::Unpublish => "Unpublish",
        Transition::ReturnToDraft => "Return to draft",
    }
}

/// Everything the editor page shows besides the form.
fn story_view(state: &AppState, story: &EditorStory, me: &SignedIn) -> impl Serialize {
    let own = ownership(story, me);
    let actions: Vec<Action> = Transition::ALL
        .into_iter()
        .filter(|t| {
            t.sources().contains(&story.status) && allows(me.user.role, t.permission(), own)
        })
        .map(|t| Action {
            name: t.as_str(),
            label: label(t),
            needs_time: t == Transition::Schedule,
        })
        .collect();
    let public = story.status == Status::Published;
    // Showing the editor is being in the story.
    let others = state.presence.visit(
        story.id,
        me.user.id,
        &me.user.name,
        std::time::Instant::now(),
    );
    byline_render::page! {
        id => story.id.0,
        status => story.status.label(),
        status_key => story.status.as_str(),
        actions,
        published => story.published_at.map(TimeView::from),
        embargo => story.embargo_until.map(TimeView::from),
        url => public.then(|| paths::story(&story.slug)),
        preview => story.preview_token.as_ref().filter(|_| {
            story.preview_expires_at.is_some_and(|t| t > Utc::now())
        }).map(|t| format!("{}/preview/{t}", state.site.base_url)),
        preview_until => story.preview_expires_at.filter(|t| *t > Utc::now()).map(TimeView::from),
        may_preview => !matches!(story.status, Status::Published | Status::Unpublished),
        can_correct => public && allows(me.user.role, Permission::Correct, own),
        slug_locked => story.first_published_at.is_some(),
        picture => story.lead_picture.as_ref().map(byline_render::views::PictureView::from),
        upload_mb => state.upload_limit / (1024 * 1024),
        presence => (!others.is_empty()).then(|| also_here(&others)),
    }
}

#[allow(clippy::too_many_arguments)]
pub async fn render_editor(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    story: Option<&EditorStory>,
    form: &EditorForm,
    errors: &[FieldError],
    notice: Option<&str>,
    corrections: &[byline_core::editorial::Correction],
) -> Result<Response, AppError> {
    // The sections to choose from (members who do not manage sections cannot make new ones).
    let sections: Vec<String> = state
        .store
        .sections()
        .await?
        .into_iter()
        .map(|section| section.name)
        .collect();
    let site = bare_site_view(state);
    let title = story.map_or("New story".to_owned(), |s| {
        format!("Edit: {}", s.headline.as_str())
    });
    let page = PageMeta::new(&site, title, "/admin/stories");
    let story = story.map(|s| story_view(state, s, me));
    let corrections: Vec<_> = corrections
        .iter()
        .map(|c| (TimeView::from(c.created_at), c.note.clone()))
        .collect();
    let mut response = admin_page(
        state,
        "admin/editor.html",
        byline_render::page! {
            site, page, story, form, errors, notice, corrections, sections,
            me => super::dashboard::me_view(me),
            csrf => &me.csrf_token,
        },
    )?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn new_form(State(state): State<AppState>, me: SignedIn) -> Result<Response, AppError> {
    require(&me, Permission::CreateStory, Ownership::Own)?;
    let form = EditorForm {
        authors: me.user.name.clone(),
        ..EditorForm::default()
    };
    render_editor(&state, &me, StatusCode::OK, None, &form, &[], None, &[]).await
}

pub async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<EditorForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    require(&me, Permission::CreateStory, Ownership::Own)?;
    let fields = match checked_fields(&state, &me, &form, None).await? {
        Ok(fields) => fields,
        Err(errors) => {
            return render_editor(
                &state,
                &me,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                &form,
                &errors,
                None,
                &[],
            )
            .await;
        }
    };
    let now = Utc::now();
    let id = state
        .store
        .create_draft(fields, me.user.id, &new_preview_link(&state, now), now)
        .await?;
    tracing::info!(story = id.0, user = me.user.id.0, "story created");
    Ok(see_other(&format!("/admin/stories/{}", id.0)))
}

/// A new private preview link, valid `[admin] preview_days`.
fn new_preview_link(state: &AppState, now: chrono::DateTime<Utc>) -> PreviewLink {
    PreviewLink {
        token: random_token(),
        expires_at: now + chrono::Duration::days(state.preview_days),
    }
}

/// The editor's form checked into fields, with the newsroom's rule on sections: a member who
/// does not manage sections may choose an existing one but not make a new one by naming it.
pub async fn checked_fields(
    state: &AppState,
    me: &SignedIn,
    form: &EditorForm,
    current_slug: Option<&Slug>,
) -> Result<Result<StoryFields, Vec<FieldError>>, AppError> {
    let fields = match form.check(&state.site.language, current_slug) {
        Ok(fields) => fields,
        Err(errors) => return Ok(Err(errors)),
    };
    if let Some(section) = &fields.section
        && !allows(me.user.role, Permission::ManageSections, Ownership::Own)
        && state.store.section(&section.slug).await?.is_none()
    {
        return Ok(Err(vec![FieldError {
            field: "section",
            message: format!(
                "There is no section \"{}\". Choose one of the newsroom's sections; an \
                 administrator creates new ones.",
                section.name
            ),
        }]));
    }
    Ok(Ok(fields))
}

/// The editor's form as a save of `story` by `me`, made against the revision the form names;
/// or the form's problems. An empty slug keeps the story's.
pub async fn edit_from(
    state: &AppState,
    me: &SignedIn,
    story: &EditorStory,
    form: &EditorForm,
) -> Result<Result<StoryEdit, Vec<FieldError>>, AppError> {
    Ok(checked_fields(state, me, form, Some(&story.slug))
        .await?
        .map(|fields| StoryEdit {
            fields,
            expected_revision: form.revision,
            user: me.user.id,
            now: Utc::now(),
        }))
}

#[derive(Debug, serde::Deserialize)]
pub struct PreviewLinkForm {
    #[serde(default)]
    csrf: String,
    /// `new` (a fresh link, the old one stops working) or `revoke`.
    #[serde(default)]
    action: String,
}

/// Makes a new private preview link for an unpublished story, or ends its link.
pub async fn preview_link(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    Form(form): Form<PreviewLinkForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let id = story.id.0;
    let link = match form.action.as_str() {
        "new" if matches!(story.status, Status::Published | Status::Unpublished) => {
            let message = "A published or taken-down story has no preview: its public \
                           address takes over."
                .to_owned();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return refuse(&state, &me, &story, status, "preview", message).await;
        }
        "new" => Some(new_preview_link(&state, Utc::now())),
        "revoke" => None,
        _ => return Err(AppError::BadRequest("Unknown preview link action.".into())),
    };
    state
        .store
        .set_preview_link(story.id, link.as_ref())
        .await?;
    tracing::info!(
        story = id,
        user = me.user.id.0,
        revoked = link.is_none(),
        "preview link changed"
    );
    Ok(see_other(&format!("/admin/stories/{id}?saved")))
}

pub fn see_other(location: &str) -> Response {
    let location =
        HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/admin"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

pub async fn edit(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let notice = match query.as_deref() {
        Some("saved") => Some("Saved."),
        Some("moved") => Some("Status changed."),
        Some("corrected") => Some("Correction added."),
        _ => None,
    };
    let corrections = state.store.corrections(story.id).await?;
    let form = EditorForm::from_story(&story);
    render_editor(
        &state,
        &me,
        StatusCode::OK,
        Some(&story),
        &form,
        &[],
        notice,
        &corrections,
    )
    .await
}

/// "Also in this story now: Ana, Bo." for the editor's notice line.
pub fn also_here(others: &[String]) -> String {
    format!("Also in this story now: {}.", others.join(", "))
}

pub async fn save(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    Form(form): Form<EditorForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let id = story.id.0;
    let reject = async |errors: Vec<FieldError>| {
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        render_editor(&state, &me, status, Some(&story), &form, &errors, None, &[]).await
    };
    let edit = match edit_from(&state, &me, &story, &form).await? {
        Ok(edit) => edit,
        Err(errors) => return reject(errors).await,
    };
    match state.store.save_edit(story.id, edit).await {
        Ok(EditOutcome::Saved { revision, .. }) => {
            tracing::info!(story = id, revision, user = me.user.id.0, "story saved");
            Ok(see_other(&format!("/admin/stories/{id}?saved")))
        }
        Ok(EditOutcome::Conflict(current)) => conflict(&state, &me, &form, &current),
        Err(StoreError::Conflict(why)) => {
            reject(vec![FieldError {
                field: "slug",
                message: capitalise(&why),
            }])
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// HTTP 409: someone saved since this editor opened the story. Both versions are shown; the
/// writer may save theirs over the other only by sending it again, knowingly.
fn conflict(
    state: &AppState,
    me: &SignedIn,
    mine: &EditorForm,
    current: &EditorStory,
) -> Result<Response, AppError> {
    let site = bare_site_view(state);
    let page = PageMeta::new(&site, "Someone else saved this story", "/admin/stories");
    let theirs = EditorForm::from_story(current);
    let mut yours = mine.clone();
    yours.revision = current.revision;
    let mut response = admin_page(
        state,
        "admin/conflict.html",
        byline_render::page! {
            site, page, theirs, yours,
            id => current.id.0,
            updated => TimeView::from(current.updated_at),
            me => super::dashboard::me_view(me),
            csrf => &me.csrf_token,
        },
    )?;
    *response.status_mut() = StatusCode::CONFLICT;
    Ok(response)
}

/// The editor page again with one message, the stored story's fields and its corrections.
pub async fn refuse(
    state: &AppState,
    me: &SignedIn,
    story: &EditorStory,
    status: StatusCode,
    field: &'static str,
    message: String,
) -> Result<Response, AppError> {
    let corrections = state.store.corrections(story.id).await?;
    let errors = [FieldError { field, message }];
    let form = EditorForm::from_story(story);
    render_editor(
        state,
        me,
        status,
        Some(story),
        &form,
        &errors,
        None,
        &corrections,
    )
    .await
}

pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
