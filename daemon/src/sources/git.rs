//! `git` sources: a shallow clone with the git CLI into a fresh work directory, under a timeout
//! and a size cap, with the user's and the system's git configuration shut out (no hooks,
//! credential helpers, submodules, prompts or remote-helper transports).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::Command;
use tokio::time::Instant;

use super::credentials::GitSecret;
use super::url::{self, GitUrl, Scheme};
use super::{Obtained, SourceError, SourcePolicy, path, ssh, workdir};

/// How often the clone's size is measured.
const SIZE_POLL: Duration = Duration::from_millis(250);
/// The daemon's environment git always sees: CA bundles and the temp dir.
const PASSED_THROUGH: &[&str] =
    &["SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "TMPDIR"];
/// Proxy settings curl reads; git sees them only when a proxy is allowed (see [`proxy_in`]).
const PROXIES: &[&str] = &[
    "http_proxy",
    "https_proxy",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "all_proxy",
    "ALL_PROXY",
    "no_proxy",
    "NO_PROXY",
];
/// How much of git's standard error is kept for the message.
const STDERR_TAIL: usize = 4096;

/// The name of the ssh key file written into the job's work directory.
const SSH_KEY_FILE: &str = "ssh_key";

/// Clones `url` at `reference` (branch, tag, full commit id, or the default branch), with the
/// tenant's `credential` for the URL's host when it has one.
pub(crate) async fn clone(
    url: &str,
    reference: Option<&str>,
    policy: &SourcePolicy,
    credential: Option<&GitSecret>,
) -> Result<Obtained, SourceError> {
    let deadline = Instant::now() + policy.git_timeout;
    let mut url = url::parse(url)?;
    // Jobs queued before the API refused such URLs still carry them: never clone with them.
    url::refuse_credentials(&url)?;
    let reference = reference.map(check_reference).transpose()?;
    let mut config = base_config(url.scheme);
    let mut pin = None;
    match url.scheme {
        Scheme::Http if !policy.allow_http => {
            return Err(SourceError::Refused(
                "plain http:// git URLs are not accepted; use https:// (or set sources.allow_http)".into(),
            ));
        }
        Scheme::File => {
            let given = url.file_path.clone().unwrap_or_default();
            let resolved = if policy.local_mode {
                given
                    .canonicalize()
                    .map_err(|e| SourceError::Unavailable(format!("{}: {e}", given.display())))?
            } else {
                let roots = policy.path_roots.clone();
                tokio::task::spawn_blocking(move || path::resolve_under_roots(&given, &roots))
                    .await
                    .map_err(|e| SourceError::Internal(format!("path check failed: {e}")))??
            };
            // Clone what was checked, not a path a symlink could swap afterwards.
            url.raw = format!("file://{}", resolved.display());
        }
        Scheme::Https | Scheme::Http | Scheme::Ssh => {
            // With private hosts allowed there is nothing to check (and behind a proxy the
            // daemon may not resolve names at all): git resolves for itself.
            let host = url.host.clone().unwrap_or_default();
            if !policy.allow_private_hosts {
                if url.scheme != Scheme::Ssh
                    && !policy.allow_proxy
                    && let Some(var) = proxy_in(|name| std::env::var_os(name))
                {
                    return Err(SourceError::Refused(format!(
                        "the daemon's environment sets {var}: the proxy would resolve {host} itself, past \
                         the address check; set sources.allow_proxy to clone through it"
                    )));
                }
                let remaining = deadline.saturating_duration_since(Instant::now());
                let addrs = url::check_host(&host, url.port, false, remaining).await?;
                // (An address literal has nothing to rebind.)
                if url.scheme == Scheme::Ssh {
                    if host.parse::<std::net::IpAddr>().is_err()
                        && let Some(first) = addrs.first()
                    {
                        // ssh connects to the address just checked, not a second lookup's answer.
                        pin = Some(ssh::Pin { addr: first.ip(), alias: host.clone() });
                    }
                } else if host.parse::<std::net::IpAddr>().is_err() {
                    // Pin git (curl) to the addresses just checked: no second lookup, no rebinding.
                    let list: Vec<String> = addrs
                        .iter()
                        .map(|a| match a.ip() {
                            std::net::IpAddr::V6(v6) => format!("[{v6}]"),
                            v4 => v4.to_string(),
                        })
                        .collect();
                    config.push(format!("http.curloptResolve={host}:{}:{}", url.port, list.join(",")));
                }
            }
        }
    }

    let work = workdir::create(&policy.work_dir)?;
    let home = work.path().join("home");
    let dest = work.path().join("repo");
    std::fs::create_dir(&home)
        .map_err(|e| SourceError::Internal(format!("cannot prepare git's home: {e}")))?;
    // The key lives in the work directory (0600) only while git runs; the directory goes with the job.
    let identity = match (url.scheme, credential) {
        (Scheme::Ssh, Some(GitSecret::SshKey { private_key })) => {
            Some(write_key(&home.join(SSH_KEY_FILE), private_key)?)
        }
        _ => None,
    };
    let ssh_command = match url.scheme {
        Scheme::Ssh => ssh::command(policy, pin.as_ref(), identity.as_ref().map(KeyFile::path))?,
        // git never runs ssh for other schemes (protocol.allow); should it try, it fails.
        _ => "false".into(),
    };
    // A token travels in git's environment (not in `ps`, the URL or any stored row).
    let auth_header = match url.scheme {
        Scheme::Https | Scheme::Http => credential.and_then(GitSecret::basic_auth_header),
        Scheme::Ssh | Scheme::File => None,
    };
    let git = Git {
        config,
        home,
        url: &url,
        deadline,
        timeout: policy.git_timeout,
        max_bytes: policy.max_clone_bytes,
        ssh_command,
        agent: ssh::agent_allowed(policy),
        proxies: policy.allow_proxy || policy.allow_private_hosts,
        auth_header,
    };

    match &reference {
        Some(Ref::Commit(sha)) => {
            git.run(work.path(), &["init", "-q", "--template=", "repo"], None).await?;
            let args = ["fetch", "-q", "--depth", "1", "--no-tags", "--", &url.raw, sha.as_str()];
            match git.run_git(&dest, &args, Some(&dest)).await {
                Err(Failure::Exited { stderr, .. })
                    if stderr.contains("not our ref")
                        || stderr.contains("unadvertised object")
                        || stderr.contains("couldn't find remote ref") =>
                {
                    return Err(SourceError::Unavailable(format!(
                        "{} does not serve commit {sha} directly (or has no such commit); give the branch or tag that holds it",
                        url.redacted
                    )));
                }
                fetched => fetched.map_err(|f| git.explain("fetch", f))?,
            };
            git.run(&dest, &["checkout", "-q", "--detach", "FETCH_HEAD"], Some(&dest)).await?;
        }
        Some(Ref::Name(name)) => {
            let branch = format!("--branch={name}");
            let cloned = git
                .run_git(
                    work.path(),
                    &[
                        "clone",
                        "-q",
                        "--depth",
                        "1",
                        "--single-branch",
                        "--no-tags",
                        "--template=",
                        &branch,
                        "--",
                        &url.raw,
                        "repo",
                    ],
                    Some(&dest),
                )
                .await;
            match cloned {
                Err(Failure::Exited { stderr, .. }) if stderr.contains("not found in upstream") => {
                    return Err(SourceError::Unavailable(format!(
                        "{} has no branch or tag {name}",
                        url.redacted
                    )));
                }
                cloned => cloned.map_err(|f| git.explain("clone", f))?,
            };
        }
        None => {
            git.run(
                work.path(),
                &[
                    "clone",
                    "-q",
                    "--depth",
                    "1",
                    "--single-branch",
                    "--no-tags",
                    "--template=",
                    "--",
                    &url.raw,
                    "repo",
                ],
                Some(&dest),
            )
            .await?;
        }
    }
    drop(identity);
    let head = git.run(&dest, &["rev-parse", "--verify", "HEAD^{commit}"], None).await?;
    let revision = head.trim().to_owned();
    if revision.len() < 40 || !revision.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(SourceError::Internal(format!("git reported an odd revision {revision:?}")));
    }
    Ok(Obtained::Tree { root: dest, workdir: Some(work), revision: Some(revision), notes: Vec::new() })
}

/// A checked reference: a full commit id is fetched directly, anything else is a branch or tag.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Ref {
    Commit(String),
    Name(String),
}

/// Accepts what `git check-ref-format` would and never anything option-like.
fn check_reference(reference: &str) -> Result<Ref, SourceError> {
    let invalid = |why: &str| SourceError::Invalid(format!("git reference {reference:?}: {why}"));
    if reference.is_empty() {
        return Err(invalid("empty"));
    }
    if (reference.len() == 40 || reference.len() == 64) && reference.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(Ref::Commit(reference.to_ascii_lowercase()));
    }
    if reference.starts_with('-') {
        return Err(invalid("cannot start with '-'"));
    }
    let bad_char = |c: char| c.is_control() || c.is_whitespace() || "~^:?*[\\".contains(c);
    if reference.chars().any(bad_char)
        || reference.contains("..")
        || reference.contains("@{")
        || reference.contains("//")
        || reference.starts_with('/')
        || reference.ends_with('/')
        || reference.ends_with('.')
        || reference.ends_with(".lock")
        || reference == "@"
        || reference.split('/').any(|part| part.starts_with('.'))
    {
        return Err(invalid("not a valid branch or tag name"));
    }
    // `git clone --branch` takes short names only.
    let short = reference.strip_prefix("refs/heads/").or_else(|| reference.strip_prefix("refs/tags/"));
    Ok(Ref::Name(short.unwrap_or(reference).to_owned()))
}

/// `-c` settings every git run gets.
fn base_config(scheme: Scheme) -> Vec<String> {
    let mut config: Vec<String> = [
        "core.hooksPath=/dev/null",
        "core.fsmonitor=false",
        "core.askPass=",
        "credential.helper=",
        "submodule.recurse=false",
        "advice.detachedHead=false",
        "init.defaultBranch=main",
        "protocol.allow=never",
        // A redirect could lead anywhere, private networks included, whatever the host.
        "http.followRedirects=false",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    // Only the URL's own protocol; redirects and helpers cannot switch to another.
    config.push(format!("protocol.{}.allow=always", scheme.protocol()));
    config
}

struct Git<'a> {
    config: Vec<String>,
    home: PathBuf,
    url: &'a GitUrl,
    deadline: Instant,
    timeout: Duration,
    max_bytes: u64,
    /// `GIT_SSH_COMMAND` (see [`ssh::command`]).
    ssh_command: String,
    /// The daemon's `SSH_AUTH_SOCK` reaches ssh.
    agent: bool,
    /// The daemon's proxy settings reach git.
    proxies: bool,
    /// `http.extraHeader` carrying the tenant's token, if any.
    auth_header: Option<String>,
}

impl Git<'_> {
    /// Runs git in `cwd` (see [`Git::run_git`]); a failure is explained by [`Git::explain`].
    async fn run(&self, cwd: &Path, args: &[&str], watch: Option<&Path>) -> Result<String, SourceError> {
        self.run_git(cwd, args, watch).await.map_err(|f| self.explain(args[0], f))
    }

    /// What a failed git run tells the user. For a remote, a fixed reason per kind of failure,
    /// never git's or ssh's own words: those tell a refused port from a filtered one or a banner
    /// from silence, which would make the daemon a port scanner. For `file://`, git's scrubbed
    /// standard error.
    fn explain(&self, command: &str, failure: Failure) -> SourceError {
        let (stderr, status) = match failure {
            Failure::Stopped(e) => return e,
            Failure::Exited { stderr, status } => (stderr, status),
        };
        let detail = if self.url.scheme == Scheme::File {
            let detail = self.url.scrub(stderr.trim());
            if detail.is_empty() { format!("git exited with {status}") } else { detail }
        } else {
            remote_failure(&stderr).to_owned()
        };
        SourceError::Unavailable(format!("git {command} of {} failed: {detail}", self.url.redacted))
    }

    /// Runs git in `cwd`; kills it at the deadline or when `watch` grows past the cap. Returns
    /// its standard output, or its raw standard error when it fails (for [`Git::explain`]).
    async fn run_git(&self, cwd: &Path, args: &[&str], watch: Option<&Path>) -> Result<String, Failure> {
        let mut cmd = Command::new("git");
        for c in &self.config {
            cmd.arg("-c").arg(c);
        }
        cmd.args(args)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()))
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_SSH_COMMAND", &self.ssh_command)
            .env("GIT_SSH_VARIANT", "ssh")
            .env("LC_ALL", "C")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some(header) = &self.auth_header {
            cmd.env("GIT_CONFIG_COUNT", "1")
                .env("GIT_CONFIG_KEY_0", "http.extraHeader")
                .env("GIT_CONFIG_VALUE_0", header);
        }
        let agent = self.agent.then_some("SSH_AUTH_SOCK");
        let proxies = if self.proxies { PROXIES } else { &[] };
        for var in PASSED_THROUGH.iter().chain(proxies).chain(agent.iter()) {
            if let Some(value) = std::env::var_os(var) {
                cmd.env(var, value);
            }
        }
        // Its own process group, so helpers (git-remote-https, ssh, upload-pack) die with it.
        cmd.process_group(0);
        let mut child = cmd
            .spawn()
            .map_err(|e| Failure::Stopped(SourceError::Internal(format!("cannot run git: {e}"))))?;
        let mut group = GroupKill(child.id());
        let stdout = child.stdout.take().map(|s| tokio::spawn(read_tail(s, 64 * 1024)));
        let stderr = child.stderr.take().map(|s| tokio::spawn(read_tail(s, STDERR_TAIL)));
        let mut tick = tokio::time::interval(SIZE_POLL);
        let status = loop {
            tokio::select! {
                status = child.wait() => {
                    group.disarm();
                    break status
                        .map_err(|e| Failure::Stopped(SourceError::Internal(format!("waiting for git: {e}"))))?;
                }
                () = tokio::time::sleep_until(self.deadline) => {
                    group.fire();
                    let _ = child.kill().await;
                    return Err(Failure::Stopped(SourceError::Timeout(format!(
                        "cloning {} took longer than {} s", self.url.redacted, self.timeout.as_secs_f64()
                    ))));
                }
                _ = tick.tick(), if watch.is_some() => {
                    if let Some(dir) = watch
                        && let Err(e) = self.check_size(dir).await
                    {
                        group.fire();
                        let _ = child.kill().await;
                        return Err(Failure::Stopped(e));
                    }
                }
            }
        };
        if let Some(dir) = watch {
            self.check_size(dir).await.map_err(Failure::Stopped)?;
        }
        let out = match stdout {
            Some(task) => task.await.unwrap_or_default(),
            None => String::new(),
        };
        let err = match stderr {
            Some(task) => task.await.unwrap_or_default(),
            None => String::new(),
        };
        if !status.success() {
            return Err(Failure::Exited { stderr: err, status });
        }
        Ok(out)
    }

    async fn check_size(&self, dir: &Path) -> Result<(), SourceError> {
        let dir = dir.to_path_buf();
        let size = tokio::task::spawn_blocking(move || dir_size(&dir)).await.unwrap_or(0);
        if size > self.max_bytes {
            return Err(SourceError::TooLarge(format!(
                "the clone of {} passed the {} byte cap",
                self.url.redacted, self.max_bytes
            )));
        }
        Ok(())
    }
}

/// A private key written for ssh, removed when dropped.
struct KeyFile(PathBuf);

impl KeyFile {
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for KeyFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Writes `pem` to `path`, readable by the daemon's user only (ssh refuses other modes).
fn write_key(path: &Path, pem: &str) -> Result<KeyFile, SourceError> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| SourceError::Internal(format!("cannot write the ssh key file: {e}")))?;
    let key = KeyFile(path.to_path_buf());
    let mut text = pem.trim_end().to_owned();
    // ssh rejects a key file without its final newline.
    text.push('\n');
    file.write_all(text.as_bytes())
        .map_err(|e| SourceError::Internal(format!("cannot write the ssh key file: {e}")))?;
    Ok(key)
}

/// Why a git run did not succeed.
enum Failure {
    /// Cairn stopped it or could not run it (deadline, size cap, spawn): already explained.
    Stopped(SourceError),
    /// git exited unsuccessfully.
    Exited { stderr: String, status: std::process::ExitStatus },
}

/// The fixed reason for a failed fetch from a remote, by what git's standard error shows.
fn remote_failure(stderr: &str) -> &'static str {
    let has = |needle: &str| stderr.contains(needle);
    if has("Host key verification failed") || has("REMOTE HOST IDENTIFICATION HAS CHANGED") {
        "the server's ssh host key is not in sources.ssh_known_hosts or does not match it"
    } else if (300..400).any(|code| has(&format!("returned error: {code}"))) {
        "the server answered with a redirect, which is never followed; give the repository's final URL"
    } else if has("returned error: 401")
        || has("returned error: 403")
        || has("returned error: 404")
        || has("Repository not found")
        || has("repository not found")
        || has("Permission denied")
        || has("Authentication failed")
        || has("could not read Username")
        || has("does not appear to be a git repository")
    {
        "the repository does not exist or is not public"
    } else {
        "the git server could not be reached or did not answer as a git server"
    }
}

/// The first proxy variable set (non-empty) in an environment read through `var`.
fn proxy_in(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Option<&'static str> {
    ["https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"]
        .into_iter()
        .find(|name| var(name).is_some_and(|v| !v.is_empty()))
}

/// Kills a git process group when fired or dropped (a cancelled clone drops it), unless git
/// ended on its own first. Uses kill(1): signalling a group needs no unsafe code that way.
struct GroupKill(Option<u32>);

impl GroupKill {
    fn fire(&mut self) {
        if let Some(pgid) = self.0.take() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pgid}")])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }

    fn disarm(&mut self) {
        self.0 = None;
    }
}

impl Drop for GroupKill {
    fn drop(&mut self) {
        self.fire();
    }
}

/// Reads a pipe to its end, keeping the last `keep` bytes.
async fn read_tail(mut pipe: impl tokio::io::AsyncRead + Unpin, keep: usize) -> String {
    let mut kept: Vec<u8> = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = pipe.read(&mut buf).await {
        if n == 0 {
            break;
        }
        kept.extend_from_slice(&buf[..n]);
        if kept.len() > keep {
            kept.drain(..kept.len() - keep);
        }
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// Bytes under `dir` (files as stored, links not followed); vanishing entries count as empty.
fn dir_size(dir: &Path) -> u64 {
    let mut total = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let Ok(meta) = entry.path().symlink_metadata() else { continue };
            if meta.is_dir() {
                stack.push(entry.path());
            } else {
                total += meta.len();
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_failures_have_fixed_reasons() {
        let unreachable = "the git server could not be reached or did not answer as a git server";
        for stderr in [
            "ssh: connect to host 127.0.0.1 port 1: Connection refused\nfatal: Could not read from remote repository.",
            "fatal: unable to access 'https://127.0.0.1:1/r.git/': Failed to connect to 127.0.0.1 port 1 after 0 ms",
            "kex_exchange_identification: banner line contains invalid characters",
            "",
        ] {
            assert_eq!(remote_failure(stderr), unreachable, "{stderr}");
        }
        let redirect = "fatal: unable to access 'http://h/r.git/': The requested URL returned error: 301";
        assert!(remote_failure(redirect).contains("redirect"));
        assert!(remote_failure("remote: Repository not found.").contains("does not exist"));
        assert!(remote_failure("Host key verification failed.").contains("host key"));
    }

    #[test]
    fn proxies_in_the_environment_are_found() {
        let env = |set: &'static [(&'static str, &'static str)]| {
            move |name: &str| set.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).into())
        };
        assert_eq!(proxy_in(env(&[("https_proxy", "http://proxy:3128")])), Some("https_proxy"));
        assert_eq!(proxy_in(env(&[("ALL_PROXY", "socks5://p")])), Some("ALL_PROXY"));
        assert_eq!(proxy_in(env(&[("https_proxy", ""), ("no_proxy", "*")])), None);
    }

    #[test]
    fn references() {
        let sha = "66904acb73f5d2a8da466b22f4cd1c8b8f0ab1ff";
        assert_eq!(check_reference(sha).expect("sha"), Ref::Commit(sha.into()));
        assert_eq!(check_reference("release/1.2").expect("branch"), Ref::Name("release/1.2".into()));
        assert_eq!(check_reference("v1.0.0").expect("tag"), Ref::Name("v1.0.0".into()));
        assert_eq!(check_reference("refs/tags/v1.0.0").expect("full tag"), Ref::Name("v1.0.0".into()));
        assert_eq!(check_reference("refs/heads/main").expect("full branch"), Ref::Name("main".into()));
        for bad in [
            "",
            "--upload-pack=touch /tmp/x",
            "-b",
            "a..b",
            "a b",
            "a:b",
            "x.lock",
            "/x",
            "x/",
            "@",
            ".hidden",
            "a^",
        ] {
            assert!(check_reference(bad).is_err(), "{bad:?} accepted");
        }
    }
}
