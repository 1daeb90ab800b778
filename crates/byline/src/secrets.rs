//! Random tokens and their stored digests, and the site's own secret (the key of signed
//! newsletter links and of the known-browser mark); shared by sign-in, previews and the
//! newsletter.

use sha2::{Digest, Sha256};

use crate::error::AppError;
use crate::state::AppState;

/// 256 random bits from the operating system, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What the store keeps of a token: its SHA-256.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The site's secret, kept in the store (made by the first node that asks), read once per
/// process: newsletter links and the known-browser mark are signed with it.
pub async fn site_secret(state: &AppState) -> Result<&[u8], AppError> {
    let secret = state
        .newsletter_secret
        .get_or_try_init(|| async {
            let candidate = crate::secrets::random_token();
            let stored =
                crate::usecases::subscribers::newsletter_secret(&state.newsroom, &candidate)
                    .await?;
            Ok::<_, AppError>(stored.into_bytes())
        })
        .await?;
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_hashed() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), a);
        assert!(same_secret(&a, &a.clone()) && !same_secret(&a, &b) && !same_secret("ab", "abc"));
    }
}
