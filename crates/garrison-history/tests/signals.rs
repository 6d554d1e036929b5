//! Contribution-risk signals on small repositories built with real `git`: for every registered
//! signal a scenario where it fires and a benign look-alike where it must not (or stays at
//! info), the XZ-Utils-like story end to end, landings, identities, calibration and range
//! review. Each test skips when `git` is not installed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod common;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use garrison_history::risk::Contribution;
use garrison_history::rules::{Evidence, Role};
use garrison_history::{
    Analysis, AnalyzeOptions, AuthorSummary, History, LandingKind, MineOptions, ScoredCommit,
    analyze, landings, mine,
};
use garrison_report::Severity;
use garrison_test::git::{Built, GITHUB};

/// Returns early when `git` is missing (a failure under CI).
macro_rules! need_git {
    () => {
        if !garrison_test::git::require_git() {
            return;
        }
    };
}

/// 2019-01-01T00:00:00Z.
const START: i64 = 1_546_300_800;

/// Commit ids by label.
type Ids = BTreeMap<&'static str, String>;

/// Where repositories shared by several tests of this process are built.
fn shared_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("garrison-history-signals")
}

/// The XZ-like story (see `common::xz_story`), built once per test process.
fn xz() -> &'static (Repo, Ids) {
    static REPO: OnceLock<(Repo, Ids)> = OnceLock::new();
    REPO.get_or_init(|| {
        let r = Repo::at(&shared_dir().join("xz"));
        let ids = xz_story(&r, START);
        (r, ids)
    })
}

fn mined(r: &Repo) -> History {
    let h = mine(r.path(), &MineOptions::default()).unwrap();
    assert!(h.warnings.is_empty(), "{:?}", h.warnings);
    h
}

fn analyzed(r: &Repo) -> (History, Analysis) {
    let h = mined(r);
    let a = analyze(&h, &AnalyzeOptions::default());
    (h, a)
}

fn scored<'a>(a: &'a Analysis, id: &str) -> Option<&'a ScoredCommit> {
    a.commits.iter().find(|c| c.id == id)
}

fn contribution<'a>(s: &'a ScoredCommit, rule: &str) -> Option<&'a Contribution> {
    s.contributions.iter().find(|c| c.evidence.rule.id == rule)
}

fn rules_of(s: &ScoredCommit) -> Vec<&'static str> {
    s.contributions.iter().map(|c| c.evidence.rule.id).collect()
}

/// At most info: not reported, or reported at info.
fn at_most_info(a: &Analysis, id: &str) -> bool {
    scored(a, id).is_none_or(|s| s.severity == Severity::Info)
}

fn author<'a>(a: &'a Analysis, email: &str) -> &'a AuthorSummary {
    a.authors
        .iter()
        .find(|p| p.emails.iter().any(|e| e == email))
        .unwrap_or_else(|| panic!("no author {email}"))
}

/// The change evidence every signal gives commit `id` on its own (before calibration, context
/// or the reporting threshold), so "does not fire" is checked directly.
fn fires<'a>(ev: &'a [Evidence], rule: &str) -> Option<&'a Evidence> {
    ev.iter().find(|e| e.rule.id == rule)
}

const BIN_REWRITE: &str = "history/binary-fixture-rewrite";
const UNREFERENCED: &str = "history/unreferenced-opaque-file";
const OPAQUE: &str = "history/opaque-blob-added";
const IGNORE: &str = "history/ignore-rules-hide-files";
const BUILD: &str = "history/build-system-change";
const CI: &str = "history/ci-workflow-change";
const POLICY: &str = "history/security-policy-weakened";
const SELF: &str = "history/self-committed";
const RIGHTS: &str = "history/recent-rights";
const NEW: &str = "history/new-contributor";
const TIME: &str = "history/unusual-time";
const ANOMALY: &str = "history/anomalous-commit";

/// The rules these scenarios cover are the registered ones (a rename shows up here).
#[test]
fn covered_rules_are_registered() {
    let registered: Vec<&str> = garrison_history::registry::rules()
        .iter()
        .map(|r| r.id)
        .collect();
    for id in [
        BIN_REWRITE,
        OPAQUE,
        IGNORE,
        BUILD,
        CI,
        POLICY,
        SELF,
        RIGHTS,
        NEW,
        TIME,
        ANOMALY,
    ] {
        assert!(registered.contains(&id), "{id} is not registered");
    }
}

// ---- the headline: an XZ-Utils-like story ----

#[test]
fn xz_like_rewrite_of_test_files_is_the_top_commit() {
    need_git!();
    let (r, ids) = xz();
    let (h, a) = analyzed(r);
    assert_eq!(
        a.fitted,
        h.commits.iter().filter(|c| !c.is_merge).count(),
        "every landed non-merge commit is fitted"
    );

    let top = &a.commits[0];
    assert_eq!(top.id, ids["rewrite"], "{:#?}", a.commits);
    assert_eq!(top.summary, "Tests: Update two test files");
    assert_eq!(top.author, "Jia Tan <jiat@example.org>");
    assert_eq!(top.severity, Severity::High, "score {}", top.score);

    // Change: 4 (opaque rewrite, no text changed) + 1 (test directory) + 2 (much larger than
    // its siblings), not calibrated down: nothing like it ever happened in this repository.
    let rewrite = contribution(top, BIN_REWRITE).unwrap();
    assert_eq!(rewrite.evidence.role, Role::Change);
    assert_eq!(rewrite.evidence.weight, 7.0);
    assert_eq!(rewrite.applied, 7.0);
    assert!(rewrite.note.is_none(), "{:?}", rewrite.note);
    let msg = &rewrite.evidence.message;
    assert!(
        msg.starts_with("rewrites 2 binary files (tests/files/bad-3-corrupt_lzma2.xz, …)"),
        "{msg}"
    );
    assert!(msg.contains("changes no text file"), "{msg}");
    assert!(
        msg.contains(
            "tests/files/good-large_compressed.lzma is 40.0 KiB where its 7 siblings' median is 440 B"
        ),
        "{msg}"
    );
    assert_eq!(
        rewrite.evidence.path.as_deref(),
        Some("tests/files/bad-3-corrupt_lzma2.xz")
    );

    // Context: pushed by Jia himself, 59 days after he first committed someone else's work.
    let selfc = contribution(top, SELF).unwrap();
    assert_eq!(selfc.applied, 1.5);
    assert!(
        selfc
            .evidence
            .message
            .contains("pushed to the main line by its author"),
        "{}",
        selfc.evidence.message
    );
    let rights = contribution(top, RIGHTS).unwrap();
    assert_eq!(rights.applied, 1.3, "short tenure before the rights: ×1.3");
    let hans_short = &ids["hans"][..10];
    assert!(
        rights.evidence.message.contains(&format!(
            "first showed push/release rights 59 days earlier (2022-07-14: committed {hans_short} by Hans Jansen)"
        )),
        "{}",
        rights.evidence.message
    );
    // Jia is not new any more (seven earlier commits over seven months), and his clock is not
    // judged (fewer than 20 commits).
    assert!(contribution(top, NEW).is_none(), "{:?}", rules_of(top));
    assert!(contribution(top, TIME).is_none(), "{:?}", rules_of(top));

    // Nothing names the rewritten fixtures: the test script reads `files/*.xz` and the README
    // is prose. 3 + 1 (test directory) + 1 (a rewrite) + 1 (much larger than its siblings).
    let unref = contribution(top, UNREFERENCED).unwrap();
    assert_eq!(unref.applied, 6.0);
    assert!(
        unref.evidence.message.starts_with(
            "rewrites tests/files/good-large_compressed.lzma (40.0 KiB), which no code, test, build file or manifest names at this commit (searched 12 files for `good-large_compressed.lzma` and `good-large_compressed`) (and 1 more)"
        ),
        "{}",
        unref.evidence.message
    );

    // The score is the change times the context times the anomaly model's factor.
    let model = (0.5 + top.anomaly).clamp(0.8, 1.3);
    let want = (7.0 + 6.0) * 1.5 * 1.3 * model;
    assert!((top.score - want).abs() < 1e-9, "{} vs {want}", top.score,);
    // The model finds the commit unusual for this repository (0.5 is ordinary) and says why.
    assert!(top.anomaly > 0.55, "{}", top.anomaly);
    if let Some(anomaly) = contribution(top, ANOMALY) {
        assert!(
            anomaly
                .evidence
                .message
                .contains("binary/opaque files high (the repository's median is 0)"),
            "{}",
            anomaly.evidence.message
        );
    }

    // The commit that added the fixtures (with a README line) is reported lower, as an opaque
    // addition that nothing names (the README line does not hide it), not as a rewrite.
    let add = &a.commits[1];
    assert_eq!(add.id, ids["add_fixtures"]);
    assert!(add.severity >= Severity::Medium, "score {}", add.score);
    assert!(add.score < top.score);
    assert!(contribution(add, BIN_REWRITE).is_none());
    assert!(
        contribution(add, UNREFERENCED).is_some(),
        "{:?}",
        rules_of(add)
    );
    let opaque = contribution(add, OPAQUE).unwrap();
    assert!(
        opaque
            .evidence
            .message
            .starts_with("adds opaque file tests/files/bad-3-corrupt_lzma2.xz (400 B; opaque type, test fixture) (and 1 more)"),
        "{}",
        opaque.evidence.message
    );

    // Nothing else in four years of ordinary history is reported: not Lasse's commits, not
    // Bob's or Jia's merged pull requests, not the commit of Hans's patch.
    let reported: HashSet<&str> = a.commits.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        reported,
        HashSet::from([ids["rewrite"].as_str(), ids["add_fixtures"].as_str()])
    );

    // The findings carry every contribution.
    let findings = a.findings();
    assert_eq!(findings[0].rule, BIN_REWRITE);
    assert_eq!(findings[0].severity, Severity::High);
    let contributions = findings[0].evidence["contributions"].as_array().unwrap();
    let rules: Vec<&str> = contributions
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        &rules[..4],
        &[BIN_REWRITE, UNREFERENCED, SELF, RIGHTS],
        "{rules:?}"
    );

    // Jia's profile: rights from the commit of Hans's patch, the v5.4.0 tag.
    let jia = author(&a, "jiat@example.org");
    assert_eq!(jia.state.commits, 8, "six pull requests and two pushes");
    assert_eq!(
        jia.state.rights_evidence.as_deref(),
        Some(format!("committed {hans_short} by Hans Jansen").as_str())
    );
    assert_eq!(jia.tags.len(), 1);
    assert_eq!(jia.tags[0].0, "v5.4.0");
    assert_eq!(jia.flagged, 2);
    assert_eq!(jia.max_score, top.score);
    let lasse = author(&a, "lasse@tukaani.example");
    assert_eq!(lasse.flagged, 0);
    assert!(
        lasse
            .state
            .rights_evidence
            .as_deref()
            .is_some_and(|e| e.starts_with("merged ")),
        "{:?}",
        lasse.state.rights_evidence
    );
}

#[test]
fn xz_like_rewrite_under_review_is_at_least_medium() {
    need_git!();
    let (r, ids) = xz();
    let h = mined(r);
    // As if the rewrite were a pull request: pending, so not landed by anyone yet.
    let pending = HashSet::from([ids["rewrite"].clone()]);
    let a = analyze(
        &h,
        &AnalyzeOptions {
            since: None,
            pending,
            review: true,
        },
    );
    assert_eq!(a.evaluated, 1);
    assert_eq!(a.commits.len(), 1);
    let c = &a.commits[0];
    assert_eq!(c.id, ids["rewrite"]);
    assert!(
        contribution(c, SELF).is_none(),
        "not landed: not self-committed"
    );
    assert!(contribution(c, RIGHTS).is_some());
    // Same calibration as after landing: the rewrite is scored at its full weight.
    assert_eq!(contribution(c, BIN_REWRITE).unwrap().applied, 7.0);
    assert!(c.score >= 7.0 * 1.3 * 0.8, "{}", c.score);
    assert!(c.severity >= Severity::Medium, "{}", c.score);
}

/// An empty range under review (`HEAD..HEAD`, a base ahead of the head) reports and scores
/// nothing; without `review` an empty pending set means the whole history.
#[test]
fn an_empty_range_under_review_reports_nothing() {
    need_git!();
    let (r, _) = xz();
    let h = mined(r);
    let empty = AnalyzeOptions {
        review: true,
        ..AnalyzeOptions::default()
    };
    let a = analyze(&h, &empty);
    assert_eq!((a.evaluated, a.commits.len()), (0, 0));
    assert!(a.findings().is_empty());
    let all = analyze(&h, &AnalyzeOptions::default());
    assert!(
        all.evaluated > 40 && !all.commits.is_empty(),
        "{}",
        all.evaluated
    );
}

// ---- binary files: rewrites and additions ----

/// A scientific project: Maria maintains it for two years; Raj reviews and merges.
const MARIA: Who = Who::of("Maria Keller", "maria@sci.example");
const RAJ: Who = Who::of("Raj Patel", "raj@sci.example");

/// Built once per test process.
fn science_repo() -> &'static (Repo, Ids) {
    static REPO: OnceLock<(Repo, Ids)> = OnceLock::new();
    REPO.get_or_init(|| {
        let r = Repo::at(&shared_dir().join("science"));
        let ids = science_story(&r);
        (r, ids)
    })
}

fn science_story(r: &Repo) -> Ids {
    let mut ids = BTreeMap::new();
    r.write("src/core.py", "def f():\n    return 1\n");
    r.write(
        "tools/make_data.py",
        "import numpy as np\nnp.save('ref.npy', np.arange(10))\n",
    );
    r.write("tests/data/ref.npy", blob(2000, 1));
    r.write("tests/data/other.npy", blob(2100, 2));
    r.write("tests/data/third.npy", blob(1900, 3));
    r.write("docs/_static/plot.png", blob(5000, 4));
    r.write("docs/images/logo.png", blob(3000, 5));
    r.write(".github/workflows/ci.yml", "on: push\njobs: {}\n");
    r.write(".github/workflows/wheels.yml", "on: release\njobs: {}\n");
    r.commit("Initial commit", &MARIA, local(START, 0, 10, 60));
    r.tag("v1.0", &MARIA, local(START, 1, 10, 60));
    let last = r.routine(&MARIA, local(START, 20, 10, 60), 16, 40);
    let day = (last.time - START) / DAY + 10;

    // Data regenerated together with the script that produces it.
    r.append("tools/make_data.py", "np.save('other.npy', np.ones(10))\n");
    r.write("tests/data/ref.npy", blob(2000, 11));
    r.write("docs/_static/plot.png", blob(5100, 12));
    ids.insert(
        "regen",
        r.commit(
            "Regenerate reference data",
            &MARIA,
            local(START, day, 11, 60),
        ),
    );
    // Only data rewritten, pushed by Maria.
    r.write("tests/data/other.npy", blob(2100, 13));
    ids.insert(
        "data_only",
        r.commit(
            "Update reference array",
            &MARIA,
            local(START, day + 5, 11, 60),
        ),
    );
    // A docs image updated through a pull request Raj merges.
    let logo = blob(3200, 14);
    let (c, _) = r.pull_request(
        "logo",
        "docs: new logo",
        &[("docs/images/logo.png", &logo)],
        &MARIA,
        local(START, day + 10, 11, 60),
        &RAJ,
    );
    ids.insert("logo", c);
    // CI and release workflow edits through pull requests Raj merges.
    let (c, _) = r.pull_request(
        "ci",
        "ci: test on 3.13",
        &[(".github/workflows/ci.yml", b"on: push\njobs: {}\n# 3.13\n")],
        &MARIA,
        local(START, day + 15, 11, 60),
        &RAJ,
    );
    ids.insert("ci", c);
    let (c, _) = r.pull_request(
        "wheels",
        "ci: build arm64 wheels",
        &[(
            ".github/workflows/wheels.yml",
            b"on: release\njobs: {}\n# arm64\n",
        )],
        &MARIA,
        local(START, day + 20, 11, 60),
        &RAJ,
    );
    ids.insert("wheels", c);
    // A file under .github that is not a workflow, and docs about CI.
    r.write(".github/ISSUE_TEMPLATE/bug.yml", "name: Bug\n");
    r.write("docs/ci.md", "How CI works\n");
    ids.insert(
        "template",
        r.commit(
            "docs: issue template",
            &MARIA,
            local(START, day + 25, 11, 60),
        ),
    );
    ids
}

#[test]
fn scientific_data_regenerated_with_its_script_is_not_a_fixture_rewrite() {
    need_git!();
    let (r, ids) = science_repo();
    let (h, a) = analyzed(r);

    let regen = change_evidence(&h, &ids["regen"]);
    assert!(fires(&regen, BIN_REWRITE).is_none(), "{regen:?}");
    assert!(scored(&a, &ids["regen"]).is_none());

    // Data rewritten alone still fires, but scientific formats weigh little (0.5 instead of 4+),
    // and a long-time maintainer's push of it stays at info.
    let data = change_evidence(&h, &ids["data_only"]);
    assert_eq!(fires(&data, BIN_REWRITE).unwrap().weight, 0.5);
    assert!(at_most_info(&a, &ids["data_only"]));

    // A docs image through a reviewed pull request: at most info, never self-committed.
    let logo = change_evidence(&h, &ids["logo"]);
    assert_eq!(fires(&logo, BIN_REWRITE).unwrap().weight, 0.5);
    assert!(at_most_info(&a, &ids["logo"]));
    assert!(
        scored(&a, &ids["logo"]).is_none_or(|s| contribution(s, SELF).is_none()),
        "merged by Raj"
    );
    // Nothing in this repository goes above info.
    assert!(
        a.commits.iter().all(|c| c.severity == Severity::Info),
        "{:#?}",
        a.commits
    );
}

#[test]
fn ci_edits_merged_by_someone_else_stay_at_info() {
    need_git!();
    let (r, ids) = science_repo();
    let (h, a) = analyzed(r);
    let ci = change_evidence(&h, &ids["ci"]);
    let e = fires(&ci, CI).unwrap();
    assert_eq!(e.weight, 0.75);
    assert!(
        e.message
            .starts_with("changes CI configuration .github/workflows/ci.yml (+1 -0)"),
        "{}",
        e.message
    );
    let wheels = change_evidence(&h, &ids["wheels"]);
    let e = fires(&wheels, CI).unwrap();
    assert_eq!(e.weight, 1.5, "a release workflow weighs more");
    assert!(
        e.message
            .starts_with("changes release workflow .github/workflows/wheels.yml"),
        "{}",
        e.message
    );
    for k in ["ci", "wheels"] {
        assert!(at_most_info(&a, &ids[k]), "{k}: {:?}", scored(&a, &ids[k]));
        if let Some(s) = scored(&a, &ids[k]) {
            assert!(contribution(s, SELF).is_none());
        }
    }
    // Landed by Raj's merges.
    let lands = landings(&h);
    for k in ["ci", "wheels", "logo"] {
        let i = h.commits.iter().position(|c| c.id == ids[k]).unwrap();
        assert_eq!(lands[i].kind, LandingKind::Merge);
        assert_eq!(lands[i].by.as_ref().unwrap().email, RAJ.email);
    }
    // A file under .github that is not a workflow is not CI.
    assert!(fires(&change_evidence(&h, &ids["template"]), CI).is_none());
}

/// A year of Maria's maintenance before the changes under test: the initial import, then a
/// routine commit a month; the changes follow, from 2019-12-10 on, three days apart.
const CHANGE_BASE: &str = r#"
person maria = Maria Keller <maria@sci.example>
author maria
date 2019-01-01T10:00+01:00
commit Initial commit
  write src/core.py
  | def f():
  |     return 1
  write .gitignore
  | build/
  | dist/
  | *.egg-info
  | __pycache__/
  write CMakeLists.txt
  | project(x C)
  | add_library(x src/x.c)
  write tests/files/a.bin binary 300 seed 1
  write tests/files/b.bin binary 320 seed 2
  write tests/files/c.bin binary 310 seed 3
  write docs/building.rst
  | Building
  | ========
date 2019-01-11T10:00+01:00
routine 12 every 30d
date 2019-12-07T11:00+01:00
"#;

/// [`CHANGE_BASE`] followed by `changes` (a commit script; each change preceded by `date +3d`).
fn change_repo(changes: &str) -> Built {
    garrison_test::git::build(&format!("{CHANGE_BASE}{changes}"))
}

#[test]
fn opaque_blob_added_fires_for_opaque_test_files_not_for_scientific_data() {
    need_git!();
    let b = change_repo(
        r#"
date +3d
commit [test file] Add test file
  write tests/files/d.xz binary 350 seed 9
date +3d
commit [helper] Add helper
  write tests/files/helper.so binary 60000 seed 10
  chmod +x tests/files/helper.so
date +3d
commit [arrays] Add reference arrays
  write tests/data/ref.npy binary 4000 seed 11
  write docs/_static/fig.png binary 9000 seed 12
date +3d
commit [unknown] Add unknown blob outside tests
  write src/blob binary 500 seed 13
"#,
    );
    let h = mined(&b.repo);
    let e = change_evidence(&h, b.id("test file"));
    let o = fires(&e, OPAQUE).unwrap();
    assert_eq!(o.weight, 1.5, "opaque type + test fixture");
    assert_eq!(o.path.as_deref(), Some("tests/files/d.xz"));

    let e = change_evidence(&h, b.id("helper"));
    let o = fires(&e, OPAQUE).unwrap();
    assert_eq!(
        o.weight, 4.5,
        "opaque + test + executable + much larger than siblings"
    );
    assert!(
        o.message.contains("executable")
            && o.message.contains("58.6 KiB vs median 320 B of 4 siblings"),
        "{}",
        o.message
    );

    let e = change_evidence(&h, b.id("arrays"));
    assert!(fires(&e, OPAQUE).is_none(), "scientific data: {e:?}");

    let e = change_evidence(&h, b.id("unknown"));
    assert_eq!(fires(&e, OPAQUE).unwrap().weight, 0.5, "unknown binary");

    // The root commit (an initial import with binaries) is never an opaque addition.
    let root = h.commits.last().unwrap();
    assert!(fires(&change_evidence(&h, &root.id), OPAQUE).is_none());

    // Three opaque additions in a small repository are not "routine": a variant must occur at
    // least five times besides the scored commit before calibration discounts it.
    let (_, a) = analyzed(&b.repo);
    let s = scored(&a, b.id("helper")).unwrap();
    let c = contribution(s, OPAQUE).unwrap();
    assert!((c.applied - 4.5).abs() < 1e-9, "{}", c.applied);
    assert!(c.note.is_none(), "{:?}", c.note);
    assert!(contribution(s, SELF).is_some());
    // Scientific data stays quiet; a fixture and a blob that nothing names weigh as payload
    // carriers would (history/unreferenced-opaque-file), the fixture more.
    assert!(at_most_info(&a, b.id("arrays")));
    let unref = |l: &str| {
        fires(&change_evidence(&h, b.id(l)), UNREFERENCED)
            .map(|e| e.weight)
            .unwrap_or(0.0)
    };
    assert_eq!(unref("test file"), 4.0);
    assert_eq!(unref("unknown"), 3.0);
    assert_eq!(unref("arrays"), 0.0);
}

#[test]
fn binary_fixture_rewrite_needs_a_rewrite_without_text() {
    need_git!();
    let b = change_repo(
        r#"
date +3d
commit [alone] Update a test file
  write tests/files/a.bin binary 300 seed 21
date +3d
commit [with test] Update a test file and its test
  write tests/files/b.bin binary 320 seed 22
  write tests/test_b.py
  | def test_b():
  |     pass
date +3d
commit [deleted] Delete a test file
  delete tests/files/c.bin
"#,
    );
    let h = mined(&b.repo);
    let e = change_evidence(&h, b.id("alone"));
    let rw = fires(&e, BIN_REWRITE).unwrap();
    assert_eq!(
        rw.weight, 5.0,
        "opaque rewrite in a test directory, same size"
    );
    assert!(!rw.message.contains("siblings"), "{}", rw.message);
    assert!(fires(&change_evidence(&h, b.id("with test")), BIN_REWRITE).is_none());
    assert!(fires(&change_evidence(&h, b.id("deleted")), BIN_REWRITE).is_none());
}

#[test]
fn ignore_rules_change_fires_when_rules_are_added_not_removed() {
    need_git!();
    let b = change_repo(
        r#"
date +3d
commit [macro] Ignore generated macro
  append .gitignore
  | m4/build-to-host.m4
date +3d
commit [drop] Drop an old ignore
  replace .gitignore
  - __pycache__/
date +3d
commit [attributes] Hide the test files' diffs
  write .gitattributes
  | tests/files/* binary
"#,
    );
    let h = mined(&b.repo);
    let e = change_evidence(&h, b.id("macro"));
    assert_eq!(
        fires(&e, IGNORE).unwrap().path.as_deref(),
        Some(".gitignore")
    );
    assert!(fires(&change_evidence(&h, b.id("drop")), IGNORE).is_none());
    let e = change_evidence(&h, b.id("attributes"));
    assert_eq!(
        fires(&e, IGNORE).unwrap().path.as_deref(),
        Some(".gitattributes")
    );
}

#[test]
fn build_system_change_fires_on_build_files_and_new_ones_weigh_more() {
    need_git!();
    let b = change_repo(
        r#"
date +3d
commit [macro] Add a macro
  write m4/build-to-host.m4
  | AC_DEFUN([gl_BUILD_TO_HOST], [])
date +3d
commit [cmake] Edit CMake
  append CMakeLists.txt
  | target_link_libraries(x m)
date +3d
commit [docs] Document the build
  append docs/building.rst
  | Run cmake.
"#,
    );
    let h = mined(&b.repo);
    let e = change_evidence(&h, b.id("macro"));
    let added = fires(&e, BUILD).unwrap();
    assert!(
        added
            .message
            .starts_with("adds build file m4/build-to-host.m4 (+1 -0)"),
        "{}",
        added.message
    );
    let e = change_evidence(&h, b.id("cmake"));
    let edited = fires(&e, BUILD).unwrap();
    assert!(
        edited
            .message
            .starts_with("changes build file CMakeLists.txt (+1 -0)"),
        "{}",
        edited.message
    );
    assert!(added.weight > edited.weight);
    assert!(fires(&change_evidence(&h, b.id("docs")), BUILD).is_none());
    // Alone, an edit of the build system by the maintainer is not reported.
    let (_, a) = analyzed(&b.repo);
    assert!(scored(&a, b.id("cmake")).is_none());
}

// ---- security policy ----

/// Maria maintains a project with a 20-line SECURITY.md (tagged v1.0 long ago), then makes
/// one change to the policy.
fn policy_repo(change: &dyn Fn(&Repo)) -> (Repo, History, Analysis, String) {
    let r = Repo::new();
    let policy: String = (1..=20)
        .map(|i| format!("Report vulnerabilities privately, step {i}.\n"))
        .collect();
    r.write("SECURITY.md", &policy);
    r.write("src/core.py", "x = 1\n");
    r.commit("Initial commit", &MARIA, local(START, 0, 10, 60));
    r.tag("v1.0", &MARIA, local(START, 1, 10, 60));
    let last = r.routine(&MARIA, local(START, 10, 10, 60), 10, 60);
    change(&r);
    let day = (last.time - START) / DAY + 5;
    let id = r.commit(
        "Update the security policy",
        &MARIA,
        local(START, day, 11, 60),
    );
    let (h, a) = analyzed(&r);
    (r, h, a, id)
}

#[test]
fn security_policy_that_only_grows_is_not_weakened() {
    need_git!();
    let (_r, h, a, id) =
        policy_repo(&|r| r.append("SECURITY.md", "Also see our bug bounty.\nThanks!\n"));
    assert!(fires(&change_evidence(&h, &id), POLICY).is_none());
    assert!(scored(&a, &id).is_none());
    // Two lines reworded: fewer than three removed.
    let (_r, h, _, id) = policy_repo(&|r| {
        let p = r.path().join("SECURITY.md");
        let s = std::fs::read_to_string(&p).unwrap();
        r.write(
            "SECURITY.md",
            s.replace("step 1.", "step one.")
                .replace("step 2.", "step two."),
        );
    });
    assert!(fires(&change_evidence(&h, &id), POLICY).is_none());
}

#[test]
fn security_policy_trimmed_by_ten_lines_fires() {
    need_git!();
    let (_r, h, a, id) = policy_repo(&|r| {
        let p = r.path().join("SECURITY.md");
        let s = std::fs::read_to_string(&p).unwrap();
        let kept: String = s.lines().take(10).map(|l| format!("{l}\n")).collect();
        r.write("SECURITY.md", kept);
    });
    let e = change_evidence(&h, &id);
    let p = fires(&e, POLICY).unwrap();
    assert_eq!(p.weight, 3.0);
    // The content scanner names what was removed (the reporting contact here), and replaces
    // the line-count evidence.
    assert!(
        p.message
            .starts_with("security policy content removed (removed line"),
        "{}",
        p.message
    );
    assert!(p.message.contains("of SECURITY.md"), "{}", p.message);
    assert_eq!(e.iter().filter(|x| x.rule.id == POLICY).count(), 1);
    let s = scored(&a, &id).unwrap();
    // The score alone is low; losing the reporting channel is medium at least.
    assert!(s.score < 6.0, "{}", s.score);
    assert_eq!(s.severity, Severity::Medium, "{}", s.score);
    assert_eq!(contribution(s, POLICY).unwrap().applied, 3.0);
    assert!(contribution(s, SELF).is_some(), "pushed by Maria herself");
    // Maria tagged v1.0 years ago and has a long history: no recent rights, not new.
    assert!(contribution(s, RIGHTS).is_none(), "{:?}", rules_of(s));
    assert!(contribution(s, NEW).is_none(), "{:?}", rules_of(s));
}

#[test]
fn security_policy_deleted_fires() {
    need_git!();
    let (_r, h, a, id) = policy_repo(&|r| r.remove("SECURITY.md"));
    let e = change_evidence(&h, &id);
    let p = fires(&e, POLICY).unwrap();
    assert_eq!(p.weight, 5.0);
    assert_eq!(p.message, "deletes the security policy SECURITY.md");
    let s = scored(&a, &id).unwrap();
    assert!(s.severity >= Severity::Medium, "{}", s.score);
    assert_eq!(a.findings()[0].rule, POLICY);
}

// ---- landing and self-committed ----

const DAN: Who = Who::of("Dan Reviewer", "dan@example.org");
const JO: Who = Who::of("Jo Author", "jo@example.org");

#[test]
fn landings_tell_direct_push_merge_self_merge_and_web_ui() {
    need_git!();
    let r = Repo::new();
    r.write("src/core.py", "x = 1\n");
    r.write("SECURITY.md", text(12, 0));
    r.write("tests/files/a.bin", blob(300, 1));
    r.write(".github/workflows/release.yml", "on: release\n");
    let root = r.commit("Initial commit", &DAN, local(START, 0, 10, 0));
    r.routine(&DAN, local(START, 1, 10, 0), 8, 10);

    // Jo pushes directly: trims the policy.
    r.write("SECURITY.md", text(4, 0));
    let direct = r.commit("Shorten the policy", &JO, local(START, 100, 10, 0));
    // Jo's branch merged by Dan: rewrites a fixture.
    let fixture = blob(300, 2);
    let (by_other, merge_other) = r.pull_request(
        "fixture",
        "Update fixture",
        &[("tests/files/a.bin", &fixture)],
        &JO,
        local(START, 110, 10, 0),
        &DAN,
    );
    // Jo's branch merged by Jo: adds an executable blob.
    r.branch("tool");
    r.write("tests/tools/run.bin", blob(700, 3));
    {
        use std::os::unix::fs::PermissionsExt;
        let p = r.path().join("tests/tools/run.bin");
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let self_merged = r.commit("Add a tool", &JO, local(START, 120, 10, 0));
    r.checkout("main");
    let self_merge = r.merge("tool", &JO, local(START, 121, 10, 0));
    // A squash merge through GitHub's web UI: authored by Jo, committed by GitHub.
    r.write(".github/workflows/release.yml", "on: release\n# sign\n");
    let squash = r.commit_as(
        "Sign releases (#12)",
        &JO,
        local(START, 130, 10, 0),
        &GITHUB,
        local(START, 131, 10, 0),
    );
    // A merge commit made through the web UI: the merge's author is who pressed the button.
    r.branch("docs");
    r.write("docs/index.md", "Docs\n");
    let via_web_merge = r.commit("Docs", &JO, local(START, 140, 10, 0));
    r.checkout("main");
    r.git(
        &[
            "merge",
            "-q",
            "--no-ff",
            "-m",
            "Merge pull request #13",
            "docs",
        ],
        &[
            ("GIT_AUTHOR_NAME", DAN.name.into()),
            ("GIT_AUTHOR_EMAIL", DAN.email.into()),
            ("GIT_AUTHOR_DATE", local(START, 141, 10, 0).git()),
            ("GIT_COMMITTER_NAME", GITHUB.name.into()),
            ("GIT_COMMITTER_EMAIL", GITHUB.email.into()),
            ("GIT_COMMITTER_DATE", local(START, 141, 10, 0).git()),
        ],
    );
    let web_merge = r.head();

    let h = mined(&r);
    let lands = landings(&h);
    let land = |id: &str| {
        let i = h.commits.iter().position(|c| c.id == id).unwrap();
        lands[i].clone()
    };
    let l = land(&root);
    assert_eq!(
        (l.kind, l.by.unwrap().email),
        (LandingKind::Direct, DAN.email.to_string())
    );
    let l = land(&direct);
    assert_eq!(l.kind, LandingKind::Direct);
    assert_eq!(l.by.unwrap().email, JO.email);
    assert!(l.merge.is_none());
    let l = land(&by_other);
    assert_eq!(l.kind, LandingKind::Merge);
    assert_eq!(l.by.unwrap().email, DAN.email);
    assert_eq!(l.merge.as_deref(), Some(merge_other.as_str()));
    assert_eq!(
        land(&merge_other).kind,
        LandingKind::Direct,
        "merges are on the main line"
    );
    let l = land(&self_merged);
    assert_eq!(l.kind, LandingKind::Merge);
    assert_eq!(l.by.unwrap().email, JO.email);
    assert_eq!(l.merge.as_deref(), Some(self_merge.as_str()));
    let l = land(&squash);
    assert_eq!(l.kind, LandingKind::WebUi);
    assert!(l.by.is_none(), "who pressed the button is not recorded");
    let l = land(&web_merge);
    assert_eq!(l.kind, LandingKind::WebUi);
    let l = land(&via_web_merge);
    assert_eq!(l.kind, LandingKind::Merge);
    assert_eq!(l.by.unwrap().email, DAN.email, "the web-UI merge's author");

    // Self-committed: only the direct push and the self-merge.
    let a = analyze(&h, &AnalyzeOptions::default());
    let s = scored(&a, &direct).unwrap();
    assert!(
        contribution(s, SELF)
            .unwrap()
            .evidence
            .message
            .contains("pushed to the main line by its author"),
        "{:?}",
        rules_of(s)
    );
    let s = scored(&a, &self_merged).unwrap();
    assert_eq!(
        contribution(s, SELF).unwrap().evidence.message,
        format!(
            "merged by its own author in {} (approvals, if any, are not recorded in git)",
            &self_merge[..10]
        )
    );
    let s = scored(&a, &by_other).unwrap();
    assert!(contribution(s, SELF).is_none(), "{:?}", rules_of(s));
    let s = scored(&a, &squash).unwrap();
    assert!(contribution(s, SELF).is_none(), "{:?}", rules_of(s));
    // GitHub never becomes a person with rights or commits.
    assert!(
        a.authors
            .iter()
            .all(|p| !p.emails.contains(&GITHUB.email.to_string())),
        "{:?}",
        a.authors.iter().map(|p| &p.label).collect::<Vec<_>>()
    );
    // Dan's rights come from the web-UI merge too, but his first sign is his first merge.
    let dan = author(&a, &DAN.email);
    assert_eq!(
        dan.state.rights_evidence.as_deref(),
        Some(format!("merged {}", &merge_other[..10]).as_str())
    );
}

// ---- identities and rights ----

#[test]
fn mailmap_and_same_name_merging_feed_contributor_profiles() {
    need_git!();
    const ANN_OLD: Who = Who::of("ann", "ann@old.example");
    const ANN: Who = Who::of("Ann Lee", "ann@new.example");
    const BEN_WORK: Who = Who::of("Ben  Ng", "ben@work.example");
    const BEN_HOME: Who = Who::of("ben ng", "Ben@Home.example");
    const CARL: Who = Who::of("Carl Dunn", "carl@example.org");
    let r = Repo::new();
    r.write(".mailmap", "Ann Lee <ann@new.example> <ann@old.example>\n");
    r.write("src/core.py", "x = 1\n");
    let first = local(START, 0, 10, 0);
    r.commit("Initial commit", &ANN_OLD, first);
    r.routine(&ANN_OLD, local(START, 5, 10, 0), 2, 5);
    r.tag("v1.0", &ANN_OLD, local(START, 20, 10, 0));
    r.routine(&ANN, local(START, 30, 10, 0), 2, 5);
    r.routine(&BEN_WORK, local(START, 50, 10, 0), 2, 5);
    // Ben, under his other address, commits Carl's patch.
    r.write("src/carl.py", "y = 2\n");
    let carl = r.commit_as(
        "Carl's patch",
        &CARL,
        local(START, 60, 10, 0),
        &BEN_HOME,
        local(START, 62, 10, 0),
    );
    // Ben's home-address branch, merged by Dan.
    let (_, merge) = r.pull_request(
        "ben",
        "Ben's change",
        &[("src/ben.py", b"z = 3\n")],
        &BEN_HOME,
        local(START, 70, 10, 0),
        &DAN,
    );
    let h = mined(&r);
    let a = analyze(&h, &AnalyzeOptions::default());

    let ann = author(&a, "ann@new.example");
    assert_eq!(
        ann.emails,
        vec!["ann@new.example"],
        ".mailmap maps the old address"
    );
    assert_eq!(ann.names, vec!["Ann Lee"]);
    assert_eq!(ann.state.commits, 5);
    assert_eq!(ann.state.first_seen, Some(first.time));
    assert_eq!(ann.state.rights_since, Some(local(START, 20, 10, 0).time));
    assert_eq!(ann.state.rights_evidence.as_deref(), Some("tagged v1.0"));
    assert_eq!(
        ann.tags,
        vec![("v1.0".to_string(), local(START, 20, 10, 0).time)]
    );
    assert_eq!(ann.per_year.get("2019"), Some(&5));

    let ben = author(&a, "ben@work.example");
    assert_eq!(ben.emails, vec!["ben@home.example", "ben@work.example"]);
    assert!(
        ben.merge_evidence
            .iter()
            .any(|e| e == "same name \"ben ng\" for emails ben@home.example, ben@work.example"),
        "{:?}",
        ben.merge_evidence
    );
    assert_eq!(
        ben.state.commits, 3,
        "2 at work + 1 from home; Carl's is Carl's"
    );
    assert_eq!(ben.state.first_seen, Some(local(START, 50, 10, 0).time));
    assert_eq!(ben.state.rights_since, Some(local(START, 62, 10, 0).time));
    assert_eq!(
        ben.state.rights_evidence,
        Some(format!("committed {} by Carl Dunn", &carl[..10]))
    );

    let carl_p = author(&a, &CARL.email);
    assert_eq!(carl_p.state.commits, 1);
    assert!(carl_p.state.rights_since.is_none());

    let dan = author(&a, &DAN.email);
    assert_eq!(dan.state.commits, 0, "merges are not authored commits");
    assert_eq!(
        dan.state.rights_evidence,
        Some(format!("merged {}", &merge[..10]))
    );
    // Most commits first.
    assert_eq!(a.authors[0].label, "Ann Lee <ann@new.example>");
}

#[test]
fn recent_rights_weighs_less_for_long_standing_contributors() {
    need_git!();
    const OLD: Who = Who::of("Olga Old", "olga@example.org");
    let r = Repo::new();
    r.write("src/core.py", "x = 1\n");
    r.write("tests/files/a.bin", blob(300, 1));
    r.write("tests/files/b.bin", blob(300, 2));
    r.commit("Initial commit", &DAN, local(START, 0, 10, 0));
    // Olga contributes for four years, then tags her first release and rewrites a fixture.
    r.routine(&OLD, local(START, 1, 10, 0), 10, 150);
    r.tag("v2.0", &OLD, local(START, 1600, 10, 0));
    r.write("tests/files/a.bin", blob(300, 3));
    let olga = r.commit("Update fixture", &OLD, local(START, 1610, 10, 0));
    // Jo arrives, tags a release two months later and rewrites the other fixture.
    r.routine(&JO, local(START, 1620, 10, 0), 6, 5);
    r.tag("v2.1", &JO, local(START, 1680, 10, 0));
    r.write("tests/files/b.bin", blob(300, 4));
    let jo = r.commit("Update fixture", &JO, local(START, 1700, 10, 0));
    // Two years later Jo trims nothing but rewrites again: rights no longer recent.
    r.routine(&JO, local(START, 1710, 10, 0), 6, 100);
    r.write("tests/files/a.bin", blob(300, 5));
    let later = r.commit("Update fixture again", &JO, local(START, 2400, 10, 0));

    let (_, a) = analyzed(&r);
    let s = scored(&a, &olga).unwrap();
    let c = contribution(s, RIGHTS).unwrap();
    assert_eq!(
        c.applied, 1.1,
        "over three years of tenure before the rights"
    );
    assert!(
        c.evidence
            .message
            .contains("first showed push/release rights 10 days earlier")
            && c.evidence.message.ends_with(": tagged v2.0)"),
        "{}",
        c.evidence.message
    );
    let s = scored(&a, &jo).unwrap();
    assert_eq!(contribution(s, RIGHTS).unwrap().applied, 1.3);
    assert!(
        contribution(s, NEW).is_some(),
        "Jo's first commit was 80 days earlier"
    );
    let s = scored(&a, &later).unwrap();
    assert!(contribution(s, RIGHTS).is_none(), "{:?}", rules_of(s));
    assert!(contribution(s, NEW).is_none(), "{:?}", rules_of(s));
}

// ---- unusual time ----

#[test]
fn unusual_time_needs_a_habit_and_a_break_from_it() {
    need_git!();
    const UTE: Who = Who::of("Ute Habit", "ute@example.org");
    const VIC: Who = Who::of("Vic Newer", "vic@example.org");
    let r = Repo::new();
    r.write("src/core.py", "x = 1\n");
    r.write("SECURITY.md", text(15, 0));
    r.write("tests/files/a.bin", blob(300, 1));
    r.write("tests/files/b.bin", blob(300, 2));
    r.commit("Initial commit", &UTE, local(START, 0, 10, 60));
    // 22 commits, all at UTC+01:00 between 09:00 and 16:00.
    for k in 0..22i64 {
        r.append("src/core.py", &format!("# {k}\n"));
        r.commit(
            &format!("core: change {k}"),
            &UTE,
            local(START, 1 + k * 7, 9 + k % 8, 60),
        );
    }
    // A sensitive change at her usual time and offset.
    r.write("tests/files/a.bin", blob(300, 3));
    let usual = r.commit("Update fixture", &UTE, local(START, 200, 14, 60));
    // Vic, with three commits, at an odd hour and offset.
    r.routine(&VIC, local(START, 210, 10, 60), 3, 2);
    r.write("tests/tools/helper.so", blob(900, 4));
    {
        use std::os::unix::fs::PermissionsExt;
        let p = r.path().join("tests/tools/helper.so");
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let vic = r.commit("Add helper", &VIC, local(START, 220, 3, -480));
    // Ute at 03:00 UTC-08:00 trims the policy.
    r.write("SECURITY.md", text(5, 0));
    let odd = r.commit("Shorten the policy", &UTE, local(START, 230, 3, -480));

    let (h, a) = analyzed(&r);
    let c = h.commits.iter().find(|c| c.id == odd).unwrap();
    assert_eq!(c.author_offset_minutes, -480);

    let s = scored(&a, &odd).unwrap();
    let t = contribution(s, TIME).unwrap();
    assert_eq!(t.evidence.role, Role::Context);
    assert_eq!(t.applied, 1.15);
    assert_eq!(
        t.evidence.message,
        "UTC-08:00 never used before by this author, and 03:00 local is an hour they rarely commit at"
    );
    let s = scored(&a, &usual).unwrap();
    assert!(contribution(s, TIME).is_none(), "{:?}", rules_of(s));
    let s = scored(&a, &vic).unwrap();
    assert!(
        contribution(s, TIME).is_none(),
        "three commits are no habit: {:?}",
        rules_of(s)
    );
    assert!(contribution(s, NEW).is_some());
    let ute = author(&a, &UTE.email);
    assert_eq!(ute.state.offsets.len(), 2);
}

// ---- calibration ----

/// 20 commits by Maria after the initial one, of which every third changes the release
/// workflow when `routine`; then a commit changing the workflow and deleting SECURITY.md.
fn ci_repo(routine: bool) -> (Analysis, String) {
    let r = Repo::new();
    r.write("src/core.py", "x = 1\n");
    r.write("SECURITY.md", text(10, 0));
    r.write(".github/workflows/release.yml", "on: release\n");
    r.commit("Initial commit", &MARIA, local(START, 0, 10, 60));
    for k in 0..20i64 {
        if routine && k % 3 == 0 {
            r.append(".github/workflows/release.yml", &format!("# {k}\n"));
        } else {
            r.append("src/core.py", &format!("# {k}\n"));
        }
        r.commit(
            &format!("change {k}"),
            &MARIA,
            local(START, 1 + k * 20, 10, 60),
        );
    }
    r.append(".github/workflows/release.yml", "# sign\n");
    r.remove("SECURITY.md");
    let id = r.commit("Release changes", &MARIA, local(START, 500, 10, 60));
    (analyzed(&r).1, id)
}

#[test]
fn calibration_discounts_what_is_routine_in_the_repository() {
    need_git!();
    let (routine, id_r) = ci_repo(true);
    let (rare, id_q) = ci_repo(false);
    // 8 of 22 commits change the release workflow in one repository, 1 in the other.
    let f = routine.frequencies[CI];
    assert!((f - 8.0 / 22.0).abs() < 1e-9, "{f}");
    assert!((rare.frequencies[CI] - 1.0 / 22.0).abs() < 1e-9);

    let s = scored(&routine, &id_r).unwrap();
    let c = contribution(s, CI).unwrap();
    assert_eq!(c.evidence.weight, 1.5);
    assert_eq!(c.applied, 1.5 * 0.25, "floor of the calibration factor");
    let note = c.note.as_deref().unwrap();
    assert!(note.starts_with("routine here: 33.3% of commits"), "{note}");
    // The security-policy deletion is as rare in both.
    assert_eq!(contribution(s, POLICY).unwrap().applied, 5.0);

    let s2 = scored(&rare, &id_q).unwrap();
    let c2 = contribution(s2, CI).unwrap();
    assert_eq!(c2.applied, 1.5, "the only workflow change: not routine");
    assert!(c2.note.is_none(), "{:?}", c2.note);
    assert!(c2.applied > c.applied);
    // Before the anomaly model's factor, the commit scores (5 + 1.5) × 1.5 against
    // (5 + 0.375) × 1.5.
    let before_model = |s: &ScoredCommit| s.score / (0.5 + s.anomaly).clamp(0.8, 1.3);
    assert!(
        (before_model(s2) - 6.5 * 1.5).abs() < 1e-9,
        "{}",
        before_model(s2)
    );
    assert!(
        (before_model(s) - 5.375 * 1.5).abs() < 1e-9,
        "{}",
        before_model(s)
    );
}

// ---- range review ----

const PAT: Who = Who::of("Pat Newcomer", "pat@example.org");
const QUINN: Who = Who::of("Quinn Other", "quinn@example.org");

/// Maria's history on `main`, then branch `pr`: Pat commits Quinn's work, then deletes the
/// security policy.
fn review_repo() -> (Repo, String, String) {
    let r = Repo::new();
    r.write("src/core.py", "x = 1\n");
    r.write("SECURITY.md", text(10, 0));
    r.commit("Initial commit", &MARIA, local(START, 0, 10, 60));
    r.routine(&MARIA, local(START, 10, 10, 60), 10, 20);
    r.branch("pr");
    r.write("src/quinn.py", "q = 1\n");
    let quinn = r.commit_as(
        "Quinn's fix",
        &QUINN,
        local(START, 300, 10, 0),
        &PAT,
        local(START, 301, 10, 0),
    );
    r.remove("SECURITY.md");
    let delete = r.commit("Remove outdated policy", &PAT, local(START, 302, 10, 0));
    (r, quinn, delete)
}

#[test]
fn range_review_reports_only_pending_commits_and_builds_no_rights_from_them() {
    need_git!();
    let (r, quinn, delete) = review_repo();
    let h = mined(&r);
    let pr = mine(
        r.path(),
        &MineOptions {
            range: Some(("main".into(), "pr".into())),
            ..Default::default()
        },
    )
    .unwrap();
    let pending: HashSet<String> = pr.commits.iter().map(|c| c.id.clone()).collect();
    assert_eq!(pending, HashSet::from([quinn.clone(), delete.clone()]));

    let a = analyze(
        &h,
        &AnalyzeOptions {
            since: None,
            pending: pending.clone(),
            review: true,
        },
    );
    assert_eq!(a.evaluated, 2);
    assert_eq!(a.fitted, 11, "Maria's commits only");
    assert!(a.commits.iter().all(|c| pending.contains(&c.id)));
    let s = scored(&a, &delete).unwrap();
    assert!(s.severity >= Severity::Medium, "{}", s.score);
    assert!(contribution(s, SELF).is_none(), "pending: not landed yet");
    assert!(
        contribution(s, RIGHTS).is_none(),
        "committing Quinn's work in the same range shows no rights: {:?}",
        rules_of(s)
    );
    assert_eq!(
        contribution(s, NEW).unwrap().evidence.message,
        "first commit by Pat Newcomer <pat@example.org> in this history"
    );
    assert!(
        a.authors
            .iter()
            .all(|p| !p.emails.contains(&PAT.email.to_string())),
        "pending commits build no profile"
    );

    // The same commits once landed (pushed by Pat): rights and self-commit count.
    let landed = analyze(&h, &AnalyzeOptions::default());
    assert_eq!(landed.evaluated, 13);
    let s = scored(&landed, &delete).unwrap();
    assert!(contribution(s, SELF).is_some());
    let c = contribution(s, RIGHTS).unwrap();
    assert!(
        c.evidence
            .message
            .contains(&format!("committed {} by Quinn Other", &quinn[..10])),
        "{}",
        c.evidence.message
    );
    let pat = author(&landed, &PAT.email);
    assert!(pat.state.rights_since.is_some());

    // `since` limits what is reported, not what is learnt.
    let recent = analyze(
        &h,
        &AnalyzeOptions {
            since: Some(local(START, 302, 0, 0).time),
            pending: HashSet::new(),
            review: false,
        },
    );
    assert_eq!(recent.evaluated, 1);
    assert_eq!(recent.commits.len(), 1);
    assert_eq!(recent.commits[0].id, delete);
    assert!(contribution(&recent.commits[0], RIGHTS).is_some());
}

#[test]
fn a_release_tagged_after_the_last_commit_counts() {
    need_git!();
    let r = Repo::new();
    r.write("src/core.py", "x = 1\n");
    r.commit("Initial commit", &MARIA, local(START, 0, 10, 60));
    r.routine(&MARIA, local(START, 1, 10, 60), 3, 1);
    // Raj, who never committed, tags the release on HEAD: the newest event of the history.
    r.tag("v1.0", &RAJ, local(START, 10, 10, 60));
    let (_, a) = analyzed(&r);
    let raj = author(&a, &RAJ.email);
    assert_eq!(
        raj.tags,
        vec![("v1.0".to_string(), local(START, 10, 10, 60).time)]
    );
    assert_eq!(raj.state.rights_evidence.as_deref(), Some("tagged v1.0"));
}

#[test]
fn finding_about_a_file_deleted_since_points_at_the_commit() {
    need_git!();
    let b = change_repo(
        r#"
date +3d
commit [loader] Add loader
  write src/loader.py
  | import base64
  | exec(base64.b64decode(PAYLOAD))
  append CMakeLists.txt
  | add_library(y src/y.c)
date +3d
commit [cleanup] Remove loader
  delete src/loader.py
"#,
    );
    let (h, a) = analyzed(&b.repo);
    let s = scored(&a, b.id("loader")).expect("the loader commit is reported");
    let p = s.primary().unwrap();
    assert_eq!(p.evidence.path.as_deref(), Some("src/loader.py"));
    assert!(p.evidence.deleted_since);
    let f = a
        .findings()
        .into_iter()
        .find(|f| f.evidence["commit"] == b.id("loader"))
        .unwrap();
    // No location names the deleted path; the primary one is the commit, the path in its note.
    assert!(
        f.locations.iter().all(|l| l.path != "src/loader.py"),
        "{:?}",
        f.locations
    );
    let primary = f.primary().unwrap();
    let short = &b.id("loader")[..10];
    assert_eq!(primary.path, ".");
    assert_eq!(
        primary.route.as_deref(),
        Some(format!("commit {short}").as_str())
    );
    assert_eq!(
        primary.note.as_deref(),
        Some(format!("src/loader.py:2 at commit {short} (deleted since)").as_str())
    );
    // The evidence still names it, marked; a file that still exists keeps its location.
    let contributions = f.evidence["contributions"].as_array().unwrap();
    let marked: Vec<(&str, bool)> = contributions
        .iter()
        .filter(|c| !c["path"].is_null())
        .map(|c| (c["path"].as_str().unwrap(), c["deleted_since"] == true))
        .collect();
    assert!(marked.contains(&("src/loader.py", true)), "{marked:?}");
    assert!(marked.contains(&("CMakeLists.txt", false)), "{marked:?}");
    assert!(
        f.locations.iter().any(|l| l.path == "CMakeLists.txt"),
        "{:?}",
        f.locations
    );
    // The fingerprint does not change when the file is deleted later: a baseline still
    // matches it.
    let kept = change_repo(
        r#"
date +3d
commit [loader] Add loader
  write src/loader.py
  | import base64
  | exec(base64.b64decode(PAYLOAD))
  append CMakeLists.txt
  | add_library(y src/y.c)
"#,
    );
    let (_, ka) = analyzed(&kept.repo);
    let kf = ka
        .findings()
        .into_iter()
        .find(|f| f.evidence["commit"] == kept.id("loader"))
        .unwrap();
    assert_eq!(kf.primary().unwrap().path, "src/loader.py");
    assert_eq!(
        kept.id("loader"),
        b.id("loader"),
        "same script, same commit"
    );
    assert_eq!(kf.fingerprint, f.fingerprint);
    // The text report says so too.
    let report = garrison_history::review::report(b.repo.path(), &a, &h);
    let text = garrison_history::print::ranked(&h, &a, &report, 0, "all commits", "history");
    assert!(
        text.contains("at src/loader.py:2 (deleted since)"),
        "{text}"
    );
}
