//! The session cookie as every part of the server reads it: its name, its token and how
//! long a session lives; the admin signs members in with it, and the public site's cache
//! steps aside for a live one.

use axum::http::{HeaderMap, header};
use chrono::Duration;

use crate::usecases::sessions::Lifetime;

/// The cookie carrying a member's session token.
pub const SESSION_COOKIE: &str = "byline_session";

/// How long sessions live.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
    /// Send the cookie only over HTTPS.
    pub secure: bool,
}

impl SessionPolicy {
    /// The lifetime the session use cases apply.
    pub fn lifetime(&self) -> Lifetime {
        Lifetime {
            idle: self.idle,
            absolute: self.absolute,
        }
    }

    /// The `Set-Cookie` value carrying a new session token.
    pub fn cookie(&self, token: &str) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!(
            "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
            self.absolute.num_seconds()
        )
    }

    /// The `Set-Cookie` value that removes the session cookie.
    pub fn removal(&self) -> String {
        let secure = if self.secure { "; Secure" } else { "" };
        format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
    }
}

/// The values of the cookies named `name` a request presents.
pub fn cookies<'a>(headers: &'a HeaderMap, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .filter(move |(cookie, _)| *cookie == name)
        .map(|(_, value)| value)
}

/// The session token in the request's cookies, if any.
pub fn session_token(headers: &HeaderMap) -> Option<String> {
    cookies(headers, SESSION_COOKIE)
        .next()
        .map(str::to_owned)
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The live session the request's cookie presents, with its token's hash: read from the
/// store, an expired one ended on the way. The admin's gate and the page cache both ask here.
pub async fn live_session(
    state: &crate::state::AppState,
    headers: &HeaderMap,
) -> Result<Option<(byline_core::accounts::SessionRecord, String)>, crate::error::AppError> {
    let Some(token) = session_token(headers) else {
        return Ok(None);
    };
    let hash = crate::secrets::token_hash(&token);
    let lifetime = state.sessions.lifetime();
    let now = chrono::Utc::now();
    let found = crate::usecases::sessions::live_session(&state.newsroom, &hash, lifetime, now);
    Ok(found.await?.map(|session| (session, hash)))
}
