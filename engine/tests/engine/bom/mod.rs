//! Standard documents: every format written from the corpus validates against its official schema,
//! is byte-identical across runs, and carries a SHA-256 that recomputes; readers take other tools'
//! documents and Cairn's own back.

mod emit;
mod read;
mod real;
pub mod schema;
mod testdata;
