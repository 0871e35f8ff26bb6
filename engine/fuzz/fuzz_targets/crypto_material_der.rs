#![no_main]
// Any bytes given as a certificate, key or key-store file must give material (or none), never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = cairn_engine::crypto::material::read_material_bytes("store.p12", data);
});
