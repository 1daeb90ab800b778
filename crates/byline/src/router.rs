//! Every URL of Byline, in one place, with the layers that wrap them all.

use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};

use crate::error::{self, AppError};
pub use crate::front::App;
use crate::state::AppState;
use crate::{admin, newsletter, ops, site};

/// Largest sign-up form accepted; an address is at most 254 bytes.
const SIGNUP_BODY_LIMIT: usize = 16 * 1024;
/// Largest form accepted anywhere else: a story's text with room to spare.
const FORM_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// The whole application: cached public pages answered at the front door, everything else
/// routed below.
pub fn router(state: AppState) -> App {
    App::new(state.clone(), routes(state))
}

fn routes(state: AppState) -> Router {
    // Public pages: validators, compression and CDN headers from the delivery layer.
    let pages = Router::new()
        .route("/", get(site::home::show))
        .route("/latest", get(site::listing::latest))
        .route("/story/{slug}", get(site::article::show))
        .route("/section/{slug}", get(site::listing::section))
        .route("/tag/{slug}", get(site::listing::tag))
        .route("/author/{slug}", get(site::listing::author))
        .route("/preview/{token}", get(site::article::preview))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            site::delivery::deliver,
        ));
    Router::new()
        .merge(pages)
        .route("/static/{file}", get(site::assets::theme_file))
        .route("/media/{*key}", get(site::assets::media_file))
        .route(
            "/newsletter/subscribe",
            post(newsletter::subscribe).layer(DefaultBodyLimit::max(SIGNUP_BODY_LIMIT)),
        )
        .route(
            newsletter::confirm::CONFIRM,
            get(newsletter::confirm::confirm_page)
                .post(newsletter::confirm::confirm)
                .layer(DefaultBodyLimit::max(SIGNUP_BODY_LIMIT)),
        )
        .route(
            newsletter::confirm::UNSUBSCRIBE,
            get(newsletter::confirm::unsubscribe_page)
                .post(newsletter::confirm::unsubscribe)
                .layer(DefaultBodyLimit::max(SIGNUP_BODY_LIMIT)),
        )
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .route("/admin", get(admin::dashboard::show))
        .route(
            "/admin/login",
            get(admin::login::form).post(admin::login::submit),
        )
        .route("/admin/logout", post(admin::login::logout))
        .route(
            "/admin/logout-everywhere",
            post(admin::login::logout_everywhere),
        )
        .route(
            "/admin/setup",
            get(admin::setup::setup_form).post(admin::setup::setup_submit),
        )
        .route(
            "/admin/signin/{token}",
            get(admin::setup::link_form).post(admin::setup::link_submit),
        )
        .route("/admin/stories", post(admin::stories::create))
        .route("/admin/stories/new", get(admin::stories::new_form))
        .route(
            "/admin/stories/{id}",
            get(admin::stories::edit).post(admin::stories::save),
        )
        .route(
            "/admin/stories/{id}/status",
            post(admin::workflow::change_status),
        )
        .route(
            "/admin/stories/{id}/corrections",
            post(admin::workflow::add_correction),
        )
        .route("/admin/stories/{id}/autosave", post(admin::live::autosave))
        .route("/admin/stories/{id}/revisions", get(admin::revisions::list))
        .route(
            "/admin/stories/{id}/revisions/{number}/restore",
            post(admin::revisions::restore),
        )
        .route(
            "/admin/stories/{id}/photo",
            // Room for the form's other fields; the handler enforces the upload limit itself.
            post(admin::photo::update).layer(DefaultBodyLimit::max(state.upload_limit + 64 * 1024)),
        )
        .route(
            "/admin/stories/{id}/photo/use",
            post(admin::library::use_in_story),
        )
        .route(
            "/admin/media",
            get(admin::library::show)
                .post(admin::library::add)
                .layer(DefaultBodyLimit::max(state.upload_limit + 64 * 1024)),
        )
        .route(
            "/admin/media/{id}",
            get(admin::library::show_picture).post(admin::library::edit),
        )
        .route("/admin/media/{id}/delete", post(admin::library::delete))
        .route(
            "/admin/stories/{id}/presence",
            post(admin::presence::heartbeat),
        )
        .route("/admin/preview", post(admin::live::preview))
        .route(
            "/admin/curation",
            get(admin::curation::show).post(admin::curation::save),
        )
        .route("/admin/newsletter", get(admin::newsletter::desk))
        .route("/admin/newsletter/drafts", post(admin::newsletter::create))
        .route(
            "/admin/newsletter/drafts/{id}",
            get(admin::newsletter::show_draft).post(admin::newsletter::save_draft),
        )
        .route(
            "/admin/newsletter/drafts/{id}/email",
            get(admin::newsletter::draft_email),
        )
        .route(
            "/admin/newsletter/drafts/{id}/send",
            post(admin::newsletter_send::send),
        )
        .route(
            "/admin/newsletter/drafts/{id}/schedule",
            post(admin::newsletter_send::schedule),
        )
        .route(
            "/admin/newsletter/drafts/{id}/unschedule",
            post(admin::newsletter_send::unschedule),
        )
        .route(
            "/admin/newsletter/drafts/{id}/delete",
            post(admin::newsletter_send::delete),
        )
        .route(
            "/admin/newsletter/issues/{id}",
            get(admin::newsletter_issues::show_issue),
        )
        .route(
            "/admin/newsletter/issues/{id}/email",
            get(admin::newsletter_issues::issue_email),
        )
        .route(
            "/admin/newsletter/issues/{id}/resend-unknown",
            post(admin::newsletter_send::resend_unknown),
        )
        .route("/admin/subscribers", get(admin::subscribers::list))
        .route("/admin/subscribers.csv", get(admin::subscribers::download))
        .route("/admin/subscribers/erase", post(admin::subscribers::erase))
        .route("/admin/sections", post(admin::curation::save_section))
        .route("/admin/tags", post(admin::curation::rename_tag))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(FORM_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            error::render_error_pages,
        ))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), follow_writes))
        .layer(middleware::from_fn_with_state(state.clone(), log_request))
        .with_state(state)
}

/// The metrics-only server of `[metrics] addr`.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route(
            "/metrics",
            get(|State(state): State<AppState>| async move { ops::metrics_page(&state).await }),
        )
        .with_state(state)
}

async fn not_found() -> AppError {
    AppError::NotFound
}

/// After a request that may have written (any but GET and HEAD), the page cache reads the
/// change log at once, so the writer's next page already shows the change.
async fn follow_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let writes = !matches!(
        *request.method(),
        axum::http::Method::GET | axum::http::Method::HEAD
    );
    let response = next.run(request).await;
    if writes && let Err(e) = state.cache.sync(state.store.as_ref()).await {
        tracing::error!(error = %e, "cannot read the change log");
    }
    response
}

/// Headers every response carries (cached pages keep them with their bytes).
pub fn add_security_headers(headers: &mut HeaderMap) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
}

async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    add_security_headers(response.headers_mut());
    response
}

/// One structured log line per request (the query string is left out: it can carry tokens).
async fn log_request(
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
        path,
        status = status.as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
}
