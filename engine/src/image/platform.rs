//! Platforms are a shared word: [`cairn_vocab::Platform`] (the registry client and the CLI name
//! them too).

pub use cairn_vocab::{Platform, PlatformError};
