use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{PEP740, ReleaseRule, SPEC8};
use crate::lock::{LockReport, Outcome, Row};

declare_rule! {
    /// ## What it checks
    /// A distribution whose hash is as locked but that has no attestation, while one is
    /// expected: the policy file names a publisher for the package, or sets
    /// `require-attestations = true`. (A publisher recorded on first use that vanishes is
    /// `release/publisher-changed`.)
    ///
    /// ## Why it matters
    /// Once a project publishes with attestations, a release without one was uploaded some
    /// other way — possibly with a leaked API token instead of the project's CI. Requiring
    /// attestations makes that visible before install.
    ///
    /// ## Example
    /// The policy names `github:scipy/scipy workflow=wheels.yml` for `scipy`, and the
    /// directory has `scipy-1.14.1-cp312-cp312-manylinux_2_17_x86_64.whl` with no
    /// `.publish.attestation` or `.provenance` next to it.
    ///
    /// ## Remediation
    /// Fetch the attestations with the files (PyPI's integrity API:
    /// `https://pypi.org/integrity/<project>/<version>/<file>/provenance`, saved as
    /// `DIST.provenance`). If the release really has none, ask the project why before
    /// installing it.
    pub Unattested {
        id: "release/unattested",
        summary: "distribution has no attestation, but the policy expects one",
        severity: Medium,
        help: "fetch the file's provenance from PyPI's integrity API; if there is none, ask the project why",
        references: [PEP740, SPEC8],
    }
}

impl ReleaseRule for Unattested {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn lock(&self, report: &LockReport, row: &Row, out: &mut Vec<Finding>) {
        if row.outcome == Outcome::Unattested && !row.publisher_changed {
            out.push(report.row_finding(&Self::META, row));
        }
    }
}
