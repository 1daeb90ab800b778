//! Passwords (Argon2id), session cookies and the signed-in member extractor.

use argon2::password_hash::PasswordVerifier;
use argon2::{Argon2, PasswordHasher};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use byline_core::accounts::User;

use crate::error::AppError;
use crate::secrets::same_secret;
use crate::state::AppState;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

/// Hashes a password with Argon2id and a random salt, as a PHC string.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::Internal(format!("hashing a password: {e}")))
}

/// Whether `password` matches the stored PHC string; a malformed hash never matches.
pub fn verify_password(password: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// Where Argon2 runs: at most one hash per core at a time (each takes ~19 MiB and a core for a
/// moment), the rest waiting in line up to `wait`, then answered 503. A burst of sign-ins
/// cannot take the server's memory or every core.
pub struct PasswordChecks {
    slots: tokio::sync::Semaphore,
    wait: std::time::Duration,
}

impl PasswordChecks {
    pub fn new(slots: usize, wait: std::time::Duration) -> PasswordChecks {
        PasswordChecks {
            slots: tokio::sync::Semaphore::new(slots.max(1)),
            wait,
        }
    }

    /// As many checks at once as the machine has cores, a queue of up to 10 seconds.
    pub fn for_this_machine() -> PasswordChecks {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        PasswordChecks::new(cores, std::time::Duration::from_secs(10))
    }

    /// Runs `work` (hashing or verifying) on a blocking thread once a slot is free.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let _slot = tokio::time::timeout(self.wait, self.slots.acquire())
            .await
            .map_err(|_| AppError::Busy)?
            .map_err(|e| AppError::Internal(e.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// [`hash_password`] in a slot.
    pub async fn hash(&self, password: &str) -> Result<String, AppError> {
        let password = password.to_owned();
        self.run(move || hash_password(&password)).await?
    }
}

/// Checks a new password's length; the message is shown on the form.
pub fn check_new_password(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(format!(
            "The password must have at least {MIN_PASSWORD_CHARS} characters."
        ));
    }
    if password.len() > 1024 {
        return Err("The password is too long.".into());
    }
    Ok(())
}

/// The signed-in member of a request; admin handlers take it, and a request without a live
/// session is sent to the sign-in page.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub csrf_token: String,
    pub token_hash: String,
}

impl SignedIn {
    /// Refuses a state-changing request whose form token does not match the session's.
    pub fn check_csrf(&self, presented: &str) -> Result<(), AppError> {
        if same_secret(presented, &self.csrf_token) {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "This form has expired. Go back, reload the page and try again.".into(),
            ))
        }
    }
}

/// The member whose live session the request presents, if any. An expired session is ended;
/// a disabled member has no sessions left (they end when the member is disabled).
pub async fn session_of(state: &AppState, parts: &Parts) -> Result<Option<SignedIn>, AppError> {
    let session = crate::session_cookie::live_session(state, &parts.headers).await?;
    Ok(session.map(|(session, token_hash)| SignedIn {
        user: session.user,
        csrf_token: session.csrf_token,
        token_hash,
    }))
}

/// The member the route's gate admitted (see [`super::gate`]). A handler that takes it on a
/// route declared open to anyone fails loudly instead of running unchecked.
impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<SignedIn, AppError> {
        parts.extensions.get::<SignedIn>().cloned().ok_or_else(|| {
            AppError::Internal(format!(
                "{} takes a member but its route admits anyone",
                parts.uri.path()
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong horse battery", &hash));
        assert!(!verify_password("anything", "not a hash"));
        assert_ne!(
            hash,
            hash_password("correct horse battery").unwrap(),
            "salted"
        );
    }

    #[test]
    fn new_passwords_have_a_minimum_length() {
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough pass").is_ok());
    }
}
