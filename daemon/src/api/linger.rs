//! Refused uploads are read on (up to a bound) before the refusal goes out. An answer sent while
//! the client is still writing, followed by a close with unread bytes, makes the kernel reset the
//! connection, and the client loses the answer: it sees "connection reset" where the daemon said
//! 413 with the limit (HTTP/1.1 clients rarely wait for `100 Continue`). Servers linger for the
//! same reason (nginx's `lingering_close`).

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, BodyDataStream};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use futures_util::StreamExt;
use tokio::sync::Mutex;

/// At most this much of a refused body is read and dropped; a bigger one is cut off.
const LINGER_MAX_BYTES: usize = 64 << 20;
/// And for at most this long.
const LINGER_FOR: Duration = Duration::from_secs(5);

/// The middleware: the handler reads the body through a shared handle; after an error answer the
/// rest of it is read and dropped.
pub async fn linger_on_refusal(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let shared = Arc::new(Mutex::new(body.into_data_stream()));
    let reader = shared.clone();
    let stream = futures_util::stream::unfold(reader, |reader| async move {
        let next = reader.lock().await.next().await;
        next.map(|chunk| (chunk, reader))
    });
    let response = next.run(Request::from_parts(parts, Body::from_stream(stream))).await;
    if response.status().is_client_error() {
        drain(&shared).await;
    }
    response
}

async fn drain(shared: &Mutex<BodyDataStream>) {
    let mut rest = shared.lock().await;
    let mut read = 0usize;
    let drained = tokio::time::timeout(LINGER_FOR, async {
        while let Some(Ok(chunk)) = rest.next().await {
            read += chunk.len();
            if read > LINGER_MAX_BYTES {
                break;
            }
        }
    })
    .await;
    if drained.is_err() {
        tracing::debug!(read, "a refused body was still arriving; the connection closes on it");
    }
}
