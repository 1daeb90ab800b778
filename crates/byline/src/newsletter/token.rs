//! Signed newsletter links: a confirmation link that expires, and an unsubscribe link that
//! does not. A token is `PAYLOAD.MAC`, both base64url: the payload names the purpose, the
//! expiry and the address; the MAC is HMAC-SHA256 with the site's newsletter secret.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use byline_core::Email;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// What a link does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Confirm,
    Unsubscribe,
}

impl Purpose {
    fn tag(self) -> &'static str {
        match self {
            Purpose::Confirm => "c",
            Purpose::Unsubscribe => "u",
        }
    }
}

/// Why a link was not accepted; the reader is told plainly, and nothing changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("this link is incomplete or has been changed")]
    Invalid,
    #[error("this link has expired")]
    Expired,
}

fn mac(secret: &[u8], payload: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(payload);
    mac
}

/// A keyed hash (HMAC-SHA256, hex) of `text` for one use (`what`): proves a value was seen, or
/// recognises it again, without keeping it; useless to anyone without the site's secret.
pub fn keyed_hash(secret: &[u8], what: &str, text: &str) -> String {
    let digest = mac(secret, format!("{what}|{text}").as_bytes())
        .finalize()
        .into_bytes();
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The suppression entry an erased address leaves behind.
pub fn suppression(secret: &[u8], email: &Email) -> String {
    keyed_hash(secret, "erased", &email.as_str().to_lowercase())
}

/// A token for `email`, valid until `expires` (or for ever).
pub fn sign(
    secret: &[u8],
    purpose: Purpose,
    email: &Email,
    expires: Option<DateTime<Utc>>,
) -> String {
    let payload = format!(
        "{}|{}|{}",
        purpose.tag(),
        expires.map_or(0, |t| t.timestamp()),
        email.as_str()
    );
    let tag = mac(secret, payload.as_bytes()).finalize().into_bytes();
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(payload),
        URL_SAFE_NO_PAD.encode(tag)
    )
}

/// The address a token was made for, if it is genuine, for `purpose` and not expired at `now`.
pub fn verify(
    secret: &[u8],
    purpose: Purpose,
    token: &str,
    now: DateTime<Utc>,
) -> Result<Email, TokenError> {
    let (payload, tag) = token.trim().split_once('.').ok_or(TokenError::Invalid)?;
    let payload = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| TokenError::Invalid)?;
    let tag = URL_SAFE_NO_PAD
        .decode(tag)
        .map_err(|_| TokenError::Invalid)?;
    // Compared in constant time by the MAC itself.
    mac(secret, &payload)
        .verify_slice(&tag)
        .map_err(|_| TokenError::Invalid)?;
    let payload = String::from_utf8(payload).map_err(|_| TokenError::Invalid)?;
    let mut parts = payload.splitn(3, '|');
    let (Some(tag), Some(expires), Some(email)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(TokenError::Invalid);
    };
    if tag != purpose.tag() {
        return Err(TokenError::Invalid);
    }
    let expires: i64 = expires.parse().map_err(|_| TokenError::Invalid)?;
    if expires != 0 && now.timestamp() > expires {
        return Err(TokenError::Expired);
    }
    Email::parse(email).map_err(|_| TokenError::Invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_only_unchanged_for_their_purpose_and_in_time() {
        let secret = b"a secret of the newsroom";
        let email = Email::parse("reader@example.org").unwrap();
        let now = Utc::now();
        let week = now + chrono::Duration::days(7);
        let confirm = sign(secret, Purpose::Confirm, &email, Some(week));
        assert_eq!(
            verify(secret, Purpose::Confirm, &confirm, now),
            Ok(email.clone())
        );
        assert_eq!(
            verify(secret, Purpose::Unsubscribe, &confirm, now),
            Err(TokenError::Invalid),
            "a confirmation link does not unsubscribe"
        );
        assert_eq!(
            verify(
                secret,
                Purpose::Confirm,
                &confirm,
                week + chrono::Duration::seconds(1)
            ),
            Err(TokenError::Expired)
        );
        assert_eq!(
            verify(b"another secret", Purpose::Confirm, &confirm, now),
            Err(TokenError::Invalid)
        );
        // Another address in the payload, the MAC kept: refused.
        let (_, tag) = confirm.split_once('.').unwrap();
        let forged = format!(
            "{}.{tag}",
            URL_SAFE_NO_PAD.encode(format!("c|{}|victim@example.org", week.timestamp()))
        );
        assert_eq!(
            verify(secret, Purpose::Confirm, &forged, now),
            Err(TokenError::Invalid)
        );
        for junk in ["", ".", "abc", "abc.def", "%%%.%%%"] {
            assert_eq!(
                verify(secret, Purpose::Confirm, junk, now),
                Err(TokenError::Invalid)
            );
        }
        let leave = sign(secret, Purpose::Unsubscribe, &email, None);
        let years = now + chrono::Duration::days(3650);
        assert_eq!(
            verify(secret, Purpose::Unsubscribe, &leave, years),
            Ok(email)
        );
    }
}
