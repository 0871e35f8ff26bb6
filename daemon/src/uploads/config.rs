//! `[uploads]`: whether an upload waits for its scan as a file (`files`) or as bytes in the
//! database (`database`), and where the files go.
//!
//! Files cost no copy and no memory (issue 16, point 6: the upload streams to disk under its size
//! cap), but only a replica that sees the directory can run the scan; the database is reachable
//! from every replica but holds each upload in memory while it is written and read. So `files` is
//! the default on both backends wherever the daemon has a durable directory: beside the SQLite
//! database file, else `uploads` under the work directory (`[sources] work_dir`, or the data
//! directory's `work`). Several replicas need that directory shared (or `store = "database"`).

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Where uploads wait for their scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UploadStore {
    /// The bytes in `scan_uploads.content` (every replica can read them).
    Database,
    /// A file per upload in the uploads directory; the row holds its path, size and digest.
    Files,
}

/// The `[uploads]` section of the configuration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadsConfig {
    /// Unset = `files` when a directory is known (see the module), else `database`.
    pub store: Option<UploadStore>,
    /// The directory for `files`; unset = `uploads` beside the SQLite database file, else
    /// `uploads` under the work directory (on Postgres every replica that runs scans must share
    /// it).
    pub dir: Option<PathBuf>,
}

/// The resolved place: the database, or a directory of upload files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadPlace {
    /// Bytes in the database.
    Database,
    /// Files in this directory (durable: not a temporary directory a restart wipes).
    Files(PathBuf),
}

impl UploadsConfig {
    /// Where uploads go for a daemon on `database_url` whose durable work directory is
    /// `work_dir`; the error says which setting is missing.
    pub fn place(&self, database_url: &str, work_dir: Option<&Path>) -> Result<UploadPlace, String> {
        let default_dir = sqlite_file(database_url)
            .map(|f| f.parent().map(|p| p.to_path_buf()).unwrap_or_default().join("uploads"))
            .or_else(|| work_dir.map(|w| w.join("uploads")));
        let store = self.store.unwrap_or(if default_dir.is_some() || self.dir.is_some() {
            UploadStore::Files
        } else {
            UploadStore::Database
        });
        match store {
            UploadStore::Database => Ok(UploadPlace::Database),
            UploadStore::Files => match self.dir.clone().or(default_dir) {
                Some(dir) => Ok(UploadPlace::Files(dir)),
                None => Err("[uploads] store = \"files\" needs [uploads] dir on this database \
                             (a directory every replica that runs scans shares)"
                    .into()),
            },
        }
    }
}

/// The database file of a `sqlite:` URL (none for other URLs and in-memory databases).
fn sqlite_file(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_the_database() {
        let c = UploadsConfig::default();
        let work = Path::new("/srv/cairn/work");
        assert_eq!(
            c.place("sqlite:///var/lib/cairn/cairnd.db?mode=rwc", Some(work)),
            Ok(UploadPlace::Files(PathBuf::from("/var/lib/cairn/uploads")))
        );
        // Postgres streams to the work directory by default (it kept uploads in memory before).
        assert_eq!(
            c.place("postgres://db/cairn", Some(work)),
            Ok(UploadPlace::Files(PathBuf::from("/srv/cairn/work/uploads")))
        );
        assert_eq!(c.place("postgres://db/cairn", None), Ok(UploadPlace::Database), "no durable directory");
        let files = UploadsConfig { store: Some(UploadStore::Files), dir: None };
        assert!(files.place("postgres://db/cairn", None).is_err(), "Postgres needs a directory");
        let shared = UploadsConfig { store: Some(UploadStore::Files), dir: Some("/srv/up".into()) };
        assert_eq!(shared.place("postgres://db/cairn", Some(work)), Ok(UploadPlace::Files("/srv/up".into())));
        let db = UploadsConfig { store: Some(UploadStore::Database), dir: None };
        assert_eq!(db.place("sqlite://cairnd.db", Some(work)), Ok(UploadPlace::Database));
        assert_eq!(
            db.place("postgres://db/cairn", Some(work)),
            Ok(UploadPlace::Database),
            "still selectable"
        );
    }
}
