use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{PEP751, ReleaseRule};
use crate::lock::{LockReport, Outcome, Row};

declare_rule! {
    /// ## What it checks
    /// A package the lock pins with hashes, none of whose files is in the `--dists`
    /// directory. Locks list every platform's wheels and a directory holds one platform's, so
    /// a package counts as present when at least one of its locked files is there (for
    /// requirements files, one wheel or sdist of its name and version). It only fails the run
    /// with `--require-all`, since lock entries for other platforms or Python versions are
    /// legitimately absent.
    ///
    /// ## Why it matters
    /// A directory meant to install a locked environment offline that lacks a package fails at
    /// install time, or makes the installer fall back to an index the lock did not vouch for.
    ///
    /// ## Example
    /// `pylock.toml` pins `packaging 24.2` with one wheel and one sdist, and neither is in
    /// `wheelhouse/`.
    ///
    /// ## Remediation
    /// Download the missing files (`pip download --no-deps --require-hashes -r …`, or
    /// `uv export` then `pip download`), or accept the gap if the package is for another
    /// platform.
    pub DistMissing {
        id: "release/dist-missing",
        summary: "locked package has none of its files in the directory",
        severity: Low,
        help: "download the package's locked files into the directory, or ignore it if it is for another platform",
        references: [PEP751],
    }
}

impl ReleaseRule for DistMissing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn lock(&self, report: &LockReport, row: &Row, out: &mut Vec<Finding>) {
        if row.outcome == Outcome::Missing {
            out.push(report.row_finding(&Self::META, row));
        }
    }
}
