//! Lines on standard output that fail instead of panicking when the reader went away
//! (`cairn status | head -1`): `println!` panics on a closed pipe (exit 101); `outln!` returns
//! the `BrokenPipe` error, which `main` turns into a quiet exit.

use std::io::Write;

use anyhow::Context;

/// `println!` that returns the write error from the enclosing function (`anyhow::Result`).
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))?
    };
}

/// Writes `args` and a newline to standard output.
pub fn line(args: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_fmt(args).context("writing to standard output")?;
    out.write_all(b"\n").context("writing to standard output")?;
    out.flush().context("writing to standard output")
}
