//! Signing in and out: `/admin/login`, `/admin/logout`, `/admin/logout-everywhere`.

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::accounts::UserId;
use byline_render::views::{PageMeta, SiteView};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::{SignedIn, verify_password};
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::guards::{ClientAddr, same_origin};
use crate::state::AppState;
use crate::usecases::sessions::{self, Attempt, SignIn};

/// The longest address a sign-in form may name (RFC 5321's limit); a longer one is refused
/// before anything is stored or logged.
const MAX_EMAIL_BYTES: usize = 254;

/// A hash of no one's password, verified when the address is unknown so that an unknown
/// address takes as long to refuse as a wrong password.
static DECOY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    super::auth::hash_password(&crate::secrets::random_token()).unwrap_or_default()
});

#[derive(Debug, Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

/// The sign-in form, as `admin/login.html` shows it.
#[derive(Serialize)]
struct LoginPage<'a> {
    site: SiteView,
    page: PageMeta,
    email: &'a str,
    error: Option<&'a str>,
    first_run: bool,
}

pub async fn form(State(state): State<AppState>) -> Result<Response, AppError> {
    if !sessions::has_members(&state.newsroom).await? {
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
    let view = LoginPage {
        site,
        page,
        email,
        error,
        first_run,
    };
    let mut response = admin_page(state, "admin/login.html", view)?;
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
    // The key attempts are counted under: no address has control characters (PostgreSQL
    // refuses a NUL in text), so they are kept out of the key rather than sent to the store.
    let email_key = form
        .email
        .trim()
        .to_lowercase()
        .replace(|c: char| c.is_control(), "\u{fffd}");
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
    let replacing = presented_token(&headers);
    let attempt = Attempt {
        email_key: &email_key,
        client: &ip,
        limits: &state.sign_in_limits,
        replacing: replacing.as_deref(),
    };
    let (state_ref, headers_ref) = (&state, &headers);
    let known_browser = |user: UserId, hash: String| async move {
        super::browser::is_known(state_ref, headers_ref, user, &hash).await
    };
    // Argon2 runs in the pool, and only once the store has counted the attempt.
    let password = form.password;
    let check = |hash: Option<String>| {
        state_ref.password_checks.run(move || match hash {
            Some(hash) => verify_password(&password, &hash),
            None => {
                verify_password(&password, &DECOY_HASH);
                false
            }
        })
    };
    let outcome =
        sessions::sign_in(&state.newsroom, attempt, known_browser, check, Utc::now()).await?;
    answer(&state, &email_key, &ip, outcome).await
}

/// The answer to a sign-in attempt: the admin with a new session, the form again, or a wait.
async fn answer(
    state: &AppState,
    email_key: &str,
    ip: &str,
    outcome: SignIn,
) -> Result<Response, AppError> {
    match outcome {
        SignIn::TooMany { retry_after } => {
            tracing::warn!(email = %email_key, client = %ip, "sign-in refused: too many failures");
            let seconds = retry_after.num_seconds().max(1) as u64;
            Err(AppError::TooManyRequests(seconds))
        }
        SignIn::NoMatch => {
            tracing::warn!(email = %email_key, client = %ip, "failed sign-in");
            render(
                state,
                StatusCode::UNAUTHORIZED,
                email_key,
                Some("That email address and password do not match an account."),
                false,
            )
        }
        SignIn::SignedIn {
            user,
            password_hash,
            token,
        } => {
            tracing::info!(user = user.id.0, client = %ip, "signed in");
            let mut response = signed_in_response(state, &token)?;
            // This browser is now known to the account: its failures will not slow it.
            let known = super::browser::cookie(state, user.id, &password_hash).await?;
            response.headers_mut().append(header::SET_COOKIE, known);
            Ok(response)
        }
    }
}

/// Sends the member to the admin with the cookie of the session a use case just started.
pub fn signed_in_response(state: &AppState, token: &str) -> Result<Response, AppError> {
    let cookie = HeaderValue::from_str(&state.sessions.cookie(token))
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

/// The session token the browser presents, if any: it ends when a new session begins.
pub(super) fn presented_token(headers: &HeaderMap) -> Option<String> {
    let (mut parts, ()) = axum::http::Request::builder().body(()).ok()?.into_parts();
    parts.headers = headers.clone();
    crate::session_cookie::session_token(&parts.headers)
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
    sessions::sign_out(&state.newsroom, &me.token_hash).await?;
    Ok(signed_out(&state))
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    me: SignedIn,
    Form(form): Form<CsrfForm>,
) -> Result<Response, AppError> {
    me.check_csrf(&form.csrf)?;
    sessions::sign_out_everywhere(&state.newsroom, &me.user).await?;
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
