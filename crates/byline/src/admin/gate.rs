//! The gate in front of every admin route: who may reach it is decided from the route's
//! declared [`Need`] before its body is read or any page is drawn; a route naming a story
//! loads it here and checks the member's reach to it (own story or anyone's) first.

use std::sync::Arc;

use crate::usecases::stories::OpenStory;
use axum::extract::{FromRequestParts, RawPathParams, Request, State};
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use byline_core::StoryId;
use byline_core::access::{Ownership, allows};
use byline_core::workflow::Need;

use super::auth::session_of;
use crate::error::AppError;
use crate::state::AppState;

/// The story named by the route's `{id}`, loaded by the gate after it checked that the member
/// may reach it this way.
#[derive(Debug, Clone)]
pub struct AllowedStory(pub Arc<OpenStory>);

impl std::ops::Deref for AllowedStory {
    type Target = OpenStory;

    fn deref(&self) -> &OpenStory {
        &self.0
    }
}

impl<S: Send + Sync> FromRequestParts<S> for AllowedStory {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<AllowedStory, AppError> {
        parts
            .extensions
            .get::<AllowedStory>()
            .cloned()
            .ok_or_else(|| {
                AppError::Internal(format!(
                    "{} takes a story but its route does not name one",
                    parts.uri.path()
                ))
            })
    }
}

/// Middleware: admits the request when the member meets the route's need, else answers at
/// once (sign-in page, 403 or 404) without reading the body.
pub async fn gate(
    State((state, need)): State<(AppState, Need)>,
    request: Request,
    next: Next,
) -> Response {
    match admit(&state, need, request).await {
        Ok(request) => next.run(request).await,
        Err(refusal) => refusal.into_response(),
    }
}

async fn admit(state: &AppState, need: Need, request: Request) -> Result<Request, AppError> {
    if need == Need::Anyone {
        return Ok(request);
    }
    let (mut parts, body) = request.into_parts();
    let me = session_of(state, &parts)
        .await?
        .ok_or(AppError::SignInRequired)?;
    let refused = || AppError::Forbidden("Your role does not allow this.".into());
    match need {
        Need::Anyone | Need::Member => {}
        Need::Role(permission) => {
            if !allows(me.user.role, permission, Ownership::Own) {
                return Err(refused());
            }
        }
        Need::Story(access) => {
            let id = story_id(&mut parts).await?;
            let actor = crate::usecases::Actor::Member(&me.user);
            let story = crate::usecases::stories::open(&state.newsroom, actor, id, access)
                .await
                .map_err(|refusal| match refusal {
                    crate::usecases::Refusal::Forbidden(_) => refused(),
                    other => other.into(),
                })?;
            parts.extensions.insert(AllowedStory(Arc::new(story)));
        }
    }
    parts.extensions.insert(me);
    Ok(Request::from_parts(parts, body))
}

/// The `{id}` of the route as a story id; anything else names no story.
async fn story_id(parts: &mut Parts) -> Result<StoryId, AppError> {
    let params = RawPathParams::from_request_parts(parts, &())
        .await
        .map_err(|_| AppError::NotFound)?;
    params
        .iter()
        .find(|(name, _)| *name == "id")
        .and_then(|(_, value)| value.parse::<i64>().ok())
        .map(StoryId)
        .ok_or(AppError::NotFound)
}
