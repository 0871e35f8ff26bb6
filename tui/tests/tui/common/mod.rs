//! A real daemon for the client tests: the cairnd library serving on 127.0.0.1 in a thread of its
//! own, on SQLite (or Postgres when CAIRN_TEST_POSTGRES_URL is set and asked for), with path roots
//! and the OSV fixture advisories imported the way `cairnd vulndb import` does before it serves.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use cairn_daemon::config::{Config, RateLimits, RegistrationMode};
use cairn_daemon::vulndb::cli::VulndbCommand;

/// The engine's OSV fixture advisories (crates.io, PyPI, Go).
pub fn osv() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/osv")
}

/// A corpus directory of the engine's fixtures.
pub fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/corpus").join(rel)
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The gzip-compressed tar of the directory `root` (its files under their relative paths), as an
/// upload carries a tree.
pub fn tarball(root: &Path) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all(".", root).expect("archive the tree");
    tar.into_inner().expect("finish the archive").finish().expect("compress the archive")
}

/// What follows `prefix` on a line of the newest mail to `to` in the pickup directory `dir` that
/// has such a line, waiting up to 20 s for the daemon's sender to deliver it.
pub async fn mailed_line(dir: &Path, to: &str, prefix: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let head = format!("To: {to}\r\n");
    loop {
        let mut mails: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                    .collect()
            })
            .unwrap_or_default();
        // Ids are UUIDv7: the newest sorts last.
        mails.sort();
        let found = mails.iter().rev().find_map(|p| {
            let text = std::fs::read_to_string(p).ok()?;
            if !text.starts_with(&head) {
                return None;
            }
            text.lines().find_map(|l| l.strip_prefix(prefix)).map(|v| v.trim().to_owned())
        });
        if let Some(value) = found {
            return value;
        }
        assert!(std::time::Instant::now() < deadline, "no mail to {to} with {prefix:?} within 20 s");
        // The sender writes the file; nothing else signals its arrival to this process.
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// What the daemon is started with.
pub struct Opts {
    pub postgres: bool,
    pub path_roots: Vec<PathBuf>,
    pub workers: usize,
    /// Import the fixture advisories before serving.
    pub vulndb: bool,
}

pub struct Daemon {
    pub base: String,
    /// The daemon's database (tests reach behind the API to create a super admin).
    pub database_url: String,
    /// An API key with every scope of a super admin (minted as local mode mints its key).
    pub admin_key: String,
    config: Config,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<()>>>,
    pg: Option<(String, String)>,
    _dir: tempfile::TempDir,
}

impl Daemon {
    /// Where the daemon delivers mail (`[mail] pickup_dir`).
    pub fn mail_dir(&self) -> &Path {
        self.config.mail.pickup_dir.as_deref().expect("a pickup directory")
    }

    /// Registers through `client` as a person would: open registration mails a token to the
    /// pickup directory, which is read there and sent back (an invitation logs in at once).
    pub async fn register(&self, client: &cairn_sdk::Client, request: &cairn_sdk::types::RegisterRequest) {
        match client.register(request).await.expect("register") {
            cairn_sdk::Registered::LoggedIn(_) => {}
            cairn_sdk::Registered::VerificationSent(_) => {
                let token = mailed_line(self.mail_dir(), &request.email, "Registration token: ").await;
                client.register_verify(&token).await.expect("verify the registration");
            }
        }
    }

    /// `None` when Postgres was asked for and the environment has none.
    pub async fn start(opts: Opts) -> Option<Daemon> {
        Self::start_with(opts, |_| {}).await
    }

    /// As `start`, with `tweak` applied to the configuration last (sections `Opts` has no field for).
    pub async fn start_with(opts: Opts, tweak: impl FnOnce(&mut Config)) -> Option<Daemon> {
        // The daemon's log goes with the test's output (shown when it fails).
        let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        let dir = tempfile::tempdir().expect("tempdir");
        let mut pg = None;
        let database_url = if opts.postgres {
            let server = std::env::var("CAIRN_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())?;
            let name = format!("cairn_cli_{}", uuid::Uuid::new_v4().simple());
            cairn_daemon::test_support::create_postgres_database(&server, &name)
                .await
                .expect("create database");
            let url = with_database(&server, &name);
            pg = Some((server, name));
            url
        } else {
            format!("sqlite://{}", dir.path().join("cairnd.db").display())
        };
        let mut config = Config {
            listen: "127.0.0.1:0".parse().expect("addr"),
            database_url: database_url.clone(),
            // Postgres needs a configured signing secret (SQLite generates one beside the database).
            jwt_secret: Some("client-test-signing-secret-0123456789".into()),
            registration: RegistrationMode::Open,
            rate_limits: RateLimits {
                login_per_minute: 10_000,
                reads_per_minute: 10_000,
                writes_per_minute: 10_000,
                uploads_per_hour: 10_000,
                health_per_minute: 10_000,
            },
            shutdown_grace_secs: 1,
            ..Config::default()
        };
        // Mail is delivered to a pickup directory, where tests read what the recipient would.
        config.mail.pickup_dir = Some(dir.path().join("mail"));
        config.sources.path_roots = opts.path_roots;
        config.sources.single_tenant = true;
        config.scans.workers = opts.workers;
        tweak(&mut config);
        if opts.vulndb {
            cairn_daemon::vulndb::cli::run(
                config.clone(),
                VulndbCommand::Import { paths: vec![osv()], name: None },
            )
            .await
            .expect("vulndb import");
        }
        let listener = std::net::TcpListener::bind(config.listen).expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        let ((stop, thread), admin_key) = serve(config.clone(), listener).await;
        Some(Daemon {
            base,
            database_url,
            admin_key,
            config,
            stop: Some(stop),
            thread: Some(thread),
            pg,
            _dir: dir,
        })
    }

    /// Stops the daemon (sockets close as in a real shutdown) and starts it again on the same
    /// address and database; `between` runs while it is down.
    pub async fn restart<F: std::future::Future<Output = ()>>(&mut self, between: F) {
        self.stop_serving().await;
        between.await;
        let addr: std::net::SocketAddr =
            self.base.trim_start_matches("http://").parse().expect("the daemon's address");
        let listener = std::net::TcpListener::bind(addr).expect("bind the same address again");
        let ((stop, thread), _) = serve(self.config.clone(), listener).await;
        self.stop = Some(stop);
        self.thread = Some(thread);
    }

    async fn stop_serving(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(thread) = self.thread.take() {
            let result = tokio::task::spawn_blocking(move || thread.join()).await.expect("join");
            result.expect("daemon thread").expect("daemon ran cleanly");
        }
    }

    pub async fn shutdown(mut self) {
        self.stop_serving().await;
        if let Some((server, name)) = self.pg.take() {
            cairn_daemon::test_support::drop_postgres_database(&server, &name).await.expect("drop database");
        }
    }
}

type Serving = (tokio::sync::oneshot::Sender<()>, std::thread::JoinHandle<anyhow::Result<()>>);

/// The daemon library serving on `listener` in a thread and runtime of its own, once its store is
/// prepared, with a super admin key minted as local mode mints its own (a new one each start).
async fn serve(config: Config, listener: std::net::TcpListener) -> (Serving, String) {
    listener.set_nonblocking(true).expect("nonblocking");
    let (tx, rx) = tokio::sync::oneshot::channel();
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel();
    // `launch` is not Send: the daemon gets a thread and a runtime of its own.
    let thread = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            let state = cairn_daemon::server::prepare(config).await?;
            // As `cairnd serve` does: the stored data is matched from the first request on.
            cairn_daemon::vulndb::reload(&state.store, &state.vulndb).await?;
            let admin_key = cairn_daemon::accounts::Accounts::new(
                &state.store,
                cairn_daemon::accounts::Origin::LocalMode,
            )
            .mint_local_key()
            .await?;
            let _ = ready_tx.send(admin_key);
            cairn_daemon::server::launch(state, listener, async {
                let _ = rx.await;
            })
            .await
        })
    });
    let admin_key = ready_rx.await.expect("the daemon prepared its store");
    ((tx, thread), admin_key)
}

/// `server` (a Postgres URL) naming database `name` instead.
fn with_database(server: &str, name: &str) -> String {
    let (base, query) = server.split_once('?').map_or((server, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..].find('/').map_or(base.len(), |i| i + after_scheme);
    let mut url = format!("{}/{name}", &base[..host_end]);
    if let Some(q) = query {
        url = format!("{url}?{q}");
    }
    url
}

/// Errors of a CycloneDX 1.6 document against the official schema (empty = valid).
pub fn cyclonedx_errors(doc: &serde_json::Value) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../engine/tests/fixtures/schemas/cyclonedx");
    let load = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join(name)).expect("schema")).expect("schema json")
    };
    let registry = jsonschema::Registry::new()
        .add("http://cyclonedx.org/schema/spdx.schema.json", load("spdx.schema.json"))
        .expect("spdx")
        .add("http://cyclonedx.org/schema/jsf-0.82.schema.json", load("jsf-0.82.schema.json"))
        .expect("jsf")
        .add(
            "http://cyclonedx.org/schema/cryptography-defs.schema.json",
            load("cryptography-defs.schema.json"),
        )
        .expect("crypto defs")
        .prepare()
        .expect("registry");
    let validator = jsonschema::options()
        .with_registry(&registry)
        .offline()
        .should_validate_formats(true)
        .build(&load("bom-1.6.schema.json"))
        .expect("validator");
    validator.iter_errors(doc).take(5).map(|e| format!("{e} at {}", e.instance_path())).collect()
}
