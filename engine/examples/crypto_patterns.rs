//! Prints every crypto rule pattern, one per line, for `rg -f` in the throughput comparison of
//! docs/benchmarks.md: `cargo run -p cairn-engine --example crypto_patterns > patterns.txt`.

fn main() {
    use cairn_engine::crypto::rules;
    for t in [
        rules::COMMON,
        rules::PYTHON,
        rules::JAVA,
        rules::GO,
        rules::JAVASCRIPT,
        rules::RUST,
        rules::C,
        rules::CSHARP,
        rules::PHP,
        rules::RUBY,
    ] {
        for (pattern, _, _) in t {
            println!("{pattern}");
        }
    }
}
