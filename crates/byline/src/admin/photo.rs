//! The lead photo of a story: upload (checked to be a picture, within the size limit), its
//! credit, caption and alt text, or its removal.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use byline_core::editorial::EditorStory;
use chrono::Utc;

use super::auth::SignedIn;
use super::gate::AllowedStory;
use super::stories::{after, refuse};
use crate::error::AppError;
use crate::state::AppState;
use crate::uploads::{Kept, check_upload, described, keep};
use crate::usecases::Actor;
use crate::usecases::pictures::{self, Words};

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

/// The words the form gives, tidied; `None` where a field was left empty.
pub(super) fn words(form: &PhotoForm) -> Words {
    Words {
        credit: tidy(&form.credit),
        caption: tidy(&form.caption),
        alt: tidy(&form.alt),
    }
}

/// Where the picture the form names is kept and what it is: the upload, checked, or the
/// story's current lead when only its words change; or why there is none, for the editor.
async fn kept_of(form: &PhotoForm, story: &EditorStory) -> Result<Result<Kept, String>, AppError> {
    match (&form.file, &story.lead_picture) {
        (Some(bytes), _) => check_upload(bytes).await,
        (None, Some(current)) => Ok(Ok((
            current.source.clone(),
            current.width,
            current.height,
            current.content_type.clone(),
        ))),
        (None, None) => Ok(Err("Choose a photo to upload.".into())),
    }
}

pub async fn update(
    State(state): State<AppState>,
    me: SignedIn,
    story: AllowedStory,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let form = match read_form(multipart, state.upload_limit).await {
        Ok(form) => form,
        Err(Unread::TooLarge(message)) => {
            // Only the member's own page (the gate checked their reach to the story), with the
            // reason beside the field; nothing was changed.
            let status = StatusCode::PAYLOAD_TOO_LARGE;
            return refuse(&state, &me, &story, status, "photo", message).await;
        }
        Err(malformed) => return Err(malformed.into()),
    };
    me.check_csrf(&form.csrf)?;
    let (nr, actor) = (&state.newsroom, Actor::Member(&me.user));
    let picture = if form.remove {
        None
    } else {
        let kept = match kept_of(&form, &story).await? {
            Ok(kept) => kept,
            Err(message) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return refuse(&state, &me, &story, status, "photo", message).await;
            }
        };
        let (offered, given) = (described(&state, form.file.as_deref(), kept), words(&form));
        let picture = pictures::check_lead_picture(nr, actor, &story, offered, &given).await?;
        // The file is kept only once its words are allowed.
        if let Some(bytes) = &form.file {
            keep(&state, bytes).await?;
        }
        Some(picture)
    };
    let done = pictures::set_lead_picture(nr, actor, &story, picture, Utc::now()).await;
    if done.is_ok() {
        state.renditions_wanted.notify_one();
    }
    after(&state, &me, &story, done, "saved").await
}
