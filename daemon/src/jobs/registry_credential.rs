//! The tenant's registry credential for an image pull: the stored credential for the
//! reference's registry, opened with the daemon's key. Only the job's own tenant's rows are read;
//! without a key every pull is anonymous.

use cairn_sdk::registry::Credential;
use cairn_sdk::types::TenantId;

use crate::sources::image::{RegistrySecret, registry_of};
use crate::state::AppState;

/// The credential to pull `reference` with for `tenant`, if it has one. An error is the scan's
/// failure message (never the password).
pub async fn for_pull(
    state: &AppState,
    tenant: TenantId,
    reference: &str,
) -> Result<Option<Credential>, String> {
    let Some(key) = &state.git_credentials else { return Ok(None) };
    // A reference that does not parse fails later with its own message.
    let Some(registry) = registry_of(reference) else { return Ok(None) };
    let stored = state
        .store
        .registry_credential_sealed(tenant, &registry)
        .await
        .map_err(|e| format!("could not read the tenant's registry credentials: {e}"))?;
    let Some((id, _, sealed)) = stored else { return Ok(None) };
    let undecryptable = || {
        format!(
            "the registry credential {id} for {registry} does not decrypt with this daemon's key (the key changed \
             or the row was altered); delete it and add it again"
        )
    };
    let plain = key.open(tenant, &sealed).map_err(|_| undecryptable())?;
    let secret: RegistrySecret = serde_json::from_slice(&plain).map_err(|_| undecryptable())?;
    tracing::debug!(credential = %id, %registry, "pulling with the tenant's registry credential");
    Ok(Some(secret.into_credential()))
}
