//! The container an image arrives in: a tar file (`docker save`, or an OCI layout packed as tar)
//! or an OCI layout directory. Members are found by name and read in place: a tar is indexed
//! once (name → offset, size) and blobs are read by seeking, never unpacked.

use super::ImageError;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// An opened image container.
#[derive(Debug)]
pub enum Archive {
    /// An OCI image layout directory.
    Dir(PathBuf),
    /// A tar file and where each member's bytes are.
    Tar {
        /// The file.
        path: PathBuf,
        /// Member name (without `./`) → (offset of its bytes, size).
        members: HashMap<String, (u64, u64)>,
    },
}

impl Archive {
    /// Opens `path`: a directory is taken as an OCI layout, a file as a tar.
    pub fn open(path: &Path) -> Result<Archive, ImageError> {
        let io = |error| ImageError::Io { path: path.to_path_buf(), error };
        let md = std::fs::metadata(path).map_err(io)?;
        if md.is_dir() {
            return Ok(Archive::Dir(path.to_path_buf()));
        }
        let mut file = File::open(path).map_err(io)?;
        let mut magic = [0u8; 4];
        let n = file.read(&mut magic).map_err(io)?;
        if n >= 2 && magic[..2] == [0x1f, 0x8b] {
            return Err(ImageError::NotAnImage(
                "a gzip-compressed archive: decompress it first (docker save writes plain tar)".into(),
            ));
        }
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        let mut members = HashMap::new();
        let mut tar = tar::Archive::new(file);
        let entries = tar.entries().map_err(|e| ImageError::NotAnImage(format!("not a tar archive: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| ImageError::NotAnImage(format!("not a tar archive: {e}")))?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let name = String::from_utf8_lossy(&entry.path_bytes()).trim_start_matches("./").to_owned();
            members.insert(name, (entry.raw_file_position(), entry.size()));
        }
        Ok(Archive::Tar { path: path.to_path_buf(), members })
    }

    /// True when the member exists.
    pub fn has(&self, name: &str) -> bool {
        match self {
            Archive::Dir(root) => root.join(name).is_file(),
            Archive::Tar { members, .. } => members.contains_key(name),
        }
    }

    /// A member's size.
    fn size(&self, name: &str) -> Result<u64, ImageError> {
        match self {
            Archive::Dir(root) => std::fs::metadata(root.join(name))
                .map(|m| m.len())
                .map_err(|_| ImageError::MissingBlob(name.to_owned())),
            Archive::Tar { members, .. } => {
                members.get(name).map(|m| m.1).ok_or_else(|| ImageError::MissingBlob(name.to_owned()))
            }
        }
    }

    /// Opens a member for streaming, with its size.
    pub fn open_member(&self, name: &str) -> Result<(Box<dyn Read + '_>, u64), ImageError> {
        match self {
            Archive::Dir(root) => {
                let path = root.join(name);
                let file = File::open(&path).map_err(|_| ImageError::MissingBlob(name.to_owned()))?;
                let size = file.metadata().map_err(|error| ImageError::Io { path, error })?.len();
                Ok((Box::new(file), size))
            }
            Archive::Tar { path, members } => {
                let &(offset, size) =
                    members.get(name).ok_or_else(|| ImageError::MissingBlob(name.to_owned()))?;
                let io = |error| ImageError::Io { path: path.clone(), error };
                let mut file = File::open(path).map_err(io)?;
                file.seek(SeekFrom::Start(offset)).map_err(io)?;
                Ok((Box::new(file.take(size)), size))
            }
        }
    }

    /// Reads a small member (an index, a manifest, a configuration) whole, refusing one over `cap`.
    pub fn read_small(&self, name: &str, cap: u64) -> Result<Vec<u8>, ImageError> {
        let size = self.size(name)?;
        if size > cap {
            return Err(ImageError::OverLimit(format!(
                "{name} is {size} bytes, over the {cap}-byte limit for metadata"
            )));
        }
        let (mut r, _) = self.open_member(name)?;
        let mut out = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
        r.read_to_end(&mut out).map_err(|error| ImageError::Io { path: PathBuf::from(name), error })?;
        Ok(out)
    }
}
