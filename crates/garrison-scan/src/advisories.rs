//! Which advisory data a scan uses: the local database when present, else the snapshot built
//! into Garrison; and what the report states about it.

use std::path::Path;

use garrison_advisories::{Database, Status, snapshot};
use garrison_report::{AdvisoryData, AdvisorySource};

use crate::ScanError;

/// The database at `path` when it exists (a damaged one is an error), else the embedded
/// snapshot; with what a report states about it, aged at `now` (Unix seconds).
pub fn open_advisories(path: &Path, now: i64) -> Result<(Database, AdvisoryData), ScanError> {
    if path.exists() {
        let db = Database::load(path).map_err(|source| ScanError::Database {
            path: path.to_path_buf(),
            source,
        })?;
        let data = advisory_data(
            db.status(),
            AdvisorySource::Database,
            Some(path.display().to_string()),
            now,
        );
        return Ok((db, data));
    }
    // No local database: the snapshot built into Garrison. The report says so (and how old
    // it is), so nothing is printed here.
    let db = snapshot::embedded().map_err(ScanError::Snapshot)?;
    let data = advisory_data(db.status(), AdvisorySource::Embedded, None, now);
    Ok((db, data))
}

/// What a report states about advisory data with `status`.
pub fn advisory_data(
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
