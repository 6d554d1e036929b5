//! Fingerprints key on what a finding is about, not where it sits (issue 11, item 1): a
//! baseline written before an edit must neither resurface old findings after steps, jobs, hook
//! repositories, updates or build requirements move, nor hide a finding whose subject changed.
//! Each case edits a real-looking checkout and compares the fingerprints of two scans, the way
//! `--baseline` does, over the workflow audits, posture and dependency rules together.
#![allow(clippy::unwrap_used)]

use garrison_report::Finding;
use garrison_report::config::Config;
use garrison_scan::{Analyses, ScanOptions, scan_checkout};
use std::collections::BTreeSet;

const WORKFLOW: &str = "name: release
on:
  pull_request_target:
  push:
    tags: ['v*']
permissions:
  contents: write
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - name: Build
        run: echo ${{ github.event.pull_request.title }} && python -m build
      - uses: actions/upload-artifact@v4
        with:
          name: dist
          path: dist
  publish:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_TOKEN }}
";

const PRE_COMMIT: &str = "repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v6.0.0
    hooks:
      - id: check-yaml
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.16.1
    hooks:
      - id: ruff
";

const DEPENDABOT: &str = "version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule:
      interval: weekly
";

const PYPROJECT: &str = "[build-system]
requires = [\"setuptools>=61\", \"wheel\"]
build-backend = \"setuptools.build_meta\"

[project]
name = \"demo\"
version = \"1.0\"
dependencies = [\"requests==2.0.0\", \"urllib3==1.24.1\"]
";

/// The fingerprints of every finding of a scan of a checkout with these files (the others as
/// above), with each finding's route and message for failure messages.
fn scan(workflow: &str, pre_commit: &str, dependabot: &str, pyproject: &str) -> Vec<Finding> {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write(".github/workflows/release.yml", workflow);
    write(".pre-commit-config.yaml", pre_commit);
    write(".github/dependabot.yml", dependabot);
    write("pyproject.toml", pyproject);
    let mut opts = ScanOptions::new(Analyses {
        history: false,
        ..Analyses::ALL
    });
    opts.deps.db = dir.path().join("no-database");
    opts.history_cache = None;
    opts.now = 1_780_000_000;
    let mut report = scan_checkout(dir.path(), &Config::default(), &opts)
        .unwrap()
        .report;
    report.sort();
    report.findings
}

fn prints(findings: &[Finding]) -> BTreeSet<String> {
    findings.iter().map(|f| f.fingerprint.clone()).collect()
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| {
            let route = f
                .primary()
                .and_then(|l| l.route.clone())
                .unwrap_or_default();
            format!("{} {} [{route}] {}", f.fingerprint, f.rule, f.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every finding of `before` is still there (same fingerprint) in `after`.
fn assert_kept(before: &[Finding], after: &[Finding], what: &str) {
    let after_prints = prints(after);
    let lost: Vec<Finding> = before
        .iter()
        .filter(|f| !after_prints.contains(&f.fingerprint))
        .cloned()
        .collect();
    assert!(
        lost.is_empty(),
        "{what}: findings a baseline recorded would resurface as new:\n{}\n--- after:\n{}",
        describe(&lost),
        describe(after)
    );
}

fn base() -> Vec<Finding> {
    scan(WORKFLOW, PRE_COMMIT, DEPENDABOT, PYPROJECT)
}

#[test]
fn the_checkout_has_findings_of_every_family() {
    let families: BTreeSet<String> = base().iter().map(|f| f.family().to_string()).collect();
    for family in ["workflow", "posture", "deps"] {
        assert!(families.contains(family), "{family}: {families:?}");
    }
    // Fingerprints are unique within a report.
    let all = base();
    assert_eq!(prints(&all).len(), all.len(), "{}", describe(&all));
}

#[test]
fn reordering_steps_keeps_every_fingerprint() {
    let swapped = WORKFLOW.replace(
        "      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_TOKEN }}
",
        "      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          password: ${{ secrets.PYPI_TOKEN }}
      - uses: actions/download-artifact@v4
",
    );
    assert_ne!(swapped, WORKFLOW);
    let after = scan(&swapped, PRE_COMMIT, DEPENDABOT, PYPROJECT);
    assert_kept(&base(), &after, "steps reordered");
    assert_eq!(prints(&base()), prints(&after));
}

#[test]
fn inserting_a_step_resurfaces_nothing() {
    let inserted = WORKFLOW.replacen(
        "    steps:\n",
        "    steps:\n      - name: Say hello\n        run: echo hello\n",
        1,
    );
    let after = scan(&inserted, PRE_COMMIT, DEPENDABOT, PYPROJECT);
    assert_kept(&base(), &after, "a step inserted first");
}

#[test]
fn renaming_a_job_resurfaces_nothing() {
    let renamed = WORKFLOW
        .replace("  build:\n", "  build-dists:\n")
        .replace("needs: build", "needs: build-dists");
    let after = scan(&renamed, PRE_COMMIT, DEPENDABOT, PYPROJECT);
    assert_kept(&base(), &after, "job renamed");
    assert_eq!(prints(&base()), prints(&after));
}

#[test]
fn a_replaced_action_is_new_and_inserting_it_first_too() {
    // The checkout of pull-request code, replaced by another action at another ref: every
    // finding on that step is new, none matches the baseline.
    let replaced = WORKFLOW.replace("actions/checkout@v4", "evil-org/backdoor@main");
    let after = scan(&replaced, PRE_COMMIT, DEPENDABOT, PYPROJECT);
    let before = prints(&base());
    let on_step: Vec<&Finding> = after
        .iter()
        .filter(|f| {
            f.primary()
                .and_then(|l| l.route.as_deref())
                .is_some_and(|r| r.starts_with("jobs.build.steps[0]"))
        })
        .collect();
    assert!(!on_step.is_empty(), "{}", describe(&after));
    for f in on_step {
        assert!(
            !before.contains(&f.fingerprint),
            "hidden by the baseline: {}",
            describe(std::slice::from_ref(f))
        );
    }
    // The same action inserted as a new first step of the other job: findings about it are
    // new, and no old finding resurfaces.
    let inserted = WORKFLOW.replacen(
        "      - uses: actions/download-artifact@v4\n",
        "      - uses: evil-org/backdoor@main\n      - uses: actions/download-artifact@v4\n",
        1,
    );
    let after = scan(&inserted, PRE_COMMIT, DEPENDABOT, PYPROJECT);
    assert_kept(&base(), &after, "a step inserted first in publish");
    let new: Vec<&Finding> = after
        .iter()
        .filter(|f| !before.contains(&f.fingerprint))
        .collect();
    assert!(
        new.iter().any(|f| f.message.contains("evil-org/backdoor")),
        "{}",
        describe(&after)
    );
}

#[test]
fn list_entries_of_configuration_files_move_freely() {
    // A hook repository inserted first in .pre-commit-config.yaml.
    let pc = PRE_COMMIT.replacen(
        "repos:\n",
        "repos:\n  - repo: https://github.com/psf/black\n    rev: 24.1.0\n    hooks:\n      - id: black\n",
        1,
    );
    let after = scan(WORKFLOW, &pc, DEPENDABOT, PYPROJECT);
    assert_kept(&base(), &after, "hook repository inserted");
    // An update inserted first in dependabot.yml, and a build requirement first in pyproject.
    let dependabot = DEPENDABOT.replacen(
        "updates:\n",
        "updates:\n  - package-ecosystem: npm\n    directory: /docs\n    schedule:\n      interval: weekly\n",
        1,
    );
    let pyproject = PYPROJECT.replace(
        "requires = [\"setuptools>=61\", \"wheel\"]",
        "requires = [\"cython\", \"setuptools>=61\", \"wheel\"]",
    );
    let after = scan(WORKFLOW, PRE_COMMIT, &dependabot, &pyproject);
    assert_kept(&base(), &after, "update and build requirement inserted");
    // Dependencies reordered.
    let pyproject = PYPROJECT.replace(
        "[\"requests==2.0.0\", \"urllib3==1.24.1\"]",
        "[\"urllib3==1.24.1\", \"requests==2.0.0\"]",
    );
    let after = scan(WORKFLOW, PRE_COMMIT, DEPENDABOT, &pyproject);
    assert_kept(&base(), &after, "dependencies reordered");
}

#[test]
fn the_same_subject_twice_gets_two_fingerprints() {
    // The same unpinned action in two jobs: two findings, two fingerprints (numbered in file
    // order), so a baseline of one does not hide the other.
    let twice = WORKFLOW.replace(
        "      - uses: actions/download-artifact@v4\n",
        "      - uses: actions/upload-artifact@v4\n        with:\n          name: dist\n          path: dist\n      - uses: actions/download-artifact@v4\n",
    );
    let after = scan(&twice, PRE_COMMIT, DEPENDABOT, PYPROJECT);
    assert_eq!(prints(&after).len(), after.len(), "{}", describe(&after));
}
