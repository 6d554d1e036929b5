//! `garrison ecosystem import-specs|verdicts|scan|worker|report`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use garrison_cli::{EcosystemCommand, ReportFormat};
use garrison_fleet::Manifest;
use garrison_fleet::run::{Event, OnEvent, WorkSettings};
use garrison_store::{Mode, Store};

use crate::output::{eprintln, write_output};
use crate::progress::Progress;

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

/// This process's worker name: host and process id.
fn worker_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{host}:{}", std::process::id())
}

async fn open(url: Option<&str>, mode: Mode) -> Result<Store> {
    Ok(Store::open(url, mode).await?)
}

/// Prints each finished project on standard error (a bar on a terminal, lines otherwise).
fn events(total: u64) -> (Arc<Progress>, OnEvent) {
    let bar = Arc::new(Progress::new("scanning", total));
    let on: OnEvent = {
        let bar = Arc::clone(&bar);
        Arc::new(move |e: &Event| match e {
            Event::Started { project } => bar.message(project.clone()),
            Event::Finished { project, result } => {
                bar.inc(1);
                if let Err(msg) = result {
                    eprintln(&format!("error: {project}: {msg}"));
                }
            }
            Event::Lost { project } => eprintln(&format!(
                "warning: {project}: this worker's claim ran out and another worker took it over"
            )),
        })
    };
    (bar, on)
}

fn load_manifest(path: Option<&Path>) -> Result<(Manifest, PathBuf)> {
    match path {
        Some(p) => {
            let m = Manifest::load(p)?;
            let base = p
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map(Path::to_path_buf)
                .unwrap_or_else(|| PathBuf::from("."));
            Ok((m, base))
        }
        None => Ok((Manifest::core(), PathBuf::from("."))),
    }
}

/// Runs an `ecosystem` subcommand.
pub fn run(cmd: &EcosystemCommand) -> Result<ExitCode> {
    match cmd {
        EcosystemCommand::ImportSpecs { path, output } => {
            let imported = garrison_fleet::import_specs(path)?;
            let header = format!(
                "# The core projects of the Scientific Python ecosystem, imported from {}\n# by `garrison ecosystem import-specs`.\n\n",
                path.display()
            );
            write_output(
                output.as_deref(),
                &format!("{header}{}", imported.manifest.to_toml()),
            )?;
            for (spec, who) in &imported.unknown_endorsers {
                eprintln(&format!(
                    "warning: SPEC {spec} is endorsed by `{who}`, which has no core-projects/{who}.md"
                ));
            }
            Ok(ExitCode::SUCCESS)
        }
        EcosystemCommand::Verdicts { path } => {
            let root = path.clone().unwrap_or_else(|| PathBuf::from("."));
            let e = garrison_fleet::evaluate_checkout(&root)
                .with_context(|| format!("cannot evaluate {}", root.display()))?;
            write_output(None, &e.text(&root.display().to_string()))?;
            Ok(ExitCode::SUCCESS)
        }
        EcosystemCommand::Scan {
            manifest,
            database,
            jobs,
            timeout,
            force,
            queue_only,
        } => {
            let (manifest, base) = load_manifest(manifest.as_deref())?;
            let jobs = jobs.unwrap_or_else(|| {
                std::thread::available_parallelism().map_or(2, std::num::NonZero::get)
            });
            let mut settings = WorkSettings::new(worker_name());
            settings.timeout = Duration::from_secs(*timeout);
            settings.force = *force;
            runtime()?.block_on(async {
                let store = open(database.database.as_deref(), Mode::Create).await?;
                if *queue_only {
                    let rows = garrison_fleet::run::project_rows(&manifest, &base);
                    store.sync_projects(&rows).await?;
                    let names: Vec<String> = rows.iter().map(|p| p.name.clone()).collect();
                    let run = store
                        .start_run("scan", &names, garrison_store::now())
                        .await?;
                    eprintln(&format!(
                        "queued run {run}: {} projects in {}; start `garrison ecosystem worker` to process them",
                        names.len(),
                        store.url()
                    ));
                    return Ok(ExitCode::SUCCESS);
                }
                let (bar, on) = events(manifest.projects.len() as u64);
                let started = std::time::Instant::now();
                let s = garrison_fleet::run::scan(
                    &store,
                    &manifest,
                    &base,
                    Arc::new(garrison_fleet::Checkouts),
                    &settings,
                    jobs,
                    on,
                )
                .await?;
                drop(bar);
                eprintln(&format!(
                    "scanned {} projects into {} in {:.1} s (run {}): {} evaluated, {} unchanged since the last scan, {} errors",
                    s.evaluated + s.unchanged + s.errors.len(),
                    store.url(),
                    started.elapsed().as_secs_f64(),
                    s.run,
                    s.evaluated,
                    s.unchanged,
                    s.errors.len()
                ));
                Ok(ExitCode::SUCCESS)
            })
        }
        EcosystemCommand::Worker {
            database,
            until_idle,
            timeout,
            lease,
            jobs,
        } => {
            let mut settings = WorkSettings::new(worker_name());
            settings.timeout = Duration::from_secs(*timeout);
            settings.lease = Duration::from_secs((*lease).max(1));
            runtime()?.block_on(async {
                let store = open(database.database.as_deref(), Mode::Create).await?;
                let (bar, on) = events(0);
                let mut tasks = tokio::task::JoinSet::new();
                for n in 0..(*jobs).max(1) {
                    let store = store.clone();
                    let on = Arc::clone(&on);
                    let mut settings = settings.clone();
                    settings.worker = format!("{}#{n}", settings.worker);
                    let until_idle = *until_idle;
                    tasks.spawn(async move {
                        garrison_fleet::run::work(
                            &store,
                            Arc::new(garrison_fleet::Checkouts),
                            &settings,
                            None,
                            until_idle,
                            &on,
                        )
                        .await
                    });
                }
                let mut done = 0;
                while let Some(r) = tasks.join_next().await {
                    done += r.context("a worker task failed")??;
                }
                drop(bar);
                eprintln(&format!("worker {}: {done} projects done", settings.worker));
                Ok(ExitCode::SUCCESS)
            })
        }
        EcosystemCommand::Report {
            database,
            history,
            format,
            output,
        } => runtime()?.block_on(async {
            let store = open(database.database.as_deref(), Mode::Existing).await?;
            let items = garrison_fleet::catalogue()?;
            let text = if *history {
                let h = garrison_fleet::report::history(&store, None).await?;
                match format {
                    ReportFormat::Json => h.json(),
                    ReportFormat::Csv => h.csv(),
                    ReportFormat::Markdown => h.markdown(),
                }
            } else {
                let r = garrison_fleet::report::latest(&store, &items).await?;
                match format {
                    ReportFormat::Json => r.json(),
                    ReportFormat::Csv => r.csv(),
                    ReportFormat::Markdown => r.markdown(&items),
                }
            };
            write_output(output.as_deref(), &text)?;
            Ok(ExitCode::SUCCESS)
        }),
    }
}
