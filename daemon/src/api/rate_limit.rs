//! Rate limits per client (GCRA via `governor`): login per IP, reads, writes and uploads per
//! authenticated principal (the API key, else the user), with `X-RateLimit-Limit/Remaining/Reset`
//! on every limited response and `Retry-After` on 429.
//!
//! The bucket is chosen after authentication, never from the header's text: `bearer` or extra
//! spaces name the same principal, and a credential that does not authenticate counts against
//! the client's address (an IPv6 client by its /64, which one host usually holds whole). The
//! buckets of addresses are capped: past [`MAX_ADDRESS_BUCKETS`] live ones, new anonymous
//! clients share one bucket until idle ones are forgotten.
//!
//! On Postgres the buckets live in the database (`store::rate_buckets`, the same GCRA), so every
//! replica spends from one budget: two replicas do not double a principal's allowance. SQLite is
//! one process and keeps them in memory. The health probes (`/api/health`, `/healthz`, `/readyz`)
//! have a generous per-address class of their own, always in memory: a probe must not wait on the
//! database it reports on.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};

use crate::auth::principal::{Credential, Principal};
use cairn_sdk::types::TenantId;

use crate::config::{Quotas, RateLimits};
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use crate::store::{Backend, BucketRule, BucketVerdict};

type Limiter = RateLimiter<
    String,
    governor::state::keyed::DefaultKeyedStateStore<String>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// A class's limiter, its allowance, the period (seconds) the allowance is per, and its name (the
/// prefix of its shared buckets).
type Class = (Limiter, u32, u32, &'static str);

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
    health: Class,
    /// `[quotas] uploads_per_hour`, keyed on the tenant (`None` = no limit).
    tenant_uploads: Option<Class>,
    /// `[quotas] concurrent_uploads` (0 = no limit) and the uploads each tenant has in flight here.
    max_concurrent_uploads: u32,
    uploads_in_flight: Arc<Mutex<HashMap<TenantId, u32>>>,
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

fn limiter(name: &'static str, per_minute: u32) -> Class {
    let n = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
    (
        RateLimiter::keyed(Quota::per_minute(n)).with_middleware::<StateInformationMiddleware>(),
        n.get(),
        60,
        name,
    )
}

fn hourly(name: &'static str, per_hour: u32) -> Class {
    let n = NonZeroU32::new(per_hour.max(1)).unwrap_or(NonZeroU32::MIN);
    (
        RateLimiter::keyed(Quota::per_hour(n)).with_middleware::<StateInformationMiddleware>(),
        n.get(),
        3600,
        name,
    )
}

impl RateLimiters {
    /// Limiters with the configured quotas (0 is treated as 1).
    pub fn new(cfg: &RateLimits, quotas: &Quotas) -> Self {
        Self {
            login: limiter("login", cfg.login_per_minute),
            reads: limiter("reads", cfg.reads_per_minute),
            writes: limiter("writes", cfg.writes_per_minute),
            uploads: hourly("uploads", cfg.uploads_per_hour),
            health: limiter("health", cfg.health_per_minute),
            tenant_uploads: (quotas.uploads_per_hour > 0)
                .then(|| hourly("tenant-uploads", quotas.uploads_per_hour)),
            max_concurrent_uploads: quotas.concurrent_uploads,
            uploads_in_flight: Arc::default(),
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
        self.health.0.retain_recent();
        if let Some(c) = &self.tenant_uploads {
            c.0.retain_recent();
        }
    }

    /// A place among `tenant`'s concurrent uploads on this replica, or 429 naming the quota.
    fn take_upload_slot(&self, tenant: TenantId) -> Result<UploadSlot, ApiError> {
        let mut flight =
            self.uploads_in_flight.lock().map_err(|_| ApiError::internal("upload slots poisoned"))?;
        let n = flight.entry(tenant).or_insert(0);
        if self.max_concurrent_uploads > 0 && *n >= self.max_concurrent_uploads {
            return Err(ApiError::quota("concurrent_uploads", self.max_concurrent_uploads, None));
        }
        *n += 1;
        Ok(UploadSlot { tenant, flight: self.uploads_in_flight.clone() })
    }

    /// Admits one upload of `tenant`: its hourly quota (shared across replicas on Postgres) and a
    /// place among its concurrent uploads, held until the returned guard drops.
    pub async fn admit_upload(&self, state: &AppState, tenant: TenantId) -> Result<UploadSlot, ApiError> {
        let slot = self.take_upload_slot(tenant)?;
        if let Some(class) = &self.tenant_uploads {
            let key = format!("tenant:{tenant}");
            let verdict = match state.store.backend() {
                Backend::Postgres => shared_take(state, class, &key).await,
                Backend::Sqlite => local_take(class, &key),
            };
            if let Err(wait) = verdict {
                let secs = (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1);
                return Err(ApiError::quota("uploads_per_hour", class.1, Some(secs)));
            }
        }
        Ok(slot)
    }
}

/// A tenant's place among its concurrent uploads; given back on drop (the request ended).
#[derive(Debug)]
pub struct UploadSlot {
    tenant: TenantId,
    flight: Arc<Mutex<HashMap<TenantId, u32>>>,
}

impl Drop for UploadSlot {
    fn drop(&mut self) {
        if let Ok(mut flight) = self.flight.lock()
            && let Some(n) = flight.get_mut(&self.tenant)
        {
            *n = n.saturating_sub(1);
            if *n == 0 {
                flight.remove(&self.tenant);
            }
        }
    }
}

/// The probes: limited per address only, in their own class.
const HEALTH_PATHS: [&str; 3] = ["/api/health", "/healthz", "/readyz"];

const LOGIN_PATHS: [&str; 7] = [
    "/api/v1/auth/login",
    "/api/v1/auth/token",
    "/api/v1/auth/register",
    "/api/v1/auth/register/verify",
    "/api/v1/auth/refresh",
    "/api/v1/auth/forgot-password",
    "/api/v1/auth/reset-password",
];

/// Whether requests to `path` spend from a rate-limit budget (and so may be answered 429): the
/// health probes and everything under `/api/v1`; metrics, the document and problem pages are not.
pub fn is_limited(path: &str) -> bool {
    HEALTH_PATHS.contains(&path) || path.starts_with("/api/v1/")
}

/// Applies the limit of the request's class and sets the headers.
pub async fn limit(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let ip: Option<IpAddr> = req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let limits = &state.limits;
    if HEALTH_PATHS.contains(&path) {
        let class = &limits.health;
        let key = limits.address_key(&class.0, ip);
        return match local_take(class, &key) {
            Ok(remaining) => finish(next.run(req).await, class, remaining),
            Err(wait) => refuse(class, wait),
        };
    }
    if !path.starts_with("/api/v1/") {
        // Metrics (token or super admin) and docs are not limited.
        return next.run(req).await;
    }
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
    let verdict = match state.store.backend() {
        Backend::Postgres => shared_take(&state, class, &key).await,
        Backend::Sqlite => local_take(class, &key),
    };
    match verdict {
        Ok(remaining) => finish(next.run(req).await, class, remaining),
        Err(wait) => refuse(class, wait),
    }
}

/// Spends one request from the in-memory bucket: `Ok(remaining)` or `Err(wait)`.
fn local_take(class: &Class, key: &str) -> Result<u32, Duration> {
    match class.0.check_key(&key.to_owned()) {
        Ok(snapshot) => Ok(snapshot.remaining_burst_capacity()),
        Err(not_until) => Err(not_until.wait_time_from(DefaultClock::default().now())),
    }
}

/// Spends one request from the bucket every replica shares. A database that does not answer lets
/// the request through (logged): the request will meet the same database and fail on its own.
async fn shared_take(state: &AppState, class: &Class, key: &str) -> Result<u32, Duration> {
    let (_, allowance, period, name) = class;
    let rule = BucketRule::per_period(*allowance, *period);
    let now = time::OffsetDateTime::now_utc();
    let now_us = i64::try_from(now.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX);
    match state.store.rate_bucket_take(&format!("{name}|{key}"), rule, now_us).await {
        Ok(BucketVerdict::Allowed { remaining }) => Ok(remaining),
        Ok(BucketVerdict::Limited { wait_us }) => Err(Duration::from_micros(wait_us.unsigned_abs())),
        Err(e) => {
            tracing::warn!(error = %e, "shared rate limit unavailable; request let through");
            Ok(*allowance)
        }
    }
}

/// The answer with the class's headers.
fn finish(mut resp: Response, class: &Class, remaining: u32) -> Response {
    let (_, allowance, period, _) = class;
    let per_cell = f64::from(*period) / f64::from(*allowance);
    let reset = (f64::from(allowance - remaining.min(*allowance)) * per_cell).ceil() as u64;
    set_headers(&mut resp, *allowance, remaining, reset);
    resp
}

/// The 429 of a class, with `Retry-After`.
fn refuse(class: &Class, wait: Duration) -> Response {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    let mut err = ApiError::new(Kind::RateLimited, format!("retry in {secs} s"));
    err.retry_after = Some(secs.max(1));
    let mut resp = err.into_response();
    set_headers(&mut resp, class.1, 0, secs.max(1));
    resp
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
        let mut limits = RateLimiters::new(&RateLimits::default(), &Quotas::default());
        limits.max_address_buckets = 3;
        let reads = &limits.reads.0;
        for i in 0..10u8 {
            let ip = IpAddr::from([10, 0, 0, i]);
            let key = limits.address_key(reads, Some(ip));
            let _ = reads.check_key(&key);
        }
        assert_eq!(reads.len(), 4, "three addresses and the shared overflow bucket");
        assert_eq!(limits.address_key(reads, Some(IpAddr::from([10, 0, 0, 99]))), OVERFLOW_KEY);

        let fresh = RateLimiters::new(&RateLimits::default(), &Quotas::default());
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().expect("v6");
        let b: IpAddr = "2001:db8:1:2:bbbb::7".parse().expect("v6");
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("mapped");
        assert_eq!(fresh.address_key(&fresh.reads.0, Some(a)), fresh.address_key(&fresh.reads.0, Some(b)));
        assert_eq!(fresh.address_key(&fresh.reads.0, Some(mapped)), "ip:192.0.2.1");
    }

    /// Issue 16 point 5: a tenant's concurrent uploads are capped (the old daemon had no such
    /// quota); the place is given back when the upload's request ends, and other tenants are not
    /// affected.
    #[test]
    fn concurrent_uploads_are_capped_per_tenant() {
        let quotas = Quotas { concurrent_uploads: 2, ..Quotas::default() };
        let limits = RateLimiters::new(&RateLimits::default(), &quotas);
        let (a, b) = (TenantId::new(), TenantId::new());
        let first = limits.take_upload_slot(a).expect("first");
        let _second = limits.take_upload_slot(a).expect("second");
        let refused = limits.take_upload_slot(a).expect_err("third at once");
        assert_eq!(refused.kind, Kind::QuotaExceeded);
        assert_eq!(refused.errors[0].field, "quotas.concurrent_uploads");
        let _other = limits.take_upload_slot(b).expect("another tenant");
        drop(first);
        let _again = limits.take_upload_slot(a).expect("a place was given back");
        let unlimited =
            RateLimiters::new(&RateLimits::default(), &Quotas { concurrent_uploads: 0, ..Quotas::default() });
        let held: Vec<_> = (0..50).map(|_| unlimited.take_upload_slot(a).expect("no limit")).collect();
        assert_eq!(held.len(), 50);
    }
}
