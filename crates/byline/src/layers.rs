//! The layers every request passes: logging (with secrets kept out of the log), security
//! headers, and reading the change log after a write.

use std::time::Instant;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

/// After a request that may have written (any but GET and HEAD), the page cache reads the
/// change log at once, so the writer's next page already shows the change.
pub async fn follow_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let writes = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let response = next.run(request).await;
    if writes {
        if let Err(e) = state.cache.sync(state.store.as_ref()).await {
            tracing::error!(error = %e, "cannot read the change log");
        }
        state.search.wake();
    }
    response
}

/// Headers every response carries (cached pages keep them with their bytes). A site served
/// over HTTPS tells browsers to keep to it for a year.
pub fn add_security_headers(state: &AppState, headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if !headers.contains_key(header::REFERRER_POLICY) {
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
    }
    if !headers.contains_key(header::X_FRAME_OPTIONS) {
        headers.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    if state.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
}

pub async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    add_security_headers(&state, response.headers_mut());
    response
}

/// The paths whose next segment is a secret (an invitation's token, a private preview's).
const SECRET_SEGMENT_AFTER: [&str; 2] = ["/admin/signin/", "/preview/"];

/// Tokens are 64 hex digits; media keys' content hashes are 32. A run this long is a token,
/// however the path around it is spelt (`//admin/…`, `%2F`, `%61dmin`).
const TOKEN_RUN: usize = 48;

/// A path as the log may show it: the secret segment of a link-carrying path, and any run of
/// hex digits as long as a token, become `…`. (The query string is never logged: it can carry
/// tokens too.)
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in SECRET_SEGMENT_AFTER {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            return format!("{prefix}…{}", without_tokens(tail)).into();
        }
    }
    without_tokens(path)
}

/// `text` with every run of at least [`TOKEN_RUN`] hex digits replaced by `…`.
fn without_tokens(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let mut runs = Vec::new();
    let mut start = None;
    for (i, b) in bytes.iter().chain(std::iter::once(&b'/')).enumerate() {
        match (b.is_ascii_hexdigit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if i - s >= TOKEN_RUN {
                    runs.push((s, i));
                }
                start = None;
            }
            _ => {}
        }
    }
    if runs.is_empty() {
        return text.into();
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (s, e) in runs {
        out.push_str(&text[at..s]);
        out.push('…');
        at = e;
    }
    out.push_str(&text[at..]);
    out.into()
}

/// One structured log line per request (the query string is left out: it can carry tokens).
pub async fn log_request(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    answered(&state, &method, &path, response.status(), started);
    response
}

/// Counts one answered request in the metrics and writes its log line.
pub fn answered(
    state: &AppState,
    method: &Method,
    path: &str,
    status: StatusCode,
    started: Instant,
) {
    state.metrics.record(status, started.elapsed());
    tracing::info!(
        %method,
        path = %loggable_path(path),
        status = status.as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_paths_are_not_logged() {
        let token = "ab".repeat(32);
        assert_eq!(
            loggable_path(&format!("/admin/signin/{token}")),
            "/admin/signin/…"
        );
        assert_eq!(loggable_path(&format!("/preview/{token}")), "/preview/…");
        assert_eq!(
            loggable_path(&format!("/preview/{token}/x")),
            "/preview/…/x"
        );
        assert_eq!(loggable_path("/story/harbour-news"), "/story/harbour-news");
        for odd in [
            format!("//admin/signin/{token}"),
            format!("/admin/signin%2F{token}"),
            format!("/%61dmin/signin/{token}"),
        ] {
            assert!(!loggable_path(&odd).contains(&token), "{odd}");
        }
        let media = "/media/ab/0123456789abcdef0123456789abcdef-w640.jpg";
        assert_eq!(
            loggable_path(media),
            media,
            "content hashes are not secrets"
        );
    }
}
