//! Runs the rules over the real repositories in `shared/data/repos` (skipped when absent):
//! no panics, no parse errors, and an ignored listing of every finding for review.
#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use garrison_actions::repo::Repo;
use garrison_actions::run;

fn data() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/repos"
    ))
    .to_path_buf()
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(root, &p, out, depth + 1);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn repos() -> Vec<(String, Repo)> {
    let Ok(rd) = std::fs::read_dir(data()) else {
        return Vec::new();
    };
    let mut dirs: Vec<_> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|d| {
            let mut files = Vec::new();
            walk(&d, &d, &mut files, 0);
            let name = d.file_name().unwrap().to_string_lossy().to_string();
            (name, Repo::load(&d, files.iter().map(String::as_str)))
        })
        .collect()
}

#[test]
fn corpus_parses_and_runs() {
    for (name, repo) in repos() {
        assert!(repo.errors.is_empty(), "{name}: {:?}", repo.errors);
        let _ = run(&repo, &|_| true);
    }
}

/// `RULES=workflow/unpinned-uses cargo test --test corpus_b -- --ignored --nocapture`
#[test]
#[ignore = "prints every finding for manual review"]
fn corpus_listing() {
    let filter = std::env::var("RULES").unwrap_or_default();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (name, repo) in repos() {
        let findings = run(&repo, &|id| {
            filter.is_empty() || filter.split(',').any(|f| f == id)
        });
        for f in findings {
            *counts
                .entry(format!("{} {}/{}", f.rule, f.severity, f.confidence))
                .or_default() += 1;
            let at = f.primary().map(|l| l.display()).unwrap_or_default();
            println!(
                "{name}/{at} {} {}/{} {}",
                f.rule, f.severity, f.confidence, f.message
            );
        }
    }
    for (k, v) in counts {
        println!("COUNT {k}: {v}");
    }
}
