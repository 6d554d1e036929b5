//! A commit's tree read whole (paths, modes and blob contents), and the repository's tag names:
//! what `garrison release verify --source PATH@REF` compares a distribution with.
//!
//! Untrusted repositories: blobs larger than [`TreeLimits::max_blob`] are listed with their size
//! but not read, the total of bytes read is capped by [`TreeLimits::max_total`] (past it, blobs
//! are listed without content), and the number of entries by [`TreeLimits::max_entries`] (past
//! it, reading fails with an error that says so). Paths that are not UTF-8 are skipped with a
//! warning.

use std::path::Path;

use gix::bstr::ByteSlice as _;
use gix::objs::tree::EntryKind;

use crate::GitError;

/// Limits on what [`read_tree`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeLimits {
    /// Largest blob read into memory (larger ones are listed with size only): 64 MiB.
    pub max_blob: u64,
    /// Total blob bytes read: 2 GiB.
    pub max_total: u64,
    /// Tree entries (files, links, submodules): 500,000.
    pub max_entries: usize,
}

impl Default for TreeLimits {
    fn default() -> Self {
        TreeLimits {
            max_blob: 64 << 20,
            max_total: 2 << 30,
            max_entries: 500_000,
        }
    }
}

/// What a tree entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeEntryKind {
    /// A regular file (mode 100644).
    File,
    /// An executable file (mode 100755).
    Executable,
    /// A symbolic link; its target is the blob content.
    Symlink,
    /// A submodule (gitlink): the commit of another repository, whose files are not here.
    Submodule,
}

/// One entry of a tree (directories are not listed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeFile {
    /// `/`-separated path from the repository root.
    pub path: String,
    /// What it is.
    pub kind: TreeEntryKind,
    /// Blob size in bytes (0 for submodules).
    pub size: u64,
    /// The blob's content, or `None` when it was over a limit (or for submodules).
    pub data: Option<Vec<u8>>,
    /// Hex object id (for submodules, the commit they point at).
    pub oid: String,
}

/// A commit's whole tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// The revision as given.
    pub rev: String,
    /// Hex id of the commit it resolved to.
    pub commit: String,
    /// Files, links and submodules, sorted by path.
    pub files: Vec<TreeFile>,
    /// Entries that could not be read or were skipped, with the reason.
    pub warnings: Vec<String>,
}

/// Reads the tree of `rev` (a tag, branch or commit id) in the repository at `path`.
pub fn read_tree(path: &Path, rev: &str, limits: &TreeLimits) -> Result<Tree, GitError> {
    read(path, rev, limits, None)
}

/// Reads the tree of `rev` like [`read_tree`], but the blobs of the paths `wanted` accepts
/// only: every entry is listed, the others with size 0 and no data (their blobs are not looked
/// at, which makes a listing of a large tree cheap). For evaluations that need a few files of
/// many trees (history replay).
pub fn read_tree_selected(
    path: &Path,
    rev: &str,
    limits: &TreeLimits,
    wanted: &dyn Fn(&str) -> bool,
) -> Result<Tree, GitError> {
    read(path, rev, limits, Some(wanted))
}

fn read(
    path: &Path,
    rev: &str,
    limits: &TreeLimits,
    wanted: Option<&dyn Fn(&str) -> bool>,
) -> Result<Tree, GitError> {
    let repo = crate::open(path)?;
    let err = |message: String| GitError::Revision {
        rev: rev.to_string(),
        message,
    };
    let commit = repo
        .rev_parse_single(rev)
        .map_err(|e| err(e.to_string()))?
        .object()
        .map_err(|e| err(e.to_string()))?
        .peel_to_commit()
        .map_err(|e| err(e.to_string()))?;
    let tree = commit.tree().map_err(|e| err(e.to_string()))?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse()
        .breadthfirst(&mut recorder)
        .map_err(|e| err(format!("cannot walk the tree: {e}")))?;
    let mut out = Tree {
        rev: rev.to_string(),
        commit: commit.id.to_hex().to_string(),
        files: Vec::new(),
        warnings: Vec::new(),
    };
    let mut total = 0u64;
    for entry in recorder.records {
        let kind = match entry.mode.kind() {
            EntryKind::Tree => continue,
            EntryKind::Blob => TreeEntryKind::File,
            EntryKind::BlobExecutable => TreeEntryKind::Executable,
            EntryKind::Link => TreeEntryKind::Symlink,
            EntryKind::Commit => TreeEntryKind::Submodule,
        };
        if out.files.len() >= limits.max_entries {
            return Err(err(format!(
                "the tree has more than {} entries",
                limits.max_entries
            )));
        }
        let Ok(p) = entry.filepath.to_str() else {
            out.warnings.push(format!(
                "{}: path is not UTF-8; skipped",
                entry.filepath.to_str_lossy()
            ));
            continue;
        };
        let mut file = TreeFile {
            path: p.to_string(),
            kind,
            size: 0,
            data: None,
            oid: entry.oid.to_hex().to_string(),
        };
        if kind != TreeEntryKind::Submodule && wanted.is_none_or(|w| w(p)) {
            match repo.find_header(entry.oid) {
                Ok(h) => file.size = h.size(),
                Err(e) => {
                    out.warnings.push(format!("{p}: cannot read blob: {e}"));
                    out.files.push(file);
                    continue;
                }
            }
            if file.size <= limits.max_blob && total.saturating_add(file.size) <= limits.max_total {
                match repo.find_object(entry.oid) {
                    Ok(o) => {
                        total += file.size;
                        file.data = Some(o.detach().data);
                    }
                    Err(e) => out.warnings.push(format!("{p}: cannot read blob: {e}")),
                }
            } else {
                out.warnings.push(format!(
                    "{p}: {} bytes, over the read limit; not compared",
                    file.size
                ));
            }
        }
        out.files.push(file);
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The short names of the repository's tags (`v1.2.0`), sorted.
pub fn tag_names(path: &Path) -> Result<Vec<String>, GitError> {
    let repo = crate::open(path)?;
    let refs = repo
        .references()
        .map_err(|e| GitError::Walk(format!("tags: {e}")))?;
    let tags = refs
        .tags()
        .map_err(|e| GitError::Walk(format!("tags: {e}")))?;
    let mut names: Vec<String> = tags
        .flatten()
        .filter_map(|r| r.name().shorten().to_str().ok().map(str::to_string))
        .collect();
    names.sort();
    Ok(names)
}

/// Whether `path` is (inside) a git repository gix can open.
pub fn is_repository(path: &Path) -> bool {
    gix::open(path).is_ok()
}

/// The commit HEAD points at (hex), in the repository at `path`.
pub fn head_commit(path: &Path) -> Result<String, GitError> {
    let repo = crate::open(path)?;
    let id = repo.head_id().map_err(|e| GitError::Revision {
        rev: "HEAD".into(),
        message: e.to_string(),
    })?;
    Ok(id.to_hex().to_string())
}

/// One commit of a first-parent chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCommit {
    /// Hex object id.
    pub id: String,
    /// Committer time, Unix seconds.
    pub time: i64,
}

/// The first-parent chain from `rev` (`HEAD` for the default branch): `rev`'s commit, its first
/// parent, that one's first parent, and so on to the root, newest first (what
/// `git rev-list --first-parent rev` lists, with committer times). A shallow clone's chain ends
/// at its boundary; a missing parent ends it too.
pub fn first_parent_chain(path: &Path, rev: &str) -> Result<Vec<ChainCommit>, GitError> {
    let repo = crate::open(path)?;
    let err = |message: String| GitError::Revision {
        rev: rev.to_string(),
        message,
    };
    let mut commit = repo
        .rev_parse_single(rev)
        .map_err(|e| err(e.to_string()))?
        .object()
        .map_err(|e| err(e.to_string()))?
        .peel_to_commit()
        .map_err(|e| err(e.to_string()))?;
    let mut chain = Vec::new();
    loop {
        let time = commit
            .time()
            .map_err(|e| GitError::Walk(format!("commit {}: {e}", commit.id)))?;
        chain.push(ChainCommit {
            id: commit.id.to_hex().to_string(),
            time: time.seconds,
        });
        let Some(parent) = commit.parent_ids().next() else {
            break;
        };
        match parent.object().map(|o| o.try_into_commit()) {
            Ok(Ok(c)) => commit = c,
            _ => break,
        }
    }
    Ok(chain)
}
