//! Snapshot tests of every posture check on its fixtures.
//!
//! `tests/fixtures/<rule-name>/<case>/` is a mini repository checked by rule
//! `posture/<rule-name>` (or `info/<rule-name>`) alone; findings are snapshotted as
//! `path:line:col severity/confidence [rule] message (route)` with their evidence. Cases named
//! `benign*` must produce no finding of that rule.

#![allow(clippy::unwrap_used)]

use std::fmt::Write;
use std::path::Path;

use garrison_posture::{Checkout, registry, run};
use garrison_report::Finding;

fn render(findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let p = f.primary();
        let at = p.map(|l| l.display()).unwrap_or_default();
        let route = p.and_then(|l| l.route.clone()).unwrap_or_default();
        let _ = writeln!(
            s,
            "{at} {}/{} [{}] {} ({route})",
            f.severity, f.confidence, f.rule, f.message
        );
        if let Some(note) = p.and_then(|l| l.note.clone()) {
            let _ = writeln!(s, "    note: {note}");
        }
        for (k, v) in &f.evidence {
            let _ = writeln!(s, "    {k} = {v}");
        }
    }
    if s.is_empty() {
        s.push_str("(no findings)\n");
    }
    s
}

fn rule_for(dir_name: &str) -> &'static str {
    registry::CHECKS
        .iter()
        .map(|a| a.meta().id)
        .find(|id| id.split_once('/').map(|x| x.1) == Some(dir_name))
        .unwrap_or_else(|| panic!("fixture directory `{dir_name}` names no registered rule"))
}

fn check_case(rule: &str, case: &Path) -> Vec<Finding> {
    let co = Checkout::scan(case, &[]);
    assert!(co.errors.is_empty(), "{}: {:?}", case.display(), co.errors);
    let mut findings = run(&co, &|id| id == rule);
    findings.sort_by_key(|f| {
        let p = f.primary();
        (
            p.map(|l| l.path.clone()),
            p.and_then(|l| l.span)
                .map(|s| (s.start_line, s.start_column)),
            f.message.clone(),
        )
    });
    findings
}

#[test]
fn fixtures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    dirs.sort();
    let mut cases = 0;
    for dir in dirs {
        let name = dir.file_name().unwrap().to_str().unwrap().to_string();
        let rule = rule_for(&name);
        let mut case_dirs: Vec<_> = std::fs::read_dir(&dir)
            .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        case_dirs.sort();
        for case in case_dirs {
            assert!(case.is_dir(), "{}: cases are directories", case.display());
            let case_name = case.file_name().unwrap().to_str().unwrap();
            let findings = check_case(rule, &case);
            let snap = format!("{name}__{case_name}");
            insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(snap, render(&findings));
            });
            if case_name.starts_with("benign") {
                let own: Vec<_> = findings
                    .iter()
                    .filter(|f| f.rule == rule)
                    .cloned()
                    .collect();
                assert!(own.is_empty(), "{name}/{case_name}: {}", render(&own));
            }
            cases += 1;
        }
    }
    assert!(cases > 0);
}

#[test]
fn every_rule_has_fixtures_and_docs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for c in registry::CHECKS {
        let m = c.meta();
        assert!(
            root.join(m.name()).is_dir(),
            "rule {} has no fixtures",
            m.id
        );
        for h in [
            "## What it checks",
            "## Why it matters",
            "## Example",
            "## Remediation",
        ] {
            assert!(m.docs.contains(h), "rule {} docs lack `{h}`", m.id);
        }
        assert!(!m.references.is_empty(), "rule {} has no references", m.id);
    }
}

/// The checks never panic on the real repositories of the shared corpus.
#[test]
fn corpus_does_not_panic() {
    let repos = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/repos");
    let Ok(read) = std::fs::read_dir(&repos) else {
        return; // corpus not present on this machine
    };
    let mut n = 0;
    for e in read.filter_map(Result::ok) {
        let p = e.path();
        if !p.is_dir() {
            continue;
        }
        let co = Checkout::scan(&p, &[]);
        let findings = run(&co, &|_| true);
        // Every repository gets the not-evaluated items at least.
        assert!(findings.iter().any(|f| f.rule == "info/not-evaluated"));
        for f in &findings {
            assert!(!f.message.is_empty());
            assert_eq!(f.fingerprint.len(), 16);
        }
        n += 1;
    }
    assert!(n > 0);
}
