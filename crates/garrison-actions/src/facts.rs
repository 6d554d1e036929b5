//! Facts about workflows that several audits share: which triggers are privileged, which
//! jobs publish, which steps check out untrusted code.

use garrison_workflows::{Job, Step, Workflow};

/// Triggers that run with the base repository's secrets and a write token while handling
/// input from forks (`pull_request_target`, `workflow_run`) or from anyone who can comment or
/// open an issue.
pub const PRIVILEGED_TRIGGERS: &[&str] = &[
    "pull_request_target",
    "workflow_run",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "pull_request_review",
    "pull_request_review_comment",
];

/// Triggers an outsider can cause (fork pull requests, issues, comments).
pub const EXTERNAL_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "workflow_run",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "pull_request_review",
    "pull_request_review_comment",
    "fork",
    "watch",
];

/// The privileged triggers of `wf`.
pub fn privileged_triggers(wf: &Workflow) -> Vec<&str> {
    wf.triggers
        .iter()
        .map(|t| t.event.as_str())
        .filter(|e| PRIVILEGED_TRIGGERS.contains(e))
        .collect()
}

/// Actions that upload to PyPI.
pub const PYPI_PUBLISH_ACTIONS: &[&str] = &["pypa/gh-action-pypi-publish"];

/// True if the step publishes to a Python package index (the PyPA action, `twine upload`,
/// `uv publish`, `flit publish`, `poetry publish`, `hatch publish`, `pdm publish`).
pub fn step_publishes(step: &Step) -> bool {
    if PYPI_PUBLISH_ACTIONS.iter().any(|a| step.uses_action(a)) {
        return true;
    }
    step.run
        .as_ref()
        .and_then(|r| r.as_str())
        .is_some_and(run_publishes)
}

/// True if a shell script uploads to a package index.
pub fn run_publishes(script: &str) -> bool {
    script.lines().any(|l| {
        let l = l.trim();
        !l.starts_with('#')
            && (l.contains("twine upload")
                || l.contains("uv publish")
                || l.contains("flit publish")
                || l.contains("poetry publish")
                || l.contains("hatch publish")
                || l.contains("pdm publish")
                || l.contains("maturin publish")
                || l.contains("maturin upload"))
    })
}

/// True if any step of the job publishes.
pub fn job_publishes(job: &Job) -> bool {
    job.steps.iter().any(step_publishes)
}
