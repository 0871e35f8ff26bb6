#![no_main]
// Any bytes given as `Gemfile.lock` must give a catalog (packages or diagnostics), never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    cairn_engine::catalog::catalog_bytes("Gemfile.lock", data);
});
