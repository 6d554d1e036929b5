//! Snapshot tests of every workflow rule on its fixtures.
//!
//! `tests/fixtures/<rule-name>/<case>.yml` is audited by rule `<family>/<rule-name>` alone and
//! the findings are snapshotted as `path:line:col severity/confidence message [route]`. A file is
//! treated as a workflow unless it is named `action*.yml` (composite action) or
//! `dependabot*.yml`. A directory `tests/fixtures/<rule-name>/<case>/` is loaded as a whole
//! repository (for audits that follow local actions and reusable workflows).

use std::fmt::Write;
use std::path::Path;

use garrison_actions::repo::{Kind, Repo};
use garrison_actions::{registry, run};
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
    registry::AUDITS
        .iter()
        .map(|a| a.meta().id)
        .find(|id| id.split_once('/').map(|x| x.1) == Some(dir_name))
        .unwrap_or_else(|| panic!("fixture directory `{dir_name}` names no registered rule"))
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

fn audit_case(rule: &str, case: &Path) -> Vec<Finding> {
    let repo = if case.is_dir() {
        let mut files = Vec::new();
        walk(case, case, &mut files);
        Repo::load(case, files.iter().map(String::as_str))
    } else {
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let text = std::fs::read_to_string(case).unwrap_or_default();
        let kind = if name.starts_with("action") {
            Kind::Action
        } else if name.starts_with("dependabot") {
            Kind::Dependabot
        } else {
            Kind::Workflow
        };
        let mut repo = Repo::default();
        repo.add_as(name, &text, Some(kind));
        assert!(repo.errors.is_empty(), "{:?}", repo.errors);
        repo
    };
    let mut findings = run(&repo, &|id| id == rule);
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
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let rule = rule_for(&name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        for case in files {
            let case_name = case
                .file_stem()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let findings = audit_case(rule, &case);
            let snap = format!("{name}__{case_name}");
            insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(snap, render(&findings));
            });
            // A fixture named benign* must stay quiet.
            if case_name.starts_with("benign") {
                assert!(
                    findings.is_empty(),
                    "{name}/{case_name}: {}",
                    render(&findings)
                );
            }
            cases += 1;
        }
    }
    assert!(cases > 0);
}

#[test]
fn every_rule_has_fixtures_and_docs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for a in registry::AUDITS {
        let m = a.meta();
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
    }
}
