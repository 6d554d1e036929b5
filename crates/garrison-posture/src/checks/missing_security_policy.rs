use garrison_report::{Confidence, Finding, Location, RuleMeta, declare_rule};

use super::{ROOT, security_policies};
use crate::{Check, SPEC6, Workspace};

declare_rule! {
    /// ## What it checks
    /// That the repository has a security policy: a `SECURITY.md` (any case; `.md`, `.rst` or
    /// `.txt`) at the root, in `.github/` or in `docs/`, the places GitHub looks for one.
    ///
    /// ## Why it matters
    /// A reporter who finds a vulnerability needs to know how to tell the maintainers without
    /// telling everyone else. Without a policy, reports arrive as public issues, and the
    /// vulnerability is disclosed before a fix exists. GitHub links the policy from the
    /// repository's *Security* tab and from the new-issue page.
    ///
    /// ## Example
    /// A repository with a `README.md` and a `CONTRIBUTING.md` but no `SECURITY.md`.
    ///
    /// ## Remediation
    /// Add `SECURITY.md` naming a private channel (GitHub private vulnerability reporting at
    /// `https://github.com/OWNER/REPO/security/advisories/new`, or a monitored e-mail
    /// address), the supported versions, and what reporters can expect.
    pub MissingSecurityPolicy {
        id: "posture/missing-security-policy",
        summary: "no SECURITY.md telling reporters how to disclose a vulnerability privately",
        severity: Low,
        help: "add SECURITY.md naming a private reporting channel (GitHub private vulnerability reporting or an e-mail address)",
        references: [
            SPEC6,
            "https://docs.github.com/en/code-security/getting-started/adding-a-security-policy-to-your-repository",
        ],
    }
}

impl Check for MissingSecurityPolicy {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        if !security_policies(ws).is_empty() {
            return;
        }
        out.push(
            Finding::builder(&Self::META)
                .message("no security policy (SECURITY.md at the root, in .github/ or docs/)")
                .confidence(Confidence::Medium)
                .location(Location::file(ROOT).with_note(
                    "an organisation-wide policy in OWNER/.github also counts; it is not visible here",
                ))
                .evidence("searched", "SECURITY.{md,rst,txt} in ./, .github/, docs/")
                .build(),
        );
    }
}
