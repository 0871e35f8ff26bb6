//! Cairn's SDK: the wire types every `cairnd` request and response uses, and (feature `client`,
//! on by default) an async [`Client`] and the WebSocket [`ScanWatcher`].
//!
//! The daemon serializes exactly these types, so a client built on them cannot drift from the
//! server. The daemon depends on this crate with `default-features = false`: `types` stays free of
//! any HTTP client.
//!
//! ```no_run
//! # async fn demo() -> Result<(), cairn_sdk::Error> {
//! use cairn_sdk::{Client, Credential};
//! use futures_util::TryStreamExt;
//! let client = Client::new("http://127.0.0.1:8440", Credential::ApiKey("crn_live_…".into()))?;
//! let projects: Vec<_> = client.projects(Default::default()).try_collect().await?;
//! # Ok(()) }
//! ```

#[cfg(feature = "registry")]
pub mod registry;
pub mod types;
pub mod webhooks;

#[cfg(feature = "client")]
mod client;
#[cfg(feature = "client")]
mod events;
#[cfg(feature = "client")]
mod watch;

#[cfg(feature = "client")]
pub use client::{
    ApiError, Client, ClientBuilder, Credential, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, Download,
    ENV_API_KEY, ENV_URL, Error, ListQuery, OAuthAuthorize, OAuthCallback, ProblemCode, Registered,
    RetryPolicy, TokenGrant, TokenListener, Upload, retry_after,
};

/// The `futures` traits the SDK's streams implement, so a caller needs no `futures` dependency of
/// its own: `use cairn_sdk::futures::{StreamExt, TryStreamExt};`.
#[cfg(feature = "client")]
pub mod futures {
    pub use futures_util::stream::{BoxStream, Stream, StreamExt, TryStreamExt};
}
#[cfg(feature = "client")]
pub use events::{EventsWatcher, FeedEvent, FeedStream};
#[cfg(feature = "client")]
pub use watch::{ChannelStream, ScanWatcher, WatchEvent, WatchOptions, WatchStream};
