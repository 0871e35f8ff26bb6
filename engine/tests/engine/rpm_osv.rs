//! Issue 21's OS findings for rpm-based images: real OSV records of an rpm distribution
//! (`fixtures/rpm-osv/`, SOURCE.md) matched through the whole image path — os-release to the
//! distribution's OSV ecosystem, the rpm database to packages under the names advisories use —
//! and compared with a reference computed here from the records and the installed packages alone,
//! versions ordered by this file's own transcription of rpm's `rpmvercmp` (rpm is not installed
//! on this machine, and the reference must not share Cairn's comparison code).

use super::image_build::{E, docker_save, fixture, fixtures, tar_of};
use cairn_engine::NoProgress;
use cairn_engine::image::{ImageOptions, scan_image};
use cairn_engine::inventory::Ecosystem;
use cairn_engine::vuln::{GapReason, load_paths, match_inventory};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeSet;

const DB: &str = "var/lib/rpm/rpmdb.sqlite";

/// rpm's `rpmvercmp` (lib/rpmvercmp.c), written from its description: alphanumeric runs compared
/// in turn (digits numerically, above letters; letters by bytes), `~` before anything even the
/// end, `^` after the end but before anything else.
fn vercmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a.as_bytes(), b.as_bytes());
    let junk = |c: &u8| !c.is_ascii_alphanumeric() && *c != b'~' && *c != b'^';
    loop {
        while a.first().is_some_and(junk) {
            a = &a[1..];
        }
        while b.first().is_some_and(junk) {
            b = &b[1..];
        }
        let (ta, tb) = (a.first() == Some(&b'~'), b.first() == Some(&b'~'));
        if ta || tb {
            if !(ta && tb) {
                return if ta { Ordering::Less } else { Ordering::Greater };
            }
            (a, b) = (&a[1..], &b[1..]);
            continue;
        }
        let (ca, cb) = (a.first() == Some(&b'^'), b.first() == Some(&b'^'));
        if ca || cb {
            if a.is_empty() {
                return Ordering::Less;
            }
            if b.is_empty() {
                return Ordering::Greater;
            }
            if !ca {
                return Ordering::Greater;
            }
            if !cb {
                return Ordering::Less;
            }
            (a, b) = (&a[1..], &b[1..]);
            continue;
        }
        if a.is_empty() || b.is_empty() {
            // Whichever still has characters is newer.
            return (!a.is_empty()).cmp(&!b.is_empty());
        }
        let numeric = a[0].is_ascii_digit();
        let run = |s: &[u8]| {
            s.iter()
                .take_while(|c| if numeric { c.is_ascii_digit() } else { c.is_ascii_alphabetic() })
                .count()
        };
        let (na, nb) = (run(a), run(b));
        if nb == 0 {
            // One run is numeric and the other alphabetic: the numeric one is newer.
            return if numeric { Ordering::Greater } else { Ordering::Less };
        }
        let (sa, sb) = (&a[..na], &b[..nb]);
        let order = if numeric {
            let (ta, tb) = (trim_zeros(sa), trim_zeros(sb));
            ta.len().cmp(&tb.len()).then_with(|| ta.cmp(tb))
        } else {
            sa.cmp(sb)
        };
        if order != Ordering::Equal {
            return order;
        }
        a = &a[na..];
        b = &b[nb..];
    }
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    &s[n..]
}

/// `[epoch:]version[-release]` compared as rpm does (absent epoch = 0).
fn evrcmp(a: &str, b: &str) -> Ordering {
    let split = |s: &str| -> (String, String, Option<String>) {
        let (e, rest) = s.split_once(':').unwrap_or(("0", s));
        match rest.rsplit_once('-') {
            Some((v, r)) => (e.to_owned(), v.to_owned(), Some(r.to_owned())),
            None => (e.to_owned(), rest.to_owned(), None),
        }
    };
    let ((ea, va, ra), (eb, vb, rb)) = (split(a), split(b));
    vercmp(&ea, &eb).then_with(|| vercmp(&va, &vb)).then_with(|| match (ra, rb) {
        (Some(x), Some(y)) => vercmp(&x, &y),
        (x, y) => x.is_some().cmp(&y.is_some()),
    })
}

#[test]
fn the_reference_vercmp_agrees_with_rpm_on_its_own_examples() {
    // rpm's tests/rpmvercmp.at cases.
    for (a, b, want) in [
        ("1.0", "1.0", Ordering::Equal),
        ("1.0", "2.0", Ordering::Less),
        ("2.0.1", "2.0", Ordering::Greater),
        ("5.5p1", "5.5p2", Ordering::Less),
        ("5.5p10", "5.5p1", Ordering::Greater),
        ("10xyz", "10.1xyz", Ordering::Less),
        ("xyz10", "xyz10.1", Ordering::Less),
        ("1.0aa", "1.0a", Ordering::Greater),
        ("a", "1", Ordering::Less),
        ("1.0~rc1", "1.0", Ordering::Less),
        ("1.0~rc1", "1.0~rc2", Ordering::Less),
        ("1.0^", "1.0", Ordering::Greater),
        ("1.0^git1", "1.0.1", Ordering::Less),
        ("1.0^git1~pre", "1.0^git1", Ordering::Less),
        ("2_0", "2.0", Ordering::Equal),
        ("1.010", "1.9", Ordering::Greater),
    ] {
        assert_eq!(vercmp(a, b), want, "{a} vs {b}");
    }
    assert_eq!(evrcmp("3.0.7-27.el9", "1:3.0.7-27.el9"), Ordering::Less);
    assert_eq!(evrcmp("2.5.0-1.el9_3", "2.5.0-1.el9_3.1"), Ordering::Less);
}

/// One rpm header blob: the string tags given and, when present, the epoch.
fn header(strings: &[(u32, &str)], epoch: Option<u32>) -> Vec<u8> {
    let (mut index, mut data) = (Vec::new(), Vec::new());
    for (tag, s) in strings {
        index.push((*tag, 6u32, data.len() as u32, 1u32));
        data.extend(s.as_bytes());
        data.push(0);
    }
    if let Some(e) = epoch {
        while data.len() % 4 != 0 {
            data.push(0);
        }
        index.push((1003, 4, data.len() as u32, 1));
        data.extend(e.to_be_bytes());
    }
    let mut blob = Vec::new();
    blob.extend((index.len() as u32).to_be_bytes());
    blob.extend((data.len() as u32).to_be_bytes());
    for (tag, ty, offset, count) in index {
        for v in [tag, ty, offset, count] {
            blob.extend(v.to_be_bytes());
        }
    }
    blob.extend(data);
    blob
}

/// An installed rpm: name, epoch, version, release.
type Nevr = (&'static str, Option<u32>, &'static str, &'static str);

/// An rpm SQLite database of `packages`, as rpm lays out its `Packages` table.
fn rpmdb(packages: &[Nevr]) -> Vec<u8> {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("rpmdb.sqlite");
    let db = rusqlite::Connection::open(&path).expect("sqlite");
    db.execute("CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)", [])
        .expect("table");
    for (name, epoch, version, release) in packages {
        let source = format!("{}-{version}-{release}.src.rpm", source_of(name));
        let blob = header(
            &[(1000, name), (1001, version), (1002, release), (1022, "x86_64"), (1044, &source)],
            *epoch,
        );
        db.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob]).expect("row");
    }
    drop(db);
    std::fs::read(&path).expect("read db")
}

/// The source package of the binaries used here (as AlmaLinux 9 builds them).
fn source_of(binary: &str) -> &str {
    match binary {
        "libcurl-minimal" | "curl-minimal" => "curl",
        "openssl-libs" => "openssl",
        other => other,
    }
}

fn evr(epoch: Option<u32>, version: &str, release: &str) -> String {
    match epoch {
        Some(e) => format!("{e}:{version}-{release}"),
        None => format!("{version}-{release}"),
    }
}

/// Whether one OSV `ECOSYSTEM` range's events put `v` inside it.
fn in_range(events: &[Value], v: &str) -> bool {
    let get = |k: &str| -> Vec<&str> { events.iter().filter_map(|e| e.get(k)?.as_str()).collect() };
    let ge = |a: &str, b: &str| b == "0" || evrcmp(a, b) != Ordering::Less;
    get("introduced").into_iter().filter(|i| ge(v, i)).any(|i| {
        get("fixed").into_iter().filter(|f| ge(f, i)).all(|f| evrcmp(v, f) == Ordering::Less)
            && get("last_affected")
                .into_iter()
                .filter(|l| ge(l, i))
                .all(|l| evrcmp(v, l) != Ordering::Greater)
    })
}

fn records(dir: &str) -> Vec<Value> {
    std::fs::read_dir(fixtures().join(dir))
        .expect("records")
        .map(|e| {
            serde_json::from_slice(&std::fs::read(e.expect("entry").path()).expect("read")).expect("json")
        })
        .collect()
}

/// (binary package, its version, advisory id) for every record entry of `ecosystem` naming the
/// binary package and putting its version in range.
fn reference(records: &[Value], packages: &[Nevr], ecosystem: &str) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    for (name, epoch, version, release) in packages {
        let v = evr(*epoch, version, release);
        for r in records {
            let hit = r["affected"].as_array().into_iter().flatten().any(|a| {
                a["package"]["ecosystem"] == ecosystem
                    && a["package"]["name"] == *name
                    && a["ranges"].as_array().into_iter().flatten().any(|rg| {
                        rg["type"] == "ECOSYSTEM" && in_range(rg["events"].as_array().expect("events"), &v)
                    })
            });
            if hit {
                out.insert((name.to_string(), v.clone(), r["id"].as_str().expect("id").to_owned()));
            }
        }
    }
    out
}

fn scan(os_release: &str, db: Vec<u8>) -> cairn_engine::inventory::Inventory {
    let dir = tempfile::tempdir().expect("tmp");
    let layer =
        tar_of(&[E::File("etc/os-release", os_release.as_bytes().to_vec(), 0o644), E::File(DB, db, 0o644)]);
    let path = dir.path().join("image.tar");
    std::fs::write(&path, docker_save(&[layer], "rpm-osv:1")).expect("write");
    scan_image(&path, &ImageOptions::default(), &NoProgress).expect("scans").scan.inventory
}

/// AlmaLinux 9.3's os-release as the `almalinux:9.3` image ships it (the fields Cairn reads).
const ALMALINUX_9_3: &str = "NAME=\"AlmaLinux\"\nVERSION=\"9.3 (Shamrock Pampas Cat)\"\nID=\"almalinux\"\nID_LIKE=\"rhel centos fedora\"\nVERSION_ID=\"9.3\"\nPLATFORM_ID=\"platform:el9\"\nPRETTY_NAME=\"AlmaLinux 9.3 (Shamrock Pampas Cat)\"\n";

/// Real ALSA records against an AlmaLinux 9 image: matched under the binary names the records
/// list, in the `AlmaLinux:9` ecosystem (VERSION_ID 9.3 → major), epochs and `el9_3` < `el9_3.1`
/// releases ordered as rpm does. The image's packages are constructed (no real AlmaLinux rpm
/// database was within reach; SOURCE.md), their versions chosen on both sides of the records'
/// fixes.
#[test]
fn almalinux_9_findings_equal_the_reference() {
    let packages: &[Nevr] = &[
        ("openssl-libs", Some(1), "3.0.7", "25.el9_3"),
        ("libcurl-minimal", None, "7.76.1", "14.el9_0.4"),
        ("curl-minimal", None, "7.76.1", "14.el9_0.5"),
        ("zlib", None, "1.2.11", "40.el9"),
        ("expat", None, "2.5.0", "1.el9_3"),
    ];
    let recs = records("rpm-osv/almalinux9");
    let want = reference(&recs, packages, "AlmaLinux:9");
    let ids = |s: &BTreeSet<(String, String, String)>| -> BTreeSet<(String, String)> {
        s.iter().map(|(n, _, id)| (n.clone(), id.clone())).collect()
    };
    // The fixes straddled: openssl-libs below 2447's fix and above 2523's, libcurl one release
    // below 6157's fix and curl-minimal at it, expat's `el9_3` below `el9_3.1`, zlib past 7314.
    assert_eq!(
        ids(&want),
        BTreeSet::from([
            ("expat".to_owned(), "ALSA-2024:1530".to_owned()),
            ("libcurl-minimal".to_owned(), "ALSA-2022:6157".to_owned()),
            ("openssl-libs".to_owned(), "ALSA-2024:2447".to_owned()),
        ])
    );
    let inv = scan(ALMALINUX_9_3, rpmdb(packages));
    let db = load_paths(&[fixtures().join("rpm-osv/almalinux9")]).expect("records load");
    let m = match_inventory(&inv, &db);
    assert!(m.not_evaluated.is_empty(), "{:?}", m.not_evaluated);
    let [c] = &m.coverage[..] else { panic!("{:?}", m.coverage) };
    assert_eq!(c.lines(), ["AlmaLinux:9 5 evaluated against 5 advisories"]);
    let got: BTreeSet<(String, String, String)> = m
        .findings
        .iter()
        .flat_map(|f| f.ids.iter().map(|id| (f.name.clone(), f.version.clone(), id.clone())))
        .collect();
    assert_eq!(got, want);
}

/// The real CBL-Mariner 2.0 rpm database (`fixtures/rpm/`) in an image whose os-release says
/// CBL-Mariner 2.0: its packages are `Azure Linux:2` packages named by their source rpm (Azure
/// Linux advisories name source packages), and with only AlmaLinux data loaded — which names
/// curl, expat and zlib too — nothing is matched and the coverage says there was no data for
/// Azure Linux:2, never a silent zero.
#[test]
fn a_mariner_image_without_azure_linux_data_says_so() {
    // CBL-Mariner 2.0's os-release (the fields Cairn reads, as its images ship them).
    let os = "NAME=\"Common Base Linux Mariner\"\nVERSION=\"2.0.20220226\"\nID=mariner\nVERSION_ID=\"2.0\"\nPRETTY_NAME=\"CBL-Mariner/Linux\"\n";
    let inv = scan(os, fixture("rpm/rpmdb.sqlite"));
    let rpms: Vec<_> = inv.components.iter().filter(|c| c.ecosystem == Ecosystem::Rpm).collect();
    assert_eq!(rpms.len(), 18);
    for (binary, source) in
        [("curl-libs", "curl"), ("zlib-devel", "zlib"), ("expat-libs", "expat"), ("xz-libs", "xz")]
    {
        let c = rpms.iter().find(|c| c.name == binary).expect(binary);
        let d = c.distro.as_ref().expect("distro");
        assert_eq!((d.release.as_str(), d.source.as_str()), ("Azure Linux:2", source), "{binary}");
    }
    let db = load_paths(&[fixtures().join("rpm-osv/almalinux9")]).expect("records load");
    let m = match_inventory(&inv, &db);
    assert!(m.findings.is_empty(), "{:?}", m.findings);
    let [c] = &m.coverage[..] else { panic!("{:?}", m.coverage) };
    assert_eq!((c.name().as_str(), c.components, c.evaluated), ("Azure Linux:2", 18, 0));
    assert_eq!(c.not_evaluated[0].reason, GapReason::NoAdvisories);
    assert_eq!(c.not_evaluated[0].message, "not evaluated: no data for Azure Linux:2");
}

/// Without os-release the release is unknown: `no_release`, not "no matcher" and not a zero.
#[test]
fn an_rpm_image_without_os_release_has_no_release() {
    let dir = tempfile::tempdir().expect("tmp");
    let layer = tar_of(&[E::File(DB, fixture("rpm/rpmdb.sqlite"), 0o644)]);
    let path = dir.path().join("image.tar");
    std::fs::write(&path, docker_save(&[layer], "rpm-osv:2")).expect("write");
    let inv = scan_image(&path, &ImageOptions::default(), &NoProgress).expect("scans").scan.inventory;
    let db = load_paths(&[fixtures().join("rpm-osv/almalinux9")]).expect("records load");
    let m = match_inventory(&inv, &db);
    let [c] = &m.coverage[..] else { panic!("{:?}", m.coverage) };
    assert_eq!(c.lines(), ["RPM 18 not evaluated — distribution release unknown"]);
}
