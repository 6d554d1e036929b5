//! Selection and ignores applied to a report (`config::apply`), in particular for the
//! `info/not-evaluated` findings, which follow the check they are about.
#![allow(clippy::unwrap_used)]

use garrison_report::config::{Config, IgnoreEntry, apply};
use garrison_report::not_evaluated::NotEvaluated;
use garrison_report::{Finding, Location, Report, declare_rule};

declare_rule! {
    /// ## What it checks
    /// A test rule of the `history` family.
    pub RiskyCommit {
        id: "history/risky-commit",
        summary: "a test rule",
        severity: Medium,
        help: "none",
        references: [],
    }
}

declare_rule! {
    /// ## What it checks
    /// A test rule of the `workflow` family.
    pub Unpinned {
        id: "workflow/unpinned-uses",
        summary: "a test rule",
        severity: Medium,
        help: "none",
        references: [],
    }
}

fn not_evaluated(check: &str) -> Finding {
    Finding::builder(&NotEvaluated::META)
        .message(format!("not evaluated: {check}"))
        .location(Location::file("."))
        .evidence("check", check)
        .key(check)
        .build()
}

fn report() -> Report {
    Report {
        findings: vec![
            Finding::builder(&RiskyCommit::META)
                .message("a risky commit")
                .location(Location::file("src/a.py"))
                .build(),
            Finding::builder(&Unpinned::META)
                .message("unpinned")
                .location(Location::file(".github/workflows/ci.yml"))
                .build(),
            not_evaluated("history"),
            not_evaluated("posture/unsigned-release-tags"),
            not_evaluated("branch-protection"),
        ],
        ..Report::default()
    }
}

/// The rules and the checks of the not-evaluated findings kept under `config`.
fn kept(config: &Config) -> Vec<String> {
    let mut r = report();
    apply(&mut r, config, None);
    r.findings
        .iter()
        .map(|f| match f.evidence.get("check").and_then(|c| c.as_str()) {
            Some(check) => format!("{} ({check})", f.rule),
            None => f.rule.clone(),
        })
        .collect()
}

fn select(s: &[&str]) -> Config {
    Config {
        select: s.iter().map(|s| s.to_string()).collect(),
        ..Config::default()
    }
}

fn ignore(s: &[&str]) -> Config {
    Config {
        ignore: s.iter().map(|s| IgnoreEntry::Rule(s.to_string())).collect(),
        ..Config::default()
    }
}

#[test]
fn selecting_a_family_keeps_the_notes_about_its_checks() {
    assert_eq!(
        kept(&select(&["history"])),
        ["history/risky-commit", "info/not-evaluated (history)"]
    );
    assert_eq!(
        kept(&select(&["posture/unsigned-release-tags"])),
        ["info/not-evaluated (posture/unsigned-release-tags)"]
    );
    // Selecting the notes themselves keeps every one.
    assert_eq!(
        kept(&select(&["info/not-evaluated"])),
        [
            "info/not-evaluated (history)",
            "info/not-evaluated (posture/unsigned-release-tags)",
            "info/not-evaluated (branch-protection)"
        ]
    );
    assert_eq!(kept(&select(&["workflow"])), ["workflow/unpinned-uses"]);
    assert_eq!(kept(&Config::default()).len(), 5);
}

#[test]
fn ignoring_a_check_drops_its_note_too() {
    assert_eq!(
        kept(&ignore(&["history"])),
        [
            "workflow/unpinned-uses",
            "info/not-evaluated (posture/unsigned-release-tags)",
            "info/not-evaluated (branch-protection)"
        ]
    );
    assert_eq!(
        kept(&ignore(&["info/not-evaluated"])),
        ["history/risky-commit", "workflow/unpinned-uses"]
    );
    // Selected and then ignored: gone.
    let mut both = select(&["history"]);
    both.ignore = vec![IgnoreEntry::Rule("history".into())];
    assert!(kept(&both).is_empty());
}

#[test]
fn a_path_scoped_ignore_follows_a_finding_about_a_deleted_file() {
    // A history finding about a file deleted since is located at the commit (path `.`) and
    // names the file in `deleted_path`: `ignore = [{ rule, path }]` must still apply.
    let mut r = Report {
        findings: vec![
            Finding::builder(&RiskyCommit::META)
                .message("a risky commit to a detector table")
                .location(Location::file(".").with_route("commit 68dfb8c2fd"))
                .evidence("deleted_path", "crates/garrison-history/src/content.rs")
                .build(),
            Finding::builder(&RiskyCommit::META)
                .message("a risky commit elsewhere")
                .location(Location::file(".").with_route("commit 0123456789"))
                .evidence("deleted_path", "src/loader.py")
                .build(),
        ],
        ..Report::default()
    };
    let config = Config {
        ignore: vec![IgnoreEntry::Scoped {
            rule: "history".into(),
            path: Some("crates/garrison-history/**".into()),
            reason: None,
        }],
        ..Config::default()
    };
    apply(&mut r, &config, None);
    let kept: Vec<&str> = r.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(kept, ["a risky commit elsewhere"]);
    assert_eq!(r.suppressed.config, 1);
}
