#![no_main]
// Any text given as `nginx.conf` to the crypto scanner must give uses (or none), never a panic.
libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = cairn_engine::crypto::protocol::find_protocols("nginx.conf", text);
    }
});
