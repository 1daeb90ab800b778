//! Request checks shared by public and admin forms: where a request came from (through the
//! trusted reverse proxies of `[server]`), and whether a form was sent from this site.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::HeaderMap;
use axum::http::request::Parts;

use crate::config::{ForwardedHeader, Network};
use crate::state::AppState;

/// The reverse proxies whose forwarding headers are believed, and which header they write.
#[derive(Debug, Clone, Default)]
pub struct Proxies {
    pub trusted: Vec<Network>,
    pub header: ForwardedHeader,
}

/// The address a request comes from: its connection's peer or, when the peer is a trusted
/// proxy, the last address before the proxies in the forwarding chain. Rate limits key on it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl ClientAddr {
    /// The address as text for logs; `unknown` when there is none.
    pub fn ip_text(&self) -> String {
        self.0
            .map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
    }

    /// What rate limits count by: the address, or for IPv6 its /64 network (one subscriber
    /// line gets a whole /64, so single IPv6 addresses are free to change).
    pub fn limit_key(&self) -> String {
        match self.0 {
            Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.to_string(),
                None => {
                    let s = v6.segments();
                    format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
                }
            },
            Some(v4) => v4.to_string(),
            None => "unknown".to_owned(),
        }
    }
}

/// The connection's peer, as the server recorded it (absent for in-process requests).
pub fn peer(parts: &Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| *addr)
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<ClientAddr, Self::Rejection> {
        let peer = peer(parts).map(|addr| addr.ip());
        Ok(ClientAddr(peer.map(|peer| {
            client_ip(peer, &parts.headers, &state.proxies)
        })))
    }
}

/// The client of a request whose connection comes from `peer`.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, proxies: &Proxies) -> IpAddr {
    let trusted = |ip: IpAddr| proxies.trusted.iter().any(|net| net.contains(ip));
    if !trusted(peer) {
        return peer;
    }
    // Right to left: each proxy appended the address it was reached from.
    let chain = forwarded_chain(headers, proxies.header);
    let mut client = peer;
    for hop in chain.iter().rev() {
        if !trusted(client) {
            break;
        }
        match hop {
            Some(ip) => client = *ip,
            None => break,
        }
    }
    client
}

/// How many hops of a forwarding chain are read, from the right (the end the proxies write).
const MAX_HOPS: usize = 32;

/// The addresses of the forwarding header, in order; `None` for an entry that is not an
/// address (`unknown`, an obfuscated name). Only the last [`MAX_HOPS`] entries are read: those
/// the proxies appended, never a client's padding before them.
fn forwarded_chain(headers: &HeaderMap, header: ForwardedHeader) -> Vec<Option<IpAddr>> {
    let name = match header {
        ForwardedHeader::XForwardedFor => "x-forwarded-for",
        ForwardedHeader::Forwarded => "forwarded",
    };
    let all: Vec<&str> = headers
        .get_all(name)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let entries = all[all.len().saturating_sub(MAX_HOPS)..].iter().copied();
    match header {
        ForwardedHeader::XForwardedFor => entries.map(|e| parse_node(e.trim())).collect(),
        ForwardedHeader::Forwarded => entries
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(key, _)| key.eq_ignore_ascii_case("for"))
                    .and_then(|(_, value)| parse_node(value.trim().trim_matches('"')))
            })
            .collect(),
    }
}

/// An address as forwarding headers write it: `192.0.2.1`, `192.0.2.1:80`, `[2001:db8::1]`,
/// `[2001:db8::1]:443` or a bare IPv6 address.
fn parse_node(text: &str) -> Option<IpAddr> {
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Some(rest) = text.strip_prefix('[') {
        return rest.split_once(']').and_then(|(ip, _)| ip.parse().ok());
    }
    text.parse::<SocketAddr>().ok().map(|addr| addr.ip())
}

/// Whether a request carries any forwarding header: it came through a proxy.
pub fn forwarded(headers: &HeaderMap) -> bool {
    ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| headers.contains_key(*name))
}

/// A cross-site request cannot submit our forms: browsers say where a form came from in
/// `Sec-Fetch-Site` and `Origin`; requests without either (curl, old browsers) are allowed.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = value("sec-fetch-site")
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    match (value("origin"), value("host")) {
        (Some("null"), _) => false,
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest == host),
        (Some(_), None) => false,
        (None, _) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(k, v)| (k.parse().unwrap(), v.parse().unwrap()))
            .collect()
    }

    #[test]
    fn cross_site_posts_are_refused() {
        assert!(same_origin(&headers(&[])));
        assert!(same_origin(&headers(&[
            ("host", "news.example"),
            ("origin", "https://news.example")
        ])));
        assert!(same_origin(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(!same_origin(&headers(&[
            ("host", "news.example"),
            ("origin", "https://evil.example")
        ])));
        assert!(!same_origin(&headers(&[("origin", "null")])));
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_client_is_the_last_hop_before_the_trusted_proxies() {
        let proxies = Proxies {
            trusted: vec![Network::parse("10.0.0.0/8").unwrap()],
            header: ForwardedHeader::XForwardedFor,
        };
        let chain = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.2")]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &chain, &proxies),
            ip("203.0.113.7"),
            "the forged first entry is not believed"
        );
        assert_eq!(
            client_ip(ip("198.51.100.1"), &chain, &proxies),
            ip("198.51.100.1"),
            "a peer that is not a proxy is the client, whatever it claims"
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers(&[]), &proxies),
            ip("10.0.0.1"),
            "a proxy that says nothing"
        );
        let garbage = headers(&[("x-forwarded-for", "203.0.113.7, unknown")]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &garbage, &proxies),
            ip("10.0.0.1")
        );
        let none = Proxies::default();
        assert_eq!(client_ip(ip("10.0.0.1"), &chain, &none), ip("10.0.0.1"));
        let rfc = Proxies {
            header: ForwardedHeader::Forwarded,
            ..proxies.clone()
        };
        let forwarded = headers(&[
            (
                "forwarded",
                "for=6.6.6.6, for=\"[2001:db8::17]:4711\";proto=https",
            ),
            ("x-forwarded-for", "192.0.2.99"),
        ]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &forwarded, &rfc),
            ip("2001:db8::17"),
            "only the configured header is read"
        );
        assert_eq!(
            client_ip(ip("10.0.0.1"), &forwarded, &proxies),
            ip("192.0.2.99")
        );
        // Padding before the proxy's own entry is never reached.
        let padded = format!("{}203.0.113.50, 198.51.100.7", "6.6.6.6, ".repeat(40));
        let padded =
            HeaderMap::from_iter([("x-forwarded-for".parse().unwrap(), padded.parse().unwrap())]);
        assert_eq!(
            client_ip(ip("10.0.0.1"), &padded, &proxies),
            ip("198.51.100.7")
        );
    }

    #[test]
    fn ipv6_clients_are_limited_by_their_network() {
        let key = |text: &str| ClientAddr(Some(ip(text))).limit_key();
        assert_eq!(key("2001:db8:1:2:aaaa::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
        assert_eq!(key("::ffff:192.0.2.7"), "192.0.2.7");
        assert_eq!(key("192.0.2.7"), "192.0.2.7");
    }
}
