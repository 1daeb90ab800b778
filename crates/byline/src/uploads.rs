//! Pictures uploaded by members, for the admin's forms and the API alike: checked by
//! decoding them completely, described from their own metadata, kept in the media store, and
//! added to the library through the use case.

use byline_core::{Picture, PictureId, PictureSource};
use byline_media::decode::{DecodeError, decode};
use byline_media::metadata::read_metadata;
use chrono::Utc;

use crate::error::AppError;
use crate::media;
use crate::state::AppState;
use crate::usecases::pictures::{self, Words};
use crate::usecases::{Actor, Refusal};

/// Where a picture is kept and what it is: source, width, height, content type.
pub type Kept = (PictureSource, Option<u32>, Option<u32>, Option<String>);

/// An uploaded picture checked by decoding it completely (on a blocking thread: a large
/// photo takes a moment), with the key it will be kept under; or the reason, for the editor.
/// Nothing is stored yet: [`keep`] does that once the use case allowed the form's words.
pub async fn check_upload(bytes: &[u8]) -> Result<Result<Kept, String>, AppError> {
    // At most one decode per core at a time, whoever uploads: a decode may take hundreds of
    // megabytes for a moment.
    let _slot = decode_slots()
        .acquire()
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?;
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
pub async fn keep(state: &AppState, bytes: &[u8]) -> Result<(), AppError> {
    media::store_image(&state.media, bytes)
        .await
        .map(|_| ())
        .map_err(|e| AppError::Internal(e.to_string()))
}

/// The picture as its file describes itself: where it is kept and what it is, with the words
/// the agency wrote into it (the credit printed the newsroom's way); the editor's words and
/// the library's take precedence in the use case.
pub fn described(
    state: &AppState,
    file: Option<&[u8]>,
    (source, width, height, content_type): Kept,
) -> Picture {
    let from_file = file
        .and_then(|bytes| read_metadata(bytes).ok())
        .unwrap_or_default();
    let rights = crate::media::rights_of(&from_file);
    Picture {
        source,
        credit: state.credit_pattern.apply(&from_file),
        caption: from_file.caption,
        alt: from_file.alt_text,
        width,
        height,
        content_type,
        rights,
        keywords: from_file.keywords,
        focus: Default::default(),
    }
}

fn decode_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        tokio::sync::Semaphore::new(cores)
    })
}

/// Why an upload did not join the library.
#[derive(Debug)]
pub enum UploadRefused {
    /// The file is not a picture that can be used; why, for the member.
    NotAPicture(String),
    Refused(Refusal),
    Failed(AppError),
}

/// Adds an uploaded picture to the library with the member's words: checked, allowed by the
/// use case, then kept and recorded; its renditions are queued.
pub async fn add_to_library(
    state: &AppState,
    actor: Actor<'_>,
    bytes: &[u8],
    given: &Words,
) -> Result<PictureId, UploadRefused> {
    let kept = check_upload(bytes)
        .await
        .map_err(UploadRefused::Failed)?
        .map_err(UploadRefused::NotAPicture)?;
    // A picture the library already has keeps the desk's wording where the form is empty;
    // only the desk may change it. The file is kept only once the words are allowed.
    let nr = &state.newsroom;
    let offered = described(state, Some(bytes), kept);
    let picture = pictures::check_library_upload(nr, actor, offered, given)
        .await
        .map_err(UploadRefused::Refused)?;
    keep(state, bytes).await.map_err(UploadRefused::Failed)?;
    let id = pictures::add_to_library(nr, actor, picture, Utc::now())
        .await
        .map_err(UploadRefused::Refused)?;
    state.renditions_wanted.notify_one();
    Ok(id)
}
