//! Repository posture: SPEC 6 ("Keys to the Castle") and SPEC 8 ("Securing the Release
//! Process") checks on a checkout.
//!
//! A check is one file in [`checks`] implementing [`Check`], plus one line in
//! [`checks::CHECKS`], fixtures under `tests/fixtures/<rule-name>/<case>/` (each case a mini
//! repository) and their snapshots. Checks read the [`Workspace`] (garrison-workspace): the
//! list of files, the parsed workflows, dependabot, pre-commit and `pyproject.toml`
//! configuration, `CODEOWNERS` and the texts of the documents they look at.
//!
//! Checks that need data a checkout does not hold (branch protection, 2FA, PyPI trusted
//! publisher settings) report `info/not-evaluated` findings instead of passing silently.

pub mod checks;

use garrison_report::{Finding, Location, RuleMeta, Span};
use garrison_workspace::Kind;

pub use garrison_workspace::Workspace;

/// The inputs the posture checks read: their load errors (and the walk's) are the checks' to
/// report.
pub const INPUTS: &[Option<Kind>] = &[
    None,
    Some(Kind::Workflow),
    Some(Kind::Dependabot),
    Some(Kind::PreCommit),
    Some(Kind::Pyproject),
];

/// The SPEC 8 reference shared by most checks.
pub const SPEC8: &str =
    "SPEC 8 — Securing the Release Process: https://scientific-python.org/specs/spec-0008/";
/// The SPEC 6 reference.
pub const SPEC6: &str =
    "SPEC 6 — Keys to the Castle: https://scientific-python.org/specs/spec-0006/";

/// Why a check could not read what it needs; the check reports it as `info/not-evaluated`.
#[derive(Debug, thiserror::Error)]
pub enum PostureError {
    /// The workspace is not a git checkout.
    #[error("not a git checkout (no .git)")]
    NotGit,
    /// The git repository could not be read.
    #[error(transparent)]
    Git(#[from] garrison_git::GitError),
}

/// One posture check. It reports the rule named by [`Check::meta`] (and, where it cannot
/// decide, `info/not-evaluated`).
pub trait Check: Sync {
    /// The rule this check reports.
    fn meta(&self) -> &'static RuleMeta;

    /// Inspects the workspace and appends findings.
    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>);
}

/// Runs every check whose rule id `selected` accepts.
pub fn run(ws: &Workspace, selected: &dyn Fn(&str) -> bool) -> Vec<Finding> {
    let mut out = Vec::new();
    for c in checks::CHECKS {
        if selected(c.meta().id) {
            c.check(ws, &mut out);
        }
    }
    // Fingerprints name a workflow step by what it is, not its position (as the workflow
    // audits do: `garrison_actions::key_on_subjects`).
    for f in &mut out {
        let path = f.primary().map(|l| l.path.clone()).unwrap_or_default();
        f.rekey(&|t| ws.subject(&path, t));
    }
    out
}

/// Metadata of every posture rule (including `info/not-evaluated`).
pub fn rules() -> Vec<&'static RuleMeta> {
    checks::CHECKS.iter().map(|c| c.meta()).collect()
}

/// A location with a span and a route.
pub fn loc(path: &str, span: Span, route: impl Into<String>) -> Location {
    Location::span(path, span).with_route(route)
}
