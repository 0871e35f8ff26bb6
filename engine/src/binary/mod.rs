//! Packages recorded inside compiled artifacts: Go binaries' build information, Java archives.
//!
//! Binaries are read as bytes and never executed.

pub mod go;
pub mod jar;
