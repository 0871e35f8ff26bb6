//! Issue 22: the daemon holds the advisories' index, not the advisories. Real records (the
//! engine's OSV fixtures, a subset of the shared corpus's RustSec, PyPA and Go data: see
//! engine/tests/fixtures/osv/SOURCE.md) imported through `vulndb::import` and reloaded from the
//! store; a scan of the corpus lockfiles reads only the records naming its components, and finds
//! exactly what a `Database` of every record finds.

use std::path::{Path, PathBuf};

use cairn_daemon::vulndb::advisories::Advisories;
use cairn_daemon::vulndb::import::{ImportItem, import};
use cairn_daemon::vulndb::{VulnDb, reload};
use cairn_engine::vuln::{load_paths, match_inventory};
use cairn_engine::{NoProgress, ScanOptions, scan_path};

use crate::both;
use crate::harness::in_process_state;

fn engine_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures")
}

both!(matching_reads_the_candidates_from_the_store_and_finds_what_every_record_finds, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (state, pg) = in_process_state(db, dir.path(), &[]).await;
    let osv = engine_fixtures().join("osv");
    let items = vec![ImportItem::from_path(&osv, Some("fixtures"))];
    let change = import(&state.store, &state.config.vulndb, &state.vulndb, items).await.expect("import");
    assert_eq!(change.changed, ["fixtures"], "{change:?}");

    let snapshot = state.vulndb.snapshot().expect("data loaded");
    let Advisories::Stored(index) = &snapshot.database else { panic!("reloaded data must be an index") };
    let full = load_paths(&[osv]).expect("fixtures load");
    assert_eq!(index.info().advisories, full.info().advisories);
    assert_eq!(index.info().by_ecosystem, full.info().by_ecosystem);

    let scan =
        scan_path(&engine_fixtures().join("corpus"), &ScanOptions::default(), &NoProgress).expect("scan");
    let partial =
        snapshot.database.database_for(&state.store, &scan.inventory).await.expect("candidates read");
    assert!(partial.advisories().len() < full.advisories().len(), "read every record");
    let expected = match_inventory(&scan.inventory, &full);
    assert!(expected.findings.len() >= 10, "{}", expected.findings.len());
    assert_eq!(match_inventory(&scan.inventory, &partial), expected);

    // One advisory by an alias, as /vulnerabilities/{id} asks: the record that lists it.
    let (id, alias) = full
        .advisories()
        .iter()
        .find_map(|a| Some((a.id().to_owned(), a.aliases().first()?.clone())))
        .expect("an advisory with an alias");
    let naming = snapshot.database.naming(&state.store, &alias).await.expect("read by alias");
    assert!(naming.advisory(&id).is_some(), "{alias} should bring {id}");

    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});

// Issue 22 (import at OSV scale): an import keys the records it stores and builds the snapshot
// from them, reading back only the other sources. The index it installs is the one a reload of
// every stored record builds: the same winners when sources repeat ids (every id here is a tie
// across two sources), the same totals, the same records read for a scan, the same findings.
both!(an_import_installs_the_index_a_reload_of_every_record_builds, |db| async move {
    let dir = tempfile::tempdir().expect("dir");
    let (state, pg) = in_process_state(db, dir.path(), &[]).await;
    let osv = engine_fixtures().join("osv");
    let items =
        vec![ImportItem::from_path(&osv, Some("b-copy")), ImportItem::from_path(&osv, Some("a-copy"))];
    let change = import(&state.store, &state.config.vulndb, &state.vulndb, items).await.expect("import");
    assert_eq!(change.changed, ["b-copy", "a-copy"], "{change:?}");
    // A later import beside them: its source keyed, the two others read back.
    let items = vec![ImportItem::from_path(&osv.join("pypa"), Some("c-pypa"))];
    import(&state.store, &state.config.vulndb, &state.vulndb, items).await.expect("import");

    let imported = state.vulndb.snapshot().expect("data loaded");
    let fresh = VulnDb::empty();
    reload(&state.store, &fresh).await.expect("reload");
    let reloaded = fresh.snapshot().expect("data reloaded");
    assert_eq!(imported.id, reloaded.id);
    let (Advisories::Stored(built), Advisories::Stored(read)) = (&imported.database, &reloaded.database)
    else {
        panic!("stored data must be an index")
    };
    assert_eq!(built.info(), read.info());
    assert!(built.info().duplicates > built.info().advisories, "{:?}", built.info());

    let scan =
        scan_path(&engine_fixtures().join("corpus"), &ScanOptions::default(), &NoProgress).expect("scan");
    assert_eq!(built.records_to_read(&scan.inventory), read.records_to_read(&scan.inventory));
    let from_built = imported.database.database_for(&state.store, &scan.inventory).await.expect("read");
    let from_read = reloaded.database.database_for(&state.store, &scan.inventory).await.expect("read");
    let expected = match_inventory(&scan.inventory, &from_read);
    assert!(!expected.findings.is_empty());
    assert_eq!(match_inventory(&scan.inventory, &from_built), expected);

    state.store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
});
