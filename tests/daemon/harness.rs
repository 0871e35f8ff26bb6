//! Starts real `cairnd` processes (SQLite in a temp dir, or a fresh Postgres database) and talks
//! to them over HTTP.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// The Postgres server URL, when the environment provides one.
pub fn postgres_server() -> Option<String> {
    std::env::var("CAIRN_TEST_POSTGRES_URL").ok().filter(|s| !s.is_empty())
}

/// Runs the same test body on SQLite and on Postgres (the latter when CAIRN_TEST_POSTGRES_URL
/// is set; CI sets it).
#[macro_export]
macro_rules! both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                ($body)($crate::harness::Db::Sqlite).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if $crate::harness::postgres_server().is_none() {
                    eprintln!("CAIRN_TEST_POSTGRES_URL unset: Postgres variant not run");
                    return;
                }
                ($body)($crate::harness::Db::Postgres).await;
            }
        }
    };
}

/// Options for a daemon.
#[derive(Debug, Clone)]
pub struct Opts {
    pub registration: &'static str,
    pub login_per_minute: u32,
    pub reads_per_minute: u32,
    pub writes_per_minute: u32,
    pub uploads_per_hour: u32,
    pub health_per_minute: u32,
    /// `[scans] upload_max_bytes` (the daemon's default when None).
    pub upload_max_bytes: Option<u64>,
    pub max_body_bytes: usize,
    pub json_logs: bool,
    /// TOML appended to the generated configuration (tables only, e.g. `[oauth]`).
    pub extra_config: String,
    /// `[sources] path_roots`: directories path scans (and file:// git URLs) may name.
    pub scan_roots: Vec<PathBuf>,
    /// `[scans] workers`.
    pub workers: usize,
    /// `[scans] replica_id`.
    pub replica_id: Option<String>,
    /// `[scans] stale_after_secs`.
    pub stale_after_secs: u64,
    /// `[scans] detail_max_items` (the daemon's default when None).
    pub detail_max_items: Option<u32>,
    /// Imported with `cairnd vulndb import` before the daemon first serves.
    pub vulndb_import: Vec<PathBuf>,
    /// `git_credentials_key_file`: the key sealing tenants' git credentials (none when None).
    pub git_credentials_key_file: Option<PathBuf>,
    /// `CAIRN_LOG`, the daemon's log filter (`info`; `info,sqlx::query=trace` logs statements).
    pub log: &'static str,
}

impl Default for Opts {
    fn default() -> Self {
        Self {
            registration: "open",
            login_per_minute: 100_000,
            reads_per_minute: 100_000,
            writes_per_minute: 100_000,
            uploads_per_hour: 100_000,
            health_per_minute: 100_000,
            upload_max_bytes: None,
            max_body_bytes: 65_536,
            json_logs: false,
            extra_config: String::new(),
            scan_roots: Vec::new(),
            workers: 2,
            replica_id: None,
            stale_after_secs: 10,
            detail_max_items: None,
            vulndb_import: Vec::new(),
            git_credentials_key_file: None,
            log: "info",
        }
    }
}

/// A running daemon; killed on drop.
pub struct Daemon {
    child: Option<Child>,
    /// The per-test Postgres database, dropped with the daemon.
    pg_database: Option<String>,
    pub base: String,
    /// The database URL the daemon uses (tests reach behind it to prove tampering is caught).
    pub db_url: String,
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub http: reqwest::Client,
    /// Mails of the pickup directory a test has already read (`next_mail` returns each once).
    mail_read: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// `CAIRN_LOG` of the process (kept for a restart).
    log: &'static str,
}

impl Daemon {
    pub async fn start(db: Db) -> Daemon {
        Self::start_with(db, Opts::default()).await
    }

    pub async fn start_with(db: Db, opts: Opts) -> Daemon {
        let mut pg_database = None;
        let dir = tempfile::tempdir().expect("tempdir");
        let db_url = match db {
            Db::Sqlite => format!("sqlite://{}", dir.path().join("cairnd.db").display()),
            Db::Postgres => {
                let server = postgres_server().expect("postgres url");
                let name = format!("cairn_t_{}", uuid_simple());
                cairn_daemon::store::create_postgres_database(&server, &name).await.expect("create database");
                pg_database = Some(name.clone());
                replace_db_name(&server, &name)
            }
        };
        let mut d = Self::start_on(dir, db_url, opts).await;
        d.pg_database = pg_database;
        d
    }

    /// A daemon on an existing database (a second replica); it does not drop the database.
    pub async fn start_sharing(other: &Daemon, opts: Opts) -> Daemon {
        Self::start_on(tempfile::tempdir().expect("tempdir"), other.db_url.clone(), opts).await
    }

    async fn start_on(dir: tempfile::TempDir, db_url: String, opts: Opts) -> Daemon {
        let config = dir.path().join("cairnd.toml");
        let mut f = std::fs::File::create(&config).expect("config");
        // Top-level keys before the first table.
        if let Some(key) = &opts.git_credentials_key_file {
            writeln!(f, "git_credentials_key_file = {:?}", key.display().to_string()).expect("write config");
        }
        // Postgres needs a configured signing secret; SQLite generates one beside the database.
        if db_url.starts_with("postgres") {
            writeln!(f, "jwt_secret = \"harness-signing-secret-0123456789abcdef\"").expect("write config");
        }
        writeln!(
            f,
            "listen = \"127.0.0.1:0\"\ndatabase_url = \"{db_url}\"\nregistration = \"{}\"\nmax_body_bytes = {}\n\
             log_format = \"{}\"\nshutdown_grace_secs = 5\n[rate_limits]\nlogin_per_minute = {}\nreads_per_minute = {}\nwrites_per_minute = {}\nuploads_per_hour = {}\nhealth_per_minute = {}\n",
            opts.registration,
            opts.max_body_bytes,
            if opts.json_logs { "json" } else { "text" },
            opts.login_per_minute,
            opts.reads_per_minute,
            opts.writes_per_minute,
            opts.uploads_per_hour,
            opts.health_per_minute
        )
        .expect("write config");
        let roots: Vec<String> =
            opts.scan_roots.iter().map(|r| format!("{:?}", r.display().to_string())).collect();
        writeln!(
            f,
            "[scans]\nworkers = {}\nheartbeat_secs = 1\nstale_after_secs = {}\npoll_secs = 1\n{}{}{}",
            opts.workers,
            opts.stale_after_secs,
            opts.replica_id.as_ref().map(|r| format!("replica_id = {r:?}\n")).unwrap_or_default(),
            opts.detail_max_items.map(|n| format!("detail_max_items = {n}\n")).unwrap_or_default(),
            opts.upload_max_bytes.map(|b| format!("upload_max_bytes = {b}\n")).unwrap_or_default()
        )
        .expect("write config");
        // Path roots live in `[sources]`; a test that needs other `[sources]` keys writes the whole
        // table through `extra_config` instead.
        if !opts.scan_roots.is_empty() {
            // Global roots: these tests run one team per daemon (a single-tenant install).
            writeln!(f, "[sources]\nsingle_tenant = true\npath_roots = [{}]", roots.join(", "))
                .expect("write config");
        }
        // Mail goes to a pickup directory, where tests read what the recipient would.
        writeln!(f, "[mail]\npickup_dir = {:?}", dir.path().join("mail").display().to_string())
            .expect("write config");
        f.write_all(opts.extra_config.as_bytes()).expect("write config");
        drop(f);
        if !opts.vulndb_import.is_empty() {
            let out = Command::new(env!("CARGO_BIN_EXE_cairnd"))
                .arg("--config")
                .arg(&config)
                .args(["vulndb", "import"])
                .args(&opts.vulndb_import)
                .output()
                .expect("run cairnd vulndb import");
            assert!(out.status.success(), "vulndb import: {}", String::from_utf8_lossy(&out.stderr));
        }
        let (child, base) = spawn(&config, dir.path(), opts.log).await;
        Daemon {
            child: Some(child),
            pg_database: None,
            base,
            db_url,
            dir,
            config,
            http: http_client(true),
            mail_read: Default::default(),
            log: opts.log,
        }
    }

    /// `kill -9`: no shutdown, jobs left running in the database.
    pub fn kill9(&mut self) {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill").arg("-KILL").arg(child.id().to_string()).status().expect("kill");
        assert!(status.success());
        let _ = child.wait();
    }

    /// Starts the daemon again with the same configuration and database.
    pub async fn restart(&mut self) {
        assert!(self.child.is_none(), "still running");
        let (child, base) = spawn(&self.config, self.dir.path(), self.log).await;
        self.child = Some(child);
        self.base = base;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// The daemon's process id.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.log")).unwrap_or_default()
    }

    /// Sends SIGTERM and waits for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().expect("kill");
        assert!(status.success());
        child.wait().expect("wait")
    }

    /// Runs `cairnd admin …` against this daemon's database; returns stdout.
    pub fn admin(&self, args: &[&str], stdin: Option<&str>) -> String {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cairnd"))
            .arg("--config")
            .arg(&self.config)
            .arg("admin")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn admin");
        if let Some(input) = stdin {
            child.stdin.take().expect("stdin").write_all(input.as_bytes()).expect("write stdin");
        } else {
            drop(child.stdin.take());
        }
        let out = child.wait_with_output().expect("admin output");
        assert!(
            out.status.success(),
            "cairnd admin {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf8")
    }

    /// Registers a user (open registration, verified with the token the daemon mails to the
    /// pickup directory, as the recipient would) and returns their session.
    pub async fn register(&self, email: &str) -> Session {
        let resp = self
            .http
            .post(self.url("/api/v1/auth/register"))
            .json(&json!({"email": email, "password": PASSWORD, "tenant_name": format!("t-{email}")}))
            .send()
            .await
            .expect("register");
        assert_eq!(resp.status(), 202, "register {email}: {}", resp.text().await.unwrap_or_default());
        let token = self.registration_token(email).await;
        let resp = self
            .http
            .post(self.url("/api/v1/auth/register/verify"))
            .json(&json!({"token": token}))
            .send()
            .await
            .expect("verify");
        assert_eq!(resp.status(), 201, "verify {email}: {}", resp.text().await.unwrap_or_default());
        let tokens: Value = resp.json().await.expect("json");
        self.session(&tokens).await
    }

    /// The registration token of the next unread mail to `email` in the pickup directory.
    pub async fn registration_token(&self, email: &str) -> String {
        let mail = self.next_mail(Some(email), "Registration token: ").await;
        let line = mail.lines().find_map(|l| l.strip_prefix("Registration token: ")).expect("a token line");
        line.trim().to_owned()
    }

    /// The first of `mails` not read yet that goes to `to` and contains `needle`, marked read.
    fn take_unread(&self, mails: Vec<PathBuf>, to: Option<&str>, needle: &str) -> Option<String> {
        let mut read = self.mail_read.lock().expect("lock");
        for path in mails {
            if read.contains(&path) {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("mail");
            let addressed = to.is_none_or(|to| text.starts_with(&format!("To: {to}\r\n")));
            if addressed && text.contains(needle) {
                read.insert(path);
                return Some(text);
            }
        }
        None
    }

    /// The oldest mail in the pickup directory not read yet that goes to `to` (any recipient when
    /// `None`) and contains `needle`, waiting up to 20 s for the daemon's sender to deliver it.
    /// Each mail is returned once.
    pub async fn next_mail(&self, to: Option<&str>, needle: &str) -> String {
        let dir = self.dir.path().join("mail");
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        loop {
            let mut mails: Vec<PathBuf> = std::fs::read_dir(&dir)
                .map(|entries| {
                    entries
                        .filter_map(|e| e.ok().map(|e| e.path()))
                        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
                        .collect()
                })
                .unwrap_or_default();
            // Ids are UUIDv7: the oldest sorts first.
            mails.sort();
            if let Some(text) = self.take_unread(mails, to, needle) {
                return text;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "no mail to {to:?} containing {needle:?} within 20 s"
            );
            // The sender writes the file; nothing else signals its arrival to another process.
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    /// Registers with an invitation of `inviter` into their tenant at `role`.
    pub async fn invite(&self, inviter: &Session, email: &str, role: &str) -> Session {
        let inv: Value = self
            .send(
                inviter,
                reqwest::Method::POST,
                "/api/v1/invites",
                Some(json!({"email": email, "role": role})),
            )
            .await
            .json()
            .await
            .expect("invite json");
        let token = inv["token"].as_str().expect("token").to_owned();
        let resp = self
            .http
            .post(self.url("/api/v1/auth/register"))
            .json(&json!({"email": email, "password": PASSWORD, "invite_token": token}))
            .send()
            .await
            .expect("register");
        assert_eq!(resp.status(), 201);
        let tokens: Value = resp.json().await.expect("json");
        self.session(&tokens).await
    }

    pub async fn login(&self, email: &str) -> Session {
        let resp = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"email": email, "password": PASSWORD}))
            .send()
            .await
            .expect("login");
        assert_eq!(resp.status(), 200, "login {email}");
        let tokens: Value = resp.json().await.expect("json");
        self.session(&tokens).await
    }

    async fn session(&self, tokens: &Value) -> Session {
        let access = tokens["access_token"].as_str().expect("access").to_owned();
        let me: Value = self
            .http
            .get(self.url("/api/v1/auth/me"))
            .bearer_auth(&access)
            .send()
            .await
            .expect("me")
            .json()
            .await
            .expect("me json");
        Session {
            token: access,
            refresh: tokens["refresh_token"].as_str().expect("refresh").to_owned(),
            user_id: me["user"]["id"].as_str().expect("id").to_owned(),
            tenant: me["current_tenant"].as_str().map(str::to_owned),
        }
    }

    /// An authenticated request with a JSON body.
    pub async fn send(
        &self,
        who: &Session,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> reqwest::Response {
        let mut req = self.http.request(method, self.url(path)).bearer_auth(&who.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.expect("send")
    }

    /// Creates an API key for `who` and returns the secret.
    pub async fn api_key(&self, who: &Session, scopes: &[&str]) -> Session {
        let resp = self
            .send(
                who,
                reqwest::Method::POST,
                "/api/v1/api-keys",
                Some(json!({"name": "k", "scopes": scopes})),
            )
            .await;
        assert_eq!(resp.status(), 201);
        let v: Value = resp.json().await.expect("json");
        Session {
            token: v["secret"].as_str().expect("secret").to_owned(),
            refresh: String::new(),
            user_id: who.user_id.clone(),
            tenant: who.tenant.clone(),
        }
    }

    pub async fn create_project(&self, who: &Session, name: &str) -> Value {
        let resp = self
            .send(who, reqwest::Method::POST, "/api/v1/projects", Some(json!({"name": name, "kind": "repo"})))
            .await;
        assert_eq!(resp.status(), 201, "create project");
        resp.json().await.expect("json")
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        if let (Some(name), Some(server)) = (self.pg_database.take(), postgres_server()) {
            // Drop runs inside the test's runtime: clean up on a thread with its own.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                if let Err(e) = rt.block_on(cairn_daemon::store::drop_postgres_database(&server, &name)) {
                    eprintln!("could not drop test database {name}: {e}");
                }
            })
            .join();
        }
    }
}

/// Spawns `cairnd serve` and waits for its `listening on` line.
async fn spawn(config: &std::path::Path, dir: &std::path::Path, log_filter: &str) -> (Child, String) {
    let log =
        std::fs::OpenOptions::new().create(true).append(true).open(dir.join("stderr.log")).expect("log file");
    let mut child = Command::new(env!("CARGO_BIN_EXE_cairnd"))
        .arg("serve")
        .arg("--config")
        .arg(config)
        .env_remove("CAIRN_LISTEN")
        .env_remove("CAIRN_DATABASE_URL")
        .env("CAIRN_LOG", log_filter)
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("spawn cairnd");
    let stdout = child.stdout.take().expect("stdout");
    // The daemon prints its bound address once it serves: wait for that line, not a timer.
    let line = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).map(|_| line)
    })
    .await
    .expect("join")
    .expect("read stdout");
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    (child, base)
}

/// A logged-in caller (or an API key in `token`).
#[derive(Debug, Clone)]
pub struct Session {
    pub token: String,
    pub refresh: String,
    pub user_id: String,
    pub tenant: Option<String>,
}

/// A client for talking to test servers; `follow` = follow redirects.
pub fn http_client(follow: bool) -> reqwest::Client {
    // reqwest is built with `rustls-no-provider` (for cairnd's provider calls): a process-wide
    // provider must exist before any client is built. An error means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let policy =
        if follow { reqwest::redirect::Policy::default() } else { reqwest::redirect::Policy::none() };
    reqwest::Client::builder().redirect(policy).build().expect("client")
}

pub const PASSWORD: &str = "correct horse battery staple";

pub fn uuid_simple() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

pub fn unique_email(prefix: &str) -> String {
    format!("{prefix}-{}@example.test", &uuid_simple()[..12])
}

/// The server URL pointing at database `name`.
pub fn server_with_db(server: &str, name: &str) -> String {
    replace_db_name(server, name)
}

fn replace_db_name(server: &str, name: &str) -> String {
    let (base, query) = match server.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server, None),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_end = base[scheme_end..].find('/').map(|i| scheme_end + i).unwrap_or(base.len());
    let mut url = format!("{}/{}", &base[..host_end], name);
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

/// Asserts a problem+json response with `status` and `code`, returning the body.
pub async fn expect_problem(resp: reqwest::Response, status: u16, code: &str) -> Value {
    let got = resp.status().as_u16();
    let ct = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let body: Value = resp.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "status; body {body}");
    assert_eq!(ct, "application/problem+json", "content type; body {body}");
    assert_eq!(body["code"], code, "code; body {body}");
    assert_eq!(body["status"], status);
    assert!(
        body["request_id"].is_string() && body["type"].is_string() && body["title"].is_string(),
        "problem shape {body}"
    );
    body
}

/// A daemon's state in this test's process, with no HTTP server (for pipeline and queue tests):
/// SQLite in `dir`, or a fresh Postgres database whose (server, name) is returned so the test can
/// drop it. `roots` become the global path roots of a single-tenant install. The signing secret
/// is set because Postgres refuses to start without one.
pub async fn in_process_state(
    db: Db,
    dir: &std::path::Path,
    roots: &[PathBuf],
) -> (cairn_daemon::state::AppState, Option<(String, String)>) {
    let (database_url, pg) = match db {
        Db::Sqlite => (format!("sqlite://{}", dir.join("cairnd.db").display()), None),
        Db::Postgres => {
            let server = postgres_server().expect("server");
            let name = format!("cairn_ip_{}", uuid_simple());
            cairn_daemon::store::create_postgres_database(&server, &name).await.expect("create database");
            (server_with_db(&server, &name), Some((server, name)))
        }
    };
    let mut config = cairn_daemon::config::Config {
        database_url,
        jwt_secret: Some("in-process-test-signing-secret-0123456789".into()),
        ..cairn_daemon::config::Config::default()
    };
    config.sources.path_roots = roots.to_vec();
    config.sources.single_tenant = true;
    (cairn_daemon::server::prepare(config).await.expect("state"), pg)
}
