use garrison_report::{Confidence, Finding, RuleMeta, Severity, declare_rule};
use garrison_workflows::{Job, Workflow};
use garrison_yaml::{Node, Value};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Jobs whose `runs-on:` names a `self-hosted` runner (as a string, in a label list, in
    /// `labels:` of a mapping, or through a `matrix` value) in workflows that pull requests,
    /// comments or `workflow_run` can trigger. A runner `group:` or an expression that may
    /// resolve to `self-hosted` is reported with low confidence.
    ///
    /// ## Why it matters
    /// Self-hosted runners are not ephemeral by default: a pull request from a fork runs its
    /// code on the machine, can install a persistent backdoor, read credentials and caches
    /// left by later jobs (including release jobs of the default branch), and reach the
    /// network the machine sits in. GitHub recommends never using self-hosted runners with
    /// public repositories. Under `pull_request_target` the fork code also gets secrets.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request
    /// jobs:
    ///   gpu-tests:
    ///     runs-on: [self-hosted, linux, gpu]
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///       - run: pytest tests/gpu
    /// ```
    ///
    /// ## Remediation
    /// Run pull-request jobs on GitHub-hosted runners. If self-hosted hardware is required
    /// (GPUs), trigger the job only for trusted events (`push`, `schedule`,
    /// `workflow_dispatch`, or a label that only maintainers can apply, checked with
    /// `github.event.pull_request.head.repo.full_name == github.repository`), use ephemeral
    /// just-in-time runners (`--ephemeral`, actions-runner-controller), and require approval
    /// for all outside collaborators in the repository's Actions settings.
    pub SelfHostedRunner {
        id: "workflow/self-hosted-runner",
        summary: "self-hosted runner reachable from pull requests",
        severity: High,
        help: "run pull-request jobs on GitHub-hosted runners, or use ephemeral self-hosted runners for trusted events only",
        references: [
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#hardening-for-self-hosted-runners",
            "https://securitylab.github.com/resources/github-actions-building-blocks/",
            "https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

const PR_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "issue_comment",
    "workflow_run",
    "pull_request_review",
    "pull_request_review_comment",
];

fn literal_self_hosted(n: &Node) -> bool {
    match &n.value {
        Value::Scalar(s, _) => s.trim().eq_ignore_ascii_case("self-hosted"),
        Value::Seq(v) => v.iter().any(literal_self_hosted),
        Value::Map(_) => n.get("labels").is_some_and(literal_self_hosted),
    }
}

/// How the job's `runs-on` selects a self-hosted runner, with the confidence of that reading.
fn self_hosted(job: &Job, runs_on: &Node) -> Option<(String, Confidence)> {
    if literal_self_hosted(runs_on) {
        return Some(("self-hosted".to_string(), Confidence::High));
    }
    if runs_on.get("group").is_some() {
        return Some(("runner group".to_string(), Confidence::Low));
    }
    let text = runs_on.as_str()?;
    if !text.contains("${{") {
        return None;
    }
    // `${{ matrix.x }}`: look at the matrix values.
    let matrix = job.node.get("strategy").and_then(|s| s.get("matrix"));
    let key = text
        .trim()
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .trim()
        .strip_prefix("matrix.")
        .map(str::to_string);
    if let (Some(m), Some(k)) = (matrix, key) {
        let mut values: Vec<&Node> = m.get(&k).into_iter().collect();
        if let Some(inc) = m.get("include").and_then(Node::as_seq) {
            values.extend(inc.iter().filter_map(|i| i.get(&k)));
        }
        if values.iter().any(|v| literal_self_hosted(v)) {
            return Some((
                format!("matrix.{k} includes self-hosted"),
                Confidence::Medium,
            ));
        }
        if !values.is_empty() {
            return None;
        }
    }
    text.contains("self-hosted").then(|| {
        (
            "expression mentioning self-hosted".to_string(),
            Confidence::Low,
        )
    })
}

impl Audit for SelfHostedRunner {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn job(&self, _ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
        let triggers: Vec<&str> = wf
            .triggers
            .iter()
            .map(|t| t.event.as_str())
            .filter(|e| PR_TRIGGERS.contains(e))
            .collect();
        if triggers.is_empty() {
            return;
        }
        let high = triggers
            .iter()
            .any(|e| *e == "pull_request_target" || *e == "pull_request");
        let Some(runs_on) = &job.runs_on else {
            return;
        };
        let Some((how, confidence)) = self_hosted(job, runs_on) else {
            return;
        };
        // `if: github.event.pull_request.head.repo.full_name == github.repository` keeps
        // fork pull requests off the machine.
        let guarded = job
            .if_cond
            .as_ref()
            .and_then(Node::as_str)
            .is_some_and(|c| c.contains("head.repo.full_name") || c.contains("head.repo.fork"));
        let severity = if guarded {
            Severity::Low
        } else if high && confidence != Confidence::Low {
            Severity::High
        } else {
            Severity::Medium
        };
        out.push(
            Finding::builder(&SelfHostedRunner::META)
                .message(format!(
                    "job `{}` runs on a self-hosted runner ({how}) and the workflow runs for {}",
                    job.id,
                    triggers.join(", ")
                ))
                .severity(severity)
                .confidence(confidence)
                .location(
                    loc(wf.path(), runs_on.span, job.route.then("runs-on"))
                        .with_note("pull-request code runs on this persistent machine"),
                )
                .evidence("runs_on", runs_on.source(wf.file.source.text()))
                .evidence("triggers", triggers.clone())
                .evidence("fork_guard", guarded)
                .key(format!("jobs.{}", job.id))
                .build(),
        );
    }
}
