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
struct PhotoForm {
    csrf: String,
    credit: String,
    caption: String,
    alt: String,
    remove: bool,
    file: Option<Vec<u8>>,
}

fn tidy(text: &str) -> Option<String> {
    Some(text.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|t| !t.is_empty())
}

/// Reads the multipart body; a file over the limit is an error message, not a crash.
async fn read_form(mut multipart: Multipart, limit: usize) -> Result<PhotoForm, String> {
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
type Kept = (PictureSource, Option<u32>, Option<u32>, Option<String>);

/// Keeps an uploaded picture if it decodes completely (decoded on a blocking thread: a large
/// photo takes a moment) and starts making its renditions; else the reason, for the editor.
async fn keep_upload(state: &AppState, bytes: &[u8]) -> Result<Result<Kept, String>, AppError> {
    let owned = bytes.to_vec();
    let checked = tokio::task::spawn_blocking(move || decode(&owned))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let (image, decoded) = match checked {
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
    // Renditions are made in the background from the picture decoded above; one asked for
    // before is made on its request.
    let rights = read_metadata(bytes).unwrap_or_default();
    tokio::spawn(media::make_renditions(
        state.media.clone(),
        key.clone(),
        image,
        rights,
    ));
    Ok(Ok((
        PictureSource::Local { key },
        Some(decoded.width),
        Some(decoded.height),
        Some(decoded.content_type.to_owned()),
    )))
}

/// The lead photo as the form describes it; what the editor left empty comes from the file,
/// as the agency wrote it.
fn described(form: &PhotoForm, (source, width, height, content_type): Kept) -> Picture {
    let from_file = form
        .file
        .as_deref()
        .and_then(|bytes| read_metadata(bytes).ok())
        .unwrap_or_default();
    Picture {
        source,
        credit: tidy(&form.credit).or_else(|| from_file.credit_line()),
        caption: tidy(&form.caption).or(from_file.caption),
        alt: tidy(&form.alt).or(from_file.alt_text),
        width,
        height,
        content_type,
    }
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
        Some(described(&form, kept))
    };
    state
        .store
        .set_lead_picture(story.id, picture, Utc::now())
        .await?;
    tracing::info!(story = id, user = me.user.id.0, "lead photo changed");
    Ok(see_other(&format!("/admin/stories/{id}?saved")))
}
