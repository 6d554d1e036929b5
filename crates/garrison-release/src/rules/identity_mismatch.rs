use garrison_report::{Finding, RuleMeta, declare_rule};

use super::{PEP740, ReleaseRule, TRUSTED_PUBLISHERS};
use crate::lock::{LockReport, Outcome, Row};

declare_rule! {
    /// ## What it checks
    /// For each distribution whose hash is as locked, its PEP 740 attestations
    /// (`DIST.publish.attestation`, `DIST.attestation`, `DIST.provenance`, next to the file or
    /// in `--attestations DIR`) are verified offline: Sigstore signature, certificate chain and
    /// transparency log, one in-toto subject with the file's name and sha256. The signer's
    /// Trusted Publisher (GitHub repository + workflow file, GitLab project + CI file, Google
    /// service account) must be the one the policy file names for the package. Reported when
    /// the attestation is signed by another publisher, by an identity that is not a Trusted
    /// Publisher, or does not verify at all.
    ///
    /// ## Why it matters
    /// An attestation ties a file to the CI workflow that built and uploaded it. A valid
    /// attestation from the wrong repository or workflow means someone else could publish the
    /// package (a stolen token used from a fork, a new workflow added by an attacker); an
    /// invalid one means the file or its attestation was tampered with.
    ///
    /// ## Example
    /// The policy says `numpy = "github:numpy/numpy workflow=wheels.yml"`, and the wheel's
    /// attestation was signed by `github:someone/numpy workflow=release.yml`.
    ///
    /// ## Remediation
    /// Do not install the file. Check the project's announced publishing setup; if the project
    /// really moved its release workflow, update the policy entry after confirming it with the
    /// maintainers.
    pub IdentityMismatch {
        id: "release/identity-mismatch",
        summary: "attestation signed by another publisher than the policy names, or invalid",
        severity: High,
        help: "do not install this file; confirm the project's publisher before changing the policy",
        references: [PEP740, TRUSTED_PUBLISHERS],
    }
}

impl ReleaseRule for IdentityMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn lock(&self, report: &LockReport, row: &Row, out: &mut Vec<Finding>) {
        if row.outcome == Outcome::IdentityMismatch && !row.publisher_changed {
            out.push(report.row_finding(&Self::META, row));
        }
    }
}
