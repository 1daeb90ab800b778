//! The media library: every picture with its credit and caption, searched by caption, credit
//! or keyword; added by upload, reused as another story's lead with that story's own caption,
//! edited for every story that uses it, and deleted once nothing uses it.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::access::{Ownership, Permission, allows};
use byline_core::library::{
    DeleteOutcome, Describing, LibraryPicture, LibraryQuery, PictureEdit, PictureUse,
    picture_seen_by,
};
use byline_core::{Crop, Focus, Picture, PictureId, PictureSource, Shape, StoryId};
use byline_render::views::{PageMeta, PictureView};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::gate::AllowedStory;
use super::photo::{
    PhotoForm, check_upload, check_words, described, describing, keep, known_picture, read_form,
    tidy, with_library_defaults,
};
use super::stories::{load_editable, require, see_other};
use crate::error::AppError;
use crate::site::bare_site_view;
use crate::state::AppState;

const PER_PAGE: u32 = 48;
const MAX_KEYWORDS: usize = 50;

/// The library's query string: a search, a page, and the story a picture is being chosen for.
#[derive(Debug, Default, Deserialize)]
pub struct LibraryParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
    #[serde(default, rename = "for")]
    for_story: String,
    #[serde(default)]
    done: String,
}

/// A picture as the library's pages show it.
#[derive(Serialize)]
struct Tile {
    id: i64,
    view: PictureView,
    keywords: String,
    uses: u64,
    added: String,
    remote: bool,
}

impl From<&LibraryPicture> for Tile {
    fn from(item: &LibraryPicture) -> Tile {
        Tile {
            id: item.id.0,
            view: PictureView::new(&item.picture, Shape::crop(Crop::Standard)),
            keywords: item.picture.keywords.join(", "),
            uses: item.uses,
            added: item.added_at.format("%-d %B %Y").to_string(),
            remote: matches!(item.picture.source, PictureSource::Remote { .. }),
        }
    }
}

/// The story a picture is being chosen for, when the member may change it.
async fn chosen_for(
    state: &AppState,
    me: &SignedIn,
    id: &str,
) -> Result<Option<serde_json::Value>, AppError> {
    let Ok(id) = id.parse::<i64>() else {
        return Ok(None);
    };
    let story = load_editable(state, me, id).await?;
    Ok(Some(
        serde_json::json!({"id": story.id.0, "headline": story.headline.as_str()}),
    ))
}

fn notice(done: &str) -> Option<&'static str> {
    match done {
        "deleted" => Some("The picture was deleted."),
        "saved" => Some("Saved."),
        "added" => Some("The picture is in the library; its sizes are being made."),
        _ => None,
    }
}

pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(params): Query<LibraryParams>,
) -> Result<Response, AppError> {
    let page = params.page.parse::<u32>().unwrap_or(1).clamp(1, 10_000);
    let search = Some(params.q.trim().to_owned()).filter(|q| !q.is_empty());
    let found = state
        .store
        .library(&LibraryQuery {
            search: search.clone(),
            page: page - 1,
            per_page: PER_PAGE,
            visible_to: (!byline_core::workflow::sees_others_work(me.user.role))
                .then_some(me.user.id),
        })
        .await?;
    let tiles: Vec<Tile> = found.pictures.iter().map(Tile::from).collect();
    let pages = found.total.div_ceil(u64::from(PER_PAGE)).max(1);
    let chosen = chosen_for(&state, &me, &params.for_story).await?;
    let site = bare_site_view(&state);
    let meta = PageMeta::new(&site, "Pictures", "/admin/media");
    let query = |n: u64| {
        let mut q = format!("page={n}");
        if let Some(search) = &search {
            q.push_str(&format!("&q={}", super::dashboard::encode(search)));
        }
        if let Some(story) = &chosen {
            q.push_str(&format!("&for={}", story["id"]));
        }
        q
    };
    admin_page(
        &state,
        "admin/library.html",
        byline_render::page! {
            site, page => meta, tiles, chosen, search,
            total => found.total,
            prev => (u64::from(page) > 1).then(|| query(u64::from(page) - 1)),
            next => (u64::from(page) < pages).then(|| query(u64::from(page) + 1)),
            notice => notice(&params.done),
            upload_mb => state.upload_limit / (1024 * 1024),
            me => super::dashboard::me_view(&me),
            csrf => &me.csrf_token,
        },
    )
}

/// A new picture uploaded straight into the library.
pub async fn add(
    State(state): State<AppState>,
    me: SignedIn,
    multipart: Multipart,
) -> Result<Response, AppError> {
    require(&me, Permission::CreateStory, Ownership::Own)?;
    let mut form = read_form(multipart, state.upload_limit).await?;
    me.check_csrf(&form.csrf)?;
    let Some(bytes) = form.file.take() else {
        return Err(AppError::Unprocessable("Choose a photo to upload.".into()));
    };
    let kept = check_upload(&bytes)
        .await?
        .map_err(AppError::Unprocessable)?;
    // A picture the library already has keeps the desk's wording where the form is empty;
    // only the desk may change it.
    let known = known_picture(&state, &me, &kept).await?;
    let form = with_library_defaults(form, known.as_ref());
    check_reupload(&me, &form, known.as_ref())?;
    keep(&state, &bytes).await?;
    let typed = (
        form.credit.as_str(),
        form.caption.as_str(),
        form.alt.as_str(),
    );
    let picture = described(&state, Some(&bytes), typed, kept);
    let id = state
        .store
        .add_picture(&picture, describing(&me), Utc::now())
        .await?;
    state.renditions_wanted.notify_one();
    tracing::info!(
        picture = id.0,
        user = me.user.id.0,
        "picture added to the library"
    );
    Ok(see_other(&format!("/admin/media/{id}?done=added")))
}

/// Someone other than the desk uploading a picture the library has reuses it as it is: their
/// form may not change its credit, alt text or caption there.
fn check_reupload(
    me: &SignedIn,
    form: &PhotoForm,
    known: Option<&Picture>,
) -> Result<(), AppError> {
    check_words(me, form, known)?;
    let Some(known) = known.filter(|_| describing(me) == Describing::GapsOnly) else {
        return Ok(());
    };
    if tidy(&form.caption) != known.caption {
        return Err(AppError::Forbidden(
            "This picture is already in the library; only the photo desk (an editor) changes \
             its caption there. Give the caption in your story instead."
                .into(),
        ));
    }
    Ok(())
}

/// The uses of a picture the member may see; a picture only others' unpublished work uses
/// is not found.
async fn visible_uses(
    state: &AppState,
    me: &SignedIn,
    id: PictureId,
) -> Result<Vec<PictureUse>, AppError> {
    let shared = state
        .store
        .library_picture(id)
        .await?
        .is_some_and(|item| item.shared);
    let uses = state.store.picture_uses(id).await?;
    if picture_seen_by(shared, &uses, me.user.role, me.user.id) {
        Ok(uses)
    } else {
        Err(AppError::NotFound)
    }
}

async fn picture_page(
    state: &AppState,
    me: &SignedIn,
    id: PictureId,
    status: StatusCode,
    error: Option<String>,
    done: &str,
) -> Result<Response, AppError> {
    let item = state
        .store
        .library_picture(id)
        .await?
        .ok_or(AppError::NotFound)?;
    // Others' unpublished stories are named only to those who may see them.
    let uses: Vec<PictureUse> = visible_uses(state, me, id)
        .await?
        .into_iter()
        .filter(|u| u.seen_by(me.user.role, me.user.id))
        .collect();
    let crops: Vec<serde_json::Value> = Crop::ALL
        .into_iter()
        .map(|crop| {
            let view = PictureView::new(&item.picture, Shape::crop(crop));
            serde_json::json!({"name": crop.name().replace('x', ":"), "view": view})
        })
        .collect();
    let site = bare_site_view(state);
    let meta = PageMeta::new(&site, "Picture", format!("/admin/media/{id}"));
    let mut response = admin_page(
        state,
        "admin/picture.html",
        byline_render::page! {
            site, page => meta, crops, error,
            tile => Tile::from(&item),
            whole => PictureView::from(&item.picture),
            credit => item.picture.credit.clone().unwrap_or_default(),
            caption => item.picture.caption.clone().unwrap_or_default(),
            alt => item.picture.alt.clone().unwrap_or_default(),
            focus_x => f64::from(item.picture.focus.x) / 10.0,
            focus_y => f64::from(item.picture.focus.y) / 10.0,
            uses => uses.iter().map(|u| serde_json::json!({
                "id": u.story.0, "headline": u.headline.as_str(), "caption": u.caption,
            })).collect::<Vec<_>>(),
            manage => allows(me.user.role, Permission::ManagePictures, Ownership::Own),
            notice => notice(done),
            me => super::dashboard::me_view(me),
            csrf => &me.csrf_token,
        },
    )?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show_picture(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    Query(params): Query<LibraryParams>,
) -> Result<Response, AppError> {
    picture_page(
        &state,
        &me,
        PictureId(id),
        StatusCode::OK,
        None,
        &params.done,
    )
    .await
}

#[derive(Debug, Deserialize)]
pub struct PictureForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    credit: String,
    #[serde(default)]
    caption: String,
    #[serde(default)]
    alt: String,
    #[serde(default)]
    keywords: String,
    #[serde(default)]
    focus_x: String,
    #[serde(default)]
    focus_y: String,
}

/// The edit the form asks for, or what is wrong with it.
fn edit_from(form: &PictureForm) -> Result<PictureEdit, String> {
    let percent = |text: &str, axis: &str| -> Result<i64, String> {
        let value: f64 = text
            .trim()
            .parse()
            .map_err(|_| format!("The focus {axis} must be a number from 0 to 100."))?;
        if !(0.0..=100.0).contains(&value) {
            return Err(format!("The focus {axis} must be from 0 to 100."));
        }
        Ok((value * 10.0).round() as i64)
    };
    let keywords: Vec<String> = form.keywords.split([',', '\n']).filter_map(tidy).collect();
    if keywords.len() > MAX_KEYWORDS || keywords.iter().any(|k| k.chars().count() > 100) {
        return Err(format!(
            "Give at most {MAX_KEYWORDS} keywords of up to 100 characters each."
        ));
    }
    let limit = |text: &str, name: &str, max: usize| -> Result<Option<String>, String> {
        let text = tidy(text);
        match &text {
            Some(t) if t.chars().count() > max => {
                Err(format!("The {name} is longer than {max} characters."))
            }
            _ => Ok(text),
        }
    };
    Ok(PictureEdit {
        credit: limit(&form.credit, "credit", 300)?,
        caption: limit(&form.caption, "caption", 2000)?,
        alt: limit(&form.alt, "alt text", 500)?,
        keywords,
        focus: Focus::new(
            percent(&form.focus_x, "across")?,
            percent(&form.focus_y, "down")?,
        ),
    })
}

pub async fn edit(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<PictureForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    require(&me, Permission::ManagePictures, Ownership::Own)?;
    let id = PictureId(id);
    let item = state
        .store
        .library_picture(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let checked = edit_from(&form).and_then(|edit| {
        if edit.credit.is_none() && item.uses > 0 && state.credit_required {
            Err(format!(
                "The newsroom requires a credit, and {} {} this picture.",
                item.uses,
                if item.uses == 1 {
                    "story uses"
                } else {
                    "stories use"
                }
            ))
        } else {
            Ok(edit)
        }
    });
    let edit = match checked {
        Ok(edit) => edit,
        Err(message) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return picture_page(&state, &me, id, status, Some(message), "").await;
        }
    };
    state.store.edit_picture(id, edit, Utc::now()).await?;
    state.renditions_wanted.notify_one();
    tracing::info!(
        picture = id.0,
        user = me.user.id.0,
        "library picture changed"
    );
    Ok(see_other(&format!("/admin/media/{id}?done=saved")))
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    require(&me, Permission::ManagePictures, Ownership::Own)?;
    let id = PictureId(id);
    let (outcome, place) = state.store.delete_picture(id).await?;
    if let DeleteOutcome::InUse(uses) = outcome {
        let message = format!(
            "{uses} {} this picture; it can be deleted once none does.",
            if uses == 1 {
                "story uses"
            } else {
                "stories use"
            }
        );
        return picture_page(&state, &me, id, StatusCode::CONFLICT, Some(message), "").await;
    }
    if !place.contains("://") {
        // The row is gone: its files follow. A failure leaves unreferenced files, not a
        // broken page.
        match state.media.delete_picture(&place).await {
            Ok(files) => tracing::info!(picture = id.0, files, "picture files deleted"),
            Err(e) => tracing::warn!(picture = id.0, error = %e, "cannot delete picture files"),
        }
    }
    tracing::info!(
        picture = id.0,
        user = me.user.id.0,
        "library picture deleted"
    );
    Ok(see_other("/admin/media?done=deleted"))
}

#[derive(Debug, Deserialize)]
pub struct UseForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    picture: String,
    #[serde(default)]
    caption: String,
}

/// Makes a library picture a story's lead photo, with the caption given for this use.
pub async fn use_in_story(
    State(state): State<AppState>,
    me: SignedIn,
    editing: AllowedStory,
    Form(form): Form<UseForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let story = editing.id.0;
    let picture = form
        .picture
        .parse::<i64>()
        .map(PictureId)
        .map_err(|_| AppError::Unprocessable("No picture was chosen.".into()))?;
    visible_uses(&state, &me, picture).await?;
    let item = state.store.library_picture(picture).await?.ok_or_else(|| {
        AppError::Unprocessable("That picture is no longer in the library.".into())
    })?;
    let caption = tidy(&form.caption).or(item.picture.caption);
    state
        .store
        .use_picture(StoryId(story), picture, caption, Utc::now())
        .await?;
    tracing::info!(
        story,
        picture = picture.0,
        user = me.user.id.0,
        "library picture used"
    );
    Ok(see_other(&format!("/admin/stories/{story}?saved")))
}
