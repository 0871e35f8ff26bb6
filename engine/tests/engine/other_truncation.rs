//! The Ruby, PHP, .NET, Dart, Elixir, Swift and Conan catalogers never panic on truncated input:
//! every corpus file of theirs is cut at many points and read again.

use cairn_engine::catalog;
use cairn_engine::tree::MemTree;
use std::path::Path;

const FILES: &[&str] = &[
    "gem/rubygems__rubygems.org/Gemfile.lock",
    "gem/openstreetmap__openstreetmap-website/Gemfile.lock",
    "composer/BookStackApp__BookStack/composer.lock",
    "nuget/bitwarden__server/src/Api/packages.lock.json",
    "nuget/bitwarden__server/src/Core/Core.csproj",
    "pub/localsend__localsend/pubspec.lock",
    "mix/hexpm__hexpm/mix.lock",
    "swift/yonaskolb__XcodeGen/Package.resolved",
    "swift/yonaskolb__XcodeGen/history-5f1efd90ef/Package.resolved",
];

#[test]
fn truncated_corpus_files_give_diagnostics_not_panics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus");
    let tree = MemTree::new();
    for rel in FILES {
        let text = std::fs::read_to_string(root.join(rel)).expect("fixture");
        let text = text.trim_start_matches('\u{feff}');
        assert!(catalog::wanted(rel), "{rel}");
        let step = (text.len() / 97).max(1);
        for cut in (1..text.len()).step_by(step) {
            let Some(prefix) = text.get(..cut) else { continue };
            let c = catalog::catalog_file(rel, prefix, &tree);
            assert!(
                !c.diagnostics.iter().any(|d| d.message.contains("internal error")),
                "{rel} cut at {cut} panicked"
            );
            // Cut in the first half, every format has lost something it can notice.
            if cut < text.len() / 2 {
                assert!(!c.diagnostics.is_empty(), "{rel} cut at {cut}: no diagnostic");
            }
        }
    }
}
