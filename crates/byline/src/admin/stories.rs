//! The story editor: create, edit (with lost-update detection), workflow moves, corrections.

use axum::Form;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::access::Permission;
use byline_core::editorial::{EditorStory, StoryFields};
use byline_core::workflow::{StoryAccess, Transition};
use byline_core::{Status, StoryId, StoryKind};
use byline_render::views::{PageMeta, PictureView, SiteView, TimeView, paths};
use chrono::Utc;
use serde::Serialize;

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::editor_form::{EditorForm, FieldError};
use super::gate::AllowedStory;
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::usecases::stories::{self as story_cases, OpenStory, PreviewAction};
use crate::usecases::{Actor, Refusal};

/// A story named outside the route (a query parameter), opened for editing as the gate
/// opens one named by the route.
pub async fn load_editable(
    state: &AppState,
    me: &SignedIn,
    id: StoryId,
) -> Result<OpenStory, AppError> {
    let actor = Actor::Member(&me.user);
    Ok(story_cases::open(&state.newsroom, actor, id, StoryAccess::Edit).await?)
}

/// The problems a refused operation names in a form's field, or the refusal as an error.
pub fn field_errors(refusal: Refusal) -> Result<Vec<FieldError>, AppError> {
    match refusal {
        Refusal::Invalid { field, message } => Ok(vec![FieldError { field, message }]),
        other => Err(other.into()),
    }
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

/// A story's state, moves and links, as the editor page shows them beside the form.
#[derive(Serialize)]
struct StoryView {
    id: i64,
    status: &'static str,
    status_key: &'static str,
    actions: Vec<Action>,
    published: Option<TimeView>,
    embargo: Option<TimeView>,
    url: Option<String>,
    preview: Option<String>,
    preview_until: Option<TimeView>,
    may_preview: bool,
    can_correct: bool,
    slug_locked: bool,
    picture: Option<PictureView>,
    upload_mb: usize,
    presence: Option<String>,
    is_page: bool,
}

/// The story editor, as `admin/editor.html` shows it.
#[derive(Serialize)]
struct EditorPage<'a> {
    site: SiteView,
    page: PageMeta,
    story: Option<StoryView>,
    form: &'a EditorForm,
    errors: &'a [FieldError],
    notice: Option<&'a str>,
    /// Each correction's time and note.
    corrections: Vec<(TimeView, String)>,
    sections: Vec<String>,
    /// For a page: the pages it may sit under, each with its depth in the tree.
    parents: Vec<ParentChoice>,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// A page the edited page may sit under.
#[derive(Serialize)]
struct ParentChoice {
    id: i64,
    title: String,
    /// Its title indented by its depth, for the list.
    label: String,
}

/// The pages `story` (or a new page) may sit under: any but itself and those under it.
async fn parent_choices(
    state: &AppState,
    me: &SignedIn,
    story: Option<&EditorStory>,
) -> Result<Vec<ParentChoice>, AppError> {
    let actor = Actor::Member(&me.user);
    let pages = crate::usecases::pages::list(&state.newsroom, actor).await?;
    let mut skip_below: Option<usize> = None;
    let mut choices = Vec::new();
    for (depth, page) in pages {
        if skip_below.is_some_and(|d| depth > d) {
            continue;
        }
        skip_below = None;
        if story.is_some_and(|s| s.id == page.id) {
            skip_below = Some(depth);
            continue;
        }
        choices.push(ParentChoice {
            id: page.id.0,
            label: format!("{}{}", "— ".repeat(depth), page.title),
            title: page.title,
        });
    }
    Ok(choices)
}

/// Both versions of a story someone else saved meanwhile, as `admin/conflict.html` shows them.
#[derive(Serialize)]
struct ConflictPage<'a> {
    site: SiteView,
    page: PageMeta,
    theirs: EditorForm,
    yours: EditorForm,
    id: i64,
    updated: TimeView,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// Everything the editor page shows besides the form.
fn story_view(state: &AppState, story: &EditorStory, me: &SignedIn) -> StoryView {
    let actor = Actor::Member(&me.user);
    let own = actor.ownership(story);
    let actions: Vec<Action> = Transition::ALL
        .into_iter()
        .filter(|t| t.sources().contains(&story.status) && actor.may(t.permission(), own))
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
    let preview = story
        .preview_token
        .as_ref()
        .filter(|_| story.preview_expires_at.is_some_and(|t| t > Utc::now()))
        .map(|t| format!("{}/preview/{t}", state.site.base_url));
    StoryView {
        id: story.id.0,
        status: story.status.label(),
        status_key: story.status.as_str(),
        actions,
        published: story.published_at.map(TimeView::from),
        embargo: story.embargo_until.map(TimeView::from),
        url: public.then(|| paths::of(story.kind, &story.slug)),
        preview,
        preview_until: story
            .preview_expires_at
            .filter(|t| *t > Utc::now())
            .map(TimeView::from),
        may_preview: !matches!(story.status, Status::Published | Status::Unpublished),
        can_correct: public && actor.may(Permission::Correct, own),
        slug_locked: story.first_published_at.is_some(),
        picture: story.lead_picture.as_ref().map(PictureView::from),
        upload_mb: state.upload_limit / (1024 * 1024),
        presence: (!others.is_empty()).then(|| also_here(&others)),
        is_page: story.kind == StoryKind::Page,
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
    let sections: Vec<String> = story_cases::sections(&state.newsroom)
        .await?
        .into_iter()
        .map(|section| section.name)
        .collect();
    let is_page = form.page || story.is_some_and(|s| s.kind == StoryKind::Page);
    let parents = if is_page {
        parent_choices(state, me, story).await?
    } else {
        Vec::new()
    };
    let site = bare_site_view(state);
    let new_title = if is_page { "New page" } else { "New story" };
    let title = story.map_or(new_title.to_owned(), |s| {
        format!("Edit: {}", s.headline.as_str())
    });
    let page = PageMeta::new(&site, title, "/admin/stories");
    let story = story.map(|s| story_view(state, s, me));
    let corrections: Vec<_> = corrections
        .iter()
        .map(|c| (TimeView::from(c.created_at), c.note.clone()))
        .collect();
    let view = EditorPage {
        site,
        page,
        story,
        form,
        errors,
        notice,
        corrections,
        sections,
        parents,
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/editor.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn new_form(State(state): State<AppState>, me: SignedIn) -> Result<Response, AppError> {
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
    create_draft(&state, &me, &form).await
}

/// Creates a draft of the form (a page when `form.page` says so, placed where the form says)
/// and opens it in the editor, or shows the form again with its problems (422).
pub async fn create_draft(
    state: &AppState,
    me: &SignedIn,
    form: &EditorForm,
) -> Result<Response, AppError> {
    let checked = form
        .check(&state.site.language, None)
        .and_then(|mut fields| {
            if form.page {
                fields.place = Some(form.place(Default::default()).map_err(|e| vec![e])?);
            }
            Ok(fields)
        });
    let errors = match checked {
        Ok(fields) => {
            let actor = Actor::Member(&me.user);
            match story_cases::create_draft(&state.newsroom, actor, fields, Utc::now()).await {
                Ok(id) => return Ok(see_other(&format!("/admin/stories/{}", id.0))),
                Err(refusal) => field_errors(refusal)?,
            }
        }
        Err(errors) => errors,
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render_editor(state, me, status, None, form, &errors, None, &[]).await
}

/// The editor's form checked into fields for a save of `story` (an empty slug keeps the
/// story's), or the form's problems.
pub fn fields_from(
    state: &AppState,
    story: &EditorStory,
    form: &EditorForm,
) -> Result<StoryFields, Vec<FieldError>> {
    let mut fields = form.check(&state.site.language, Some(&story.slug))?;
    if story.kind == StoryKind::Page {
        fields.place = Some(form.place(story.place).map_err(|e| vec![e])?);
    }
    Ok(fields)
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
    let action = match form.action.as_str() {
        "new" => PreviewAction::Renew,
        "revoke" => PreviewAction::Revoke,
        _ => return Err(AppError::BadRequest("Unknown preview link action.".into())),
    };
    let actor = Actor::Member(&me.user);
    let done =
        story_cases::set_preview_link(&state.newsroom, actor, &story, action, Utc::now()).await;
    after(&state, &me, &story, done, "saved").await
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
    let actor = Actor::Member(&me.user);
    let corrections = story_cases::corrections(&state.newsroom, actor, &story).await?;
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
    let errors = match fields_from(&state, &story, &form) {
        Ok(fields) => {
            let (actor, now) = (Actor::Member(&me.user), Utc::now());
            let saving =
                story_cases::save_edit(&state.newsroom, actor, &story, fields, form.revision, now);
            match saving.await {
                Ok(_) => return Ok(see_other(&format!("/admin/stories/{}?saved", story.id.0))),
                Err(Refusal::Stale(current)) => return conflict(&state, &me, &form, &current),
                Err(refusal) => field_errors(refusal)?,
            }
        }
        Err(errors) => errors,
    };
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    render_editor(&state, &me, status, Some(&story), &form, &errors, None, &[]).await
}

/// Back to the editor with `notice` when an operation on `story` was done; the editor again
/// with the problem (422) when it was refused for one the member can fix.
pub async fn after(
    state: &AppState,
    me: &SignedIn,
    story: &OpenStory,
    done: crate::usecases::Outcome<()>,
    notice: &str,
) -> Result<Response, AppError> {
    match done {
        Ok(()) => Ok(see_other(&format!(
            "/admin/stories/{}?{notice}",
            story.id.0
        ))),
        Err(Refusal::Invalid { field, message }) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            refuse(state, me, story, status, field, message).await
        }
        Err(other) => Err(other.into()),
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
    let view = ConflictPage {
        site,
        page,
        theirs,
        yours,
        id: current.id.0,
        updated: TimeView::from(current.updated_at),
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/conflict.html", view)?;
    *response.status_mut() = StatusCode::CONFLICT;
    Ok(response)
}

/// The editor page again with one message, the stored story's fields and its corrections.
pub async fn refuse(
    state: &AppState,
    me: &SignedIn,
    story: &OpenStory,
    status: StatusCode,
    field: &'static str,
    message: String,
) -> Result<Response, AppError> {
    let actor = Actor::Member(&me.user);
    let corrections = story_cases::corrections(&state.newsroom, actor, story).await?;
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
