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
