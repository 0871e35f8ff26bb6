//! The terminal dashboard (ratatui + crossterm): projects, the live scan queue, scan detail, finding
//! triage, new scans and exports, against any daemon the command line can reach.
//!
//! One event loop: terminal events, messages from the executor and a tick go to the `App`, which
//! changes its state and asks for work as [`msg::Cmd`]s; the executor runs those against the daemon
//! and answers with [`msg::Msg`]s. Drawing reads the `App` only.

pub mod app;
pub mod exec;
pub mod keys;
pub mod msg;
pub mod package;
pub mod remote;
pub mod run;
pub mod screens;
pub mod theme;
pub mod time;
pub mod widgets;

pub use app::{App, Options};
