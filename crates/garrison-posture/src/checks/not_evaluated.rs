use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity};

use super::ROOT;
use crate::{Check, Workspace};

pub use garrison_report::not_evaluated::NotEvaluated;

/// Items that need GitHub or PyPI API data: `(key, description, where to look)`.
pub const API_ITEMS: &[(&str, &str, &str)] = &[
    (
        "branch-protection",
        "branch protection or rulesets on the default branch",
        "Settings → Branches / Rules: require pull requests, block force pushes and deletions",
    ),
    (
        "required-reviews",
        "required reviews (and code-owner review) before merging",
        "Settings → Rules: require at least one approving review and review from code owners",
    ),
    (
        "environment-protection",
        "deployment protection rules (required reviewers) on the publishing environment",
        "Settings → Environments → pypi: add required reviewers and restrict deployment branches/tags",
    ),
    (
        "maintainer-2fa",
        "two-factor authentication of maintainers and the organisation's 2FA requirement",
        "Organisation settings → Authentication security: require 2FA; PyPI requires 2FA for every account",
    ),
    (
        "pypi-trusted-publisher",
        "the trusted publisher configuration of the project on pypi.org",
        "pypi.org → project → Publishing: one trusted publisher naming this repository, workflow and environment; no API tokens",
    ),
    (
        "admin-count",
        "the number of repository and organisation admins and PyPI owners",
        "keep admins and PyPI owners few, each with 2FA (SPEC 6)",
    ),
];

/// The reason given when GitHub API data is needed.
pub const NEEDS_API: &str = "needs GitHub or PyPI API data, which this offline scan does not read";

/// A not-evaluated finding for `check` (a rule id or item key) with a reason.
pub fn finding(check: &str, what: &str, reason: &str, location: Location) -> Finding {
    Finding::builder(&NotEvaluated::META)
        .message(format!("not evaluated: {what} ({reason})"))
        .severity(Severity::Info)
        .confidence(Confidence::High)
        .location(location)
        .evidence("check", check)
        .evidence("reason", reason)
        .key(check)
        .build()
}

impl Check for NotEvaluated {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, _co: &Workspace, out: &mut Vec<Finding>) {
        for (key, what, how) in API_ITEMS {
            let mut f = finding(key, what, NEEDS_API, Location::file(ROOT));
            f.help = format!("check by hand: {how}");
            if *key == "maintainer-2fa" || *key == "admin-count" {
                f.references.retain(|r| r.starts_with("SPEC 6"));
            }
            out.push(f);
        }
    }
}
