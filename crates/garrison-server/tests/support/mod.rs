//! Test support: a temporary SQLite store filled with realistic fixtures (projects whose SPEC
//! items change over two years of replayed months, then a scan; a failed scan; a project never
//! scanned; a name that needs escaping), and the server on 127.0.0.1:0 over it in a thread of
//! its own.

#![allow(dead_code, clippy::unwrap_used)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use garrison_fleet::Item;
use garrison_server::App;
use garrison_server::data::Data;
use garrison_store::{FindingRow, Kind, Mode, NewSnapshot, ProjectRow, Store, VerdictRow};
use serde_json::json;

/// The commit every fixture scan is at.
pub const COMMIT: &str = "4f2a0c1e9b7d3a5c6e8f0a1b2c3d4e5f60718293";
/// A project name with characters HTML and URLs must escape.
pub const ODD: &str = "odd <name> & \"co\"";

/// Months of replayed history in the fixtures.
pub fn months() -> Vec<String> {
    let mut out = Vec::new();
    for y in 2024..=2025 {
        for m in 1..=12 {
            out.push(format!("{y:04}-{m:02}"));
        }
    }
    out
}

/// Unix time of the 1st of a `YYYY-MM` month.
fn month_start(month: &str) -> i64 {
    let y: i64 = month[..4].parse().unwrap();
    let m: i64 = month[5..7].parse().unwrap();
    garrison_source::time::days_from_civil(y, m, 1) * 86_400
}

/// The month index (0-based) from which a project fixes an item, or `None` if it never does;
/// items that need data Garrison lacks stay not evaluated.
fn fixed_from(project: &str, item: &Item) -> Option<usize> {
    if item.needs.is_some() {
        return None;
    }
    let h = item.id.bytes().map(usize::from).sum::<usize>();
    match project {
        // numpy fixes everything over its first 18 months.
        "numpy" => Some(h % 18),
        // scikit-learn fixes everything by month 9.
        "scikit-learn" => Some(h % 9),
        // astropy never fixes SPEC 8's pinning.
        "astropy" if item.id == "spec8/actions-pinned-sha" => None,
        "astropy" => Some(h % 20),
        _ => Some(h % 24),
    }
}

/// The verdicts of `project` at month index `i` (`None`: the current scan, after all months).
fn verdicts(project: &str, items: &[Item], i: usize) -> (Vec<VerdictRow>, Vec<u32>) {
    let mut rows = Vec::new();
    for item in items {
        let (status, evidence) = if item.needs.is_some() {
            (
                "not-evaluated",
                json!([{"rule": "garrison/needs", "severity": "info",
                        "message": format!("needs {}", item.needs.as_deref().unwrap_or_default()),
                        "path": null, "line": null}]),
            )
        } else if fixed_from(project, item).is_some_and(|f| i >= f) {
            ("holds", json!([]))
        } else {
            let rule = item.rules.first().cloned().unwrap_or_default();
            (
                "fails",
                json!([{"rule": rule, "severity": "high",
                        "message": format!("{} does not hold <here> & now", item.id),
                        "path": ".github/workflows/release.yml", "line": 10 + i}]),
            )
        };
        rows.push(VerdictRow {
            item: item.id.clone(),
            spec: item.spec,
            status: status.to_string(),
            evidence,
        });
    }
    let mut adopted = Vec::new();
    for spec in [6, 8] {
        let of: Vec<&VerdictRow> = rows.iter().filter(|v| v.spec == spec).collect();
        let evaluated = of
            .iter()
            .filter(|v| v.status == "holds" || v.status == "fails")
            .count();
        if evaluated > 0 && of.iter().all(|v| v.status != "fails") {
            adopted.push(spec);
        }
    }
    (rows, adopted)
}

/// The fixture projects.
pub fn projects() -> Vec<ProjectRow> {
    let p = |name: &str, core: bool, endorses: Vec<u32>| ProjectRow {
        name: name.to_string(),
        core,
        org: Some(name.to_string()),
        repositories: vec![format!("https://github.com/{name}/{name}")],
        pypi: vec![name.to_string()],
        endorses,
    };
    vec![
        p("numpy", true, vec![6, 8]),
        p("scikit-learn", true, vec![6, 8]),
        p("networkx", true, vec![8]),
        p("astropy", false, vec![]),
        p("broken", false, vec![]),
        p("never-scanned", false, vec![]),
        ProjectRow {
            name: ODD.to_string(),
            core: false,
            org: None,
            repositories: vec!["/srv/odd".into()],
            pypi: vec![],
            endorses: vec![],
        },
    ]
}

/// Fills `store` with the fixtures.
pub async fn fill(store: &Store) {
    let items = garrison_fleet::catalogue().unwrap();
    store.sync_projects(&projects()).await.unwrap();
    let months = months();
    for name in ["numpy", "scikit-learn", "networkx", "astropy", ODD] {
        for (i, m) in months.iter().enumerate() {
            let (verdicts, adopted) = verdicts(name, &items, i);
            store
                .record_snapshot(&NewSnapshot {
                    project: name.to_string(),
                    kind: Kind::Replay,
                    month: m.clone(),
                    taken_at: month_start(m),
                    repository: Some(format!("https://github.com/{name}/{name}")),
                    commit: Some(COMMIT.to_string()),
                    revision: None,
                    error: None,
                    adopted,
                    verdicts,
                    findings: Vec::new(),
                })
                .await
                .unwrap();
        }
        let (verdicts, adopted) = verdicts(name, &items, months.len());
        let findings = verdicts
            .iter()
            .filter(|v| v.status == "fails")
            .map(|v| FindingRow {
                rule: v.evidence[0]["rule"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                severity: "high".into(),
                path: Some(".github/workflows/release.yml".into()),
                line: Some(12),
                message: "fixture finding".into(),
                fingerprint: format!("fp-{}", v.item),
            })
            .collect();
        store
            .record_snapshot(&scan(name, verdicts, adopted, findings, None))
            .await
            .unwrap();
    }
    store
        .record_snapshot(&scan(
            "broken",
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Some("cannot fetch https://github.com/broken/broken: connection refused".into()),
        ))
        .await
        .unwrap();
}

/// A scan snapshot in 2026-01.
pub fn scan(
    name: &str,
    verdicts: Vec<VerdictRow>,
    adopted: Vec<u32>,
    findings: Vec<FindingRow>,
    error: Option<String>,
) -> NewSnapshot {
    NewSnapshot {
        project: name.to_string(),
        kind: Kind::Scan,
        month: "2026-01".into(),
        taken_at: month_start("2026-01") + 3600,
        repository: Some(if name == ODD {
            "/srv/odd".to_string()
        } else {
            format!("https://github.com/{name}/{name}")
        }),
        commit: Some(COMMIT.to_string()),
        revision: None,
        error,
        adopted,
        verdicts,
        findings,
    }
}

/// The server over a store, on 127.0.0.1:0, in a thread with its own runtime; stopped (and
/// joined) on drop.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The store's URL.
    pub url: String,
    /// Keeps the store's directory.
    pub dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// A server over a new fixture store in an SQLite file.
    pub fn start() -> Server {
        Server::start_on(None)
    }

    /// A server over a new fixture store in a fresh database of the PostgreSQL server named by
    /// `GARRISON_TEST_POSTGRES` (`.ci/run` starts one); `None` (a failure under `CI`) without it.
    pub fn start_postgres() -> Option<Server> {
        let base = garrison_store::testing::postgres_url();
        garrison_test::require::precondition(
            base.is_some(),
            "a PostgreSQL server in GARRISON_TEST_POSTGRES (.ci/postgres.sh starts one)",
        )
        .then(|| Server::start_on(base))
    }

    fn start_on(postgres: Option<String>) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel::<(SocketAddr, String)>();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let url = match postgres {
                    Some(base) => garrison_store::testing::fresh_postgres(&base)
                        .await
                        .unwrap(),
                    None => format!("sqlite:{}", path.join("garrison.db").display()),
                };
                let store = Store::open(Some(&url), Mode::Create).await.unwrap();
                fill(&store).await;
                store.close().await;
                let data = Data::open(Some(&url)).await.unwrap();
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                let addr = listener.local_addr().unwrap();
                let app = Arc::new(
                    App::new(data, &format!("http://{addr}"))
                        .unwrap()
                        .with_header_timeout(std::time::Duration::from_secs(1)),
                );
                tx.send((addr, url)).unwrap();
                garrison_server::serve(listener, app, async {
                    let _ = stopped.await;
                })
                .await
                .unwrap();
            });
        });
        let (addr, url) = rx.recv().unwrap();
        Server {
            base: format!("http://{addr}"),
            url,
            dir,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// `base` + `path`.
    pub fn url_of(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Runs `f` on a store handle of its own (a second connection to the same file).
    pub fn with_store<T>(&self, f: impl AsyncFnOnce(&Store) -> T) -> T {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let store = Store::open(Some(&self.url), Mode::Existing).await.unwrap();
            let out = f(&store).await;
            store.close().await;
            out
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
