//! Provider metadata kept between logins: OIDC discovery documents and JWKS, by URL, for an hour.
//! Before, every authorize and every callback fetched discovery, and every callback the JWKS: a
//! slow or flaky provider slowed every login, and a login burst became a burst at the provider.
//! A key set is fetched again early only when an ID token names a key it does not hold (the
//! provider rotated keys), and at most once per such key id, so a provider sending made-up key ids
//! cannot make the daemon hammer its JWKS endpoint.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::OAuthError;

/// How long a fetched document is used.
pub const TTL: Duration = Duration::from_secs(3600);

/// One cached document with when it was fetched and the key ids that already forced a refetch.
struct Entry<T> {
    value: T,
    fetched: Instant,
    refreshed_for: HashSet<String>,
}

/// Documents by URL.
pub struct Cache<T> {
    entries: Mutex<HashMap<String, Entry<T>>>,
}

impl<T: Clone> Default for Cache<T> {
    fn default() -> Self {
        Self { entries: Mutex::new(HashMap::new()) }
    }
}

impl<T: Clone> Cache<T> {
    fn with<R>(&self, f: impl FnOnce(&mut HashMap<String, Entry<T>>) -> R) -> R {
        match self.entries.lock() {
            Ok(mut g) => f(&mut g),
            Err(poisoned) => f(&mut poisoned.into_inner()),
        }
    }

    /// The document at `url`: cached when younger than [`TTL`], else `fetch`ed and kept.
    pub async fn get<F, Fut>(&self, url: &str, fetch: F) -> Result<T, OAuthError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, OAuthError>>,
    {
        let fresh = self.with(|m| m.get(url).filter(|e| e.fetched.elapsed() < TTL).map(|e| e.value.clone()));
        if let Some(v) = fresh {
            return Ok(v);
        }
        let value = fetch().await?;
        self.with(|m| {
            m.insert(
                url.to_owned(),
                Entry { value: value.clone(), fetched: Instant::now(), refreshed_for: HashSet::new() },
            )
        });
        Ok(value)
    }

    /// Fetches `url` again because a token named `kid`, which the cached document lacks; `None`
    /// when `kid` already caused a refetch of this document (then the cached one stands).
    pub async fn refresh_for<F, Fut>(&self, url: &str, kid: &str, fetch: F) -> Result<Option<T>, OAuthError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, OAuthError>>,
    {
        let first_time = self.with(|m| m.get_mut(url).is_none_or(|e| e.refreshed_for.insert(kid.to_owned())));
        if !first_time {
            return Ok(None);
        }
        let value = fetch().await?;
        self.with(|m| {
            let entry = m.entry(url.to_owned()).or_insert_with(|| Entry {
                value: value.clone(),
                fetched: Instant::now(),
                refreshed_for: HashSet::from([kid.to_owned()]),
            });
            entry.value = value.clone();
            entry.fetched = Instant::now();
        });
        Ok(Some(value))
    }
}

/// The process's discovery documents.
pub fn discovery() -> &'static Cache<super::oidc::Discovery> {
    static CACHE: OnceLock<Cache<super::oidc::Discovery>> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

/// The process's key sets.
pub fn jwks() -> &'static Cache<serde_json::Value> {
    static CACHE: OnceLock<Cache<serde_json::Value>> = OnceLock::new();
    CACHE.get_or_init(Cache::default)
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[tokio::test]
    async fn fetches_once_and_refreshes_once_per_unknown_key() {
        let cache: Cache<u32> = Cache::default();
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            Ok::<_, OAuthError>(u32::try_from(calls.fetch_add(1, Ordering::SeqCst)).unwrap_or(u32::MAX))
        };
        assert_eq!(cache.get("u", fetch).await.expect("first"), 0);
        assert_eq!(cache.get("u", fetch).await.expect("cached"), 0);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.refresh_for("u", "new-kid", fetch).await.expect("refresh"), Some(1));
        assert_eq!(cache.get("u", fetch).await.expect("refreshed"), 1);
        assert_eq!(cache.refresh_for("u", "new-kid", fetch).await.expect("again"), None, "once per kid");
        assert_eq!(cache.refresh_for("u", "other-kid", fetch).await.expect("other"), Some(2));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let failing = || async { Err::<u32, _>(OAuthError::Provider("down".into())) };
        assert!(cache.get("v", failing).await.is_err(), "failures are not cached");
    }
}
