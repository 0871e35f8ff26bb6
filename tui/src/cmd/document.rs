//! What `scan` and `convert` share: the document's timestamp, the input, writing the output.

use crate::cli::DocumentArgs;
use anyhow::{Context, bail};
use std::io::Write;
use std::path::Path;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// The creation time: `--timestamp` (RFC 3339 or epoch seconds), else `SOURCE_DATE_EPOCH`, else
/// now; always written as UTC seconds (`2025-01-02T03:04:05Z`), the form SPDX 3 requires.
pub fn timestamp(args: &DocumentArgs) -> anyhow::Result<String> {
    let t = match (&args.timestamp, std::env::var("SOURCE_DATE_EPOCH").ok()) {
        (Some(t), _) => parse_time(t).with_context(|| format!("--timestamp {t:?}"))?,
        (None, Some(epoch)) if !epoch.is_empty() => {
            parse_time(&epoch).with_context(|| format!("SOURCE_DATE_EPOCH={epoch:?}"))?
        }
        _ => OffsetDateTime::now_utc(),
    };
    let t = t.to_offset(time::UtcOffset::UTC).replace_nanosecond(0).context("timestamp")?;
    t.format(&Rfc3339).context("formatting the timestamp")
}

/// The creation time checked before any work: a bad `--timestamp` is a usage error whatever the
/// format; `SOURCE_DATE_EPOCH` (the environment, not a flag) only matters to a document that
/// records a time (`dated`). `None` when no time is needed.
pub fn checked_timestamp(args: &DocumentArgs, dated: bool) -> anyhow::Result<Option<String>> {
    if !dated && args.timestamp.is_none() {
        return Ok(None);
    }
    timestamp(args).map(Some).map_err(|e| crate::exit::usage(format!("{e:#}")))
}

fn parse_time(s: &str) -> anyhow::Result<OffsetDateTime> {
    if let Ok(secs) = s.trim().parse::<i64>() {
        return OffsetDateTime::from_unix_timestamp(secs).context("out of range");
    }
    match OffsetDateTime::parse(s.trim(), &Rfc3339) {
        Ok(t) => Ok(t),
        Err(e) => bail!("neither RFC 3339 nor seconds since the epoch: {e}"),
    }
}

/// The project name to record: `--name`, else the last component of `path`.
pub fn project_name(args: &DocumentArgs, path: &Path) -> String {
    if let Some(n) = &args.name {
        return n.clone();
    }
    path.canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| path.display().to_string())
}

/// Writes the document to `output` or standard output.
pub fn write(output: Option<&Path>, doc: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, doc).with_context(|| format!("writing {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(doc.as_bytes()).context("writing to standard output")?;
            out.flush().context("writing to standard output")?;
        }
    }
    Ok(())
}

/// Writes the document `write_doc` produces to `output` or standard output, through a buffer: a
/// document serialized straight into the output is never held whole in memory.
pub fn write_with(
    output: Option<&Path>,
    write_doc: impl FnOnce(&mut dyn Write) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    match output {
        Some(path) => {
            let file = std::fs::File::create(path).with_context(|| format!("writing {}", path.display()))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            write_doc(&mut out).with_context(|| format!("writing {}", path.display()))?;
            out.flush().with_context(|| format!("writing {}", path.display()))?;
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            write_doc(&mut out).context("writing to standard output")?;
            out.flush().context("writing to standard output")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(t: &str) -> DocumentArgs {
        DocumentArgs { name: None, project_version: None, timestamp: Some(t.into()) }
    }

    #[test]
    fn timestamps_are_utc_seconds() {
        assert_eq!(timestamp(&args("0")).ok().as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(
            timestamp(&args("2025-01-02T04:04:05.123+01:00")).ok().as_deref(),
            Some("2025-01-02T03:04:05Z")
        );
        assert!(timestamp(&args("yesterday")).is_err());
    }
}
