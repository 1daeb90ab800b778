//! How many API requests a caller may make a minute: per token (each content key and admin
//! token has its own count) and, without a token, per client address.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::{ApiError, Caller};
use crate::guards::ClientAddr;

/// Counts held before old windows are swept, so a flood of addresses cannot grow memory.
const SWEEP_AT: usize = 50_000;
const WINDOW: Duration = Duration::from_secs(60);

/// Requests per minute, per token and per address without one. One lock makes the count
/// exact under any concurrency.
#[derive(Debug)]
pub struct ApiLimits {
    per_token: u32,
    per_address: u32,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl ApiLimits {
    pub fn new(per_token: u32, per_address: u32) -> ApiLimits {
        ApiLimits {
            per_token,
            per_address,
            counts: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request; refuses with the seconds to wait when the caller is over its limit.
    pub fn count(&self, caller: &Caller, client: &ClientAddr) -> Result<(), ApiError> {
        let (key, limit) = match caller {
            // A member's tokens share one count: making more tokens buys no more requests.
            Caller::Token(holder) => match &holder.user {
                Some(user) => (format!("account {}", user.id.0), self.per_token),
                None => (format!("token {}", holder.token), self.per_token),
            },
            Caller::Anonymous => (format!("address {}", client.limit_key()), self.per_address),
        };
        self.count_at(key, limit, Instant::now())
    }

    /// Refuses, without counting, an address already over its limit (so that guessing tokens
    /// from it costs no lookups once it is).
    pub fn check_address(&self, client: &ClientAddr) -> Result<(), ApiError> {
        let key = format!("address {}", client.limit_key());
        let counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        match counts.get(&key) {
            Some((start, n)) if now.duration_since(*start) < WINDOW && *n >= self.per_address => {
                let wait = WINDOW.saturating_sub(now.duration_since(*start));
                Err(ApiError::TooManyRequests(wait.as_secs().max(1)))
            }
            _ => Ok(()),
        }
    }

    fn count_at(&self, key: String, limit: u32, now: Instant) -> Result<(), ApiError> {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if counts.len() >= SWEEP_AT {
            counts.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let entry = counts.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= WINDOW {
            *entry = (now, 0);
        }
        if entry.1 >= limit {
            let wait = WINDOW.saturating_sub(now.duration_since(entry.0));
            return Err(ApiError::TooManyRequests(wait.as_secs().max(1)));
        }
        entry.1 += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_allows_its_limit_then_refuses_until_it_moves_on() {
        let limits = ApiLimits::new(3, 3);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(limits.count_at("k".into(), 3, start).is_ok());
        }
        let refused = limits.count_at("k".into(), 3, start + Duration::from_secs(10));
        assert!(matches!(refused, Err(ApiError::TooManyRequests(50))));
        assert!(limits.count_at("other".into(), 3, start).is_ok());
        assert!(limits.count_at("k".into(), 3, start + WINDOW).is_ok());
    }
}
