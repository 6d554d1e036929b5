//! The loading path of `garrison scan`, `actions` and `posture`: one workspace, and each load
//! error reported once by the analyses that read the input.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use garrison_test::cli::{Run, run};

/// A checkout whose every input is broken, plus a workflow that parses.
fn broken_checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (p, body) in [
        (
            ".github/workflows/broken.yml",
            "on: push\njobs:\n  a: [unclosed\n",
        ),
        (
            ".github/workflows/ok.yml",
            "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n",
        ),
        (".github/actions/x/action.yml", "runs: [\n"),
        (".github/dependabot.yml", "version: 2\nupdates: [\n"),
        (".pre-commit-config.yaml", "repos: [\n"),
    ] {
        let path = dir.path().join(p);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    }
    dir
}

/// `garrison COMMAND --isolated DIR`: the whole run, the checkout shown as `[REPO]`.
fn on(command: &str, dir: &Path) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("NO_COLOR", "1")
        .env("GARRISON_NO_PROGRESS", "1")
        .env("GARRISON_DB", "/nonexistent/garrison-test/advisories.db")
        .args([command, "--isolated"])
        .arg(dir);
    run(&mut c, &[(dir, "[REPO]")])
}

/// Each command lists, under "could not analyse", exactly the broken files it reads.
#[test]
fn each_load_error_is_reported_once_by_the_analyses_that_read_it() {
    let dir = broken_checkout();
    insta::assert_snapshot!("scan", on("scan", dir.path()).snapshot());
    // The workflow audits do not read the pre-commit configuration.
    insta::assert_snapshot!(on("actions", dir.path()).snapshot(), @"
    exit: 1
    --- stdout
    could not analyse 3 files:
      .github/actions/x/action.yml:1:7: invalid YAML: unclosed bracket '['
      .github/dependabot.yml:2:10: invalid YAML: unclosed bracket '['
      .github/workflows/broken.yml:3:6: invalid YAML: unclosed bracket '['

    No findings in 4 files.
    ");
    // The posture checks do not read action definitions.
    insta::assert_snapshot!("posture", on("posture", dir.path()).snapshot());
}
