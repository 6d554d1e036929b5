//! Rule fixtures: `tests/fixtures/<rule>/<case>.commits` are commit scripts (see
//! `garrison_test::git`) for the rule `history/<rule>`. Each script is built into a real
//! repository and mined; the rule's change evidence on every commit (oldest first) is
//! snapshotted as text and JSON together. A case whose name starts with `benign` is a
//! look-alike: the rule must give no evidence on any of its commits; every other case must give
//! evidence on at least one. Every fixture directory names a registered rule and has both kinds
//! of case. Adding fixtures for a rule needs no code here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::change_evidence;
use garrison_history::{MineOptions, mine};
use garrison_test::git::{build, require_git};

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

/// The rule's evidence on every commit of one case, as text and JSON, and how many commits
/// gave some.
fn run_case(rule: &str, script: &str) -> (String, usize) {
    let b = build(script);
    let h = mine(b.path(), &MineOptions::default()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    let labels: BTreeMap<&str, &str> = b
        .ids
        .iter()
        .map(|(l, id)| (id.as_str(), l.as_str()))
        .collect();
    let mut text = String::new();
    let mut json = Vec::new();
    let mut fired = 0;
    for c in h.commits.iter().rev() {
        let label = labels.get(c.id.as_str()).map_or_else(
            || c.message.lines().next().unwrap_or("").to_string(),
            |l| format!("[{l}]"),
        );
        let ev: Vec<_> = change_evidence(&h, &c.id)
            .into_iter()
            .filter(|e| e.rule.id == rule)
            .collect();
        fired += usize::from(!ev.is_empty());
        for e in ev {
            let at = match (&e.path, e.line) {
                (Some(p), Some(l)) => format!("{p}:{l}"),
                (Some(p), None) => p.clone(),
                _ => ".".to_string(),
            };
            let _ = writeln!(
                text,
                "{label} +{:.1} {} at {at}\n    {}",
                e.weight, e.kind, e.message
            );
            json.push(serde_json::json!({
                "commit": label,
                "weight": e.weight,
                "kind": e.kind,
                "path": e.path,
                "line": e.line,
                "message": e.message,
            }));
        }
    }
    if text.is_empty() {
        text.push_str("(no evidence)\n");
    }
    let json = serde_json::to_string_pretty(&json).unwrap();
    (format!("{text}--- json\n{json}\n"), fired)
}

#[test]
fn rule_fixtures() {
    if !require_git() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let registered: Vec<&str> = garrison_history::registry::rules()
        .iter()
        .map(|r| r.id)
        .collect();
    let mut dirs = 0;
    for dir in entries(&root).into_iter().filter(|d| d.is_dir()) {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let rule = format!("history/{name}");
        assert!(
            registered.contains(&rule.as_str()),
            "tests/fixtures/{name}: no rule {rule} is registered"
        );
        let (mut positive, mut benign) = (0, 0);
        for file in entries(&dir) {
            if file.extension().is_none_or(|e| e != "commits") {
                continue;
            }
            let case = file.file_stem().unwrap().to_string_lossy().into_owned();
            let script = std::fs::read_to_string(&file).unwrap();
            let (snapshot, fired) = run_case(&rule, &script);
            if case.starts_with("benign") {
                benign += 1;
                assert_eq!(fired, 0, "{name}/{case}: a look-alike fired:\n{snapshot}");
            } else {
                positive += 1;
                assert!(fired > 0, "{name}/{case}: {rule} never fired");
            }
            insta::assert_snapshot!(format!("{name}__{case}"), snapshot);
        }
        assert!(
            positive > 0 && benign > 0,
            "tests/fixtures/{name}: needs a case that fires and a benign look-alike"
        );
        dirs += 1;
    }
    assert!(dirs > 0, "no rule fixtures under {}", root.display());
}
