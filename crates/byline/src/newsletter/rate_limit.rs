//! A fixed-window counter per client address, in memory (one node; the cluster issue moves it).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Entries kept before expired windows are swept, so memory stays bounded under a flood.
const SWEEP_AT: usize = 10_000;

pub struct RateLimiter {
    limit: u32,
    window: Duration,
    hits: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl RateLimiter {
    pub fn per_hour(limit: u32) -> RateLimiter {
        RateLimiter::new(limit, Duration::from_secs(3600))
    }

    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            hits: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for the whole site at `now` (every client as one); false when the site
    /// is over its limit.
    pub fn allow_site_wide(&self, now: Instant) -> bool {
        self.allow(IpAddr::from([0, 0, 0, 0]), now)
    }

    /// Counts one request from `ip` at `now`; false when the address is over its limit.
    /// IPv6 clients are counted per /64, the block one subscriber line usually holds.
    pub fn allow(&self, ip: IpAddr, now: Instant) -> bool {
        let key = match ip {
            IpAddr::V6(v6) => {
                let mut octets = v6.octets();
                octets[8..].fill(0);
                IpAddr::from(octets)
            }
            v4 => v4,
        };
        let mut hits = self
            .hits
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if hits.len() >= SWEEP_AT {
            hits.retain(|_, (start, _)| now.duration_since(*start) < self.window);
        }
        let entry = hits.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_per_address_and_window() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let t0 = Instant::now();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        assert!(limiter.allow(a, t0));
        assert!(limiter.allow(a, t0));
        assert!(!limiter.allow(a, t0), "third in the window");
        assert!(limiter.allow(b, t0), "another address has its own count");
        assert!(
            limiter.allow(a, t0 + Duration::from_secs(61)),
            "a new window"
        );
    }

    #[test]
    fn ipv6_is_counted_per_64() {
        let limiter = RateLimiter::new(1, Duration::from_secs(60));
        let t0 = Instant::now();
        assert!(limiter.allow("2001:db8::1".parse().unwrap(), t0));
        assert!(!limiter.allow("2001:db8::ffff".parse().unwrap(), t0));
        assert!(limiter.allow("2001:db8:0:1::1".parse().unwrap(), t0));
    }
}
