//! Installation-wide settings generated once and shared by replicas.

use super::Store;

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
}
