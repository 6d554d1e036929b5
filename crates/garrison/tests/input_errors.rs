//! Input errors are errors: exit 2 with a message that names the input and says what to do,
//! never a finding, never a silent change of what is reported. Each case is a snapshot of the
//! whole run (exit code, standard output, standard error).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use garrison_test::cli::{Run, run};

fn garrison() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("NO_COLOR", "1")
        .env("GARRISON_NO_PROGRESS", "1")
        .env("GARRISON_DB", "/nonexistent/garrison-test/advisories.db");
    c
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

fn scan(dir: &Path, args: &[&str]) -> Run {
    run(
        garrison().arg("scan").arg(dir).args(args),
        &[(dir, "[PROJECT]")],
    )
}

#[test]
fn misspelt_rule_on_the_command_line_is_refused_with_a_suggestion() {
    let dir = project(&[]);
    insta::assert_snapshot!(scan(dir.path(), &["--select", "workflw"]).snapshot(), @r"
    exit: 2
    --- stderr
    garrison: error: --select: unknown rule `workflw`; did you mean `workflow`?
    ");
    insta::assert_snapshot!(scan(dir.path(), &["--ignore", "workflow,posture/missing-codeownres"]).snapshot(), @r"
    exit: 2
    --- stderr
    garrison: error: --ignore: unknown rule `posture/missing-codeownres`; did you mean `posture/missing-codeowners`?
    ");
}

#[test]
fn misspelt_rule_in_configuration_names_file_and_line() {
    let dir = project(&[(
        "garrison.toml",
        "select = [\"workflow\", \"posture\"]\nignore = [\n  { rule = \"unpined-uses\", reason = \"x\" },\n]\n",
    )]);
    insta::assert_snapshot!(scan(dir.path(), &[]).snapshot(), @r"
    exit: 2
    --- stderr
    garrison: error: [PROJECT]/garrison.toml:3:12: unknown rule `unpined-uses`; did you mean `unpinned-uses`?
    ");
    let dir = project(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\n\n[tool.garrison]\nselect = [\"workflows\"]\n",
    )]);
    insta::assert_snapshot!(scan(dir.path(), &[]).snapshot(), @r"
    exit: 2
    --- stderr
    garrison: error: [PROJECT]/pyproject.toml:5:11: unknown rule `workflows`; did you mean `workflow`?
    ");
}

#[test]
fn pyproject_with_a_syntax_error_and_a_garrison_table_is_an_error_naming_the_line() {
    let dir = project(&[(
        "pyproject.toml",
        "[project]\nname = \"x\"\nversion = \n\n[tool.garrison]\nselect = [\"workflow\"]\n",
    )]);
    insta::assert_snapshot!(scan(dir.path(), &[]).snapshot(), @r"
    exit: 2
    --- stderr
    garrison: error: [PROJECT]/pyproject.toml:3:11: not valid TOML, so its [tool.garrison] configuration cannot be read: string values must be quoted, expected literal string (fix the file, or run with --isolated to ignore configuration files)
    ");
    // --isolated scans without configuration; the broken file is then reported, not fatal.
    let r = scan(
        dir.path(),
        &["--isolated", "--select", "posture", "-f", "json"],
    );
    assert_eq!(r.code, 1, "{}", r.snapshot());
    let json: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let errors = json["errors"].as_array().unwrap();
    assert!(
        errors
            .iter()
            .any(|e| e["path"] == "pyproject.toml" && e["line"] == 3),
        "{errors:?}"
    );
}

#[test]
fn rules_command_documents_rules_lists_families_and_refuses_unknown_names() {
    let r = run(garrison().args(["rules", "dependabot"]), &[]);
    insta::assert_snapshot!(r.snapshot(), @r"
    exit: 0
    --- stdout
    dependabot/insecure-external-code-execution  high      Dependabot allowed to execute code from dependencies
    dependabot/missing-github-actions            low       Dependabot does not update GitHub Actions

    2 rules. `garrison rules RULE` prints a rule's documentation.
    ");
    let r = run(garrison().args(["rules", "insecure-comands"]), &[]);
    insta::assert_snapshot!(r.snapshot(), @r"
    exit: 2
    --- stderr
    garrison: error: unknown rule `insecure-comands`; did you mean `insecure-commands`?
    ");
    let r = run(garrison().args(["rules", "insecure-commands"]), &[]);
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with("# workflow/insecure-commands\n"),
        "{}",
        r.stdout
    );
}
