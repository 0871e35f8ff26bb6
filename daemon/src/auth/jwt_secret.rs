//! Where the JWT signing secret comes from. Never the database: whoever reads a dump or a backup
//! could otherwise forge super-admin tokens. Order: `jwt_secret` (or `CAIRN_JWT_SECRET`), then
//! `jwt_secret_file` (or `CAIRN_JWT_SECRET_FILE`), then — for SQLite only, a single-node install
//! with a data directory — a `jwt_secret` file generated once beside the database, mode 0600.
//! Postgres installs (possibly several replicas, which must agree) must configure one.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::secrets::random_alphanumeric;
use crate::config::Config;

/// The shortest secret accepted, in bytes (HS256 wants at least its 256-bit output).
pub const MIN_SECRET_BYTES: usize = 32;

/// The generated file's name, in the SQLite database's directory.
pub const GENERATED_FILE_NAME: &str = "jwt_secret";

/// Why the daemon cannot sign tokens; each message says what to configure.
#[derive(Debug, thiserror::Error)]
pub enum JwtSecretError {
    /// Both the value and a file were configured.
    #[error("set either jwt_secret (CAIRN_JWT_SECRET) or jwt_secret_file (CAIRN_JWT_SECRET_FILE), not both")]
    Ambiguous,
    /// The configured secret is too short to resist guessing.
    #[error(
        "the JWT secret from {from} has {len} bytes; it needs at least {MIN_SECRET_BYTES} (e.g. `openssl rand -base64 48`)"
    )]
    TooShort {
        /// Which setting.
        from: String,
        /// Its length.
        len: usize,
    },
    /// Postgres without a configured secret.
    #[error(
        "no JWT signing secret configured: set jwt_secret_file (CAIRN_JWT_SECRET_FILE) to a file holding at least {MIN_SECRET_BYTES} random bytes, \
         the same on every replica (the secret is no longer kept in the database; sessions signed with the old one end)"
    )]
    Missing,
    /// The secret file could not be read or created.
    #[error("JWT secret file {path}: {source}")]
    File {
        /// Which file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// The signing secret for `config` (see the module docs for the order).
pub fn resolve(config: &Config) -> Result<Vec<u8>, JwtSecretError> {
    match (&config.jwt_secret, &config.jwt_secret_file) {
        (Some(_), Some(_)) => Err(JwtSecretError::Ambiguous),
        (Some(value), None) => checked("jwt_secret".into(), value.as_bytes().to_vec()),
        (None, Some(path)) => read(path),
        (None, None) => match sqlite_dir(&config.database_url) {
            Some(dir) => read_or_generate(&dir.join(GENERATED_FILE_NAME)),
            None => Err(JwtSecretError::Missing),
        },
    }
}

fn checked(from: String, secret: Vec<u8>) -> Result<Vec<u8>, JwtSecretError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(JwtSecretError::TooShort { from, len: secret.len() });
    }
    Ok(secret)
}

fn read(path: &Path) -> Result<Vec<u8>, JwtSecretError> {
    let bytes = std::fs::read(path).map_err(|source| JwtSecretError::File { path: path.into(), source })?;
    // A trailing newline from `echo` or an editor is not part of the secret.
    let trimmed = bytes.trim_ascii_end().to_vec();
    checked(path.display().to_string(), trimmed)
}

/// Reads `path`, or creates it with a fresh random secret: written (0600) under a temporary
/// name and published with a hard link, which fails if another process got there first, so a
/// racing reader never sees a half-written file and both processes end with the same secret.
fn read_or_generate(path: &Path) -> Result<Vec<u8>, JwtSecretError> {
    if path.exists() {
        return read(path);
    }
    let err = |source| JwtSecretError::File { path: path.into(), source };
    let tmp = path.with_file_name(format!(".{GENERATED_FILE_NAME}.{}.tmp", random_alphanumeric(12)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let secret = random_alphanumeric(64);
    let written = options
        .open(&tmp)
        .and_then(|mut file| file.write_all(secret.as_bytes()).and_then(|()| file.sync_all()));
    let published = written.and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match published {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated the JWT signing secret");
            Ok(secret.into_bytes())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read(path),
        Err(e) => Err(err(e)),
    }
}

/// The directory of a `sqlite://PATH` database.
fn sqlite_dir(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = Path::new(rest.split('?').next()?);
    let dir = path.parent()?;
    Some(if dir.as_os_str().is_empty() { PathBuf::from(".") } else { dir.to_path_buf() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(db: &str) -> Config {
        Config { database_url: db.into(), ..Config::default() }
    }

    #[test]
    fn postgres_without_a_secret_is_refused_with_what_to_set() {
        let err = resolve(&config("postgres://u@h/db")).expect_err("refused");
        assert!(matches!(err, JwtSecretError::Missing));
        assert!(err.to_string().contains("CAIRN_JWT_SECRET_FILE"), "{err}");
    }

    #[test]
    fn short_secrets_are_refused() {
        let c = Config { jwt_secret: Some("too short".into()), ..config("postgres://u@h/db") };
        assert!(matches!(resolve(&c), Err(JwtSecretError::TooShort { len: 9, .. })));
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("s");
        std::fs::write(&file, "0123456789\n").expect("write");
        let c = Config { jwt_secret_file: Some(file.clone()), ..config("postgres://u@h/db") };
        assert!(matches!(resolve(&c), Err(JwtSecretError::TooShort { len: 10, .. })));
        std::fs::write(&file, format!("{}\n", "k".repeat(40))).expect("write");
        assert_eq!(resolve(&c).expect("long enough"), "k".repeat(40).into_bytes());
        let both = Config { jwt_secret: Some("k".repeat(40)), ..c };
        assert!(matches!(resolve(&both), Err(JwtSecretError::Ambiguous)));
    }

    #[test]
    fn sqlite_generates_a_private_file_once() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = config(&format!("sqlite://{}", dir.path().join("cairnd.db").display()));
        let first = resolve(&c).expect("generated");
        assert!(first.len() >= MIN_SECRET_BYTES);
        assert_eq!(resolve(&c).expect("read back"), first, "the same secret on restart");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let meta = std::fs::metadata(dir.path().join(GENERATED_FILE_NAME)).expect("file");
            assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        }
    }
}
