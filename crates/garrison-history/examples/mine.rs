//! Mine a repository and print totals: `mine <repo> [--max-commits N] [--threads N] [--cache DIR] [--numstat]`.
//!
//! `--numstat` prints `git log --numstat --no-renames --format=%H`-shaped output (non-merge
//! commits; merges as a bare id) for differential testing.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use garrison_history::{MineOptions, mine, mine_cached};

fn main() {
    let mut args = std::env::args().skip(1);
    let mut repo = PathBuf::from(".");
    let mut opts = MineOptions::default();
    let mut cache: Option<PathBuf> = None;
    let mut numstat = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--max-commits" => opts.max_commits = args.next().and_then(|v| v.parse().ok()),
            "--threads" => opts.threads = args.next().and_then(|v| v.parse().ok()).unwrap_or(0),
            "--cache" => cache = args.next().map(PathBuf::from),
            "--numstat" => numstat = true,
            _ => repo = PathBuf::from(a),
        }
    }
    let start = Instant::now();
    let res = match &cache {
        Some(dir) => mine_cached(&repo, &opts, dir),
        None => mine(&repo, &opts),
    };
    let history = match res {
        Ok(h) => h,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let elapsed = start.elapsed();
    if numstat {
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        for c in &history.commits {
            let _ = writeln!(out, "{}", c.id);
            if !c.files.is_empty() {
                let _ = writeln!(out);
            }
            for f in &c.files {
                if f.binary {
                    let _ = writeln!(out, "-\t-\t{}", f.path);
                } else {
                    let _ = writeln!(out, "{}\t{}\t{}", f.added, f.removed, f.path);
                }
            }
        }
        return;
    }
    let added: u64 = history
        .commits
        .iter()
        .flat_map(|c| &c.files)
        .map(|f| u64::from(f.added))
        .sum();
    let removed: u64 = history
        .commits
        .iter()
        .flat_map(|c| &c.files)
        .map(|f| u64::from(f.removed))
        .sum();
    println!(
        "commits {} tags {} added {added} removed {removed} warnings {} time {:.3}s",
        history.commits.len(),
        history.tags.len(),
        history.warnings.len(),
        elapsed.as_secs_f64()
    );
    for w in history.warnings.iter().take(5) {
        eprintln!("warning: {w}");
    }
}
