use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{HASH_CHECKING, PEP751, ReleaseRule};
use crate::lock::{LockReport, Outcome, Row};

declare_rule! {
    /// ## What it checks
    /// A wheel or sdist in the `--dists` directory that the lock does not name: a package the
    /// lock does not have, another version than the locked one, or (for uv.lock and
    /// pylock.toml, which list every file) a file of the locked version that is not among its
    /// locked files. Files that are not distributions (by name) are ignored with a note.
    ///
    /// ## Why it matters
    /// Installers that take a directory (`pip install --find-links DIR`) may pick any file in
    /// it. A file nobody locked is one nobody reviewed: a dependency-confusion upload, a
    /// leftover from another build, or a planted wheel with a better-matching platform tag.
    ///
    /// ## Example
    /// The lock pins `requests 2.32.3`, and the directory also holds
    /// `requests-2.32.4-py3-none-any.whl`.
    ///
    /// ## Remediation
    /// Remove the file from the directory, or re-lock if the package or version is really
    /// needed, and re-run.
    pub DistNotInLock {
        id: "release/dist-not-in-lock",
        summary: "distribution file in the directory is not named by the lock",
        severity: Medium,
        help: "remove the file from the directory, or add it to the lock and re-run",
        references: [HASH_CHECKING, PEP751],
    }
}

impl ReleaseRule for DistNotInLock {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn lock(&self, report: &LockReport, row: &Row, out: &mut Vec<Finding>) {
        if row.outcome == Outcome::NotInLock {
            out.push(report.row_finding(&Self::META, row));
        }
    }
}
