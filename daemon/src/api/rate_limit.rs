//! Rate limits per client (GCRA via `governor`): login per IP, reads, writes and uploads per
//! authenticated principal (the API key, else the user), with `X-RateLimit-Limit/Remaining/Reset`
//! on every limited response and `Retry-After` on 429.
//!
//! The bucket is chosen after authentication, never from the header's text: `bearer` or extra
//! spaces name the same principal, and a credential that does not authenticate counts against
//! the client's address (an IPv6 client by its /64, which one host usually holds whole). The
//! buckets of addresses are capped: past [`MAX_ADDRESS_BUCKETS`] live ones, new anonymous
//! clients share one bucket until idle ones are forgotten.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};

use crate::auth::principal::{Credential, Principal};
use crate::config::RateLimits;
use crate::error::{ApiError, Kind};
use crate::state::AppState;

type Limiter = RateLimiter<
    String,
    governor::state::keyed::DefaultKeyedStateStore<String>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// A class's limiter, its allowance and the period (seconds) the allowance is per.
type Class = (Limiter, u32, u32);

/// Live buckets (all classes' maps, each) past which anonymous clients share one bucket.
pub const MAX_ADDRESS_BUCKETS: usize = 50_000;

/// The bucket anonymous clients share while the maps are full.
const OVERFLOW_KEY: &str = "ip:overflow";

/// One limiter per class.
pub struct RateLimiters {
    login: Class,
    reads: Class,
    writes: Class,
    uploads: Class,
    max_address_buckets: usize,
}

impl std::fmt::Debug for RateLimiters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RateLimiters(login {}/min, reads {}/min, writes {}/min, uploads {}/h)",
            self.login.1, self.reads.1, self.writes.1, self.uploads.1
        )
    }
}

fn limiter(per_minute: u32) -> Class {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    (RateLimiter::keyed(Quota::per_minute(n)).with_middleware::<StateInformationMiddleware>(), n.get(), 60)
}

fn hourly(per_hour: u32) -> Class {
    let n = NonZeroU32::new(per_hour.max(1)).unwrap_or(NonZeroU32::MIN);
    (RateLimiter::keyed(Quota::per_hour(n)).with_middleware::<StateInformationMiddleware>(), n.get(), 3600)
}

impl RateLimiters {
    /// Limiters with the configured quotas (0 is treated as 1).
    pub fn new(cfg: &RateLimits) -> Self {
        Self {
            login: limiter(cfg.login_per_minute),
            reads: limiter(cfg.reads_per_minute),
            writes: limiter(cfg.writes_per_minute),
            uploads: hourly(cfg.uploads_per_hour),
            max_address_buckets: MAX_ADDRESS_BUCKETS,
        }
    }

    /// The bucket key of a client at `ip`, or the shared overflow bucket when `limiter` is full
    /// even after forgetting idle clients.
    fn address_key(&self, limiter: &Limiter, ip: Option<IpAddr>) -> String {
        if limiter.len() >= self.max_address_buckets {
            limiter.retain_recent();
            if limiter.len() >= self.max_address_buckets {
                return OVERFLOW_KEY.into();
            }
        }
        match ip {
            Some(IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
                let s = v6.segments();
                format!("ip6:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
            Some(IpAddr::V6(v6)) => {
                format!("ip:{}", v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(IpAddr::V6(v6)))
            }
            Some(ip) => format!("ip:{ip}"),
            None => "ip:unknown".into(),
        }
    }

    /// Forgets idle clients (called now and then so the maps stay small).
    pub fn sweep(&self) {
        self.login.0.retain_recent();
        self.reads.0.retain_recent();
        self.writes.0.retain_recent();
        self.uploads.0.retain_recent();
    }
}

const LOGIN_PATHS: [&str; 6] = [
    "/api/v1/auth/login",
    "/api/v1/auth/token",
    "/api/v1/auth/register",
    "/api/v1/auth/refresh",
    "/api/v1/auth/forgot-password",
    "/api/v1/auth/reset-password",
];

/// Applies the limit of the request's class and sets the headers.
pub async fn limit(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/api/v1/") {
        // Probes, metrics and docs are not limited.
        return next.run(req).await;
    }
    let ip: Option<IpAddr> = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let limits = &state.limits;
    let (class, key) = if req.method() == Method::POST && LOGIN_PATHS.contains(&path) {
        (&limits.login, limits.address_key(&limits.login.0, ip))
    } else {
        let class = if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
            &limits.reads
        } else if req.method() == Method::POST && super::idempotency::is_upload_path(path) {
            &limits.uploads
        } else {
            &limits.writes
        };
        // Authenticated here so the bucket is the principal's; the handler's extractor reuses it.
        // A failure is the handler's to answer; until then the request counts against its address.
        let principal: Option<Principal> =
            Principal::authenticate(&state, req.headers()).await.unwrap_or_default();
        let key = match &principal {
            Some(p) => principal_key(p),
            None => limits.address_key(&class.0, ip),
        };
        if let Some(p) = principal {
            req.extensions_mut().insert(p);
        }
        (class, key)
    };
    let (limiter, per_minute, period) = class;
    let per_cell = f64::from(*period) / f64::from(*per_minute);
    match limiter.check_key(&key) {
        Ok(snapshot) => {
            let remaining = snapshot.remaining_burst_capacity();
            let mut resp = next.run(req).await;
            let reset = (f64::from(per_minute - remaining.min(*per_minute)) * per_cell).ceil() as u64;
            set_headers(&mut resp, *per_minute, remaining, reset);
            resp
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            let mut err = ApiError::new(Kind::RateLimited, format!("retry in {secs} s"));
            err.retry_after = Some(secs.max(1));
            let mut resp = err.into_response();
            set_headers(&mut resp, *per_minute, 0, secs.max(1));
            resp
        }
    }
}

/// The bucket of an authenticated caller: its API key, else its user.
fn principal_key(p: &Principal) -> String {
    match &p.credential {
        Credential::ApiKey { id, .. } => format!("key:{id}"),
        Credential::Jwt => format!("user:{}", p.user.id),
    }
}

fn set_headers(resp: &mut Response, limit: u32, remaining: u32, reset: u64) {
    let h = resp.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(reset));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16 point 5: past the cap, new anonymous clients share one bucket instead of growing
    /// the map; an IPv6 client is one bucket per /64.
    #[test]
    fn address_buckets_are_capped_and_ipv6_goes_by_its_64() {
        let mut limits = RateLimiters::new(&RateLimits::default());
        limits.max_address_buckets = 3;
        let reads = &limits.reads.0;
        for i in 0..10u8 {
            let ip = IpAddr::from([10, 0, 0, i]);
            let key = limits.address_key(reads, Some(ip));
            let _ = reads.check_key(&key);
        }
        assert_eq!(reads.len(), 4, "three addresses and the shared overflow bucket");
        assert_eq!(limits.address_key(reads, Some(IpAddr::from([10, 0, 0, 99]))), OVERFLOW_KEY);

        let fresh = RateLimiters::new(&RateLimits::default());
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("v6");
        let b: IpAddr = "2001:db8:1:2:bbbb::7".parse().expect("v6");
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("mapped");
        assert_eq!(fresh.address_key(&fresh.reads.0, Some(a)), fresh.address_key(&fresh.reads.0, Some(b)));
        assert_eq!(fresh.address_key(&fresh.reads.0, Some(mapped)), "ip:192.0.2.1");
    }
}
