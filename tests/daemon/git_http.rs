//! `git http-backend` behind a loopback HTTP server: a real smart-HTTP git remote for tests that
//! clone over http (the daemon suite's private-repository tests, the SDK suite's project scans,
//! which includes this file by path).

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use tokio::io::AsyncWriteExt;

/// One request through `git http-backend`: the CGI variables in, the status and headers it
/// prints before its body out.
pub async fn git_http_backend(
    root: Arc<PathBuf>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let mut child = tokio::process::Command::new("git")
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", root.as_path())
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", uri.path())
        .env("QUERY_STRING", uri.query().unwrap_or_default())
        .env("REQUEST_METHOD", method.as_str())
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding"))
        .env("GIT_PROTOCOL", header("git-protocol"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("git http-backend");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(&body).await.expect("request body to git");
    drop(stdin);
    let out = child.wait_with_output().await.expect("git http-backend output");
    let split = out.stdout.windows(4).position(|w| w == b"\r\n\r\n").expect("CGI headers");
    let head = String::from_utf8_lossy(&out.stdout[..split]).into_owned();
    let mut resp = Response::builder();
    for line in head.split("\r\n") {
        let Some((name, value)) = line.split_once(": ") else { continue };
        if name.eq_ignore_ascii_case("status") {
            let code = value.split(' ').next().and_then(|c| c.parse::<u16>().ok()).expect("status code");
            resp = resp.status(code);
        } else {
            resp = resp.header(name, value);
        }
    }
    resp.body(Body::from(out.stdout[split + 4..].to_vec())).expect("response")
}
