//! The image's merged filesystem, in memory: every path with its kind, and the bytes of only the
//! few files catalogers read. Implements [`Tree`], so catalogers read an image as they read a
//! checkout; symlinks resolve inside the image (an absolute target is relative to the image's
//! root, `..` stops at the root) and a loop is an error, not a hang.

use crate::binary::go::BuildInfo;
use crate::tree::{ReadError, Tree};
use auditable_serde::VersionInfo;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Symlinks followed for one path before it is called a loop (Linux's limit).
const MAX_LINKS: usize = 40;

/// One path of the image.
#[derive(Debug, Clone)]
pub enum Node {
    /// A directory.
    Dir,
    /// A regular file.
    File {
        /// Its size.
        size: u64,
        /// Its bytes, kept only for files some cataloger reads.
        data: Option<Arc<Vec<u8>>>,
        /// A Go binary's build information, read while the layer streamed by.
        go: Option<Arc<Result<BuildInfo, String>>>,
        /// A Rust binary's cargo-auditable dependency list, read while the layer streamed by.
        rust: Option<Arc<Result<VersionInfo, String>>>,
    },
    /// A symbolic link and its target as written.
    Symlink(String),
}

/// The merged filesystem of an image's layers.
#[derive(Debug, Default, Clone)]
pub struct ImageFs {
    nodes: BTreeMap<String, Node>,
    files: Vec<String>,
}

impl ImageFs {
    /// The node at `path` (no symlink resolution).
    pub fn node(&self, path: &str) -> Option<&Node> {
        self.nodes.get(path)
    }

    /// Paths and nodes, in path order.
    pub fn nodes(&self) -> impl Iterator<Item = (&String, &Node)> {
        self.nodes.iter()
    }

    /// How many paths the image has.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True for an image with no paths.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Sets what [`Tree::files`] lists.
    pub fn set_files(&mut self, mut files: Vec<String>) {
        files.sort();
        files.dedup();
        self.files = files;
    }

    /// Adds or replaces `path`, creating its parent directories (a file or link in the way of a
    /// parent is replaced by the directory, as a later layer's directory hides it). A directory
    /// replacing a directory keeps its children; anything else replacing a directory drops them.
    pub fn insert(&mut self, path: String, node: Node) {
        let mut at = 0;
        while let Some(i) = path[at..].find('/') {
            let parent = &path[..at + i];
            if !matches!(self.nodes.get(parent), Some(Node::Dir)) {
                self.nodes.insert(parent.to_owned(), Node::Dir);
            }
            at += i + 1;
        }
        if !matches!(node, Node::Dir) || !matches!(self.nodes.get(&path), Some(Node::Dir)) {
            self.remove_children(&path, |_| true);
        }
        self.nodes.insert(path, node);
    }

    /// Removes `path` and everything under it for which `lower` is true.
    pub fn remove(&mut self, path: &str, lower: impl Fn(&str) -> bool) {
        if lower(path) {
            self.nodes.remove(path);
        }
        self.remove_children(path, lower);
    }

    /// Removes everything under `dir` for which `lower` is true (an opaque directory).
    pub fn remove_children(&mut self, dir: &str, lower: impl Fn(&str) -> bool) {
        let prefix = if dir.is_empty() { String::new() } else { format!("{dir}/") };
        let doomed: Vec<String> = self
            .nodes
            .range(prefix.clone()..)
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, _)| k.clone())
            .filter(|k| lower(k))
            .collect();
        for k in doomed {
            self.nodes.remove(&k);
        }
    }

    /// Resolves `rel` through the image's symlinks to the path of what it names.
    pub fn resolve(&self, rel: &str) -> Result<String, ReadError> {
        let mut pending: VecDeque<String> = components(rel).collect();
        let mut current: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(part) = pending.pop_front() {
            if part == ".." {
                current.pop();
                continue;
            }
            current.push(part);
            let path = current.join("/");
            match self.nodes.get(&path) {
                Some(Node::Symlink(target)) => {
                    links += 1;
                    if links > MAX_LINKS {
                        return Err(ReadError::Io(format!(
                            "{rel}: too many levels of symbolic links (a symlink loop)"
                        )));
                    }
                    current.pop();
                    if target.starts_with('/') {
                        current.clear();
                    }
                    for (i, c) in components(target).enumerate() {
                        pending.insert(i, c);
                    }
                }
                Some(Node::File { .. }) if !pending.is_empty() => return Err(ReadError::NotFound),
                Some(_) => {}
                None => return Err(ReadError::NotFound),
            }
        }
        Ok(current.join("/"))
    }
}

fn components(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/').filter(|p| !p.is_empty() && *p != ".").map(str::to_owned)
}

impl Tree for ImageFs {
    fn read_bytes(&self, rel: &str) -> Result<Vec<u8>, ReadError> {
        let path = self.resolve(rel)?;
        match self.nodes.get(&path) {
            Some(Node::File { data: Some(d), .. }) => Ok(d.as_ref().clone()),
            Some(Node::File { data: None, .. }) => Err(ReadError::Io(format!(
                "{rel}: not kept from the image (only files a cataloger reads are, within the size caps)"
            ))),
            _ => Err(ReadError::NotFound),
        }
    }

    fn files(&self) -> &[String] {
        &self.files
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(data: &str) -> Node {
        Node::File {
            size: data.len() as u64,
            data: Some(Arc::new(data.as_bytes().to_vec())),
            go: None,
            rust: None,
        }
    }

    #[test]
    fn symlinks_resolve_inside_the_image() {
        let mut fs = ImageFs::default();
        fs.insert("usr/lib/os-release".into(), file("ID=debian"));
        fs.insert("etc/os-release".into(), Node::Symlink("../usr/lib/os-release".into()));
        fs.insert("lib".into(), Node::Symlink("/usr/lib".into()));
        fs.insert("escape".into(), Node::Symlink("../../../../usr/lib/os-release".into()));
        assert_eq!(fs.read("etc/os-release").as_deref(), Ok("ID=debian"));
        assert_eq!(fs.read("lib/os-release").as_deref(), Ok("ID=debian"));
        assert_eq!(fs.read("escape").as_deref(), Ok("ID=debian"));
        fs.insert("a".into(), Node::Symlink("b".into()));
        fs.insert("b".into(), Node::Symlink("a".into()));
        assert!(matches!(fs.read("a"), Err(ReadError::Io(m)) if m.contains("loop")));
    }

    #[test]
    fn replacing_a_directory_drops_its_children() {
        let mut fs = ImageFs::default();
        fs.insert("d/x".into(), file("x"));
        fs.insert("d".into(), Node::Dir);
        assert!(fs.node("d/x").is_some());
        fs.insert("d".into(), file("now a file"));
        assert!(fs.node("d/x").is_none());
    }
}
