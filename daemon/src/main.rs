//! `cairnd`: parses the command line and runs it; the work is in the library.

fn main() -> std::process::ExitCode {
    cairn_daemon::cli::main()
}
