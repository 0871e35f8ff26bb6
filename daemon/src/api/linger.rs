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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Bytes;
    use axum::http::StatusCode;
    use axum::routing::post;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tower::ServiceExt;

    const MIB: usize = 1 << 20;

    /// `chunks` MiB-sized chunks (`None`: without end), counting what the server reads.
    fn counted_body(chunks: Option<usize>, read: Arc<AtomicUsize>) -> Body {
        static ZEROS: [u8; MIB] = [0; MIB];
        let stream = futures_util::stream::iter(std::iter::repeat_n((), chunks.unwrap_or(usize::MAX))).map(
            move |()| {
                read.fetch_add(MIB, Ordering::SeqCst);
                Ok::<_, std::io::Error>(Bytes::from_static(&ZEROS))
            },
        );
        Body::from_stream(stream)
    }

    async fn send(status: StatusCode, body: Body) -> StatusCode {
        let app = Router::new()
            .route("/", post(move || async move { status }))
            .layer(axum::middleware::from_fn(linger_on_refusal));
        let req = Request::post("/").body(body).expect("request");
        app.oneshot(req).await.expect("infallible").status()
    }

    #[tokio::test]
    async fn a_refused_body_is_read_to_its_end_before_the_answer() {
        let read = Arc::new(AtomicUsize::new(0));
        let status = send(StatusCode::PAYLOAD_TOO_LARGE, counted_body(Some(8), read.clone())).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(read.load(Ordering::SeqCst), 8 * MIB, "the whole refused body drained");
    }

    #[tokio::test]
    async fn an_endless_refused_body_is_read_only_up_to_the_bound() {
        let read = Arc::new(AtomicUsize::new(0));
        let status = send(StatusCode::BAD_REQUEST, counted_body(None, read.clone())).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let n = read.load(Ordering::SeqCst);
        assert!((LINGER_MAX_BYTES..=LINGER_MAX_BYTES + MIB).contains(&n), "read {n} bytes");
    }

    #[tokio::test]
    async fn an_accepted_answer_reads_nothing_more_than_its_handler() {
        let read = Arc::new(AtomicUsize::new(0));
        let status = send(StatusCode::OK, counted_body(Some(8), read.clone())).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(read.load(Ordering::SeqCst), 0, "the handler read nothing, nor did the middleware");
    }
}
