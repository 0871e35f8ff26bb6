//! Git URLs: which forms are accepted (https, ssh, scp-like `user@host:path`, file, http when
//! configured), how they print without credentials, and the address rule that keeps clones off
//! private, loopback and link-local networks.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use super::SourceError;

/// A URL scheme git may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `https://`.
    Https,
    /// `http://` (only when configured).
    Http,
    /// `ssh://` or `[user@]host:path`.
    Ssh,
    /// `file://`.
    File,
}

impl Scheme {
    /// The name git's `protocol.<name>.allow` uses.
    pub fn protocol(self) -> &'static str {
        match self {
            Self::Https => "https",
            Self::Http => "http",
            Self::Ssh => "ssh",
            Self::File => "file",
        }
    }
}

/// A parsed, syntactically safe git URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitUrl {
    /// Scheme.
    pub scheme: Scheme,
    /// Host (without brackets for IPv6); `None` for `file://`.
    pub host: Option<String>,
    /// Port (the scheme's default when absent).
    pub port: u16,
    /// The path of a `file://` URL.
    pub file_path: Option<PathBuf>,
    /// The URL as given.
    pub raw: String,
    /// The URL with credentials replaced by `***`: the only form put in messages.
    pub redacted: String,
    /// Strings that must never appear in a message (the credentials, raw and percent-decoded).
    pub secrets: Vec<String>,
    /// The URL carries a secret in its userinfo (any userinfo over http(s), a password over ssh).
    pub credentials: bool,
}

impl GitUrl {
    /// Replaces every secret in `text` (git's own messages may echo the URL).
    pub fn scrub(&self, text: &str) -> String {
        let mut out = text.replace(&self.raw, &self.redacted);
        for secret in &self.secrets {
            out = out.replace(secret.as_str(), "***");
        }
        out
    }
}

/// Parses `url`, refusing what git must never be handed: option-like text, control characters,
/// remote-helper transports (`ext::…`), unknown schemes, bare local paths.
pub fn parse(url: &str) -> Result<GitUrl, SourceError> {
    let invalid = |why: &str| SourceError::Invalid(format!("git URL: {why}"));
    if url.is_empty() {
        return Err(invalid("empty"));
    }
    if url.starts_with('-') {
        return Err(invalid("a URL cannot start with '-'"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid("control characters and spaces are not allowed"));
    }
    if let Some((transport, _)) = url.split_once("::")
        && !transport.contains('/')
    {
        return Err(SourceError::Refused(format!(
            "git URL: the {transport}:: transport is not accepted; use https://, ssh:// or file://"
        )));
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme = match scheme.to_ascii_lowercase().as_str() {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            "ssh" | "git+ssh" | "ssh+git" => Scheme::Ssh,
            "file" => Scheme::File,
            other => {
                return Err(SourceError::Refused(format!(
                    "git URL: the {other}:// scheme is not accepted; use https://, ssh:// or file://"
                )));
            }
        };
        return parse_hierarchical(url, scheme, rest);
    }
    parse_scp_like(url)
}

fn parse_hierarchical(raw: &str, scheme: Scheme, rest: &str) -> Result<GitUrl, SourceError> {
    let invalid = |why: String| SourceError::Invalid(format!("git URL: {why}"));
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    if scheme == Scheme::File {
        if !(authority.is_empty() || authority.eq_ignore_ascii_case("localhost")) {
            return Err(invalid("a file:// URL names no host (file:///path)".into()));
        }
        if path.is_empty() || path.contains('%') {
            return Err(invalid(
                "a file:// URL needs a plain absolute path (file:///path, no %-escapes)".into(),
            ));
        }
        return Ok(GitUrl {
            scheme,
            host: None,
            port: 0,
            file_path: Some(PathBuf::from(path)),
            raw: raw.to_owned(),
            redacted: raw.to_owned(),
            secrets: Vec::new(),
            credentials: false,
        });
    }
    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let default_port = match scheme {
        Scheme::Https => 443,
        Scheme::Http => 80,
        Scheme::Ssh | Scheme::File => 22,
    };
    let (host, port) = split_host_port(hostport, default_port).map_err(invalid)?;
    let mut secrets = Vec::new();
    let credentials = userinfo.is_some_and(|info| userinfo_is_secret(scheme, info));
    let redacted = match userinfo {
        None => raw.to_owned(),
        Some(info) => {
            let secret = userinfo_is_secret(scheme, info);
            let shown = if secret { "***" } else { info };
            if secret {
                for part in std::iter::once(info).chain(info.split(':')) {
                    if part.len() >= 3 {
                        secrets.push(part.to_owned());
                        let decoded = percent_decode(part);
                        if decoded != part {
                            secrets.push(decoded);
                        }
                    }
                }
                // Longest first, so a part never leaves half of the whole behind.
                secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
            }
            let prefix_len = raw.len() - rest.len();
            format!("{}{shown}@{hostport}{path}", &raw[..prefix_len])
        }
    };
    Ok(GitUrl {
        scheme,
        host: Some(host),
        port,
        file_path: None,
        raw: raw.to_owned(),
        redacted,
        secrets,
        credentials,
    })
}

/// Over HTTP a user name alone is often a token; over ssh only a password is secret.
fn userinfo_is_secret(scheme: Scheme, info: &str) -> bool {
    scheme != Scheme::Ssh || info.contains(':')
}

/// Whether `url` (any scheme, parsed or not) carries a secret in its userinfo: what must be
/// refused before the URL is stored anywhere.
pub fn has_credentials(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else {
        // scp-like `user@host:path` has no password field.
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((info, _)) = authority.rsplit_once('@') else { return false };
    let ssh = matches!(scheme.to_ascii_lowercase().as_str(), "ssh" | "git+ssh" | "ssh+git");
    !ssh || info.contains(':')
}

/// `url` without the secret part of its userinfo (all of it over http(s), the password over ssh):
/// what rows stored before such URLs were refused are shown as.
pub fn without_credentials(url: &str) -> String {
    if !has_credentials(url) {
        return url.to_owned();
    }
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let Some((info, hostport)) = authority.rsplit_once('@') else { return url.to_owned() };
    let ssh = matches!(scheme.to_ascii_lowercase().as_str(), "ssh" | "git+ssh" | "ssh+git");
    match info.split_once(':') {
        Some((user, _)) if ssh && !user.is_empty() => format!("{scheme}://{user}@{hostport}{tail}"),
        _ => format!("{scheme}://{hostport}{tail}"),
    }
}

/// Refuses a URL with credentials in it: the URL is kept with the scan and shown to every reader
/// of the tenant, and a job could not carry the secret without storing it.
pub fn refuse_credentials(url: &GitUrl) -> Result<(), SourceError> {
    if url.credentials {
        return Err(SourceError::Refused(CREDENTIALS_REFUSED.into()));
    }
    Ok(())
}

/// The reason a URL with credentials is refused.
pub const CREDENTIALS_REFUSED: &str = "git URL: credentials in the URL (user:token@host) are not accepted, \
     since the URL is stored with the scan and shown to the tenant's readers; this daemon has no per-tenant \
     git credentials yet, so scan a private repository as an uploaded archive";

/// `[user@]host:path`, git's scp-like ssh syntax (no `/` before the first `:`).
fn parse_scp_like(raw: &str) -> Result<GitUrl, SourceError> {
    let not_url = || {
        SourceError::Invalid(
            "git URL: expected https://, ssh://, user@host:path or file:// (bare local paths are not accepted)".into(),
        )
    };
    let (before, path) = raw.split_once(':').ok_or_else(not_url)?;
    if before.contains('/') || path.is_empty() {
        return Err(not_url());
    }
    let (user, host) = match before.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, before),
    };
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    check_host_syntax(host).map_err(|why| SourceError::Invalid(format!("git URL: {why}")))?;
    if user.is_some_and(|u| u.is_empty() || u.starts_with('-')) {
        return Err(SourceError::Invalid("git URL: bad user name".into()));
    }
    Ok(GitUrl {
        scheme: Scheme::Ssh,
        host: Some(host.to_owned()),
        port: 22,
        file_path: None,
        raw: raw.to_owned(),
        redacted: raw.to_owned(),
        secrets: Vec::new(),
        credentials: false,
    })
}

fn split_host_port(hostport: &str, default_port: u16) -> Result<(String, u16), String> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest.split_once(']').ok_or("unclosed '[' in the host")?;
        if host.parse::<Ipv6Addr>().is_err() {
            return Err(format!("{host} is not an IPv6 address"));
        }
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':').ok_or("text after ']'")?)),
        }
    } else {
        match hostport.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    if !host.contains(':') {
        check_host_syntax(host)?;
    }
    let port = match port {
        None | Some("") => default_port,
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| format!("bad port {p:?}"))?,
    };
    Ok((host.to_ascii_lowercase(), port))
}

fn check_host_syntax(host: &str) -> Result<(), String> {
    if host.is_empty() {
        return Err("no host".into());
    }
    if host.starts_with('-') {
        return Err("a host cannot start with '-'".into());
    }
    if host.parse::<Ipv6Addr>().is_ok() {
        return Ok(());
    }
    if !host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_') {
        return Err(format!("{host:?} is not a host name"));
    }
    Ok(())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) =
                (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b)))
        {
            out.push((h * 16 + l) as u8);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Why `ip` is not a public address, or `None` when it is.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() || a == 0 => "unspecified",
        _ if ip.is_loopback() => "loopback",
        _ if ip.is_private() => "private",
        (169, 254, _) => "link-local (cloud metadata)",
        (100, 64..=127, _) => "shared (CGNAT)",
        (192, 0, 0) => "IETF protocol",
        (198, 18..=19, _) => "benchmarking",
        _ if ip.is_broadcast() => "broadcast",
        _ if ip.is_multicast() => "multicast",
        _ if a >= 240 => "reserved",
        _ => return None,
    })
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let seg = ip.segments();
    if let Some(v4) = ip.to_ipv4_mapped() {
        return forbidden_v4(v4);
    }
    Some(match seg[0] {
        _ if ip.is_unspecified() => "unspecified",
        _ if ip.is_loopback() => "loopback",
        s if s & 0xfe00 == 0xfc00 => "private (unique local)",
        s if s & 0xffc0 == 0xfe80 => "link-local",
        s if s & 0xffc0 == 0xfec0 => "site-local",
        s if s & 0xff00 == 0xff00 => "multicast",
        // NAT64 and 6to4 carry an IPv4 address that decides.
        0x0064 if seg[1] == 0xff9b => {
            return forbidden_v4(Ipv4Addr::from(((seg[6] as u32) << 16) | seg[7] as u32));
        }
        0x2002 => return forbidden_v4(Ipv4Addr::from(((seg[1] as u32) << 16) | seg[2] as u32)),
        // IPv4-compatible (::a.b.c.d, deprecated).
        0 if seg[..6].iter().all(|s| *s == 0) => "IPv4-compatible",
        _ => return None,
    })
}

/// Resolves `host` and checks every address; returns them when all are allowed (the caller pins
/// git to them where it can, so a second lookup cannot answer differently).
pub async fn check_host(
    host: &str,
    port: u16,
    allow_private: bool,
    timeout: Duration,
) -> Result<Vec<SocketAddr>, SourceError> {
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => match tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await {
            Err(_) => return Err(SourceError::Timeout(format!("resolving {host}"))),
            Ok(Err(e)) => return Err(SourceError::Unavailable(format!("cannot resolve {host}: {e}"))),
            Ok(Ok(addrs)) => addrs.collect(),
        },
    };
    if addrs.is_empty() {
        return Err(SourceError::Unavailable(format!("{host} has no address")));
    }
    if !allow_private {
        for addr in &addrs {
            if let Some(why) = forbidden(addr.ip()) {
                return Err(SourceError::Refused(format!(
                    "{host} is a {why} address ({}); private, loopback and link-local hosts are not allowed \
                     unless sources.allow_private_hosts is set",
                    addr.ip()
                )));
            }
        }
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        let u = parse("https://github.com/a/b.git").expect("https");
        assert_eq!((u.scheme, u.host.as_deref(), u.port), (Scheme::Https, Some("github.com"), 443));
        let u = parse("ssh://git@example.org:2222/a/b").expect("ssh");
        assert_eq!((u.scheme, u.host.as_deref(), u.port), (Scheme::Ssh, Some("example.org"), 2222));
        let u = parse("git@github.com:a/b.git").expect("scp-like");
        assert_eq!((u.scheme, u.host.as_deref(), u.port), (Scheme::Ssh, Some("github.com"), 22));
        let u = parse("https://[2001:db8::1]:8443/x").expect("v6");
        assert_eq!((u.host.as_deref(), u.port), (Some("2001:db8::1"), 8443));
        let u = parse("file:///srv/repos/x").expect("file");
        assert_eq!(u.file_path, Some(PathBuf::from("/srv/repos/x")));
    }

    #[test]
    fn refused_forms() {
        for bad in [
            "",
            "--upload-pack=touch /tmp/pwned",
            "-oProxyCommand=x",
            "ext::sh -c touch% /tmp/pwned",
            "ext::x",
            "fd::3",
            "git://example.org/x",
            "ftp://example.org/x",
            "/srv/repos/x",
            "./relative",
            "ssh://-oProxyCommand=x/y",
            "https://exa mple.org/x",
            "https://example.org:99999/x",
            "file://otherhost/x",
            "file:///srv/%2e%2e/x",
            "https://ex\nample.org/x",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn credentials_are_redacted_and_scrubbed() {
        let u = parse("https://alice:s3cr%40t@example.org/r.git").expect("parse");
        assert_eq!(u.redacted, "https://***@example.org/r.git");
        let scrubbed =
            u.scrub("fatal: could not read from https://alice:s3cr%40t@example.org/r.git (s3cr@t)");
        assert!(!scrubbed.contains("s3cr") && !scrubbed.contains("alice"), "{scrubbed}");
        let token = parse("https://ghp_abcdef123456@github.com/a/b").expect("token");
        assert!(!token.redacted.contains("ghp_") && token.scrub("ghp_abcdef123456 x") == "*** x");
        let ssh = parse("ssh://git@example.org/a").expect("ssh user");
        assert_eq!(ssh.redacted, "ssh://git@example.org/a");
    }

    #[test]
    fn credentials_are_found_and_stripped() {
        for (given, shown) in [
            ("https://bot:ghp_x@github.com/o/r", "https://github.com/o/r"),
            ("http://ghp_token@host:8080/r.git?x=@", "http://host:8080/r.git?x=@"),
            ("ssh://git:pa55@host/r", "ssh://git@host/r"),
            ("git://u:p@host/r", "git://host/r"),
        ] {
            assert!(has_credentials(given), "{given}");
            assert_eq!(without_credentials(given), shown);
        }
        for plain in ["https://github.com/o/r", "ssh://git@host/r", "git@github.com:o/r.git", "file:///srv/x"]
        {
            assert!(!has_credentials(plain), "{plain}");
            assert_eq!(without_credentials(plain), plain);
        }
        let refused = parse("https://bot:ghp_x@github.com/o/r").and_then(|u| refuse_credentials(&u));
        assert!(matches!(refused, Err(SourceError::Refused(_))));
        parse("ssh://git@github.com/o/r").and_then(|u| refuse_credentials(&u)).expect("a user name over ssh");
    }

    #[test]
    fn address_classes() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a00:1",
            "2002:a00:1::",
        ] {
            let ip: IpAddr = bad.parse().expect("ip");
            assert!(forbidden(ip).is_some(), "{bad} allowed");
        }
        for good in ["140.82.121.3", "8.8.8.8", "2606:4700::1111", "64:ff9b::808:808"] {
            let ip: IpAddr = good.parse().expect("ip");
            assert_eq!(forbidden(ip), None, "{good} refused");
        }
    }

    #[tokio::test]
    async fn localhost_is_refused_after_resolution() {
        let err = check_host("localhost", 443, false, Duration::from_secs(5)).await.expect_err("refused");
        assert!(matches!(err, SourceError::Refused(_)), "{err}");
        check_host("localhost", 443, true, Duration::from_secs(5)).await.expect("allowed when configured");
    }
}
