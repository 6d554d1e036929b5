use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{PEP740, ReleaseRule, TRUSTED_PUBLISHERS};
use crate::lock::{LockReport, Outcome, Row};

declare_rule! {
    /// ## What it checks
    /// Trust on first use (`garrison verify --lock … --tofu FILE`): the first time a
    /// package's attestation verifies, its Trusted Publisher is recorded in `FILE`. Later runs
    /// report a file whose attestation names a different publisher ("publisher changed from X
    /// to Y since version V"), or that has no attestation where earlier versions had one
    /// ("publisher vanished"). Garrison never rewrites a recorded identity by itself; accept a
    /// change with `--tofu-update`.
    ///
    /// ## Why it matters
    /// Packages rarely change how they publish. A change of repository or workflow, or
    /// attestations that stop, is what a takeover looks like: a new maintainer account, a
    /// token used from elsewhere, a fork publishing under the old name.
    ///
    /// ## Example
    /// `attrs` was recorded as `github:python-attrs/attrs workflow=pypi-package.yml` at
    /// 24.2.0; the 25.1.0 wheel is attested by `github:attrs-mirror/attrs workflow=publish.yml`.
    ///
    /// ## Remediation
    /// Find out why the publisher changed (release notes, the project's PyPI publishing
    /// settings, the maintainers). If the change is legitimate, re-run with `--tofu-update` to
    /// record the new publisher; otherwise do not install the file.
    pub PublisherChanged {
        id: "release/publisher-changed",
        summary: "package's publisher changed or vanished since it was first recorded",
        severity: High,
        help: "confirm the change with the project; accept it with --tofu-update only once it is explained",
        references: [PEP740, TRUSTED_PUBLISHERS],
    }
}

impl ReleaseRule for PublisherChanged {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn lock(&self, report: &LockReport, row: &Row, out: &mut Vec<Finding>) {
        if row.publisher_changed
            && matches!(row.outcome, Outcome::IdentityMismatch | Outcome::Unattested)
        {
            out.push(report.row_finding(&Self::META, row));
        }
    }
}
