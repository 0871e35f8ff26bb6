//! Downloading a mirror's zip: the one HTTP client of the vulnerability data (timeouts, rustls
//! with ring), conditional requests, and streaming to a temporary file under a size cap.

use std::time::Duration;

use futures_util::{Stream, StreamExt};
use reqwest::StatusCode;
use reqwest::header::{ETAG, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use tempfile::NamedTempFile;
use tokio::io::AsyncWriteExt;

use super::VulnDbError;
use super::config::VulnDbConfig;

/// What a conditional download found.
pub enum Fetched {
    /// 304: the stored content is current.
    NotModified,
    /// New content, in a temporary `.zip` file (removed on drop).
    Changed {
        /// The zip.
        file: NamedTempFile,
        /// The validator to send next time.
        etag: Option<String>,
        /// The Last-Modified to send next time.
        last_modified: Option<String>,
    },
}

/// The HTTP client for mirrors.
pub fn client(config: &VulnDbConfig) -> Result<reqwest::Client, VulnDbError> {
    // reqwest is built without a default crypto provider; installing it twice is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("cairnd/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .read_timeout(Duration::from_secs(120))
        .timeout(Duration::from_secs(config.download_timeout_secs.max(1)))
        .build()
        .map_err(|e| VulnDbError::Fetch(format!("cannot build the HTTP client: {e}")))
}

/// GETs `url`, sending the stored validators, and streams a 200's body to a temporary file.
pub async fn fetch(
    client: &reqwest::Client,
    url: &str,
    etag: Option<&str>,
    last_modified: Option<&str>,
    max_bytes: u64,
) -> Result<Fetched, VulnDbError> {
    // Messages end up in status, which every user reads: never a password from the mirror URL.
    let shown = crate::store::redact_url(url);
    let mut req = client.get(url);
    if let Some(v) = etag {
        req = req.header(IF_NONE_MATCH, v);
    }
    if let Some(v) = last_modified {
        req = req.header(IF_MODIFIED_SINCE, v);
    }
    let resp =
        req.send().await.map_err(|e| VulnDbError::Fetch(format!("{shown}: {}", chain(&e.without_url()))))?;
    match resp.status() {
        StatusCode::NOT_MODIFIED => return Ok(Fetched::NotModified),
        s if !s.is_success() => return Err(VulnDbError::Fetch(format!("{shown}: HTTP {s}"))),
        _ => {}
    }
    if resp.content_length().is_some_and(|n| n > max_bytes) {
        return Err(VulnDbError::Fetch(format!("{shown}: larger than the {max_bytes}-byte limit")));
    }
    let header = |name| {
        resp.headers()
            .get(name)
            .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
            .map(str::to_owned)
    };
    let (etag, last_modified) = (header(ETAG), header(LAST_MODIFIED));
    let stream =
        resp.bytes_stream().map(move |c| c.map_err(|e| format!("{shown}: {}", chain(&e.without_url()))));
    let file = to_temp_zip(stream, max_bytes).await?;
    Ok(Fetched::Changed { file, etag, last_modified })
}

/// Writes `stream` to a new temporary `.zip` file, refusing more than `max_bytes`.
pub async fn to_temp_zip<B: AsRef<[u8]>>(
    mut stream: impl Stream<Item = Result<B, String>> + Unpin,
    max_bytes: u64,
) -> Result<NamedTempFile, VulnDbError> {
    let file = tempfile::Builder::new().prefix("cairn-osv-").suffix(".zip").tempfile()?;
    let mut out = tokio::fs::File::from_std(file.as_file().try_clone()?);
    let mut written: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(VulnDbError::Fetch)?;
        let chunk = chunk.as_ref();
        written += chunk.len() as u64;
        if written > max_bytes {
            return Err(VulnDbError::Fetch(format!("larger than the {max_bytes}-byte limit")));
        }
        out.write_all(chunk).await?;
    }
    out.flush().await?;
    Ok(file)
}

/// An error with its causes, one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_client_builds_with_tls() {
        // Without the ring provider installed, reqwest panics here.
        assert!(client(&VulnDbConfig::default()).is_ok());
    }

    #[tokio::test]
    async fn a_stream_over_the_cap_is_refused() {
        let chunks = futures_util::stream::iter(vec![Ok::<_, String>(vec![0u8; 600]), Ok(vec![0u8; 600])]);
        let err = to_temp_zip(chunks, 1000).await.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("1000-byte limit"), "{err}");
        let chunks = futures_util::stream::iter(vec![Ok::<_, String>(vec![1u8; 600])]);
        let file = to_temp_zip(chunks, 1000).await.expect("under the cap");
        assert_eq!(std::fs::metadata(file.path()).expect("meta").len(), 600);
    }
}
