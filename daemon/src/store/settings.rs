//! Installation-wide settings generated once and shared by replicas.

use super::{Store, StoreResult};

impl Store {
    /// Whether the database still holds the JWT signing secret older versions kept there
    /// (migration 0021 deletes it). False on a fresh database, where the table does not exist yet.
    pub async fn legacy_jwt_secret_present(&self) -> bool {
        let row: Result<Option<(String,)>, _> =
            sqlx::query_as("SELECT value FROM settings WHERE key = 'jwt_secret'")
                .fetch_optional(self.pool())
                .await;
        matches!(row, Ok(Some(_)))
    }

    /// Deletes the JWT signing secret from the database (an older replica still running during
    /// an upgrade may have put it back after migration 0021). Returns whether there was one.
    pub async fn legacy_jwt_secret_remove(&self) -> StoreResult<bool> {
        let done = sqlx::query("DELETE FROM settings WHERE key = 'jwt_secret'").execute(self.pool()).await?;
        Ok(done.rows_affected() > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_jwt_secret_put_back_by_an_older_replica_is_removed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store =
            Store::connect(&format!("sqlite://{}", dir.path().join("c.db").display())).await.expect("db");
        assert!(!store.legacy_jwt_secret_present().await, "no table yet");
        store.migrate().await.expect("migrate");
        sqlx::query("INSERT INTO settings (key, value) VALUES ('jwt_secret', 'an old replica wrote this')")
            .execute(store.pool())
            .await
            .expect("insert");
        assert!(store.legacy_jwt_secret_present().await);
        assert!(store.legacy_jwt_secret_remove().await.expect("remove"));
        assert!(!store.legacy_jwt_secret_present().await);
        assert!(!store.legacy_jwt_secret_remove().await.expect("nothing left"));
        store.close().await;
    }
}
