//! Engine benchmarks: every corpus lockfile through its cataloger, a scan of a large tree
//! beside a bare walk of the same tree (the floor a scan cannot beat), and OSV matching: loading
//! every corpus advisory and matching 10k real components against them; crypto detection over the
//! corpus repositories' source files; policy evaluation of 100k findings against 50 rules.
//!
//! `cargo bench -p cairn-engine`; numbers are recorded in docs/benchmarks.md.

use cairn_engine::catalog;
use cairn_engine::inventory::{Ecosystem, Inventory};
use cairn_engine::tree::{MemTree, decode};
use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::walk::{self, WalkOptions};
use cairn_engine::{NoProgress, ScanOptions, catalog_tree, scan_path};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use std::fs;
use std::path::{Path, PathBuf};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus")
}

fn corpus_files(dir: &Path, root: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            corpus_files(&p, root, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            let rel = rel.to_string_lossy().into_owned();
            if catalog::wanted(&rel) {
                out.push((rel, p));
            }
        }
    }
}

fn lockfiles(c: &mut Criterion) {
    let root = corpus();
    let mut files = Vec::new();
    corpus_files(&root, &root, &mut files);
    files.sort();
    let mut tree = MemTree::new();
    for (rel, path) in &files {
        tree.insert(rel.clone(), fs::read(path).unwrap_or_default());
    }
    let mut group = c.benchmark_group("catalog");
    for (rel, path) in &files {
        let Ok(text) = decode(&fs::read(path).unwrap_or_default()) else { continue };
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(rel), &text, |b, text| {
            b.iter(|| catalog::catalog_file(rel, text, &tree))
        });
    }
    group.finish();
}

/// A monorepo-shaped tree: `dirs` packages of `files_per_dir` source files, each package with a
/// copy of a real lockfile from the corpus.
fn large_tree(dirs: usize, files_per_dir: usize) -> tempfile::TempDir {
    let root = corpus();
    let mut locks = Vec::new();
    corpus_files(&root, &root, &mut locks);
    locks.sort();
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for d in 0..dirs {
        let src = dir.path().join(format!("packages/p{d:04}/src"));
        fs::create_dir_all(&src).unwrap_or_else(|e| panic!("mkdir: {e}"));
        for f in 0..files_per_dir {
            fs::write(src.join(format!("m{f}.ts")), b"export const x = 1;\n")
                .unwrap_or_else(|e| panic!("{e}"));
        }
        if let Some((rel, path)) = locks.get(d % locks.len().max(1)) {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            fs::copy(path, dir.path().join(format!("packages/p{d:04}/{name}")))
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }
    dir
}

fn tree_scan(c: &mut Criterion) {
    let tree = large_tree(200, 500);
    let mut group = c.benchmark_group("tree_100k");
    group.sample_size(10);
    group.bench_function("walk_only", |b| {
        b.iter(|| walk::walk(tree.path(), &WalkOptions::default(), &|_| false, &|_| true))
    });
    group.bench_function("scan", |b| b.iter(|| scan_path(tree.path(), &ScanOptions::default(), &NoProgress)));
    group.finish();
}

/// The whole shared corpus of advisories when it is there (`CAIRN_OSV_CORPUS`, default
/// `/work/shared/corpus/osv`), else the fixture subset a fresh clone has.
fn osv_data() -> PathBuf {
    let shared = std::env::var_os("CAIRN_OSV_CORPUS")
        .map_or_else(|| PathBuf::from("/work/shared/corpus/osv"), PathBuf::from);
    if shared.is_dir() {
        shared
    } else {
        eprintln!("vuln benches: {} missing, using the fixture subset", shared.display());
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv")
    }
}

fn vuln(c: &mut Criterion) {
    let data = osv_data();
    let mut group = c.benchmark_group("vuln");
    group.sample_size(10);
    group.bench_function("load_corpus_advisories", |b| b.iter(|| load_paths(std::slice::from_ref(&data))));

    // 10k real components from the corpus lockfiles: every non-npm one (so every ecosystem with
    // advisories is in), then npm ones (the corpus has 6.9k) up to 10k.
    let root = corpus();
    let mut files = Vec::new();
    corpus_files(&root, &root, &mut files);
    files.sort();
    let mut tree = MemTree::new();
    for (rel, path) in &files {
        tree.insert(rel.clone(), fs::read(path).unwrap_or_default());
    }
    let all = catalog_tree(&tree, &NoProgress).unwrap_or_else(|e| panic!("{e}"));
    let (npm, mut components): (Vec<_>, Vec<_>) =
        all.components.into_iter().filter(|c| !c.local).partition(|c| c.ecosystem == Ecosystem::Npm);
    let room = 10_000usize.saturating_sub(components.len());
    components.extend(npm.into_iter().take(room));
    let inventory = Inventory { components, ..Inventory::default() };
    let db = load_paths(std::slice::from_ref(&data)).unwrap_or_else(|e| panic!("{e}"));
    group.throughput(Throughput::Elements(inventory.components.len() as u64));
    group.bench_function(format!("match_{}_components", inventory.components.len()), |b| {
        b.iter(|| match_inventory(&inventory, &db))
    });
    group.finish();
}

/// Source files of the shared corpus repositories (skipped when `/work/shared` is absent).
fn crypto_sources() -> Vec<(String, String)> {
    let root = Path::new("/work/shared/corpus/repos");
    let mut paths = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(rd) = fs::read_dir(&dir) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(rel) = p.strip_prefix(root) {
                let rel = rel.to_string_lossy().into_owned();
                if cairn_engine::crypto::Language::of(&rel).is_some() {
                    paths.push((rel, p));
                }
            }
        }
    }
    paths.sort();
    paths.into_iter().filter_map(|(rel, p)| Some((rel, fs::read_to_string(p).ok()?))).collect()
}

/// Crypto detection over every source file of the corpus repositories (in memory, one thread):
/// MB/s of source, to set beside `rg` with the same patterns (docs/benchmarks.md).
fn crypto(c: &mut Criterion) {
    let files = crypto_sources();
    if files.is_empty() {
        return;
    }
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mut g = c.benchmark_group("crypto");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    g.bench_function(BenchmarkId::new("detect_corpus_repos", format!("{} files", files.len())), |b| {
        b.iter(|| {
            files.iter().map(|(rel, text)| cairn_engine::crypto::detect_file(rel, text).len()).sum::<usize>()
        })
    });
    g.finish();
}

/// 100k generated findings (ratings, scores, fixes, publication dates and triage spread over the
/// space; generated because no real scan has 100k findings) against 50 rules over findings and
/// warnings with every condition field in play: the target is under 100 ms.
fn policy(c: &mut Criterion) {
    use cairn_engine::policy::{FindingFacts, Policy, PolicyInput, ProjectFacts, VulnFacts, evaluate};
    use cairn_engine::vuln::Rating;
    use cairn_vocab::TriageState;
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let ecosystems = [Ecosystem::Cargo, Ecosystem::Npm, Ecosystem::PyPI, Ecosystem::Go, Ecosystem::Maven];
    let findings: Vec<FindingFacts> = (0..100_000u32)
        .map(|i| FindingFacts {
            advisory: format!("GHSA-{i:08}").into(),
            purl: format!("pkg:npm/p{}@1.0.{}", i % 5_000, i % 7).into(),
            ecosystem: ecosystems[(i % 5) as usize],
            rating: Rating::ALL[(i % 6) as usize],
            score: (i % 4 != 0).then(|| f64::from(i % 100) / 10.0),
            fix_available: i % 3 == 0,
            published: (i % 10 != 0).then(|| now - time::Duration::days(i64::from(i % 2_000))),
            triage: match i % 8 {
                0 => Some(TriageState::NotAffected),
                1 => Some(TriageState::Affected),
                _ => None,
            },
        })
        .collect();
    let conditions = [
        "finding = { min_severity = \"high\" }",
        "finding = { severity = [\"medium\"], fix_available = true }",
        "finding = { min_cvss = 7.0, triage = [\"untriaged\", \"affected\"] }",
        "finding = { min_age_days = 365, min_severity = \"low\" }",
        "warning = { kinds = [\"unmaintained\"] }",
    ];
    let mut doc = String::from("format = \"cairn-policy/1\"\nid = \"bench\"\n");
    for i in 0..50 {
        let action = ["fail", "warn", "info"][i % 3];
        let scope = if i % 2 == 0 { "scope = { ecosystems = [\"npm\", \"PyPI\"] }\n" } else { "" };
        doc.push_str(&format!(
            "[[rules]]\nid = \"r{i}\"\naction = \"{action}\"\nmessage = \"rule {i}\"\n{scope}{}\n",
            conditions[i % conditions.len()]
        ));
    }
    let policy = Policy::parse(&doc).expect("bench policy");
    let input = PolicyInput {
        project: ProjectFacts { name: "bench".into(), tags: Vec::new() },
        now,
        components: &[],
        vulnerabilities: Some(VulnFacts { findings, ..VulnFacts::default() }),
        crypto: None,
    };
    let mut g = c.benchmark_group("policy");
    g.sample_size(20);
    g.bench_function("evaluate_100k_findings_50_rules", |b| b.iter(|| evaluate(&policy, &input)));
    g.finish();
}

criterion_group!(benches, lockfiles, tree_scan, vuln, crypto, policy);
criterion_main!(benches);
