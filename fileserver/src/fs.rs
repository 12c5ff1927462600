//! File-system access behind a small trait, so the serving logic can be
//! tested against a temporary directory (or a fake) natively.
//!
//! [`DirFs`] maps a [`SafePath`] under a root directory (`/` inside the
//! component, where Spin mounts `files`). Symbolic links are followed; in the
//! component the WASI preopen confines them to the mount.

use crate::path::SafePath;
use std::fs::File;
use std::io;
use std::path::PathBuf;
use std::time::SystemTime;

/// What a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
}

/// The metadata the server needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Meta {
    pub kind: Kind,
    pub len: u64,
    pub modified: Option<SystemTime>,
}

/// Read-only metadata lookups.
pub trait FileSystem {
    /// `None` when the path does not exist or is neither file nor directory.
    fn stat(&self, path: &SafePath) -> Option<Meta>;
}

/// A real directory tree.
#[derive(Debug, Clone)]
pub struct DirFs {
    root: PathBuf,
}

impl DirFs {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        DirFs { root: root.into() }
    }

    /// The host path of `path`.
    pub fn full_path(&self, path: &SafePath) -> PathBuf {
        let mut p = self.root.clone();
        p.extend(path.segments());
        p
    }

    /// Opens a file for streaming.
    pub fn open(&self, path: &SafePath) -> io::Result<File> {
        File::open(self.full_path(path))
    }
}

impl FileSystem for DirFs {
    fn stat(&self, path: &SafePath) -> Option<Meta> {
        let md = std::fs::metadata(self.full_path(path)).ok()?;
        let kind = if md.is_file() {
            Kind::File
        } else if md.is_dir() {
            Kind::Dir
        } else {
            return None;
        };
        Some(Meta {
            kind,
            len: md.len(),
            modified: md.modified().ok(),
        })
    }
}
