//! The tenant's git credential for a clone: the stored credential whose host pattern matches
//! the URL's host best (longest), opened with the daemon's key. Only the job's own tenant's
//! rows are read; no key configured means every clone is anonymous, as before credentials.

use cairn_sdk::types::TenantId;

use crate::sources::credentials::{GitSecret, best_match};
use crate::sources::url;
use crate::state::AppState;

/// The secret to clone `git_url` with for `tenant`, if it has one. An error is the scan's
/// failure message (never the secret).
pub async fn for_clone(
    state: &AppState,
    tenant: TenantId,
    git_url: &str,
) -> Result<Option<GitSecret>, String> {
    let Some(key) = &state.git_credentials else { return Ok(None) };
    // A URL that does not parse fails later with its own message; file:// has no host.
    let Some(host) = url::parse(git_url).ok().and_then(|u| u.host) else { return Ok(None) };
    let stored = state
        .store
        .git_credential_sealed(tenant)
        .await
        .map_err(|e| format!("could not read the tenant's git credentials: {e}"))?;
    let Some(pattern) = best_match(stored.iter().map(|c| c.host_pattern.as_str()), &host) else {
        return Ok(None);
    };
    let Some(chosen) = stored.iter().find(|c| c.host_pattern == pattern) else { return Ok(None) };
    let undecryptable = || {
        format!(
            "the git credential {} for {} does not decrypt with this daemon's key (the key changed or the row \
             was altered); delete it and add it again",
            chosen.id, chosen.host_pattern
        )
    };
    let plain = key.open(tenant, &chosen.sealed).map_err(|_| undecryptable())?;
    let secret: GitSecret = serde_json::from_slice(&plain).map_err(|_| undecryptable())?;
    tracing::debug!(credential = %chosen.id, host_pattern = %chosen.host_pattern, "cloning with the tenant's git credential");
    Ok(Some(secret))
}
