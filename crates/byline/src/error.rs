//! One error type for the web boundary, mapped to HTTP status and a themed page in one place.

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use byline_core::store::StoreError;
use byline_render::RenderError;
use byline_render::views::{PageMeta, SiteView};
use serde::Serialize;

use crate::frame::site_view;
use crate::state::AppState;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("{0}")]
    Forbidden(String),
    /// Too many requests from one client; it may try again after this many seconds.
    #[error("too many requests")]
    TooManyRequests(u64),
    /// The server is at its limit for this kind of work (password checks, renditions).
    #[error("busy")]
    Busy,
    /// The request itself cannot be read (a broken multipart body, a wrong content type).
    #[error("{0}")]
    BadRequest(String),
    /// A form the server cannot act on, with why, for the member.
    #[error("{0}")]
    Unprocessable(String),
    /// An admin page was asked for without a live session.
    #[error("sign-in required")]
    SignInRequired,
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Render(#[from] RenderError),
}

impl From<crate::usecases::Refusal> for AppError {
    fn from(refusal: crate::usecases::Refusal) -> AppError {
        use crate::usecases::Refusal;
        match refusal {
            Refusal::Forbidden(why) => AppError::Forbidden(why),
            Refusal::NotFound => AppError::NotFound,
            Refusal::Invalid { message, .. } => AppError::Unprocessable(message),
            Refusal::Stale(_) => AppError::Store(StoreError::Conflict(
                "someone else saved this story since it was opened".into(),
            )),
            Refusal::Store(e) => AppError::Store(e),
        }
    }
}

/// Carried from a failed handler to [`render_error_pages`], which has the theme to draw it.
#[derive(Debug, Clone)]
struct ErrorPage {
    heading: &'static str,
    message: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, heading, message) = match &self {
            AppError::NotFound => (StatusCode::NOT_FOUND, "Page not found", String::new()),
            AppError::Forbidden(why) => (StatusCode::FORBIDDEN, "Not allowed", why.clone()),
            AppError::Unprocessable(why) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "That cannot be done",
                why.clone(),
            ),
            AppError::TooManyRequests(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                "You have sent too many requests in a short time. Please try again later."
                    .to_owned(),
            ),
            AppError::Busy => (
                StatusCode::SERVICE_UNAVAILABLE,
                "Busy",
                "The server is busy. Please try again in a few seconds.".to_owned(),
            ),
            AppError::BadRequest(why) => (
                StatusCode::BAD_REQUEST,
                "The request could not be read",
                why.clone(),
            ),
            AppError::Store(StoreError::NotFound(_)) => {
                (StatusCode::NOT_FOUND, "Page not found", String::new())
            }
            AppError::SignInRequired => {
                return (StatusCode::SEE_OTHER, [(header::LOCATION, "/admin/login")])
                    .into_response();
            }
            AppError::Store(StoreError::Conflict(why)) => {
                (StatusCode::CONFLICT, "Conflict", why.clone())
            }
            AppError::Store(StoreError::Invalid(_)) => {
                tracing::warn!(error = %self, "the store refused the data");
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "That cannot be done",
                    "The store refused this change.".to_owned(),
                )
            }
            AppError::Store(StoreError::Unavailable(_)) => {
                tracing::error!(error = %self, "the store is unavailable");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Temporarily unavailable",
                    "This page cannot be shown for a moment. Please try again in a few seconds."
                        .to_owned(),
                )
            }
            AppError::Store(_) | AppError::Render(_) | AppError::Internal(_) => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "We could not show this page. The problem has been logged; please try again shortly.".to_owned(),
                )
            }
        };
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            heading,
        )
            .into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
        }
        if let AppError::TooManyRequests(seconds) = self {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds.max(1)));
        }
        response
            .extensions_mut()
            .insert(ErrorPage { heading, message });
        response
    }
}

/// What `not_found.html` shows: only the page's frame, whose path it names.
#[derive(Serialize)]
struct NotFoundView {
    site: SiteView,
    page: PageMeta,
}

/// What `error.html` shows: the error's heading and message.
#[derive(Serialize)]
struct ErrorView<'a> {
    site: SiteView,
    page: PageMeta,
    heading: &'static str,
    message: &'a str,
}

/// Replaces the bare body of an error response with the theme's page for it.
pub async fn render_error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let Some(page) = response.extensions().get::<ErrorPage>().cloned() else {
        return response;
    };
    let status = response.status();
    let (mut parts, _) = response.into_parts();
    match error_html(&state, &path, status, &page).await {
        Ok(html) => {
            if !path.starts_with("/admin")
                && let Some(policy) = crate::frame::public_policy(&state, &html)
            {
                parts
                    .headers
                    .insert(header::CONTENT_SECURITY_POLICY, policy);
            }
            parts.headers.insert(
                header::CONTENT_TYPE,
                "text/html; charset=utf-8".parse().expect("static header"),
            );
            parts.headers.insert(
                header::CACHE_CONTROL,
                "no-store".parse().expect("static header"),
            );
            Response::from_parts(parts, Html(html).into_response().into_body())
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot render the error page");
            Response::from_parts(parts, axum::body::Body::from(page.heading))
        }
    }
}

async fn error_html(
    state: &AppState,
    path: &str,
    status: StatusCode,
    page: &ErrorPage,
) -> Result<String, AppError> {
    // The error page must not fail because the store does: fall back to no section links.
    let site = site_view(state)
        .await
        .unwrap_or_else(|_| crate::frame::bare_site_view(state));
    let meta = PageMeta::new(&site, page.heading, path);
    let html = if status == StatusCode::NOT_FOUND {
        let view = NotFoundView { site, page: meta };
        state.theme.render("not_found.html", view)?
    } else {
        let view = ErrorView {
            site,
            page: meta,
            heading: page.heading,
            message: &page.message,
        };
        state.theme.render("error.html", view)?
    };
    Ok(html)
}
