//! Measure the content scanner on a repository:
//! `content_scan <repo> [--tree | --commits N] [--threads N] [--show KIND|all] [--limit N]`.
//!
//! `--tree` scans every text file of `HEAD` as if it were added in one commit; `--commits N`
//! (default 2000) diffs each of the newest N non-merge commits against its parent with
//! imara-diff and scans every changed text file. Prints hits per kind, the number of commits
//! (or files, with `--tree`) with at least one hit of each kind, and scanner throughput.
//! `--show KIND` prints the hits of one kind (`all` for every kind).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use garrison_history::{ContentHit, HitKind, Hunk, classify, scan_change};
use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::{CommitRef, TreeRefIter};
use imara_diff::{Algorithm, Diff, InternedInput};
use rayon::prelude::*;

const MAX_BLOB: u64 = 16 * 1024 * 1024;

struct FileHits {
    path: String,
    hits: Vec<ContentHit>,
}

#[derive(Default)]
struct UnitResult {
    id: String,
    files: Vec<FileHits>,
    bytes: u64,
    scan_time: Duration,
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut repo = PathBuf::from(".");
    let mut tree = false;
    let mut commits = 2000usize;
    let mut threads = 0usize;
    let mut show: Option<String> = None;
    let mut limit = 50usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--tree" => tree = true,
            "--commits" => commits = args.next().and_then(|v| v.parse().ok()).unwrap_or(2000),
            "--threads" => threads = args.next().and_then(|v| v.parse().ok()).unwrap_or(0),
            "--show" => show = args.next(),
            "--limit" => limit = args.next().and_then(|v| v.parse().ok()).unwrap_or(50),
            _ => repo = PathBuf::from(a),
        }
    }
    let ts = match gix::open(&repo) {
        Ok(r) => r.into_sync(),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let local = ts.to_thread_local();
    let head = match local.head_commit() {
        Ok(c) => c.id,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let units: Vec<(ObjectId, bool)> = if tree {
        vec![(head, true)]
    } else {
        let walk = match local.rev_walk([head]).all() {
            Ok(w) => w,
            Err(e) => {
                eprintln!("error: {e}");
                std::process::exit(1);
            }
        };
        walk.filter_map(Result::ok)
            .filter(|i| i.parent_ids.len() <= 1)
            .take(commits)
            .map(|i| (i.id, false))
            .collect()
    };
    let pool = match rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let start = Instant::now();
    let results: Vec<UnitResult> = pool.install(|| {
        units
            .par_iter()
            .map_init(
                || {
                    let mut r = ts.to_thread_local();
                    r.object_cache_size_if_unset(8 * 1024 * 1024);
                    r
                },
                |r, (id, whole_tree)| scan_commit(r, *id, *whole_tree).unwrap_or_default(),
            )
            .collect()
    });
    let wall = start.elapsed();

    // Per kind: hits, and units (commits, or files with --tree) with at least one such hit.
    let mut per_kind: BTreeMap<HitKind, (usize, usize)> = BTreeMap::new();
    let mut any = 0usize;
    let (mut bytes, mut scan) = (0u64, Duration::ZERO);
    let mut files_scanned = 0usize;
    for r in &results {
        bytes += r.bytes;
        scan += r.scan_time;
        files_scanned += r.files.len();
        let mut commit_kinds: BTreeSet<HitKind> = BTreeSet::new();
        for f in &r.files {
            let file_kinds: BTreeSet<HitKind> = f.hits.iter().map(|h| h.kind).collect();
            for h in &f.hits {
                per_kind.entry(h.kind).or_default().0 += 1;
            }
            if tree {
                any += usize::from(!file_kinds.is_empty());
                for k in &file_kinds {
                    per_kind.entry(*k).or_default().1 += 1;
                }
            }
            commit_kinds.extend(file_kinds);
        }
        if !tree {
            any += usize::from(!commit_kinds.is_empty());
            for k in commit_kinds {
                per_kind.entry(k).or_default().1 += 1;
            }
        }
    }
    let unit = if tree { "files" } else { "commits" };
    println!(
        "{} commits, {files_scanned} text file changes, {:.1} MB of file content, scanner {:.2}s CPU ({:.0} MB/s per thread), wall {:.2}s",
        results.len(),
        bytes as f64 / 1e6,
        scan.as_secs_f64(),
        bytes as f64 / 1e6 / scan.as_secs_f64().max(1e-9),
        wall.as_secs_f64()
    );
    let units = if tree { files_scanned } else { results.len() };
    println!(
        "{unit} with any hit: {any} of {units} ({:.2}%)",
        100.0 * any as f64 / units.max(1) as f64
    );
    println!("{:<28} {:>8} {:>10}", "kind", "hits", unit);
    for k in HitKind::ALL {
        let (h, u) = per_kind.get(&k).copied().unwrap_or_default();
        println!("{:<28} {h:>8} {u:>10}", k.as_str());
    }
    if let Some(kind) = show {
        let mut n = 0usize;
        for r in &results {
            for f in &r.files {
                for h in &f.hits {
                    if (kind == "all" || h.kind.as_str() == kind) && n < limit {
                        n += 1;
                        println!(
                            "{} {}:{}{} [{}] {} | {}",
                            r.id.get(..10).unwrap_or(&r.id),
                            f.path,
                            h.line,
                            if h.removed { "(-)" } else { "" },
                            h.kind.as_str(),
                            h.detail,
                            h.excerpt
                        );
                    }
                }
            }
        }
    }
}

fn tree_of(repo: &gix::Repository, id: ObjectId) -> Option<(ObjectId, Vec<ObjectId>)> {
    let obj = repo.find_object(id).ok()?;
    let c = CommitRef::from_bytes(&obj.data, repo.object_hash()).ok()?;
    Some((c.tree(), c.parents().collect()))
}

fn read_tree(repo: &gix::Repository, id: Option<ObjectId>) -> Vec<u8> {
    id.and_then(|id| repo.find_object(id).ok())
        .map(|o| o.detach().data)
        .unwrap_or_default()
}

fn blob(
    repo: &gix::Repository,
    entry: Option<(gix::objs::tree::EntryMode, ObjectId)>,
) -> Option<Vec<u8>> {
    let Some((mode, oid)) = entry else {
        return Some(Vec::new());
    };
    if !mode.is_blob() {
        return None;
    }
    let header = repo.find_header(oid).ok()?;
    if header.size() > MAX_BLOB {
        return None;
    }
    Some(repo.find_object(oid).ok()?.detach().data)
}

fn scan_commit(repo: &gix::Repository, id: ObjectId, whole_tree: bool) -> Option<UnitResult> {
    use gix::diff::tree::recorder::Change;
    let (tree, parents) = tree_of(repo, id)?;
    let old_tree = if whole_tree {
        None
    } else {
        match parents.first() {
            Some(p) => Some(tree_of(repo, *p)?.0),
            None => None,
        }
    };
    let kind = repo.object_hash();
    let old_buf = read_tree(repo, old_tree);
    let new_buf = read_tree(repo, Some(tree));
    let mut state = gix::diff::tree::State::default();
    let mut recorder = gix::diff::tree::Recorder::default();
    gix::diff::tree(
        TreeRefIter::from_bytes(&old_buf, kind),
        TreeRefIter::from_bytes(&new_buf, kind),
        &mut state,
        &repo.objects,
        &mut recorder,
    )
    .ok()?;
    let mut out = UnitResult {
        id: id.to_hex().to_string(),
        ..UnitResult::default()
    };
    for change in recorder.records {
        let (path, old, new) = match change {
            Change::Addition {
                entry_mode,
                oid,
                path,
                ..
            } => (path, None, Some((entry_mode, oid))),
            Change::Deletion {
                entry_mode,
                oid,
                path,
                ..
            } => (path, Some((entry_mode, oid)), None),
            Change::Modification {
                previous_entry_mode,
                previous_oid,
                entry_mode,
                oid,
                path,
            } => (
                path,
                Some((previous_entry_mode, previous_oid)),
                Some((entry_mode, oid)),
            ),
        };
        if old.is_some_and(|(m, _)| m.is_tree()) || new.is_some_and(|(m, _)| m.is_tree()) {
            continue;
        }
        let (Some(a), Some(b)) = (blob(repo, old), blob(repo, new)) else {
            continue;
        };
        let binary = |d: &[u8]| d.get(..8000).unwrap_or(d).contains(&0);
        if binary(&a) || binary(&b) {
            continue;
        }
        let path = path.to_str_lossy().into_owned();
        let input = InternedInput::new(a.as_slice(), b.as_slice());
        let mut diff = Diff::compute(Algorithm::Histogram, &input);
        diff.postprocess_lines(&input);
        let hunks: Vec<Hunk> = diff
            .hunks()
            .map(|h| Hunk {
                old_start: if h.before.is_empty() {
                    h.before.start
                } else {
                    h.before.start + 1
                },
                old_len: h.before.end - h.before.start,
                new_start: if h.after.is_empty() {
                    h.after.start
                } else {
                    h.after.start + 1
                },
                new_len: h.after.end - h.after.start,
            })
            .collect();
        let t = Instant::now();
        let hits = scan_change(&path, classify(&path), &a, &b, &hunks);
        out.scan_time += t.elapsed();
        out.bytes += (a.len() + b.len()) as u64;
        out.files.push(FileHits { path, hits });
    }
    Some(out)
}
