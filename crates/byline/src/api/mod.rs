//! The HTTP API: the public Content API and the Admin API on the newsroom's use cases, its
//! callers (bearer tokens, content keys), its one error type and the OpenAPI description.

pub mod content;
pub mod desk;
pub mod limits;
pub mod model;
pub mod newsroom;
pub mod ninjs;
pub mod openapi;

use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use byline_core::accounts::User;
use byline_core::integrations::TokenHolder;
use serde::de::DeserializeOwned;

use crate::guards::ClientAddr;
use crate::state::AppState;
use crate::usecases::{Actor, Refusal, integrations};

/// Why an API request failed, answered as RFC 9457 problem details in one place.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("this needs a valid token: send `Authorization: Bearer TOKEN`")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    #[error("{message}")]
    Conflict { message: String, revision: i64 },
    #[error("this request needs an If-Match header with the story's ETag")]
    PreconditionRequired,
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("too many requests; try again in {0} s")]
    TooManyRequests(u64),
    #[error("the server could not answer")]
    Internal(String),
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> ApiError {
        match refusal {
            Refusal::Forbidden(why) => ApiError::Forbidden(why),
            Refusal::NotFound => ApiError::NotFound,
            Refusal::Invalid { field, message } => ApiError::Invalid { field, message },
            Refusal::Stale(current) => ApiError::Conflict {
                message: "Someone saved this story since your copy was made; fetch it again."
                    .into(),
                revision: current.revision,
            },
            Refusal::Store(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        if let ApiError::Internal(why) = &self {
            tracing::error!(error = why.as_str(), "API request failed");
        }
        let problem = model::Problem {
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.to_string(),
            field: match &self {
                ApiError::Invalid { field, .. } => Some((*field).to_owned()),
                _ => None,
            },
            revision: match &self {
                ApiError::Conflict { revision, .. } => Some(*revision),
                _ => None,
            },
        };
        let body = serde_json::to_vec(&problem).expect("a problem serializes");
        let mut response = (status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match &self {
            ApiError::Unauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"byline\""),
                );
            }
            ApiError::TooManyRequests(wait) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*wait));
            }
            _ => {}
        }
        response
    }
}

/// Who calls the API: nobody, a content key, or a token acting as an account.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Token(TokenHolder),
}

impl Caller {
    /// The account the caller acts as, for the Admin API.
    pub fn member(&self) -> Result<&User, ApiError> {
        match self {
            Caller::Token(TokenHolder {
                user: Some(user), ..
            }) => Ok(user),
            Caller::Token(_) => Err(ApiError::Forbidden(
                "A content key reads the Content API only.".into(),
            )),
            Caller::Anonymous => Err(ApiError::Unauthorized),
        }
    }

    pub fn actor(&self) -> Result<Actor<'_>, ApiError> {
        self.member().map(Actor::Member)
    }
}

/// The bearer token of a request, if it sends one; a malformed header is an error.
fn bearer(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let text = value.to_str().map_err(|_| ApiError::Unauthorized)?;
    let (scheme, token) = text.split_once(' ').ok_or(ApiError::Unauthorized)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthorized);
    }
    Ok(Some(token.trim()))
}

/// Middleware in front of every API route: finds the caller from its token (an unknown or
/// revoked one is refused), counts the request against the caller's limit, and for the Admin
/// API refuses anyone who acts as no member, all before the body is read.
pub async fn admit(
    State((state, admin)): State<(AppState, bool)>,
    request: Request,
    next: Next,
) -> Response {
    let (mut parts, body) = request.into_parts();
    let caller = match identify(&state, &mut parts, admin).await {
        Ok(caller) => caller,
        Err(refusal) => return refusal.into_response(),
    };
    parts.extensions.insert(caller);
    next.run(Request::from_parts(parts, body)).await
}

async fn identify(state: &AppState, parts: &mut Parts, admin: bool) -> Result<Caller, ApiError> {
    let client = ClientAddr::from_request_parts(parts, state)
        .await
        .unwrap_or(ClientAddr(None));
    let sent = match bearer(parts) {
        Ok(sent) => sent,
        Err(refused) => {
            state.api_limits.count(&Caller::Anonymous, &client)?;
            return Err(refused);
        }
    };
    let caller = match sent {
        None => Caller::Anonymous,
        Some(secret) => {
            state.api_limits.check_address(&client)?;
            let holder =
                integrations::token_holder(&state.newsroom, secret, chrono::Utc::now()).await?;
            match holder {
                Some(holder) => Caller::Token(holder),
                None => {
                    // Guessing tokens counts against the address, like any anonymous request.
                    state.api_limits.count(&Caller::Anonymous, &client)?;
                    return Err(ApiError::Unauthorized);
                }
            }
        }
    };
    state.api_limits.count(&caller, &client)?;
    if admin {
        caller.member()?;
    } else if state.api_content_key_required && matches!(caller, Caller::Anonymous) {
        return Err(ApiError::Unauthorized);
    }
    Ok(caller)
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Caller, ApiError> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError::Internal("an API route without the API's gate".into()))
    }
}

/// A JSON body, refused with a problem naming the line, column and field when it does not
/// match its type (`Content-Type` must be JSON).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<ApiJson<T>, ApiError> {
        let json = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| {
                let t = t.split(';').next().unwrap_or_default().trim();
                t.eq_ignore_ascii_case("application/json")
            });
        if !json {
            return Err(ApiError::BadRequest(
                "Send the body as JSON, with Content-Type: application/json.".into(),
            ));
        }
        let bytes = axum::body::Bytes::from_request(request, state)
            .await
            .map_err(|e| ApiError::BadRequest(format!("The body cannot be read: {e}.")))?;
        // Every body the API takes is one JSON object (serde would also read a struct from
        // an array of its fields, which the description does not allow).
        if bytes.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(ApiError::BadRequest(
                "The body is one JSON object, as the API's description gives it.".into(),
            ));
        }
        let value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::BadRequest(format!(
                "The body is not what this operation takes (line {}, column {}): {e}.",
                e.line(),
                e.column()
            ))
        })?;
        Ok(ApiJson(value))
    }
}

/// Query parameters, refused with a problem naming the parameter when they do not parse.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ApiQuery<T>, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        serde_urlencoded_from(query)
            .map(ApiQuery)
            .map_err(|e| ApiError::BadRequest(format!("The query is not valid: {e}.")))
    }
}

pub(crate) fn serde_urlencoded_from<T: DeserializeOwned>(query: &str) -> Result<T, String> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|e: axum::http::uri::InvalidUri| e.to_string())?,
    )
    .map(|q| q.0)
    .map_err(|e| e.body_text())
}

/// The API's answer for a path it does not have.
pub async fn not_found() -> ApiError {
    ApiError::NotFound
}
