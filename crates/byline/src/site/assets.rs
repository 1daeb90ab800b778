//! Static theme files and media, served with far-future caching (their names change with content).

use crate::usecases::reading;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::error::AppError;
use crate::media;
use crate::state::AppState;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

pub async fn theme_file(State(state): State<AppState>, uri: Uri) -> Result<Response, AppError> {
    let asset = state.theme.asset(uri.path()).ok_or(AppError::NotFound)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
        ],
        asset.bytes.clone(),
    )
        .into_response())
}

pub async fn media_file(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> Result<Response, AppError> {
    let found = reading::media_file(&state.newsroom, &state.media, &state.rendition_slots, &key)
        .await
        .map_err(|e| match e {
            media::MediaError::Busy => AppError::Busy,
            other => AppError::Internal(other.to_string()),
        })?;
    let (bytes, content_type) = found.ok_or(AppError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            // A picture is never a document: nothing in it may run, even an SVG opened directly.
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
            ),
        ],
        bytes,
    )
        .into_response())
}
