#![no_main]
// Any bytes given as `package.json` (no lockfile beside it) must give a catalog, never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cairn_engine::catalog::catalog_bytes("package.json", data);
});
