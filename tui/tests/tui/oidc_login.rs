//! `cairn login --oidc PROVIDER` end to end (issue 16 point 8): a real `cairn` process, a daemon
//! with the daemon suite's fake OIDC provider on 127.0.0.1, and this test playing the browser.
//! The CLI never holds the client secret: it sends the browser to the daemon's authorize with a
//! loopback redirect and a PKCE challenge, receives the one-time code on 127.0.0.1, and redeems it
//! with its verifier. The code alone (seen by anything on the way) redeems nothing, and a request
//! to the loopback listener without the login's own state does not end the login.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::common::{Daemon, Opts};

/// The daemon suite's fake provider, shared rather than copied.
#[allow(dead_code)]
#[path = "../../../tests/daemon/fake_idp.rs"]
mod fake_idp;

use fake_idp::{Account, FakeIdp};

/// Where the fake provider sends the browser back (`oauth.public_url` of its configuration); the
/// browser here forwards that to the real daemon.
const PUBLIC: &str = "http://127.0.0.1:9";

fn browser() -> reqwest::Client {
    // Building an SDK client installs the process's rustls provider, which reqwest needs here.
    let _ = cairn_sdk::Client::anonymous("http://127.0.0.1:9");
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("http")
}

fn location(resp: &reqwest::Response) -> String {
    assert_eq!(resp.status(), 302, "{}", resp.url());
    resp.headers().get("location").and_then(|v| v.to_str().ok()).expect("location").to_owned()
}

async fn redeem(base: &str, form: &[(&str, &str)]) -> u16 {
    browser()
        .post(format!("{base}/api/v1/auth/token"))
        .form(form)
        .send()
        .await
        .expect("token")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cairn_login_oidc_uses_a_loopback_redirect_with_pkce() {
    let idp = FakeIdp::start().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("cairnd.toml");
    std::fs::write(&file, idp.config()).expect("config");
    let loaded =
        cairn_daemon::config::Config::load(Some(&file), |_| None, &Default::default()).expect("load");
    let opts = Opts { postgres: false, path_roots: Vec::new(), workers: 1, vulndb: false };
    let daemon = Daemon::start_with(opts, move |c| c.oauth = loaded.oauth).await.expect("daemon");
    idp.login_as(Account::new("cli-sub", "cli-oidc@example.test"));

    let home = tempfile::tempdir().expect("home");
    let mut cairn = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["login", "--server", &daemon.base, "--oidc", "corp"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_RUNTIME_DIR", home.path().join("run"))
        .env("CAIRN_NO_KEYRING", "1")
        .env_remove("CAIRN_PROFILE")
        .env_remove("BROWSER")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cairn login");
    let stderr = cairn.stderr.take().expect("stderr");
    // The login URL comes first; the rest of stderr is kept for the failure message.
    let (url_tx, url_rx) = std::sync::mpsc::channel();
    let rest = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.starts_with("http") {
                let _ = url_tx.send(line.clone());
            }
            seen.push(line);
        }
        seen.join("\n")
    });
    let Some(authorize) = tokio::task::spawn_blocking(move || url_rx.recv().ok()).await.expect("join") else {
        panic!("no login URL on stderr: {}", rest.join().unwrap_or_default());
    };
    let authorize = reqwest::Url::parse(&authorize).expect("url");
    let param =
        |u: &reqwest::Url, k: &str| u.query_pairs().find(|(n, _)| n == k).map(|(_, v)| v.into_owned());
    assert_eq!(param(&authorize, "code_challenge_method").as_deref(), Some("S256"));
    let loopback = reqwest::Url::parse(&param(&authorize, "redirect_to").expect("redirect_to")).expect("url");
    assert_eq!(loopback.host_str(), Some("127.0.0.1"));

    // The browser: the daemon's authorize (its cookie kept), the provider, the daemon's callback.
    let b = browser();
    let resp = b.get(authorize.clone()).send().await.expect("authorize");
    let cookie = resp.headers().get("set-cookie").and_then(|v| v.to_str().ok()).expect("cookie").to_owned();
    let cookie = cookie.split(';').next().expect("pair").to_owned();
    let at_provider = location(&resp);
    assert!(!at_provider.contains("client_secret"), "{at_provider}");
    let back = location(&b.get(&at_provider).send().await.expect("provider"));
    let back = back.replace(PUBLIC, &daemon.base);
    let to_cli = location(&b.get(&back).header("cookie", &cookie).send().await.expect("callback"));
    let to_cli = reqwest::Url::parse(&to_cli).expect("url");
    assert_eq!(
        (to_cli.host_str(), to_cli.port(), to_cli.path()),
        (loopback.host_str(), loopback.port(), "/callback")
    );
    let code = param(&to_cli, "code").expect("code");

    // Anything that saw the code cannot use it: without the verifier, or with another, 401.
    assert_eq!(redeem(&daemon.base, &[("grant_type", "authorization_code"), ("code", &code)]).await, 401);
    let wrong = "x".repeat(64);
    let form =
        [("grant_type", "authorization_code"), ("code", code.as_str()), ("code_verifier", wrong.as_str())];
    assert_eq!(redeem(&daemon.base, &form).await, 401);
    // A request to the listener without this login's state is refused; the CLI keeps waiting.
    let mut forged = to_cli.clone();
    forged.set_query(Some(&format!("state=forged&code={code}")));
    assert_eq!(b.get(forged).send().await.expect("forged").status(), 400);

    let done = b.get(to_cli).send().await.expect("loopback");
    assert_eq!(done.status(), 200);
    let out =
        tokio::task::spawn_blocking(move || cairn.wait_with_output()).await.expect("join").expect("wait");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = rest.join().unwrap_or_default();
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("as cli-oidc@example.test"), "{stdout}");
    // The profile works: the stored session is the provider's account.
    let status = Command::new(env!("CARGO_BIN_EXE_cairn"))
        .args(["status", "--json"])
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join(".local/share"))
        .env("XDG_CONFIG_HOME", home.path().join(".config"))
        .env("XDG_RUNTIME_DIR", home.path().join("run"))
        .env("CAIRN_NO_KEYRING", "1")
        .env_remove("CAIRN_PROFILE")
        .output()
        .expect("status");
    let report: serde_json::Value = serde_json::from_slice(&status.stdout).expect("json");
    assert_eq!(report["user"]["email"], "cli-oidc@example.test", "{report}");
    // The code was spent by the CLI.
    assert_eq!(redeem(&daemon.base, &[("grant_type", "authorization_code"), ("code", &code)]).await, 401);
}
