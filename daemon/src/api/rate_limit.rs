//! Rate limits per client (GCRA via `governor`): login per IP, reads, writes and uploads per
//! credential, with `X-RateLimit-Limit/Remaining/Reset` on every limited response and `Retry-After` on 429.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};

use crate::auth::secrets::sha256_hex;
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

/// One limiter per class.
pub struct RateLimiters {
    login: Class,
    reads: Class,
    writes: Class,
    uploads: Class,
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
pub async fn limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if !path.starts_with("/api/v1/") {
        // Probes, metrics and docs are not limited.
        return next.run(req).await;
    }
    let ip: Option<IpAddr> = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let ip_key = ip.map(|i| format!("ip:{i}")).unwrap_or_else(|| "ip:unknown".into());
    let (class, key) = if req.method() == Method::POST && LOGIN_PATHS.contains(&path) {
        (&state.limits.login, ip_key)
    } else {
        // The credential itself keys the bucket; hashed so the map never holds secrets.
        let key = req
            .headers()
            .get(header::AUTHORIZATION)
            .map(|v| format!("cred:{}", &sha256_hex(v.as_bytes())[..32]))
            .unwrap_or(ip_key);
        if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
            (&state.limits.reads, key)
        } else if req.method() == Method::POST && super::idempotency::is_upload_path(path) {
            (&state.limits.uploads, key)
        } else {
            (&state.limits.writes, key)
        }
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

fn set_headers(resp: &mut Response, limit: u32, remaining: u32, reset: u64) {
    let h = resp.headers_mut();
    h.insert("x-ratelimit-limit", HeaderValue::from(limit));
    h.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
    h.insert("x-ratelimit-reset", HeaderValue::from(reset));
}
