//! License acceptance tests on real data: the labelled license files of the corpus, real declared
//! spellings from the corpus manifests, and the NOTICE of a real repository.

use cairn_engine::license::{detect, expression};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

#[derive(Deserialize)]
struct Label {
    file: String,
    spdx: String,
    also_acceptable: Vec<String>,
}

fn id_set(expression: &str) -> BTreeSet<String> {
    expression::ids(expression).into_iter().collect()
}

/// Every labelled license file: the detected ids must equal the label's ids (or those of an
/// equally right answer). Two scores: files whose id set is exactly right, and ids (label ids
/// found, over label ids plus wrong ids reported). Prints every file's result.
/// Issue 9's bar is 98% exact files: with 23 files, all of them.
const EXACT_FILES_FLOOR: usize = 23;

/// Files whose label leaves out a license the file plainly holds. Cairn's answer is checked
/// exactly (so this can fail too) and counts as right only when every id it adds to the label is
/// shown to be in the file: the lines Cairn matched score at least [`TEXT_PROOF`] against that
/// id's SPDX text, or, for a notice that names a license, hold the license's full SPDX name.
/// (file, Cairn's ids, why.)
const LABEL_DISAGREEMENTS: &[(&str, &[&str], &str)] = &[
    (
        "google__osv-scalibr__LICENSE",
        &["Apache-2.0", "BSD-3-Clause", "MIT"],
        "the file ends with the full MIT text for enricher/reachability/rust/ar/reader.go (line 245); the label names only Apache-2.0 and BSD-3-Clause",
    ),
    (
        "rustsec__advisory-db__LICENSE.txt",
        &["CC0-1.0", "CC-BY-4.0"],
        "the notice's 'Exception' section puts content imported from GHSA under Creative Commons Attribution 4.0 International; the label names only CC0-1.0",
    ),
    (
        "openssh__openssh-portable__LICENCE",
        &[
            "SSH-OpenSSH",
            "ssh-keyscan",
            "LicenseRef-public-domain",
            "BSD-3-Clause",
            "BSD-2-Clause",
            "snprintf",
            "ISC",
            "X11-distribute-modifications-variant",
        ],
        "the label's notes name the ssh-keyscan notice (section 3) without giving it an id; SPDX lists that exact text as ssh-keyscan (its seeAlso is this file, line 82), the Patrick Powell notice of 8a as snprintf, and the FSF notice of 8b ('distribute, distribute with modifications') as X11-distribute-modifications-variant",
    ),
];

/// Score the matched lines need against an added id's SPDX text to count as proof.
const TEXT_PROOF: f32 = 0.8;

/// Lower case, runs of non-alphanumerics one space.
fn squash(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// True when `d`, a detection in `text`, shows that the file holds license `id`.
fn proves(text: &str, d: &cairn_engine::inventory::Detected, id: &str) -> bool {
    use cairn_engine::inventory::DetectionMethod;
    let lines: Vec<&str> = text.split('\n').collect();
    let Some((first, last)) = d.lines else { return false };
    let part = lines[(first as usize - 1)..(last as usize).min(lines.len())].join("\n");
    match d.method {
        DetectionMethod::Text => spdx::license_id(id).is_some_and(|l| {
            let want = spdx::detection::TextData::new(l.text());
            spdx::detection::TextData::new(&part).match_score(&want) >= TEXT_PROOF
        }),
        DetectionMethod::Reference => {
            spdx::license_id(id).is_some_and(|l| squash(&part).contains(&squash(l.full_name)))
        }
        DetectionMethod::SpdxHeader => false,
    }
}

#[test]
fn labelled_license_files() {
    let dir = Path::new(FIXTURES).join("licenses");
    let labels: Vec<Label> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).expect("labels"))
            .expect("json");
    assert_eq!(labels.len(), 23);
    let (mut exact_files, mut by_label, mut right_ids, mut counted_ids) = (0usize, 0usize, 0usize, 0usize);
    for l in &labels {
        let name = l.file.rsplit('/').next().expect("name");
        let text = std::fs::read_to_string(dir.join(name)).expect("license file");
        let detected = detect::detect(name, &text);
        let found: BTreeSet<String> = detected.iter().flat_map(|d| expression::ids(&d.id)).collect();
        let answers: Vec<BTreeSet<String>> =
            std::iter::once(&l.spdx).chain(&l.also_acceptable).map(|a| id_set(a)).collect();
        // The closest answer decides the id score.
        let best = answers
            .iter()
            .max_by_key(|a| {
                (a.intersection(&found).count(), usize::MAX - a.symmetric_difference(&found).count())
            })
            .expect("an answer");
        let hit = best.intersection(&found).count();
        let wrong = found.difference(best).count();
        right_ids += hit;
        counted_ids += best.len() + wrong;
        let labelled = answers.contains(&found);
        let defended =
            LABEL_DISAGREEMENTS.iter().find(|(file, ..)| *file == name).is_some_and(|(_, ids, _)| {
                let claimed: BTreeSet<String> = ids.iter().map(|i| i.to_string()).collect();
                let label = id_set(&l.spdx);
                claimed == found
                    && label.is_subset(&found)
                    && found.difference(&label).all(|extra| {
                        let shown = detected.iter().any(|d| d.id == *extra && proves(&text, d, extra));
                        assert!(
                            shown,
                            "{name}: {extra} is claimed to be in the file but its text is not shown"
                        );
                        shown
                    })
            });
        let exact = labelled || defended;
        exact_files += usize::from(exact);
        by_label += usize::from(labelled);
        println!(
            "{} {name}: label {:?}, found {:?}",
            if labelled {
                "ok  "
            } else if exact {
                "ok* "
            } else {
                "MISS"
            },
            l.spdx,
            found.iter().collect::<Vec<_>>()
        );
    }
    let file_rate = exact_files as f64 / labels.len() as f64;
    let id_rate = right_ids as f64 / counted_ids as f64;
    println!(
        "exact files {exact_files}/{} = {:.1}% ({by_label} by the label alone, the rest (ok*) add a license \
         the label leaves out and the file is shown to hold), ids {right_ids}/{counted_ids} = {:.1}%",
        labels.len(),
        file_rate * 100.0,
        id_rate * 100.0
    );
    assert!(
        exact_files >= EXACT_FILES_FLOOR,
        "exact files {exact_files} < floor {EXACT_FILES_FLOOR} ({:.1}%; the goal is 98%)",
        file_rate * 100.0
    );
}

/// Real spellings: (declared text, expected SPDX expression, file it was taken from). Rows from
/// fixture files are checked to occur there, so the table stays real.
const SPELLINGS: &[(&str, &str, &str)] = &[
    ("Apache-2.0", "Apache-2.0", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("MIT", "MIT", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("ISC", "ISC", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("MIT-0", "MIT-0", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("CC0-1.0", "CC0-1.0", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("BlueOak-1.0.0", "BlueOak-1.0.0", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("BSD-3-Clause", "BSD-3-Clause", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("CC-BY-4.0", "CC-BY-4.0", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("BSD-2-Clause", "BSD-2-Clause", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("Python-2.0", "Python-2.0", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("MPL-2.0", "MPL-2.0", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("Unlicense", "Unlicense", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("GPL-3.0-or-later", "GPL-3.0-or-later", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("0BSD", "0BSD", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("(MIT OR CC0-1.0)", "(MIT OR CC0-1.0)", "corpus/npm/mozilla__pdf.js/package-lock.json"),
    ("CC-BY-3.0", "CC-BY-3.0", "corpus/npm/parse-community__parse-server/package-lock.json"),
    (
        "(Apache-2.0 AND BSD-3-Clause)",
        "(Apache-2.0 AND BSD-3-Clause)",
        "corpus/npm/pypi__warehouse/package-lock.json",
    ),
    ("OFL-1.1", "OFL-1.1", "corpus/npm/pypi__warehouse/package-lock.json"),
    (
        "(CC-BY-4.0 AND OFL-1.1 AND MIT)",
        "(CC-BY-4.0 AND OFL-1.1 AND MIT)",
        "corpus/npm/pypi__warehouse/package-lock.json",
    ),
    ("LGPL-3.0-or-later", "LGPL-3.0-or-later", "corpus/npm/pypi__warehouse/package-lock.json"),
    (
        "Apache-2.0 AND LGPL-3.0-or-later AND MIT",
        "Apache-2.0 AND LGPL-3.0-or-later AND MIT",
        "corpus/npm/pypi__warehouse/package-lock.json",
    ),
    (
        "Apache-2.0 AND LGPL-3.0-or-later",
        "Apache-2.0 AND LGPL-3.0-or-later",
        "corpus/npm/pypi__warehouse/package-lock.json",
    ),
    // Deprecated GNU ids become -only, as the SPDX list says they meant.
    ("(MIT OR GPL-3.0)", "(MIT OR GPL-3.0-only)", "corpus/npm/pypi__warehouse/package-lock.json"),
    (
        "(MIT OR GPL-3.0-or-later)",
        "(MIT OR GPL-3.0-or-later)",
        "corpus/npm/pypi__warehouse/package-lock.json",
    ),
    ("(MIT AND Zlib)", "(MIT AND Zlib)", "corpus/npm/pypi__warehouse/package-lock.json"),
    ("LGPL-2.1", "LGPL-2.1-only", "corpus/composer/BookStackApp__BookStack/composer.lock"),
    ("LGPL-2.1-or-later", "LGPL-2.1-or-later", "corpus/composer/BookStackApp__BookStack/composer.lock"),
    ("GPL-2.0-only", "GPL-2.0-only", "corpus/composer/BookStackApp__BookStack/composer.lock"),
    ("GPL-3.0-only", "GPL-3.0-only", "corpus/composer/BookStackApp__BookStack/composer.lock"),
    ("GPL-2.0-or-later", "GPL-2.0-or-later", "corpus/composer/BookStackApp__BookStack/composer.lock"),
    ("Apache License, Version 2.0", "Apache-2.0", "corpus/maven/spring-projects__spring-petclinic/pom.xml"),
    ("MIT OR Apache-2.0", "MIT OR Apache-2.0", "corpus/cargo/rust-lang__cargo/Cargo.toml"),
    // License URLs in POMs (read when a <license> has no <name>).
    (
        "http://www.apache.org/licenses/LICENSE-2.0.txt",
        "Apache-2.0",
        "corpus/maven/DependencyTrack__dependency-track/pom.xml",
    ),
    (
        "https://www.apache.org/licenses/LICENSE-2.0",
        "Apache-2.0",
        "corpus/maven/spring-projects__spring-petclinic/pom.xml",
    ),
    ("AGPL-3.0-only", "AGPL-3.0-only", "licenses/labels.json"),
    // Another tool's reading of composer.lock's license array, in an SBOM of the corpus.
    (
        "BSD-3-Clause AND GPL-2.0-only AND GPL-3.0-only",
        "BSD-3-Clause AND GPL-2.0-only AND GPL-3.0-only",
        "sboms/syft-1.18.1__composer-bookstack.spdx-2.3.json",
    ),
    // Spellings in the labelled license files' notices.
    ("GPL-2.0", "GPL-2.0-only", "licenses/labels.json"),
    ("LGPL-2.1-only", "LGPL-2.1-only", "licenses/labels.json"),
    ("AGPL-3.0", "AGPL-3.0-only", "licenses/labels.json"),
    // The corpus's manifests, lockfiles and SBOMs hold no more distinct spellings than the rows
    // above. To reach 60, full names from the corpus's SPDX License List 3.28.0 (licenses.json
    // `name`), the way POMs, gemspecs and PyPI `License:` fields spell licenses. Checked against
    // the list below; they are not taken from a manifest.
    ("Apache License 2.0", "Apache-2.0", "spdx"),
    ("MIT License", "MIT", "spdx"),
    ("ISC License", "ISC", "spdx"),
    ("BSD 2-Clause \"Simplified\" License", "BSD-2-Clause", "spdx"),
    ("BSD 3-Clause \"New\" or \"Revised\" License", "BSD-3-Clause", "spdx"),
    ("BSD Zero Clause License", "0BSD", "spdx"),
    ("GNU General Public License v2.0 only", "GPL-2.0-only", "spdx"),
    ("GNU General Public License v2.0 or later", "GPL-2.0-or-later", "spdx"),
    ("GNU General Public License v3.0 only", "GPL-3.0-only", "spdx"),
    ("GNU General Public License v3.0 or later", "GPL-3.0-or-later", "spdx"),
    ("GNU Lesser General Public License v2.1 only", "LGPL-2.1-only", "spdx"),
    ("GNU Lesser General Public License v2.1 or later", "LGPL-2.1-or-later", "spdx"),
    ("GNU Lesser General Public License v3.0 or later", "LGPL-3.0-or-later", "spdx"),
    ("GNU Affero General Public License v3.0 only", "AGPL-3.0-only", "spdx"),
    ("GNU Affero General Public License v3.0 or later", "AGPL-3.0-or-later", "spdx"),
    ("Mozilla Public License 2.0", "MPL-2.0", "spdx"),
    ("Eclipse Public License 2.0", "EPL-2.0", "spdx"),
    ("Eclipse Public License 1.0", "EPL-1.0", "spdx"),
    ("Creative Commons Zero v1.0 Universal", "CC0-1.0", "spdx"),
    ("Creative Commons Attribution 4.0 International", "CC-BY-4.0", "spdx"),
    ("SIL Open Font License 1.1", "OFL-1.1", "spdx"),
    ("The Unlicense", "Unlicense", "spdx"),
    ("Boost Software License 1.0", "BSL-1.0", "spdx"),
    ("zlib License", "Zlib", "spdx"),
    ("Python License 2.0", "Python-2.0", "spdx"),
    ("Blue Oak Model License 1.0.0", "BlueOak-1.0.0", "spdx"),
    ("MIT No Attribution", "MIT-0", "spdx"),
    ("Common Development and Distribution License 1.0", "CDDL-1.0", "spdx"),
    ("Artistic License 2.0", "Artistic-2.0", "spdx"),
    ("European Union Public License 1.2", "EUPL-1.2", "spdx"),
];

#[test]
fn real_spellings_normalise() {
    assert!(SPELLINGS.len() >= 60, "{} spellings", SPELLINGS.len());
    let mut failures = Vec::new();
    for (raw, want, source) in SPELLINGS {
        if *source == "spdx" {
            let listed = spdx::identifiers::LICENSES.iter().any(|l| l.full_name == *raw && l.name == *want);
            assert!(listed, "{raw:?} is the SPDX list's name for {want}");
        } else {
            let text = std::fs::read_to_string(Path::new(FIXTURES).join(source)).expect("source file");
            assert!(text.contains(raw), "{raw:?} occurs in {source}");
        }
        let got = expression::normalize(raw).map(|n| n.expression);
        if got.as_deref() != Some(*want) {
            failures.push(format!("{raw:?}: want {want:?}, got {got:?}"));
        }
        if let Some(g) = &got {
            assert!(spdx::Expression::parse(g).is_ok(), "{g} parses strictly");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The NOTICE of a real project (mozilla/pdf.js's lockfiles, whose entries declare licenses) lists
/// every third-party component exactly once, with its concluded license, and nothing else.
#[test]
fn notice_lists_components_one_to_one() {
    use cairn_engine::license::notice;
    use cairn_engine::{NoProgress, ScanOptions, scan_path};
    let root = Path::new(FIXTURES).join("corpus/npm/mozilla__pdf.js");
    let scan = scan_path(&root, &ScanOptions::default(), &NoProgress).expect("scan");
    let tree = cairn_engine::tree::FsTree::new(root.canonicalize().expect("root"), 1 << 20, Vec::new());
    let text = notice::render(&scan.inventory, "pdf.js", &tree);
    let listed: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("purl: ")).collect();
    let unique: BTreeSet<&str> = listed.iter().copied().collect();
    assert_eq!(unique.len(), listed.len(), "no component twice");
    let third_party: BTreeSet<&str> = scan
        .inventory
        .components
        .iter()
        .filter(|c| notice::third_party(c))
        .map(|c| c.purl.as_str())
        .collect();
    assert!(third_party.len() > 900, "{} components", third_party.len());
    assert_eq!(unique, third_party);
    // Each entry carries its concluded license. The v3 lockfile's 970 entries mostly declare one;
    // the historical v1 lockfile beside it records none.
    let with_license = scan.inventory.components.iter().filter(|c| c.licenses.concluded.is_some()).count();
    assert!(with_license >= 800, "{with_license} of {} have a license", third_party.len());
    for c in scan.inventory.components.iter().filter(|c| notice::third_party(c)) {
        let want = c.licenses.concluded.as_ref().map_or("NOASSERTION", |l| l.expression.as_str());
        assert!(text.contains(&format!("purl: {}\nlicense: {want}\n", c.purl)), "{}", c.purl);
    }
    assert!(text.contains("--- MIT ---\nMIT License"), "standard texts appended");
}

/// `SPDX-License-Identifier` lines through a whole scan: the project's own files count for the
/// project; a file in an installed package's directory counts for that package; a file in a
/// dependency directory no component is known for counts for nobody.
#[test]
fn spdx_headers_in_a_scan() {
    use cairn_engine::{NoProgress, ScanOptions, scan_path};
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    write("src/main.rs", "// SPDX-License-Identifier: MIT OR Apache-2.0\nfn main() {}\n");
    write("src/util/a.py", "#!/usr/bin/env python\n# SPDX-License-Identifier: GPL-2.0+\n");
    write("src/b.rs", "fn b() {}\n");
    write("node_modules/x/package.json", r#"{"name": "x", "version": "1.0.0"}"#);
    write("node_modules/x/lib/index.js", "/* SPDX-License-Identifier: ISC */\n");
    write("vendor/unknown/c.c", "// SPDX-License-Identifier: BSD-3-Clause\n");
    let scan = scan_path(dir.path(), &ScanOptions::default(), &NoProgress).expect("scan");
    type Hit<'a> = (&'a str, &'a str, Option<(u32, u32)>);
    let project: Vec<Hit> = scan
        .inventory
        .project_licenses
        .headers
        .iter()
        .map(|d| (d.id.as_str(), d.path.as_str(), d.lines))
        .collect();
    assert_eq!(
        project,
        [
            ("MIT OR Apache-2.0", "src/main.rs", Some((1, 1))),
            ("GPL-2.0-or-later", "src/util/a.py", Some((2, 2)))
        ]
    );
    let x = scan.inventory.components.iter().find(|c| c.name == "x").expect("x");
    assert_eq!(x.licenses.headers.iter().map(|d| d.id.as_str()).collect::<Vec<_>>(), ["ISC"]);
    assert_eq!(
        x.licenses.concluded.as_ref().map(|c| c.expression.as_str()),
        Some("ISC"),
        "nothing else known"
    );
    let s = cairn_engine::license::summary::summarize(&scan.inventory);
    assert_eq!(s.project_headers.get("GPL-2.0-or-later"), Some(&1));
    assert_eq!(s.project_headers.len(), 2, "vendor/unknown is nobody's: {:?}", s.project_headers);
}

/// The project's README through a whole scan: its license section speaks for the project (with
/// its path and lines) when no license file at the root answered, never over one, and never for
/// a dependency's directory. Texts are development-half files of fixtures/licenses-heldout
/// (serde-rs/serde and BurntSushi/ripgrep, commits in its SOURCE.md). Fails before the walk
/// handed READMEs to detection (nothing was detected for the project).
#[test]
fn project_readme_in_a_scan() {
    use cairn_engine::{NoProgress, ScanOptions, scan_path};
    let fixture =
        |name: &str| std::fs::read_to_string(format!("{FIXTURES}/licenses-heldout/{name}")).expect("fixture");
    let scan_of = |files: &[(&str, &str)]| {
        let dir = tempfile::tempdir().expect("tempdir");
        for (rel, text) in files {
            let p = dir.path().join(rel);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        scan_path(dir.path(), &ScanOptions::default(), &NoProgress).expect("scan")
    };
    let serde = fixture("serde-rs__serde__README.md");
    let scan = scan_of(&[
        ("README.md", &serde),
        ("node_modules/x/package.json", r#"{"name": "x", "version": "1.0.0"}"#),
        ("node_modules/x/README.md", &serde),
        ("docs/README.md", &fixture("BurntSushi__ripgrep__README.md")),
    ]);
    let project = &scan.inventory.project_licenses;
    let hits: Vec<_> = project.detected.iter().map(|d| (d.id.as_str(), d.path.as_str(), d.lines)).collect();
    assert_eq!(hits, [("Apache-2.0 OR MIT", "README.md", Some((102, 115)))], "only the root README");
    assert_eq!(project.concluded.as_ref().map(|c| c.expression.as_str()), Some("Apache-2.0 OR MIT"));
    let x = scan.inventory.components.iter().find(|c| c.name == "x").expect("x");
    assert!(x.licenses.detected.is_empty(), "a dependency's README is not read: {:?}", x.licenses.detected);

    // A root license file that answers wins; the README is then not reported at all.
    let scan = scan_of(&[
        ("README.md", &fixture("BurntSushi__ripgrep__README.md")),
        ("LICENSE-MIT", &fixture("BurntSushi__ripgrep__LICENSE-MIT")),
    ]);
    let hits: Vec<_> =
        scan.inventory.project_licenses.detected.iter().map(|d| (d.id.as_str(), d.path.as_str())).collect();
    assert_eq!(hits, [("MIT", "LICENSE-MIT")]);

    // A root license file that answers nothing leaves the README to speak.
    let scan = scan_of(&[("README.md", &serde), ("LICENSE", "See the README.\n")]);
    let ids: Vec<_> = scan.inventory.project_licenses.detected.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(ids, ["Apache-2.0 OR MIT"]);
}

#[derive(Deserialize)]
struct HeldOut {
    file: String,
    /// The file's path in its repository: its name says what kind of file it is (README, LICENSE).
    path: String,
    half: String,
    spdx: String,
    also_acceptable: Vec<String>,
}

/// The sets of ids that satisfy `expression`: two expressions mean the same when the same sets
/// satisfy both (`MIT OR Unlicense` = `Unlicense OR MIT`, but not `MIT AND Unlicense`). `NONE`
/// (the label of a file that states no license) is satisfied by nothing.
fn meaning(expression: &str, universe: &[String]) -> BTreeSet<BTreeSet<String>> {
    let mut out = BTreeSet::new();
    if expression == "NONE" {
        return out;
    }
    let Ok(parsed) = spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX) else { return out };
    for mask in 0u32..(1 << universe.len()) {
        let chosen: BTreeSet<String> = universe
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, id)| id.clone())
            .collect();
        let name = |r: &spdx::LicenseReq| match &r.license {
            spdx::LicenseItem::Spdx { id, .. } => id.name.to_string(),
            spdx::LicenseItem::Other(r) => r.to_string(),
        };
        if parsed.evaluate(|r| chosen.contains(&name(r))) {
            out.insert(chosen);
        }
    }
    out
}

/// Files whose expression is right, per half: the floors are what the rules reach. The rules were
/// written against the development half (24 of 24); the test half (21 of 21) was first scored
/// after they were final, and its floor is that measured number.
const HELDOUT_DEV_FLOOR: usize = 24;
const HELDOUT_TEST_FLOOR: usize = 21;

/// The held-out set of issue 17 (fixtures/licenses-heldout, split in SPLIT.md): every file's
/// detections joined as a component's conclusion joins them (AND of the files' expressions) must
/// mean what its label means: the same ids, and OR where the file offers a choice.
#[test]
fn heldout_license_files() {
    let dir = Path::new(FIXTURES).join("licenses-heldout");
    let labels: Vec<HeldOut> =
        serde_json::from_str(&std::fs::read_to_string(dir.join("labels.json")).expect("labels"))
            .expect("json");
    assert!(labels.len() >= 30, "{} files", labels.len());
    let mut right: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
    for l in &labels {
        let text = std::fs::read_to_string(dir.join(&l.file)).expect("file");
        let detected = detect::detect(&l.path, &text);
        let found =
            expression::and_all(detected.iter().map(|d| d.id.as_str())).unwrap_or_else(|| "NONE".into());
        let answers: Vec<&String> = std::iter::once(&l.spdx).chain(&l.also_acceptable).collect();
        let mut universe: BTreeSet<String> = answers.iter().flat_map(|a| expression::ids(a)).collect();
        if found != "NONE" {
            universe.extend(expression::ids(&found));
        }
        universe.remove("NONE");
        let universe: Vec<String> = universe.into_iter().collect();
        assert!(universe.len() <= 12, "{}: too many ids to compare", l.file);
        let ok = answers.iter().any(|a| meaning(a, &universe) == meaning(&found, &universe));
        let tally = right.entry(l.half.as_str()).or_default();
        tally.0 += usize::from(ok);
        tally.1 += 1;
        println!(
            "{} {:<4} {}: label {:?}, found {found:?}",
            if ok { "ok  " } else { "MISS" },
            l.half,
            l.file,
            l.spdx
        );
    }
    for (half, (ok, n)) in &right {
        println!("{half}: {ok}/{n} files right = {:.1}%", *ok as f64 * 100.0 / *n as f64);
    }
    let dev = right.get("dev").copied().unwrap_or_default();
    let test = right.get("test").copied().unwrap_or_default();
    assert!(dev.0 >= HELDOUT_DEV_FLOOR, "development half {}/{} < floor {HELDOUT_DEV_FLOOR}", dev.0, dev.1);
    assert!(test.0 >= HELDOUT_TEST_FLOOR, "test half {}/{} < floor {HELDOUT_TEST_FLOOR}", test.0, test.1);
}
