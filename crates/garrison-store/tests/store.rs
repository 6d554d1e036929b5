//! The store on both databases: every test runs on a fresh SQLite file and on a fresh
//! PostgreSQL database (the server named by `GARRISON_TEST_POSTGRES`, which `.ci/run` starts;
//! under `CI` its absence is a failure).

#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::sync::Arc;

use garrison_store::testing::{POSTGRES_ENV, fresh_postgres, postgres_url};
use garrison_store::{
    Backend, FindingRow, Kind, Mode, NewSnapshot, ProjectRow, Store, StoreError, VerdictRow,
};

struct Db {
    store: Store,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> Db {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite:{}", dir.path().join("g.db").display());
    let store = Store::open(Some(&url), Mode::Create).await.expect("open");
    Db {
        store,
        _dir: Some(dir),
    }
}

async fn postgres() -> Option<Db> {
    let Some(base) = postgres_url() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "{POSTGRES_ENV} is not set: CI must start PostgreSQL (.ci/postgres.sh)"
        );
        eprintln!("{POSTGRES_ENV} not set: the PostgreSQL half of this test is skipped");
        return None;
    };
    let url = fresh_postgres(&base).await.expect("fresh database");
    let store = Store::open(Some(&url), Mode::Create).await.expect("open");
    Some(Db { store, _dir: None })
}

async fn both() -> Vec<Db> {
    let mut v = vec![sqlite().await];
    v.extend(postgres().await);
    v
}

fn project(name: &str, endorses: &[u32]) -> ProjectRow {
    ProjectRow {
        name: name.into(),
        core: name != "small",
        org: Some(name.into()),
        repositories: vec![format!("https://github.com/{name}/{name}")],
        pypi: vec![name.into()],
        endorses: endorses.to_vec(),
    }
}

fn snapshot(project: &str, kind: Kind, month: &str, status: &str, adopted: &[u32]) -> NewSnapshot {
    NewSnapshot {
        project: project.into(),
        kind,
        month: month.into(),
        taken_at: 1_700_000_000,
        repository: Some(format!("https://github.com/{project}/{project}")),
        commit: Some("0123456789abcdef0123456789abcdef01234567".into()),
        revision: None,
        error: None,
        adopted: adopted.to_vec(),
        verdicts: vec![
            VerdictRow {
                item: "spec8/actions-pinned-sha".into(),
                spec: 8,
                status: status.into(),
                evidence: serde_json::json!([{"rule": "workflow/unpinned-uses", "path": ".github/workflows/ci.yml", "line": 12}]),
            },
            VerdictRow {
                item: "spec6/two-factor".into(),
                spec: 6,
                status: "not-evaluated".into(),
                evidence: serde_json::json!([]),
            },
        ],
        findings: (0..150)
            .map(|i| FindingRow {
                rule: "workflow/unpinned-uses".into(),
                severity: "medium".into(),
                path: Some(".github/workflows/ci.yml".into()),
                line: Some(i + 1),
                message: format!("finding {i} with 'quotes' and ; semicolons"),
                fingerprint: format!("fp{i}"),
            })
            .collect(),
    }
}

#[tokio::test]
async fn projects_snapshots_and_timeline_round_trip() {
    for db in both().await {
        let s = &db.store;
        let g0 = s.generation().await.unwrap();
        s.sync_projects(&[project("numpy", &[8]), project("small", &[])])
            .await
            .unwrap();
        // Updating by name keeps one row.
        s.sync_projects(&[project("numpy", &[6, 8])]).await.unwrap();
        let projects = s.projects().await.unwrap();
        assert_eq!(projects.len(), 2, "{:?}", s.backend());
        assert_eq!(projects[0].endorses, vec![6, 8]);
        assert!(s.generation().await.unwrap() > g0);

        for (month, status, adopted) in [
            ("2024-01", "fails", vec![]),
            ("2024-02", "holds", vec![8]),
            ("2024-03", "holds", vec![8]),
        ] {
            let id = s
                .record_snapshot(&snapshot("numpy", Kind::Replay, month, status, &adopted))
                .await
                .unwrap();
            assert!(id.is_some());
        }
        // A month replayed again is left as it is.
        let again = s
            .record_snapshot(&snapshot("numpy", Kind::Replay, "2024-02", "fails", &[]))
            .await
            .unwrap();
        assert_eq!(again, None);
        assert_eq!(
            s.replayed_months("numpy").await.unwrap(),
            ["2024-01", "2024-02", "2024-03"]
        );
        s.record_snapshot(&snapshot("small", Kind::Replay, "2024-03", "holds", &[8]))
            .await
            .unwrap();
        assert_eq!(
            s.adoption_by_month(8).await.unwrap(),
            vec![
                ("2024-01".to_string(), 0),
                ("2024-02".to_string(), 1),
                ("2024-03".to_string(), 2)
            ]
        );
        let t = s.timeline(Some("numpy")).await.unwrap();
        assert_eq!(t.len(), 6);
        assert_eq!(
            (
                t[0].month.as_str(),
                t[0].item.as_str(),
                t[0].status.as_str()
            ),
            ("2024-01", "spec6/two-factor", "not-evaluated")
        );
        assert_eq!(t[1].status, "fails");
        assert_eq!(t[3].status, "holds");
        // A scan of a replayed month outranks the replay.
        let run = s
            .start_run("scan", &["numpy".to_string()], 1_700_000_000)
            .await
            .unwrap();
        let job = s
            .claim("w1", Some(run), 1_700_000_000, 60)
            .await
            .unwrap()
            .unwrap();
        let mut scan = snapshot("numpy", Kind::Scan, "2024-03", "fails", &[]);
        scan.findings[3].path = None;
        scan.findings[3].line = None;
        let id = s.complete(&job, "w1", &scan).await.unwrap().unwrap();
        assert_eq!(
            s.adoption_by_month(8).await.unwrap().last().unwrap(),
            &("2024-03".to_string(), 1)
        );
        let latest = s.latest_for("numpy").await.unwrap().unwrap();
        assert_eq!(latest.id, id);
        assert_eq!(latest.kind, Kind::Scan);
        assert_eq!(latest.findings.len(), 150);
        assert_eq!(latest.findings[3].path, None);
        assert_eq!(latest.findings[149].line, Some(150));
        assert_eq!(latest.findings[7].message, scan.findings[7].message);
        assert_eq!(latest.verdicts[1].evidence, scan.verdicts[0].evidence);
        let all = s.latest().await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].verdicts.len(), 2);
        assert!(all[0].findings.is_empty());
        assert_eq!(
            s.run_snapshots(run).await.unwrap(),
            vec![("numpy".into(), id)]
        );
    }
}

#[tokio::test]
async fn errors_are_latest_but_not_complete_and_stay_off_the_timeline() {
    for db in both().await {
        let s = &db.store;
        s.sync_projects(&[project("scipy", &[])]).await.unwrap();
        let ok_run = s.start_run("scan", &["scipy".into()], 10).await.unwrap();
        let job = s.claim("w", None, 10, 60).await.unwrap().unwrap();
        assert_eq!(job.run, ok_run);
        let good = s
            .complete(
                &job,
                "w",
                &snapshot("scipy", Kind::Scan, "2026-11", "holds", &[8]),
            )
            .await
            .unwrap()
            .unwrap();
        let bad_run = s.start_run("scan", &["scipy".into()], 20).await.unwrap();
        let job = s.claim("w", Some(bad_run), 20, 60).await.unwrap().unwrap();
        let mut failed = snapshot("scipy", Kind::Scan, "2026-12", "holds", &[]);
        failed.error = Some("cannot fetch https://github.com/scipy/scipy: timed out".into());
        failed.verdicts.clear();
        failed.findings.clear();
        let bad = s.complete(&job, "w", &failed).await.unwrap().unwrap();
        assert_eq!(s.latest_for("scipy").await.unwrap().unwrap().id, bad);
        assert_eq!(s.last_complete("scipy").await.unwrap().unwrap().id, good);
        let months: BTreeSet<String> = s
            .timeline(None)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.month)
            .collect();
        assert_eq!(months, BTreeSet::from(["2026-11".to_string()]));
        assert!(s.run_progress(bad_run).await.unwrap().finished());
        assert_eq!(s.pending_jobs().await.unwrap(), 0);
    }
}

#[tokio::test]
async fn a_worker_that_lost_its_lease_writes_nothing() {
    for db in both().await {
        let s = &db.store;
        s.sync_projects(&[project("astropy", &[])]).await.unwrap();
        let run = s.start_run("scan", &["astropy".into()], 100).await.unwrap();
        let a = s.claim("a", Some(run), 100, 30).await.unwrap().unwrap();
        assert_eq!(a.attempts, 1);
        // Within the lease nobody else gets it; the holder may extend it.
        assert_eq!(s.claim("b", Some(run), 120, 30).await.unwrap(), None);
        assert!(s.heartbeat(a.id, "a", 150).await.unwrap());
        assert_eq!(s.claim("b", Some(run), 140, 30).await.unwrap(), None);
        // After it runs out, another worker takes the job over.
        let b = s.claim("b", Some(run), 151, 30).await.unwrap().unwrap();
        assert_eq!((b.id, b.attempts), (a.id, 2));
        assert!(!s.heartbeat(a.id, "a", 200).await.unwrap());
        let snap = snapshot("astropy", Kind::Scan, "2026-12", "holds", &[]);
        assert_eq!(s.complete(&a, "a", &snap).await.unwrap(), None);
        let id = s.complete(&b, "b", &snap).await.unwrap().unwrap();
        assert_eq!(s.complete(&b, "b", &snap).await.unwrap(), None);
        assert_eq!(
            s.run_snapshots(run).await.unwrap(),
            vec![("astropy".into(), id)]
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_take_each_job_once() {
    for db in both().await {
        let s = Arc::new(db.store.clone());
        let names: Vec<String> = (0..40).map(|i| format!("p{i:02}")).collect();
        let rows: Vec<ProjectRow> = names.iter().map(|n| project(n, &[])).collect();
        s.sync_projects(&rows).await.unwrap();
        let run = s.start_run("scan", &names, 1000).await.unwrap();
        let mut tasks = Vec::new();
        for w in 0..6 {
            let s = Arc::clone(&s);
            tasks.push(tokio::spawn(async move {
                let worker = format!("w{w}");
                let mut done = Vec::new();
                while let Some(job) = s.claim(&worker, Some(run), 1000, 600).await.unwrap() {
                    let snap = snapshot(&job.project, Kind::Scan, "2026-12", "holds", &[8]);
                    s.complete(&job, &worker, &snap).await.unwrap().unwrap();
                    done.push(job.project);
                }
                done
            }));
        }
        let mut all = Vec::new();
        for t in tasks {
            all.extend(t.await.unwrap());
        }
        all.sort();
        assert_eq!(all, names, "{:?}", s.backend());
        let snaps = s.run_snapshots(run).await.unwrap();
        assert_eq!(snaps.len(), 40);
        assert!(s.run_progress(run).await.unwrap().finished());
    }
}

#[tokio::test]
async fn reopening_keeps_the_data_and_the_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("sub dir/g?.db").display());
    let s = Store::open(Some(&url), Mode::Create).await.unwrap();
    s.sync_projects(&[project("numpy", &[])]).await.unwrap();
    s.close().await;
    let s = Store::open(Some(&url), Mode::Existing).await.unwrap();
    assert_eq!(s.backend(), Backend::Sqlite);
    assert_eq!(s.projects().await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_databases_are_clear_errors_and_stay_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // A file that is not SQLite.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is a text file, not a database\n").unwrap();
    let e = Store::open(Some(&format!("sqlite:{}", junk.display())), Mode::Create)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert!(
        e.to_string().contains("junk.db is not a Garrison database"),
        "{e}"
    );
    assert_eq!(
        std::fs::read(&junk).unwrap(),
        b"this is a text file, not a database\n"
    );
    // An SQLite header over garbage pages.
    let torn = dir.path().join("torn.db");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend(std::iter::repeat_n(0xA5u8, 8192));
    std::fs::write(&torn, &bytes).unwrap();
    let e = Store::open(Some(&format!("sqlite:{}", torn.display())), Mode::Create)
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { .. }), "{e}");
    assert_eq!(std::fs::read(&torn).unwrap(), bytes);
    // Someone else's SQLite database.
    let other = dir.path().join("other.db");
    {
        use sqlx::Connection as _;
        sqlx::any::install_default_drivers();
        let mut c = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=rwc", other.display()))
            .await
            .unwrap();
        sqlx::query("CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)")
            .execute(&mut c)
            .await
            .unwrap();
        c.close().await.unwrap();
    }
    let before = std::fs::read(&other).unwrap();
    let e = Store::open(Some(&format!("sqlite:{}", other.display())), Mode::Create)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("other tables (accounts)"), "{e}");
    assert_eq!(std::fs::read(&other).unwrap(), before);
    // A missing database for a reader.
    let missing = dir.path().join("missing.db");
    let e = Store::open(
        Some(&format!("sqlite:{}", missing.display())),
        Mode::Existing,
    )
    .await
    .unwrap_err();
    assert!(matches!(e, StoreError::Missing(_)), "{e}");
    assert!(!missing.exists());
    // URLs Garrison does not speak, and a server that is not there.
    for url in [
        "mysql://root@db/x",
        "redis://x",
        "/tmp/plain/path.db",
        "sqlite:",
    ] {
        let e = Store::open(Some(url), Mode::Create).await.unwrap_err();
        assert!(matches!(e, StoreError::Url(_)), "{url}: {e}");
    }
    let e = Store::open(
        Some("postgres://nobody:pw@127.0.0.1:1/none"),
        Mode::Existing,
    )
    .await
    .unwrap_err();
    let msg = e.to_string();
    assert!(matches!(e, StoreError::Connect { .. }), "{msg}");
    assert!(
        msg.contains("postgres://nobody:***@127.0.0.1:1/none"),
        "{msg}"
    );
    assert!(!msg.contains("pw"), "{msg}");
}
