#![no_main]
// Any text given to the SBOM reader must be read or refused with an error, never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cairn_engine::bom::read::read_document(text, "fuzz");
    }
});
