//! Which hosts a pull may connect to. The registry, its token realm and every redirect hop are
//! checked before a connection is made; the addresses the guard returns are the only ones
//! connected to, so a second DNS answer cannot differ. The daemon's guard is its outbound address
//! rule (no private, loopback or link-local addresses in team mode); local mode and the CLI
//! allow any host.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;

/// The future a guard answers with.
pub type GuardFuture<'a> = Pin<Box<dyn Future<Output = Result<Vec<SocketAddr>, String>> + Send + 'a>>;

/// Decides whether `host:port` may be connected to.
pub trait HostGuard: Send + Sync {
    /// The addresses to connect to (empty: let the resolver decide), or why the host is refused.
    fn check<'a>(&'a self, host: &'a str, port: u16) -> GuardFuture<'a>;
}

/// Any host, resolved by the system when connecting: the CLI and local mode, where the user
/// can reach the same hosts themselves.
#[derive(Debug, Clone, Copy, Default)]
pub struct AnyHost;

impl HostGuard for AnyHost {
    fn check<'a>(&'a self, _host: &'a str, _port: u16) -> GuardFuture<'a> {
        Box::pin(async { Ok(Vec::new()) })
    }
}
