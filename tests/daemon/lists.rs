//! Every list's statements as the database plans them (issue 22): no list reads the findings or
//! components table whole, and none sorts outside an index, on SQLite and on Postgres. The plans
//! come from the store, which builds them with the functions the lists run.

use crate::both;
use crate::harness::{Db, postgres_server, server_with_db, uuid_simple};

both!(list_statements_walk_indexes, |db: Db| async move {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, pg) = match db {
        Db::Sqlite => (format!("sqlite://{}", dir.path().join("cairnd.db").display()), None),
        Db::Postgres => {
            let server = postgres_server().expect("server");
            let name = format!("cairn_plans_{}", uuid_simple());
            cairn_daemon::store::create_postgres_database(&server, &name).await.expect("create database");
            (server_with_db(&server, &name), Some((server, name)))
        }
    };
    let store = cairn_daemon::store::Store::connect(&url).await.expect("store");
    store.migrate().await.expect("migrate");
    let plans = store.list_plans().await.expect("plans");
    store.close().await;
    if let Some((server, name)) = pg {
        cairn_daemon::store::drop_postgres_database(&server, &name).await.expect("drop database");
    }
    assert!(plans.iter().any(|p| p.name.starts_with("findings page")), "the findings list is checked");
    assert!(plans.iter().all(|p| !p.lines.is_empty()), "every statement has a plan");
    let bad: Vec<String> = plans
        .iter()
        .filter(|p| !p.problems.is_empty())
        .map(|p| format!("{}: {:?}\n  {}", p.name, p.problems, p.lines.join("\n  ")))
        .collect();
    assert!(bad.is_empty(), "list statements that scan or sort:\n{}", bad.join("\n"));
});
