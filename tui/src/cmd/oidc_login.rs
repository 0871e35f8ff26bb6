//! `cairn login --oidc PROVIDER`: an OAuth login in the browser that ends in this process
//! (RFC 8252). The daemon holds the provider's client secret; the CLI holds a PKCE verifier.
//!
//! 1. Listen on `127.0.0.1` at a free port.
//! 2. Send the user's browser to the daemon's `authorize` with `redirect_to =
//!    http://127.0.0.1:PORT/callback?state=ONE-TIME`, `code_challenge = S256(verifier)`. The
//!    browser, not this process, starts the login, so the daemon's state cookie is in the browser.
//! 3. The provider, then the daemon, send the browser back to the loopback listener with a one-time
//!    login code; a request without this login's `state` is refused and the wait goes on.
//! 4. Redeem the code at `/auth/token` with the verifier: a code stolen on the way is useless.

use std::time::Duration;

use anyhow::{Context, bail};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use cairn_sdk::types::TokenResponse;
use cairn_sdk::{Client, TokenGrant};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How long the browser has to finish the login.
const WAIT: Duration = Duration::from_secs(300);
/// The most of a request head read from the browser.
const MAX_HEAD: usize = 8 * 1024;

/// The environment variable naming a program to open the login URL with (the URL is printed
/// either way).
pub const ENV_BROWSER: &str = "BROWSER";

/// Logs in through `provider` on `client`'s daemon; `client` holds the session afterwards.
pub async fn login(client: &Client, provider: &str) -> anyhow::Result<TokenResponse> {
    let listener = TcpListener::bind("127.0.0.1:0").await.context("listening on 127.0.0.1 for the login")?;
    let port = listener.local_addr()?.port();
    let state = uuid::Uuid::new_v4().simple().to_string();
    // 64 characters of RFC 7636's alphabet from two random UUIDs (244 random bits).
    let verifier = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    let redirect = format!("http://127.0.0.1:{port}/callback?state={state}");
    let mut url = client.url(&format!("api/v1/auth/oauth/{}/authorize", encode_segment(provider)))?;
    url.query_pairs_mut()
        .append_pair("redirect_to", &redirect)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    eprintln!("Open this URL in your browser to log in (waiting {} s):\n{url}", WAIT.as_secs());
    if let Some(browser) = std::env::var_os(ENV_BROWSER).filter(|b| !b.is_empty()) {
        // Best effort: the URL is printed above for when no browser opens.
        if let Err(e) = std::process::Command::new(&browser).arg(url.as_str()).spawn() {
            eprintln!("cairn: could not start {}: {e}", browser.to_string_lossy());
        }
    }
    let code = tokio::time::timeout(WAIT, receive_code(&listener, &state))
        .await
        .context("the login was not finished in the browser in time")??;
    let tokens = client
        .token(&TokenGrant::AuthorizationCodePkce { code, verifier })
        .await
        .context("redeeming the login code")?;
    Ok(tokens)
}

/// Answers browser requests until one brings this login's state and a code (or the provider's
/// refusal).
async fn receive_code(listener: &TcpListener, state: &str) -> anyhow::Result<String> {
    loop {
        let (mut stream, _) = listener.accept().await.context("waiting for the browser")?;
        let Some(target) = read_target(&mut stream).await else {
            respond(&mut stream, 400, "Not a login request.").await;
            continue;
        };
        let Ok(url) = url::Url::parse(&format!("http://127.0.0.1{target}")) else {
            respond(&mut stream, 400, "Not a login request.").await;
            continue;
        };
        if url.path() != "/callback" {
            respond(&mut stream, 404, "Not found.").await;
            continue;
        }
        let param = |name: &str| url.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
        // Another page (or another login) cannot finish this one.
        if param("state").as_deref() != Some(state) {
            respond(&mut stream, 400, "This is not the login cairn is waiting for.").await;
            continue;
        }
        if let Some(code) = param("code").filter(|c| !c.is_empty()) {
            respond(&mut stream, 200, "Logged in to Cairn. You can close this tab.").await;
            return Ok(code);
        }
        let why = param("error").unwrap_or_else(|| "no code".into());
        respond(&mut stream, 400, "The login did not complete; see the terminal.").await;
        bail!("the login did not complete: {why}");
    }
}

/// The request target of a `GET` (`/callback?…`), from a head of at most [`MAX_HEAD`] bytes.
async fn read_target(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await.ok()?.ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?.trim_end();
    let mut parts = line.split(' ');
    match (parts.next(), parts.next()) {
        (Some("GET"), Some(target)) if target.starts_with('/') => Some(target.to_owned()),
        _ => None,
    }
}

async fn respond(stream: &mut TcpStream, status: u16, text: &str) {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let body = format!("<!doctype html><title>Cairn</title><p>{text}</p>\n");
    let resp = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser going away early changes nothing for the login.
    let _ = stream.write_all(resp.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// A provider name as one path segment.
fn encode_segment(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
