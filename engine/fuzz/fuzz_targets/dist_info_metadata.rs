#![no_main]
// Any bytes given as `x-1.0.dist-info/METADATA` must give a catalog (packages or diagnostics), never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cairn_engine::catalog::catalog_bytes("x-1.0.dist-info/METADATA", data);
});
