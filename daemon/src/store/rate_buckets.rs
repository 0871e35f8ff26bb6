//! Rate-limit buckets shared by every replica (GCRA, the algorithm the in-memory limiter uses):
//! one row per bucket holding its theoretical arrival time. A request is one atomic upsert, so two
//! replicas spending the same principal's budget cannot both see it unspent.

use super::{Store, StoreResult};

/// A bucket's rule: `burst` requests at once, one more every `interval_us`.
#[derive(Debug, Clone, Copy)]
pub struct BucketRule {
    /// Microseconds between two requests at the sustained rate.
    pub interval_us: i64,
    /// Requests allowed at once from a full bucket.
    pub burst: u32,
}

impl BucketRule {
    /// `allowance` requests per `period_secs`, as a burst of `allowance` refilled one every
    /// `period / allowance`. The interval is at least a microsecond: above a million a second it
    /// rounded to 0, the window (interval × burst) with it, and any request whose clock read
    /// earlier than a concurrent one's was refused whatever the allowance.
    pub fn per_period(allowance: u32, period_secs: u32) -> BucketRule {
        let interval_us = i64::from(period_secs) * 1_000_000 / i64::from(allowance.max(1));
        BucketRule { interval_us: interval_us.max(1), burst: allowance }
    }
}

/// What the bucket said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketVerdict {
    /// Allowed; this many more would be allowed right now.
    Allowed {
        /// Requests left at once.
        remaining: u32,
    },
    /// Refused; the next one is allowed after this many microseconds.
    Limited {
        /// Wait in microseconds.
        wait_us: i64,
    },
}

impl Store {
    /// Spends one request of `bucket` at `now_us` (microseconds since the epoch).
    pub async fn rate_bucket_take(
        &self,
        bucket: &str,
        rule: BucketRule,
        now_us: i64,
    ) -> StoreResult<BucketVerdict> {
        let window = rule.interval_us.saturating_mul(i64::from(rule.burst.max(1)));
        // The conditional upsert is the whole algorithm: the row moves only when the request fits,
        // and the row lock makes concurrent takes (on any replica) serialise.
        let taken: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO rate_buckets (bucket, tat_us) VALUES ($1, $2 + $3) \
             ON CONFLICT (bucket) DO UPDATE \
             SET tat_us = (CASE WHEN rate_buckets.tat_us > $2 THEN rate_buckets.tat_us ELSE $2 END) + $3 \
             WHERE (CASE WHEN rate_buckets.tat_us > $2 THEN rate_buckets.tat_us ELSE $2 END) + $3 - $2 <= $4 \
             RETURNING tat_us",
        )
        .bind(bucket)
        .bind(now_us)
        .bind(rule.interval_us)
        .bind(window)
        .fetch_optional(self.pool())
        .await?;
        if let Some((tat,)) = taken {
            let left = (window - (tat - now_us)) / rule.interval_us.max(1);
            return Ok(BucketVerdict::Allowed { remaining: u32::try_from(left.max(0)).unwrap_or(u32::MAX) });
        }
        let (tat,): (i64,) = sqlx::query_as("SELECT tat_us FROM rate_buckets WHERE bucket = $1")
            .bind(bucket)
            .fetch_one(self.pool())
            .await?;
        Ok(BucketVerdict::Limited { wait_us: (tat + rule.interval_us - now_us - window).max(1) })
    }

    /// Forgets full buckets (their time has passed), so the table holds only active clients.
    pub async fn rate_buckets_sweep(&self, now_us: i64) -> StoreResult<u64> {
        let done = sqlx::query("DELETE FROM rate_buckets WHERE tat_us < $1")
            .bind(now_us)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_huge_allowance_keeps_a_window() {
        let rule = BucketRule::per_period(1_000_000_000, 60);
        assert!(rule.interval_us >= 1, "{rule:?}");
        assert!(rule.interval_us.saturating_mul(i64::from(rule.burst)) >= 60_000_000);
        let usual = BucketRule::per_period(300, 60);
        assert_eq!((usual.interval_us, usual.burst), (200_000, 300));
    }
}
