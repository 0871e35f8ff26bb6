//! When a failed delivery is tried again: exponential backoff with jitter, capped, for a limited
//! period after which the delivery fails for good.

use std::time::Duration;

use rand::RngExt;
use time::OffsetDateTime;

use super::config::WebhooksConfig;

/// The delay after attempt `attempt` (1-based) failed: `base · 2^(attempt-1)` plus up to 25 %
/// jitter, at most `retry_max_delay_secs`. The jitter stays below the doubling, so delays grow.
pub fn delay_after(config: &WebhooksConfig, attempt: u32, jitter: f64) -> Duration {
    let base = config.retry_base_ms.max(1) as f64;
    let exp = base * 2f64.powi(attempt.saturating_sub(1).min(40) as i32);
    let jittered = exp * (1.0 + 0.25 * jitter.clamp(0.0, 0.999));
    let max = Duration::from_secs(config.retry_max_delay_secs.max(1));
    Duration::from_millis(jittered as u64).min(max)
}

/// When to try again after attempt `attempt` failed, or `None` when the retry period that
/// started at `retry_from` would be over by then.
pub fn next_attempt(
    config: &WebhooksConfig,
    attempt: u32,
    retry_from: OffsetDateTime,
    now: OffsetDateTime,
) -> Option<OffsetDateTime> {
    let jitter: f64 = rand::rng().random();
    let at = now + delay_after(config, attempt, jitter);
    let until = retry_from + Duration::from_secs(config.retry_for_secs);
    (at <= until).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_with_bounded_jitter_and_stop_after_the_period() {
        let config = WebhooksConfig::default();
        assert_eq!(delay_after(&config, 1, 0.0), Duration::from_secs(30));
        assert_eq!(delay_after(&config, 2, 0.0), Duration::from_secs(60));
        assert_eq!(delay_after(&config, 3, 0.999), Duration::from_millis(149_970));
        // Even the largest jitter on one attempt stays below the next attempt's smallest delay.
        for attempt in 1..7 {
            assert!(delay_after(&config, attempt, 0.999) < delay_after(&config, attempt + 1, 0.0));
        }
        assert_eq!(delay_after(&config, 30, 0.5), Duration::from_secs(3_600), "capped");
        let start = OffsetDateTime::UNIX_EPOCH;
        assert!(next_attempt(&config, 1, start, start).is_some());
        let late = start + Duration::from_secs(24 * 3_600 - 10);
        assert_eq!(next_attempt(&config, 1, start, late), None, "the 24 h period is over");
    }
}
