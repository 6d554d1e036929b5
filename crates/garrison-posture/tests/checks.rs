//! Every posture check on its fixtures (runner and snapshot format: `garrison_test::fixtures`).
//!
//! `tests/fixtures/<rule-name>/<case>/` is a mini repository checked by rule
//! `posture/<rule-name>` (or `info/<rule-name>`) alone.

use garrison_posture::{rules, run};
use garrison_test::fixtures::{Case, Outcome, Suite, corpus_repos};
use garrison_workspace::{Options, Workspace};

fn suite() -> Suite {
    Suite::new(env!("CARGO_MANIFEST_DIR"), rules())
}

fn check(case: &Case<'_>) -> Outcome {
    assert!(
        case.path.is_dir(),
        "{}: cases are directories",
        case.path.display()
    );
    let ws = Workspace::load(case.path, &Options::default());
    Outcome {
        findings: run(&ws, &|id| id == case.rule.id),
        errors: ws.errors.iter().map(|e| e.error.clone()).collect(),
        files_scanned: ws.files.len(),
    }
}

#[test]
fn fixtures() {
    suite().run(check);
}

#[test]
fn every_rule_has_fixtures_and_docs() {
    suite().check_rules_documented();
}

/// The checks never panic on the real repositories of the shared corpus.
#[test]
fn corpus_does_not_panic() {
    for p in corpus_repos() {
        let ws = Workspace::load(&p, &Options::default());
        let findings = run(&ws, &|_| true);
        // Every repository gets the not-evaluated items at least.
        assert!(findings.iter().any(|f| f.rule == "info/not-evaluated"));
        for f in &findings {
            assert!(!f.message.is_empty());
            assert_eq!(f.fingerprint.len(), 16);
        }
    }
}

/// Binary-artifact findings of a checkout made of `files` (path, bytes).
fn binary_findings(files: &[(String, Vec<u8>)]) -> Vec<garrison_report::Finding> {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("tempdir: {e}"));
    for (p, data) in files {
        let path = dir.path().join(p);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::write(&path, data).unwrap_or_else(|e| panic!("{e}"));
    }
    let ws = Workspace::load(dir.path(), &Options::default());
    run(&ws, &|id| id == "posture/binary-artifact")
}

/// 97 tiny fixtures in one directory are one finding, whose fingerprint survives a fixture
/// added before the first; 4 in another directory and a large one stay individual.
#[test]
fn a_fixture_corpus_is_one_binary_artifact_finding() {
    let fixture = |i: usize| {
        (
            format!("tests/files/case-{i:03}.xz"),
            vec![0xfd, b'7', b'z', 0, i as u8],
        )
    };
    let mut files: Vec<(String, Vec<u8>)> = (10..107).map(fixture).collect();
    files.extend((0..4).map(|i| (format!("tests/few/f{i}.bin"), vec![b'a', 0, i as u8])));
    files.push(("tests/files/big.dat".to_string(), vec![0u8; 70 * 1024]));
    let found = binary_findings(&files);
    let groups: Vec<_> = found
        .iter()
        .filter(|f| f.evidence.contains_key("count"))
        .collect();
    assert_eq!(groups.len(), 1, "{found:#?}");
    let g = groups[0];
    assert_eq!(g.evidence["count"], 97);
    assert_eq!(g.evidence["total_size"], 97 * 5);
    assert_eq!(g.evidence["files"].as_array().map(Vec::len), Some(10));
    assert_eq!(g.locations[0].path, "tests/files");
    assert_eq!(g.locations[1].path, "tests/files/case-010.xz");
    assert!(
        g.message.starts_with("97 committed binary files in tests/files/ (case-010.xz, case-011.xz, case-012.xz, …; 485 B in total"),
        "{}",
        g.message
    );
    // The 4 in tests/few and the 70 KiB file, one by one.
    assert_eq!(found.len(), 1 + 4 + 1, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|f| f.locations[0].path == "tests/files/big.dat")
    );
    // A fixture added first: the same finding for a baseline.
    files.push(fixture(0));
    let again = binary_findings(&files);
    let g2 = again
        .iter()
        .find(|f| f.evidence.contains_key("count"))
        .unwrap_or_else(|| panic!("{again:#?}"));
    assert_eq!(g2.evidence["count"], 98);
    assert_eq!(g2.fingerprint, g.fingerprint);
}
