//! End-to-end tests of `garrison history`, `garrison review`, `garrison contributors` and the
//! history part of `garrison scan`, on the XZ-Utils-like repository of the history crate's
//! tests (built with real `git`; skipped when `git` is missing, a failure under CI). Each case is
//! a snapshot of the whole run (exit code, standard output, standard error). The repository's
//! commits have fixed dates, so its commit ids are the same on every machine; the story dated
//! relative to today (for the scan's default window) has its commit ids and dates redacted.
//! No test touches the user's cache: history commands run with `--no-cache`, and every command
//! gets `GARRISON_CACHE_DIR` under Cargo's test temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

#[path = "../../garrison-history/tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::{DAY, Repo, xz_story};
use garrison_test::cli::{Run, run, snapshots};
use garrison_test::git::require_git;

/// 2019-01-01T00:00:00Z.
const START: i64 = 1_546_300_800;

fn tmp_root() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("garrison-history-cli")
}

/// The cache directory of every command run here (emptied once per process), never the
/// user's.
fn cache_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tmp_root().join("cache");
        if dir.exists() {
            std::fs::remove_dir_all(&dir).unwrap();
        }
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

fn garrison() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("NO_COLOR", "1")
        .env("GARRISON_NO_PROGRESS", "1")
        .env_remove("GARRISON_DB")
        .env("GARRISON_CACHE_DIR", cache_dir());
    c
}

/// An advisory database holding one advisory last modified on 2024-01-01, for the scans here
/// (which are not about advisories): the embedded snapshot's date and staleness change when it
/// is refreshed, this database's never do.
fn advisory_db() -> &'static Path {
    static DB: OnceLock<PathBuf> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = tmp_root().join("advisories");
        let src = dir.join("osv");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(
            src.join("GHSA-hist-test-0001.json"),
            serde_json::json!({
                "schema_version": "1.6.0",
                "id": "GHSA-hist-test-0001",
                "modified": "2024-01-01T00:00:00Z",
                "published": "2024-01-01T00:00:00Z",
                "summary": "a test advisory",
                "affected": [{
                    "package": { "ecosystem": "PyPI", "name": "garrison-history-test-pkg" },
                    "ranges": [{ "type": "ECOSYSTEM", "events": [{ "introduced": "0" }, { "fixed": "2.0" }] }]
                }]
            })
            .to_string(),
        )
        .unwrap();
        let db = dir.join("advisories.db");
        let r = run(garrison().args(["db", "import"]).arg(&src).arg("--db").arg(&db), &[]);
        assert_eq!(r.code, 0, "{}", r.snapshot());
        db
    })
}

/// The XZ-like repository, built once per test process.
fn xz() -> Option<&'static (Repo, BTreeMap<&'static str, String>)> {
    if !require_git() {
        return None;
    }
    static REPO: OnceLock<(Repo, BTreeMap<&'static str, String>)> = OnceLock::new();
    Some(REPO.get_or_init(|| {
        let r = Repo::at(&tmp_root().join("xz"));
        let ids = xz_story(&r, START);
        (r, ids)
    }))
}

/// `garrison ARGS… REPO --no-cache EXTRA…` on the XZ-like repository.
fn on_xz(r: &Repo, args: &[&str], extra: &[&str]) -> Run {
    run(
        garrison()
            .args(args)
            .arg(r.path())
            .arg("--no-cache")
            .args(extra),
        &[(r.path(), "[REPO]"), (cache_dir(), "[CACHE]")],
    )
}

#[test]
fn history_text_ranks_the_rewrite_first_with_its_evidence_and_authors() {
    let Some((r, _)) = xz() else { return };
    // The rewrite ranks first and is high (`history` fails on high by default): its binary
    // rewrite evidence, pushed by its author, rights shown by committing Hans's patch. Only the
    // two fixture commits are reported; Lasse is not among the authors.
    insta::assert_snapshot!("history_text", on_xz(r, &["history"], &[]).snapshot());
    // --top 1 shows one commit and says how many more there are.
    insta::assert_snapshot!(
        "history_top_1",
        on_xz(r, &["history"], &["--top", "1"]).snapshot()
    );
    // --since after the rewrite: nothing reported, exit 0.
    insta::assert_snapshot!(on_xz(r, &["history"], &["--since", "2022-09-20"]).snapshot(), @"
    exit: 0
    --- stdout
    garrison history: commits since 2022-09-20: 1 commit scored, model fitted on 43 commits of this repository

    No risky commits.

    0 reported: 0 high, 0 medium, 0 low, 0 info. Rules: `garrison rules history`.
    ");
}

#[test]
fn history_json_and_sarif() {
    let Some((r, _)) = xz() else { return };
    // Both commits are findings of history rules, each with its commit, author, score and the
    // contributions that made it (change first, then context), located at the first rewritten
    // file, with distinct 16-digit fingerprints.
    insta::assert_snapshot!(
        "history_json",
        on_xz(r, &["history"], &["--format", "json"]).snapshot()
    );
    // SARIF: the results (the rules' full documentation, also in the log, is left out).
    let sarif = on_xz(r, &["history"], &["-f", "sarif"]).json_part(
        |s| serde_json::json!({ "version": s["version"], "results": s["runs"][0]["results"] }),
    );
    insta::assert_snapshot!("history_sarif_results", sarif.snapshot());
}

#[test]
fn review_fails_on_a_range_with_the_rewrite_and_passes_a_benign_range() {
    let Some((r, ids)) = xz() else { return };
    // The range ending at the rewrite: reported without `history/self-committed`, since a
    // commit under review has not landed.
    let bad = format!("{}..{}", ids["add_fixtures"], ids["rewrite"]);
    insta::assert_snapshot!(
        "review_rewrite",
        on_xz(r, &["review", &bad], &[]).snapshot()
    );
    // Four years of Lasse's releases: nothing to report.
    insta::assert_snapshot!(on_xz(r, &["review", "v5.0.0..v5.2.0"], &[]).snapshot(), @"
    exit: 0
    --- stdout
    garrison review: v5.0.0..v5.2.0 (20 commits under review): 16 commits scored, model fitted on 11 commits of this repository

    No risky commits.

    0 reported: 0 high, 0 medium, 0 low, 0 info. Rules: `garrison rules history`.
    ");
    // The range adding the fixtures is reported, at info: below the default threshold.
    let add = format!("{}..{}", ids["hans"], ids["add_fixtures"]);
    insta::assert_snapshot!(
        "review_add_fixtures",
        on_xz(r, &["review", &add], &[]).snapshot()
    );
    // --fail-on moves the threshold: nothing here is critical.
    let critical = on_xz(r, &["review", &bad], &["--fail-on", "critical"]);
    assert_eq!(critical.code, 0, "{}", critical.snapshot());
    assert_eq!(
        critical.stdout,
        on_xz(r, &["review", &bad], &[]).stdout,
        "the threshold changes the exit code, not the report"
    );
}

#[test]
fn contributors_profile_shows_rights_and_tags() {
    let Some((r, _)) = xz() else { return };
    insta::assert_snapshot!(
        on_xz(r, &["contributors"], &["--author", "jia"]).snapshot(),
        @r#"
    exit: 0
    --- stdout
    Jia Tan <jiat@example.org>
      names:    Jia Tan
      emails:   jiat@example.org
      Jia Tan <jiat@example.org>: 8 commits 2022-02-04 → 2022-09-12, 0% sensitive, rights since 2022-07-14 (committed 18d7c1b360 by Hans Jansen); 2 reported, max risk 29.5
      activity: 2022: 8
      offsets:  UTC+08:00 (8)
      hours:    13 14 (local; 80% of commits)
      releases: tagged 1 (v5.4.0 2022-07-24 → v5.4.0 2022-07-24)
      riskiest commits:
        b9d121e8bf high    29.5 2022-09-12 "Tests: Update two test files"
        65e9dffd7f high    12.0 2022-08-13 "Tests: Add a few test files"
    "#
    );
    // Lasse: 26 commits, the two tags he made, rights shown by a merge, nothing reported.
    insta::assert_snapshot!(
        "contributors_lasse_json",
        on_xz(r, &["contributors"], &["-f", "json", "--author", "lasse"]).snapshot()
    );
    // The list: most active first.
    insta::assert_snapshot!(
        "contributors_list",
        on_xz(r, &["contributors"], &[]).snapshot()
    );
}

#[test]
fn bad_inputs_exit_2_with_a_clear_message() {
    let r = run(
        garrison().args(["history", "/nonexistent/garrison/repo", "--no-cache"]),
        &[],
    );
    insta::assert_snapshot!(r.snapshot(), @r"
    exit: 2
    --- stderr
    garrison: error: /nonexistent/garrison/repo: no such file or directory
    ");
    let r = run(garrison().args(["review", "notarange", "--no-cache"]), &[]);
    insta::assert_snapshot!(r.snapshot(), @r"
    exit: 2
    --- stderr
    garrison: error: `notarange`: expected a revision range BASE..HEAD
    ");

    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("README"), "not a repository\n").unwrap();
    let in_plain = |cmd: &str| {
        run(
            garrison().arg(cmd).arg(plain.path()).arg("--no-cache"),
            &[(plain.path(), "[DIR]")],
        )
    };
    insta::assert_snapshot!(snapshots(&[("history", &in_plain("history")), ("contributors", &in_plain("contributors"))]), @r#"
    ## history
    exit: 2
    --- stderr
    garrison: error: cannot open git repository [DIR]: Could not find a git repository in "[DIR]" or in any of its parents

    ## contributors
    exit: 2
    --- stderr
    garrison: error: cannot open git repository [DIR]: Could not find a git repository in "[DIR]" or in any of its parents
    "#);

    let Some((r, _)) = xz() else { return };
    insta::assert_snapshot!(on_xz(r, &["review", "nosuchrev..HEAD"], &[]).snapshot(), @r#"
    exit: 2
    --- stderr
    garrison: error: cannot resolve revision nosuchrev: couldn't parse revision, input="nosuchrev"
    "#);
    insta::assert_snapshot!(on_xz(r, &["history"], &["--since", "yesterday"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: --since `yesterday`: expected a date (2024-01-31), a date and time (2024-01-18T21:36:27+01:00; UTC without an offset), @UNIX-SECONDS, or a duration back from now (36h, 90d, 26w, 6m, 1y)
    ");
    insta::assert_snapshot!(on_xz(r, &["contributors"], &["--author", "nobody-here"]).snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: no contributor matches `nobody-here`
    ");
}

#[test]
fn history_cache_goes_to_garrison_cache_dir() {
    let Some((r, _)) = xz() else { return };
    let dir = tempfile::tempdir().unwrap();
    let cached = || {
        run(
            garrison()
                .env("GARRISON_CACHE_DIR", dir.path())
                .arg("history")
                .arg(r.path()),
            &[(r.path(), "[REPO]")],
        )
    };
    let first = cached();
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "one cache file per repository");
    let second = cached();
    // The run that fills the cache and the one that reads it report what `--no-cache` reports
    // (exit code included; that run's output is the `history_text` snapshot).
    let uncached = on_xz(r, &["history"], &[]).snapshot();
    assert_eq!(first.snapshot(), uncached);
    assert_eq!(second.snapshot(), uncached);
}

/// `garrison scan --isolated` with the fixed advisory database and only the history rules and
/// the not-evaluated notes selected (the posture findings of these repositories are not what
/// is tested here).
fn scan(path: &Path, extra: &[&str]) -> Run {
    run(
        garrison()
            .args([
                "scan",
                "--isolated",
                "--select",
                "history,info/not-evaluated",
                "--db",
            ])
            .arg(advisory_db())
            .args(extra)
            .arg(path),
        &[(path, "[PROJECT]"), (&tmp_root(), "[TMP]")],
    )
}

/// Commit ids and dates of a repository dated relative to today, redacted.
fn relative(r: Run, ids: &BTreeMap<&'static str, String>) -> Run {
    let ids: Vec<(&str, &str)> = ids.iter().map(|(l, id)| (*l, id.as_str())).collect();
    r.redact_commits(&ids).redact_dates()
}

#[test]
fn scan_reviews_recent_history_unless_turned_off() {
    if !require_git() {
        return;
    }
    // The same story, ending 40 days ago: the rewrite (50 days ago) is inside the default
    // 90-day window.
    let r = Repo::new();
    let ids = xz_story(&r, garrison_source::time::now() - 1400 * DAY);
    insta::assert_snapshot!(
        "scan_default_window",
        relative(scan(r.path(), &[]), &ids).snapshot()
    );
    // Turned off: no history finding, and no note either (the user chose it).
    insta::assert_snapshot!(relative(scan(r.path(), &["--history-window", "off"]), &ids).snapshot(), @"
    exit: 0
    --- stdout
    not evaluated (6 checks):
      needs GitHub or PyPI API data, which this offline scan does not read:
        - required reviews (and code-owner review) before merging
          check by hand: Settings → Rules: require at least one approving review and review from code owners
        - deployment protection rules (required reviewers) on the publishing environment
          check by hand: Settings → Environments → pypi: add required reviewers and restrict deployment branches/tags
        - the trusted publisher configuration of the project on pypi.org
          check by hand: pypi.org → project → Publishing: one trusted publisher naming this repository, workflow and environment; no API tokens
        - two-factor authentication of maintainers and the organisation's 2FA requirement
          check by hand: Organisation settings → Authentication security: require 2FA; PyPI requires 2FA for every account
        - branch protection or rulesets on the default branch
          check by hand: Settings → Branches / Rules: require pull requests, block force pushes and deletions
        - the number of repository and organisation admins and PyPI owners
          check by hand: keep admins and PyPI owners few, each with 2FA (SPEC 6)

    advisories: local database of [DATE] ([N] days old, [TMP]/advisories/advisories.db)
    warning: the advisory database is [N] days old (more than 30); vulnerabilities published since [DATE] are not reported. Run `garrison db sync` (or `garrison db import PATH`) for current advisories
    info: 6 info
    6 findings (6 info) in 27 files
    ");
    // A window that ends before the rewrite leaves it out.
    insta::assert_snapshot!(relative(scan(r.path(), &["--history-window", "45d"]), &ids).snapshot(), @"
    exit: 0
    --- stdout
    not evaluated (6 checks):
      needs GitHub or PyPI API data, which this offline scan does not read:
        - required reviews (and code-owner review) before merging
          check by hand: Settings → Rules: require at least one approving review and review from code owners
        - deployment protection rules (required reviewers) on the publishing environment
          check by hand: Settings → Environments → pypi: add required reviewers and restrict deployment branches/tags
        - the trusted publisher configuration of the project on pypi.org
          check by hand: pypi.org → project → Publishing: one trusted publisher naming this repository, workflow and environment; no API tokens
        - two-factor authentication of maintainers and the organisation's 2FA requirement
          check by hand: Organisation settings → Authentication security: require 2FA; PyPI requires 2FA for every account
        - branch protection or rulesets on the default branch
          check by hand: Settings → Branches / Rules: require pull requests, block force pushes and deletions
        - the number of repository and organisation admins and PyPI owners
          check by hand: keep admins and PyPI owners few, each with 2FA (SPEC 6)

    advisories: local database of [DATE] ([N] days old, [TMP]/advisories/advisories.db)
    warning: the advisory database is [N] days old (more than 30); vulnerabilities published since [DATE] are not reported. Run `garrison db sync` (or `garrison db import PATH`) for current advisories
    info: 6 info
    6 findings (6 info) in 27 files
    ");
}

#[test]
fn scan_of_a_directory_without_git_says_history_was_not_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# not a git checkout\n").unwrap();
    insta::assert_snapshot!(scan(dir.path(), &[]).snapshot(), @"
    exit: 0
    --- stdout
    not evaluated (7 checks):
      needs GitHub or PyPI API data, which this offline scan does not read:
        - required reviews (and code-owner review) before merging
          check by hand: Settings → Rules: require at least one approving review and review from code owners
        - deployment protection rules (required reviewers) on the publishing environment
          check by hand: Settings → Environments → pypi: add required reviewers and restrict deployment branches/tags
        - the trusted publisher configuration of the project on pypi.org
          check by hand: pypi.org → project → Publishing: one trusted publisher naming this repository, workflow and environment; no API tokens
        - two-factor authentication of maintainers and the organisation's 2FA requirement
          check by hand: Organisation settings → Authentication security: require 2FA; PyPI requires 2FA for every account
        - branch protection or rulesets on the default branch
          check by hand: Settings → Branches / Rules: require pull requests, block force pushes and deletions
        - the number of repository and organisation admins and PyPI owners
          check by hand: keep admins and PyPI owners few, each with 2FA (SPEC 6)
      not a git checkout (no .git):
        - contribution-risk review of recent commits
          scan a git clone (not an export) to review recent commits, or run `garrison history PATH`

    advisories: local database of 2024-01-01 ([N] days old, [TMP]/advisories/advisories.db)
    warning: the advisory database is [N] days old (more than 30); vulnerabilities published since 2024-01-01 are not reported. Run `garrison db sync` (or `garrison db import PATH`) for current advisories
    info: 7 info
    7 findings (7 info) in 1 file
    ");
}

#[test]
fn history_input_errors_exit_2_and_say_what_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# a project\n").unwrap();
    let scan = |extra: &[&str]| scan(dir.path(), extra).snapshot();
    insta::assert_snapshot!(scan(&["--history-window", "bogus"]), @r"
    exit: 2
    --- stderr
    garrison: error: --history-window `bogus`: expected `off`, `all`, a date (2024-01-31), a date and time (2024-01-18T21:36:27+01:00; UTC without an offset), @UNIX-SECONDS, or a duration back from now (36h, 90d, 26w, 6m, 1y)
    ");
    std::fs::write(
        dir.path().join("garrison.toml"),
        "history-window = \"last year\"\n",
    )
    .unwrap();
    let scan_with_config = |extra: &[&str]| {
        run(
            garrison()
                .args(["scan", "--db"])
                .arg(advisory_db())
                .args(extra)
                .arg(dir.path()),
            &[(dir.path(), "[PROJECT]"), (&tmp_root(), "[TMP]")],
        )
        .snapshot()
    };
    insta::assert_snapshot!(scan_with_config(&[]), @r"
    exit: 2
    --- stderr
    garrison: error: history-window in the configuration: `last year`: expected `off`, `all`, a date (2024-01-31), a date and time (2024-01-18T21:36:27+01:00; UTC without an offset), @UNIX-SECONDS, or a duration back from now (36h, 90d, 26w, 6m, 1y)
    ");
    // An unreadable baseline is refused before any mining (the directory is not a repository).
    let r = run(
        garrison()
            .args([
                "history",
                "--no-cache",
                "--baseline",
                "/nonexistent/garrison/baseline.json",
            ])
            .arg(dir.path()),
        &[(dir.path(), "[PROJECT]")],
    );
    insta::assert_snapshot!(r.snapshot(), @"
    exit: 2
    --- stderr
    garrison: error: /nonexistent/garrison/baseline.json: No such file or directory (os error 2)
    ");
    // The flag wins over the configuration, and `off` is a window.
    insta::assert_snapshot!(scan_with_config(&["--select", "history,info/not-evaluated", "--history-window", "off"]), @"
    exit: 0
    --- stdout
    not evaluated (6 checks):
      needs GitHub or PyPI API data, which this offline scan does not read:
        - required reviews (and code-owner review) before merging
          check by hand: Settings → Rules: require at least one approving review and review from code owners
        - deployment protection rules (required reviewers) on the publishing environment
          check by hand: Settings → Environments → pypi: add required reviewers and restrict deployment branches/tags
        - the trusted publisher configuration of the project on pypi.org
          check by hand: pypi.org → project → Publishing: one trusted publisher naming this repository, workflow and environment; no API tokens
        - two-factor authentication of maintainers and the organisation's 2FA requirement
          check by hand: Organisation settings → Authentication security: require 2FA; PyPI requires 2FA for every account
        - branch protection or rulesets on the default branch
          check by hand: Settings → Branches / Rules: require pull requests, block force pushes and deletions
        - the number of repository and organisation admins and PyPI owners
          check by hand: keep admins and PyPI owners few, each with 2FA (SPEC 6)

    advisories: local database of 2024-01-01 ([N] days old, [TMP]/advisories/advisories.db)
    warning: the advisory database is [N] days old (more than 30); vulnerabilities published since 2024-01-01 are not reported. Run `garrison db sync` (or `garrison db import PATH`) for current advisories
    info: 6 info
    6 findings (6 info) in 2 files
    ");

    let r = run(
        garrison()
            .args(["contributors", "-f", "sarif"])
            .arg(dir.path()),
        &[(dir.path(), "[PROJECT]")],
    );
    insta::assert_snapshot!(r.snapshot(), @r"
    exit: 2
    --- stderr
    error: invalid value 'sarif' for '--format <FORMAT>'
      [possible values: text, json]

    For more information, try '--help'.
    ");
    let r = run(
        garrison()
            .args(["history", "--no-cache", "--since", "yesterday"])
            .arg(dir.path()),
        &[(dir.path(), "[PROJECT]")],
    );
    insta::assert_snapshot!(r.snapshot(), @r"
    exit: 2
    --- stderr
    garrison: error: --since `yesterday`: expected a date (2024-01-31), a date and time (2024-01-18T21:36:27+01:00; UTC without an offset), @UNIX-SECONDS, or a duration back from now (36h, 90d, 26w, 6m, 1y)
    ");
}

/// A checkout whose last commit is older than the scan's window says so instead of adding
/// nothing; a window that holds the commit adds no note.
#[test]
fn scan_says_when_its_window_held_no_commits() {
    if !require_git() {
        return;
    }
    let b = garrison_test::git::build(
        "author Ann Lee <ann@example.org>\ndate 2020-01-01T12:00Z\ncommit only\n  write a.py\n  | x = 1\n",
    );
    insta::assert_snapshot!(scan(b.path(), &[]).snapshot(), @"
    exit: 0
    --- stdout
    not evaluated (7 checks):
      needs GitHub or PyPI API data, which this offline scan does not read:
        - required reviews (and code-owner review) before merging
          check by hand: Settings → Rules: require at least one approving review and review from code owners
        - deployment protection rules (required reviewers) on the publishing environment
          check by hand: Settings → Environments → pypi: add required reviewers and restrict deployment branches/tags
        - the trusted publisher configuration of the project on pypi.org
          check by hand: pypi.org → project → Publishing: one trusted publisher naming this repository, workflow and environment; no API tokens
        - two-factor authentication of maintainers and the organisation's 2FA requirement
          check by hand: Organisation settings → Authentication security: require 2FA; PyPI requires 2FA for every account
        - branch protection or rulesets on the default branch
          check by hand: Settings → Branches / Rules: require pull requests, block force pushes and deletions
        - the number of repository and organisation admins and PyPI owners
          check by hand: keep admins and PyPI owners few, each with 2FA (SPEC 6)
      no commits in the last 90 days; last commit 2020-01-01:
        - contribution-risk review of recent commits
          nothing to review in this window; widen it (`--history-window 1y` or `all`, or `history-window` in the configuration) or run `garrison history PATH`

    advisories: local database of 2024-01-01 ([N] days old, [TMP]/advisories/advisories.db)
    warning: the advisory database is [N] days old (more than 30); vulnerabilities published since 2024-01-01 are not reported. Run `garrison db sync` (or `garrison db import PATH`) for current advisories
    info: 7 info
    7 findings (7 info) in 1 file
    ");
    insta::assert_snapshot!(scan(b.path(), &["--history-window", "2019-06-01"]).snapshot(), @"
    exit: 0
    --- stdout
    not evaluated (6 checks):
      needs GitHub or PyPI API data, which this offline scan does not read:
        - required reviews (and code-owner review) before merging
          check by hand: Settings → Rules: require at least one approving review and review from code owners
        - deployment protection rules (required reviewers) on the publishing environment
          check by hand: Settings → Environments → pypi: add required reviewers and restrict deployment branches/tags
        - the trusted publisher configuration of the project on pypi.org
          check by hand: pypi.org → project → Publishing: one trusted publisher naming this repository, workflow and environment; no API tokens
        - two-factor authentication of maintainers and the organisation's 2FA requirement
          check by hand: Organisation settings → Authentication security: require 2FA; PyPI requires 2FA for every account
        - branch protection or rulesets on the default branch
          check by hand: Settings → Branches / Rules: require pull requests, block force pushes and deletions
        - the number of repository and organisation admins and PyPI owners
          check by hand: keep admins and PyPI owners few, each with 2FA (SPEC 6)

    advisories: local database of 2024-01-01 ([N] days old, [TMP]/advisories/advisories.db)
    warning: the advisory database is [N] days old (more than 30); vulnerabilities published since 2024-01-01 are not reported. Run `garrison db sync` (or `garrison db import PATH`) for current advisories
    info: 6 info
    6 findings (6 info) in 1 file
    ");
}

/// Branches, merges both ways, tags: the ranges' repository (`other` is added by
/// [`ranges_repo`] as an unrelated history).
const RANGES: &str = r#"
person mara = Mara Maintainer <mara@example.org>
person cole = Cole Contributor <cole@example.org>
author mara
date 2021-03-01T10:00Z
commit [root] root
  write src/pkg/a.py
  | one = 1
tag v1.0.0
date +1d
commit [m1] main one
  append src/pkg/a.py
  | two = 2
branch feature
author cole
date +1d
commit [f1] feature one
  write src/pkg/f.py
  | f = 1
checkout main
author mara
date +1d
commit [m2] main two
  append src/pkg/a.py
  | three = 3
checkout feature
author cole
date +1d
merge [back] main
date +1d
commit [f2] feature two
  append src/pkg/f.py
  | g = 2
checkout main
author mara
date +1d
merge [merge] feature
date +1d
commit [m3] main three
  append src/pkg/a.py
  | four = 4
"#;

/// [`RANGES`] plus a branch `other` with an unrelated root commit.
fn ranges_repo() -> Option<garrison_test::git::Built> {
    if !require_git() {
        return None;
    }
    let b = garrison_test::git::build(RANGES);
    b.repo.git(&["checkout", "-q", "--orphan", "other"], &[]);
    b.repo.write("o.txt", "other\n");
    b.repo.git(&["add", "-A"], &[]);
    b.repo.git(&["commit", "-q", "-m", "other root"], &[]);
    b.repo.git(&["checkout", "-q", "main"], &[]);
    Some(b)
}

/// `garrison ARGS… --no-cache` run in `dir`, with the repository's path and commit ids
/// redacted.
fn in_dir(dir: &Path, b: &garrison_test::git::Built, args: &[&str]) -> Run {
    let ids: Vec<(&str, &str)> = b
        .ids
        .iter()
        .map(|(l, i)| (l.as_str(), i.as_str()))
        .collect();
    let other = b.repo.rev("other");
    run(
        garrison().current_dir(dir).args(args).arg("--no-cache"),
        &[(b.path(), "[REPO]"), (cache_dir(), "[CACHE]")],
    )
    .redact_commits(&ids)
    .redact_commits(&[("other", other.as_str())])
}

/// The number of commits of `git rev-list RANGE`.
fn rev_list_count(b: &garrison_test::git::Built, range: &str) -> usize {
    b.repo.git(&["rev-list", range], &[]).lines().count()
}

#[test]
fn review_of_an_empty_range_says_so_and_passes_in_every_format() {
    let Some(b) = ranges_repo() else { return };
    let root = b.path();
    // Equal ends, a tag older than HEAD as the head, a base ahead of the head: git's set is
    // empty, so nothing is reviewed (not the whole history), exit 0.
    insta::assert_snapshot!(snapshots(&[
        ("HEAD..HEAD", &in_dir(root, &b, &["review", "HEAD..HEAD"])),
        ("HEAD..v1.0.0", &in_dir(root, &b, &["review", "HEAD..v1.0.0"])),
        ("m3..m1", &in_dir(root, &b, &["review", &format!("{}..{}", b.id("m3"), b.id("m1"))])),
        ("history HEAD..HEAD", &in_dir(root, &b, &["history", ".", "HEAD..HEAD"])),
    ]), @"
    ## HEAD..HEAD
    exit: 0
    --- stdout
    garrison review: no commits to review in HEAD..HEAD ([m3]..[m3])

    ## HEAD..v1.0.0
    exit: 0
    --- stdout
    garrison review: no commits to review in HEAD..v1.0.0 ([m3]..[root])

    ## m3..m1
    exit: 0
    --- stdout
    garrison review: no commits to review in [m3]..[m1] ([m3]..[m1])

    ## history HEAD..HEAD
    exit: 0
    --- stdout
    garrison history: no commits to review in HEAD..HEAD ([m3]..[m3])
    ");
    // JSON and SARIF stay valid documents with no findings.
    let json = in_dir(root, &b, &["review", "HEAD..v1.0.0", "-f", "json"]);
    assert_eq!(json.code, 0, "{}", json.snapshot());
    assert_eq!(
        json.json()["findings"],
        serde_json::json!([]),
        "{}",
        json.stdout
    );
    let md = in_dir(root, &b, &["review", "HEAD..HEAD", "-f", "markdown"]);
    assert_eq!(md.code, 0, "{}", md.snapshot());
    assert!(md.stdout.contains("No findings"), "{}", md.snapshot());
    let sarif = in_dir(root, &b, &["review", "HEAD..HEAD", "-f", "sarif"]);
    assert_eq!(sarif.code, 0, "{}", sarif.snapshot());
    assert_eq!(
        sarif.json()["runs"][0]["results"],
        serde_json::json!([]),
        "{}",
        sarif.stdout
    );
}

#[test]
fn review_ranges_are_gits_set_with_merges_and_unrelated_bases() {
    let Some(b) = ranges_repo() else { return };
    let root = b.path();
    // The number under review is git's count for every shape: merges on both sides of the
    // range, a side branch's commits reached through a merge, an unrelated base (all of HEAD).
    let (m2, f1, merge) = (b.id("m2"), b.id("f1"), b.id("merge"));
    for range in [
        "v1.0.0..HEAD".to_string(),
        "feature..main".to_string(),
        format!("{m2}..feature"),
        "other..HEAD".to_string(),
        "HEAD~1..HEAD".to_string(),
        format!("{f1}..{merge}"),
    ] {
        let range = range.as_str();
        let want = rev_list_count(&b, range);
        assert!(want > 0, "{range} is not empty in git");
        let r = in_dir(root, &b, &["review", range]);
        assert_eq!(r.code, 0, "{range}: {}", r.snapshot());
        let said = format!(
            "({} under review)",
            if want == 1 {
                "1 commit".to_string()
            } else {
                format!("{want} commits")
            }
        );
        assert!(
            r.stdout.contains(&said),
            "{range}: want {said}: {}",
            r.snapshot()
        );
    }
    insta::assert_snapshot!(in_dir(root, &b, &["review", "other..HEAD"]).snapshot(), @"
    exit: 0
    --- stdout
    garrison review: other..HEAD (8 commits under review): 6 commits scored, model fitted on 1 commit of this repository

    No risky commits.

    0 reported: 0 high, 0 medium, 0 low, 0 info. Rules: `garrison rules history`.
    ");
}

#[test]
fn history_and_review_work_from_a_subdirectory() {
    let Some(b) = ranges_repo() else { return };
    let sub = b.path().join("src/pkg");
    // No path: the repository is found upward from the current directory, like git.
    let from_sub = in_dir(&sub, &b, &["review", "v1.0.0..HEAD", "-f", "json"]);
    let from_root = in_dir(b.path(), &b, &["review", "v1.0.0..HEAD", "-f", "json"]);
    assert_eq!(from_sub.code, 0, "{}", from_sub.snapshot());
    assert_eq!(from_sub.json()["root"], serde_json::json!("[REPO]"));
    assert_eq!(from_sub.json()["summary"], from_root.json()["summary"]);
    assert_eq!(from_sub.json()["findings"], from_root.json()["findings"]);
    // A subdirectory given as the path: the same.
    let given = in_dir(b.path(), &b, &["history", "src/pkg", "-f", "json"]);
    let whole = in_dir(b.path(), &b, &["history", ".", "-f", "json"]);
    assert_eq!(given.code, 0, "{}", given.snapshot());
    assert_eq!(given.json()["findings"], whole.json()["findings"]);
    assert_eq!(given.json()["root"], serde_json::json!("[REPO]"));
    // A range with the path left out, from the subdirectory.
    let r = in_dir(&sub, &b, &["history", "HEAD~1..HEAD"]);
    assert_eq!(r.code, 0, "{}", r.snapshot());
    assert!(
        r.stdout.contains("HEAD~1..HEAD (1 commits)"),
        "{}",
        r.snapshot()
    );
    // A `GIT_DIR` in the environment (a git hook's) does not replace the path given; a ceiling
    // directory between the subdirectory and the root stops the search upward, like git's.
    let other = tempfile::tempdir().unwrap();
    let hooked = run(
        garrison()
            .env("GIT_DIR", other.path())
            .args(["review", "v1.0.0..HEAD", "-f", "json", "--no-cache"])
            .arg(&sub),
        &[(b.path(), "[REPO]")],
    );
    assert_eq!(hooked.code, 0, "{}", hooked.snapshot());
    assert_eq!(hooked.json()["summary"], from_root.json()["summary"]);
    let ceiling = run(
        garrison()
            .current_dir(&sub)
            .env("GIT_CEILING_DIRECTORIES", b.path().join("src"))
            .args(["review", "v1.0.0..HEAD", "--no-cache"]),
        &[(b.path(), "[REPO]")],
    );
    assert_eq!(ceiling.code, 2, "{}", ceiling.snapshot());
    assert!(
        ceiling.stderr.contains("Could not find a git repository"),
        "{}",
        ceiling.snapshot()
    );
    // On the XZ-like repository, findings' paths stay relative to the repository root.
    let Some((x, _)) = xz() else { return };
    let dir = std::fs::read_dir(x.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| p.is_dir() && !p.ends_with(".git"))
        .unwrap();
    let run_in = |d: &Path| {
        run(
            garrison()
                .current_dir(d)
                .args(["history", "--no-cache", "-f", "json"]),
            &[(x.path(), "[REPO]")],
        )
    };
    let (a, c) = (run_in(&dir), run_in(x.path()));
    assert!(
        !a.json()["findings"].as_array().unwrap().is_empty(),
        "{}",
        a.stdout
    );
    assert_eq!(a.json()["findings"], c.json()["findings"]);
}

#[test]
fn shallow_clones_are_said_and_unreachable_revisions_are_clear_errors() {
    let Some(b) = ranges_repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let clone = |depth: &str| {
        let dir = tmp.path().join(format!("depth-{depth}"));
        let url = format!("file://{}", b.path().display());
        b.repo.git(
            &[
                "clone",
                "-q",
                "--depth",
                depth,
                &url,
                &dir.display().to_string(),
            ],
            &[],
        );
        dir
    };
    let (one, five) = (clone("1"), clone("5"));
    let ids: Vec<(&str, &str)> = b
        .ids
        .iter()
        .map(|(l, i)| (l.as_str(), i.as_str()))
        .collect();
    let at = |dir: &Path, args: &[&str]| {
        run(
            garrison().current_dir(dir).args(args).arg("--no-cache"),
            &[(tmp.path(), "[TMP]")],
        )
        .redact_commits(&ids)
    };
    insta::assert_snapshot!(snapshots(&[
        ("depth 1: review HEAD~1..HEAD", &at(&one, &["review", "HEAD~1..HEAD"])),
        ("depth 1: history HEAD~1..HEAD", &at(&one, &["history", "HEAD~1..HEAD"])),
        ("depth 1: review HEAD..HEAD", &at(&one, &["review", "HEAD..HEAD"])),
        ("depth 5: review HEAD~1..HEAD", &at(&five, &["review", "HEAD~1..HEAD"])),
    ]), @"
    ## depth 1: review HEAD~1..HEAD
    exit: 2
    --- stderr
    garrison: error: cannot resolve revision `HEAD~1`: this is a shallow clone (1 commit fetched from HEAD), so the revision may name history that was not fetched; fetch it with `git fetch --unshallow` (or `fetch-depth: 0` in actions/checkout)

    ## depth 1: history HEAD~1..HEAD
    exit: 2
    --- stderr
    garrison: error: cannot resolve revision `HEAD~1`: this is a shallow clone (1 commit fetched from HEAD), so the revision may name history that was not fetched; fetch it with `git fetch --unshallow` (or `fetch-depth: 0` in actions/checkout)

    ## depth 1: review HEAD..HEAD
    exit: 0
    --- stdout
    garrison review: no commits to review in HEAD..HEAD ([m3]..[m3])
    note: shallow clone: the model was fitted on only the 0 commits this clone holds, so authors look newer and routine changes rarer than they are; fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout).

    ## depth 5: review HEAD~1..HEAD
    exit: 0
    --- stdout
    garrison review: HEAD~1..HEAD (1 commit under review): 1 commit scored, model fitted on 3 commits of this repository

    No risky commits.

    0 reported: 0 high, 0 medium, 0 low, 0 info. Rules: `garrison rules history`.
    note: shallow clone: the model was fitted on only the 3 commits this clone holds, so authors look newer and routine changes rarer than they are; fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout).
    ");
    // Machine formats say it too, as an error of `.git`.
    let json = at(&five, &["review", "HEAD~1..HEAD", "-f", "json"]);
    let errors = json.json()["errors"].to_string();
    assert!(
        errors.contains("shallow clone: the model was fitted on only the"),
        "{errors}"
    );
}

#[test]
fn scan_of_a_shallow_clone_says_how_many_commits_the_model_was_fitted_on() {
    let Some(b) = ranges_repo() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("clone");
    let url = format!("file://{}", b.path().display());
    b.repo.git(
        &[
            "clone",
            "-q",
            "--depth",
            "5",
            &url,
            &dir.display().to_string(),
        ],
        &[],
    );
    let r = scan(&dir, &["--history-window", "all", "-f", "json"]);
    let notes: Vec<String> = r.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["evidence"]["check"] == "history")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    insta::assert_debug_snapshot!(notes, @r#"
    [
        "not evaluated: contribution-risk review of recent commits (shallow clone: the model was fitted on only the 4 commits this clone holds, so authors look newer and routine changes rarer than they are; fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout))",
    ]
    "#);
}
