//! `cairnd`: parses the command line and runs it; the work is in the library.

/// mimalloc, not glibc malloc: a scan's memory freed on worker and blocking threads went back to
/// glibc's per-thread arenas and stayed resident; mimalloc returns it (numbers in
/// docs/benchmarks.md "Daemon memory").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cairn_daemon::cli::main()
}
