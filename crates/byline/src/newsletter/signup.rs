//! `POST /newsletter/subscribe`: validates the address and records a pending subscriber.

use std::time::Instant;

use axum::Form;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use byline_core::Email;
use byline_core::store::SubscribeOutcome;
use byline_render::views::{PageMeta, SiteView, paths};
use chrono::Utc;
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::frame::{html_page, site_view};
use crate::guards::{ClientAddr, same_origin};
use crate::state::AppState;

#[derive(Debug, Deserialize)]
pub struct SignupForm {
    #[serde(default)]
    email: String,
    /// The page the form was on, to link back to.
    #[serde(default)]
    source: String,
    /// The honeypot: hidden from people, filled in by bots.
    #[serde(default)]
    website: String,
}

/// What `subscribe.html` shows: the answer to a sign-up, with a retry form on an error.
#[derive(Serialize)]
struct SubscribePage<'a> {
    site: SiteView,
    page: PageMeta,
    heading: &'static str,
    message: String,
    email: &'a str,
    source: &'a str,
    back: &'a str,
    error: bool,
    newsletter: NewsletterBox,
}

/// The newsletter sign-up box: where its form posts.
#[derive(Serialize)]
struct NewsletterBox {
    action: &'static str,
}

pub async fn subscribe(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<SignupForm>,
) -> Result<Response, AppError> {
    if !same_origin(&headers) {
        return Err(AppError::Forbidden(
            "Sign-ups are accepted only from this site's own pages.".into(),
        ));
    }
    if let Some(ip) = client
        && !state.signup_limiter.allow(ip, Instant::now())
    {
        tracing::warn!(client = %ip, "newsletter sign-up rate limit reached");
        return Err(AppError::TooManyRequests(3600));
    }
    let source = local_path(&form.source);
    let email = match Email::parse(&form.email) {
        Ok(email) => email,
        Err(e) => {
            return answer(
                &state,
                &source,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(e.to_string()),
                &form.email,
            )
            .await;
        }
    };
    if form.website.trim().is_empty() {
        let secret = crate::secrets::site_secret(&state).await?;
        let hashed_ip = client.map(|ip| ip_hash(secret, ip));
        let outcome = crate::usecases::subscribers::add_subscriber(
            &state.newsroom,
            email.clone(),
            source.clone(),
            hashed_ip,
            Utc::now(),
        )
        .await?;
        tracing::info!(?outcome, "newsletter sign-up");
        // Only an address that still has to confirm is mailed; an active one gets nothing
        // new, and the page says the same either way.
        if matches!(
            outcome,
            SubscribeOutcome::Added | SubscribeOutcome::StillPending
        ) {
            super::confirm::send_confirmation(&state, email.clone()).await?;
        }
    } else {
        // Answer a bot exactly as a person, so that it learns nothing, and store nothing.
        tracing::info!("newsletter sign-up caught by the honeypot");
    }
    answer(&state, &source, StatusCode::OK, None, email.as_str()).await
}

async fn answer(
    state: &AppState,
    source: &str,
    status: StatusCode,
    error: Option<String>,
    email: &str,
) -> Result<Response, AppError> {
    let site = site_view(state).await?;
    let (heading, message) = match &error {
        Some(problem) => ("Please check your email address", problem.clone()),
        // The same words whether or not the address was known: nothing is revealed.
        None => (
            "Thank you for signing up",
            format!(
                "We have recorded your sign-up for {email}. Before we send you any newsletter, we will email \
                 you once to confirm the address."
            ),
        ),
    };
    let page = PageMeta::new(&site, heading, paths::SUBSCRIBE);
    let view = SubscribePage {
        site,
        page,
        heading,
        message,
        email,
        source,
        back: source,
        error: error.is_some(),
        newsletter: NewsletterBox {
            action: paths::SUBSCRIBE,
        },
    };
    let mut response = html_page(state, "subscribe.html", view, Default::default())?;
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        "no-store".parse().expect("static header"),
    );
    Ok(response.into_response())
}

/// The reader's IP address as the consent record keeps it: hashed with the site's secret, so
/// that it proves the sign-up came from somewhere without revealing where.
fn ip_hash(secret: &[u8], ip: std::net::IpAddr) -> String {
    super::token::keyed_hash(secret, "ip", &ip.to_string())
}

/// The form's source page when it is a path on this site, else the front page.
fn local_path(source: &str) -> String {
    let ok = source.starts_with('/')
        && !source.starts_with("//")
        && source.len() <= 300
        && !source.chars().any(|c| c.is_control() || c == '\\');
    if ok {
        source.to_owned()
    } else {
        "/".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_linked_back() {
        assert_eq!(local_path("/story/x"), "/story/x");
        for bad in [
            "//evil.example/",
            "https://evil.example/",
            "javascript:alert(1)",
            "",
            "/\\evil",
        ] {
            assert_eq!(local_path(bad), "/", "{bad}");
        }
    }
}
