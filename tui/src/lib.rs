//! cairn-tui: the `cairn` binary's library — the command line (`cli`, `cmd`), which daemon to talk
//! to (`connect`, `local`, `profile`, `secrets`) and the terminal dashboard (`dash`). A library so
//! the dashboard's screens can be snapshot-tested and benchmarked outside the binary.

pub mod cli;
pub mod cmd;
pub mod comparison_text;
pub mod connect;
pub mod dash;
pub mod dirs;
pub mod exit;
pub mod findings_table;
pub mod gate;
pub mod local;
pub mod out;
pub mod pack;
pub mod policy_gate;
pub mod profile;
pub mod secrets;
pub mod table;
pub mod when;
