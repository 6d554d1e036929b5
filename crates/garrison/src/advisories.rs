//! Which advisory data a run uses: the local database when present, else the snapshot built
//! into Garrison; what the report says about it; `garrison db snapshot`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context as _, Result};
use garrison_advisories::{Database, Status, snapshot};
use garrison_report::{AdvisoryData, AdvisorySource};

use crate::output::{eprintln, write_output};

/// The database at `path` when it exists (a damaged one is an error), else the embedded
/// snapshot; with what a report states about it, aged at `now` (Unix seconds).
pub fn open(path: &Path, now: i64) -> Result<(Database, AdvisoryData)> {
    if path.exists() {
        let db = Database::load(path)
            .with_context(|| format!("cannot load the advisory database {}", path.display()))?;
        let data = data(
            db.status(),
            AdvisorySource::Database,
            Some(path.display().to_string()),
            now,
        );
        return Ok((db, data));
    }
    // No local database: the snapshot built into Garrison. The report says so (and how old
    // it is), so nothing is printed here.
    let db = snapshot::embedded().context("cannot open the embedded advisory snapshot")?;
    let data = data(db.status(), AdvisorySource::Embedded, None, now);
    Ok((db, data))
}

/// What a report states about advisory data with `status`.
pub fn data(
    status: &Status,
    source: AdvisorySource,
    path: Option<String>,
    now: i64,
) -> AdvisoryData {
    let fresh = snapshot::freshness(status, now);
    AdvisoryData {
        source,
        path,
        origin: status.source.clone(),
        date: status
            .newest_modified
            .get(..10)
            .unwrap_or(&status.newest_modified)
            .to_string(),
        newest_modified: status.newest_modified.clone(),
        age_days: fresh.age_days,
        stale: fresh.stale,
        stale_after_days: snapshot::STALE_AFTER_DAYS,
    }
}

/// `garrison db snapshot --from SOURCE --output FILE`.
pub fn write_snapshot(from: &Path, output: &Path) -> Result<ExitCode> {
    let (bytes, status, errors) = snapshot::generate(from)
        .with_context(|| format!("cannot make a snapshot of {}", from.display()))?;
    for e in errors.iter().take(20) {
        eprintln(&format!("garrison: skipped {e}"));
    }
    if errors.len() > 20 {
        eprintln(&format!(
            "garrison: … and {} more unreadable records",
            errors.len() - 20
        ));
    }
    if let Some(dir) = output.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    std::fs::write(output, &bytes).with_context(|| format!("cannot write {}", output.display()))?;
    write_output(
        None,
        &format!(
            "snapshot:        {} ({} bytes)\nsource:          {}\nrecords:         {} ({} withdrawn, {} unreadable)\nvulnerabilities: {} (aliases merged) in {} packages\ndate:            {} (newest record)\n",
            output.display(),
            bytes.len(),
            status.source,
            status.records,
            status.withdrawn,
            status.errors,
            status.vulnerabilities,
            status.packages,
            status.newest_modified,
        ),
    )?;
    Ok(ExitCode::SUCCESS)
}
