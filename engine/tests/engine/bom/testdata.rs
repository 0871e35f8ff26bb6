//! Hand-built vulnerability and license inputs. TEST DATA ONLY: they exercise the writers' slots for
//! findings and licenses; nothing here is a real advisory about the named packages.

use cairn_engine::bom::{
    BomAffect, BomInput, BomLicense, BomRating, BomSeverity, BomVulnerability, LicenseKind, RatingMethod,
    VexJustification, VexStatus,
};

/// Adds made-up vulnerabilities (one per VEX status) and licenses to the first components of `input`.
pub fn with_findings(mut input: BomInput) -> BomInput {
    let purls: Vec<String> = input.inventory.components.iter().take(4).map(|c| c.purl.clone()).collect();
    assert!(purls.len() >= 4, "test data needs four components");
    let affect = |purl: &str, status, justification, detail: Option<&str>, fixed: &[&str]| BomAffect {
        purl: purl.to_string(),
        status,
        justification,
        detail: detail.map(str::to_string),
        response: None,
        fixed_versions: fixed.iter().map(|s| s.to_string()).collect(),
    };
    input.vulnerabilities = vec![
        BomVulnerability {
            id: "TEST-0001".into(),
            aliases: vec!["CVE-0000-0001".into()],
            source: Some("Cairn tests".into()),
            summary: Some("Test advisory, not real".into()),
            details: Some("Made up to exercise the writers.".into()),
            ratings: vec![BomRating {
                method: RatingMethod::CvssV31,
                score: Some(9.8),
                severity: BomSeverity::Critical,
                vector: Some("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into()),
                source: Some("NVD".into()),
            }],
            cwes: vec![79],
            references: vec!["https://example.com/advisories/TEST-0001".into()],
            published: Some("2024-01-02T03:04:05Z".into()),
            modified: Some("2024-02-03T04:05:06Z".into()),
            affects: vec![
                affect(&purls[0], VexStatus::Affected, None, None, &["99.0.0"]),
                affect(
                    &purls[1],
                    VexStatus::NotAffected,
                    Some(VexJustification::VulnerableCodeNotInExecutePath),
                    None,
                    &[],
                ),
            ],
        },
        BomVulnerability {
            id: "TEST-0002".into(),
            aliases: Vec::new(),
            source: None,
            summary: None,
            details: None,
            ratings: vec![BomRating {
                method: RatingMethod::Other,
                score: None,
                severity: BomSeverity::Medium,
                vector: None,
                source: None,
            }],
            cwes: Vec::new(),
            references: Vec::new(),
            published: None,
            modified: None,
            affects: vec![
                affect(&purls[2], VexStatus::Fixed, None, None, &[]),
                affect(&purls[3], VexStatus::UnderInvestigation, None, None, &[]),
                affect(&purls[0], VexStatus::Affected, None, Some("Pin the test package."), &[]),
            ],
        },
    ];
    input.licenses.insert(
        purls[0].clone(),
        vec![
            BomLicense { kind: LicenseKind::Declared, expression: "MIT OR Apache-2.0".into() },
            BomLicense { kind: LicenseKind::Concluded, expression: "MIT".into() },
        ],
    );
    input.licenses.insert(
        purls[1].clone(),
        vec![BomLicense { kind: LicenseKind::Declared, expression: "LicenseRef-test".into() }],
    );
    // Single ids on both sides: CycloneDX 1.6 can list both with their acknowledgement.
    input.licenses.insert(
        purls[2].clone(),
        vec![
            BomLicense { kind: LicenseKind::Declared, expression: "Apache-2.0".into() },
            BomLicense { kind: LicenseKind::Concluded, expression: "BSD-3-Clause".into() },
        ],
    );
    input
}
