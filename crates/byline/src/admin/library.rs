//! The media library: every picture with its credit and caption, searched by caption, credit
//! or keyword; added by upload, reused as another story's lead with that story's own caption,
//! edited for every story that uses it, and deleted once nothing uses it.

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::access::{Ownership, Permission};
use byline_core::library::{LibraryPicture, PictureEdit};
use byline_core::{Crop, Focus, PictureId, PictureSource, Shape};
use byline_render::views::{PageMeta, PictureView, SiteView};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::SignedIn;
use super::dashboard::{MemberView, me_view};
use super::gate::AllowedStory;
use super::photo::{read_form, tidy, words};
use super::stories::{load_editable, see_other};
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::state::AppState;
use crate::uploads::UploadRefused;
use crate::usecases::pictures::{self, Deletion, stories_use};
use crate::usecases::{Actor, Refusal};

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

/// The library, searched and paged, as `admin/library.html` shows it.
#[derive(Serialize)]
struct PicturesPage<'a> {
    site: SiteView,
    page: PageMeta,
    tiles: Vec<Tile>,
    /// The story a picture is being chosen for.
    chosen: Option<ChosenFor>,
    search: Option<String>,
    total: u64,
    prev: Option<String>,
    next: Option<String>,
    notice: Option<&'static str>,
    upload_mb: usize,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// One library picture with its crops and the stories using it, as `admin/picture.html`
/// shows it.
#[derive(Serialize)]
struct PicturePage<'a> {
    site: SiteView,
    page: PageMeta,
    /// Each crop's `name` and `view`.
    crops: Vec<CropView>,
    error: Option<String>,
    tile: Tile,
    whole: PictureView,
    credit: String,
    caption: String,
    alt: String,
    /// The focus in percent across and down.
    focus_x: f64,
    focus_y: f64,
    uses: Vec<UseRow<'a>>,
    manage: bool,
    notice: Option<&'static str>,
    me: MemberView<'a>,
    csrf: &'a str,
}

/// The story a picture is being chosen for.
#[derive(Serialize)]
struct ChosenFor {
    id: i64,
    headline: String,
}

/// One crop of a picture, as the picture page previews it.
#[derive(Serialize)]
struct CropView {
    /// The shape, as `16:9`.
    name: String,
    view: PictureView,
}

/// A story using the picture, with its own caption.
#[derive(Serialize)]
struct UseRow<'a> {
    id: i64,
    headline: &'a str,
    caption: &'a Option<String>,
}

/// The story a picture is being chosen for, when the member may change it.
async fn chosen_for(
    state: &AppState,
    me: &SignedIn,
    id: &str,
) -> Result<Option<ChosenFor>, AppError> {
    let Ok(id) = id.parse::<i64>().map(byline_core::StoryId) else {
        return Ok(None);
    };
    let story = load_editable(state, me, id).await?;
    Ok(Some(ChosenFor {
        id: story.id.0,
        headline: story.headline.as_str().to_owned(),
    }))
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
    let actor = Actor::Member(&me.user);
    let found = pictures::library(&state.newsroom, actor, search.clone(), page - 1, PER_PAGE);
    let found = found.await?;
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
            q.push_str(&format!("&for={}", story.id));
        }
        q
    };
    let prev = (u64::from(page) > 1).then(|| query(u64::from(page) - 1));
    let next = (u64::from(page) < pages).then(|| query(u64::from(page) + 1));
    let view = PicturesPage {
        site,
        page: meta,
        tiles,
        chosen,
        search,
        total: found.total,
        prev,
        next,
        notice: notice(&params.done),
        upload_mb: state.upload_limit / (1024 * 1024),
        me: me_view(&me),
        csrf: &me.csrf_token,
    };
    admin_page(&state, "admin/library.html", view)
}

/// A new picture uploaded straight into the library.
pub async fn add(
    State(state): State<AppState>,
    me: SignedIn,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let mut form = read_form(multipart, state.upload_limit).await?;
    me.check_csrf(&form.csrf)?;
    let Some(bytes) = form.file.take() else {
        return Err(AppError::Unprocessable("Choose a photo to upload.".into()));
    };
    let actor = Actor::Member(&me.user);
    let id = match crate::uploads::add_to_library(&state, actor, &bytes, &words(&form)).await {
        Ok(id) => id,
        Err(UploadRefused::NotAPicture(why)) => return Err(AppError::Unprocessable(why)),
        Err(UploadRefused::Refused(refusal)) => return Err(refusal.into()),
        Err(UploadRefused::Failed(e)) => return Err(e),
    };
    Ok(see_other(&format!("/admin/media/{id}?done=added")))
}

async fn picture_page(
    state: &AppState,
    me: &SignedIn,
    id: PictureId,
    status: StatusCode,
    error: Option<String>,
    done: &str,
) -> Result<Response, AppError> {
    let actor = Actor::Member(&me.user);
    // Others' unpublished stories are named only to those who may see them.
    let (item, uses) = pictures::picture(&state.newsroom, actor, id).await?;
    let crops: Vec<CropView> = Crop::ALL
        .into_iter()
        .map(|crop| CropView {
            name: crop.name().replace('x', ":"),
            view: PictureView::new(&item.picture, Shape::crop(crop)),
        })
        .collect();
    let uses: Vec<UseRow> = uses
        .iter()
        .map(|u| UseRow {
            id: u.story.0,
            headline: u.headline.as_str(),
            caption: &u.caption,
        })
        .collect();
    let site = bare_site_view(state);
    let meta = PageMeta::new(&site, "Picture", format!("/admin/media/{id}"));
    let picture = &item.picture;
    let view = PicturePage {
        site,
        page: meta,
        crops,
        error,
        tile: Tile::from(&item),
        whole: PictureView::from(picture),
        credit: picture.credit.clone().unwrap_or_default(),
        caption: picture.caption.clone().unwrap_or_default(),
        alt: picture.alt.clone().unwrap_or_default(),
        focus_x: f64::from(picture.focus.x) / 10.0,
        focus_y: f64::from(picture.focus.y) / 10.0,
        uses,
        manage: actor.may(Permission::ManagePictures, Ownership::Own),
        notice: notice(done),
        me: me_view(me),
        csrf: &me.csrf_token,
    };
    let mut response = admin_page(state, "admin/picture.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn show_picture(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<PictureId>,
    Query(params): Query<LibraryParams>,
) -> Result<Response, AppError> {
    picture_page(&state, &me, id, StatusCode::OK, None, &params.done).await
}

#[derive(Debug, Deserialize)]
pub struct PictureForm {
    #[serde(default)]
    pub(crate) csrf: String,
    #[serde(default)]
    pub(crate) credit: String,
    #[serde(default)]
    pub(crate) caption: String,
    #[serde(default)]
    pub(crate) alt: String,
    #[serde(default)]
    pub(crate) keywords: String,
    #[serde(default)]
    pub(crate) focus_x: String,
    #[serde(default)]
    pub(crate) focus_y: String,
}

/// The edit the form asks for, or what is wrong with it.
pub(crate) fn edit_from(form: &PictureForm) -> Result<PictureEdit, String> {
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
    Path(id): Path<PictureId>,
    Form(form): Form<PictureForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let edit = match edit_from(&form) {
        Ok(edit) => edit,
        Err(message) => return picture_page(&state, &me, id, status, Some(message), "").await,
    };
    let actor = Actor::Member(&me.user);
    match pictures::update_library_picture(&state.newsroom, actor, id, edit, Utc::now()).await {
        Ok(()) => {
            state.renditions_wanted.notify_one();
            Ok(see_other(&format!("/admin/media/{id}?done=saved")))
        }
        Err(Refusal::Invalid { message, .. }) => {
            picture_page(&state, &me, id, status, Some(message), "").await
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

pub async fn delete(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<PictureId>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    let actor = Actor::Member(&me.user);
    let files = match pictures::delete_picture(&state.newsroom, actor, id).await? {
        Deletion::Deleted { files } => files,
        Deletion::InUse { uses } => {
            let message = format!(
                "{} this picture; it can be deleted once none does.",
                stories_use(uses)
            );
            return picture_page(&state, &me, id, StatusCode::CONFLICT, Some(message), "").await;
        }
    };
    if let Some(key) = files {
        // The row is gone: its files follow. A failure leaves unreferenced files, not a
        // broken page.
        match state.media.delete_picture(&key).await {
            Ok(files) => tracing::info!(picture = id.0, files, "picture files deleted"),
            Err(e) => tracing::warn!(picture = id.0, error = %e, "cannot delete picture files"),
        }
    }
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
    let picture = form
        .picture
        .parse::<i64>()
        .map(PictureId)
        .map_err(|_| AppError::Unprocessable("No picture was chosen.".into()))?;
    let (actor, caption) = (Actor::Member(&me.user), tidy(&form.caption));
    let choosing = pictures::choose_library_picture(
        &state.newsroom,
        actor,
        &editing,
        picture,
        caption,
        Utc::now(),
    );
    choosing.await?;
    Ok(see_other(&format!("/admin/stories/{}?saved", editing.id.0)))
}
