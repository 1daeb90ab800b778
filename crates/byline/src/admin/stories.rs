//! The story editor: create, edit (with lost-update detection), workflow moves, corrections.

use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::StoryId;
use byline_core::access::{Ownership, Permission, allows};
use byline_core::editorial::{EditOutcome, EditorStory, StoryEdit};
use byline_core::store::StoreError;
use byline_core::workflow::Transition;
use byline_render::views::{PageMeta, TimeView, paths};
use chrono::Utc;
use serde::Serialize;

use super::admin_page;
use super::auth::{SignedIn, random_token};
use super::editor_form::{EditorForm, FieldError};
use crate::error::AppError;
use crate::site::bare_site_view;
use crate::state::AppState;

pub fn ownership(story: &EditorStory, me: &SignedIn) -> Ownership {
    if story.created_by == Some(me.user.id) {
        Ownership::Own
    } else {
        Ownership::Others
    }
}

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

/// Refuses unless the member may change this story's text in its current state.
pub fn require_edit(me: &SignedIn, story: &EditorStory) -> Result<(), AppError> {
    if byline_core::workflow::may_edit(me.user.role, ownership(story, me), story.status) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Your role does not allow editing this story now.".into(),
        ))
    }
}

pub async fn load(state: &AppState, id: i64) -> Result<EditorStory, AppError> {
    state
        .store
        .editor_story(StoryId(id))
        .await?
        .ok_or(AppError::NotFound)
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
    let public = story.status == byline_core::Status::Published;
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
        preview => story.preview_token.as_ref().map(|t| format!("{}/preview/{t}", state.site.base_url)),
        can_correct => public && allows(me.user.role, Permission::Correct, own),
        slug_locked => story.first_published_at.is_some(),
        picture => story.lead_picture.as_ref().map(byline_render::views::PictureView::from),
        upload_mb => state.upload_limit / (1024 * 1024),
        presence => (!others.is_empty()).then(|| also_here(&others)),
    }
}

#[allow(clippy::too_many_arguments)]
pub fn render_editor(
    state: &AppState,
    me: &SignedIn,
    status: StatusCode,
    story: Option<&EditorStory>,
    form: &EditorForm,
    errors: &[FieldError],
    notice: Option<&str>,
    corrections: &[byline_core::editorial::Correction],
) -> Result<Response, AppError> {
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
            site, page, story, form, errors, notice, corrections,
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
    render_editor(&state, &me, StatusCode::OK, None, &form, &[], None, &[])
}

pub async fn create(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<EditorForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    require(&me, Permission::CreateStory, Ownership::Own)?;
    let fields = match form.check(&state.site.language, None) {
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
            );
        }
    };
    let id = state
        .store
        .create_draft(fields, me.user.id, &random_token(), Utc::now())
        .await?;
    tracing::info!(story = id.0, user = me.user.id.0, "story created");
    Ok(see_other(&format!("/admin/stories/{}", id.0)))
}

/// The editor's form as a save of `story` by `me`, made against the revision the form names;
/// or the form's problems. An empty slug keeps the story's.
pub fn edit_from(
    state: &AppState,
    me: &SignedIn,
    story: &EditorStory,
    form: &EditorForm,
) -> Result<StoryEdit, Vec<FieldError>> {
    Ok(StoryEdit {
        fields: form.check(&state.site.language, Some(&story.slug))?,
        preview_token: random_token(),
        expected_revision: form.revision,
        user: me.user.id,
        now: Utc::now(),
    })
}

pub fn see_other(location: &str) -> Response {
    let location =
        HeaderValue::from_str(location).unwrap_or_else(|_| HeaderValue::from_static("/admin"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

pub async fn edit(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let story = load(&state, id).await?;
    require_edit(&me, &story)?;
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
}

/// "Also in this story now: Ana, Bo." for the editor's notice line.
pub fn also_here(others: &[String]) -> String {
    format!("Also in this story now: {}.", others.join(", "))
}

pub async fn save(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<EditorForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let story = load(&state, id).await?;
    require_edit(&me, &story)?;
    let reject = |errors: Vec<FieldError>| {
        render_editor(
            &state,
            &me,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(&story),
            &form,
            &errors,
            None,
            &[],
        )
    };
    let edit = match edit_from(&state, &me, &story, &form) {
        Ok(edit) => edit,
        Err(errors) => return reject(errors),
    };
    match state.store.save_edit(story.id, edit).await {
        Ok(EditOutcome::Saved { revision, .. }) => {
            tracing::info!(story = id, revision, user = me.user.id.0, "story saved");
            Ok(see_other(&format!("/admin/stories/{id}?saved")))
        }
        Ok(EditOutcome::Conflict(current)) => conflict(&state, &me, &form, &current),
        Err(StoreError::Conflict(why)) => reject(vec![FieldError {
            field: "slug",
            message: capitalise(&why),
        }]),
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
}

pub fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
