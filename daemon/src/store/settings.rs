//! Installation-wide settings generated once and shared by replicas (the JWT signing key).

use super::{Store, StoreResult};

impl Store {
    /// The value of `key`, inserting `candidate` first if there is none; every replica gets the
    /// same answer because the insert is a no-op when another got there first.
    pub async fn setting_get_or_insert(&self, key: &str, candidate: &str) -> StoreResult<String> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING")
            .bind(key)
            .bind(candidate)
            .execute(self.pool())
            .await?;
        let value: (String,) = sqlx::query_as("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_one(self.pool())
            .await?;
        Ok(value.0)
    }
}
