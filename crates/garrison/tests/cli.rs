//! End-to-end tests of the `garrison` binary on fixture repositories and the shared corpus.
//! Each run is a snapshot of everything the user sees (exit code, standard output, standard
//! error), with the temporary checkout shown as `[REPO]`.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use garrison_test::cli::{Run, run};

fn garrison() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    // Colour must be off because the output is not a terminal, not because of NO_COLOR.
    c.env_remove("NO_COLOR")
        .env("GARRISON_NO_PROGRESS", "1")
        .env("GARRISON_DB", "/nonexistent/garrison-test/advisories.db");
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

/// `garrison ARGS... DIR`, with `DIR` shown as `[REPO]` and the crate version as `[VERSION]`.
fn on(dir: &Path, args: &[&str]) -> Run {
    run(garrison().args(args).arg(dir), &[(dir, "[REPO]")]).redact(
        concat!("\"", env!("CARGO_PKG_VERSION"), "\""),
        "\"[VERSION]\"",
    )
}

#[test]
fn text_output_names_rule_file_line_and_help() {
    let dir = repo_with(BAD_WORKFLOW);
    let auto = on(dir.path(), &["actions"]);
    insta::assert_snapshot!(auto.snapshot(), @"
    exit: 1
    --- stdout
    .github/workflows/ci.yml (1 finding)

    high[workflow/insecure-commands]: ACTIONS_ALLOW_UNSECURE_COMMANDS is enabled: any output line can set environment variables and PATH
      --> .github/workflows/ci.yml:11:11
       |
    11 |           ACTIONS_ALLOW_UNSECURE_COMMANDS: true
       |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ enables ::set-env and ::add-path
       |
       = confidence: high
       = route: jobs.build.steps[0].env.ACTIONS_ALLOW_UNSECURE_COMMANDS
       = help: remove ACTIONS_ALLOW_UNSECURE_COMMANDS; write to $GITHUB_ENV / $GITHUB_PATH instead
       = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/workflow/insecure-commands.md

    workflow: 1 high
    1 finding (1 high) in 1 file
    ");
    // Not a terminal: the default is the same as --color never (no escape sequences).
    let never = on(dir.path(), &["actions", "--color", "never"]);
    assert_eq!(auto.snapshot(), never.snapshot());
}

#[test]
fn json_and_sarif_outputs() {
    let dir = repo_with(BAD_WORKFLOW);
    insta::assert_snapshot!(
        "json",
        on(dir.path(), &["actions", "-f", "json"]).snapshot()
    );

    let sarif_path = dir.path().join("out.sarif");
    let r = on(
        dir.path(),
        &["actions", "-f", "sarif", "-o", sarif_path.to_str().unwrap()],
    );
    insta::assert_snapshot!(r.snapshot(), @"exit: 1");
    let mut sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&sarif_path).unwrap()).unwrap();
    // The driver declares every rule of the family with its whole documentation: the
    // snapshot keeps the rule the result refers to in full and the others by id.
    let run0 = &mut sarif["runs"][0];
    let index = usize::try_from(run0["results"][0]["ruleIndex"].as_u64().unwrap()).unwrap();
    let driver = &mut run0["tool"]["driver"];
    assert_eq!(driver["semanticVersion"], env!("CARGO_PKG_VERSION"));
    driver["semanticVersion"] = "[VERSION]".into();
    for (i, rule) in driver["rules"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .enumerate()
    {
        if i != index {
            *rule = rule["id"].clone();
        }
    }
    insta::assert_json_snapshot!("sarif", sarif);
}

#[test]
fn baseline_hides_known_findings_even_after_lines_move() {
    let dir = repo_with(BAD_WORKFLOW);
    let baseline = dir.path().join("baseline.json");
    let baseline_arg = baseline.to_str().unwrap();
    insta::assert_snapshot!(on(dir.path(), &["actions", "--write-baseline", baseline_arg]).snapshot(), @"
    exit: 0
    --- stderr
    garrison: recorded 1 finding in [REPO]/baseline.json
    ");
    insta::assert_snapshot!(std::fs::read_to_string(&baseline).unwrap(), @r#"
    {
      "garrison-baseline": 1,
      "findings": [
        {
          "fingerprint": "991f566a0a82d8ba",
          "rule": "workflow/insecure-commands",
          "path": ".github/workflows/ci.yml",
          "message": "ACTIONS_ALLOW_UNSECURE_COMMANDS is enabled: any output line can set environment variables and PATH"
        }
      ]
    }
    "#);
    // Shift every line down: fingerprints do not depend on lines.
    let moved = format!("# a new comment\n# another\n{BAD_WORKFLOW}");
    std::fs::write(dir.path().join(".github/workflows/ci.yml"), moved).unwrap();
    insta::assert_snapshot!(on(dir.path(), &["actions", "--baseline", baseline_arg]).snapshot(), @"
    exit: 0
    --- stdout
    No findings in 1 file; 1 suppressed (baseline 1).
    ");
}

#[test]
fn config_and_inline_suppression() {
    let dir = repo_with(BAD_WORKFLOW);
    std::fs::write(
        dir.path().join("pyproject.toml"),
        "[project]\nname = \"x\"\n\n[tool.garrison]\nignore = [{ rule = \"insecure-commands\", path = \".github/workflows/*.yml\", reason = \"legacy\" }]\n",
    )
    .unwrap();
    insta::assert_snapshot!(on(dir.path(), &["actions"]).snapshot(), @"
    exit: 0
    --- stdout
    No findings in 1 file; 1 suppressed (config 1).
    ");

    let inline = BAD_WORKFLOW.replace(
        "ACTIONS_ALLOW_UNSECURE_COMMANDS: true",
        "ACTIONS_ALLOW_UNSECURE_COMMANDS: true # garrison: ignore[insecure-commands] vendor tool needs it",
    );
    let dir = repo_with(&inline);
    insta::assert_snapshot!(on(dir.path(), &["actions"]).snapshot(), @"
    exit: 0
    --- stdout
    No findings in 1 file; 1 suppressed (inline 1).
    ");
}

#[test]
fn input_errors_exit_2_with_file_and_line() {
    let r = run(garrison().args(["scan", "/nonexistent/garrison/path"]), &[]);
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: /nonexistent/garrison/path: no such file or directory
    ");

    let dir = repo_with(BAD_WORKFLOW);
    std::fs::write(
        dir.path().join("garrison.toml"),
        "select = [\"workflow\"]\nfail-onn = \"high\"\n",
    )
    .unwrap();
    insta::assert_snapshot!(on(dir.path(), &["actions"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: [REPO]/garrison.toml:2:1: unknown field `fail-onn`, expected one of `select`, `ignore`, `min-severity`, `min-confidence`, `fail-on`, `exclude`, `ignore-vulnerabilities`, `history-window`
    ");

    insta::assert_snapshot!(on(dir.path(), &["actions", "--min-severity", "severe"]).snapshot(), @"
    exit: 2
    --- stderr
    error: invalid value 'severe' for '--min-severity <SEVERITY>': unknown severity `severe` (expected info, low, medium, high or critical)

    For more information, try '--help'.
    ");
}

#[test]
fn a_broken_workflow_does_not_stop_the_scan() {
    let dir = repo_with(BAD_WORKFLOW);
    std::fs::write(
        dir.path().join(".github/workflows/broken.yml"),
        "on: push\njobs:\n  a: [unclosed\n",
    )
    .unwrap();
    insta::assert_snapshot!(on(dir.path(), &["actions"]).snapshot(), @"
    exit: 1
    --- stdout
    .github/workflows/ci.yml (1 finding)

    high[workflow/insecure-commands]: ACTIONS_ALLOW_UNSECURE_COMMANDS is enabled: any output line can set environment variables and PATH
      --> .github/workflows/ci.yml:11:11
       |
    11 |           ACTIONS_ALLOW_UNSECURE_COMMANDS: true
       |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^ enables ::set-env and ::add-path
       |
       = confidence: high
       = route: jobs.build.steps[0].env.ACTIONS_ALLOW_UNSECURE_COMMANDS
       = help: remove ACTIONS_ALLOW_UNSECURE_COMMANDS; write to $GITHUB_ENV / $GITHUB_PATH instead
       = see: https://github.com/garrison-security/garrison/blob/main/docs/rules/workflow/insecure-commands.md

    could not analyse 1 file:
      .github/workflows/broken.yml:3:6: invalid YAML: unclosed bracket '['

    workflow: 1 high
    1 finding (1 high) in 2 files
    ");
}

#[test]
fn rules_are_listed_and_documented() {
    insta::assert_snapshot!("rules", run(garrison().arg("rules"), &[]).snapshot());
    insta::assert_snapshot!(
        "rules_insecure_commands",
        run(garrison().args(["rules", "insecure-commands"]), &[]).snapshot()
    );
    insta::assert_snapshot!(run(garrison().args(["rules", "no-such-rule"]), &[]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: unknown rule `no-such-rule` (`garrison rules` lists them)
    ");
}

/// Every repository of the shared corpus scans without a crash and without a file that could
/// not be parsed. An invariant over 48 real repositories, not a snapshot: their findings are
/// covered by the rules' own fixtures.
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
        let r = run(garrison().args(["scan", "-f", "json"]).arg(&repo), &[]);
        assert!(
            r.code == 0 || r.code == 1,
            "{}: {}",
            repo.display(),
            r.snapshot()
        );
        let v: serde_json::Value = serde_json::from_str(&r.stdout)
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
