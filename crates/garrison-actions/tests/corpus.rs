//! Every audit over the real repositories of the shared corpus (`shared/data/repos`): no panic
//! and no load error for any repository. Skipped when the corpus is missing, except under CI.
#![allow(clippy::print_stdout)]

use std::collections::BTreeMap;
use std::path::Path;

use garrison_actions::{INPUTS, run};
use garrison_test::fixtures::corpus_repos;
use garrison_workspace::{Inputs, Options, Workspace};

fn load(repo: &Path) -> Workspace {
    let options = Options {
        inputs: Inputs::GitHub,
        ..Options::default()
    };
    Workspace::load(repo, &options)
}

fn name(repo: &Path) -> String {
    repo.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[test]
fn every_audit_runs_on_the_corpus() {
    let repos = corpus_repos();
    let mut workflows = 0;
    for repo in &repos {
        let ws = load(repo);
        let errors: Vec<_> = ws.errors_of(INPUTS).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", name(repo));
        workflows += ws.workflows.len();
        let _ = run(&ws, &|_| true);
    }
    // The corpus holds hundreds of workflows; a walk that found none would test nothing.
    assert!(repos.is_empty() || workflows > 100, "{workflows} workflows");
}

/// Prints every finding of the corpus for reviewing false positives by eye, with counts per
/// rule, severity and confidence:
/// `RULES=workflow/unpinned-uses cargo test -p garrison-actions --test corpus -- --ignored --nocapture`
#[test]
#[ignore = "prints the corpus findings for manual review"]
fn listing() {
    let filter = std::env::var("RULES").unwrap_or_default();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for repo in corpus_repos() {
        let ws = load(&repo);
        let findings = run(&ws, &|id| {
            filter.is_empty() || filter.split(',').any(|f| f == id)
        });
        for f in findings {
            *counts
                .entry(format!("{} {}/{}", f.rule, f.severity, f.confidence))
                .or_default() += 1;
            let at = f.primary().map(|l| l.display()).unwrap_or_default();
            println!(
                "{}/{at} {} {}/{} {}",
                name(&repo),
                f.rule,
                f.severity,
                f.confidence,
                f.message
            );
        }
    }
    for (k, v) in counts {
        println!("COUNT {k}: {v}");
    }
}
