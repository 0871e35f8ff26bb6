//! Packages recorded inside compiled binaries: Go's embedded build information.
//!
//! Binaries are read as bytes and never executed.

pub mod go;
