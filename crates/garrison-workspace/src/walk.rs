//! The walk of a checkout: every regular file, without following symlinks, skipping
//! version-control data, virtual environments, caches, top-level build output and excluded
//! paths, within limits.

use std::path::{Path, PathBuf};

use garrison_source::FileError;
use globset::GlobMatcher;

/// How far the walk goes and how much it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Deepest directory nesting walked.
    pub max_depth: usize,
    /// Most directory entries walked; the rest of the tree is not listed (see
    /// [`Listing::truncated`]).
    pub max_entries: usize,
    /// Largest input file read as text.
    pub max_text_bytes: u64,
}

/// Deepest directory nesting walked by default.
pub const MAX_DEPTH: usize = 64;
/// Most directory entries walked by default.
pub const MAX_ENTRIES: usize = 1_000_000;
/// Largest input file read as text by default (GitHub's own limits on workflows are far lower).
pub const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_depth: MAX_DEPTH,
            max_entries: MAX_ENTRIES,
            max_text_bytes: MAX_TEXT_BYTES,
        }
    }
}

/// Directory names never walked: version-control data, virtual environments, caches and
/// tool output that is not part of the repository.
pub const SKIP_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    "__pycache__",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
    ".eggs",
    ".ipynb_checkpoints",
];

/// Top-level directory names skipped: build output of `python -m build`, setuptools and meson.
pub const SKIP_TOP_DIRS: &[&str] = &["build", "dist", "builddir", "_skbuild"];

/// One regular file of the checkout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the root, `/`-separated.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
    /// True if any execute bit is set (always false off Unix).
    pub executable: bool,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Listing {
    /// Regular files, sorted by path. Symlinks are not followed and not listed.
    pub files: Vec<FileEntry>,
    /// True if the walk stopped at [`Limits::max_entries`] or skipped directories deeper than
    /// [`Limits::max_depth`].
    pub truncated: bool,
    /// Directories that could not be listed (the root aside).
    pub errors: Vec<FileError>,
}

/// Walks `root` (see the module documentation); `exclude` globs match relative paths.
pub fn walk(root: &Path, exclude: &[GlobMatcher], limits: &Limits) -> Listing {
    let mut out = Listing::default();
    let mut entries = 0usize;
    // (directory, its relative path, depth)
    let mut stack: Vec<(PathBuf, String, usize)> = vec![(root.to_path_buf(), String::new(), 0)];
    'walk: while let Some((dir, rel_dir, depth)) = stack.pop() {
        let Ok(read) = std::fs::read_dir(&dir) else {
            if !rel_dir.is_empty() {
                out.errors.push(FileError {
                    path: rel_dir.clone(),
                    line: None,
                    column: None,
                    message: "cannot list directory".to_string(),
                });
            }
            continue;
        };
        for entry in read.flatten() {
            entries += 1;
            if entries > limits.max_entries {
                out.truncated = true;
                break 'walk;
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = if rel_dir.is_empty() {
                name.clone()
            } else {
                format!("{rel_dir}/{name}")
            };
            if exclude.iter().any(|g| g.is_match(&rel)) {
                continue;
            }
            // `DirEntry::metadata` does not traverse symlinks.
            let Ok(meta) = entry.metadata() else {
                continue;
            };
            let ft = meta.file_type();
            if ft.is_dir() {
                let skip = SKIP_DIRS.contains(&name.as_str())
                    || name.ends_with(".egg-info")
                    || (depth == 0 && SKIP_TOP_DIRS.contains(&name.as_str()));
                if skip {
                    continue;
                }
                if depth + 1 > limits.max_depth {
                    out.truncated = true;
                    continue;
                }
                stack.push((entry.path(), rel, depth + 1));
            } else if ft.is_file() {
                out.files.push(FileEntry {
                    rel,
                    size: meta.len(),
                    executable: is_executable(&meta),
                });
            }
        }
    }
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(_meta: &std::fs::Metadata) -> bool {
    false
}
