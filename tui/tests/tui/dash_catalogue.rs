//! Issue 21's dashboard commands against a real daemon (SQLite and, when CAIRN_TEST_POSTGRES_URL
//! is set, Postgres) and the SDK suite's loopback registry: two tags of an image scanned into the
//! catalogue; `LoadImages` lists the image project, `LoadImageVersions` each tag with the digest
//! it resolved to and its latest completed scan, `LoadVersionHistory` the tag's scans,
//! `DownloadSbom` writes the version's SPDX 2.3 document to a file (a tag with no completed scan
//! is a failure saying so, leaving no file). Feature requests: `CreateRequest`, `LoadRequests`,
//! `SetRequestStatus` with a stale version is a `RequestConflict` carrying the request as it is
//! now, a fresh one is `RequestChanged`. `LoadSession` names the role: the owner is an admin, an
//! invited member is not, and the daemon refuses the member's status change.

use std::time::Duration;

use cairn_sdk::types::{
    CreateFeatureRequest, CreateInvite, CreateScan, CreateVersion, FeatureRequestKind, FeatureRequestStatus,
    FeatureRequestStatusChange, ProjectKind, RegisterRequest, Role, ScanStatus,
};
use cairn_sdk::{Client, ScanWatcher};
use cairn_tui::dash::exec::Executor;
use cairn_tui::dash::msg::{Cmd, Msg};
use futures_util::StreamExt;
use tokio::sync::mpsc;

use crate::common::{Daemon, Opts};
use crate::image_build::{debian_layers, oci_layout};
use crate::oci_registry::{Knobs, Registry, sha};

/// The answer to `cmd`, skipping what the executor pushes on its own.
async fn ask(exec: &mut Executor, rx: &mut mpsc::UnboundedReceiver<Msg>, cmd: Cmd) -> Msg {
    exec.run(cmd);
    loop {
        let m = tokio::time::timeout(Duration::from_secs(120), rx.recv())
            .await
            .expect("an answer in time")
            .expect("the executor is running");
        if !matches!(
            m,
            Msg::ScanProgress(_)
                | Msg::Queue(_)
                | Msg::Link(_)
                | Msg::Notify { .. }
                | Msg::Pushed(_)
                | Msg::SbomProgress { .. }
        ) {
            return m;
        }
    }
}

async fn scanned(client: &Client, reference: &str) {
    let queued = client.create_scan(&CreateScan::image(reference)).await.expect("queued");
    let mut watch = ScanWatcher::new(client, queued.id).stream();
    while let Some(item) = watch.next().await {
        item.expect("watch");
    }
    let done = client.scan(queued.id).await.expect("scan");
    assert_eq!(done.status, ScanStatus::Completed, "{:?}", done.error);
}

async fn registered(daemon: &Daemon, email: &str, invite_token: Option<String>) -> Client {
    let client = Client::anonymous(&daemon.base).expect("client");
    daemon
        .register(
            &client,
            &RegisterRequest {
                email: email.into(),
                password: "correct horse battery staple".into(),
                display_name: None,
                tenant_name: invite_token.is_none().then(|| "Image Tenant".to_owned()),
                invite_token,
            },
        )
        .await;
    client
}

async fn catalogue(postgres: bool) {
    let dir = tempfile::tempdir().expect("tmp");
    let layers = debian_layers();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    oci_layout(&a, &[("amd64", &layers)], "cairn/app:1");
    oci_layout(&b, &[("amd64", &layers[..1])], "cairn/app:2");
    let digest = |p: &std::path::Path| sha(&std::fs::read(p.join("index.json")).expect("index"));
    let registry = Registry::serve(&a, "cairn/app", "1", Knobs::default()).await;
    registry.tag(&b, "2");
    let opts = Opts { postgres, path_roots: Vec::new(), workers: 1, vulndb: false };
    let Some(daemon) = Daemon::start_with(opts, |c| c.sources.allow_private_hosts = true).await else {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    };
    let owner = registered(&daemon, "owner@example.test", None).await;
    let repo = format!("{}/cairn/app", registry.host);
    scanned(&owner, &format!("{repo}:1")).await;
    scanned(&owner, &format!("{repo}:2")).await;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut exec = Executor::new(owner.clone(), false, tx);
    let session = match ask(&mut exec, &mut rx, Cmd::LoadSession).await {
        Msg::Session(Ok(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!(session.role, Some(Role::Owner));
    assert!(session.is_admin());

    let images = match ask(&mut exec, &mut rx, Cmd::LoadImages).await {
        Msg::Images(Ok(list)) => list,
        other => panic!("{other:?}"),
    };
    let [image] = images.as_slice() else { panic!("one image: {images:?}") };
    assert_eq!((image.name.as_str(), image.kind), (repo.as_str(), ProjectKind::Image));
    // A tag made by hand and never scanned: listed with no latest scan (not a zero).
    let edge = owner
        .create_version(image.id, &CreateVersion { name: "edge".into(), support_until: None })
        .await
        .expect("version");
    let versions = match ask(&mut exec, &mut rx, Cmd::LoadImageVersions(image.id)).await {
        Msg::ImageVersions { project, result: Ok(v) } => {
            assert_eq!(project, image.id);
            v
        }
        other => panic!("{other:?}"),
    };
    let tags: Vec<(&str, Option<&str>, bool)> = versions
        .iter()
        .map(|v| (v.version.name.as_str(), v.version.image_digest.as_deref(), v.latest.is_some()))
        .collect();
    assert_eq!(
        tags,
        vec![
            ("edge", None, false),
            ("2", Some(digest(&b).as_str()), true),
            ("1", Some(digest(&a).as_str()), true)
        ],
        "newest first"
    );
    let one = versions.iter().find(|v| v.version.name == "1").expect("tag 1");
    let latest = one.latest.as_ref().expect("scanned");
    assert_eq!(latest.image_digest.as_deref(), Some(digest(&a).as_str()));
    assert_eq!(latest.findings, None, "no vulnerability data: not matched, not zero");
    assert!(latest.components > 0);

    let history =
        match ask(&mut exec, &mut rx, Cmd::LoadVersionHistory { project: image.id, version: one.version.id })
            .await
        {
            Msg::VersionHistory { version, result: Ok(points) } => {
                assert_eq!(version, one.version.id);
                points
            }
            other => panic!("{other:?}"),
        };
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].scan_id, latest.scan_id);

    // The SBOM of tag 2, in SPDX 2.3, to a file.
    let file = dir.path().join("app-2.spdx.json");
    let two = versions.iter().find(|v| v.version.name == "2").expect("tag 2");
    let cmd = Cmd::DownloadSbom {
        project: image.id,
        version: two.version.id,
        format: cairn_sdk::types::BomFormat::Spdx23,
        path: file.clone(),
    };
    match ask(&mut exec, &mut rx, cmd).await {
        Msg::SbomDownloaded { version, result: Ok((path, bytes)) } => {
            assert_eq!((version, path.as_path()), (two.version.id, file.as_path()));
            assert_eq!(bytes, std::fs::metadata(&file).expect("written").len());
        }
        other => panic!("{other:?}"),
    }
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    // The never-scanned tag has no document: said, and no file left behind.
    let none = dir.path().join("edge.json");
    let cmd = Cmd::DownloadSbom {
        project: image.id,
        version: edge.id,
        format: cairn_sdk::types::BomFormat::CycloneDx15,
        path: none.clone(),
    };
    match ask(&mut exec, &mut rx, cmd).await {
        Msg::SbomDownloaded { result: Err(f), .. } => {
            assert_eq!(f.status, Some(404), "{f:?}");
            assert!(f.message.contains("no completed scan"), "{f:?}");
        }
        other => panic!("{other:?}"),
    }
    assert!(!none.exists());
    assert_eq!(
        std::fs::read_dir(dir.path())
            .expect("dir")
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
            .count(),
        0
    );

    // Feature requests.
    let body = CreateFeatureRequest {
        kind: FeatureRequestKind::Package,
        title: "Read the rpm ndb format".into(),
        body: "Fedora 40 images".into(),
    };
    let made = match ask(&mut exec, &mut rx, Cmd::CreateRequest(body)).await {
        Msg::RequestCreated(Ok(r)) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!((made.status, made.requested_by), (FeatureRequestStatus::Open, session.user_id));
    match ask(&mut exec, &mut rx, Cmd::LoadRequests).await {
        Msg::Requests(Ok(list)) => assert_eq!(list, vec![made.clone()]),
        other => panic!("{other:?}"),
    }
    // Someone else moves it first: the dashboard's change, on the version it showed, is a
    // conflict carrying the request as it is now.
    let theirs = owner
        .set_feature_request_status(
            made.id,
            made.version,
            &FeatureRequestStatusChange { status: FeatureRequestStatus::Planned, note: None },
        )
        .await
        .expect("planned");
    let stale = Cmd::SetRequestStatus {
        id: made.id,
        version: made.version,
        change: FeatureRequestStatusChange { status: FeatureRequestStatus::Declined, note: None },
    };
    match ask(&mut exec, &mut rx, stale).await {
        Msg::RequestConflict(now) => assert_eq!(now, theirs),
        other => panic!("{other:?}"),
    }
    let fresh = Cmd::SetRequestStatus {
        id: made.id,
        version: theirs.version,
        change: FeatureRequestStatusChange {
            status: FeatureRequestStatus::InProgress,
            note: Some("soon".into()),
        },
    };
    let moved = match ask(&mut exec, &mut rx, fresh).await {
        Msg::RequestChanged(r) => r,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        (moved.status, moved.status_note.as_deref()),
        (FeatureRequestStatus::InProgress, Some("soon"))
    );

    // An invited member: the session says so, and the daemon refuses their status change.
    let invite = owner
        .create_invite(&CreateInvite { email: "member@example.test".into(), role: Role::Member })
        .await
        .expect("invite");
    let member = registered(&daemon, "member@example.test", Some(invite.token)).await;
    let (mtx, mut mrx) = mpsc::unbounded_channel();
    let mut mexec = Executor::new(member, false, mtx);
    let msession = match ask(&mut mexec, &mut mrx, Cmd::LoadSession).await {
        Msg::Session(Ok(s)) => s,
        other => panic!("{other:?}"),
    };
    assert_eq!((msession.role, msession.is_admin()), (Some(Role::Member), false));
    let by_member = Cmd::SetRequestStatus {
        id: made.id,
        version: moved.version,
        change: FeatureRequestStatusChange { status: FeatureRequestStatus::Done, note: None },
    };
    match ask(&mut mexec, &mut mrx, by_member).await {
        Msg::RequestChangeFailed { id, failure } => {
            assert_eq!((id, failure.status), (made.id, Some(403)), "{failure:?}");
        }
        other => panic!("{other:?}"),
    }
    drop((exec, mexec));
    daemon.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_and_requests_on_sqlite() {
    catalogue(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_and_requests_on_postgres() {
    if std::env::var("CAIRN_TEST_POSTGRES_URL").is_err() {
        eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
        return;
    }
    catalogue(true).await;
}
