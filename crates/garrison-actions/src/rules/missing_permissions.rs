use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Route, Workflow};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Workflows with no top-level `permissions:` block where at least one job has none
    /// either. Such jobs get the repository's default `GITHUB_TOKEN` permissions, which are
    /// read/write on every scope for repositories created before February 2023 and for
    /// organisations that never changed the setting. One finding per workflow, at `on:`,
    /// listing the jobs concerned. Workflows triggered only by `workflow_call` are skipped:
    /// their token is bounded by the caller.
    ///
    /// ## Why it matters
    /// A write token lets any compromised step (a hijacked action, a malicious dependency's
    /// build script, an injection) push commits, move tags or create releases. The workflow
    /// file alone cannot tell what the default is, so it should say what it needs.
    ///
    /// ## Example
    /// ```yaml
    /// on: [push, pull_request]
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-latest
    /// ```
    ///
    /// ## Remediation
    /// Add `permissions: contents: read` (or `permissions: {}`) at the top of the workflow and
    /// grant write scopes only on the jobs that need them.
    pub MissingPermissions {
        id: "workflow/missing-permissions",
        summary: "workflow relies on the default GITHUB_TOKEN permissions",
        severity: Medium,
        help: "add `permissions:\\n  contents: read` at the workflow level and grant write scopes per job",
        references: [
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/automatic-token-authentication#modifying-the-permissions-for-the-github_token",
        ],
    }
}

impl Audit for MissingPermissions {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn workflow(&self, _ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
        if wf.permissions.is_some() || wf.jobs.is_empty() {
            return;
        }
        if !wf.triggers.is_empty() && wf.triggers.iter().all(|t| t.event == "workflow_call") {
            return;
        }
        let jobs: Vec<&str> = wf
            .jobs
            .iter()
            .filter(|j| j.permissions.is_none())
            .map(|j| j.id.as_str())
            .collect();
        let Some(first) = jobs.first() else {
            return;
        };
        let (span, route) = match wf.on_span {
            Some(s) => (s, Route::path("on")),
            None => match wf.job(first) {
                Some(j) => (j.key_span, j.route.clone()),
                None => return,
            },
        };
        let list = jobs.join(", ");
        out.push(
            Finding::builder(&MissingPermissions::META)
                .message(format!(
                    "no `permissions:` for the workflow or for job{} {list}: the default token may be read/write",
                    if jobs.len() == 1 { "" } else { "s" }
                ))
                .severity(Severity::Medium)
                .confidence(Confidence::Medium)
                .location(loc(wf.path(), span, route).with_note("no permissions block"))
                .evidence("jobs_without_permissions", jobs.clone())
                .build(),
        );
    }
}
