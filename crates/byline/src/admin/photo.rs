//! The lead photo of a story: upload (checked to be a picture, within the size limit), its
//! credit, caption and alt text, or its removal.

use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::{Picture, PictureSource};
use chrono::Utc;

use super::auth::SignedIn;
use super::stories::{load, refuse, require_edit, see_other};
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

/// Reads the multipart body; a file over the limit is an error message, not a crash.
pub(super) async fn read_form(mut multipart: Multipart, limit: usize) -> Result<PhotoForm, String> {
    let too_big = || format!("The photo is larger than {} MB.", limit / (1024 * 1024));
    let mut form = PhotoForm::default();
    while let Some(mut field) = multipart.next_field().await.map_err(|_| too_big())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "photo" {
            let mut bytes = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(|_| too_big())? {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > limit {
                    return Err(too_big());
                }
            }
            form.file = Some(bytes).filter(|b| !b.is_empty());
            continue;
        }
        let value = field
            .text()
            .await
            .map_err(|_| "The form could not be read.".to_owned())?;
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

/// Where a picture is kept and what it is: source, width, height, content type.
pub(super) type Kept = (PictureSource, Option<u32>, Option<u32>, Option<String>);

/// Keeps an uploaded picture if it decodes completely (decoded on a blocking thread: a large
/// photo takes a moment); else the reason, for the editor. Its renditions are made by the job
/// the store queues when the picture joins the library.
pub(super) async fn keep_upload(
    state: &AppState,
    bytes: &[u8],
) -> Result<Result<Kept, String>, AppError> {
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
    let (key, _) = media::store_image(&state.media, bytes)
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok(Ok((
        PictureSource::Local { key },
        Some(decoded.width),
        Some(decoded.height),
        Some(decoded.content_type.to_owned()),
    )))
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

/// The form with what the editor left empty taken from the library, when it already has the
/// picture: the desk's credit and wording, not the file's again.
pub(super) async fn with_library_defaults(
    state: &AppState,
    mut form: PhotoForm,
    (source, ..): &Kept,
) -> Result<PhotoForm, AppError> {
    let PictureSource::Local { key } = source else {
        return Ok(form);
    };
    let Some(known) = state.store.picture_at(key).await? else {
        return Ok(form);
    };
    for (typed, library) in [
        (&mut form.credit, known.credit),
        (&mut form.caption, known.caption),
        (&mut form.alt, known.alt),
    ] {
        if typed.trim().is_empty() {
            *typed = library.unwrap_or_default();
        }
    }
    Ok(form)
}

pub async fn update(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<i64>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let story = load(&state, id).await?;
    let form = match read_form(multipart, state.upload_limit).await {
        Ok(form) => form,
        Err(message) => {
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
    };
    me.check_csrf(&form.csrf)?;
    require_edit(&me, &story)?;
    let picture = if form.remove {
        None
    } else {
        let kept = match (&form.file, &story.lead_picture) {
            (Some(bytes), _) => match keep_upload(&state, bytes).await? {
                Ok(stored) => stored,
                Err(message) => {
                    return refuse(
                        &state,
                        &me,
                        &story,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "photo",
                        message,
                    )
                    .await;
                }
            },
            (None, Some(current)) => (
                current.source.clone(),
                current.width,
                current.height,
                current.content_type.clone(),
            ),
            (None, None) => {
                return refuse(
                    &state,
                    &me,
                    &story,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "photo",
                    "Choose a photo to upload.".into(),
                )
                .await;
            }
        };
        let form = with_library_defaults(&state, form, &kept).await?;
        let typed = (
            form.credit.as_str(),
            form.caption.as_str(),
            form.alt.as_str(),
        );
        Some(described(&state, form.file.as_deref(), typed, kept))
    };
    state
        .store
        .set_lead_picture(story.id, picture, Utc::now())
        .await?;
    state.renditions_wanted.notify_one();
    tracing::info!(story = id, user = me.user.id.0, "lead photo changed");
    Ok(see_other(&format!("/admin/stories/{id}?saved")))
}
