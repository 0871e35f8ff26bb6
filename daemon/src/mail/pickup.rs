//! Delivery to a pickup directory: one RFC 5322 `<id>.eml` file per mail.

use std::io::Write;
use std::path::Path;

use time::format_description::well_known::Rfc2822;

/// Writes the message to `<dir>/<id>.eml` through a temporary name, so a pickup agent never
/// reads half a file; 0600 because it carries the secret.
pub(super) fn write_eml(dir: &Path, id: &str, to: &str, subject: &str, body: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let date = time::OffsetDateTime::now_utc().format(&Rfc2822).map_err(std::io::Error::other)?;
    let tmp = dir.join(format!(".{id}.tmp"));
    // A lease that lapsed mid-write leaves a temporary file: start it again.
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    write!(
        file,
        "To: {to}\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: <{id}@cairn>\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
        body.replace('\n', "\r\n")
    )?;
    file.sync_all()?;
    std::fs::rename(&tmp, dir.join(format!("{id}.eml")))
}
