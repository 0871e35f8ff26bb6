//! SBOM sources: peer-tool CycloneDX and SPDX documents read to an inventory; bad ones refused.

use cairn_daemon::sources::{Obtained, SourceError, SourcePolicy, SourceSpec, obtain};

use super::{fixture, policy};

fn spec(file: &std::path::Path, filename: &str) -> SourceSpec {
    SourceSpec::Sbom { file: file.to_path_buf(), filename: filename.to_owned() }
}

#[tokio::test]
async fn cyclonedx_and_spdx_read_to_the_same_inventory() {
    let base = tempfile::tempdir().expect("tempdir");
    let p = policy(base.path());
    let mut purls = Vec::new();
    for name in ["trivy-0.76.0__pipenv-pipenv.cdx-1.7.json", "trivy-0.76.0__pipenv-pipenv.spdx-2.3.json"] {
        let got = obtain(&spec(&fixture(name), name), &p).await.expect(name);
        let Obtained::Sbom(bom) = got else { panic!("{name}: an inventory was expected") };
        let list: Vec<String> = bom.inventory.components.iter().map(|c| c.purl.clone()).collect();
        assert!(list.contains(&"pkg:pypi/pytest@9.0.3".to_owned()), "{name}: {list:?}");
        assert_eq!(list.len(), 10, "{name}: {list:?}");
        purls.push(list);
    }
    assert_eq!(purls[0], purls[1], "both documents describe the same Pipfile.lock");
}

#[tokio::test]
async fn garbage_oversized_and_binary_documents_are_refused() {
    let base = tempfile::tempdir().expect("tempdir");
    let p = policy(base.path());
    let garbage = base.path().join("garbage.json");
    std::fs::write(&garbage, "{\"hello\": \"world\"}").expect("write");
    let err = obtain(&spec(&garbage, "garbage.json"), &p).await.expect_err("garbage");
    assert!(matches!(err, SourceError::Invalid(_)), "{err}");
    assert!(err.to_string().contains("garbage.json: not a CycloneDX or SPDX document"), "{err}");

    let binary = base.path().join("bin.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00, 0x7b]).expect("write");
    let err = obtain(&spec(&binary, "bin.json"), &p).await.expect_err("binary");
    assert!(err.to_string().contains("not UTF-8"), "{err}");

    let name = "trivy-0.76.0__pipenv-pipenv.cdx-1.7.json";
    let small = SourcePolicy { max_sbom_bytes: 1000, ..policy(base.path()) };
    let err = obtain(&spec(&fixture(name), name), &small).await.expect_err("over the cap");
    assert!(matches!(err, SourceError::TooLarge(_)), "{err}");

    let err =
        obtain(&spec(&base.path().join("missing.json"), "missing.json"), &p).await.expect_err("missing");
    assert!(matches!(err, SourceError::Unavailable(_)), "{err}");
}
