//! Standard documents out of an inventory, and other tools' documents back in.
//!
//! Writers: CycloneDX JSON 1.5/1.6/1.7 (also CycloneDX VEX), SPDX 3.0.1 JSON-LD, SPDX 2.3 JSON,
//! OpenVEX 0.2.0 and SARIF 2.1.0, all over one [`BomInput`]. Every document is deterministic: the
//! caller passes the timestamp, ids derive from the content, and CycloneDX and SPDX documents carry
//! `cairn:methodology_version` and `cairn:sha256` (see [`canonical`] and [`verify`]).
//! Readers: [`read::read_document`] turns CycloneDX, SPDX 2 and SPDX 3 documents into an [`Inventory`].

pub mod canonical;
mod canonical_json;
mod crypto;
mod cyclonedx;
mod input;
mod map;
mod openvex;
pub mod read;
mod sarif;
mod seal;
mod spdx2;
mod spdx3;

pub use crypto::{AssetType, CryptoAsset, Occurrence, crypto_assets};
pub use cyclonedx::{CBOM_VERSION, CdxVersion, ROOT_REF, to_cbom, to_cyclonedx};
pub use input::{
    BomAffect, BomInput, BomLicense, BomRating, BomSeverity, BomVulnerability, LicenseKind, RatingMethod,
    RootKind, VexJustification, VexResponse, VexStatus,
};
pub use openvex::to_openvex;
pub use sarif::to_sarif;
pub use seal::{Seal, SealError, verify};
pub use spdx2::to_spdx2;
pub use spdx3::to_spdx3;

use crate::inventory::Inventory;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

/// A document format Cairn writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// CycloneDX JSON at a spec version.
    CycloneDx(CdxVersion),
    /// SPDX 3.0.1 JSON-LD.
    Spdx3,
    /// SPDX 2.3 JSON.
    Spdx23,
    /// OpenVEX 0.2.0.
    OpenVex,
    /// SARIF 2.1.0.
    Sarif,
}

impl Format {
    /// Every format with its command-line name.
    pub const ALL: [(&'static str, Format); 7] = [
        ("cyclonedx", Format::CycloneDx(CdxVersion::V1_6)),
        ("cyclonedx-1.5", Format::CycloneDx(CdxVersion::V1_5)),
        ("cyclonedx-1.7", Format::CycloneDx(CdxVersion::V1_7)),
        ("spdx", Format::Spdx3),
        ("spdx-2.3", Format::Spdx23),
        ("openvex", Format::OpenVex),
        ("sarif", Format::Sarif),
    ];
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = Format::ALL.iter().find(|(_, x)| x == self).map_or("?", |(n, _)| n);
        f.write_str(name)
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL.iter().find(|(n, _)| *n == s).map(|(_, f)| *f).ok_or_else(|| {
            let names: Vec<&str> = Format::ALL.iter().map(|(n, _)| *n).collect();
            format!("unknown format {s:?}; one of {}", names.join(", "))
        })
    }
}

/// Why a document could not be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BomError {
    /// OpenVEX needs at least one statement and there are no vulnerabilities to state.
    #[error("OpenVEX needs at least one statement, and there are no vulnerabilities to state")]
    NothingToState,
    /// The input cannot be expressed in the format.
    #[error("{0}")]
    InvalidInput(String),
}

/// Renders the input in the chosen format.
pub fn render(format: Format, input: &BomInput) -> Result<String, BomError> {
    Ok(match format {
        Format::CycloneDx(v) => to_cyclonedx(input, v),
        Format::Spdx3 => to_spdx3(input),
        Format::Spdx23 => to_spdx2(input),
        Format::OpenVex => to_openvex(input)?,
        Format::Sarif => to_sarif(input),
    })
}

/// Why a document could not be written out by [`render_to`].
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The input cannot be written in the format (nothing was written).
    #[error(transparent)]
    Bom(#[from] BomError),
    /// Writing to the output failed.
    #[error("writing the document: {0}")]
    Write(#[from] std::io::Error),
}

/// Writes the input in the chosen format to `out`, the same bytes as [`render`], serialized
/// straight into the writer. A [`BomError`] is found before anything is written.
pub fn render_to(format: Format, input: &BomInput, out: &mut dyn std::io::Write) -> Result<(), RenderError> {
    match format {
        Format::CycloneDx(v) => cyclonedx::write_sealed(input, v, out)?,
        Format::Spdx3 => canonical::write_pretty(&spdx3::sealed(input), out)?,
        Format::Spdx23 => canonical::write_pretty(&spdx2::sealed(input), out)?,
        Format::OpenVex => canonical::write_pretty(&openvex::document(input)?, out)?,
        Format::Sarif => canonical::write_pretty(&sarif::log(input), out)?,
    }
    Ok(())
}

/// What the root (the scanned project) depends on directly: local packages, direct dependencies,
/// and, when a format does not say what is direct, every component nothing else depends on.
pub(crate) fn top_level(inv: &Inventory) -> BTreeSet<&str> {
    let depended: BTreeSet<&str> = inv.edges.iter().map(|e| e.to.as_str()).collect();
    inv.components
        .iter()
        .filter(|c| {
            c.local || c.direct == Some(true) || (c.direct.is_none() && !depended.contains(c.purl.as_str()))
        })
        .map(|c| c.purl.as_str())
        .collect()
}
