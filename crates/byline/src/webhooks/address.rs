//! Where a webhook may post: a checked URL, the address ranges it must not reach by default,
//! and the HTTP clients that keep to public addresses whatever a name resolves to.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// How long a receiver has to answer.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A webhook's address, checked.
#[derive(Debug, Clone)]
pub struct Target {
    pub(super) url: reqwest::Url,
}

impl Target {
    /// An `http` or `https` URL with a host and no user name or password.
    pub fn parse(text: &str) -> Result<Target, String> {
        if text.len() > 2000 {
            return Err("A webhook URL is at most 2,000 characters.".into());
        }
        let url = reqwest::Url::parse(text).map_err(|e| format!("This is not a URL: {e}."))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("A webhook URL starts with http:// or https://.".into());
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err("A webhook URL names a host.".into());
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(
                "A webhook URL carries no user name or password; sign with the secret.".into(),
            );
        }
        Ok(Target { url })
    }

    /// The host, to name a webhook by.
    pub fn host(&self) -> String {
        self.url.host_str().unwrap_or_default().to_owned()
    }

    /// Whether the host is an address (not a name) that is loopback, link-local or private.
    pub fn names_private_address(&self) -> bool {
        let Some(host) = self.url.host_str() else {
            return true;
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        match host.parse::<IpAddr>() {
            Ok(ip) => is_private(ip),
            Err(_) => {
                let name = host.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || name.ends_with(".localhost")
            }
        }
    }
}

/// Whether an address is one a webhook must not reach by default: loopback, unspecified,
/// private, shared (carrier-grade NAT), link-local, multicast, broadcast or documentation.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_private(IpAddr::V4(v4));
            }
            let segments = v6.segments();
            // Addresses that carry an IPv4 address inside: NAT64 (64:ff9b::/96), 6to4
            // (2002::/16) and Teredo (2001::/32, the client's address inverted).
            let embedded = match segments {
                [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(v4_of(hi, lo)),
                // IPv4-translated (::ffff:0:a.b.c.d).
                [0, 0, 0, 0, 0xffff, 0, hi, lo] => Some(v4_of(hi, lo)),
                [0x2002, hi, lo, ..] => Some(v4_of(hi, lo)),
                [0x2001, 0, .., hi, lo] => Some(v4_of(!hi, !lo)),
                _ => None,
            };
            if embedded.is_some_and(|v4| is_private(IpAddr::V4(v4))) {
                return true;
            }
            let first = segments[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfec0
                || (first == 0x64 && segments[1] == 0xff9b && segments[2] == 1)
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
                || v6.segments()[..6] == [0, 0, 0, 0, 0, 0]
        }
    }
}

fn v4_of(hi: u16, lo: u16) -> std::net::Ipv4Addr {
    let [a, b] = hi.to_be_bytes();
    let [c, d] = lo.to_be_bytes();
    std::net::Ipv4Addr::new(a, b, c, d)
}

/// A resolver that answers only with public addresses, so a name cannot lead a webhook to a
/// private one (checked at connection time, whatever the name resolved to when it was added).
struct PublicOnly;

impl reqwest::dns::Resolve for PublicOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|addr| !is_private(addr.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(found.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// The HTTP clients deliveries go out with: one that reaches public addresses only, and one
/// for webhooks allowed to reach private ones.
#[derive(Clone)]
pub struct Senders {
    pub(super) public: reqwest::Client,
    pub(super) any: reqwest::Client,
}

impl Senders {
    pub fn new() -> Result<Senders, reqwest::Error> {
        let base = || {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(TIMEOUT)
                .no_proxy()
                .user_agent(concat!("Byline-Webhooks/", env!("CARGO_PKG_VERSION")))
        };
        Ok(Senders {
            public: base().dns_resolver(Arc::new(PublicOnly)).build()?,
            any: base().build()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_known() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "8.8.8.8", "2606:4700::1111"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
    }

    #[tokio::test]
    async fn names_that_resolve_only_to_private_addresses_are_not_reached() {
        use reqwest::dns::Resolve;
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let refused = PublicOnly.resolve(name).await;
        assert!(refused.is_err(), "localhost resolves to loopback only");
    }

    #[test]
    fn urls_are_checked() {
        assert!(Target::parse("ftp://example.com/").is_err());
        assert!(Target::parse("https://user:pw@example.com/").is_err());
        assert!(Target::parse("not a url").is_err());
        let local = Target::parse("http://localhost:8080/hook").unwrap();
        assert!(local.names_private_address());
        let metadata = Target::parse("http://169.254.169.254/latest").unwrap();
        assert!(metadata.names_private_address());
        let public = Target::parse("https://hooks.example.com/byline").unwrap();
        assert!(!public.names_private_address());
    }
}
