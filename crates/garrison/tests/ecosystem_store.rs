//! `garrison ecosystem scan|worker|report` against real stores: a fresh SQLite file, and the
//! PostgreSQL server named by `GARRISON_TEST_POSTGRES` (`.ci/run` starts one; under `CI` its
//! absence is a failure). Real git repositories, the corpus of ../shared/data/repos, real
//! processes killed with SIGKILL.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use garrison_store::{Mode, Store};
use garrison_test::git::{Repo, Who, utc};

fn garrison() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_garrison"));
    c.env("NO_COLOR", "1")
        .env("GARRISON_NO_PROGRESS", "1")
        .env("GARRISON_DB", "/nonexistent/garrison-test/advisories.db")
        .env_remove("GARRISON_DATABASE");
    c
}

fn corpus() -> Option<PathBuf> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/repos"
    ));
    garrison_test::require::require(p.exists().then_some(p), "the shared data")
}

/// A manifest of every corpus repository (as a local path).
fn corpus_manifest(dir: &Path) -> Option<(PathBuf, usize)> {
    let repos = corpus()?;
    let mut names: Vec<String> = std::fs::read_dir(&repos)
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_type()
                .ok()?
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    let mut toml = String::new();
    for n in &names {
        toml.push_str(&format!(
            "[[project]]\nname = \"{n}\"\nrepositories = [\"{}\"]\n\n",
            repos.join(n).display()
        ));
    }
    let path = dir.join("corpus.toml");
    std::fs::write(&path, toml).unwrap();
    Some((path, names.len()))
}

fn ok(c: &mut Command) -> String {
    let out = c.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        out.status.success(),
        "{c:?} failed ({}):\n{stderr}",
        out.status
    );
    stderr
}

fn report_json(db: &str, history: bool) -> serde_json::Value {
    let mut c = garrison();
    c.args(["ecosystem", "report", "--format", "json", "--database", db]);
    if history {
        c.arg("--history");
    }
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn by_name(report: &serde_json::Value) -> BTreeMap<String, serde_json::Value> {
    report["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap().to_string(), p.clone()))
        .collect()
}

#[test]
fn scan_stores_snapshots_skips_unchanged_heads_and_records_errors() {
    let Some(repos) = corpus() else { return };
    if !garrison_test::git::require_git() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = Repo::new();
    let who = Who::new("Ada", "ada@example.org");
    repo.write(
        ".github/workflows/release.yml",
        "on:\n  push:\n    tags: ['v*']\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - uses: pypa/gh-action-pypi-publish@release/v1\n",
    );
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"1.0\"\n",
    );
    let first = repo.commit("initial", &who, utc(1_700_000_000));
    let manifest = dir.path().join("m.toml");
    std::fs::write(
        &manifest,
        format!(
            "[[project]]\nname = \"demo\"\nrepositories = [\"{}\"]\n\n[[project]]\nname = \"cookie\"\nrepositories = [\"{}\"]\ncore = true\nendorses = [8]\n\n[[project]]\nname = \"gone\"\nrepositories = [\"missing-dir\"]\n\n[[project]]\nname = \"plain\"\nrepositories = [\"plain\"]\n",
            repo.path().display(),
            repos.join("scientific-python__cookie").display()
        ),
    )
    .unwrap();
    let plain = dir.path().join("plain");
    std::fs::create_dir_all(plain.join(".github/workflows")).unwrap();
    std::fs::write(
        plain.join("pyproject.toml"),
        "[project]\nname = \"plain\"\n",
    )
    .unwrap();
    let db = format!("sqlite:{}", dir.path().join("store/g.db").display());
    let scan = || {
        let mut c = garrison();
        c.args(["ecosystem", "scan", "--jobs", "2", "--manifest"])
            .arg(&manifest)
            .args(["--database", &db]);
        ok(&mut c)
    };
    let err = scan();
    assert!(
        err.contains("4 projects")
            && err.contains("3 evaluated, 0 unchanged since the last scan, 1 errors"),
        "{err}"
    );
    assert!(err.contains("error: gone: "), "{err}");
    let r = report_json(&db, false);
    assert_eq!(r["version"], 1);
    let p = by_name(&r);
    assert_eq!(p["demo"]["commit"].as_str(), Some(first.as_str()));
    assert_eq!(p["demo"]["items"].as_array().unwrap().len(), 17);
    let pinned = p["demo"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "spec8/actions-pinned-sha")
        .unwrap();
    assert_eq!(pinned["status"], "fails", "{pinned}");
    assert_eq!(
        pinned["evidence"][0]["path"],
        ".github/workflows/release.yml"
    );
    assert!(p["cookie"]["commit"].is_null());
    assert_eq!(p["cookie"]["core"], true);
    assert_eq!(p["cookie"]["endorses"], serde_json::json!([8]));
    assert!(
        p["gone"]["error"]
            .as_str()
            .unwrap()
            .contains("missing-dir: no such directory"),
        "{}",
        p["gone"]
    );
    assert_eq!(p["gone"]["items"], serde_json::json!([]));

    // Same HEAD, same files: carried over, not evaluated again.
    let err = scan();
    assert!(
        err.contains("0 evaluated, 3 unchanged since the last scan, 1 errors"),
        "{err}"
    );
    // A new commit, and a file added to a plain directory, are evaluated.
    repo.write(".github/workflows/release.yml", "on: push\njobs: {}\n");
    let second = repo.commit("fix", &who, utc(1_700_100_000));
    std::fs::write(
        plain.join("SECURITY.md"),
        "Report to security@example.org\n",
    )
    .unwrap();
    let err = scan();
    assert!(err.contains("2 evaluated, 1 unchanged"), "{err}");
    let p = by_name(&report_json(&db, false));
    assert_eq!(p["demo"]["commit"].as_str(), Some(second.as_str()));

    // The timeline: this month, for the two projects that could be evaluated.
    let h = report_json(&db, true);
    assert_eq!(h["version"], 1);
    let names: Vec<&str> = h["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["cookie", "demo", "plain"]);
    let month = &h["projects"][1]["timeline"][0];
    assert_eq!(month["month"].as_str().unwrap().len(), 7);
    assert_eq!(month["items"].as_object().unwrap().len(), 17);

    // CSV and Markdown carry the same verdicts.
    let out = garrison()
        .args(["ecosystem", "report", "--format", "csv", "--database", &db])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(
        csv.starts_with("project,core,spec,spec_adopted,item,status,"),
        "{csv}"
    );
    assert_eq!(csv.lines().filter(|l| l.starts_with("demo,")).count(), 17);
    assert!(
        csv.lines()
            .any(|l| l.starts_with("gone,") && l.contains("no such directory"))
    );
    let out = garrison()
        .args(["ecosystem", "report", "--database", &db])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("## SPEC 8"), "{md}");
    assert!(md.contains("| gone | error: "), "{md}");
}

#[test]
fn bad_stores_and_manifests_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, "not a database").unwrap();
    let out = garrison()
        .args(["ecosystem", "report", "--database"])
        .arg(format!("sqlite:{}", junk.display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("junk.db is not a Garrison database"), "{err}");
    assert_eq!(std::fs::read_to_string(&junk).unwrap(), "not a database");
    let out = garrison()
        .args(["ecosystem", "report", "--database", "mysql://root:pw@db/x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unsupported database URL `mysql://root:***@db/x`"),
        "{err}"
    );
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[project]]\nname = \"x\"\nrepositories = 3\n").unwrap();
    let out = garrison()
        .args(["ecosystem", "scan", "--manifest"])
        .arg(&bad)
        .arg("--database")
        .arg(format!("sqlite:{}", dir.path().join("new.db").display()))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:3:"), "{err}");
    assert!(!dir.path().join("new.db").exists());
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn wait_until(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn kill9(child: &mut Child) {
    let status = Command::new("kill")
        .args(["-9", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = child.wait();
}

#[test]
fn kill_9_during_a_scan_leaves_every_last_complete_snapshot_intact() {
    let dir = tempfile::tempdir().unwrap();
    let Some((manifest, n)) = corpus_manifest(dir.path()) else {
        return;
    };
    let path = dir.path().join("g.db");
    let db = format!("sqlite:{}", path.display());
    ok(garrison()
        .args(["ecosystem", "scan", "--jobs", "2", "--manifest"])
        .arg(&manifest)
        .args(["--database", &db]));
    let rt = runtime();
    // Again, forced, one project at a time; killed once a few snapshots of run 2 are written.
    let mut child = garrison()
        .args(["ecosystem", "scan", "--force", "--jobs", "1", "--manifest"])
        .arg(&manifest)
        .args(["--database", &db])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let store = rt.block_on(Store::open(Some(&db), Mode::Existing)).unwrap();
    wait_until("run 2's third snapshot", Duration::from_secs(120), || {
        rt.block_on(store.run_snapshots(2)).unwrap().len() >= 3
    });
    kill9(&mut child);
    rt.block_on(store.close());
    let store = rt.block_on(Store::open(Some(&db), Mode::Existing)).unwrap();
    let written = rt.block_on(store.run_snapshots(2)).unwrap();
    assert!(written.len() < n, "the scan finished before the kill");
    let latest = rt.block_on(store.latest()).unwrap();
    assert_eq!(latest.len(), n);
    for s in &latest {
        assert!(s.error.is_none(), "{}: {:?}", s.project, s.error);
        assert_eq!(s.verdicts.len(), 17, "{}: a torn snapshot", s.project);
        assert!(s.run == Some(1) || s.run == Some(2));
    }
    let p = rt.block_on(store.run_progress(2)).unwrap();
    assert!(!p.finished());
    rt.block_on(store.close());
    // SQLite agrees the file is sound, and a new scan completes.
    let out = Command::new("python3")
        .args([
            "-c",
            "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
    let err = ok(garrison()
        .args(["ecosystem", "scan", "--manifest"])
        .arg(&manifest)
        .args(["--database", &db]));
    assert!(err.contains(&format!("scanned {n} projects")), "{err}");
}

#[test]
fn three_workers_on_postgres_one_killed_every_project_exactly_once() {
    let Some(base) = garrison_store::testing::postgres_url() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "GARRISON_TEST_POSTGRES is not set: CI must start PostgreSQL (.ci/postgres.sh)"
        );
        eprintln!("GARRISON_TEST_POSTGRES not set: skipped");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let Some((manifest, n)) = corpus_manifest(dir.path()) else {
        return;
    };
    let rt = runtime();
    let url = rt
        .block_on(garrison_store::testing::fresh_postgres(&base))
        .unwrap();
    let err = ok(garrison()
        .args(["ecosystem", "scan", "--queue-only", "--manifest"])
        .arg(&manifest)
        .args(["--database", &url]));
    assert!(
        err.contains(&format!("queued run 1: {n} projects")),
        "{err}"
    );
    let worker = || {
        garrison()
            .args([
                "ecosystem",
                "worker",
                "--until-idle",
                "--lease",
                "2",
                "--database",
                &url,
            ])
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut workers = [worker(), worker(), worker()];
    let store = rt
        .block_on(Store::open(Some(&url), Mode::Existing))
        .unwrap();
    // Kill the first worker while it holds a job.
    let victim = format!(":{}#", workers[0].id());
    let mut held = None;
    wait_until(
        "the first worker to hold a job",
        Duration::from_secs(120),
        || {
            let jobs = rt.block_on(store.jobs(1)).unwrap();
            held = jobs.into_iter().find(|(_, state, w, _)| {
                state == "running" && w.as_deref().is_some_and(|w| w.contains(&victim))
            });
            held.is_some()
        },
    );
    kill9(&mut workers[0]);
    let (project, _, _, _) = held.unwrap();
    for w in &mut workers[1..] {
        let status = w.wait().unwrap();
        assert!(status.success());
    }
    let snaps = rt.block_on(store.run_snapshots(1)).unwrap();
    let mut projects: Vec<&str> = snaps.iter().map(|(p, _)| p.as_str()).collect();
    projects.dedup();
    assert_eq!(snaps.len(), n, "one snapshot per project");
    assert_eq!(projects.len(), n);
    let jobs = rt.block_on(store.jobs(1)).unwrap();
    assert!(jobs.iter().all(|(_, state, _, _)| state == "done"));
    let (_, _, by, attempts) = jobs.iter().find(|(p, ..)| *p == project).unwrap();
    eprintln!("the killed worker held {project}; it was finished by {by:?} on attempt {attempts}");
    // The job the killed worker held (unless it committed in the instant before the kill) was
    // taken over after its lease ran out.
    if by.as_deref().is_some_and(|w| !w.contains(&victim)) {
        assert!(*attempts >= 2, "{project}: {attempts}");
    }
    let latest = rt.block_on(store.latest()).unwrap();
    assert_eq!(latest.len(), n);
    assert!(
        latest
            .iter()
            .all(|s| s.error.is_none() && s.verdicts.len() == 17)
    );
}

#[test]
fn replay_is_incremental_and_feeds_the_timeline() {
    let Some(repos) = corpus() else { return };
    let bundle = repos.join("../git/hist.bundle");
    if !garrison_test::git::require_git() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let hist = dir.path().join("hist");
    let out = Command::new("git")
        .args(["clone", "-q"])
        .arg(&bundle)
        .arg(&hist)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = dir.path().join("m.toml");
    std::fs::write(
        &manifest,
        format!(
            "[[project]]\nname = \"hist\"\nrepositories = [\"{}\"]\n\n[[project]]\nname = \"plain\"\nrepositories = [\"{}\"]\n",
            hist.display(),
            repos.join("scientific-python__cookie").display()
        ),
    )
    .unwrap();
    let db = format!("sqlite:{}", dir.path().join("g.db").display());
    let replay = |since: &str| {
        ok(garrison()
            .args([
                "ecosystem",
                "replay",
                "--every",
                "month",
                "--since",
                since,
                "--manifest",
            ])
            .arg(&manifest)
            .args(["--database", &db]))
    };
    let err = replay("2021-01");
    assert!(err.contains("warning: plain: not replayed: "), "{err}");
    assert!(err.contains("is not a git repository"), "{err}");
    let new: usize = err
        .split(" months evaluated")
        .next()
        .and_then(|s| s.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(new >= 24, "{err}");
    // Again: nothing new is computed.
    let err = replay("2021-01");
    assert!(
        err.contains(&format!(
            "0 months evaluated, {new} already stored, 1 projects skipped"
        )),
        "{err}"
    );
    // An earlier start computes only the earlier months.
    let err = replay("2020-07");
    assert!(
        err.contains(&format!("6 months evaluated, {new} already stored")),
        "{err}"
    );
    let h = report_json(&db, true);
    let timeline = h["projects"][0]["timeline"].as_array().unwrap();
    assert_eq!(h["projects"][0]["name"], "hist");
    assert_eq!(timeline.len(), new + 6);
    assert_eq!(timeline[0]["month"], "2020-07");
    let jan = timeline.iter().find(|m| m["month"] == "2021-01").unwrap();
    assert_eq!(jan["items"]["spec8/actions-pinned-sha"], "fails", "{jan}");
    // Items a past tree cannot decide are never passed.
    assert_eq!(jan["items"]["spec6/two-factor"], "not-evaluated");
    assert!(
        jan["items"]
            .as_object()
            .unwrap()
            .values()
            .any(|v| v == "not-evaluated")
    );
    // A month that is not YYYY-MM is refused before anything is written.
    let out = garrison()
        .args(["ecosystem", "replay", "--since", "2021-13", "--manifest"])
        .arg(&manifest)
        .args(["--database", &db])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`2021-13` is not a month (YYYY-MM)"));
}
