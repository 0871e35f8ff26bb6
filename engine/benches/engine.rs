//! Engine benchmarks (criterion). Filled in with the catalogers.
fn main() {}
