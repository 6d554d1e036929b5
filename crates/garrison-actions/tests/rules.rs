//! Every workflow rule on its fixtures (runner and snapshot format: `garrison_test::fixtures`).
//!
//! `tests/fixtures/<rule-name>/<case>.yml` is audited by its rule alone. A file is treated as a
//! workflow unless it is named `action*.yml` (composite action) or `dependabot*.yml`. A
//! directory `tests/fixtures/<rule-name>/<case>/` is loaded as a whole repository (for audits
//! that follow local actions and reusable workflows).

use std::path::Path;

use garrison_actions::{INPUTS, file_count, rules, run};
use garrison_test::fixtures::{Case, Outcome, Suite};
use garrison_workspace::{Inputs, Kind, Options, Workspace};

fn suite() -> Suite {
    Suite::new(env!("CARGO_MANIFEST_DIR"), rules())
}

fn load(case: &Path) -> Workspace {
    if case.is_dir() {
        let options = Options {
            inputs: Inputs::GitHub,
            ..Options::default()
        };
        return Workspace::load(case, &options);
    }
    let name = case
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let kind = if name.starts_with("action") {
        Kind::Action
    } else if name.starts_with("dependabot") {
        Kind::Dependabot
    } else {
        Kind::Workflow
    };
    match Workspace::load_file(case, Some(kind)) {
        Ok(ws) => ws,
        Err(e) => panic!("{e}"),
    }
}

fn audit(case: &Case<'_>) -> Outcome {
    let ws = load(case.path);
    Outcome {
        findings: run(&ws, &|id| id == case.rule.id),
        errors: ws.errors_of(INPUTS).cloned().collect(),
        files_scanned: file_count(&ws),
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
