//! Signing in and out: `/admin/login`, `/admin/logout`, `/admin/logout-everywhere`.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::Email;
use byline_core::accounts::Reservation;
use byline_render::views::PageMeta;
use chrono::Utc;
use serde::Deserialize;

use super::admin_page;
use super::auth::{SignedIn, start_session, token_hash, verify_password};
use crate::error::AppError;
use crate::guards::{ClientAddr, same_origin};
use crate::site::bare_site_view;
use crate::state::AppState;

/// The longest address a sign-in form may name (RFC 5321's limit); a longer one is refused
/// before anything is stored or logged.
const MAX_EMAIL_BYTES: usize = 254;

/// A hash of no one's password, verified when the address is unknown so that an unknown
/// address takes as long to refuse as a wrong password.
static DECOY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    super::auth::hash_password(&super::auth::random_token()).unwrap_or_default()
});

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

pub async fn form(State(state): State<AppState>) -> Result<Response, AppError> {
    if state.store.user_count().await? == 0 {
        return Ok(super::stories::see_other("/admin/setup"));
    }
    render(&state, StatusCode::OK, "", None, false)
}

fn render(
    state: &AppState,
    status: StatusCode,
    email: &str,
    error: Option<&str>,
    first_run: bool,
) -> Result<Response, AppError> {
    let site = bare_site_view(state);
    let page = PageMeta::new(&site, "Sign in", "/admin/login");
    let mut response = admin_page(
        state,
        "admin/login.html",
        byline_render::page! { site, page, email, error, first_run },
    )?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn submit(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    if !same_origin(&headers) {
        return Err(AppError::Forbidden(
            "Sign-in is accepted only from this site's own page.".into(),
        ));
    }
    let email_key = form.email.trim().to_lowercase();
    if email_key.len() > MAX_EMAIL_BYTES || form.password.len() > 1024 {
        return render(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            Some("That email address or password is too long."),
            false,
        );
    }
    let ip = client.limit_key();
    let account = match Email::parse(&email_key) {
        Ok(email) => state.store.user_by_email(&email).await?,
        Err(_) => None,
    };
    let known_browser = match &account {
        Some((user, Some(hash))) => {
            super::browser::is_known(&state, &headers, user.id, hash).await?
        }
        _ => false,
    };
    // The attempt is counted before the password is checked, so a burst cannot slip past.
    let reserved = state
        .store
        .reserve_sign_in(
            &email_key,
            &ip,
            Utc::now(),
            &state.sign_in_limits,
            known_browser,
        )
        .await?;
    let attempt = match reserved {
        Reservation::Granted(attempt) => attempt,
        Reservation::Refused { retry_after } => {
            tracing::warn!(email = %email_key, client = %ip, "sign-in refused: too many failures");
            let seconds = retry_after.num_seconds().max(1) as u64;
            return Err(AppError::TooManyRequests(seconds));
        }
    };
    let password = form.password;
    let checked = state
        .password_checks
        .run(move || match account {
            Some((user, Some(hash))) if verify_password(&password, &hash) => Some((user, hash)),
            _ => {
                verify_password(&password, &DECOY_HASH);
                None
            }
        })
        .await;
    let user = match checked {
        Ok(user) => user,
        Err(busy) => {
            // Not checked: the attempt does not count against anyone.
            state.store.release_sign_in(attempt).await?;
            return Err(busy);
        }
    };
    let Some((user, hash)) = user else {
        tracing::warn!(email = %email_key, client = %ip, "failed sign-in");
        return render(
            &state,
            StatusCode::UNAUTHORIZED,
            &email_key,
            Some("That email address and password do not match an account."),
            false,
        );
    };
    state
        .store
        .sign_in_succeeded(attempt, &email_key, &ip)
        .await?;
    tracing::info!(user = user.id.0, client = %ip, "signed in");
    let mut response = signed_in_response(&state, user.id, &headers).await?;
    // This browser is now known to the account: its failures will not slow it.
    let known = super::browser::cookie(&state, user.id, &hash).await?;
    response.headers_mut().append(header::SET_COOKIE, known);
    Ok(response)
}

/// Starts a new session (ending any the browser presented) and sends the member to the admin.
pub async fn signed_in_response(
    state: &AppState,
    user: byline_core::accounts::UserId,
    headers: &HeaderMap,
) -> Result<Response, AppError> {
    if let Some(old) = presented_token(headers) {
        state.store.delete_session(&token_hash(&old)).await?;
    }
    let token = start_session(state, user).await?;
    let cookie = HeaderValue::from_str(&state.sessions.cookie(&token))
        .map_err(|e| AppError::Internal(e.to_string()))?;
    Ok((
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, HeaderValue::from_static("/admin")),
            (header::SET_COOKIE, cookie),
        ],
    )
        .into_response())
}

fn presented_token(headers: &HeaderMap) -> Option<String> {
    let (mut parts, ()) = axum::http::Request::builder().body(()).ok()?.into_parts();
    parts.headers = headers.clone();
    super::auth::session_token(&parts)
}

/// A form whose only field is the CSRF token (sign-out, restore, …).
#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

impl CsrfForm {
    pub fn csrf(&self) -> &str {
        &self.csrf
    }
}

pub async fn logout(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    state.store.delete_session(&me.token_hash).await?;
    Ok(signed_out(&state))
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    state.store.delete_sessions_of(me.user.id).await?;
    tracing::info!(user = me.user.id.0, "signed out everywhere");
    Ok(signed_out(&state))
}

fn signed_out(state: &AppState) -> Response {
    let removal = HeaderValue::from_str(&state.sessions.removal()).expect("a static cookie");
    (
        StatusCode::SEE_OTHER,
        [
            (header::LOCATION, HeaderValue::from_static("/admin/login")),
            (header::SET_COOKIE, removal),
        ],
    )
        .into_response()
}
