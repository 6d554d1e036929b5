//! Scanning the ecosystem into the store: a run queues one job per project; workers (the
//! `--jobs` tasks of `garrison ecosystem scan`, and `garrison ecosystem worker` processes on
//! other machines sharing a PostgreSQL store) claim jobs, fetch the project's repository, skip
//! it when its HEAD is the one of the last complete snapshot, evaluate it, and complete the job
//! by writing the snapshot in the same transaction.
//!
//! A project that cannot be fetched or evaluated, times out, or makes the analysis panic is
//! recorded as that project's error; the run goes on.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use garrison_store::{Job, Kind, NewSnapshot, ProjectRow, Snapshot, Store, StoreError};

use crate::items::{Verdict, adoption};
use crate::manifest::{Location, Manifest};

/// A repository made available for evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The repository as the manifest names it.
    pub repository: String,
    /// Where it is on this machine (a checkout, a plain directory, or a bare clone).
    pub path: PathBuf,
    /// Its HEAD commit (none for a plain directory without git).
    pub commit: Option<String>,
    /// What identifies its state: the commit, or for a plain directory a fingerprint of its
    /// files (paths, sizes, modification times). Unchanged since the last complete snapshot
    /// means the project is not evaluated again.
    pub revision: Option<String>,
}

/// What one evaluation of a project yields.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Every item's verdict, in catalogue order.
    pub verdicts: Vec<Verdict>,
    /// The findings (rule, severity, path, line, message, fingerprint).
    pub findings: Vec<garrison_store::FindingRow>,
}

/// How projects are fetched and evaluated (the fleet's own in production; tests may count
/// calls or inject failures).
pub trait Evaluator: Send + Sync + 'static {
    /// Makes `repository` available (clone or fetch) and reads its HEAD. Checks `interrupt`
    /// often enough to stop soon after it is set.
    fn fetch(&self, repository: &str, interrupt: &AtomicBool) -> Result<Fetched, String>;
    /// Evaluates every SPEC item on the fetched repository.
    fn evaluate(&self, fetched: &Fetched, interrupt: &AtomicBool) -> Result<Outcome, String>;
}

/// How a worker works.
#[derive(Debug, Clone)]
pub struct WorkSettings {
    /// Its name in the queue (unique per worker: host, process id and task).
    pub worker: String,
    /// How long one project may take (fetch and evaluation).
    pub timeout: Duration,
    /// How long a claim lasts without a heartbeat (a dead worker's job is retried after it).
    pub lease: Duration,
    /// How often an idle worker looks for work.
    pub poll: Duration,
    /// Evaluate even when HEAD did not change.
    pub force: bool,
    /// Claims of one job after which it is recorded as an error instead of tried again.
    pub max_attempts: i64,
}

impl WorkSettings {
    /// Defaults for a worker called `worker`.
    pub fn new(worker: impl Into<String>) -> WorkSettings {
        WorkSettings {
            worker: worker.into(),
            timeout: Duration::from_secs(600),
            lease: Duration::from_secs(60),
            poll: Duration::from_millis(500),
            force: false,
            max_attempts: 3,
        }
    }
}

/// What became of one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A worker took the project.
    Started {
        /// The project.
        project: String,
    },
    /// Its snapshot is written.
    Finished {
        /// The project.
        project: String,
        /// Evaluated, unchanged since the last complete scan, or its error.
        result: Result<Reuse, String>,
    },
    /// The worker lost its claim (its lease ran out and another worker took the job); nothing
    /// was written.
    Lost {
        /// The project.
        project: String,
    },
}

/// Whether a snapshot was evaluated or carried over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// Evaluated now.
    Evaluated,
    /// HEAD was unchanged: the last complete snapshot's verdicts were carried over.
    Unchanged,
}

/// Progress callback.
pub type OnEvent = Arc<dyn Fn(&Event) + Send + Sync>;

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The run's id.
    pub run: i64,
    /// Projects evaluated.
    pub evaluated: usize,
    /// Projects whose HEAD was unchanged.
    pub unchanged: usize,
    /// Projects recorded with an error, with it.
    pub errors: Vec<(String, String)>,
}

/// The stored form of a manifest's projects: local repositories as absolute paths (resolved
/// against `base`, the manifest's directory) so any worker can find them.
pub fn project_rows(manifest: &Manifest, base: &Path) -> Vec<ProjectRow> {
    manifest
        .projects
        .iter()
        .map(|p| ProjectRow {
            name: p.name.clone(),
            core: p.core,
            org: p.org.clone(),
            repositories: p
                .locations(base)
                .into_iter()
                .map(|l| match l {
                    Location::Remote(u) => u,
                    Location::Local(p) => {
                        std::path::absolute(&p).unwrap_or(p).display().to_string()
                    }
                })
                .collect(),
            pypi: p.pypi.clone(),
            endorses: p.endorses.clone(),
        })
        .collect()
}

/// The SPECs the verdicts adopt.
pub fn adopted(verdicts: &[Verdict]) -> Vec<u32> {
    let mut specs: Vec<u32> = verdicts.iter().map(|v| v.spec).collect();
    specs.sort_unstable();
    specs.dedup();
    specs
        .into_iter()
        .filter(|s| adoption(*s, verdicts).0)
        .collect()
}

/// The stored rows of verdicts.
pub fn verdict_rows(verdicts: &[Verdict]) -> Vec<garrison_store::VerdictRow> {
    verdicts
        .iter()
        .map(|v| garrison_store::VerdictRow {
            item: v.id.clone(),
            spec: v.spec,
            status: v.status.as_str().to_string(),
            evidence: serde_json::to_value(&v.evidence).unwrap_or_default(),
        })
        .collect()
}

/// The stored rows of findings.
pub fn finding_rows(findings: &[garrison_report::Finding]) -> Vec<garrison_store::FindingRow> {
    findings
        .iter()
        .map(|f| {
            let loc = f.locations.first();
            garrison_store::FindingRow {
                rule: f.rule.to_string(),
                severity: f.severity.to_string(),
                path: loc.map(|l| l.path.clone()),
                line: loc.and_then(|l| l.span.map(|s| s.start_line)),
                message: f.message.clone(),
                fingerprint: f.fingerprint.clone(),
            }
        })
        .collect()
}

fn error_snapshot(
    project: &str,
    repository: Option<String>,
    now: i64,
    error: String,
) -> NewSnapshot {
    NewSnapshot {
        project: project.to_string(),
        kind: Kind::Scan,
        month: garrison_store::month_of(now),
        taken_at: now,
        repository,
        commit: None,
        revision: None,
        error: Some(error),
        adopted: Vec::new(),
        verdicts: Vec::new(),
        findings: Vec::new(),
    }
}

fn carried_over(prev: Snapshot, now: i64) -> NewSnapshot {
    NewSnapshot {
        project: prev.project,
        kind: Kind::Scan,
        month: garrison_store::month_of(now),
        taken_at: now,
        repository: prev.repository,
        commit: prev.commit,
        revision: prev.revision,
        error: None,
        adopted: prev.adopted,
        verdicts: prev.verdicts,
        findings: prev.findings,
    }
}

enum Done {
    Evaluated(Fetched, Outcome),
    Unchanged,
}

/// Fetches and evaluates one project (or carries its last snapshot over), never failing: every
/// problem becomes the snapshot's error.
async fn process(
    store: &Store,
    evaluator: &Arc<dyn Evaluator>,
    settings: &WorkSettings,
    job: &Job,
) -> Result<(NewSnapshot, Result<Reuse, String>), StoreError> {
    let now = garrison_store::now();
    let projects = store.projects().await?;
    let Some(project) = projects.into_iter().find(|p| p.name == job.project) else {
        return Err(StoreError::UnknownProject(job.project.clone()));
    };
    let Some(repository) = project.repositories.first().cloned() else {
        let e = "the manifest names no repository for it".to_string();
        return Ok((error_snapshot(&project.name, None, now, e.clone()), Err(e)));
    };
    if job.attempts > settings.max_attempts {
        let e = format!(
            "gave up after {} attempts: every worker that took it stopped before finishing (killed, crashed or disconnected)",
            job.attempts - 1
        );
        return Ok((
            error_snapshot(&project.name, Some(repository), now, e.clone()),
            Err(e),
        ));
    }
    let prev = if settings.force {
        None
    } else {
        store.last_complete(&project.name).await?
    };
    let interrupt = Arc::new(AtomicBool::new(false));
    let task = {
        let evaluator = Arc::clone(evaluator);
        let interrupt = Arc::clone(&interrupt);
        let repository = repository.clone();
        let prev_head = prev
            .as_ref()
            .and_then(|p| Some((p.repository.clone()?, p.revision.clone()?)));
        tokio::task::spawn_blocking(move || -> Result<Done, String> {
            let fetched = evaluator.fetch(&repository, &interrupt)?;
            if let (Some((r, c)), Some(head)) = (&prev_head, &fetched.revision)
                && *r == fetched.repository
                && c == head
            {
                return Ok(Done::Unchanged);
            }
            let outcome = evaluator.evaluate(&fetched, &interrupt)?;
            Ok(Done::Evaluated(fetched, outcome))
        })
    };
    let result = tokio::time::timeout(settings.timeout, task).await;
    let fail = |e: String| {
        Ok((
            error_snapshot(&project.name, Some(repository.clone()), now, e.clone()),
            Err(e),
        ))
    };
    match result {
        Err(_) => {
            interrupt.store(true, Ordering::Relaxed);
            fail(format!(
                "timed out after {} s fetching and evaluating {repository}",
                settings.timeout.as_secs()
            ))
        }
        Ok(Err(join)) => fail(format!(
            "the analysis of {repository} stopped unexpectedly ({join}); this is a bug in Garrison, please report it"
        )),
        Ok(Ok(Err(e))) => fail(e),
        Ok(Ok(Ok(Done::Unchanged))) => match prev {
            Some(prev) => Ok((carried_over(prev, now), Ok(Reuse::Unchanged))),
            None => fail("the last snapshot vanished while scanning".into()),
        },
        Ok(Ok(Ok(Done::Evaluated(fetched, outcome)))) => Ok((
            NewSnapshot {
                project: project.name.clone(),
                kind: Kind::Scan,
                month: garrison_store::month_of(now),
                taken_at: now,
                repository: Some(fetched.repository),
                commit: fetched.commit,
                revision: fetched.revision,
                error: None,
                adopted: adopted(&outcome.verdicts),
                verdicts: verdict_rows(&outcome.verdicts),
                findings: outcome.findings,
            },
            Ok(Reuse::Evaluated),
        )),
    }
}

/// Claims and processes jobs (of `run`, or of any run) until there are none left: with a run,
/// until every job of it is done; without, until no job of any run is pending (`until_idle`)
/// or forever. Returns how many jobs this worker completed.
pub async fn work(
    store: &Store,
    evaluator: Arc<dyn Evaluator>,
    settings: &WorkSettings,
    run: Option<i64>,
    until_idle: bool,
    on_event: &OnEvent,
) -> Result<usize, StoreError> {
    let lease = settings.lease.as_secs().max(1) as i64;
    let mut completed = 0;
    loop {
        let Some(job) = store
            .claim(&settings.worker, run, garrison_store::now(), lease)
            .await?
        else {
            let idle = match run {
                Some(r) => store.run_progress(r).await?.finished(),
                None => until_idle && store.pending_jobs().await? == 0,
            };
            if idle {
                return Ok(completed);
            }
            tokio::time::sleep(settings.poll).await;
            continue;
        };
        on_event(&Event::Started {
            project: job.project.clone(),
        });
        // Keep the claim alive while working.
        let beat = {
            let store = store.clone();
            let worker = settings.worker.clone();
            let id = job.id;
            let every = settings.lease / 3;
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(every).await;
                    let until = garrison_store::now() + lease;
                    if !matches!(store.heartbeat(id, &worker, until).await, Ok(true)) {
                        break;
                    }
                }
            })
        };
        let processed = process(store, &evaluator, settings, &job).await;
        beat.abort();
        let (snapshot, result) = processed?;
        match store.complete(&job, &settings.worker, &snapshot).await? {
            Some(_) => {
                completed += 1;
                on_event(&Event::Finished {
                    project: job.project.clone(),
                    result,
                });
            }
            None => on_event(&Event::Lost {
                project: job.project.clone(),
            }),
        }
    }
}

/// Scans every project of `manifest` (relative paths against `base`) into `store` with `jobs`
/// concurrent workers: syncs the projects, queues the run, works it to the end (other workers
/// on the same PostgreSQL store help), and marks it finished.
pub async fn scan(
    store: &Store,
    manifest: &Manifest,
    base: &Path,
    evaluator: Arc<dyn Evaluator>,
    settings: &WorkSettings,
    jobs: usize,
    on_event: OnEvent,
) -> Result<Summary, StoreError> {
    let rows = project_rows(manifest, base);
    store.sync_projects(&rows).await?;
    let names: Vec<String> = rows.iter().map(|p| p.name.clone()).collect();
    let run = store
        .start_run("scan", &names, garrison_store::now())
        .await?;
    let summary = Arc::new(std::sync::Mutex::new(Summary {
        run,
        ..Summary::default()
    }));
    let counting: OnEvent = {
        let summary = Arc::clone(&summary);
        Arc::new(move |e: &Event| {
            if let Event::Finished { project, result } = e
                && let Ok(mut s) = summary.lock()
            {
                match result {
                    Ok(Reuse::Evaluated) => s.evaluated += 1,
                    Ok(Reuse::Unchanged) => s.unchanged += 1,
                    Err(msg) => s.errors.push((project.clone(), msg.clone())),
                }
            }
            on_event(e);
        })
    };
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..jobs.max(1) {
        let store = store.clone();
        let evaluator = Arc::clone(&evaluator);
        let mut settings = settings.clone();
        settings.worker = format!("{}#{n}", settings.worker);
        let counting = Arc::clone(&counting);
        tasks.spawn(async move {
            work(&store, evaluator, &settings, Some(run), false, &counting).await
        });
    }
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok(r) => {
                r?;
            }
            Err(e) => return Err(StoreError::Data(format!("a scan task failed: {e}"))),
        }
    }
    store.finish_run(run, garrison_store::now()).await?;
    let mut s = summary.lock().map(|s| s.clone()).unwrap_or_default();
    s.errors.sort();
    Ok(s)
}

/// What a replay did for one project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replayed {
    /// Months evaluated and stored now, and months that were already stored.
    Months {
        /// The project.
        project: String,
        /// Stored by this replay.
        new: usize,
        /// Stored before (skipped).
        stored: usize,
        /// Months whose tree could not be evaluated, with why.
        errors: Vec<(String, String)>,
    },
    /// Nothing to replay (a plain directory, no repository) or the repository could not be
    /// fetched.
    Skipped {
        /// The project.
        project: String,
        /// Why.
        why: String,
    },
}

/// Replays every project of `manifest` (relative paths against `base`) month by month from
/// `since` (`YYYY-MM`) into `store`: fetches each repository (remote ones into `cache`), selects
/// the months not stored yet, evaluates them from git objects ([`crate::replay::replay`]) and
/// stores one snapshot per month, each in its own transaction (so an interrupted replay keeps
/// every month it finished and the next run computes only the rest).
pub async fn replay(
    store: &Store,
    manifest: &Manifest,
    base: &Path,
    since: &str,
    cache: &Path,
    timeout: Duration,
    on_project: &(dyn Fn(&Replayed) + Send + Sync),
) -> Result<Vec<Replayed>, crate::FleetError> {
    // The month is checked before anything is written.
    crate::replay::months(since, garrison_store::now())?;
    let rows = project_rows(manifest, base);
    store.sync_projects(&rows).await.map_err(store_error)?;
    let mut out = Vec::new();
    for p in &rows {
        let r = replay_project(store, p, since, cache, timeout).await?;
        on_project(&r);
        out.push(r);
    }
    Ok(out)
}

fn store_error(e: StoreError) -> crate::FleetError {
    crate::FleetError::Store(e.to_string())
}

async fn replay_project(
    store: &Store,
    p: &ProjectRow,
    since: &str,
    cache: &Path,
    timeout: Duration,
) -> Result<Replayed, crate::FleetError> {
    let skipped = |why: String| {
        Ok(Replayed::Skipped {
            project: p.name.clone(),
            why,
        })
    };
    let Some(repository) = p.repositories.first().cloned() else {
        return skipped("the manifest names no repository for it".into());
    };
    let stored: std::collections::BTreeSet<String> = store
        .replayed_months(&p.name)
        .await
        .map_err(store_error)?
        .into_iter()
        .collect();
    let cache = cache.to_path_buf();
    let since = since.to_string();
    let work = tokio::task::spawn_blocking(move || {
        let location = Location::parse(&repository, Path::new(""));
        let available = crate::fetch::fetch(&location, &cache, timeout)
            .map_err(|e| format!("cannot fetch {repository}: {e}"))?;
        if !available.is_git() {
            return Err(format!(
                "{repository} is not a git repository: it has no history to replay"
            ));
        }
        let points =
            crate::replay::points_missing(&available.path, &since, garrison_store::now(), &stored)
                .map_err(|e| e.to_string())?;
        let results = crate::replay::replay(&available.path, &points).map_err(|e| e.to_string())?;
        Ok((repository, stored.len(), results))
    })
    .await;
    let (repository, already, results) = match work {
        Ok(Ok(r)) => r,
        Ok(Err(why)) => return skipped(why),
        Err(e) => {
            return skipped(format!(
                "the replay stopped unexpectedly ({e}); this is a bug in Garrison, please report it"
            ));
        }
    };
    let mut new = 0;
    let mut errors = Vec::new();
    for (point, result) in results {
        match result {
            Ok(e) => {
                let (y, m) = point.month.split_once('-').unwrap_or(("1970", "01"));
                let taken_at = garrison_source::time::days_from_civil(
                    y.parse().unwrap_or(1970),
                    m.parse().unwrap_or(1),
                    1,
                ) * 86_400;
                let written = store
                    .record_snapshot(&NewSnapshot {
                        project: p.name.clone(),
                        kind: Kind::Replay,
                        month: point.month.clone(),
                        taken_at,
                        repository: Some(repository.clone()),
                        commit: Some(point.commit.clone()),
                        revision: Some(point.commit.clone()),
                        error: None,
                        adopted: adopted(&e.verdicts),
                        verdicts: verdict_rows(&e.verdicts),
                        // The verdicts carry their evidence; a month's full findings are not kept.
                        findings: Vec::new(),
                    })
                    .await
                    .map_err(store_error)?;
                if written.is_some() {
                    new += 1;
                }
            }
            Err(e) => errors.push((point.month.clone(), e.to_string())),
        }
    }
    Ok(Replayed::Months {
        project: p.name.clone(),
        new,
        stored: already,
        errors,
    })
}
