//! End-to-end tests of the `garrison` binary on fixture repositories and the shared corpus.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn garrison() -> Command {
    let mut c = Command::cargo_bin("garrison").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/repos")
}

const BAD_WORKFLOW: &str = "name: legacy
on: push
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: make
        env:
          ACTIONS_ALLOW_UNSECURE_COMMANDS: true
";

fn repo_with(workflow: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".github/workflows")).unwrap();
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), workflow).unwrap();
    dir
}

fn stdout(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn text_output_names_rule_file_line_and_help() {
    let dir = repo_with(BAD_WORKFLOW);
    let (code, out, _) = stdout(
        garrison()
            .args(["actions", "--color", "never"])
            .arg(dir.path()),
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("workflow/insecure-commands"), "{out}");
    assert!(out.contains(".github/workflows/ci.yml:11:11"), "{out}");
    assert!(out.contains("help"), "{out}");
    assert!(
        !out.contains("\u{1b}["),
        "no colour when not a terminal: {out}"
    );
}

#[test]
fn json_and_sarif_outputs() {
    let dir = repo_with(BAD_WORKFLOW);
    let (code, out, _) = stdout(garrison().args(["actions", "-f", "json"]).arg(dir.path()));
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    let f = &v["findings"][0];
    assert_eq!(f["rule"], "workflow/insecure-commands");
    assert_eq!(f["locations"][0]["span"]["start_line"], 11);
    assert_eq!(
        f["locations"][0]["route"],
        "jobs.build.steps[0].env.ACTIONS_ALLOW_UNSECURE_COMMANDS"
    );

    let sarif_path = dir.path().join("out.sarif");
    let (code, _, _) = stdout(
        garrison()
            .args(["actions", "-f", "sarif", "-o"])
            .arg(&sarif_path)
            .arg(dir.path()),
    );
    assert_eq!(code, 1);
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let result = &s["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "workflow/insecure-commands");
    assert!(
        result["partialFingerprints"]
            .as_object()
            .is_some_and(|o| !o.is_empty())
    );
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        11
    );
}

#[test]
fn baseline_hides_known_findings_even_after_lines_move() {
    let dir = repo_with(BAD_WORKFLOW);
    let baseline = dir.path().join("baseline.json");
    let (code, _, err) = stdout(
        garrison()
            .args(["actions", "--write-baseline"])
            .arg(&baseline)
            .arg(dir.path()),
    );
    assert_eq!(code, 0, "{err}");
    // Shift every line down: fingerprints do not depend on lines.
    let moved = format!("# a new comment\n# another\n{BAD_WORKFLOW}");
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), moved).unwrap();
    let (code, out, _) = stdout(
        garrison()
            .args(["actions", "--color", "never", "--baseline"])
            .arg(&baseline)
            .arg(dir.path()),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("baseline 1"), "{out}");
}

#[test]
fn config_and_inline_suppression() {
    let dir = repo_with(BAD_WORKFLOW);
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.garrison]\nignore = [{ rule = \"insecure-commands\", path = \".github/workflows/*.yml\", reason = \"legacy\" }]\n",
    )
    .unwrap();
    let (code, out, _) = stdout(
        garrison()
            .args(["actions", "--color", "never"])
            .arg(dir.path()),
    );
    assert_eq!(code, 0, "{out}");

    let inline = BAD_WORKFLOW.replace(
        "ACTIONS_ALLOW_UNSECURE_COMMANDS: true",
        "ACTIONS_ALLOW_UNSECURE_COMMANDS: true # garrison: ignore[insecure-commands] vendor tool needs it",
    );
    let dir = repo_with(&inline);
    let (code, out, _) = stdout(
        garrison()
            .args(["actions", "--color", "never"])
            .arg(dir.path()),
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("inline 1"), "{out}");
}

#[test]
fn input_errors_exit_2_with_file_and_line() {
    let (code, _, err) = stdout(garrison().args(["scan", "/nonexistent/garrison/path"]));
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent/garrison/path"), "{err}");

    let dir = repo_with(BAD_WORKFLOW);
    std::fs::write(
        dir.path().join("garrison.toml"),
        "select = [\"workflow\"]\nfail-onn = \"high\"\n",
    )
    .unwrap();
    let (code, _, err) = stdout(garrison().arg("actions").arg(dir.path()));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("garrison.toml:2:"), "{err}");

    let (code, _, err) = stdout(garrison().args(["actions", "--min-severity", "severe", "."]));
    assert_eq!(code, 2, "{err}");
}

#[test]
fn a_broken_workflow_does_not_stop_the_scan() {
    let dir = repo_with(BAD_WORKFLOW);
    std::fs::write(
        dir.path().join(".github/workflows/broken.yml"),
        "on: push\njobs:\n  a: [unclosed\n",
    )
    .unwrap();
    let (code, out, _) = stdout(
        garrison()
            .args(["actions", "--color", "never"])
            .arg(dir.path()),
    );
    assert_eq!(code, 1);
    assert!(out.contains("broken.yml:"), "{out}");
    assert!(out.contains("workflow/insecure-commands"), "{out}");
}

#[test]
fn rules_are_listed_and_documented() {
    let (code, out, _) = stdout(garrison().arg("rules"));
    assert_eq!(code, 0);
    assert!(out.contains("workflow/insecure-commands"));
    let (code, out, _) = stdout(garrison().args(["rules", "insecure-commands"]));
    assert_eq!(code, 0);
    for h in [
        "## What it checks",
        "## Why it matters",
        "## Example",
        "## Remediation",
    ] {
        assert!(out.contains(h), "{out}");
    }
    let (code, _, err) = stdout(garrison().args(["rules", "no-such-rule"]));
    assert_eq!(code, 2);
    assert!(err.contains("unknown rule"), "{err}");
}

/// Every repository of the shared corpus scans without a crash and without a file that could
/// not be parsed.
#[test]
fn corpus_scans_cleanly() {
    let root = corpus();
    if !garrison_test::require::precondition(root.is_dir(), "the corpus ../shared/data/repos") {
        return;
    }
    let mut repos: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    assert!(repos.len() >= 48, "{}", repos.len());
    for repo in repos {
        let (code, out, err) = stdout(garrison().args(["scan", "-f", "json"]).arg(&repo));
        assert!(
            code == 0 || code == 1,
            "{}: exit {code}: {err}",
            repo.display()
        );
        let v: serde_json::Value = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{}: bad JSON: {e}", repo.display()));
        assert_eq!(
            v["errors"].as_array().map_or(0, Vec::len),
            0,
            "{}: {}",
            repo.display(),
            v["errors"]
        );
    }
}
