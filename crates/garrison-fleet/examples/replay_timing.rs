//! Times a monthly replay of a local repository, the library part of `garrison ecosystem
//! replay` (no store): `cargo run --example replay_timing -- REPO SINCE` (`SINCE` is `YYYY-MM`).
//! Prints the months, the distinct commits, the time to pick the points and the total, then
//! the file-checkable verdicts of one month a year.

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let [_, repo, since] = args.as_slice() else {
        eprintln!("usage: replay_timing REPO SINCE");
        return ExitCode::from(2);
    };
    match run(Path::new(repo), since) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(repo: &Path, since: &str) -> Result<(), garrison_fleet::FleetError> {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let start = Instant::now();
    let points = garrison_fleet::points(repo, since, now)?;
    let picked = start.elapsed();
    let months = garrison_fleet::replay(repo, &points)?;
    let total = start.elapsed();
    let commits: BTreeSet<&str> = points.iter().map(|p| p.commit.as_str()).collect();
    let errors = months.iter().filter(|(_, e)| e.is_err()).count();
    println!(
        "{} months, {} distinct commits, {errors} errors; points {picked:.2?}, total {total:.2?}",
        points.len(),
        commits.len(),
    );
    for (p, e) in months.iter().step_by(12) {
        let Ok(e) = e else { continue };
        let verdicts: Vec<String> = e
            .items
            .iter()
            .zip(&e.verdicts)
            .filter(|(i, _)| i.file_checkable)
            .map(|(i, v)| format!("{}={}", i.id, v.status.as_str()))
            .collect();
        println!(
            "{} {} {}",
            p.month,
            p.commit.get(..10).unwrap_or(&p.commit),
            verdicts.join(" ")
        );
    }
    Ok(())
}
