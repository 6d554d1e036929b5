//! Every audit over the real workflows of the scientific Python corpus
//! (`/work/shared/data/repos/<owner>__<repo>/`): no panic and no parse error for any repository.
//! Skipped when the corpus is not present.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use garrison_actions::{Repo, run};

fn corpus() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/repos"
    ))
    .to_path_buf()
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(root, &p, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

/// Loads every repository of the corpus (empty when the corpus is missing).
fn repos() -> Vec<(String, Repo)> {
    let root = corpus();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.retain(|d| d.is_dir());
    dirs.sort();
    dirs.into_iter()
        .map(|d| {
            let mut files = Vec::new();
            walk(&d, &d, &mut files);
            let name = d.file_name().unwrap().to_string_lossy().to_string();
            (name, Repo::load(&d, files.iter().map(String::as_str)))
        })
        .collect()
}

#[test]
fn every_audit_runs_on_the_corpus() {
    let repos = repos();
    if repos.is_empty() {
        return;
    }
    for (name, repo) in &repos {
        assert!(repo.errors.is_empty(), "{name}: {:?}", repo.errors);
        let _ = run(repo, &|_| true);
    }
}

/// `cargo test -p garrison-actions --test corpus -- --ignored --nocapture summary` prints
/// every finding of the corpus, for reviewing false positives by eye.
#[test]
#[ignore = "prints the corpus findings for manual review"]
#[allow(clippy::print_stderr)]
fn summary() {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for (name, repo) in repos() {
        for f in run(&repo, &|_| true) {
            *counts.entry(f.rule.clone()).or_default() += 1;
            let at = f.primary().map(|l| l.display()).unwrap_or_default();
            eprintln!(
                "{name}/{at} {}/{} [{}] {}",
                f.severity, f.confidence, f.rule, f.message
            );
        }
    }
    for (rule, n) in counts {
        eprintln!("{rule}: {n}");
    }
}
