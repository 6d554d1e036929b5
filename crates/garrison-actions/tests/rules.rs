//! Every workflow rule on its fixtures (runner and snapshot format: `garrison_test::fixtures`).
//!
//! `tests/fixtures/<rule-name>/<case>.yml` is audited by its rule alone. A file is treated as a
//! workflow unless it is named `action*.yml` (composite action) or `dependabot*.yml`. A
//! directory `tests/fixtures/<rule-name>/<case>/` is loaded as a whole repository (for audits
//! that follow local actions and reusable workflows).

use std::path::Path;

use garrison_actions::repo::{Kind, Repo};
use garrison_actions::{rules, run};
use garrison_test::fixtures::{Case, Outcome, Suite, files_under};

fn suite() -> Suite {
    Suite::new(env!("CARGO_MANIFEST_DIR"), rules())
}

fn load(case: &Path) -> Repo {
    if case.is_dir() {
        let files = files_under(case);
        return Repo::load(case, files.iter().map(String::as_str));
    }
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
    repo
}

fn audit(case: &Case<'_>) -> Outcome {
    let repo = load(case.path);
    Outcome {
        findings: run(&repo, &|id| id == case.rule.id),
        errors: repo.errors.clone(),
        files_scanned: repo.file_count(),
    }
}

#[test]
fn fixtures() {
    suite().run(audit);
}

#[test]
fn every_rule_has_fixtures_and_docs() {
    suite().check_rules_documented();
}
