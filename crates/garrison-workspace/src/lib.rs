//! The project loaded once.
//!
//! [`Workspace::load`] walks a checkout ([`walk`]) and reads and parses every input the
//! analyses consume, once: GitHub workflows, action definitions and `dependabot.yml` (the
//! [`garrison_workflows`] model), the pre-commit configuration, `pyproject.toml`, `CODEOWNERS`
//! and the [`documents`] posture reads. Every text it read is in one
//! [`SourceMap`], so renderers and inline suppressions find every file a finding can point at.
//! Files that cannot be read or parsed are [`LoadError`]s; the load goes on.
//!
//! The workflow audits, the posture checks and the dependency audit (through
//! [`Workspace::paths`], the walk's file list) all consume one `Workspace`.

pub mod codeowners;
pub mod documents;
pub mod pyproject;
mod subject;
pub mod walk;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use garrison_source::read::ReadError;
use garrison_source::{FileError, SourceFile, SourceMap};
use garrison_workflows::{Action, Dependabot, Workflow, WorkflowFile};
use globset::GlobMatcher;

pub use codeowners::Codeowners;
pub use documents::Named;
pub use pyproject::Pyproject;
pub use subject::step_subject;
pub use walk::{FileEntry, Limits};

/// Errors of this crate's API.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file named by the caller could not be read.
    #[error("{path}: {source}")]
    Read {
        /// The path as given.
        path: String,
        /// Why.
        source: ReadError,
    },
}

/// What kind of input a file is, by its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `.github/workflows/*.yml|yaml`.
    Workflow,
    /// `action.yml|yaml` anywhere (e.g. `.github/actions/x/action.yml`).
    Action,
    /// `.github/dependabot.yml|yaml`.
    Dependabot,
    /// `.pre-commit-config.yaml|yml` at the root.
    PreCommit,
    /// `pyproject.toml` at the root.
    Pyproject,
}

impl Kind {
    /// The GitHub Actions inputs: workflows, action definitions, `dependabot.yml`.
    pub const GITHUB: &[Kind] = &[Kind::Workflow, Kind::Action, Kind::Dependabot];

    /// Classifies a repository-relative path.
    pub fn of(rel: &str) -> Option<Kind> {
        if rel == "pyproject.toml" {
            return Some(Kind::Pyproject);
        }
        if rel == ".pre-commit-config.yaml" || rel == ".pre-commit-config.yml" {
            return Some(Kind::PreCommit);
        }
        let name = rel.rsplit('/').next().unwrap_or(rel);
        if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
            return None;
        }
        if let Some(rest) = rel.strip_prefix(".github/workflows/")
            && !rest.contains('/')
        {
            return Some(Kind::Workflow);
        }
        if name == "action.yml" || name == "action.yaml" {
            return Some(Kind::Action);
        }
        if rel == ".github/dependabot.yml" || rel == ".github/dependabot.yaml" {
            return Some(Kind::Dependabot);
        }
        None
    }

    fn is_github(self) -> bool {
        Kind::GITHUB.contains(&self)
    }
}

/// A file that could not be read or parsed, or a directory the walk could not list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// The kind of input, or `None` for the walk.
    pub kind: Option<Kind>,
    /// Where and why.
    pub error: FileError,
}

/// Which inputs a load reads and parses (the walk always runs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Inputs {
    /// Every input: what the posture checks and the workflow audits read.
    #[default]
    All,
    /// The GitHub Actions inputs only ([`Kind::GITHUB`]), for the workflow audits alone.
    GitHub,
    /// None: the file list only (dependency files are read by their own readers).
    FilesOnly,
}

impl Inputs {
    fn wants(self, kind: Kind) -> bool {
        match self {
            Inputs::All => true,
            Inputs::GitHub => kind.is_github(),
            Inputs::FilesOnly => false,
        }
    }
}

/// How to load a workspace.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Paths (relative, `/`-separated) the walk leaves out, from the configuration's `exclude`.
    pub exclude: Vec<GlobMatcher>,
    /// Walk and read limits.
    pub limits: Limits,
    /// Which inputs to read and parse.
    pub inputs: Inputs,
}

impl Options {
    /// Default limits, reading `inputs`, leaving out what `exclude` matches.
    pub fn new(inputs: Inputs, exclude: Vec<GlobMatcher>) -> Options {
        Options {
            exclude,
            limits: Limits::default(),
            inputs,
        }
    }
}

/// A checkout as the analyses see it: its files and every input, parsed once.
#[derive(Debug, Default)]
pub struct Workspace {
    /// The scanned directory (relative paths are relative to it).
    pub root: PathBuf,
    /// Regular files, sorted by path. Symlinks are not followed and not listed.
    pub files: Vec<FileEntry>,
    /// True if the walk stopped at its limits ([`Limits`]).
    pub truncated: bool,
    /// Workflows that parsed, sorted by path.
    pub workflows: Vec<Workflow>,
    /// Action definitions that parsed, sorted by path.
    pub actions: Vec<Action>,
    /// `.github/dependabot.yml|yaml`.
    pub dependabot: Option<Dependabot>,
    /// `.pre-commit-config.yaml|yml` at the root.
    pub pre_commit: Option<WorkflowFile>,
    /// `pyproject.toml` at the root (also when it is not valid TOML: see [`Pyproject::value`]).
    pub pyproject: Option<Pyproject>,
    /// The `CODEOWNERS` file GitHub would use, if any (exact name: GitHub's lookup is
    /// case-sensitive). An unreadable one has no rules.
    pub codeowners: Option<Codeowners>,
    /// Files that could not be read or parsed, in path order, and directories the walk could
    /// not list.
    pub errors: Vec<LoadError>,
    /// The git repository the files come from, for the checks that read git data (release
    /// tags): `root` for [`Workspace::load`] when `root/.git` exists; `None` for a workspace built
    /// in memory unless the caller sets it (a tree read from a repository's objects).
    pub git: Option<PathBuf>,
    sources: SourceMap,
    /// File contents given in memory ([`Workspace::from_files`], [`Workspace::from_tree`]);
    /// read instead of the disk.
    memory: BTreeMap<String, Vec<u8>>,
    /// Built in memory: nothing is ever read from disk.
    memory_only: bool,
    limits: Limits,
}

/// A file of a workspace built in memory ([`Workspace::from_tree`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemoryFile {
    /// Relative, `/`-separated path.
    pub rel: String,
    /// Size in bytes.
    pub size: u64,
    /// Executable mode.
    pub executable: bool,
    /// The contents, or `None` when they were not read (over a limit, or not needed): the file
    /// is listed, and reading it fails.
    pub data: Option<Vec<u8>>,
}

impl Workspace {
    /// Walks `root` ([`walk::walk`]) and reads and parses the inputs `options` asks for.
    pub fn load(root: &Path, options: &Options) -> Workspace {
        let listing = walk::walk(root, &options.exclude, &options.limits);
        let mut ws = Workspace {
            root: root.to_path_buf(),
            files: listing.files,
            truncated: listing.truncated,
            git: root.join(".git").exists().then(|| root.to_path_buf()),
            limits: options.limits,
            ..Workspace::default()
        };
        ws.errors.extend(
            listing
                .errors
                .into_iter()
                .map(|error| LoadError { kind: None, error }),
        );
        ws.load_inputs(options.inputs);
        ws
    }

    /// A workspace of files held in memory: `(relative path, contents)` pairs. Nothing is read
    /// from disk; `root` is only used by checks that look at the git repository (pass a
    /// non-repository path to keep them out).
    pub fn from_files(root: &Path, files: Vec<(String, Vec<u8>)>, inputs: Inputs) -> Workspace {
        let files = files
            .into_iter()
            .map(|(rel, bytes)| MemoryFile {
                rel,
                size: bytes.len() as u64,
                executable: false,
                data: Some(bytes),
            })
            .collect();
        Workspace::from_tree(root, files, inputs)
    }

    /// A workspace of files held in memory, some listed without their contents (a tree read
    /// from git objects, where only the inputs were read: see [`MemoryFile::data`]). Nothing is
    /// read from disk; [`Workspace::git`] is `None` until the caller sets it.
    pub fn from_tree(root: &Path, files: Vec<MemoryFile>, inputs: Inputs) -> Workspace {
        let mut ws = Workspace {
            root: root.to_path_buf(),
            memory_only: true,
            ..Workspace::default()
        };
        for f in files {
            ws.files.push(FileEntry {
                rel: f.rel.clone(),
                size: f.size,
                executable: f.executable,
            });
            if let Some(bytes) = f.data {
                ws.memory.insert(f.rel, bytes);
            }
        }
        ws.files.sort_by(|a, b| a.rel.cmp(&b.rel));
        ws.files.dedup_by(|a, b| a.rel == b.rel);
        ws.load_inputs(inputs);
        ws
    }

    /// A workspace of one file named on the command line, read as `kind` (by default the
    /// GitHub input its name says, else a workflow). Its relative path is its file name.
    pub fn load_file(path: &Path, kind: Option<Kind>) -> Result<Workspace, Error> {
        let limits = Limits::default();
        let text = garrison_source::read::read_text(path, limits.max_text_bytes).map_err(|e| {
            Error::Read {
                path: path.display().to_string(),
                source: e,
            }
        })?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let kind = kind
            .or_else(|| Kind::of(&name).filter(|k| k.is_github()))
            .unwrap_or(Kind::Workflow);
        let mut ws = Workspace::from_text(&name, &text, kind);
        ws.root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(ws)
    }

    /// A workspace of one text, parsed as `kind` and known by `rel`.
    pub fn from_text(rel: &str, text: &str, kind: Kind) -> Workspace {
        let mut ws = Workspace {
            files: vec![FileEntry {
                rel: rel.to_string(),
                size: text.len() as u64,
                executable: false,
            }],
            ..Workspace::default()
        };
        ws.parse(rel, text, kind);
        ws
    }

    fn load_inputs(&mut self, inputs: Inputs) {
        let wanted: Vec<(String, Kind)> = self
            .files
            .iter()
            .filter_map(|f| Some((f.rel.clone(), Kind::of(&f.rel)?)))
            .filter(|(_, k)| inputs.wants(*k))
            .collect();
        for (rel, kind) in wanted {
            match self.read_text(&rel) {
                Ok(text) => self.parse(&rel, &text, kind),
                Err(e) => self.errors.push(LoadError {
                    kind: Some(kind),
                    error: FileError {
                        path: rel,
                        line: None,
                        column: None,
                        message: e.to_string(),
                    },
                }),
            }
        }
        if inputs == Inputs::All {
            let documents: Vec<String> = self
                .files
                .iter()
                .map(|f| f.rel.clone())
                .filter(|rel| documents::is_document(rel))
                .collect();
            for rel in documents {
                if let Ok(text) = self.read_text(&rel) {
                    self.sources.insert(rel, SourceFile::new(text));
                }
            }
            self.codeowners = documents::CODEOWNERS
                .iter()
                .find(|p| self.has(p))
                .map(|p| Codeowners::parse(p, self.text(p).map_or("", SourceFile::text)));
        }
    }

    fn parse(&mut self, rel: &str, text: &str, kind: Kind) {
        let error = match kind {
            Kind::Workflow => Workflow::parse(rel, text).map(|w| {
                self.sources.insert(rel, w.file.source.clone());
                self.workflows.push(w);
            }),
            Kind::Action => Action::parse(rel, text).map(|a| {
                self.sources.insert(rel, a.file.source.clone());
                self.actions.push(a);
            }),
            Kind::Dependabot => Dependabot::parse(rel, text).map(|d| {
                self.sources.insert(rel, d.file.source.clone());
                self.dependabot = Some(d);
            }),
            Kind::PreCommit => WorkflowFile::parse(rel, text).map(|f| {
                self.sources.insert(rel, f.source.clone());
                self.pre_commit = Some(f);
            }),
            Kind::Pyproject => {
                let (p, error) = Pyproject::parse(rel, text);
                self.sources.insert(rel, p.source.clone());
                self.pyproject = Some(p);
                error.map_or(Ok(()), Err)
            }
        };
        if let Err(error) = error {
            self.errors.push(LoadError {
                kind: Some(kind),
                error,
            });
        }
    }

    /// Reads a file of the workspace as UTF-8 text (at most `limit` bytes, a regular file only:
    /// symlinks are not followed), from memory for a workspace built in memory, else from disk.
    /// The dependency audit reads dependency files through it.
    pub fn read_text_limited(&self, rel: &str, limit: u64) -> Result<String, ReadError> {
        if let Some(b) = self.memory.get(rel) {
            if b.len() as u64 > limit {
                return Err(ReadError::TooLarge {
                    size: b.len() as u64,
                    limit,
                });
            }
            return garrison_source::read::to_text(b.clone());
        }
        if self.memory_only {
            return Err(ReadError::Io(std::io::Error::other(
                "contents not read from the tree",
            )));
        }
        let path = self.root.join(rel);
        let meta = std::fs::symlink_metadata(&path)?;
        if !meta.is_file() {
            return Err(ReadError::NotAFile);
        }
        if meta.len() > limit {
            return Err(ReadError::TooLarge {
                size: meta.len(),
                limit,
            });
        }
        garrison_source::read::to_text(std::fs::read(&path)?)
    }

    /// Reads a file of the workspace as UTF-8 text (at most [`Limits::max_text_bytes`], a
    /// regular file only: symlinks are not followed).
    fn read_text(&self, rel: &str) -> Result<String, ReadError> {
        self.read_text_limited(rel, self.limits.max_text_bytes)
    }

    /// The load errors of the inputs `kinds` (`None` in the list: the walk's).
    pub fn errors_of<'a>(
        &'a self,
        kinds: &'a [Option<Kind>],
    ) -> impl Iterator<Item = &'a FileError> + 'a {
        self.errors
            .iter()
            .filter(|e| kinds.contains(&e.kind))
            .map(|e| &e.error)
    }

    /// The relative paths of every file, in order: the list dependency discovery takes.
    pub fn paths(&self) -> impl Iterator<Item = &str> + '_ {
        self.files.iter().map(|f| f.rel.as_str())
    }

    /// True if the workspace has a file at `rel`.
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

    /// Files named as `named` says, directory by directory in its order, then by path.
    pub fn find_named(&self, named: &Named) -> Vec<&FileEntry> {
        let mut out = Vec::new();
        for dir in named.dirs {
            out.extend(
                self.files_in(dir)
                    .filter(|f| named.matches_name(f.rel.rsplit('/').next().unwrap_or(&f.rel))),
            );
        }
        out
    }

    /// The text of an input or document the workspace read, if it could be read.
    pub fn text(&self, rel: &str) -> Option<&SourceFile> {
        self.sources.get(rel)
    }

    /// The texts of every file the workspace read, for rendering snippets.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// Takes the texts out (when the analyses are done and the report takes them over).
    pub fn take_sources(&mut self) -> SourceMap {
        std::mem::take(&mut self.sources)
    }

    /// The first `limit` bytes of a file (fewer if it is shorter or unreadable). Only regular
    /// files are read: a FIFO or device swapped in after the walk would block or never end.
    pub fn head(&self, rel: &str, limit: usize) -> Vec<u8> {
        if let Some(b) = self.memory.get(rel) {
            return b.iter().take(limit).copied().collect();
        }
        if self.memory_only {
            return Vec::new();
        }
        let mut buf = Vec::new();
        let path = self.root.join(rel);
        if !std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_file()) {
            return buf;
        }
        if let Ok(f) = std::fs::File::open(&path) {
            let _ = f.take(limit as u64).read_to_end(&mut buf);
        }
        buf
    }

    /// True if the workspace's files are held in memory ([`Workspace::from_files`],
    /// [`Workspace::from_tree`]); git data is then only inspected through [`Workspace::git`].
    pub fn in_memory(&self) -> bool {
        self.memory_only
    }

    /// The local composite action at `./path` (a directory holding `action.yml`).
    pub fn local_action(&self, path: &str) -> Option<&Action> {
        garrison_workflows::local_action(&self.actions, path)
    }

    /// The local reusable workflow at `./.github/workflows/x.yml`.
    pub fn local_workflow(&self, path: &str) -> Option<&Workflow> {
        garrison_workflows::local_workflow(&self.workflows, path)
    }
}

#[cfg(test)]
mod tests;
