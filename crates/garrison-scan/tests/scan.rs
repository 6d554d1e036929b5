//! The composition as the fleet will call it: one checkout in, one report out, nothing printed;
//! warnings, progress and errors come back to the caller; the clock is the caller's.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use garrison_report::config::Config;
use garrison_report::{AdvisorySource, Report};
use garrison_scan::{
    Analyses, Progress, ScanError, ScanOptions, Stage, Warning, scan, scan_checkout, scan_paths,
};
use garrison_source::time::{DAY, days_from_civil};

/// Records the stages and steps a scan reports.
#[derive(Default, Clone)]
struct Recorder(Arc<Mutex<Vec<String>>>);

impl Recorder {
    fn events(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

impl Progress for Recorder {
    fn start(&self, what: &str, total: u64) -> Arc<dyn Stage> {
        self.0.lock().unwrap().push(format!("start {what} {total}"));
        Arc::new(self.clone())
    }
}

impl Stage for Recorder {
    fn step(&self, item: &str) {
        self.0.lock().unwrap().push(format!("step {item}"));
    }
    fn position(&self, _: u64, _: u64) {}
}

const WORKFLOW: &str = "on: issues\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.event.issue.title }}\n";

/// A checkout with a workflow that interpolates an issue title and a vulnerable pin.
fn checkout() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let wf = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&wf).unwrap();
    std::fs::write(wf.join("ci.yml"), WORKFLOW).unwrap();
    std::fs::write(dir.path().join("requirements.txt"), "requests==2.0.0\n").unwrap();
    dir
}

/// Options with no database (the embedded snapshot), no history cache, a recorder and a fixed
/// clock.
fn options(analyses: Analyses, dir: &Path, now: i64) -> (ScanOptions, Recorder) {
    let recorder = Recorder::default();
    let mut opts = ScanOptions::new(analyses);
    opts.deps.db = dir.join("no-database");
    opts.history_cache = None;
    opts.now = now;
    opts.progress = Arc::new(recorder.clone());
    (opts, recorder)
}

fn rules(report: &Report) -> Vec<&str> {
    report.findings.iter().map(|f| f.rule.as_str()).collect()
}

fn day(y: i64, m: i64, d: i64) -> i64 {
    days_from_civil(y, m, d) * DAY
}

#[test]
fn one_checkout_runs_every_analysis() {
    let dir = checkout();
    let (opts, recorder) = options(Analyses::ALL, dir.path(), day(2026, 1, 1));
    let scan = scan_checkout(dir.path(), &Config::default(), &opts).unwrap();
    let found = rules(&scan.report);
    assert!(found.contains(&"workflow/template-injection"), "{found:?}");
    assert!(found.contains(&"deps/known-vulnerability"), "{found:?}");
    assert!(found.iter().any(|r| r.starts_with("posture/")), "{found:?}");
    // No .git: the history part says it could not look.
    let history = scan.report.findings.iter().find(|f| {
        f.rule == "info/not-evaluated"
            && f.evidence.get("check").and_then(|c| c.as_str()) == Some("history")
    });
    assert!(history.is_some_and(|f| f.message.contains("not a git checkout")));
    assert!(scan.warnings.is_empty());
    let data = scan.report.advisories.as_ref().unwrap();
    assert_eq!(data.source, AdvisorySource::Embedded);
    assert!(
        scan.report
            .sources
            .get(".github/workflows/ci.yml")
            .is_some()
    );
    assert_eq!(
        recorder.events(),
        [
            "start reading dependency files 1",
            "step requirements.txt",
            "start mining history 0"
        ]
    );
}

#[test]
fn analyses_and_selection_limit_the_report() {
    let dir = checkout();
    let (opts, recorder) = options(Analyses::ACTIONS, dir.path(), day(2026, 1, 1));
    let cfg = Config {
        select: vec!["workflow".into()],
        ..Config::default()
    };
    let scan = scan_checkout(dir.path(), &cfg, &opts).unwrap();
    assert!(!scan.report.findings.is_empty());
    assert!(
        rules(&scan.report)
            .iter()
            .all(|r| r.starts_with("workflow/"))
    );
    assert!(
        scan.report
            .rules
            .iter()
            .all(|r| r.id.starts_with("workflow/"))
    );
    assert!(scan.report.advisories.is_none());
    assert!(recorder.events().is_empty());
}

#[test]
fn a_history_that_cannot_be_read_is_a_warning() {
    let dir = checkout();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    std::fs::write(dir.path().join(".git/HEAD"), "x").unwrap();
    let (opts, _) = options(Analyses::ALL, dir.path(), day(2026, 1, 1));
    let scan = scan_checkout(dir.path(), &Config::default(), &opts).unwrap();
    assert!(
        matches!(scan.warnings.as_slice(), [Warning::HistoryNotReviewed(_)]),
        "{:?}",
        scan.warnings
    );
    assert!(
        scan.warnings[0]
            .to_string()
            .starts_with("history not reviewed: ")
    );
    let noted = scan.report.findings.iter().any(|f| {
        f.rule == "info/not-evaluated" && f.message.contains("the git history could not be read")
    });
    assert!(noted);
}

#[test]
fn the_window_counts_back_from_the_callers_clock() {
    if !garrison_test::git::require_git() {
        return;
    }
    let built = garrison_test::git::build(
        "person mara = Mara Maintainer <mara@example.org>\nauthor mara\ndate 2020-09-14T12:00Z\ncommit initial import\n  write README.md\n  | hello\n",
    );
    let no_commits = |now: i64| {
        let (opts, _) = options(Analyses::ALL, built.path(), now);
        let scan = scan_checkout(built.path(), &Config::default(), &opts).unwrap();
        scan.report.findings.iter().any(|f| {
            f.message
                .contains("no commits in the last 90 days; last commit 2020-09-14")
        })
    };
    assert!(!no_commits(day(2020, 10, 1)));
    assert!(no_commits(day(2021, 10, 1)));
}

#[test]
fn several_paths_are_for_the_dependency_audit() {
    let (a, b) = (checkout(), checkout());
    let paths: Vec<PathBuf> = vec![a.path().into(), b.path().into()];
    let (opts, _) = options(Analyses::ALL, a.path(), day(2026, 1, 1));
    let err = scan(&paths, &Config::default(), &opts).err();
    assert!(matches!(err, Some(ScanError::OneCheckout)), "{err:?}");

    let (opts, recorder) = options(Analyses::DEPS, a.path(), day(2026, 1, 1));
    let scan = scan_paths(&paths, &Config::default(), &opts).unwrap();
    assert_eq!(scan.report.root, ".");
    // Each file is shown under the path it was found in.
    let shown = format!("{}/requirements.txt", b.path().display());
    assert!(scan.report.sources.get(&shown).is_some(), "{shown}");
    let found = rules(&scan.report);
    assert!(found.iter().all(|r| r.starts_with("deps/")), "{found:?}");
    let under = |dir: &Path| {
        let prefix = format!("{}/", dir.display());
        let at = |f: &&garrison_report::Finding| {
            f.primary().is_some_and(|l| l.path.starts_with(&prefix))
        };
        scan.report.findings.iter().filter(at).count()
    };
    assert!(under(a.path()) > 0);
    assert_eq!(under(a.path()) + under(b.path()), found.len());
    assert_eq!(under(a.path()), under(b.path()));
    assert_eq!(
        recorder
            .events()
            .iter()
            .filter(|e| e.starts_with("start"))
            .count(),
        2
    );
}

#[test]
fn input_errors_name_the_input() {
    let dir = checkout();
    let (mut opts, _) = options(Analyses::ALL, dir.path(), day(2026, 1, 1));
    let missing = dir.path().join("missing");
    let err = scan_checkout(&missing, &Config::default(), &opts)
        .err()
        .unwrap();
    assert!(
        matches!(&err, ScanError::NotFound(p) if *p == missing),
        "{err:?}"
    );

    opts.history_window = Some("bogus".into());
    let err = scan_checkout(dir.path(), &Config::default(), &opts)
        .err()
        .unwrap();
    assert!(
        err.to_string()
            .starts_with("--history-window `bogus`: expected"),
        "{err}"
    );
    opts.history_window = None;
    let cfg = Config {
        history_window: Some("soon".into()),
        ..Config::default()
    };
    let err = scan_checkout(dir.path(), &cfg, &opts).err().unwrap();
    assert!(
        err.to_string()
            .starts_with("history-window in the configuration: `soon`"),
        "{err}"
    );

    std::fs::write(dir.path().join("no-database"), "garbage").unwrap();
    let err = scan_checkout(dir.path(), &Config::default(), &opts)
        .err()
        .unwrap();
    assert!(matches!(err, ScanError::Database { .. }), "{err:?}");
    assert!(std::error::Error::source(&err).is_some());
}
