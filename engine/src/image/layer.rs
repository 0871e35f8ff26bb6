//! Applying one layer: its blob streamed from the archive, hashed (the manifest's digest),
//! decompressed by magic bytes (gzip, zstd or none), hashed again (the configuration's diff id),
//! and its tar entries applied to the [`ImageFs`] with whiteouts (`.wh.name`) and opaque
//! directories (`.wh..wh..opq`). Hostile entries stop the scan; caps are checked as bytes flow.

use super::archive::Archive;
use super::digest::HashingReader;
use super::fs::{ImageFs, Node};
use super::manifest::LayerRef;
use super::{ImageError, ImageLimits};
use crate::walk::{SkipReason, Skipped};
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::io::{BufReader, Chain, Cursor, Read};
use std::rc::Rc;
use std::sync::Arc;

const WHITEOUT: &str = ".wh.";
const OPAQUE: &str = ".wh..wh..opq";
/// Below this many uncompressed bytes a layer is never called a bomb, whatever its ratio.
const RATIO_FLOOR: u64 = 16 * 1024 * 1024;

/// Counts shared between the readers and the caller, across layers.
#[derive(Debug, Default)]
pub struct Budget {
    /// Uncompressed bytes of every layer so far.
    pub uncompressed: u64,
    /// Bytes of files kept in memory.
    pub kept: u64,
    /// Entries applied.
    pub entries: u64,
    /// What was not read, and why.
    pub skipped: Vec<Skipped>,
}

/// Counts compressed bytes into a shared cell.
struct Counted<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Stops the uncompressed stream when a cap is passed, saying which.
struct Guard<R> {
    inner: R,
    compressed: Rc<Cell<u64>>,
    uncompressed: u64,
    before: u64,
    limits: ImageLimits,
    hit: Rc<RefCell<Option<String>>>,
}

impl<R: Read> Read for Guard<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.uncompressed += n as u64;
        let ratio = self.uncompressed / self.compressed.get().max(1);
        let why = if self.before + self.uncompressed > self.limits.max_image_bytes {
            Some(format!("the image is over the {}-byte limit uncompressed", self.limits.max_image_bytes))
        } else if self.uncompressed > RATIO_FLOOR && ratio > self.limits.max_ratio {
            Some(format!(
                "decompression bomb: a layer expands over {}x (limit {}x)",
                ratio, self.limits.max_ratio
            ))
        } else {
            None
        };
        if let Some(why) = why {
            *self.hit.borrow_mut() = Some(why.clone());
            return Err(std::io::Error::other(why));
        }
        Ok(n)
    }
}

type Raw<'a> = Chain<Cursor<Vec<u8>>, HashingReader<Counted<Box<dyn Read + 'a>>>>;

enum Decoder<'a> {
    Plain(Raw<'a>),
    Gzip(Box<flate2::read::MultiGzDecoder<Raw<'a>>>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<Raw<'a>>>),
}

impl<'a> Decoder<'a> {
    fn into_inner(self) -> Raw<'a> {
        match self {
            Decoder::Plain(r) => r,
            Decoder::Gzip(d) => (*d).into_inner(),
            Decoder::Zstd(d) => d.finish().into_inner(),
        }
    }
}

impl Read for Decoder<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Decoder::Plain(r) => r.read(buf),
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
        }
    }
}

/// A layer path made root-relative and lexical; `Err` for absolute paths and `..` that climbs out.
pub fn normalize(raw: &str) -> Result<String, &'static str> {
    if raw.starts_with('/') {
        return Err("absolute path");
    }
    let mut parts: Vec<&str> = Vec::new();
    for p in raw.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Err("path climbs out of the image root with '..'");
                }
            }
            p => parts.push(p),
        }
    }
    Ok(parts.join("/"))
}

/// Applies `layer` to `fs`. `keep` says which paths' bytes to hold in memory.
pub fn apply(
    fs: &mut ImageFs,
    archive: &Archive,
    layer: &LayerRef,
    limits: &ImageLimits,
    keep: &dyn Fn(&str) -> bool,
    budget: &mut Budget,
) -> Result<(), ImageError> {
    let name = layer.digest.as_ref().unwrap_or(&layer.diff_id).to_string();
    let bad = |reason: String| ImageError::BadLayer { layer: name.clone(), reason };
    let (member, _) = archive.open_member(&layer.member)?;
    let compressed = Rc::new(Cell::new(0));
    let mut raw = HashingReader::new(Counted { inner: member, count: compressed.clone() });
    let mut magic = [0u8; 4];
    let mut n = 0;
    while n < magic.len() {
        match raw.read(&mut magic[n..]).map_err(|e| bad(e.to_string()))? {
            0 => break,
            k => n += k,
        }
    }
    let head: Raw<'_> = Cursor::new(magic[..n].to_vec()).chain(raw);
    let decoder = match magic {
        [0x1f, 0x8b, ..] => Decoder::Gzip(Box::new(flate2::read::MultiGzDecoder::new(head))),
        [0x28, 0xb5, 0x2f, 0xfd] => {
            Decoder::Zstd(zstd::stream::read::Decoder::new(head).map_err(|e| bad(format!("zstd: {e}")))?)
        }
        _ => Decoder::Plain(head),
    };
    let hit = Rc::new(RefCell::new(None));
    let guard = Guard {
        inner: decoder,
        compressed: compressed.clone(),
        uncompressed: 0,
        before: budget.uncompressed,
        limits: limits.clone(),
        hit: hit.clone(),
    };
    let mut tar = tar::Archive::new(HashingReader::new(guard));
    let result = entries(fs, &mut tar, &name, limits, keep, budget);
    let refused = hit.borrow_mut().take();
    if let Some(why) = refused {
        return Err(ImageError::OverLimit(format!("layer {name}: {why}")));
    }
    result?;
    let over = |e: std::io::Error| {
        hit.borrow()
            .clone()
            .map_or_else(|| bad(e.to_string()), |why| ImageError::OverLimit(format!("layer {name}: {why}")))
    };
    let (diff_id, size, guard) = tar.into_inner().finish().map_err(over)?;
    if diff_id != layer.diff_id {
        return Err(ImageError::DigestMismatch {
            what: format!("layer {name} (uncompressed)"),
            expected: layer.diff_id.to_string(),
            actual: diff_id.to_string(),
        });
    }
    let (_, raw) = guard.inner.into_inner().into_inner();
    let (digest, _, _) = raw.finish().map_err(|e| bad(e.to_string()))?;
    if let Some(expected) = layer.digest.as_ref().filter(|e| **e != digest) {
        return Err(ImageError::DigestMismatch {
            what: format!("layer {name}"),
            expected: expected.to_string(),
            actual: digest.to_string(),
        });
    }
    budget.uncompressed += size;
    Ok(())
}

fn hostile(layer: &str, entry: &str, reason: &'static str) -> ImageError {
    ImageError::HostileEntry { layer: layer.to_owned(), entry: entry.to_owned(), reason }
}

/// Applies every entry of the layer's tar.
fn entries<R: Read>(
    fs: &mut ImageFs,
    tar: &mut tar::Archive<R>,
    layer: &str,
    limits: &ImageLimits,
    keep: &dyn Fn(&str) -> bool,
    budget: &mut Budget,
) -> Result<(), ImageError> {
    let bad = |e: std::io::Error| ImageError::BadLayer { layer: layer.to_owned(), reason: e.to_string() };
    // Whiteouts hide what lower layers hold, never what this layer adds.
    let mut added: HashSet<String> = HashSet::new();
    for entry in tar.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        budget.entries += 1;
        if budget.entries > limits.max_entries {
            return Err(ImageError::OverLimit(format!("the image has over {} entries", limits.max_entries)));
        }
        let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let path = normalize(&raw).map_err(|why| hostile(layer, &raw, why))?;
        let (dir, base) = match path.rsplit_once('/') {
            Some((d, b)) => (d.to_owned(), b.to_owned()),
            None => (String::new(), path.clone()),
        };
        if base == OPAQUE {
            if dir.is_empty() {
                return Err(hostile(
                    layer,
                    &raw,
                    "opaque whiteout of the image root would delete everything",
                ));
            }
            fs.remove_children(&dir, |p| !added.contains(p));
            continue;
        }
        if let Some(hidden) = base.strip_prefix(WHITEOUT) {
            if hidden.starts_with(".wh.") {
                // Other `.wh..wh.` markers (aufs hard-link bookkeeping) carry no file.
                continue;
            }
            if hidden.is_empty() || hidden == "." || hidden == ".." {
                return Err(hostile(layer, &raw, "whiteout of the image root or of a parent"));
            }
            let target = if dir.is_empty() { hidden.to_owned() } else { format!("{dir}/{hidden}") };
            fs.remove(&target, |p| !added.contains(p));
            continue;
        }
        if path.is_empty() {
            continue;
        }
        let kind = entry.header().entry_type();
        let node = if kind.is_dir() {
            Node::Dir
        } else if kind.is_symlink() {
            let target =
                entry.link_name_bytes().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            Node::Symlink(target)
        } else if kind.is_hard_link() {
            let raw_target =
                entry.link_name_bytes().map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
            let target = normalize(&raw_target).map_err(|why| hostile(layer, &raw, why))?;
            match fs.node(&target) {
                Some(n @ Node::File { .. }) => n.clone(),
                _ => {
                    budget.skipped.push(Skipped {
                        path: path.clone(),
                        reason: SkipReason::Unreadable {
                            message: format!("hard link to {raw_target:?}, which the image does not hold"),
                        },
                    });
                    continue;
                }
            }
        } else if kind.is_file() {
            let size = entry.size();
            let mode = entry.header().mode().unwrap_or(0);
            file_node(&mut entry, &path, size, mode, limits, keep, budget).map_err(bad)?
        } else {
            // Devices, FIFOs: nothing a cataloger reads.
            continue;
        };
        added.insert(path.clone());
        fs.insert(path, node);
        if fs.len() as u64 > limits.max_entries {
            return Err(ImageError::OverLimit(format!("the image has over {} paths", limits.max_entries)));
        }
    }
    Ok(())
}

/// A regular file: its bytes kept when wanted and within the caps; an executable read once for
/// Go build information and cargo-auditable data, its bytes then dropped.
fn file_node(
    entry: &mut impl Read,
    path: &str,
    size: u64,
    mode: u32,
    limits: &ImageLimits,
    keep: &dyn Fn(&str) -> bool,
    budget: &mut Budget,
) -> std::io::Result<Node> {
    let mut node = Node::File { size, data: None, go: None, rust: None };
    if keep(path) {
        if size > limits.max_file_size {
            budget.skipped.push(Skipped {
                path: path.to_owned(),
                reason: SkipReason::TooLarge { size, limit: limits.max_file_size },
            });
        } else if budget.kept + size > limits.max_kept_bytes {
            budget.skipped.push(Skipped {
                path: path.to_owned(),
                reason: SkipReason::Unreadable {
                    message: format!(
                        "not read: the {}-byte limit for files kept from one image was reached",
                        limits.max_kept_bytes
                    ),
                },
            });
        } else {
            let mut data = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            entry.take(size).read_to_end(&mut data)?;
            budget.kept += size;
            node = Node::File { size, data: Some(Arc::new(data)), go: None, rust: None };
        }
        return Ok(node);
    }
    if mode & 0o111 != 0 && size >= 64 {
        let mut magic = [0u8; 4];
        entry.read_exact(&mut magic)?;
        if magic != *b"\x7fELF" {
            return Ok(node);
        }
        if size > limits.max_binary_size {
            budget.skipped.push(Skipped {
                path: path.to_owned(),
                reason: SkipReason::TooLarge { size, limit: limits.max_binary_size },
            });
            return Ok(node);
        }
        let mut data = magic.to_vec();
        data.reserve(usize::try_from(size).unwrap_or(0));
        entry.take(size - 4).read_to_end(&mut data)?;
        let go = crate::binary::go::read(&data).map(Arc::new);
        let rust = crate::binary::auditable::read(&data).map(Arc::new);
        node = Node::File { size, data: None, go, rust };
    }
    Ok(node)
}
