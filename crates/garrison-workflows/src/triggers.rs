//! Which events start a workflow, and who can cause them.

use crate::model::Workflow;

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

/// The event names of a workflow's triggers.
pub fn trigger_names(wf: &Workflow) -> Vec<&str> {
    wf.triggers.iter().map(|t| t.event.as_str()).collect()
}

/// The privileged triggers of `wf` ([`PRIVILEGED_TRIGGERS`]).
pub fn privileged_triggers(wf: &Workflow) -> Vec<&str> {
    wf.triggers
        .iter()
        .map(|t| t.event.as_str())
        .filter(|e| PRIVILEGED_TRIGGERS.contains(e))
        .collect()
}

/// True if the workflow has any trigger an outsider can cause ([`EXTERNAL_TRIGGERS`]).
pub fn has_external_trigger(wf: &Workflow) -> bool {
    wf.triggers
        .iter()
        .any(|t| EXTERNAL_TRIGGERS.contains(&t.event.as_str()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn trigger_tables() {
        let wf = Workflow::parse(
            "w.yml",
            "on: [push, pull_request, issue_comment]\njobs: {}\n",
        )
        .unwrap();
        assert_eq!(
            trigger_names(&wf),
            ["push", "pull_request", "issue_comment"]
        );
        assert_eq!(privileged_triggers(&wf), ["issue_comment"]);
        assert!(has_external_trigger(&wf));
        let wf = Workflow::parse("w.yml", "on: push\njobs: {}\n").unwrap();
        assert!(!has_external_trigger(&wf) && privileged_triggers(&wf).is_empty());
    }
}
