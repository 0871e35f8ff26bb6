//! Pending OAuth authorization requests (single use, short-lived) and the one-time login codes a
//! finished login hands to its `redirect_to`. Both are stored by hash.

use cairn_sdk::types::UserId;
use sqlx::FromRow;

use super::{Store, StoreError, StoreResult, now, parse_id, ts};

/// A request to store at `authorize`.
#[derive(Debug, Clone)]
pub struct NewOAuthState<'a> {
    /// SHA-256 of the `state` parameter.
    pub state_hash: &'a str,
    /// Provider name.
    pub provider: &'a str,
    /// PKCE verifier.
    pub pkce_verifier: &'a str,
    /// OIDC nonce.
    pub nonce: &'a str,
    /// Where the login code goes afterwards.
    pub redirect_to: Option<&'a str>,
    /// The logged-in user who asked to link this identity.
    pub link_user: Option<UserId>,
    /// SHA-256 of an invitation token for sign-up.
    pub invite_token_hash: Option<&'a str>,
    /// A CLI login's PKCE challenge (S256), which its one-time code will be bound to.
    pub code_challenge: Option<&'a str>,
    /// Lifetime.
    pub ttl: time::Duration,
}

/// A consumed request.
#[derive(Debug, Clone)]
pub struct OAuthStateRecord {
    /// Provider name.
    pub provider: String,
    /// PKCE verifier.
    pub pkce_verifier: String,
    /// OIDC nonce.
    pub nonce: String,
    /// Where the login code goes.
    pub redirect_to: Option<String>,
    /// The user linking, if this is a link flow.
    pub link_user: Option<UserId>,
    /// Invitation token hash.
    pub invite_token_hash: Option<String>,
    /// A CLI login's PKCE challenge.
    pub code_challenge: Option<String>,
}

#[derive(FromRow)]
struct StateRow {
    provider: String,
    pkce_verifier: String,
    nonce: String,
    redirect_to: Option<String>,
    link_user_id: Option<String>,
    invite_token_hash: Option<String>,
    code_challenge: Option<String>,
}

impl Store {
    /// Stores a pending request (and forgets expired ones, so the table stays small).
    pub async fn oauth_state_create(&self, s: NewOAuthState<'_>) -> StoreResult<()> {
        let created = now();
        sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
            .bind(ts(created))
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO oauth_states (state_hash, provider, pkce_verifier, nonce, redirect_to, link_user_id, \
             invite_token_hash, code_challenge, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(s.state_hash)
        .bind(s.provider)
        .bind(s.pkce_verifier)
        .bind(s.nonce)
        .bind(s.redirect_to)
        .bind(s.link_user.map(|u| u.to_string()))
        .bind(s.invite_token_hash)
        .bind(s.code_challenge)
        .bind(ts(created))
        .bind(ts(created + s.ttl))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Marks a pending request used and returns it; `NotFound` when unknown, used or expired.
    pub async fn oauth_state_consume(&self, state_hash: &str) -> StoreResult<OAuthStateRecord> {
        let stamp = ts(now());
        // The conditional UPDATE is the single-use guard: of two racing callbacks one matches.
        let done = sqlx::query(
            "UPDATE oauth_states SET used_at = $1 WHERE state_hash = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(&stamp)
        .bind(state_hash)
        .execute(self.pool())
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let row: StateRow = sqlx::query_as(
            "SELECT provider, pkce_verifier, nonce, redirect_to, link_user_id, invite_token_hash, code_challenge \
             FROM oauth_states WHERE state_hash = $1",
        )
        .bind(state_hash)
        .fetch_one(self.pool())
        .await?;
        Ok(OAuthStateRecord {
            provider: row.provider,
            pkce_verifier: row.pkce_verifier,
            nonce: row.nonce,
            redirect_to: row.redirect_to,
            link_user: row.link_user_id.as_deref().map(parse_id).transpose()?,
            invite_token_hash: row.invite_token_hash,
            code_challenge: row.code_challenge,
        })
    }

    /// Stores a one-time login code for `user`, bound to a CLI login's PKCE challenge if any.
    pub async fn oauth_code_create(
        &self,
        code_hash: &str,
        user: UserId,
        code_challenge: Option<&str>,
        ttl: time::Duration,
    ) -> StoreResult<()> {
        let created = now();
        sqlx::query("DELETE FROM oauth_login_codes WHERE expires_at < $1")
            .bind(ts(created))
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO oauth_login_codes (code_hash, user_id, code_challenge, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(code_hash)
        .bind(user.to_string())
        .bind(code_challenge)
        .bind(ts(created))
        .bind(ts(created + ttl))
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Redeems a login code once; `NotFound` when unknown, used, expired, or bound to a PKCE
    /// challenge that `presented_challenge` (S256 of the caller's verifier) does not match.
    pub async fn oauth_code_consume(
        &self,
        code_hash: &str,
        presented_challenge: Option<&str>,
    ) -> StoreResult<UserId> {
        let stamp = ts(now());
        let done = sqlx::query(
            "UPDATE oauth_login_codes SET used_at = $1 WHERE code_hash = $2 AND used_at IS NULL AND expires_at > $1 \
             AND (code_challenge IS NULL OR code_challenge = $3)",
        )
        .bind(&stamp)
        .bind(code_hash)
        .bind(presented_challenge)
        .execute(self.pool())
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let (user,): (String,) = sqlx::query_as("SELECT user_id FROM oauth_login_codes WHERE code_hash = $1")
            .bind(code_hash)
            .fetch_one(self.pool())
            .await?;
        parse_id(&user)
    }
}
