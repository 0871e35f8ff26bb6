//! Issue 16 point 4, end to end: a git remote that answers with a redirect is never followed. The
//! redirect points at a real repository on another loopback port; the scan fails with the fixed
//! "redirect" reason, the target port is never contacted, and neither its address nor git's own
//! stderr reaches the scan row. The same repository scanned at its own address succeeds, so the
//! refusal is the redirect's and not a broken remote's.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method as HttpMethod, StatusCode, Uri};
use axum::response::IntoResponse;

use crate::both;
use crate::e2e_git::vulnerable_repo;
use crate::git_credentials::{bare_clone, scan};
use crate::harness::{Daemon, Db, Opts};

/// A bare copy of `repo` served by `git http-backend` on its own port; counts the requests it gets.
async fn served(repo: &std::path::Path, root: &std::path::Path, hits: Arc<AtomicUsize>) -> String {
    bare_clone(repo, &root.join("target.git"));
    let files = Arc::new(PathBuf::from(root));
    let app = axum::Router::new().route(
        "/{*path}",
        axum::routing::any(move |method: HttpMethod, uri: Uri, headers: HeaderMap, body: Bytes| {
            hits.fetch_add(1, Ordering::SeqCst);
            crate::git_http::git_http_backend(files.clone(), method, uri, headers, body)
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/target.git")
}

/// Every request answered `301 Moved Permanently` to the same path under `target`.
async fn redirecting_to(target: String) -> String {
    let app = axum::Router::new().route(
        "/{*path}",
        axum::routing::any(move |uri: Uri| {
            let location = format!("{}{}", target.trim_end_matches("/target.git"), uri);
            async move { (StatusCode::MOVED_PERMANENTLY, [("location", location)], "").into_response() }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}/target.git")
}

both!(a_redirecting_git_remote_is_never_followed, |db: Db| async move {
    let root = tempfile::tempdir().expect("root");
    let (repo, _commit) = vulnerable_repo(root.path());
    let hits = Arc::new(AtomicUsize::new(0));
    let target = served(&repo, root.path(), hits.clone()).await;
    let redirect = redirecting_to(target.clone()).await;
    let d = Daemon::start_with(
        db,
        Opts {
            extra_config: "[sources]\nallow_private_hosts = true\nallow_http = true\n".to_owned(),
            ..Opts::default()
        },
    )
    .await;
    let user = d.register(&crate::harness::unique_email("redirect")).await;

    let (refused, _) = scan(&d, &user, &redirect).await;
    assert_eq!(refused["status"], "failed", "{refused}");
    let error = refused["error"].as_str().unwrap_or_default();
    assert!(error.contains("redirect"), "the fixed reason names the redirect: {error}");
    let target_port = target.split(':').nth(2).and_then(|p| p.split('/').next()).expect("port");
    assert!(!error.contains(target_port), "the redirect's target leaks into the error: {error}");
    assert!(!error.contains("fatal:"), "git's stderr is returned verbatim: {error}");
    assert_eq!(hits.load(Ordering::SeqCst), 0, "the daemon followed the redirect to its target");

    // The target itself is a working remote: scanned at its own address, the scan completes.
    let (direct, _) = scan(&d, &user, &target).await;
    assert_eq!(direct["status"], "completed", "{direct}");
    assert!(hits.load(Ordering::SeqCst) > 0);
});
