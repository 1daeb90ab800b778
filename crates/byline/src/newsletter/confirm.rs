//! Double opt-in and the way out: the confirmation mail with its signed, expiring link; the
//! confirmation page (a button, so that a mail scanner following the link confirms nothing);
//! and unsubscription — a page for people, and the one-click POST of RFC 8058 for mail
//! programs, which needs no page and no login.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::Email;
use byline_core::newsletter::ConfirmOutcome;
use byline_render::views::{PageMeta, SiteView};
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};

use super::token::{self, Purpose, TokenError};
use crate::error::AppError;
use crate::frame::{html_page, site_view};
use crate::mail::{Outgoing, Unsubscribe};
use crate::state::AppState;
use crate::usecases::subscribers;

pub const CONFIRM: &str = "/newsletter/confirm";
pub const UNSUBSCRIBE: &str = "/newsletter/unsubscribe";

/// How long a confirmation link works.
const CONFIRM_FOR: Duration = Duration::days(7);

/// What `email/confirm.txt` and `email/confirm.html` show: the link and how long it works.
#[derive(Serialize)]
struct ConfirmMail<'a> {
    title: &'a str,
    confirm: String,
    days: i64,
}

/// What `newsletter.html` shows: a heading, a message and maybe a button.
#[derive(Serialize)]
struct NewsletterPage<'a> {
    site: SiteView,
    page: PageMeta,
    heading: &'a str,
    message: String,
    form: Option<ButtonForm<'a>>,
}

/// A one-button form that posts the token to `action`.
#[derive(Serialize)]
struct ButtonForm<'a> {
    action: &'a str,
    token: &'a str,
    label: &'a str,
}

/// The way out for `email`: a signed one-click URL, and a mail to the sender.
pub async fn unsubscribe_link(state: &AppState, email: &Email) -> Result<Unsubscribe, AppError> {
    let secret = crate::secrets::site_secret(state).await?;
    let leave = token::sign(secret, Purpose::Unsubscribe, email, None);
    let from = state
        .mailer
        .as_ref()
        .map_or_else(String::new, |m| m.from_address());
    Ok(Unsubscribe {
        url: format!("{}{UNSUBSCRIBE}?token={leave}", state.site.base_url),
        mailto: format!("mailto:{from}?subject=unsubscribe"),
    })
}

/// Links for `email`: confirming (expiring) and unsubscribing.
async fn links(state: &AppState, email: &Email) -> Result<(String, Unsubscribe), AppError> {
    let secret = crate::secrets::site_secret(state).await?;
    let expires = Utc::now() + CONFIRM_FOR;
    let confirm = token::sign(secret, Purpose::Confirm, email, Some(expires));
    Ok((
        format!("{}{CONFIRM}?token={confirm}", state.site.base_url),
        unsubscribe_link(state, email).await?,
    ))
}

/// Mails the confirmation link to a pending subscriber, in the background: the reader's page
/// does not wait for the mail server, and a server that is down is logged, not shown.
pub async fn send_confirmation(state: &AppState, email: Email) -> Result<(), AppError> {
    if state.mailer.is_none() {
        tracing::warn!("no [mail] configured: the confirmation mail was not sent");
        return Ok(());
    }
    if !state
        .confirmation_limiter
        .allow_site_wide(std::time::Instant::now())
    {
        tracing::warn!(
            "confirmation mails are over [newsletter] confirmations_per_hour: kept unmailed"
        );
        return Ok(());
    }
    let (confirm, unsubscribe) = links(state, &email).await?;
    let title = &state.site.title;
    let context = ConfirmMail {
        title,
        confirm,
        days: CONFIRM_FOR.num_days(),
    };
    let outgoing = Outgoing {
        to: email,
        subject: format!("Confirm your subscription to {title}"),
        text: state.theme.render("email/confirm.txt", &context)?,
        html: state.theme.render("email/confirm.html", &context)?,
        unsubscribe: Some(unsubscribe),
    };
    let state = state.clone();
    tokio::spawn(async move {
        let Some(mailer) = &state.mailer else { return };
        match mailer.send(&outgoing).await {
            Ok(()) => tracing::info!("newsletter confirmation sent"),
            Err(e) => tracing::error!(error = %e, "newsletter confirmation not sent"),
        }
    });
    Ok(())
}

#[derive(Debug, Default, Deserialize)]
pub struct TokenParams {
    #[serde(default)]
    token: String,
}

/// A newsletter page: a heading, a message and, when there is something to do, its button.
async fn page(
    state: &AppState,
    status: StatusCode,
    heading: &str,
    message: String,
    button: Option<(&str, &str, &str)>,
) -> Result<Response, AppError> {
    let site = site_view(state).await?;
    let meta = PageMeta::new(&site, heading, CONFIRM);
    let form = button.map(|(action, token, label)| ButtonForm {
        action,
        token,
        label,
    });
    let view = NewsletterPage {
        site,
        page: meta,
        heading,
        message,
        form,
    };
    let mut response = html_page(state, "newsletter.html", view, Default::default())?;
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-store".parse().expect("static header"),
    );
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        "no-referrer".parse().expect("static header"),
    );
    Ok(response.into_response())
}

async fn refused(state: &AppState, why: TokenError) -> Result<Response, AppError> {
    let message = match why {
        TokenError::Expired => {
            "This confirmation link has expired. Sign up again and we will send a new one."
        }
        TokenError::Invalid => {
            "This link is incomplete or has been changed. Copy the whole link from the email, or sign up again."
        }
    };
    page(
        state,
        StatusCode::BAD_REQUEST,
        "This link does not work",
        message.into(),
        None,
    )
    .await
}

pub async fn confirm_page(
    State(state): State<AppState>,
    Query(params): Query<TokenParams>,
) -> Result<Response, AppError> {
    let secret = crate::secrets::site_secret(&state).await?;
    match token::verify(secret, Purpose::Confirm, &params.token, Utc::now()) {
        Ok(email) => {
            let message = format!(
                "Confirm that {} should receive our newsletter.",
                email.as_str()
            );
            let button = Some((CONFIRM, params.token.as_str(), "Confirm my subscription"));
            page(
                &state,
                StatusCode::OK,
                "Confirm your subscription",
                message,
                button,
            )
            .await
        }
        Err(why) => refused(&state, why).await,
    }
}

pub async fn confirm(
    State(state): State<AppState>,
    Form(params): Form<TokenParams>,
) -> Result<Response, AppError> {
    let (secret, now) = (crate::secrets::site_secret(&state).await?, Utc::now());
    let email = match token::verify(secret, Purpose::Confirm, &params.token, now) {
        Ok(email) => email,
        Err(why) => return refused(&state, why).await,
    };
    // An erased reader who signs up and confirms again has come back of their own accord.
    let outcome = subscribers::confirm(&state.newsroom, &email, secret, now).await?;
    let (heading, message) = match outcome {
        ConfirmOutcome::Confirmed | ConfirmOutcome::AlreadyActive => (
            "Thank you for subscribing",
            format!("{} will receive our newsletter. Every issue has a link to unsubscribe.", email.as_str()),
        ),
        ConfirmOutcome::NotPending => (
            "Nothing to confirm",
            "This address has no subscription waiting to be confirmed. Sign up again to receive the newsletter.".to_owned(),
        ),
    };
    tracing::info!("newsletter subscription confirmed");
    page(&state, StatusCode::OK, heading, message, None).await
}

pub async fn unsubscribe_page(
    State(state): State<AppState>,
    Query(params): Query<TokenParams>,
) -> Result<Response, AppError> {
    let secret = crate::secrets::site_secret(&state).await?;
    match token::verify(secret, Purpose::Unsubscribe, &params.token, Utc::now()) {
        Ok(email) => {
            let message = format!("Stop sending our newsletter to {}?", email.as_str());
            let button = Some((UNSUBSCRIBE, params.token.as_str(), "Unsubscribe"));
            page(&state, StatusCode::OK, "Unsubscribe", message, button).await
        }
        Err(why) => refused(&state, why).await,
    }
}

/// The one-click POST (`List-Unsubscribe=One-Click` in the body, the token in the URL) and
/// the page's button (the token in the form) alike.
pub async fn unsubscribe(
    State(state): State<AppState>,
    Query(query): Query<TokenParams>,
    Form(form): Form<TokenParams>,
) -> Result<Response, AppError> {
    let token = if query.token.is_empty() {
        form.token
    } else {
        query.token
    };
    let (secret, now) = (crate::secrets::site_secret(&state).await?, Utc::now());
    let email = match token::verify(secret, Purpose::Unsubscribe, &token, now) {
        Ok(email) => email,
        Err(why) => return refused(&state, why).await,
    };
    subscribers::unsubscribe(&state.newsroom, &email, now).await?;
    tracing::info!("newsletter unsubscription");
    let message = format!(
        "{} will receive no more newsletters from us.",
        email.as_str()
    );
    page(
        &state,
        StatusCode::OK,
        "You are unsubscribed",
        message,
        None,
    )
    .await
}
