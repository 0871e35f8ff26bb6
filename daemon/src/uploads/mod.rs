//! Uploaded archives and SBOM documents waiting for their scan: where they are kept
//! (`[uploads] store`), the files themselves, and the cheap check an SBOM gets in the request.

pub mod config;
pub mod files;
pub mod sniff;

pub use config::{UploadPlace, UploadStore, UploadsConfig};
