//! A repository checkout as the posture checks see it: the file list and the parsed
//! configuration files they share.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use garrison_report::{FileError, SourceFile, SourceMap};
use garrison_workflows::{Dependabot, Workflow, WorkflowFile};
use globset::GlobMatcher;

/// Deepest directory nesting walked.
pub const MAX_DEPTH: usize = 64;
/// Most directory entries walked; the rest of the tree is not listed (see
/// [`Checkout::truncated`]).
pub const MAX_ENTRIES: usize = 1_000_000;
/// Largest configuration file read as text.
pub const MAX_TEXT_BYTES: u64 = 4 * 1024 * 1024;

/// Directory names never walked: version-control data, virtual environments, caches and
/// tool output that is not part of the repository.
const SKIP_DIRS: &[&str] = &[
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
const SKIP_TOP_DIRS: &[&str] = &["build", "dist", "builddir", "_skbuild"];

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

/// `pyproject.toml` at the root: its text and, when it parses, its value.
#[derive(Debug, Clone)]
pub struct Pyproject {
    /// `pyproject.toml`.
    pub path: String,
    /// The text, indexed by line.
    pub source: SourceFile,
    /// The parsed document, or `None` when it is not valid TOML (see [`Checkout::errors`]).
    pub value: Option<toml::Value>,
}

/// A checkout: its files and the parsed configuration the checks share.
#[derive(Debug, Default)]
pub struct Checkout {
    /// The scanned directory (relative paths are relative to it).
    pub root: PathBuf,
    /// Regular files, sorted by path. Symlinks are not followed and not listed.
    pub files: Vec<FileEntry>,
    /// True if the walk stopped at [`MAX_ENTRIES`] or skipped directories deeper than
    /// [`MAX_DEPTH`].
    pub truncated: bool,
    /// `.github/workflows/*.yml|yaml` that parsed.
    pub workflows: Vec<Workflow>,
    /// `.github/dependabot.yml|yaml`.
    pub dependabot: Option<Dependabot>,
    /// `.pre-commit-config.yaml|yml` at the root.
    pub pre_commit: Option<WorkflowFile>,
    /// `pyproject.toml` at the root.
    pub pyproject: Option<Pyproject>,
    /// Files that could not be read or parsed.
    pub errors: Vec<FileError>,
    /// File contents given in memory ([`Checkout::from_files`]); read before the disk.
    memory: BTreeMap<String, Vec<u8>>,
}

impl Checkout {
    /// Walks `root` (without following symlinks, skipping `.git`, virtual environments,
    /// caches and top-level build output, and any path an `exclude` glob matches) and parses
    /// the configuration files.
    pub fn scan(root: &Path, exclude: &[GlobMatcher]) -> Checkout {
        let mut co = Checkout {
            root: root.to_path_buf(),
            ..Checkout::default()
        };
        let mut entries = 0usize;
        // (directory, its relative path, depth)
        let mut stack = vec![(root.to_path_buf(), String::new(), 0usize)];
        'walk: while let Some((dir, rel_dir, depth)) = stack.pop() {
            let Ok(read) = std::fs::read_dir(&dir) else {
                if !rel_dir.is_empty() {
                    co.errors.push(FileError {
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
                if entries > MAX_ENTRIES {
                    co.truncated = true;
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
                    if depth + 1 > MAX_DEPTH {
                        co.truncated = true;
                        continue;
                    }
                    stack.push((entry.path(), rel, depth + 1));
                } else if ft.is_file() {
                    co.files.push(FileEntry {
                        rel,
                        size: meta.len(),
                        executable: is_executable(&meta),
                    });
                }
            }
        }
        co.files.sort_by(|a, b| a.rel.cmp(&b.rel));
        co.load_configuration();
        co
    }

    /// A checkout held in memory: `(relative path, contents)` pairs. Nothing is read from
    /// disk; `root` is only used by checks that run `git` (pass a non-repository path to
    /// keep them out).
    pub fn from_files(root: &Path, files: Vec<(String, Vec<u8>)>) -> Checkout {
        let mut co = Checkout {
            root: root.to_path_buf(),
            ..Checkout::default()
        };
        for (rel, bytes) in files {
            co.files.push(FileEntry {
                rel: rel.clone(),
                size: bytes.len() as u64,
                executable: false,
            });
            co.memory.insert(rel, bytes);
        }
        co.files.sort_by(|a, b| a.rel.cmp(&b.rel));
        co.files.dedup_by(|a, b| a.rel == b.rel);
        co.load_configuration();
        co
    }

    fn load_configuration(&mut self) {
        let rels: Vec<String> = self.files.iter().map(|f| f.rel.clone()).collect();
        for rel in &rels {
            let rel = rel.as_str();
            let is_yaml = rel.ends_with(".yml") || rel.ends_with(".yaml");
            if is_yaml
                && let Some(name) = rel.strip_prefix(".github/workflows/")
                && !name.contains('/')
            {
                if let Some(text) = self.text_or_error(rel) {
                    match Workflow::parse(rel, &text) {
                        Ok(w) => self.workflows.push(w),
                        Err(e) => self.errors.push(e),
                    }
                }
            } else if rel == ".github/dependabot.yml" || rel == ".github/dependabot.yaml" {
                if let Some(text) = self.text_or_error(rel) {
                    match Dependabot::parse(rel, &text) {
                        Ok(d) => self.dependabot = Some(d),
                        Err(e) => self.errors.push(e),
                    }
                }
            } else if rel == ".pre-commit-config.yaml" || rel == ".pre-commit-config.yml" {
                if let Some(text) = self.text_or_error(rel) {
                    match WorkflowFile::parse(rel, &text) {
                        Ok(f) => self.pre_commit = Some(f),
                        Err(e) => self.errors.push(e),
                    }
                }
            } else if rel == "pyproject.toml"
                && let Some(text) = self.text_or_error(rel)
            {
                let value = match text.parse::<toml::Table>().map(toml::Value::Table) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        self.errors.push(FileError {
                            path: rel.to_string(),
                            line: None,
                            column: None,
                            message: format!("invalid TOML: {}", e.message()),
                        });
                        None
                    }
                };
                self.pyproject = Some(Pyproject {
                    path: rel.to_string(),
                    source: SourceFile::new(text),
                    value,
                });
            }
        }
    }

    fn text_or_error(&mut self, rel: &str) -> Option<String> {
        match self.read_text(rel) {
            Ok(t) => Some(t),
            Err(message) => {
                self.errors.push(FileError {
                    path: rel.to_string(),
                    line: None,
                    column: None,
                    message,
                });
                None
            }
        }
    }

    /// True if the checkout has a file at `rel`.
    pub fn has(&self, rel: &str) -> bool {
        self.entry(rel).is_some()
    }

    /// The entry of the file at `rel`.
    pub fn entry(&self, rel: &str) -> Option<&FileEntry> {
        self.files
            .binary_search_by(|f| f.rel.as_str().cmp(rel))
            .ok()
            .and_then(|i| self.files.get(i))
    }

    /// Files directly in directory `dir` (`""` for the root, else without a trailing `/`).
    pub fn files_in<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a FileEntry> + 'a {
        self.files.iter().filter(move |f| {
            let parent = f.rel.rsplit_once('/').map_or("", |(p, _)| p);
            parent == dir
        })
    }

    /// Reads a file as UTF-8 text (at most [`MAX_TEXT_BYTES`]); the error is a sentence.
    pub fn read_text(&self, rel: &str) -> Result<String, String> {
        let bytes = if let Some(b) = self.memory.get(rel) {
            b.clone()
        } else {
            let path = self.root.join(rel);
            let meta = std::fs::symlink_metadata(&path).map_err(|e| format!("cannot read: {e}"))?;
            if !meta.is_file() {
                return Err("not a regular file".to_string());
            }
            if meta.len() > MAX_TEXT_BYTES {
                return Err(format!(
                    "file is {} bytes, over the {MAX_TEXT_BYTES} byte limit; not analysed",
                    meta.len()
                ));
            }
            std::fs::read(&path).map_err(|e| format!("cannot read: {e}"))?
        };
        String::from_utf8(bytes).map_err(|e| {
            format!(
                "not valid UTF-8 (byte {}); not analysed",
                e.utf8_error().valid_up_to()
            )
        })
    }

    /// The first `limit` bytes of a file (fewer if it is shorter or unreadable).
    pub fn head(&self, rel: &str, limit: usize) -> Vec<u8> {
        if let Some(b) = self.memory.get(rel) {
            return b.iter().take(limit).copied().collect();
        }
        let mut buf = Vec::new();
        let path = self.root.join(rel);
        // Only regular files: a FIFO or device swapped in after the walk would block or never end.
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            return buf;
        }
        if let Ok(f) = std::fs::File::open(&path) {
            let _ = f.take(limit as u64).read_to_end(&mut buf);
        }
        buf
    }

    /// True if the checkout has files given in memory only (no `git` data to inspect).
    pub fn in_memory(&self) -> bool {
        !self.memory.is_empty()
    }

    /// The texts of the parsed configuration files, for rendering snippets.
    pub fn sources(&self) -> SourceMap {
        let mut m = SourceMap::default();
        for w in &self.workflows {
            m.insert(w.path(), w.file.source.clone());
        }
        if let Some(d) = &self.dependabot {
            m.insert(d.file.path.clone(), d.file.source.clone());
        }
        if let Some(p) = &self.pre_commit {
            m.insert(p.path.clone(), p.source.clone());
        }
        if let Some(p) = &self.pyproject {
            m.insert(p.path.clone(), p.source.clone());
        }
        m
    }

    /// Files whose name (case-insensitively) is one of `stems` with one of `exts` (`""` for
    /// no extension), in any of the directories `dirs` (`""` for the root).
    pub fn find_named(&self, dirs: &[&str], stems: &[&str], exts: &[&str]) -> Vec<&FileEntry> {
        let mut out = Vec::new();
        for dir in dirs {
            for f in self
                .files
                .iter()
                .filter(|f| f.rel.rsplit_once('/').map_or("", |(p, _)| p) == *dir)
            {
                let name = f
                    .rel
                    .rsplit('/')
                    .next()
                    .unwrap_or(&f.rel)
                    .to_ascii_lowercase();
                let (stem, ext) = match name.rsplit_once('.') {
                    Some((s, e)) => (s.to_string(), e.to_string()),
                    None => (name.clone(), String::new()),
                };
                if stems.contains(&stem.as_str()) && exts.contains(&ext.as_str()) {
                    out.push(f);
                }
            }
        }
        out
    }
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
