//! Standard documents out of an inventory. For now a minimal CycloneDX 1.6 SBOM; the full set of
//! formats (CycloneDX 1.5/1.7, SPDX, OpenVEX, SARIF) and readers land with their own models.

mod cyclonedx;

pub use cyclonedx::{CycloneDxOptions, to_cyclonedx};
