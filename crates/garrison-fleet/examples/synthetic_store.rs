//! Fills a store with a synthetic ecosystem for the server benchmark (bench/ecosystem.sh):
//! N projects × M months of replayed snapshots (every catalogue item, adoption improving over
//! time at a per-project pace) and one scan run with findings.
//!
//! `cargo run --release -p garrison-fleet --example synthetic_store -- DATABASE_URL PROJECTS MONTHS`
#![allow(clippy::print_stderr)]

use garrison_fleet::run::{adopted, verdict_rows};
use garrison_fleet::{Status, Verdict, catalogue};
use garrison_store::{FindingRow, Kind, Mode, NewSnapshot, ProjectRow, Store};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, projects, months] = args.as_slice() else {
        return Err("usage: synthetic_store DATABASE_URL PROJECTS MONTHS".into());
    };
    let (projects, months): (usize, usize) = (projects.parse()?, months.parse()?);
    let store = Store::open(Some(url), Mode::Create).await?;
    let items = catalogue()?;
    let rows: Vec<ProjectRow> = (0..projects)
        .map(|i| ProjectRow {
            name: format!("project-{i:04}"),
            core: i < 15,
            org: Some(format!("org-{i:04}")),
            repositories: vec![format!("https://github.com/org-{i:04}/project-{i:04}")],
            pypi: vec![format!("project-{i:04}")],
            endorses: if i < 5 { vec![6, 8] } else { vec![] },
        })
        .collect();
    store.sync_projects(&rows).await?;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let start = std::time::Instant::now();
    let first_month = 2027 * 12 - months as i64; // months up to 2026-12
    for p in &rows {
        // Each item starts holding at some month (or never).
        let fixed_at: Vec<usize> = items
            .iter()
            .map(|_| (rng.next() % (months as u64 * 2)) as usize)
            .collect();
        for m in 0..months {
            let ym = first_month + m as i64;
            let month = format!("{:04}-{:02}", ym / 12, ym % 12 + 1);
            let verdicts: Vec<Verdict> = items
                .iter()
                .zip(&fixed_at)
                .map(|(it, at)| Verdict {
                    id: it.id.clone(),
                    spec: it.spec,
                    status: if it.needs.is_some() {
                        Status::NotEvaluated
                    } else if m >= *at {
                        Status::Holds
                    } else {
                        Status::Fails
                    },
                    evidence: Vec::new(),
                })
                .collect();
            store
                .record_snapshot(&NewSnapshot {
                    project: p.name.clone(),
                    kind: Kind::Replay,
                    month,
                    taken_at: 0,
                    repository: p.repositories.first().cloned(),
                    commit: Some(format!("{:040x}", rng.next())),
                    revision: None,
                    error: None,
                    adopted: adopted(&verdicts),
                    verdicts: verdict_rows(&verdicts),
                    findings: Vec::new(),
                })
                .await?;
        }
    }
    // One scan run with findings, so project pages have something to list.
    let names: Vec<String> = rows.iter().map(|p| p.name.clone()).collect();
    let run = store
        .start_run("scan", &names, garrison_store::now())
        .await?;
    while let Some(job) = store
        .claim("synthetic", Some(run), garrison_store::now(), 600)
        .await?
    {
        let verdicts: Vec<Verdict> = items
            .iter()
            .map(|it| Verdict {
                id: it.id.clone(),
                spec: it.spec,
                status: if rng.next().is_multiple_of(3) {
                    Status::Fails
                } else {
                    Status::Holds
                },
                evidence: Vec::new(),
            })
            .collect();
        let findings = (0..20)
            .map(|i| FindingRow {
                rule: "workflow/unpinned-uses".into(),
                severity: "medium".into(),
                path: Some(".github/workflows/ci.yml".into()),
                line: Some(10 + i),
                message: format!("action pinned to a branch ({i})"),
                fingerprint: format!("{:016x}", rng.next()),
            })
            .collect();
        let now = garrison_store::now();
        store
            .complete(
                &job,
                "synthetic",
                &NewSnapshot {
                    project: job.project.clone(),
                    kind: Kind::Scan,
                    month: garrison_store::month_of(now),
                    taken_at: now,
                    repository: None,
                    commit: Some(format!("{:040x}", rng.next())),
                    revision: None,
                    error: None,
                    adopted: adopted(&verdicts),
                    verdicts: verdict_rows(&verdicts),
                    findings,
                },
            )
            .await?;
    }
    store.finish_run(run, garrison_store::now()).await?;
    eprintln!(
        "{projects} projects x {months} months written to {} in {:.1} s",
        store.url(),
        start.elapsed().as_secs_f64()
    );
    Ok(())
}
