//! End-to-end tests of `garrison history`, `garrison review`, `garrison contributors` and the
//! history part of `garrison scan`, on the XZ-Utils-like repository of the history crate's
//! tests (built with real `git`; skipped when `git` is missing, a failure under CI). No test touches the user's
//! cache: history commands run with `--no-cache`, and every command gets `GARRISON_CACHE_DIR`
//! under Cargo's test temporary directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

#[path = "../../garrison-history/tests/common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{SystemTime, UNIX_EPOCH};

use assert_cmd::Command;
use common::{DAY, Repo, xz_story};
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
    let mut c = Command::cargo_bin("garrison").unwrap();
    c.env_remove("NO_COLOR")
        .env_remove("GARRISON_DB")
        .env("GARRISON_CACHE_DIR", cache_dir());
    c
}

fn run(c: &mut Command) -> (i32, String, String) {
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
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

fn short(id: &str) -> &str {
    &id[..10]
}

#[test]
fn history_text_ranks_the_rewrite_first_with_its_evidence_and_authors() {
    let Some((r, ids)) = xz() else { return };
    let (code, out, err) = run(garrison().arg("history").arg(r.path()).arg("--no-cache"));
    // The rewrite is high, and `history` fails on high by default.
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("garrison history: all commits: 43 commits scored, model fitted on 43 commits of this repository"),
        "{out}"
    );
    let first = out.find("\n#1 ").expect("a ranked list");
    let entry = &out[first..out.find("\n#2 ").unwrap()];
    let head = "\n#1   high   risk  ";
    assert!(entry.starts_with(head), "{entry}");
    let (score, rest) = entry[head.len()..].trim_start().split_once("  ").unwrap();
    assert!(score.parse::<f64>().unwrap() >= 10.0, "{entry}");
    assert!(
        rest.starts_with(&format!(
            "{}  2022-09-12  Jia Tan <jiat@example.org>\n",
            short(&ids["rewrite"])
        )),
        "{entry}"
    );
    assert!(
        entry.contains("\"Tests: Update two test files\""),
        "{entry}"
    );
    for needle in [
        "history/binary-fixture-rewrite",
        "+7.0",
        "tests/files/good-large_compressed.lzma is 40.0 KiB where its 7 siblings' median is 440 B",
        "history/self-committed",
        "×1.50",
        "pushed to the main line by its author",
        "history/recent-rights",
        "×1.30",
        &format!("committed {} by Hans Jansen", short(&ids["hans"])),
    ] {
        assert!(entry.contains(needle), "missing {needle:?} in {entry}");
    }
    let second = &out[out.find("\n#2 ").unwrap()..];
    assert!(second.contains(short(&ids["add_fixtures"])), "{second}");
    assert!(!out.contains("\n#3 "), "only two commits reported: {out}");

    let authors = &out[out
        .find("Authors of these commits:")
        .expect("authors section")..];
    assert!(
        authors.contains(&format!(
            "Jia Tan <jiat@example.org>: 8 commits 2022-02-04 → 2022-09-12, 0% sensitive, rights since 2022-07-14 (committed {} by Hans Jansen); 2 reported, max risk ",
            short(&ids["hans"])
        )),
        "{authors}"
    );
    assert!(!authors.contains("Lasse"), "{authors}");
    assert!(
        out.contains("2 reported: 1 high, 0 medium, 1 low, 0 info."),
        "{out}"
    );

    // --top 1 shows one commit and says how many more there are.
    let (_, out, _) =
        run(garrison()
            .arg("history")
            .arg(r.path())
            .args(["--no-cache", "--top", "1"]));
    assert!(!out.contains("\n#2 "), "{out}");
    assert!(out.contains("… 1 more reported commits"), "{out}");
    // --since after the rewrite: nothing reported, exit 0.
    let (code, out, _) =
        run(garrison()
            .arg("history")
            .arg(r.path())
            .args(["--no-cache", "--since", "2022-09-20"]));
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("commits since 2022-09-20: 1 commits scored"),
        "{out}"
    );
    assert!(out.contains("No risky commits."), "{out}");
}

#[test]
fn history_json_and_sarif() {
    let Some((r, ids)) = xz() else { return };
    let (code, out, err) =
        run(garrison()
            .arg("history")
            .arg(r.path())
            .args(["--no-cache", "--format", "json"]));
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["version"], 1);
    let findings = v["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 2, "{out}");
    assert!(
        findings
            .iter()
            .all(|f| f["rule"].as_str().unwrap().starts_with("history/")),
        "{out}"
    );
    let f = findings
        .iter()
        .find(|f| f["evidence"]["commit"] == ids["rewrite"].as_str())
        .expect("the rewrite is a finding");
    assert_eq!(f["rule"], "history/binary-fixture-rewrite");
    assert_eq!(f["severity"], "high");
    assert_eq!(f["fingerprint"].as_str().map(str::len), Some(16), "{f:#}");
    assert_eq!(f["evidence"]["author"], "Jia Tan <jiat@example.org>");
    assert!(f["evidence"]["score"].as_f64().unwrap() >= 10.0);
    let contributions = f["evidence"]["contributions"].as_array().unwrap();
    let rules: Vec<&str> = contributions
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        &rules[..3],
        &[
            "history/binary-fixture-rewrite",
            "history/self-committed",
            "history/recent-rights"
        ],
        "{rules:?}"
    );
    assert_eq!(contributions[0]["role"], "change");
    assert_eq!(contributions[0]["applied"], 7.0);
    assert_eq!(contributions[1]["role"], "context");
    assert_eq!(contributions[1]["applied"], 1.5);
    assert_eq!(
        f["locations"][0]["path"], "tests/files/bad-3-corrupt_lzma2.xz",
        "{f:#}"
    );
    // Fingerprints differ between the two commits.
    assert_ne!(findings[0]["fingerprint"], findings[1]["fingerprint"]);

    let (code, out, _) =
        run(garrison()
            .arg("history")
            .arg(r.path())
            .args(["--no-cache", "-f", "sarif"]));
    assert_eq!(code, 1);
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["version"], "2.1.0");
    let results = s["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        results
            .iter()
            .any(|x| x["ruleId"] == "history/binary-fixture-rewrite" && x["level"] == "error"),
        "{out}"
    );
    assert!(results.iter().all(|x| {
        x["partialFingerprints"]
            .as_object()
            .is_some_and(|o| !o.is_empty())
    }));
}

#[test]
fn review_fails_on_a_range_with_the_rewrite_and_passes_a_benign_range() {
    let Some((r, ids)) = xz() else { return };
    let bad = format!("{}..{}", ids["add_fixtures"], ids["rewrite"]);
    let (code, out, err) = run(garrison()
        .args(["review", &bad])
        .arg(r.path())
        .arg("--no-cache"));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("(1 commits under review)"), "{out}");
    assert!(out.contains(short(&ids["rewrite"])), "{out}");
    assert!(out.contains("history/binary-fixture-rewrite"), "{out}");
    assert!(
        !out.contains("history/self-committed"),
        "a commit under review has not landed: {out}"
    );

    // Four years of Lasse's releases: nothing to report.
    let (code, out, err) = run(garrison()
        .args(["review", "v5.0.0..v5.2.0"])
        .arg(r.path())
        .arg("--no-cache"));
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("No risky commits."), "{out}");

    // The range adding the fixtures is reported, at info: below the default threshold.
    let add = format!("{}..{}", ids["hans"], ids["add_fixtures"]);
    let (code, out, _) = run(garrison()
        .args(["review", &add])
        .arg(r.path())
        .arg("--no-cache"));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(short(&ids["add_fixtures"])), "{out}");
    assert!(
        out.contains("1 reported: 0 high, 0 medium, 0 low, 1 info."),
        "{out}"
    );
    // --fail-on moves the threshold: nothing here is critical.
    let (code, _, _) = run(garrison().args(["review", &bad]).arg(r.path()).args([
        "--no-cache",
        "--fail-on",
        "critical",
    ]));
    assert_eq!(code, 0);
}

#[test]
fn contributors_profile_shows_rights_and_tags() {
    let Some((r, ids)) = xz() else { return };
    let (code, out, err) =
        run(garrison()
            .arg("contributors")
            .arg(r.path())
            .args(["--author", "jia", "--no-cache"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("Jia Tan <jiat@example.org>\n"), "{out}");
    assert!(
        out.contains(&format!(
            "rights since 2022-07-14 (committed {} by Hans Jansen)",
            short(&ids["hans"])
        )),
        "{out}"
    );
    assert!(
        out.contains("releases: tagged 1 (v5.4.0 2022-07-24 → v5.4.0 2022-07-24)"),
        "{out}"
    );
    assert!(out.contains("offsets:  UTC+08:00 (8)"), "{out}");
    assert!(out.contains("riskiest commits:"), "{out}");
    assert!(out.contains(short(&ids["rewrite"])), "{out}");

    let (code, out, _) = run(garrison().arg("contributors").arg(r.path()).args([
        "--no-cache",
        "-f",
        "json",
        "--author",
        "lasse",
    ]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let lasse = &v[0];
    assert_eq!(lasse["label"], "Lasse Collin <lasse@tukaani.example>");
    assert_eq!(lasse["commits"], 26);
    let tags: Vec<&str> = lasse["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(tags, vec!["v5.0.0", "v5.2.0"]);
    assert!(
        lasse["rights_evidence"]
            .as_str()
            .unwrap()
            .starts_with("merged "),
        "{lasse}"
    );
    assert_eq!(lasse["reported_commits"].as_array().unwrap().len(), 0);

    // The list: most active first.
    let (code, out, _) = run(garrison()
        .arg("contributors")
        .arg(r.path())
        .arg("--no-cache"));
    assert_eq!(code, 0);
    assert!(out.starts_with("4 contributors in "), "{out}");
    let lasse_at = out.find("Lasse Collin").unwrap();
    let jia_at = out.find("Jia Tan").unwrap();
    assert!(lasse_at < jia_at, "{out}");
}

#[test]
fn bad_inputs_exit_2_with_a_clear_message() {
    let (code, _, err) =
        run(garrison().args(["history", "/nonexistent/garrison/repo", "--no-cache"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("/nonexistent/garrison/repo: no such file or directory"),
        "{err}"
    );

    let (code, _, err) = run(garrison().args(["review", "notarange", "--no-cache"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`notarange`: expected a revision range BASE..HEAD"),
        "{err}"
    );

    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("README"), "not a repository\n").unwrap();
    let (code, _, err) = run(garrison()
        .arg("history")
        .arg(plain.path())
        .arg("--no-cache"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot open git repository"), "{err}");
    let (code, _, err) = run(garrison()
        .arg("contributors")
        .arg(plain.path())
        .arg("--no-cache"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot open git repository"), "{err}");

    let Some((r, _)) = xz() else { return };
    let (code, _, err) = run(garrison()
        .args(["review", "nosuchrev..HEAD"])
        .arg(r.path())
        .arg("--no-cache"));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot resolve revision nosuchrev"), "{err}");
    let (code, _, err) =
        run(garrison()
            .arg("history")
            .arg(r.path())
            .args(["--no-cache", "--since", "yesterday"]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("`yesterday`: expected a date (2024-01-31), a date and time"),
        "{err}"
    );
    let (code, _, err) = run(garrison().arg("contributors").arg(r.path()).args([
        "--no-cache",
        "--author",
        "nobody-here",
    ]));
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("no contributor matches `nobody-here`"),
        "{err}"
    );
}

#[test]
fn history_cache_goes_to_garrison_cache_dir() {
    let Some((r, _)) = xz() else { return };
    let dir = tempfile::tempdir().unwrap();
    let (code, first, _) = run(garrison()
        .env("GARRISON_CACHE_DIR", dir.path())
        .arg("history")
        .arg(r.path()));
    assert_eq!(code, 1);
    let files: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(files.len(), 1, "one cache file per repository");
    let (_, second, _) = run(garrison()
        .env("GARRISON_CACHE_DIR", dir.path())
        .arg("history")
        .arg(r.path()));
    assert_eq!(first, second, "the cached run reports the same");
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

fn scan_json(path: &Path, extra: &[&str]) -> serde_json::Value {
    let db = tempfile::tempdir().unwrap();
    let (code, out, err) = run(garrison()
        .args(["scan", "-f", "json", "--isolated", "--db"])
        .arg(db.path().join("missing.db"))
        .args(extra)
        .arg(path));
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    serde_json::from_str(&out).unwrap()
}

fn history_findings(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"].as_str().unwrap().starts_with("history/"))
        .collect()
}

#[test]
fn scan_reviews_recent_history_unless_turned_off() {
    if !require_git() {
        return;
    }
    // The same story, ending 40 days ago: the rewrite (50 days ago) is inside the default
    // 90-day window.
    let r = Repo::new();
    let ids = xz_story(&r, now() - 1400 * DAY);
    let v = scan_json(r.path(), &[]);
    let found = history_findings(&v);
    assert!(
        found
            .iter()
            .any(|f| f["evidence"]["commit"] == ids["rewrite"].as_str()
                && f["rule"] == "history/binary-fixture-rewrite"),
        "{v:#}"
    );
    let v = scan_json(r.path(), &["--history-window", "off"]);
    assert!(history_findings(&v).is_empty(), "{v:#}");
    // A window that ends before the rewrite leaves it out.
    let v = scan_json(r.path(), &["--history-window", "45d"]);
    assert!(
        history_findings(&v)
            .iter()
            .all(|f| f["evidence"]["commit"] != ids["rewrite"].as_str()),
        "{v:#}"
    );
}

#[test]
fn scan_of_a_directory_without_git_says_history_was_not_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# not a git checkout\n").unwrap();
    let v = scan_json(dir.path(), &[]);
    let ne: Vec<_> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "info/not-evaluated" && f["evidence"]["check"] == "history")
        .collect();
    assert_eq!(ne.len(), 1, "{v:#}");
    let msg = ne[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("contribution-risk review of recent commits")
            && msg.contains("not a git checkout"),
        "{msg}"
    );
    assert!(history_findings(&v).is_empty());
}

fn run_snapshot(c: &mut Command, dir: &Path) -> String {
    let out = c.output().unwrap();
    let text = format!(
        "exit: {}\n--- stderr\n{}",
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr)
    );
    text.replace(&dir.display().to_string(), "[PROJECT]")
}

#[test]
fn history_input_errors_exit_2_and_say_what_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("README.md"), "# a project\n").unwrap();
    let scan = |extra: &[&str]| {
        run_snapshot(
            garrison()
                .env("GARRISON_NO_PROGRESS", "1")
                .args(["scan", "--db", "/nonexistent/garrison/advisories.db"])
                .args(extra)
                .arg(dir.path()),
            dir.path(),
        )
    };
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
    insta::assert_snapshot!(scan(&[]), @r"
    exit: 2
    --- stderr
    garrison: error: history-window in the configuration: `last year`: expected `off`, `all`, a date (2024-01-31), a date and time (2024-01-18T21:36:27+01:00; UTC without an offset), @UNIX-SECONDS, or a duration back from now (36h, 90d, 26w, 6m, 1y)
    ");
    // An unreadable baseline is refused before any mining (the directory is not a repository).
    let (code, _, err) = run(garrison()
        .args([
            "history",
            "--no-cache",
            "--baseline",
            "/nonexistent/garrison/baseline.json",
        ])
        .arg(dir.path()));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("/nonexistent/garrison/baseline.json"), "{err}");
    // The flag wins over the configuration, and `off` is a window.
    let (code, _, err) = run(garrison()
        .args([
            "scan",
            "--db",
            "/nonexistent/garrison/advisories.db",
            "--history-window",
            "off",
        ])
        .arg(dir.path()));
    assert!(code == 0 || code == 1, "{err}");

    insta::assert_snapshot!(
        run_snapshot(
            garrison().args(["contributors", "-f", "sarif"]).arg(dir.path()),
            dir.path()
        ),
        @r"
    exit: 2
    --- stderr
    error: invalid value 'sarif' for '--format <FORMAT>'
      [possible values: text, json]

    For more information, try '--help'.
    "
    );
    insta::assert_snapshot!(
        run_snapshot(
            garrison()
                .args(["history", "--no-cache", "--since", "yesterday"])
                .arg(dir.path()),
            dir.path()
        ),
        @r"
    exit: 2
    --- stderr
    garrison: error: --since `yesterday`: expected a date (2024-01-31), a date and time (2024-01-18T21:36:27+01:00; UTC without an offset), @UNIX-SECONDS, or a duration back from now (36h, 90d, 26w, 6m, 1y)
    "
    );
}

/// A checkout whose last commit is older than the scan's window says so instead of adding
/// nothing.
#[test]
fn scan_says_when_its_window_held_no_commits() {
    if !require_git() {
        return;
    }
    let old = now() - 400 * DAY;
    let b = garrison_test::git::build(&format!(
        "author Ann Lee <ann@example.org>\ndate @{old} +0000\ncommit only\n  write a.py\n  | x = 1\n"
    ));
    let v = scan_json(b.path(), &[]);
    let notes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "info/not-evaluated" && f["evidence"]["check"] == "history")
        .map(|f| f["evidence"]["reason"].as_str().unwrap())
        .collect();
    let date = garrison_source::time::date(old);
    assert_eq!(
        notes,
        [format!("no commits in the last 90 days; last commit {date}").as_str()]
    );
    let v = scan_json(b.path(), &["--history-window", "2y"]);
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["evidence"]["check"] != "history"),
        "{v:#}"
    );
}
