//! The `info/not-evaluated` rule shared by every analysis: a check that could not run is
//! reported, never silently passed.

use crate::declare_rule;

declare_rule! {
    /// ## What it checks
    /// Nothing by itself: it reports each posture item that cannot be decided from a checkout,
    /// so a report never passes it silently. From the files alone Garrison cannot see branch
    /// protection or rulesets on the default branch, required reviews, deployment protection
    /// rules on the publishing environment, two-factor authentication of maintainers and of
    /// the organisation, PyPI trusted-publisher settings, or how many people are admins.
    /// Other posture checks also report here when their input is missing (no git metadata,
    /// no publishing workflow).
    ///
    /// ## Why it matters
    /// SPEC 6 and SPEC 8 depend on these settings as much as on files: trusted publishing
    /// is only as strong as the environment's required reviewers, and `CODEOWNERS` only
    /// matters if branch protection requires code-owner review. A clean report must not be
    /// read as "these are fine".
    ///
    /// ## Example
    /// `garrison posture .` on any checkout reports `info/not-evaluated` for
    /// "branch protection on the default branch".
    ///
    /// ## Remediation
    /// Check the items by hand in the repository and organisation settings (and on pypi.org),
    /// or run the access audit on an exported GitHub/PyPI snapshot when it is available.
    pub NotEvaluated {
        id: "info/not-evaluated",
        summary: "a check that needs data Garrison does not have was not evaluated (never silently passed)",
        severity: Info,
        help: "check this item in the GitHub/PyPI settings by hand",
        references: [
            "SPEC 6: https://scientific-python.org/specs/spec-0006/",
            "SPEC 8: https://scientific-python.org/specs/spec-0008/",
        ],
    }
}
