//! History replay: which commit describes each month (checked against `git rev-list
//! --first-parent -1 --before=…` on real histories from bundles), the boundary (a commit at
//! 00:00 UTC on the 1st belongs to the next month), incremental runs, and the verdicts of the
//! file-checkable items at known months, read from git objects.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use garrison_fleet::replay::{NOT_REPLAYED, months, points_missing};
use garrison_fleet::{Evaluation, MonthPoint, Status, evaluate_month, points, replay};
use garrison_test::git::{build, require_git};
use garrison_test::require::shared_data;

/// 2026-09-01T00:00Z: after the bundles' last commits.
const UNTIL: i64 = 1_788_220_800;

fn git_out(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A bare repository made from a shared bundle with the real git.
fn from_bundle(name: &str, dir: &Path) -> Option<PathBuf> {
    let bundle = shared_data(&format!("git/{name}"))?;
    let dest = dir.join(name.replace(".bundle", ".git"));
    let out = Command::new("git")
        .args(["clone", "-q", "--bare"])
        .arg(&bundle)
        .arg(&dest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(dest)
}

/// Every month's commit is git's: the last first-parent commit before the 1st (one second
/// before it, as `--before` is inclusive).
fn check_against_git(repo: &Path, since: &str) -> Vec<MonthPoint> {
    let ps = points(repo, since, UNTIL).unwrap();
    let all = months(since, UNTIL).unwrap();
    let mut checked = 0;
    for (month, start) in &all {
        let before = format!("--before={} +0000", start - 1);
        let oracle = git_out(repo, &["rev-list", "--first-parent", "-1", &before, "HEAD"]);
        let ours = ps.iter().find(|p| &p.month == month);
        match ours {
            Some(p) => assert_eq!(p.commit, oracle, "{month}"),
            None => assert_eq!(oracle, "", "{month}: git has a commit, we have none"),
        }
        checked += 1;
    }
    assert_eq!(checked, all.len());
    ps
}

#[test]
fn month_selection_matches_git_on_real_histories() {
    if !require_git() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(hist) = from_bundle("hist.bundle", dir.path()) else {
        return;
    };
    let Some(bh) = from_bundle("boost-histogram.bundle", dir.path()) else {
        return;
    };
    // hist's first commit is from February 2020: the months before March 2020 have no state.
    let ps = check_against_git(&hist, "2019-06");
    assert_eq!(ps.first().unwrap().month, "2020-03");
    assert_eq!(ps.last().unwrap().month, "2026-09");
    assert_eq!(ps.len(), 79);
    let ps = check_against_git(&bh, "2018-01");
    assert_eq!(ps.first().unwrap().month, "2018-10");
}

fn status(e: &Evaluation, id: &str) -> Status {
    e.verdicts
        .iter()
        .find(|v| v.id == id)
        .unwrap_or_else(|| panic!("no item {id}"))
        .status
}

#[test]
fn verdicts_at_known_months_of_hist() {
    if !require_git() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(hist) = from_bundle("hist.bundle", dir.path()) else {
        return;
    };
    let ps = points(&hist, "2020-06", UNTIL).unwrap();
    let at = |m: &str| ps.iter().find(|p| p.month == m).unwrap().clone();

    // June 2020: one CI workflow, nothing published yet.
    let june = evaluate_month(&hist, &at("2020-06")).unwrap();
    assert!(june.facts.workflows && !june.facts.publishing);
    assert_eq!(
        status(&june, "spec8/trusted-publishing"),
        Status::NotApplicable
    );
    assert_eq!(
        status(&june, "spec8/publish-environment"),
        Status::NotApplicable
    );

    // January 2021: cd.yml publishes with a PyPI token from actions pinned by tag
    // (`actions/checkout@v1`, `pypa/gh-action-pypi-publish@v1.4.1`) and no environment.
    let jan = evaluate_month(&hist, &at("2021-01")).unwrap();
    assert_eq!(jan.commit.as_deref(), Some(at("2021-01").commit.as_str()));
    assert!(jan.facts.publishing && jan.facts.remote_actions);
    assert_eq!(status(&jan, "spec8/actions-pinned-sha"), Status::Fails);
    assert_eq!(status(&jan, "spec8/trusted-publishing"), Status::Fails);
    assert_eq!(status(&jan, "spec6/tokens-scoped"), Status::Fails);
    assert_eq!(status(&jan, "spec8/publish-environment"), Status::Fails);
    let token = jan
        .verdicts
        .iter()
        .find(|v| v.id == "spec6/tokens-scoped")
        .unwrap();
    assert!(
        token
            .evidence
            .iter()
            .any(|e| e.path.as_deref() == Some(".github/workflows/cd.yml")),
        "{token:?}"
    );
    // Items a past tree cannot decide are not evaluated, with the reason.
    for (item, v) in jan.items.iter().zip(&jan.verdicts) {
        if !item.file_checkable {
            assert_eq!(v.status, Status::NotEvaluated, "{}", item.id);
            assert_eq!(v.evidence[0].rule, NOT_REPLAYED, "{}", item.id);
        }
    }

    // The parallel replay gives each month the same evaluation.
    let two = [at("2020-06"), at("2021-01"), at("2021-02")];
    let all = replay(&hist, &two).unwrap();
    assert_eq!(all.len(), 3);
    for (p, r) in &all {
        let one = evaluate_month(&hist, p).unwrap();
        assert_eq!(r.as_ref().unwrap().verdicts, one.verdicts, "{}", p.month);
    }
}

/// The state of a month is the last commit strictly before its 1st, 00:00 UTC: a commit at
/// exactly that instant belongs to the next month. Incremental runs skip stored months.
#[test]
fn boundaries_and_incremental_runs() {
    if !require_git() {
        return;
    }
    let b = build(
        "author Mara <mara@example.org>\n\
         date 2020-01-15T12:00Z\n\
         commit [jan] unpinned\n  write .github/workflows/ci.yml\n  \
         | on: push\n  | permissions: {}\n  | jobs:\n  |   t:\n  |     runs-on: ubuntu-latest\n  \
         |     steps:\n  |       - uses: actions/checkout@v4\n\
         date 2020-03-01T00:00Z\n\
         commit [mar] pinned\n  replace .github/workflows/ci.yml\n  \
         - - uses: actions/checkout@v4\n  \
         + - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2\n",
    );
    let ps = points(b.path(), "2019-12", 1_588_291_200).unwrap(); // 2020-05-01
    let got: Vec<(&str, &str)> = ps
        .iter()
        .map(|p| (p.month.as_str(), p.commit.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("2020-02", b.id("jan")),
            ("2020-03", b.id("jan")),
            ("2020-04", b.id("mar")),
            ("2020-05", b.id("mar")),
        ]
    );
    let verdicts: Vec<Status> = replay(b.path(), &ps)
        .unwrap()
        .into_iter()
        .map(|(_, e)| status(&e.unwrap(), "spec8/actions-pinned-sha"))
        .collect();
    assert_eq!(
        verdicts,
        [Status::Fails, Status::Fails, Status::Holds, Status::Holds]
    );

    let stored: BTreeSet<String> = ["2020-02", "2020-03"].map(String::from).into();
    let rest = points_missing(b.path(), "2019-12", 1_588_291_200, &stored).unwrap();
    assert_eq!(
        rest.iter().map(|p| p.month.as_str()).collect::<Vec<_>>(),
        ["2020-04", "2020-05"]
    );
    let everything: BTreeSet<String> = months("2019-12", 1_588_291_200)
        .unwrap()
        .into_iter()
        .map(|(m, _)| m)
        .collect();
    assert!(
        points_missing(b.path(), "2019-12", 1_588_291_200, &everything)
            .unwrap()
            .is_empty()
    );
}

#[test]
fn months_are_checked() {
    for bad in [
        "2020",
        "2020-13",
        "2020-00",
        "20-01",
        "2020-1",
        "abcd-ef",
        "2020-01-01",
        "1969-12",
    ] {
        assert!(months(bad, UNTIL).is_err(), "{bad}");
    }
    let m = months("2019-11", 1_577_836_800).unwrap(); // 2020-01-01T00:00Z, included
    assert_eq!(
        m,
        [
            ("2019-11".to_string(), 1_572_566_400),
            ("2019-12".to_string(), 1_575_158_400),
            ("2020-01".to_string(), 1_577_836_800),
        ]
    );
    assert!(months("2020-02", 1_577_836_800).unwrap().is_empty());
}

/// The commit's files written out with `git archive`: the checkout a replay avoids.
fn archive(repo: &Path, commit: &str, dest: &Path) {
    std::fs::create_dir_all(dest).unwrap();
    let tar = dest.with_extension("tar");
    let out = Command::new("git")
        .arg("-C")
        .arg(repo)
        .args(["archive", "--format=tar", "-o"])
        .arg(&tar)
        .arg(commit)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(dest)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Reading only the files the file-checkable items need, from git objects, decides them as a
/// scan of the whole checkout does; and a whole tree read from git objects is scanned as the
/// same files on disk are.
#[test]
fn replay_decides_as_a_scan_of_the_checkout_does() {
    if !require_git() || !garrison_test::require::program("tar", &["--version"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(bh) = from_bundle("boost-histogram.bundle", dir.path()) else {
        return;
    };
    let ps = points(&bh, "2019-01", UNTIL).unwrap();
    let mut opts = garrison_fleet::scan_options(UNTIL);
    opts.analyses.history = false;
    opts.history_cache = None;
    for month in ["2019-06", "2021-01", "2023-01", "2026-08"] {
        let p = ps.iter().find(|p| p.month == month).unwrap();
        let replayed = evaluate_month(&bh, p).unwrap();
        let co = dir.path().join(month);
        archive(&bh, &p.commit, &co);
        let scanned = garrison_fleet::evaluate_checkout(&co).unwrap();
        assert_eq!(replayed.facts, scanned.facts, "{month}");
        for ((item, r), s) in replayed
            .items
            .iter()
            .zip(&replayed.verdicts)
            .zip(&scanned.verdicts)
        {
            if item.file_checkable {
                assert_eq!(r, s, "{month} {}", item.id);
            }
        }
        // Every analysis but the history window and the tags (which differ by design: the
        // archive has no git): the same findings from objects as from disk.
        let tree = garrison_fleet::evaluate_tree(&bh, &p.commit, &opts).unwrap();
        let disk = garrison_fleet::evaluate_dir(&co, &opts).unwrap();
        let key = |e: &Evaluation| {
            let mut v: Vec<(String, String, String)> = e
                .findings
                .iter()
                .filter(|f| {
                    f.rule != "info/not-evaluated" && f.rule != "posture/unsigned-release-tags"
                })
                .map(|f| {
                    (
                        f.rule.to_string(),
                        f.locations
                            .first()
                            .map(|l| l.path.clone())
                            .unwrap_or_default(),
                        f.message.clone(),
                    )
                })
                .collect();
            v.sort();
            v
        };
        assert_eq!(key(&tree), key(&disk), "{month}");
        let rules: BTreeSet<String> = key(&tree).into_iter().map(|(r, _, _)| r).collect();
        // The dependency audit read the dependency files from git objects, and binary
        // artifacts were sniffed from blobs.
        assert!(
            rules.contains("deps/vulnerable-range"),
            "{month}: {rules:?}"
        );
        if month != "2019-06" {
            assert!(
                rules.contains("posture/binary-artifact"),
                "{month}: {rules:?}"
            );
        }
    }
}
