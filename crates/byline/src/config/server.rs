//! `[server]`: how the server meets the network: the reverse proxies whose forwarding headers
//! it believes.

use std::net::IpAddr;

use serde::Deserialize;

/// `[server]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    /// Addresses of the reverse proxies in front of Byline (`"10.0.0.0/8"`, `"127.0.0.1"`,
    /// `"fd00::/8"`). A request from one of them is taken to come from the last address in its
    /// `Forwarded` / `X-Forwarded-For` chain that is not a proxy; from anywhere else, those
    /// headers are ignored. Default: none (every request is its connection's peer).
    #[serde(default)]
    pub trusted_proxies: Vec<Network>,
    /// Which header the proxies write the chain in: `"x-forwarded-for"` (the default) or
    /// `"forwarded"` (RFC 7239). Only that one is read, so a client cannot slip in the other.
    #[serde(default)]
    pub forwarded_header: ForwardedHeader,
    /// A connection with no request in hand that makes no progress (no request arriving, no
    /// answer going out) for this many seconds is closed, and a request body may not pause
    /// longer than this: slow or idle connections cannot pile up. Default: 20.
    #[serde(default = "default_header_seconds")]
    pub header_timeout_seconds: u32,
    /// Connections served at once; beyond it new ones wait to be accepted. Keep it below the
    /// process's open-file limit. Default: 4096.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Connections one address may hold at once (a trusted proxy's are not limited).
    /// Default: 64.
    #[serde(default = "default_per_address")]
    pub max_connections_per_address: u32,
}

fn default_max_connections() -> u32 {
    4096
}

fn default_per_address() -> u32 {
    64
}

fn default_header_seconds() -> u32 {
    20
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            trusted_proxies: Vec::new(),
            forwarded_header: ForwardedHeader::default(),
            header_timeout_seconds: default_header_seconds(),
            max_connections: default_max_connections(),
            max_connections_per_address: default_per_address(),
        }
    }
}

/// The forwarding header the proxies write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ForwardedHeader {
    #[default]
    XForwardedFor,
    Forwarded,
}

/// An address block: an address and how many leading bits of it count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    /// `ADDRESS` or `ADDRESS/BITS`.
    pub fn parse(text: &str) -> Result<Network, String> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, bits)) => (address, Some(bits)),
            None => (text.trim(), None),
        };
        let address: IpAddr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an IP address or ADDRESS/BITS block"))?;
        let width = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => width,
            Some(bits) => bits
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= width)
                .ok_or_else(|| format!("{text:?}: the prefix must be 0 to {width} bits"))?,
        };
        Ok(Network { address, prefix })
    }

    /// Whether `ip` is in this block (an IPv4 address given as IPv6-mapped counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.address, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl<'de> Deserialize<'de> for Network {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Network, D::Error> {
        let text = String::deserialize(d)?;
        Network::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_contain_their_addresses() {
        let net = Network::parse("10.0.0.0/8").unwrap();
        assert!(net.contains("10.1.2.3".parse().unwrap()));
        assert!(!net.contains("11.0.0.1".parse().unwrap()));
        assert!(
            net.contains("::ffff:10.9.9.9".parse().unwrap()),
            "IPv4-mapped"
        );
        let one = Network::parse("127.0.0.1").unwrap();
        assert!(one.contains("127.0.0.1".parse().unwrap()));
        assert!(!one.contains("127.0.0.2".parse().unwrap()));
        let v6 = Network::parse("fd00::/8").unwrap();
        assert!(v6.contains("fd12::1".parse().unwrap()));
        assert!(!v6.contains("fe80::1".parse().unwrap()));
        assert!(
            Network::parse("0.0.0.0/0")
                .unwrap()
                .contains("8.8.8.8".parse().unwrap())
        );
        for bad in ["10.0.0.0/33", "example.org", "10.0.0/8", "::/129"] {
            assert!(Network::parse(bad).is_err(), "{bad}");
        }
    }
}
