//! Measure the content scanner on a repository:
//! `content_scan <repo> [--tree | --commits N] [--threads N] [--show KIND|all] [--limit N]`.
//!
//! `--tree` scans every text file of `HEAD` as if it were added in one commit; `--commits N`
//! (default 2000) mines the newest N commits with garrison-git (merges have no file list) and
//! scans every changed text file. Prints hits per kind, the number of commits (or files, with
//! `--tree`) with at least one hit of each kind, and scanner throughput. `--show KIND` prints
//! the hits of one kind (`all` for every kind).
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use garrison_git::tree::{TreeEntryKind, TreeLimits, read_tree};
use garrison_git::{ChangeScanner, MineOptions, TextChange};
use garrison_history::{ContentHit, HitKind, Hunk, classify, scan_change};

struct FileHits {
    path: String,
    hits: Vec<ContentHit>,
}

#[derive(Default)]
struct UnitResult {
    id: String,
    files: Vec<FileHits>,
}

/// The content scan with its time and input size measured.
#[derive(Default)]
struct Timed {
    bytes: AtomicU64,
    nanos: AtomicU64,
}

impl ChangeScanner for Timed {
    type Hits = Vec<ContentHit>;

    fn version(&self) -> u64 {
        0
    }

    fn scan(&self, c: &TextChange<'_>) -> Vec<ContentHit> {
        let t = Instant::now();
        let hits = scan_change(c.path, classify(c.path), c.old, c.new, c.hunks);
        let nanos = u64::try_from(t.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
        self.bytes
            .fetch_add((c.old.len() + c.new.len()) as u64, Ordering::Relaxed);
        hits
    }
}

fn fail(e: &dyn std::fmt::Display) -> ! {
    eprintln!("error: {e}");
    std::process::exit(1);
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
    let timed = Timed::default();
    let start = Instant::now();
    let results: Vec<UnitResult> = if tree {
        let t = read_tree(&repo, "HEAD", &TreeLimits::default()).unwrap_or_else(|e| fail(&e));
        let files = t
            .files
            .into_iter()
            .filter(|f| matches!(f.kind, TreeEntryKind::File | TreeEntryKind::Executable))
            .filter_map(|f| {
                let data = f.data?;
                if data.is_empty() || data.get(..8000).unwrap_or(&data).contains(&0) {
                    return None;
                }
                let lines = data.iter().filter(|b| **b == b'\n').count() + 1;
                let hunks = [Hunk {
                    old_start: 0,
                    old_len: 0,
                    new_start: 1,
                    new_len: u32::try_from(lines).unwrap_or(u32::MAX),
                }];
                let change = TextChange {
                    path: &f.path,
                    old: &[],
                    new: &data,
                    hunks: &hunks,
                };
                let hits = timed.scan(&change);
                Some(FileHits { path: f.path, hits })
            })
            .collect();
        vec![UnitResult {
            id: t.commit,
            files,
        }]
    } else {
        let opts = MineOptions {
            max_commits: Some(commits),
            threads,
            ..MineOptions::default()
        };
        let h = garrison_git::mine(&repo, &opts, &timed).unwrap_or_else(|e| fail(&e));
        h.commits
            .into_iter()
            .filter(|c| !c.is_merge)
            .map(|c| UnitResult {
                id: c.id,
                files: c
                    .files
                    .into_iter()
                    .filter(|f| !f.binary && !f.too_large)
                    .map(|f| FileHits {
                        path: f.path,
                        hits: f.hits,
                    })
                    .collect(),
            })
            .collect()
    };
    let wall = start.elapsed();
    let bytes = timed.bytes.load(Ordering::Relaxed);
    let scan = Duration::from_nanos(timed.nanos.load(Ordering::Relaxed));

    // Per kind: hits, and units (commits, or files with --tree) with at least one such hit.
    let mut per_kind: BTreeMap<HitKind, (usize, usize)> = BTreeMap::new();
    let mut any = 0usize;
    let mut files_scanned = 0usize;
    for r in &results {
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
    for k in HitKind::all() {
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
