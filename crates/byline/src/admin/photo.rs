//! The lead photo of a story: upload (checked to be a picture, within the size limit), its
//! credit, caption and alt text, or its removal.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::access::{Ownership, Permission, allows};
use byline_core::library::Describing;
use byline_core::{Picture, PictureSource};
use chrono::Utc;

use super::auth::SignedIn;
use super::gate::AllowedStory;
use super::stories::{refuse, see_other};
use crate::error::AppError;
use crate::media;
use crate::state::AppState;
use byline_media::decode::{DecodeError, decode};
use byline_media::metadata::read_metadata;

/// The photo form's fields as sent.
#[derive(Debug, Default)]
pub(super) struct PhotoForm {
    pub csrf: String,
    pub credit: String,
    pub caption: String,
    pub alt: String,
    pub remove: bool,
    pub file: Option<Vec<u8>>,
}

pub(super) fn tidy(text: &str) -> Option<String> {
    Some(text.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|t| !t.is_empty())
}

/// Why a photo form could not be read.
#[derive(Debug)]
pub(super) enum Unread {
    /// The file is over the upload limit: the editor says so beside the field.
    TooLarge(String),
    /// The body is not a form at all (broken multipart, bad encoding): a plain 400.
    Malformed(String),
}

impl From<Unread> for AppError {
    fn from(problem: Unread) -> AppError {
        match problem {
            Unread::TooLarge(message) => AppError::Unprocessable(message),
            Unread::Malformed(message) => AppError::BadRequest(message),
        }
    }
}

/// Longest text field a photo form may carry (a caption with room to spare).
const MAX_FIELD_BYTES: usize = 16 * 1024;

/// Reads the multipart body; a file over the limit or a body that is not a form is an error
/// message, not a crash.
pub(super) async fn read_form(mut multipart: Multipart, limit: usize) -> Result<PhotoForm, Unread> {
    let too_big = || {
        Unread::TooLarge(format!(
            "The photo is larger than {} MB.",
            limit / (1024 * 1024)
        ))
    };
    let unread = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            too_big()
        } else {
            Unread::Malformed(format!("The form could not be read: {}.", e.body_text()))
        }
    };
    let mut form = PhotoForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(unread)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(unread)? {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > limit {
                    return Err(too_big());
                }
            }
            form.file = Some(bytes).filter(|b| !b.is_empty());
            continue;
        }
        let mut value = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unread)? {
            value.extend_from_slice(&chunk);
            if value.len() > MAX_FIELD_BYTES {
                return Err(Unread::Malformed(format!(
                    "The field {name:?} is too long."
                )));
            }
        }
        let value = String::from_utf8(value)
            .map_err(|_| Unread::Malformed(format!("The field {name:?} is not UTF-8 text.")))?;
        match name.as_str() {
            "csrf" => form.csrf = value,
            "credit" => form.credit = value,
            "caption" => form.caption = value,
            "alt" => form.alt = value,
            "remove" => form.remove = value == "yes",
            _ => {}
        }
    }
    Ok(form)
}

/// Whose words the member's picture form carries: the desk's, or someone's who may only
/// describe pictures new to the library.
pub(super) fn describing(me: &SignedIn) -> Describing {
    if allows(me.user.role, Permission::ManagePictures, Ownership::Own) {
        Describing::Desk
    } else {
        Describing::GapsOnly
    }
}

/// Refuses a member without the desk's permission who would change the credit or alt text of
/// a picture the library already has (other stories show them).
pub(super) fn check_words(
    me: &SignedIn,
    form: &PhotoForm,
    known: Option<&Picture>,
) -> Result<(), AppError> {
    let Some(known) = known.filter(|_| describing(me) == Describing::GapsOnly) else {
        return Ok(());
    };
    if tidy(&form.credit) != known.credit || tidy(&form.alt) != known.alt {
        return Err(AppError::Forbidden(
            "This picture is in the library and other stories may use it: only the photo desk \
             (an editor) changes its credit or alt text. Your caption can be changed."
                .into(),
        ));
    }
    Ok(())
}

/// Where a picture is kept and what it is: source, width, height, content type.
pub(super) type Kept = (PictureSource, Option<u32>, Option<u32>, Option<String>);

/// An uploaded picture checked by decoding it completely (on a blocking thread: a large
/// photo takes a moment), with the key it will be kept under; or the reason, for the editor.
/// Nothing is stored yet: [`keep`] does that once the form's words are allowed.
pub(super) async fn check_upload(bytes: &[u8]) -> Result<Result<Kept, String>, AppError> {
    let owned = bytes.to_vec();
    let checked = tokio::task::spawn_blocking(move || decode(&owned))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (_, decoded) = match checked {
        Ok(decoded) => decoded,
        Err(DecodeError::NotAPicture) => {
            return Ok(Err(
                "That file is not a picture: upload a JPEG, PNG, GIF or WebP image.".into(),
            ));
        }
        Err(other) => return Ok(Err(format!("That picture cannot be used: {other}."))),
    };
    let key = media::image_key(bytes).map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Ok((
        PictureSource::Local { key },
        Some(decoded.width),
        Some(decoded.height),
        Some(decoded.content_type.to_owned()),
    )))
}

/// Stores an upload [`check_upload`] accepted (its renditions are made by the job the store
/// queues when the picture joins the library).
pub(super) async fn keep(state: &AppState, bytes: &[u8]) -> Result<(), AppError> {
    media::store_image(&state.media, bytes)
        .await
        .map(|_| ())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The picture as the editor describes it; what the editor left empty comes from the file,
/// as the agency wrote it (the credit printed the newsroom's way).
pub(super) fn described(
    state: &AppState,
    file: Option<&[u8]>,
    (credit, caption, alt): (&str, &str, &str),
    (source, width, height, content_type): Kept,
) -> Picture {
    let from_file = file
        .and_then(|bytes| read_metadata(bytes).ok())
        .unwrap_or_default();
    Picture {
        source,
        credit: tidy(credit).or_else(|| state.credit_pattern.apply(&from_file)),
        caption: tidy(caption).or(from_file.caption),
        alt: tidy(alt).or(from_file.alt_text),
        width,
        height,
        content_type,
        keywords: from_file.keywords,
        focus: Default::default(),
    }
}

/// The library's picture at `kept`'s place, when it has one; refused when the member may not
/// see it (it came in with a story they may not see: its words are that story's, and reusing
/// it would show them).
pub(super) async fn known_picture(
    state: &AppState,
    me: &SignedIn,
    (source, ..): &Kept,
) -> Result<Option<Picture>, AppError> {
    let PictureSource::Local { key } = source else {
        return Ok(None);
    };
    let Some(item) = state.store.library_picture_at(key).await? else {
        return Ok(None);
    };
    let uses = state.store.picture_uses(item.id).await?;
    if byline_core::library::picture_seen_by(item.shared, &uses, me.user.role, me.user.id) {
        Ok(Some(item.picture))
    } else {
        Err(AppError::Forbidden(
            "This picture is already in the library with a story you cannot see. Ask the \
             photo desk (an editor) to share it."
                .into(),
        ))
    }
}

/// The form with what the editor left empty taken from the library's `known` picture: the
/// desk's credit and wording, not the file's again.
pub(super) fn with_library_defaults(mut form: PhotoForm, known: Option<&Picture>) -> PhotoForm {
    let Some(known) = known else {
        return form;
    };
    for (typed, library) in [
        (&mut form.credit, &known.credit),
        (&mut form.caption, &known.caption),
        (&mut form.alt, &known.alt),
    ] {
        if typed.trim().is_empty() {
            *typed = library.clone().unwrap_or_default();
        }
    }
    form
}

pub async fn update(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let id = story.id.0;
    let form = match read_form(multipart, state.upload_limit).await {
        Ok(form) => form,
        Err(Unread::TooLarge(message)) => {
            // Only the member's own page (the gate checked their reach to the story), with the
            // reason beside the field; nothing was changed.
            return refuse(
                &state,
                &me,
                &story,
                StatusCode::PAYLOAD_TOO_LARGE,
                "photo",
                message,
            )
            .await;
        }
        Err(malformed) => return Err(malformed.into()),
    };
    me.check_csrf(&form.csrf)?;
    let picture = if form.remove {
        None
    } else {
        let kept = match (&form.file, &story.lead_picture) {
            (Some(bytes), _) => match check_upload(bytes).await? {
                Ok(stored) => stored,
                Err(message) => {
                    let status = StatusCode::UNPROCESSABLE_ENTITY;
                    return refuse(&state, &me, &story, status, "photo", message).await;
                }
            },
            (None, Some(current)) => (
                current.source.clone(),
                current.width,
                current.height,
                current.content_type.clone(),
            ),
            (None, None) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                let message = "Choose a photo to upload.".into();
                return refuse(&state, &me, &story, status, "photo", message).await;
            }
        };
        let known = known_picture(&state, &me, &kept).await?;
        let form = with_library_defaults(form, known.as_ref());
        check_words(&me, &form, known.as_ref())?;
        if let Some(bytes) = &form.file {
            keep(&state, bytes).await?;
        }
        let typed = (
            form.credit.as_str(),
            form.caption.as_str(),
            form.alt.as_str(),
        );
        Some(described(&state, form.file.as_deref(), typed, kept))
    };
    state
        .store
        .set_lead_picture(story.id, picture, describing(&me), Utc::now())
        .await?;
    state.renditions_wanted.notify_one();
    tracing::info!(story = id, user = me.user.id.0, "lead photo changed");
    Ok(see_other(&format!("/admin/stories/{id}?saved")))
}
