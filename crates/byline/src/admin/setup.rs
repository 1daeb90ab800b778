//! Accounts without a password yet: the first administrator (with the token printed at start)
//! and one-time sign-in links made by `byline user add`.

use axum::Form;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use byline_core::Email;
use byline_core::access::Role;
use byline_render::views::{PageMeta, SiteView};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use super::admin_page;
use super::auth::check_new_password;
use super::login::{presented_token, signed_in_response};
use crate::error::AppError;
use crate::frame::bare_site_view;
use crate::guards::same_origin;
use crate::secrets::same_secret;
use crate::state::AppState;
use crate::usecases::members::{self, NewMember};
use crate::usecases::sessions::has_members;

#[derive(Debug, Default, Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

/// The first administrator's form, as `admin/setup.html` shows it.
#[derive(Serialize)]
struct SetupPage<'a> {
    site: SiteView,
    page: PageMeta,
    token: &'a str,
    email: &'a str,
    name: &'a str,
    error: Option<String>,
}

/// The set-a-password form of a sign-in link, as `admin/password.html` shows it.
#[derive(Serialize)]
struct PasswordPage<'a> {
    site: SiteView,
    page: PageMeta,
    token: &'a str,
    error: Option<String>,
}

/// The setup token when it is valid; setup exists only while there are no members.
async fn check_setup_token(state: &AppState, presented: &str) -> Result<(), AppError> {
    if has_members(&state.newsroom).await? {
        return Err(AppError::NotFound);
    }
    let expected = state
        .setup_token
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    match expected {
        Some(token) if same_secret(presented, &token) => Ok(()),
        _ => Err(AppError::Forbidden(
            "This setup link is not valid. Use the one printed when the server started.".into(),
        )),
    }
}

pub async fn setup_form(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let token = query
        .as_deref()
        .and_then(|q| q.strip_prefix("token="))
        .unwrap_or_default()
        .to_owned();
    if token.is_empty() {
        // Asked for without the printed link: offer the form with a field for the token.
        if has_members(&state.newsroom).await? {
            return Err(AppError::NotFound);
        }
    } else {
        check_setup_token(&state, &token).await?;
    }
    render_setup(
        &state,
        StatusCode::OK,
        &SetupForm {
            token,
            ..SetupForm::default()
        },
        None,
    )
}

fn render_setup(
    state: &AppState,
    status: StatusCode,
    form: &SetupForm,
    error: Option<String>,
) -> Result<Response, AppError> {
    let site = bare_site_view(state);
    let page = PageMeta::new(&site, "Create the administrator", "/admin/setup");
    let view = SetupPage {
        site,
        page,
        token: &form.token,
        email: &form.email,
        name: &form.name,
        error,
    };
    let mut response = admin_page(state, "admin/setup.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn setup_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    Form(form): Form<SetupForm>,
) -> Result<Response, AppError> {
    if !same_origin(&headers) {
        return Err(AppError::Forbidden(
            "Setup is accepted only from this site's own page.".into(),
        ));
    }
    check_setup_token(&state, &form.token).await?;
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            return render_setup(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                Some(e.to_string()),
            );
        }
    };
    let name = match members::member_name(&form.name) {
        Ok(name) => name,
        Err(refusal) => {
            return render_setup(
                &state,
                StatusCode::UNPROCESSABLE_ENTITY,
                &form,
                Some(refusal.to_string()),
            );
        }
    };
    if let Err(problem) = check_new_password(&form.password) {
        return render_setup(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &form,
            Some(problem),
        );
    }
    let first = NewMember {
        email,
        name,
        role: Role::Admin,
        password_hash: Some(state.password_checks.hash(&form.password).await?),
    };
    let replacing = presented_token(&headers);
    let (user, session) =
        members::add_first_administrator(&state.newsroom, first, replacing.as_deref(), Utc::now())
            .await?;
    *state.setup_token.lock().unwrap_or_else(|p| p.into_inner()) = None;
    tracing::info!(user = user.id.0, "first administrator created");
    signed_in_response(&state, &session)
}

#[derive(Debug, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

/// Shows the set-a-password form; the link is used up only when the form is sent, so a mail
/// scanner that opens it does not spend it.
pub async fn link_form(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    render_link(&state, StatusCode::OK, &token, None)
}

fn render_link(
    state: &AppState,
    status: StatusCode,
    token: &str,
    error: Option<String>,
) -> Result<Response, AppError> {
    let site = bare_site_view(state);
    let page = PageMeta::new(&site, "Choose your password", "/admin/signin");
    let view = PasswordPage {
        site,
        page,
        token,
        error,
    };
    let mut response = admin_page(state, "admin/password.html", view)?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn link_submit(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    if !same_origin(&headers) {
        return Err(AppError::Forbidden(
            "Accepted only from this site's own page.".into(),
        ));
    }
    if let Err(problem) = check_new_password(&form.password) {
        return render_link(
            &state,
            StatusCode::UNPROCESSABLE_ENTITY,
            &token,
            Some(problem),
        );
    }
    // The password is hashed only once the link proved good.
    let hash = || state.password_checks.hash(&form.password);
    let replacing = presented_token(&headers);
    let (user, session) = members::redeem_signin_link(
        &state.newsroom,
        &token,
        hash,
        replacing.as_deref(),
        Utc::now(),
    )
    .await?;
    tracing::info!(user = user.id.0, "password set from a sign-in link");
    signed_in_response(&state, &session)
}
