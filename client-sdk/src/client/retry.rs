//! When to try a request again: 429 and 503 (honouring `Retry-After`) and dropped connections,
//! only for requests that are safe to repeat, a bounded number of times.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// How many times and how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 turns retrying off).
    pub max_retries: u32,
    /// First backoff when the server gives no `Retry-After`; doubles per retry.
    pub base_delay: Duration,
    /// The longest single wait. A `Retry-After` beyond it is not waited out: the error is returned
    /// with its `retry_after`, so a script is not silently parked for an hour.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_retries: 3, base_delay: Duration::from_millis(250), max_delay: Duration::from_secs(60) }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_retries: 0, ..Self::default() }
    }

    /// Exponential backoff for retry number `attempt` (0-based), capped at `max_delay`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    /// The wait before retrying a response with `status`, or `None` when it must not be retried.
    pub fn wait_for_status(
        &self,
        status: u16,
        headers: &HeaderMap,
        attempt: u32,
        repeatable: bool,
    ) -> Option<Duration> {
        if !repeatable || attempt >= self.max_retries || !matches!(status, 429 | 503) {
            return None;
        }
        match retry_after(headers) {
            Some(wait) if wait > self.max_delay => None,
            Some(wait) => Some(wait),
            None => Some(self.backoff(attempt)),
        }
    }
}

/// A request may be sent twice when its method is idempotent, it carries an `Idempotency-Key`, or
/// it is a PATCH with `If-Match`: if the first attempt did land, the repeat meets a changed version
/// and is refused with 412 instead of applying twice.
pub fn repeatable(method: &Method, has_idempotency_key: bool, has_if_match: bool) -> bool {
    has_idempotency_key
        || (has_if_match && *method == Method::PATCH)
        || matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS)
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = text.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    let at = time::PrimitiveDateTime::parse(text, format).ok()?.assume_utc();
    let now = time::OffsetDateTime::now_utc();
    Some(if at > now { Duration::try_from(at - now).unwrap_or_default() } else { Duration::ZERO })
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, HeaderValue::from_str(v).expect("header"));
        h
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(retry_after(&headers("7")), Some(Duration::from_secs(7)));
        assert_eq!(retry_after(&headers("Wed, 21 Oct 2015 07:28:00 GMT")), Some(Duration::ZERO));
        let future = time::OffsetDateTime::now_utc() + time::Duration::seconds(120);
        let f = time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        );
        let wait = retry_after(&headers(&future.format(f).expect("fmt"))).expect("parsed");
        assert!(wait > Duration::from_secs(100) && wait <= Duration::from_secs(120), "{wait:?}");
        assert_eq!(retry_after(&headers("soon")), None);
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }

    #[test]
    fn only_repeatable_requests_on_429_and_503_within_bounds() {
        let p = RetryPolicy::default();
        let h = headers("2");
        assert_eq!(p.wait_for_status(429, &h, 0, true), Some(Duration::from_secs(2)));
        assert_eq!(p.wait_for_status(503, &HeaderMap::new(), 1, true), Some(Duration::from_millis(500)));
        assert_eq!(p.wait_for_status(429, &h, 0, false), None, "a POST without Idempotency-Key");
        assert_eq!(p.wait_for_status(500, &h, 0, true), None);
        assert_eq!(p.wait_for_status(429, &h, 3, true), None, "retries exhausted");
        assert_eq!(p.wait_for_status(429, &headers("3600"), 0, true), None, "too long to wait");
        assert!(repeatable(&Method::GET, false, false) && repeatable(&Method::DELETE, false, false));
        assert!(!repeatable(&Method::POST, false, false) && repeatable(&Method::POST, true, false));
        assert!(!repeatable(&Method::PATCH, false, false), "a PATCH without If-Match");
        assert!(repeatable(&Method::PATCH, false, true), "a PATCH with If-Match");
        assert_eq!(p.backoff(30), p.max_delay);
    }
}
