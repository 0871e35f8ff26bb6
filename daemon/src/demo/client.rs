//! Who a demo request counts against: the client's address, an IPv6 client by its /64 (one
//! host usually holds a whole /64, so a single address would be no limit at all).

use std::fmt;
use std::net::IpAddr;

/// The key of the per-client limit, as stored (`v4:203.0.113.9`, `v6:2001:db8:1:2::/64`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DemoClient(String);

impl DemoClient {
    /// The key for a peer address (an IPv4-mapped IPv6 address counts as its IPv4 address).
    pub fn from_ip(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(v4) => DemoClient(format!("v4:{v4}")),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => DemoClient(format!("v4:{v4}")),
                None => {
                    let s = v6.segments();
                    let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                    DemoClient(format!("v6:{net}/64"))
                }
            },
        }
    }

    /// The stored key.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DemoClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2::1".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::1".parse().expect("ip");
        assert_eq!(DemoClient::from_ip(a), DemoClient::from_ip(b));
        assert_ne!(DemoClient::from_ip(a), DemoClient::from_ip(other));
        assert_eq!(DemoClient::from_ip(a).as_str(), "v6:2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().expect("ip");
        let v4: IpAddr = "203.0.113.9".parse().expect("ip");
        assert_eq!(DemoClient::from_ip(mapped), DemoClient::from_ip(v4));
        assert_eq!(DemoClient::from_ip(v4).as_str(), "v4:203.0.113.9");
    }
}
