//! Reads every dependency file of the real-world corpus (`../shared/data/repos`) through
//! `detect` + `read`: no panics, counts per format, and no errors except the explained ones.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use garrison_python::{Format, detect, read};

fn corpus() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/repos"
    ))
    .to_path_buf()
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.file_name().is_some_and(|n| n == ".git") {
            continue;
        }
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn corpus_reads_without_errors() {
    let root = corpus();
    if !garrison_test::require::precondition(
        root.is_dir(),
        "the shared corpus (../shared/data/repos)",
    ) {
        return;
    }
    let mut all = Vec::new();
    files(&root, &mut all);
    all.sort();
    let mut counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for p in all {
        let rel = p
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        // Paths relative to each repository, as a scan of that repository would give them.
        let in_repo = rel.split_once('/').map_or(rel.as_str(), |(_, r)| r);
        let Some(format) = detect(in_repo) else {
            continue;
        };
        let text = std::fs::read_to_string(&p).unwrap();
        let t = Instant::now();
        let m = read(in_repo, &text).unwrap();
        let elapsed = t.elapsed();
        if format == Format::PixiLock {
            eprintln!(
                "{rel}: {} deps, {} bytes in {elapsed:?}",
                m.deps.len(),
                text.len()
            );
        }
        let src = garrison_source::SourceFile::new(text.as_str());
        for d in &m.deps {
            let k = format!(
                "{format:?} {:?} {:?}{}{}",
                d.ecosystem,
                d.kind,
                if matches!(d.version, Some(garrison_python::VersionRef::Raw(_))) {
                    " raw-version"
                } else {
                    ""
                },
                if d.url.is_some() { " url" } else { "" }
            );
            *kinds.entry(k).or_default() += 1;
            assert!(!d.name.as_str().is_empty(), "{rel}: empty name");
            assert!(
                d.span.start_offset < d.span.end_offset,
                "{rel}: empty span for {}",
                d.name
            );
            // The span points at the entry: its text names the package.
            let spanned = text.get(d.span.start_offset..d.span.end_offset).unwrap();
            assert!(
                fold(spanned).contains(&fold(d.name.as_str())),
                "{rel}: span `{spanned}` does not name {}",
                d.name
            );
            let line = src.line_of(d.span.start_offset);
            assert_eq!(
                d.span.start_line as usize, line,
                "{rel}: span line of {}",
                d.name
            );
        }
        if format == Format::Requirements {
            // Following includes from every file reads the whole tree without errors.
            let repo = root.join(rel.split('/').next().unwrap());
            let tree = garrison_python::read_tree(&repo, in_repo, |r| {
                std::fs::read_to_string(repo.join(r)).ok()
            });
            for t in &tree {
                for e in &t.errors {
                    errors.push(format!("{rel} (tree): {e}"));
                }
            }
        }
        let c = counts.entry(format!("{format:?}")).or_default();
        c.0 += 1;
        c.1 += m.deps.len();
        for e in &m.errors {
            errors.push(format!("{rel}: {e}"));
        }
    }
    for (f, (n, d)) in &counts {
        eprintln!("{f}: {n} files, {d} deps");
    }
    for (k, n) in &kinds {
        eprintln!("  {k}: {n}");
    }
    for e in &errors {
        eprintln!("error: {e}");
    }
    // Every format present in the corpus is read.
    for f in [
        "Requirements",
        "Pyproject",
        "UvLock",
        "Pylock",
        "PixiLock",
        "CondaEnvironment",
    ] {
        assert!(
            counts.get(f).is_some_and(|c| c.1 > 0),
            "no {f} dependencies read"
        );
    }
    assert!(errors.is_empty(), "{} unexpected errors", errors.len());
}

/// Lowercase with runs of `-`, `_` and `.` as one `-` (PEP 503's folding, applied to any text).
fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}
