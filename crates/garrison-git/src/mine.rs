//! The walk, per-commit diffs (numstat) with the caller's content scan, and `.mailmap`
//! application.

use std::collections::HashMap;
use std::path::Path;

use std::sync::atomic::{AtomicUsize, Ordering};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::CommitRef;
use gix::objs::TreeRefIter;
use gix::objs::tree::EntryMode;
use imara_diff::{Algorithm, Diff, InternedInput};
use rayon::prelude::*;

use crate::tags::{identity, read_tags, sig_time};
use crate::{
    ChangeKind, ChangeScanner, Commit, FileChange, GitError, History, Hunk, Identity,
    MAX_DIFF_BLOB, MAX_HUNKS, MAX_MESSAGE, MineOptions, References, TextChange,
};

/// git's `FIRST_FEW_BYTES`: a NUL byte in this prefix makes a blob binary.
const BINARY_PROBE: usize = 8000;

/// What keeps one commit or the tag listing from being read. Mining goes on: the message
/// becomes one of [`History::warnings`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum Skipped {
    /// A step of reading or diffing a commit failed.
    #[error("commit {commit}: {step}: {error}")]
    Commit {
        /// The commit id.
        commit: String,
        /// What was being done: `read`, `parse`, `author`, `committer`, `parent`, `diff`.
        step: &'static str,
        /// Why.
        error: ObjectError,
    },
    /// A commit whose parent is missing from a shallow clone.
    #[error(
        "commit {0}: its parent is not in this shallow clone, so it is not analysed (fetch the full history: `git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)"
    )]
    ShallowParent(String),
    /// The tags could not be listed.
    #[error("tags: {0}")]
    Tags(String),
}

/// An object of a commit that could not be read or diffed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ObjectError {
    /// gix's message.
    #[error("{0}")]
    Git(String),
    /// A tree id that names another kind of object.
    #[error("{0} is not a tree")]
    NotATree(ObjectId),
    /// A blob that cannot be read.
    #[error("blob {oid}: {message}")]
    Blob {
        /// The blob.
        oid: ObjectId,
        /// gix's message.
        message: String,
    },
}

/// gix's error, as its message (no gix type leaves the crate).
fn git(e: impl std::fmt::Display) -> ObjectError {
    ObjectError::Git(e.to_string())
}

/// Mine the history of the repository at `repo` (a work tree or a bare git directory), handing
/// every text change to `scanner`.
///
/// Commits come newest first (committer time); identities are mapped through the `.mailmap` of
/// `HEAD`. Per-commit failures become [`History::warnings`].
pub fn mine<S: ChangeScanner>(
    repo: &Path,
    opts: &MineOptions,
    scanner: &S,
) -> Result<History<S::Hits>, GitError> {
    let raw = mine_raw(repo, opts, scanner, &mut HashMap::new(), None)?;
    Ok(raw.finish())
}

/// Mined data before `.mailmap` is applied (what the cache stores).
pub(crate) struct Raw<H> {
    pub(crate) repo: gix::ThreadSafeRepository,
    pub(crate) head: Option<String>,
    /// What identifies the walk for the cache's reuse: the start commit, and for a range the
    /// commit its base resolved to.
    pub(crate) walk_id: Option<String>,
    /// The walked ids, newest first (for the cache's walk reuse).
    pub(crate) ids: Vec<String>,
    pub(crate) commits: Vec<Commit<H>>,
    pub(crate) warnings: Vec<String>,
}

impl<H> Raw<H> {
    /// Read tags and apply the `.mailmap` of `HEAD` to commits and taggers.
    pub(crate) fn finish(self) -> History<H> {
        let repo = self.repo.to_thread_local();
        let mut warnings = self.warnings;
        let mailmap = repo.open_mailmap();
        let map = |id: &mut Identity| {
            let sig = gix::actor::SignatureRef {
                name: id.name.as_bytes().as_bstr(),
                email: id.email.as_bytes().as_bstr(),
                time: "",
            };
            if let Some(resolved) = mailmap.try_resolve_ref(sig) {
                let name = resolved.name.map(|n| n.to_str_lossy().into_owned());
                let email = resolved.email.map(|e| e.to_str_lossy().into_owned());
                if let Some(name) = name {
                    id.name = name;
                }
                if let Some(email) = email {
                    id.email = email;
                }
            }
        };
        let mut commits = self.commits;
        for c in &mut commits {
            map(&mut c.author);
            map(&mut c.committer);
        }
        let mut tags = read_tags(&repo, &mut warnings).unwrap_or_else(|e| {
            warnings.push(e.to_string());
            Vec::new()
        });
        for t in &mut tags {
            if let Some(id) = &mut t.tagger {
                map(id);
            }
        }
        let shallow = repo.is_shallow().unwrap_or(false);
        History {
            shallow,
            head: self.head,
            commits,
            tags,
            warnings,
        }
    }
}

/// Resolves `rev` to a commit. In a shallow clone a revision that does not resolve is said to
/// be possibly beyond what was fetched (with how much was), never gix's traversal message.
pub(crate) fn resolve(repo: &gix::Repository, rev: &str) -> Result<ObjectId, GitError> {
    let err = |message: String| {
        if repo.is_shallow().unwrap_or(false) {
            GitError::ShallowRevision {
                rev: rev.to_string(),
                fetched: fetched(repo),
            }
        } else {
            GitError::Revision {
                rev: rev.to_string(),
                message,
            }
        }
    };
    let id = repo.rev_parse_single(rev).map_err(|e| err(e.to_string()))?;
    let commit = id
        .object()
        .map_err(|e| err(e.to_string()))?
        .peel_to_commit()
        .map_err(|e| err(e.to_string()))?;
    Ok(commit.id)
}

/// How much history a shallow clone holds: `3 commits fetched from HEAD`.
fn fetched(repo: &gix::Repository) -> String {
    let n = repo
        .head_id()
        .ok()
        .and_then(|h| repo.rev_walk([h.detach()]).all().ok())
        .map(|walk| walk.take_while(Result::is_ok).count());
    match n {
        Some(1) => "1 commit fetched from HEAD".to_string(),
        Some(n) => format!("{n} commits fetched from HEAD"),
        None => "HEAD not fetched".to_string(),
    }
}

/// A commit's slot in the walk and its mining result.
type Mined<H> = (usize, Result<Commit<H>, Skipped>);

/// Walk and diff; commits present in `cached` (raw, keyed by id) are taken from there.
///
/// `known_walk` is a previous walk with the same options, `(walk id, ids)`: when the head (and
/// a range's base) still resolve to the same commits, its ids are reused instead of walking again (the walk of a large
/// history costs more than reading the cached commits).
pub(crate) fn mine_raw<S: ChangeScanner>(
    path: &Path,
    opts: &MineOptions,
    scanner: &S,
    cached: &mut HashMap<String, Commit<S::Hits>>,
    known_walk: Option<(&str, &[String])>,
) -> Result<Raw<S::Hits>, GitError> {
    let ts = crate::open(path)?.into_sync();
    let repo = ts.to_thread_local();
    let start = tip(&repo, opts)?;
    // What identifies this walk: its start, and for a range the commit its base resolves to
    // (a moved base with an unchanged head is another set of commits).
    let walk_id = match (&opts.range, start) {
        (Some((base, _)), Some(t)) => {
            Some(format!("{}^{}", t.to_hex(), resolve(&repo, base)?.to_hex()))
        }
        (_, t) => t.map(|t| t.to_hex().to_string()),
    };
    let reuse = match (known_walk, start, &walk_id) {
        (Some((known, ids)), Some(t), Some(w)) if w == known => ids
            .iter()
            .map(|i| ObjectId::from_hex(i.as_bytes()))
            .collect::<Result<Vec<_>, _>>()
            .ok()
            .map(|ids| (Some(t), ids)),
        _ => None,
    };
    let (head, ids) = match reuse {
        Some(w) => w,
        None => walk(&repo, opts)?,
    };
    let mut warnings = Vec::new();

    let mut slots: Vec<Option<Commit<S::Hits>>> = ids
        .iter()
        .map(|id| cached.remove(&id.to_hex().to_string()))
        .collect();
    let todo: Vec<(usize, ObjectId)> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| slots.get(*i).is_some_and(Option::is_none))
        .map(|(i, id)| (i, *id))
        .collect();

    if !todo.is_empty() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .build()
            .map_err(|e| GitError::Threads(e.to_string()))?;
        let total = todo.len();
        let done = AtomicUsize::new(0);
        let progress = opts.progress.as_ref();
        if let Some(p) = progress {
            p.report(0, total);
        }
        let results: Vec<Mined<S::Hits>> = pool.install(|| {
            todo.par_iter()
                .map_init(
                    || {
                        let mut r = ts.to_thread_local();
                        r.object_cache_size_if_unset(8 * 1024 * 1024);
                        (r, Scratch::default())
                    },
                    |(r, scratch), (i, id)| {
                        let c = mine_commit(r, *id, scanner, scratch);
                        if let Some(p) = progress {
                            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                            if n.is_multiple_of(crate::OnProgress::EVERY) {
                                p.report(n, total);
                            }
                        }
                        (*i, c)
                    },
                )
                .collect()
        });
        if let Some(p) = progress {
            p.report(total, total);
        }
        for (i, res) in results {
            match res {
                Ok(c) => {
                    if let Some(slot) = slots.get_mut(i) {
                        *slot = Some(c);
                    }
                }
                Err(e) => warnings.push(e.to_string()),
            }
        }
    }
    drop(repo);
    Ok(Raw {
        repo: ts,
        walk_id,
        ids: ids.iter().map(|i| i.to_hex().to_string()).collect(),
        head: head.map(|h| h.to_hex().to_string()),
        commits: slots.into_iter().flatten().collect(),
        warnings,
    })
}

/// The commit the walk starts from (None for an unborn HEAD).
fn tip(repo: &gix::Repository, opts: &MineOptions) -> Result<Option<ObjectId>, GitError> {
    match (&opts.range, &opts.tip) {
        (Some((_, head)), _) => resolve(repo, head).map(Some),
        (None, Some(t)) => resolve(repo, t).map(Some),
        (None, None) => {
            if repo.head().map(|h| h.is_unborn()).unwrap_or(false) {
                return Ok(None);
            }
            resolve(repo, "HEAD").map(Some)
        }
    }
}

fn walk(
    repo: &gix::Repository,
    opts: &MineOptions,
) -> Result<(Option<ObjectId>, Vec<ObjectId>), GitError> {
    use gix::revision::walk::Sorting;
    use gix::traverse::commit::simple::CommitTimeOrder;

    let (tip, hidden) = match &opts.range {
        Some((base, head)) => (resolve(repo, head)?, Some(resolve(repo, base)?)),
        None => match &opts.tip {
            Some(tip) => (resolve(repo, tip)?, None),
            None => {
                let unborn = repo.head().map(|h| h.is_unborn()).unwrap_or(false);
                if unborn {
                    return Ok((None, Vec::new()));
                }
                (resolve(repo, "HEAD")?, None)
            }
        },
    };
    let order = CommitTimeOrder::NewestFirst;
    let sorting = match opts.since {
        Some(seconds) => Sorting::ByCommitTimeCutoff { order, seconds },
        None => Sorting::ByCommitTime(order),
    };
    let mut platform = repo.rev_walk([tip]).sorting(sorting);
    if let Some(base) = hidden {
        platform = platform.with_hidden([base]);
    }
    let walk = platform.all().map_err(|e| GitError::Walk(e.to_string()))?;
    let limit = opts.max_commits.unwrap_or(usize::MAX);
    let mut ids = Vec::new();
    for info in walk {
        if ids.len() >= limit {
            break;
        }
        let info = info.map_err(|e| GitError::Walk(e.to_string()))?;
        ids.push(info.id);
    }
    Ok((Some(tip), ids))
}

/// Per-thread reusable buffers.
#[derive(Default)]
struct Scratch {
    state: gix::diff::tree::State,
    old_tree: Vec<u8>,
    new_tree: Vec<u8>,
}

fn mine_commit<S: ChangeScanner>(
    repo: &gix::Repository,
    id: ObjectId,
    scanner: &S,
    scratch: &mut Scratch,
) -> Result<Commit<S::Hits>, Skipped> {
    let hex = id.to_hex().to_string();
    let fail = |step: &'static str, error: ObjectError| Skipped::Commit {
        commit: hex.clone(),
        step,
        error,
    };
    let kind = repo.object_hash();
    let obj = repo.find_object(id).map_err(|e| fail("read", git(e)))?;
    let c = CommitRef::from_bytes(&obj.data, kind).map_err(|e| fail("parse", git(e)))?;
    let author = c.author().map_err(|e| fail("author", git(e)))?;
    let committer = c.committer().map_err(|e| fail("committer", git(e)))?;
    let (author_time, author_offset_minutes) = sig_time(&author);
    let (commit_time, commit_offset_minutes) = sig_time(&committer);
    let parents: Vec<ObjectId> = c.parents().collect();
    let signed = c
        .extra_headers
        .iter()
        .any(|(k, _)| *k == "gpgsig" || *k == "gpgsig-sha256");
    let msg: &[u8] = c.message.as_ref();
    let message = String::from_utf8_lossy(msg.get(..MAX_MESSAGE).unwrap_or(msg)).into_owned();
    let is_merge = parents.len() > 1;
    let files = if is_merge {
        Vec::new()
    } else {
        let tree = c.tree();
        let parent_tree = match parents.first() {
            Some(p) => Some(commit_tree(repo, *p).map_err(|e| {
                if repo.is_shallow().unwrap_or(false) {
                    Skipped::ShallowParent(hex.clone())
                } else {
                    fail("parent", e)
                }
            })?),
            None => None,
        };
        let mut files =
            diff_trees(repo, parent_tree, tree, scanner, scratch).map_err(|e| fail("diff", e))?;
        add_siblings(repo, tree, scanner, &mut files);
        add_references(repo, tree, scanner, &mut files);
        files
    };
    Ok(Commit {
        id: hex.clone(),
        parents: parents.iter().map(|p| p.to_hex().to_string()).collect(),
        author: identity(&author),
        committer: identity(&committer),
        author_time,
        author_offset_minutes,
        commit_time,
        commit_offset_minutes,
        message,
        signed,
        files,
        is_merge,
    })
}

fn commit_tree(repo: &gix::Repository, id: ObjectId) -> Result<ObjectId, ObjectError> {
    let obj = repo.find_object(id).map_err(git)?;
    let c = CommitRef::from_bytes(&obj.data, repo.object_hash()).map_err(git)?;
    Ok(c.tree())
}

fn read_tree(repo: &gix::Repository, id: ObjectId, buf: &mut Vec<u8>) -> Result<(), ObjectError> {
    let obj = repo.find_object(id).map_err(git)?;
    if obj.kind != gix::objs::Kind::Tree {
        return Err(ObjectError::NotATree(id));
    }
    buf.clear();
    buf.extend_from_slice(&obj.data);
    Ok(())
}

/// Category of an entry for type-change detection (mode 644 vs 755 is not a type change).
fn category(mode: EntryMode) -> u8 {
    if mode.is_tree() {
        0
    } else if mode.is_link() {
        2
    } else if mode.is_commit() {
        3
    } else {
        1
    }
}

fn diff_trees<S: ChangeScanner>(
    repo: &gix::Repository,
    old: Option<ObjectId>,
    new: ObjectId,
    scanner: &S,
    scratch: &mut Scratch,
) -> Result<Vec<FileChange<S::Hits>>, ObjectError> {
    use gix::diff::tree::recorder::Change;
    let kind = repo.object_hash();
    match old {
        Some(o) => read_tree(repo, o, &mut scratch.old_tree)?,
        None => scratch.old_tree.clear(),
    }
    read_tree(repo, new, &mut scratch.new_tree)?;
    let mut recorder = gix::diff::tree::Recorder::default();
    gix::diff::tree(
        TreeRefIter::from_bytes(&scratch.old_tree, kind),
        TreeRefIter::from_bytes(&scratch.new_tree, kind),
        &mut scratch.state,
        &repo.objects,
        &mut recorder,
    )
    .map_err(git)?;

    let mut out = Vec::new();
    for change in recorder.records {
        let (path, kind, old, new) = match change {
            Change::Addition {
                entry_mode,
                oid,
                path,
                ..
            } => (path, ChangeKind::Added, None, Some((entry_mode, oid))),
            Change::Deletion {
                entry_mode,
                oid,
                path,
                ..
            } => (path, ChangeKind::Deleted, Some((entry_mode, oid)), None),
            Change::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
                path,
            } => {
                let (a, b) = (category(previous_entry_mode), category(entry_mode));
                let kind = if a == b {
                    ChangeKind::Modified
                } else {
                    ChangeKind::TypeChanged
                };
                (
                    path,
                    kind,
                    Some((previous_entry_mode, previous_oid)),
                    Some((entry_mode, oid)),
                )
            }
        };
        // Trees are walked into by gix; a file replaced by a directory (or back) shows as the
        // file's deletion or addition, like git.
        let old = old.filter(|(m, _)| !m.is_tree());
        let new = new.filter(|(m, _)| !m.is_tree());
        let kind = match (&old, &new) {
            (None, None) => continue,
            (None, Some(_)) => ChangeKind::Added,
            (Some(_), None) => ChangeKind::Deleted,
            (Some(_), Some(_)) => kind,
        };
        out.push(file_change(
            repo,
            scanner,
            path.to_str_lossy().into_owned(),
            kind,
            old,
            new,
        )?);
    }
    Ok(out)
}

/// One side's content for numstat.
struct Side {
    data: Vec<u8>,
    size: Option<u64>,
    too_large: bool,
}

fn side(repo: &gix::Repository, entry: Option<(EntryMode, ObjectId)>) -> Result<Side, ObjectError> {
    let Some((mode, oid)) = entry else {
        return Ok(Side {
            data: Vec::new(),
            size: None,
            too_large: false,
        });
    };
    if mode.is_commit() {
        // git diffs submodules as the text "Subproject commit <id>\n".
        return Ok(Side {
            data: format!("Subproject commit {}\n", oid.to_hex()).into_bytes(),
            size: None,
            too_large: false,
        });
    }
    let blob = |e: &dyn std::fmt::Display| ObjectError::Blob {
        oid,
        message: e.to_string(),
    };
    let header = repo.find_header(oid).map_err(|e| blob(&e))?;
    let size = header.size();
    if size > MAX_DIFF_BLOB {
        return Ok(Side {
            data: Vec::new(),
            size: Some(size),
            too_large: true,
        });
    }
    let obj = repo.find_object(oid).map_err(|e| blob(&e))?;
    Ok(Side {
        data: obj.detach().data,
        size: Some(size),
        too_large: false,
    })
}

fn is_binary(data: &[u8]) -> bool {
    data.get(..BINARY_PROBE).unwrap_or(data).contains(&0)
}

fn count_lines(data: &[u8]) -> u32 {
    let newlines = data.iter().filter(|b| **b == b'\n').count();
    let last = usize::from(data.last().is_some_and(|b| *b != b'\n'));
    u32::try_from(newlines + last).unwrap_or(u32::MAX)
}

fn file_change<S: ChangeScanner>(
    repo: &gix::Repository,
    scanner: &S,
    path: String,
    kind: ChangeKind,
    old: Option<(EntryMode, ObjectId)>,
    new: Option<(EntryMode, ObjectId)>,
) -> Result<FileChange<S::Hits>, ObjectError> {
    let mode_exec = new
        .or(old)
        .is_some_and(|(m, _)| m.kind() == gix::objs::tree::EntryKind::BlobExecutable);
    let same = matches!((old, new), (Some((_, a)), Some((_, b))) if a == b);
    let a = side(repo, old)?;
    let b = side(repo, new)?;
    let too_large = a.too_large || b.too_large;
    let binary = !too_large && (is_binary(&a.data) || is_binary(&b.data));
    let mut hunks = Vec::new();
    let (added, removed) = if too_large || binary || same {
        (0, 0)
    } else if a.data.is_empty() {
        let n = count_lines(&b.data);
        hunks.push(Hunk {
            old_start: 0,
            old_len: 0,
            new_start: 1,
            new_len: n,
        });
        (n, 0)
    } else if b.data.is_empty() {
        (0, count_lines(&a.data))
    } else {
        let input = InternedInput::new(a.data.as_slice(), b.data.as_slice());
        let diff = Diff::compute(Algorithm::Myers, &input);
        for h in diff.hunks().take(MAX_HUNKS) {
            let old_len = h.before.end - h.before.start;
            let new_len = h.after.end - h.after.start;
            hunks.push(Hunk {
                old_start: if old_len == 0 {
                    h.before.start
                } else {
                    h.before.start + 1
                },
                old_len,
                new_start: if new_len == 0 {
                    h.after.start
                } else {
                    h.after.start + 1
                },
                new_len,
            });
        }
        (diff.count_additions(), diff.count_removals())
    };
    // The caller's content scan of text changes (deleted files are judged by path).
    let hits = if hunks.is_empty() || b.data.is_empty() {
        S::Hits::default()
    } else {
        scanner.scan(&TextChange {
            path: &path,
            old: &a.data,
            new: &b.data,
            hunks: &hunks,
        })
    };
    Ok(FileChange {
        path,
        old_path: None,
        kind,
        added,
        removed,
        binary,
        too_large,
        old_size: a.size,
        new_size: b.size,
        mode_exec,
        siblings: 0,
        sibling_median_size: None,
        references: None,
        hits,
    })
}

/// Binary/opaque changes per commit for which sibling sizes are looked up.
const MAX_SIBLING_LOOKUPS: usize = 32;

/// Fill [`FileChange::siblings`] and [`FileChange::sibling_median_size`] for the additions and
/// rewrites the scanner asks about (binary or opaque files), from the commit's tree.
fn add_siblings<S: ChangeScanner>(
    repo: &gix::Repository,
    tree: ObjectId,
    scanner: &S,
    files: &mut [FileChange<S::Hits>],
) {
    let mut dirs: HashMap<String, Vec<(Vec<u8>, u64)>> = HashMap::new();
    let mut lookups = 0;
    for f in files.iter_mut() {
        let wanted = matches!(f.kind, ChangeKind::Added | ChangeKind::Modified)
            && scanner.wants_siblings(&f.path, f.binary);
        if !wanted || lookups >= MAX_SIBLING_LOOKUPS {
            continue;
        }
        lookups += 1;
        let (dir, name) = f.path.rsplit_once('/').unwrap_or(("", f.path.as_str()));
        let entries = dirs
            .entry(dir.to_string())
            .or_insert_with(|| dir_blob_sizes(repo, tree, dir).unwrap_or_default());
        let mut sizes: Vec<u64> = entries
            .iter()
            .filter(|(n, _)| n.as_slice() != name.as_bytes())
            .map(|(_, s)| *s)
            .collect();
        if sizes.is_empty() {
            continue;
        }
        sizes.sort_unstable();
        f.siblings = u32::try_from(sizes.len()).unwrap_or(u32::MAX);
        f.sibling_median_size = sizes.get(sizes.len() / 2).copied();
    }
}

/// Changes per commit whose references are searched.
const MAX_REFERENCE_LOOKUPS: usize = 16;
/// Tree entries visited per commit by the reference search at most.
const MAX_REFERENCE_ENTRIES: usize = 200_000;
/// Referrer bytes read per commit at most; past it the search gives up (nothing is known).
const MAX_REFERENCE_BYTES: u64 = 64 << 20;
/// Referrers larger than this are not read.
const MAX_REFERRER_BLOB: u64 = 1 << 20;
/// A stem shorter than this is too common to mean a reference.
const MIN_STEM: usize = 4;

/// The name and, when specific enough, the stem (the name without its extensions) of `path`.
fn reference_terms(path: &str) -> Vec<String> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let mut terms = vec![name.to_string()];
    let stem = name.split('.').next().unwrap_or("");
    if stem.len() >= MIN_STEM && stem != name {
        terms.push(stem.to_string());
    }
    terms
}

/// Fill [`FileChange::references`] for the changes the scanner asks about: walk the commit's
/// tree for referrers ([`ChangeScanner::is_referrer`]), read them nearest first (sharing the
/// longest directory prefix with a wanted file), and record the first that names each file.
/// Bounded by [`MAX_REFERENCE_ENTRIES`], [`MAX_REFERENCE_BYTES`] and [`MAX_REFERRER_BLOB`]; a
/// search cut short leaves `None` for the files it did not settle.
fn add_references<S: ChangeScanner>(
    repo: &gix::Repository,
    tree: ObjectId,
    scanner: &S,
    files: &mut [FileChange<S::Hits>],
) {
    let wanted: Vec<usize> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| {
            matches!(f.kind, ChangeKind::Added | ChangeKind::Modified)
                && scanner.wants_references(&f.path, f.binary)
        })
        .map(|(i, _)| i)
        .take(MAX_REFERENCE_LOOKUPS)
        .collect();
    if wanted.is_empty() {
        return;
    }
    let targets: Vec<(usize, String, Vec<String>)> = wanted
        .iter()
        .filter_map(|&i| {
            files
                .get(i)
                .map(|f| (i, f.path.clone(), reference_terms(&f.path)))
        })
        .collect();
    // Every referrer of the tree (path, blob id).
    let kind = repo.object_hash();
    let mut referrers: Vec<(String, ObjectId)> = Vec::new();
    let mut stack: Vec<(String, ObjectId)> = vec![(String::new(), tree)];
    let mut visited = 0usize;
    let mut complete = true;
    while let Some((prefix, id)) = stack.pop() {
        let Ok(obj) = repo.find_object(id) else {
            complete = false;
            continue;
        };
        let data = obj.detach().data;
        for e in TreeRefIter::from_bytes(&data, kind) {
            let Ok(e) = e else {
                complete = false;
                break;
            };
            visited += 1;
            if visited > MAX_REFERENCE_ENTRIES {
                complete = false;
                break;
            }
            let name = e.filename.to_str_lossy();
            let path = if prefix.is_empty() {
                name.into_owned()
            } else {
                format!("{prefix}/{name}")
            };
            if e.mode.is_tree() {
                stack.push((path, e.oid.to_owned()));
            } else if e.mode.is_blob() && scanner.is_referrer(&path) {
                referrers.push((path, e.oid.to_owned()));
            }
        }
    }
    // Nearest first: the longest directory prefix shared with a wanted file.
    let shared = |p: &str| {
        targets
            .iter()
            .map(|(_, t, _)| {
                p.split('/')
                    .zip(t.split('/'))
                    .take_while(|(a, b)| a == b)
                    .count()
            })
            .max()
            .unwrap_or(0)
    };
    referrers.sort_by_cached_key(|(p, _)| (std::cmp::Reverse(shared(p)), p.clone()));
    let mut found: Vec<Option<String>> = vec![None; targets.len()];
    let mut read = 0u64;
    let mut searched = 0u32;
    for (path, id) in &referrers {
        if found.iter().all(Option::is_some) {
            break;
        }
        if targets.iter().any(|(_, t, _)| t == path) {
            continue;
        }
        let Ok(h) = repo.find_header(*id) else {
            continue;
        };
        if h.size() > MAX_REFERRER_BLOB {
            continue;
        }
        if read + h.size() > MAX_REFERENCE_BYTES {
            complete = false;
            break;
        }
        let Ok(obj) = repo.find_object(*id) else {
            continue;
        };
        read += h.size();
        let data = &obj.data;
        if data.get(..BINARY_PROBE).unwrap_or(data).contains(&0) {
            continue; // binary
        }
        searched += 1;
        for ((_, _, terms), slot) in targets.iter().zip(found.iter_mut()) {
            if slot.is_none() && terms.iter().any(|t| data.find(t.as_bytes()).is_some()) {
                *slot = Some(path.clone());
            }
        }
    }
    for ((i, _, terms), by) in targets.into_iter().zip(found) {
        if let Some(f) = files.get_mut(i) {
            f.references = (by.is_some() || complete).then_some(References {
                by,
                searched,
                terms,
            });
        }
    }
}

/// Names and sizes of the blobs directly in directory `dir` of `tree` (at most
/// [`crate::MAX_SIBLINGS`]).
fn dir_blob_sizes(
    repo: &gix::Repository,
    tree: ObjectId,
    dir: &str,
) -> Option<Vec<(Vec<u8>, u64)>> {
    let kind = repo.object_hash();
    let mut data = repo.find_object(tree).ok()?.detach().data;
    for comp in dir.split('/').filter(|c| !c.is_empty()) {
        let mut next = None;
        for e in TreeRefIter::from_bytes(&data, kind) {
            let e = e.ok()?;
            if e.filename == comp.as_bytes() && e.mode.is_tree() {
                next = Some(e.oid.to_owned());
                break;
            }
        }
        data = repo.find_object(next?).ok()?.detach().data;
    }
    let mut out = Vec::new();
    for e in TreeRefIter::from_bytes(&data, kind) {
        let Ok(e) = e else { break };
        if !e.mode.is_blob() {
            continue;
        }
        if out.len() >= crate::MAX_SIBLINGS {
            break;
        }
        if let Ok(h) = repo.find_header(e.oid) {
            out.push((e.filename.to_vec(), h.size()));
        }
    }
    Some(out)
}
