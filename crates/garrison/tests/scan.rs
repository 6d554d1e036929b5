//! The loading path of `garrison scan`, `actions` and `posture`: one workspace, and each load
//! error reported once by the analyses that read the input.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

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

/// The paths of the errors in the JSON report of `command` on `dir`.
fn error_paths(command: &str, dir: &std::path::Path) -> Vec<String> {
    let out = Command::cargo_bin("garrison")
        .unwrap()
        .args([command, "--isolated", "-f", "json"])
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_load_error_is_reported_once_by_the_analyses_that_read_it() {
    let dir = broken_checkout();
    assert_eq!(
        error_paths("scan", dir.path()),
        [
            ".github/actions/x/action.yml",
            ".github/dependabot.yml",
            ".github/workflows/broken.yml",
            ".pre-commit-config.yaml",
        ]
    );
    // The workflow audits do not read the pre-commit configuration.
    assert_eq!(
        error_paths("actions", dir.path()),
        [
            ".github/actions/x/action.yml",
            ".github/dependabot.yml",
            ".github/workflows/broken.yml",
        ]
    );
    // The posture checks do not read action definitions.
    assert_eq!(
        error_paths("posture", dir.path()),
        [
            ".github/dependabot.yml",
            ".github/workflows/broken.yml",
            ".pre-commit-config.yaml",
        ]
    );
}
