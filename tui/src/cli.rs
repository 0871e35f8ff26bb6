//! Command-line arguments.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Cairn knows what is inside your software.
#[derive(Debug, Parser)]
#[command(name = "cairn", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inventory every package a source tree pins and match it against OSV data.
    Scan(ScanArgs),
}

/// Output formats of `cairn scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Cairn's own report: components, edges, diagnostics and skipped paths.
    Json,
    /// CycloneDX 1.6 JSON.
    Cyclonedx,
    /// A NOTICE file: third-party components, their licenses, copyright lines and license texts.
    Notice,
}

/// `cairn scan`.
#[derive(Debug, clap::Args)]
pub struct ScanArgs {
    /// The directory to scan.
    pub path: PathBuf,
    /// Scan in this process, without a daemon (the only mode this build has).
    #[arg(long)]
    pub offline: bool,
    /// Output format.
    #[arg(short = 'f', long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write the document here instead of standard output.
    #[arg(short = 'o', long)]
    pub output: Option<PathBuf>,
    /// Leave out paths matching this glob (gitignore syntax, relative to PATH); repeatable.
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,
    /// Skip manifests and lockfiles larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = cairn_engine::walk::DEFAULT_MAX_FILE_SIZE)]
    pub max_file_size: u64,
    /// OSV vulnerability data to match against: a file (.json, .yaml), a directory of them, or a
    /// zip such as OSV's per-ecosystem all.zip; repeatable.
    #[arg(long = "vulndb", value_name = "PATH")]
    pub vulndb: Vec<PathBuf>,
    /// Print no progress or summary on standard error.
    #[arg(short, long)]
    pub quiet: bool,
}
