//! cairnd, Cairn's daemon, as a library: `cairn` embeds it for local mode and the `cairnd`
//! binary wraps it.
//!
//! [`server::launch`] serves the API on a listener until a shutdown future resolves;
//! [`store::Store`] holds all SQL; [`auth`] is identity and access; [`api`] is the HTTP surface.

pub mod accounts;
pub mod admin_cli;
pub mod allocator;
pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod demo;
pub mod error;
pub mod events;
pub mod evidence;
pub mod jobs;
pub mod local;
pub mod mail;
pub mod runtime;
pub mod server;
pub mod sources;
pub mod state;
pub mod store;
pub mod test_support;
pub mod triage;
pub mod uploads;
pub mod vulndb;
pub mod watches;
pub mod webhooks;
