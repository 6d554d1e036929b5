use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Job, Route, StepIn, Uses, Workflow};
use garrison_yaml::Node;

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// `uses:` references to actions and reusable workflows in other repositories that are
    /// not pinned to a full 40-hex commit SHA, in workflows (steps and reusable-workflow
    /// calls) and in composite actions. Local actions (`./…`) are not concerned; Docker
    /// images are checked by `workflow/unpinned-image`.
    ///
    /// Severity depends on what the ref is:
    /// - a branch (`@main`, `@master`, `@stable`, …) or no ref at all: **high**, since every
    ///   push to that branch changes the code that runs with your token and secrets;
    /// - a tag (`@v4`, `@1.2.3`) of a third-party action: **medium**, since tags can be moved
    ///   by anyone with write access to that repository (tj-actions/changed-files, 2025);
    /// - a tag of a GitHub-owned action (`actions/*`, `github/*`): **low**, since those
    ///   repositories are maintained by GitHub with its own release process; pinning them is
    ///   still recommended for reproducibility.
    ///
    /// ## Why it matters
    /// An action runs with the job's `GITHUB_TOKEN` and every secret the job can see. A
    /// mutable ref lets whoever controls the action's repository (its maintainers, or an
    /// attacker who compromised them) change what runs in your release pipeline without any
    /// change to your repository. The tj-actions/changed-files compromise (CVE-2025-30066)
    /// retargeted every tag of the action to a commit that dumped CI secrets to logs.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   - uses: actions/checkout@v4
    ///   - uses: pypa/gh-action-pypi-publish@release/v1
    /// ```
    ///
    /// ## Remediation
    /// Pin to the full commit SHA and keep the tag as a comment so Dependabot or Renovate can
    /// update both: `uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2`.
    pub UnpinnedUses {
        id: "workflow/unpinned-uses",
        summary: "action or reusable workflow not pinned to a commit SHA",
        severity: Medium,
        help: "pin to a full 40-character commit SHA with the version as a comment (`@<sha> # v4.2.2`) and let Dependabot update it",
        references: [
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions",
            "https://github.com/advisories/GHSA-mrrh-fwg8-r2c3",
        ],
    }
}

/// Branch names commonly used as action refs.
const BRANCHES: &[&str] = &[
    "main", "master", "develop", "dev", "trunk", "stable", "nightly", "latest", "beta", "next",
    "unstable", "release", "releases", "head", "HEAD",
];

/// What kind of ref a `@ref` looks like.
fn ref_kind(r: Option<&str>) -> &'static str {
    let Some(r) = r else { return "none" };
    if r.is_empty() {
        return "none";
    }
    if r.len() >= 7 && r.len() < 40 && r.bytes().all(|b| b.is_ascii_hexdigit()) {
        return "short-sha";
    }
    let v = r
        .strip_prefix('v')
        .or_else(|| r.strip_prefix('V'))
        .unwrap_or(r);
    if v.bytes().next().is_some_and(|b| b.is_ascii_digit()) && !r.contains('/') {
        return "tag";
    }
    if BRANCHES.contains(&r) || r.contains('/') {
        return "branch";
    }
    // `@stable-2024`, `@gh-pages`, … : not a version, most likely a branch.
    "symbolic"
}

fn github_owned(owner: &str) -> bool {
    matches!(owner.to_ascii_lowercase().as_str(), "actions" | "github")
}

fn check(path: &str, uses: &Uses, node: &Node, route: &Route, what: &str, out: &mut Vec<Finding>) {
    let Uses::Repository { owner, git_ref, .. } = uses else {
        return;
    };
    if uses.is_sha_pinned() {
        return;
    }
    let r = git_ref.as_deref();
    let kind = ref_kind(r);
    let name = uses.action_name().unwrap_or_default();
    let shown = node.as_str().unwrap_or_default().trim();
    let (severity, confidence, how) = match kind {
        "none" => (
            Severity::High,
            Confidence::High,
            "has no ref and runs the default branch".to_string(),
        ),
        "branch" => (
            Severity::High,
            Confidence::High,
            format!(
                "is pinned to branch `{}`, which changes with every push",
                r.unwrap_or_default()
            ),
        ),
        "symbolic" => (
            Severity::High,
            Confidence::Medium,
            format!(
                "is pinned to `{}`, which looks like a branch",
                r.unwrap_or_default()
            ),
        ),
        "short-sha" => (
            Severity::Medium,
            Confidence::High,
            "is pinned to an abbreviated commit SHA, which is ambiguous".to_string(),
        ),
        _ if github_owned(owner) => (
            Severity::Low,
            Confidence::High,
            "is pinned to a tag, which can be moved".to_string(),
        ),
        _ => (
            Severity::Medium,
            Confidence::High,
            "is pinned to a tag, which can be moved".to_string(),
        ),
    };
    out.push(
        Finding::builder(&UnpinnedUses::META)
            .message(format!("{what} {shown} {how}"))
            .severity(severity)
            .confidence(confidence)
            .location(
                loc(path, node.span, route.then("uses")).with_note(format!("mutable ref ({kind})")),
            )
            .evidence("action", name)
            .evidence("ref", r.unwrap_or_default())
            .evidence("ref_kind", kind)
            .build(),
    );
}

impl Audit for UnpinnedUses {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn job(&self, _ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
        if let Some((u, n)) = &job.uses {
            check(wf.path(), u, n, &job.route, "reusable workflow", out);
        }
    }

    fn step(&self, _ws: &Workspace, s: StepIn<'_>, out: &mut Vec<Finding>) {
        if let Some((u, n)) = &s.step.uses {
            check(s.path(), u, n, &s.step.route, "action", out);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ref_kind;

    #[test]
    fn kinds() {
        assert_eq!(ref_kind(Some("v4")), "tag");
        assert_eq!(ref_kind(Some("1.2.3")), "tag");
        assert_eq!(ref_kind(Some("release/v1")), "branch");
        assert_eq!(ref_kind(Some("main")), "branch");
        assert_eq!(ref_kind(Some("abc1234")), "short-sha");
        assert_eq!(ref_kind(Some("gh-pages")), "symbolic");
        assert_eq!(ref_kind(None), "none");
    }
}
