//! The fixture runner every rule family shares, and the shared test data.
//!
//! A crate's fixtures live under `tests/fixtures/<rule-name>/<case>` (a file or a directory, as
//! the family's loader reads it) and their snapshots under `tests/snapshots/<rule-name>__<case>.snap`.
//! [`Suite::run`] checks each case with the rule alone and snapshots, in one file, the findings
//! as a compact listing (`path:line:col severity/confidence [rule] message (route)`, the note
//! and the evidence) followed by the JSON renderer's document, so a change to either format
//! shows up in review. Every case must load without errors. Cases named `benign*` must produce
//! no finding of the rule; cases named `not-evaluated*` must produce an `info/not-evaluated`
//! finding about the rule and no finding of it; every other case must produce at least one
//! finding of its rule.
//!
//! Tests that read the shared corpus of repositories (`../shared/data/repos`) find it with
//! [`corpus_repos`]: locally a missing corpus skips the test with a note, under `CI` it fails
//! ([`crate::require`]).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use garrison_report::render::{self, Format};
use garrison_report::{FileError, Finding, Report, RuleMeta};

use crate::require::shared_data;

/// The rule id of findings that say a check could not be evaluated.
pub const NOT_EVALUATED: &str = "info/not-evaluated";

/// One fixture case, as the runner hands it to the family's loader.
#[derive(Debug, Clone, Copy)]
pub struct Case<'a> {
    /// The rule the case is for (its fixture directory is the rule's name).
    pub rule: &'static RuleMeta,
    /// The case's file or directory.
    pub path: &'a Path,
    /// The case name: the file stem, or the directory name.
    pub name: &'a str,
}

/// What a family's loader and rules made of a case.
#[derive(Debug, Default)]
pub struct Outcome {
    /// The findings of the case's rule (the loader runs that rule alone).
    pub findings: Vec<Finding>,
    /// Files of the case that could not be loaded; a fixture must have none.
    pub errors: Vec<FileError>,
    /// How many files the loader analysed (the JSON summary's `files_scanned`).
    pub files_scanned: usize,
}

/// The fixtures of one crate's rules.
#[derive(Debug)]
pub struct Suite {
    crate_dir: PathBuf,
    rules: Vec<&'static RuleMeta>,
}

impl Suite {
    /// The fixtures under `crate_dir/tests/fixtures` of `rules` (pass `env!("CARGO_MANIFEST_DIR")`).
    pub fn new(crate_dir: &str, rules: Vec<&'static RuleMeta>) -> Suite {
        Suite {
            crate_dir: PathBuf::from(crate_dir),
            rules,
        }
    }

    fn fixtures(&self) -> PathBuf {
        self.crate_dir.join("tests/fixtures")
    }

    /// The rule whose name is `dir_name`; panics if none is registered.
    fn rule_for(&self, dir_name: &str) -> &'static RuleMeta {
        self.rules
            .iter()
            .copied()
            .find(|r| r.name() == dir_name)
            .unwrap_or_else(|| panic!("fixture directory `{dir_name}` names no registered rule"))
    }

    /// Runs every case through `audit` and checks it (see the module documentation). Panics,
    /// as a test does, on the first case that fails; snapshot differences are reported by insta.
    pub fn run(&self, audit: impl Fn(&Case<'_>) -> Outcome) {
        let mut cases = 0;
        for dir in sorted_entries(&self.fixtures()) {
            let rule = self.rule_for(&file_name(&dir));
            for path in sorted_entries(&dir) {
                let name = if path.is_dir() {
                    file_name(&path)
                } else {
                    path.file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default()
                };
                let case = Case {
                    rule,
                    path: &path,
                    name: &name,
                };
                self.check(&case, audit(&case));
                cases += 1;
            }
        }
        assert!(
            cases > 0,
            "no fixture cases under {}",
            self.fixtures().display()
        );
    }

    fn check(&self, case: &Case<'_>, mut outcome: Outcome) {
        let id = case.rule.id;
        let label = format!("{}/{}", case.rule.name(), case.name);
        assert!(
            outcome.errors.is_empty(),
            "{label}: the fixture does not load: {:?}",
            outcome.errors
        );
        sort(&mut outcome.findings);
        let snapshot = format!("{}__{}", case.rule.name(), case.name);
        let content = format!(
            "{}--- JSON ---\n{}",
            listing(&outcome.findings),
            json(case, &outcome)
        );
        insta::with_settings!({
            snapshot_path => self.crate_dir.join("tests/snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(snapshot, content);
        });
        let own: Vec<Finding> = outcome
            .findings
            .iter()
            .filter(|f| f.rule == id)
            .cloned()
            .collect();
        if case.name.starts_with("benign") {
            assert!(
                own.is_empty(),
                "{label} must stay quiet:\n{}",
                listing(&own)
            );
        } else if case.name.starts_with("not-evaluated") && id != NOT_EVALUATED {
            assert!(
                own.is_empty(),
                "{label} must not decide:\n{}",
                listing(&own)
            );
            let about_rule = outcome.findings.iter().any(|f| {
                f.rule == NOT_EVALUATED
                    && f.evidence.get("check").and_then(|c| c.as_str()) == Some(id)
            });
            assert!(
                about_rule,
                "{label} must say that {id} was not evaluated:\n{}",
                listing(&outcome.findings)
            );
        } else {
            assert!(
                !own.is_empty(),
                "{label} is a positive case but {id} did not fire:\n{}",
                listing(&outcome.findings)
            );
        }
    }

    /// Checks that every rule has a fixture directory with at least one case that is not
    /// benign, and documentation with the required headings and at least one reference.
    pub fn check_rules_documented(&self) {
        for m in &self.rules {
            let dir = self.fixtures().join(m.name());
            assert!(dir.is_dir(), "rule {} has no fixtures", m.id);
            let positive = sorted_entries(&dir)
                .iter()
                .any(|p| !file_name(p).starts_with("benign"));
            assert!(positive, "rule {} has only benign fixtures", m.id);
            for h in [
                "## What it checks",
                "## Why it matters",
                "## Example",
                "## Remediation",
            ] {
                assert!(m.docs.contains(h), "rule {} docs lack `{h}`", m.id);
            }
            assert!(!m.references.is_empty(), "rule {} has no references", m.id);
        }
    }
}

/// Sorts findings as the snapshots list them: path, line and column, message.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by_key(|f| {
        let p = f.primary();
        (
            p.map(|l| l.path.clone()),
            p.and_then(|l| l.span)
                .map(|s| (s.start_line, s.start_column)),
            f.message.clone(),
        )
    });
}

/// The compact listing of findings: `path:line:col severity/confidence [rule] message (route)`,
/// then the primary location's note and the evidence, indented.
pub fn listing(findings: &[Finding]) -> String {
    let mut s = String::new();
    for f in findings {
        let p = f.primary();
        let at = p.map(|l| l.display()).unwrap_or_default();
        let route = p.and_then(|l| l.route.clone()).unwrap_or_default();
        let _ = writeln!(
            s,
            "{at} {}/{} [{}] {} ({route})",
            f.severity, f.confidence, f.rule, f.message
        );
        if let Some(note) = p.and_then(|l| l.note.clone()) {
            let _ = writeln!(s, "    note: {note}");
        }
        for (k, v) in &f.evidence {
            let _ = writeln!(s, "    {k} = {v}");
        }
    }
    if s.is_empty() {
        s.push_str("(no findings)\n");
    }
    s
}

/// The JSON renderer's document for a case, with the tool version replaced by `[version]` so
/// that releases do not change every snapshot.
fn json(case: &Case<'_>, outcome: &Outcome) -> String {
    let report = Report {
        root: format!("{}/{}", case.rule.name(), case.name),
        findings: outcome.findings.clone(),
        errors: outcome.errors.clone(),
        rules: vec![case.rule],
        files_scanned: outcome.files_scanned,
        ..Report::default()
    };
    let text = render::render(&report, Format::Json, false);
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_ok(),
        "the JSON renderer wrote invalid JSON:\n{text}"
    );
    // The renderer's own text (its field order included); only the tool's version is replaced.
    let version = format!(
        "\"name\": \"garrison\",\n    \"version\": \"{}\"",
        env!("CARGO_PKG_VERSION")
    );
    assert!(text.contains(&version), "no tool version in:\n{text}");
    text.replacen(
        &version,
        "\"name\": \"garrison\",\n    \"version\": \"[version]\"",
        1,
    )
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The entries of a directory, sorted by path; empty if it cannot be read.
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|r| r.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

/// Every file under `dir` as `/`-separated paths relative to it, sorted (directory cases of
/// loaders that take a file list).
pub fn files_under(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for p in sorted_entries(dir) {
            if p.is_dir() {
                walk(root, &p, out);
            } else if let Ok(rel) = p.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out
}

/// The repositories of the shared corpus (`../shared/data/repos/*/`), sorted. Empty (and the
/// test skipped) when the corpus is missing locally; panics under `CI`, and whenever the corpus
/// directory exists but holds no repository, so a robustness test can never pass on nothing.
pub fn corpus_repos() -> Vec<PathBuf> {
    let Some(root) = shared_data("repos") else {
        return Vec::new();
    };
    let repos: Vec<PathBuf> = sorted_entries(&root)
        .into_iter()
        .filter(|p| p.is_dir())
        .collect();
    assert!(
        !repos.is_empty(),
        "the corpus {} holds no repository",
        root.display()
    );
    repos
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_listed_relative_and_sorted() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = files_under(&root.join("src"));
        assert!(files.contains(&"fixtures.rs".to_string()), "{files:?}");
        assert!(files.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn listing_of_nothing_says_so() {
        assert_eq!(listing(&[]), "(no findings)\n");
    }
}
