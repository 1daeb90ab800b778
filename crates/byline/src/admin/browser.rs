//! The mark of a browser that has signed in to an account before (decision 0017): such a
//! browser is not slowed by the account's failed sign-ins, so guessing cannot keep the member
//! out. The mark is a keyed hash of the member and their password hash: nobody without the
//! site's secret can make one, and it ends when the password changes.

use axum::http::{HeaderMap, HeaderValue};
use byline_core::accounts::UserId;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::AppError;
use crate::secrets::same_secret;
use crate::session_cookie::cookies;
use crate::state::AppState;

/// How long a browser stays known without signing in again.
const KEPT_DAYS: i64 = 365;

/// The cookie of the member `user`: one per member, so that members sharing a browser each
/// keep theirs.
fn cookie_name(user: UserId) -> String {
    format!("byline_browser_{}", user.0)
}

async fn mark(state: &AppState, user: UserId, password_hash: &str) -> Result<String, AppError> {
    let secret = crate::secrets::site_secret(state).await?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(b"known browser\0");
    mac.update(&user.0.to_be_bytes());
    mac.update(password_hash.as_bytes());
    Ok(mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Whether the request comes from a browser that signed in as `user` (with the password whose
/// hash is `password_hash`) before.
pub async fn is_known(
    state: &AppState,
    headers: &HeaderMap,
    user: UserId,
    password_hash: &str,
) -> Result<bool, AppError> {
    let name = cookie_name(user);
    let presented: Vec<&str> = cookies(headers, &name).collect();
    if presented.is_empty() {
        return Ok(false);
    }
    let mark = mark(state, user, password_hash).await?;
    Ok(presented.iter().any(|p| same_secret(p, &mark)))
}

/// The `Set-Cookie` value that makes this browser known to `user`.
pub async fn cookie(
    state: &AppState,
    user: UserId,
    password_hash: &str,
) -> Result<HeaderValue, AppError> {
    let mark = mark(state, user, password_hash).await?;
    let secure = if state.sessions.secure {
        "; Secure"
    } else {
        ""
    };
    let value = format!(
        "{}={mark}; Path=/admin; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        cookie_name(user),
        KEPT_DAYS * 24 * 60 * 60
    );
    HeaderValue::from_str(&value).map_err(|e| AppError::Internal(e.to_string()))
}
