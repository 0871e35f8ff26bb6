//! Archive sources: tar, tar.gz and zip happy paths, and hostile uploads (escaping paths, links
//! out, devices, too many entries or bytes, decompression bombs) — each refused or left out, and
//! nothing written outside the work directory, which is always removed.

use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};

use cairn_daemon::sources::{ArchiveLimits, Obtained, SourceError, SourcePolicy, SourceSpec, obtain};
use zip::write::SimpleFileOptions;

use super::{assert_work_empty, listing, policy, read_fixture};

/// A tar entry written from raw header fields, so hostile names survive the builder's checks.
struct TarEntry<'a> {
    name: &'a str,
    kind: tar::EntryType,
    link: Option<&'a str>,
    data: Vec<u8>,
}

fn file<'a>(name: &'a str, data: impl Into<Vec<u8>>) -> TarEntry<'a> {
    TarEntry { name, kind: tar::EntryType::Regular, link: None, data: data.into() }
}

fn dir(name: &str) -> TarEntry<'_> {
    TarEntry { name, kind: tar::EntryType::Directory, link: None, data: Vec::new() }
}

fn link<'a>(name: &'a str, target: &'a str, kind: tar::EntryType) -> TarEntry<'a> {
    TarEntry { name, kind, link: Some(target), data: Vec::new() }
}

fn tar_bytes(entries: &[TarEntry<'_>]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for e in entries {
        let mut header = tar::Header::new_gnu();
        {
            let gnu = header.as_gnu_mut().expect("gnu header");
            gnu.name[..e.name.len()].copy_from_slice(e.name.as_bytes());
            if let Some(target) = e.link {
                gnu.linkname[..target.len()].copy_from_slice(target.as_bytes());
            }
        }
        header.set_entry_type(e.kind);
        header.set_size(e.data.len() as u64);
        header.set_mode(if e.kind == tar::EntryType::Directory { 0o755 } else { 0o644 });
        header.set_cksum();
        builder.append(&header, e.data.as_slice()).expect("append");
    }
    builder.into_inner().expect("tar")
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip");
    gz.finish().expect("gzip")
}

enum ZipEntry<'a> {
    File(&'a str, Vec<u8>),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
}

fn zip_bytes(entries: &[ZipEntry<'_>]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for e in entries {
        match e {
            ZipEntry::File(name, data) => {
                zip.start_file(*name, options).expect("start");
                zip.write_all(data).expect("write");
            }
            ZipEntry::Dir(name) => zip.add_directory(*name, options).expect("dir"),
            ZipEntry::Symlink(name, target) => zip.add_symlink(*name, *target, options).expect("symlink"),
        }
    }
    zip.finish().expect("zip").into_inner()
}

/// Writes `bytes` as an upload under `base/in` and obtains it.
async fn extract(
    base: &Path,
    bytes: &[u8],
    filename: &str,
    p: &SourcePolicy,
) -> Result<Obtained, SourceError> {
    let inbox = base.join("in");
    std::fs::create_dir_all(&inbox).expect("mkdir");
    let file = inbox.join("upload");
    std::fs::write(&file, bytes).expect("write");
    obtain(&SourceSpec::Archive { file, filename: filename.to_owned() }, p).await
}

/// Nothing exists under `base` but the uploads and an empty work directory.
fn assert_clean(base: &Path, p: &SourcePolicy) {
    assert_work_empty(p);
    let stray: Vec<String> =
        listing(base).into_iter().filter(|e| !(e == "in" || e.starts_with("in/") || e == "work")).collect();
    assert_eq!(stray, Vec::<String>::new(), "written outside the work directory");
}

fn nested_tree() -> (Vec<u8>, Vec<u8>) {
    (read_fixture("requirements.txt"), read_fixture("Package.resolved"))
}

#[tokio::test]
async fn tar_targz_and_zip_extract_with_a_nested_root() {
    let base = tempfile::tempdir().expect("tempdir");
    let p = policy(base.path());
    let (req, resolved) = nested_tree();
    let tar = tar_bytes(&[
        dir("proj-1.0/"),
        file("proj-1.0/requirements.txt", req.clone()),
        file("proj-1.0/ios/Package.resolved", resolved.clone()),
    ]);
    let zip = zip_bytes(&[
        ZipEntry::Dir("proj-1.0/"),
        ZipEntry::File("proj-1.0/requirements.txt", req.clone()),
        ZipEntry::File("proj-1.0/ios/Package.resolved", resolved.clone()),
    ]);
    // The names lie: the content decides.
    for (bytes, name) in [(tar.clone(), "upload.bin"), (gzip(&tar), "upload.zip"), (zip, "upload.tar")] {
        let got = extract(base.path(), &bytes, name, &p).await.expect(name);
        let Obtained::Tree { root, workdir, revision, notes } = &got else { panic!("tree") };
        assert!(root.ends_with("proj-1.0"), "{name}: root {root:?}");
        assert!(workdir.as_ref().is_some_and(|w| root.starts_with(w.path())));
        assert_eq!((revision, notes), (&None, &Vec::<String>::new()));
        assert_eq!(std::fs::read(root.join("requirements.txt")).expect("read"), req, "{name}");
        assert_eq!(std::fs::read(root.join("ios/Package.resolved")).expect("read"), resolved, "{name}");
        drop(got);
        assert_clean(base.path(), &p);
    }

    // Several top-level entries: the extraction directory itself is the root.
    let flat = tar_bytes(&[file("requirements.txt", req.clone()), file("Package.resolved", resolved)]);
    let got = extract(base.path(), &flat, "flat.tar", &p).await.expect("flat");
    let Obtained::Tree { root, .. } = &got else { panic!("tree") };
    assert_eq!(listing(root), vec!["Package.resolved".to_owned(), "requirements.txt".into()]);
}

#[tokio::test]
async fn escaping_entries_are_refused_naming_the_entry() {
    let base = tempfile::tempdir().expect("tempdir");
    let p = policy(base.path());
    let absolute = base.path().join("absolute-evil");
    let absolute = absolute.to_str().expect("utf-8");
    let cases: Vec<(Vec<u8>, &str, String)> = vec![
        (tar_bytes(&[file("../../../../evil", "x")]), "dotdot.tar", "\"../../../../evil\": '..'".into()),
        (tar_bytes(&[file("ok/../../../evil", "x")]), "inner.tar", "'..' in the path".into()),
        (tar_bytes(&[file(absolute, "x")]), "abs.tar", format!("{absolute:?}: absolute path")),
        (
            tar_bytes(&[link("p/passwd", "/etc/passwd", tar::EntryType::Symlink)]),
            "symlink.tar",
            "\"p/passwd\": a link to \"/etc/passwd\" points out".into(),
        ),
        (
            tar_bytes(&[link("p/up", "../../../etc/passwd", tar::EntryType::Symlink)]),
            "symlink-up.tar",
            "points out".into(),
        ),
        (
            tar_bytes(&[link("p/hard", "../../etc/passwd", tar::EntryType::Link)]),
            "hardlink.tar",
            "\"p/hard\": a link to \"../../etc/passwd\" points out".into(),
        ),
        (gzip(&tar_bytes(&[file("../evil", "x")])), "dotdot.tgz", "\"../evil\"".into()),
        (zip_bytes(&[ZipEntry::File("../../../../evil", b"x".to_vec())]), "dotdot.zip", "'..'".into()),
        (zip_bytes(&[ZipEntry::File(absolute, b"x".to_vec())]), "abs.zip", "absolute path".into()),
        (zip_bytes(&[ZipEntry::Symlink("p/passwd", "/etc/passwd")]), "symlink.zip", "points out".into()),
    ];
    for (bytes, name, expected) in cases {
        let err = extract(base.path(), &bytes, name, &p).await.expect_err(name);
        assert!(matches!(err, SourceError::Invalid(_)), "{name}: {err}");
        assert!(err.to_string().contains(&expected), "{name}: {err} (expected {expected})");
        assert_clean(base.path(), &p);
    }
}

#[tokio::test]
async fn inner_links_and_devices_are_left_out_and_counted() {
    let base = tempfile::tempdir().expect("tempdir");
    let p = policy(base.path());
    let (req, _) = nested_tree();
    let tar = tar_bytes(&[
        file("p/requirements.txt", req.clone()),
        link("p/again.txt", "requirements.txt", tar::EntryType::Symlink),
        link("p/hard.txt", "p/requirements.txt", tar::EntryType::Link),
        TarEntry { name: "p/null", kind: tar::EntryType::Char, link: None, data: Vec::new() },
        TarEntry { name: "p/pipe", kind: tar::EntryType::Fifo, link: None, data: Vec::new() },
    ]);
    let got = extract(base.path(), &tar, "links.tar", &p).await.expect("links inside");
    let Obtained::Tree { root, notes, .. } = &got else { panic!("tree") };
    assert_eq!(listing(root), vec!["requirements.txt".to_owned()]);
    assert!(notes.iter().any(|n| n.starts_with("2 link(s)")), "{notes:?}");
    assert!(notes.iter().any(|n| n.starts_with("2 special file(s)")), "{notes:?}");

    let zip = zip_bytes(&[ZipEntry::File("p/a.txt", req), ZipEntry::Symlink("p/b.txt", "a.txt")]);
    let got = extract(base.path(), &zip, "links.zip", &p).await.expect("zip link inside");
    let Obtained::Tree { root, notes, .. } = &got else { panic!("tree") };
    assert_eq!(listing(root), vec!["a.txt".to_owned()]);
    assert_eq!(notes.len(), 1, "{notes:?}");
}

fn limited(base: &Path, f: impl FnOnce(&mut ArchiveLimits)) -> SourcePolicy {
    let mut p = policy(base);
    f(&mut p.archive);
    p
}

#[tokio::test]
async fn entry_byte_and_file_caps() {
    let base = tempfile::tempdir().expect("tempdir");
    let six: Vec<TarEntry<'_>> = ["a", "b", "c", "d", "e", "f"].iter().map(|n| file(n, "x")).collect();
    let p = limited(base.path(), |l| l.max_entries = 5);
    let err = extract(base.path(), &tar_bytes(&six), "many.tar", &p).await.expect_err("entries");
    assert!(
        matches!(err, SourceError::TooLarge(_)) && err.to_string().contains("more than 5 entries"),
        "{err}"
    );
    let zip: Vec<ZipEntry<'_>> =
        ["a", "b", "c", "d", "e", "f"].iter().map(|n| ZipEntry::File(n, b"x".to_vec())).collect();
    let err = extract(base.path(), &zip_bytes(&zip), "many.zip", &p).await.expect_err("zip entries");
    assert!(err.to_string().contains("has 6 entries; at most 5"), "{err}");
    assert_clean(base.path(), &p);
    extract(base.path(), &tar_bytes(&six[..5]), "five.tar", &p).await.expect("at the cap");

    let p = limited(base.path(), |l| l.max_total_bytes = 10_000);
    let two = tar_bytes(&[file("a", vec![b'a'; 6000]), file("b", vec![b'b'; 6000])]);
    let err = extract(base.path(), &two, "big.tar", &p).await.expect_err("total");
    assert!(err.to_string().contains("extracts to more than 10000 bytes (at \"b\")"), "{err}");
    assert_clean(base.path(), &p);

    let p = limited(base.path(), |l| l.max_entry_bytes = 1000);
    let err = extract(base.path(), &tar_bytes(&[file("a", vec![b'a'; 2000])]), "one.tar", &p)
        .await
        .expect_err("entry");
    assert!(err.to_string().contains("\"a\" is larger than 1000 bytes"), "{err}");
    assert_clean(base.path(), &p);
}

/// A zip holding `mib` MiB of zeros in one entry.
fn zeros_zip(mib: usize) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(false);
    zip.start_file("bomb/zeros.bin", options).expect("start");
    let chunk = vec![0u8; 1024 * 1024];
    for _ in 0..mib {
        zip.write_all(&chunk).expect("write");
    }
    zip.finish().expect("zip").into_inner()
}

#[tokio::test]
async fn decompression_bombs_are_refused() {
    let base = tempfile::tempdir().expect("tempdir");
    let bomb = zeros_zip(100);
    assert!(bomb.len() < 1024 * 1024, "the bomb is small: {} bytes", bomb.len());
    let ten_mib = 10 * 1024 * 1024;

    // The ratio check refuses it before anything is written.
    let p = limited(base.path(), |l| l.max_total_bytes = ten_mib);
    let err = extract(base.path(), &bomb, "bomb.zip", &p).await.expect_err("ratio");
    assert!(matches!(err, SourceError::TooLarge(_)), "{err}");
    assert!(err.to_string().contains("\"bomb/zeros.bin\" expands more than 100:1"), "{err}");
    assert_clean(base.path(), &p);

    // With the ratio check out of the way, the byte cap stops it at 10 MiB.
    let p = limited(base.path(), |l| {
        l.max_total_bytes = ten_mib;
        l.max_ratio = u64::MAX;
    });
    let err = extract(base.path(), &bomb, "bomb.zip", &p).await.expect_err("bytes");
    assert!(err.to_string().contains(&format!("more than {ten_mib} bytes")), "{err}");
    assert_clean(base.path(), &p);

    // A tar.gz of zeros trips the ratio against the upload's size.
    let tgz = gzip(&tar_bytes(&[file("z/zeros.bin", vec![0u8; 8 * 1024 * 1024])]));
    let p = policy(base.path());
    let err = extract(base.path(), &tgz, "bomb.tgz", &p).await.expect_err("tgz ratio");
    assert!(err.to_string().contains("\"z/zeros.bin\" expands more than 100:1"), "{err}");
    assert_clean(base.path(), &p);
}

#[tokio::test]
async fn non_archives_are_invalid() {
    let base = tempfile::tempdir().expect("tempdir");
    let p = policy(base.path());
    let cases: Vec<(Vec<u8>, &str, &str)> = vec![
        (b"just some text".to_vec(), "notes.zip", "notes.zip is not a tar, tar.gz or zip archive"),
        (gzip(b"a single compressed file"), "file.gz", "gzip-compressed but holds no tar archive"),
        (b"PK\x03\x04 not really a zip".to_vec(), "broken.zip", "bad zip archive"),
        (vec![0x1f, 0x8b, 0x08, 0x00, 0xff, 0xff], "broken.tgz", "bad gzip data"),
    ];
    for (bytes, name, expected) in cases {
        let err = extract(base.path(), &bytes, name, &p).await.expect_err(name);
        assert!(matches!(err, SourceError::Invalid(_)), "{name}: {err}");
        assert!(err.to_string().contains(expected), "{name}: {err}");
        assert_clean(base.path(), &p);
    }
    let missing =
        SourceSpec::Archive { file: PathBuf::from("/nonexistent/upload"), filename: "x.tar".into() };
    assert!(matches!(obtain(&missing, &p).await, Err(SourceError::Unavailable(_))));
}

#[tokio::test]
async fn oversized_tar_metadata_is_refused_unread() {
    let base = tempfile::tempdir().expect("tempdir");
    let p = policy(base.path());
    // A GNU long name of 2 MiB (the tar reader would hold it in memory), then a file.
    let long = TarEntry {
        name: "././@LongLink",
        kind: tar::EntryType::GNULongName,
        link: None,
        data: vec![b'a'; 2 << 20],
    };
    let tgz = gzip(&tar_bytes(&[long, file("x", "x")]));
    let err = extract(base.path(), &tgz, "long.tgz", &p).await.expect_err("long name");
    assert!(err.to_string().contains("tar metadata (long names, pax records) over 1 MiB"), "{err}");
    assert_clean(base.path(), &p);
    // A long name of ordinary length still works.
    let name = format!("{}/file.txt", "d".repeat(150));
    let mut builder = tar::Builder::new(Vec::new());
    let mut header = tar::Header::new_gnu();
    header.set_size(2);
    builder.append_data(&mut header, &name, &b"ok"[..]).expect("long path");
    let got =
        extract(base.path(), &builder.into_inner().expect("tar"), "ok.tar", &p).await.expect("long path");
    let Obtained::Tree { root, .. } = &got else { panic!("tree") };
    assert_eq!(std::fs::read(root.join("file.txt")).expect("read"), b"ok");
}

#[tokio::test]
async fn dropping_the_future_stops_extraction_and_removes_the_work_directory() {
    let base = tempfile::tempdir().expect("tempdir");
    let p = policy(base.path());
    let names: Vec<String> = (0..100_000).map(|i| format!("many/{:03}/{i}.txt", i % 1000)).collect();
    let entries: Vec<TarEntry<'_>> = names.iter().map(|n| file(n, "")).collect();
    let tgz = gzip(&tar_bytes(&entries));
    std::fs::create_dir_all(base.path().join("in")).expect("mkdir");
    let file = base.path().join("in/upload");
    std::fs::write(&file, &tgz).expect("write");
    let spec = SourceSpec::Archive { file, filename: "many.tgz".into() };
    let cancelled = tokio::time::timeout(std::time::Duration::from_millis(100), obtain(&spec, &p)).await;
    assert!(cancelled.is_err(), "100,000 files extracted within 100 ms: the test cannot observe a cancel");
    // The blocking extraction notices at its next entry; no event announces it, so poll.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while p.work_dir.exists() && !listing(&p.work_dir).is_empty() && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_clean(base.path(), &p);
}
