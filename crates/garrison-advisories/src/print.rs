//! What `garrison db` says about advisory data: a database's or the embedded snapshot's
//! status (with a warning when it is stale) and a written snapshot's summary.

use crate::Status;
use crate::snapshot::{ATTRIBUTION, STALE_AFTER_DAYS};

/// The status of the database at `path` (as shown to the user), aged at `now` (Unix seconds).
pub fn status(path: &str, s: &Status, now: u64) -> String {
    status_as("database:", path, s, now)
}

/// The status when there is no database at `missing`: what scans use instead, the snapshot
/// built into Garrison (`s`), with its attribution.
pub fn embedded_status(missing: &str, s: &Status, now: u64) -> String {
    format!(
        "no advisory database at {missing} (run `garrison db sync` or `garrison db import PATH`);\nscans use the snapshot built into Garrison:\n\n{}{ATTRIBUTION}\n",
        status_as("snapshot:", "(embedded)", s, now)
    )
}

fn status_as(key: &str, shown: &str, s: &Status, now: u64) -> String {
    let age = s.age_days(now);
    let mut out = format!(
        "{key:<16} {shown}\nsource:          {}\nrecords:         {} ({} withdrawn, {} unreadable)\nvulnerabilities: {} (aliases merged) in {} package{}\nnewest record:   {}{}\n",
        s.source,
        s.records,
        s.withdrawn,
        s.errors,
        s.vulnerabilities,
        s.packages,
        if s.packages == 1 { "" } else { "s" },
        s.newest_modified,
        age.map(|a| format!(" ({a} days old)")).unwrap_or_default(),
    );
    if age.is_some_and(|a| a > STALE_AFTER_DAYS) {
        out.push_str(&format!(
            "warning: older than {STALE_AFTER_DAYS} days; run `garrison db sync` (or re-import) for current advisories\n",
        ));
    }
    out
}

/// The summary of a snapshot of `bytes` bytes written to `output` (`garrison db snapshot`).
pub fn snapshot_written(output: &str, bytes: usize, s: &Status) -> String {
    format!(
        "snapshot:        {output} ({bytes} bytes)\nsource:          {}\nrecords:         {} ({} withdrawn, {} unreadable)\nvulnerabilities: {} (aliases merged) in {} packages\ndate:            {} (newest record)\n",
        s.source,
        s.records,
        s.withdrawn,
        s.errors,
        s.vulnerabilities,
        s.packages,
        s.newest_modified,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status_of(newest: &str) -> Status {
        Status {
            source: "advisories".into(),
            records: 3,
            withdrawn: 1,
            errors: 0,
            vulnerabilities: 2,
            packages: 2,
            newest_modified: newest.into(),
            imported_at: 0,
        }
    }

    #[test]
    fn status_ages_and_warns_when_stale() {
        // 2024-01-31 00:00 UTC.
        let now = 1_706_659_200;
        let fresh = status("/db", &status_of("2024-01-21T00:00:00Z"), now);
        assert_eq!(
            fresh,
            "database:        /db\nsource:          advisories\nrecords:         3 (1 withdrawn, 0 unreadable)\nvulnerabilities: 2 (aliases merged) in 2 packages\nnewest record:   2024-01-21T00:00:00Z (10 days old)\n"
        );
        let stale = embedded_status("/db", &status_of("2023-01-01T00:00:00Z"), now);
        assert!(
            stale.starts_with("no advisory database at /db (run"),
            "{stale}"
        );
        assert!(stale.contains("\nsnapshot:        (embedded)\n"), "{stale}");
        assert!(
            stale.contains("(395 days old)\nwarning: older than 30 days;"),
            "{stale}"
        );
        assert!(stale.ends_with(&format!("{ATTRIBUTION}\n")));
    }
}
