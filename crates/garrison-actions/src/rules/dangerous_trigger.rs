use garrison_report::{Confidence, Finding, RuleMeta, Severity, declare_rule};
use garrison_workflows::{Job, Step, Trigger, Workflow};

use crate::facts::{self, PrCheckout, Reach};
use crate::{Audit, Repo, loc};

declare_rule! {
    /// ## What it checks
    /// Workflows triggered by `pull_request_target` or `workflow_run` (and `issue_comment`
    /// workflows that check out pull-request code), rated by what their jobs do:
    ///
    /// - check out the pull request head (`actions/checkout` with `ref:` set to
    ///   `github.event.pull_request.head.sha`/`.ref`, `github.head_ref`, `refs/pull/N/merge`,
    ///   `github.event.workflow_run.head_sha`/`head_branch`, or `gh pr checkout` /
    ///   `git fetch origin pull/N/head`) and then run anything from it (a `run:` step, a local
    ///   action, a build or test action): a "pwn request", critical when the job holds a write
    ///   token or secrets;
    /// - download artifacts of the triggering run (`actions/download-artifact` with `run-id`,
    ///   `dawidd6/action-download-artifact`, `github-script` `downloadArtifact`) and then use
    ///   them (artifact poisoning);
    /// - otherwise, report the trigger at low or medium severity so that it is reviewed.
    ///
    /// ## Why it matters
    /// These triggers run the workflow of the default branch with the base repository's
    /// secrets and a token that can write, even for pull requests from forks. As soon as the
    /// job checks out the fork's code and runs its build, tests, `setup.py` or `conftest.py`,
    /// the fork author runs code with those secrets and that token, and can also poison the
    /// Actions cache of the default branch. `workflow_run` artifacts are produced by the
    /// untrusted pull-request run, so their contents are attacker-controlled too.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///         with:
    ///           ref: ${{ github.event.pull_request.head.sha }}
    ///       - run: pip install . && pytest
    ///         env:
    ///           CODECOV_TOKEN: ${{ secrets.CODECOV_TOKEN }}
    /// ```
    ///
    /// ## Remediation
    /// Build and test pull requests under `pull_request`, which runs fork code without secrets
    /// and with a read-only token. If a privileged step must follow (commenting, labelling,
    /// uploading coverage), split the workflow: the `pull_request` workflow uploads its results
    /// as an artifact, and a `workflow_run` workflow that never executes or trusts the
    /// artifact's contents (treat them as data, validate numbers) performs the privileged
    /// action. Keep `pull_request_target` jobs to fixed actions that never check out the head,
    /// set `permissions:` to the minimum, and add `persist-credentials: false` to checkouts.
    pub DangerousTrigger {
        id: "workflow/dangerous-trigger",
        summary: "privileged trigger (pull_request_target, workflow_run) handling untrusted code",
        severity: High,
        help: "run untrusted code under `pull_request` (no secrets, read-only token); keep privileged workflows free of pull-request code and artifacts",
        references: [
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
            "https://securitylab.github.com/resources/github-actions-building-blocks/",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions",
            "https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

const TRIGGERS: &[&str] = &["pull_request_target", "workflow_run", "issue_comment"];

/// What one job does under a privileged trigger.
struct Verdict<'a> {
    job: &'a Job,
    severity: Severity,
    confidence: Confidence,
    message: String,
    checkout: Option<(&'a Step, PrCheckout)>,
    exec: Option<(&'a Step, String)>,
    artifact: Option<(&'a Step, String)>,
    reach: Reach,
}

fn step_span(step: &Step) -> garrison_report::Span {
    step.run
        .as_ref()
        .or(step.uses_node.as_ref())
        .map_or(step.node.span, |n| n.span)
}

fn judge<'a>(wf: &'a Workflow, job: &'a Job, event: &str) -> Option<Verdict<'a>> {
    let reach = Reach::of(wf, job);
    let mut checkout: Option<(&Step, PrCheckout)> = None;
    let mut exec: Option<(&Step, String, bool)> = None;
    let mut artifact: Option<(&Step, String)> = None;
    let mut artifact_use: Option<&Step> = None;
    for step in &job.steps {
        if checkout.is_none() {
            if let Some(c) = facts::pr_checkout(step, event) {
                let inline_run = step.run.is_some();
                checkout = Some((step, c));
                if !inline_run {
                    continue;
                }
            }
        } else if exec.is_none()
            && let Some((what, sure)) = facts::runs_code(step)
        {
            exec = Some((step, what, sure));
        }
        if event == "workflow_run" {
            if artifact.is_none() {
                if let Some(a) = facts::artifact_download(step) {
                    artifact = Some((step, a));
                    continue;
                }
            } else if artifact_use.is_none()
                && (step.run.is_some() || step.uses_action("actions/github-script"))
            {
                artifact_use = Some(step);
            }
        }
    }
    // `gh pr checkout` followed by commands in the same script.
    if let Some((s, c)) = &checkout
        && exec.is_none()
        && s.run.is_some()
        && let Some((what, sure)) = facts::runs_code(s)
        && sure
    {
        exec = Some((s, what, c.certain));
    }
    let trig = event;
    let (severity, confidence, message) = match (&checkout, &exec) {
        (Some((_, c)), Some((_, what, sure))) => {
            // `if: contains(github.event.pull_request.labels.*.name, 'safe-to-test')`: a
            // maintainer approves each run (still racy: commits pushed after labelling run too).
            let gated = job
                .if_cond
                .as_ref()
                .and_then(garrison_yaml::Node::as_str)
                .is_some_and(|c| c.contains("labels") || c.contains("event.label"));
            let severity = if gated {
                Severity::High
            } else if reach.privileged() {
                Severity::Critical
            } else {
                Severity::High
            };
            let confidence = if c.certain && *sure && !gated {
                Confidence::High
            } else {
                Confidence::Medium
            };
            (
                severity,
                confidence,
                format!(
                    "{trig} workflow checks out the pull request head in job `{}` and runs it ({what}) with {}{}",
                    job.id,
                    reach.describe(),
                    if gated {
                        " (gated on a label: commits pushed after labelling also run)"
                    } else {
                        ""
                    }
                ),
            )
        }
        _ if artifact.is_some() && artifact_use.is_some() => (
            Severity::High,
            Confidence::Medium,
            format!(
                "{trig} workflow uses artifacts of the triggering (untrusted) run in job `{}` with {}",
                job.id,
                reach.describe()
            ),
        ),
        (Some(_), None) => (
            Severity::Medium,
            Confidence::Medium,
            format!(
                "{trig} workflow checks out the pull request head in job `{}` with {}; nothing obviously runs it, but any later build step would",
                job.id,
                reach.describe()
            ),
        ),
        (None, _) if event == "issue_comment" => return None,
        (None, _) if reach.privileged() => (
            Severity::Medium,
            Confidence::Low,
            format!(
                "{trig} workflow job `{}` runs with {} while handling pull requests from forks; verify it never runs or trusts pull-request content",
                job.id,
                reach.describe()
            ),
        ),
        (None, _) => (
            Severity::Low,
            Confidence::Low,
            format!(
                "{trig} workflow job `{}` runs in the base repository's context (read-only token, no secrets); verify it never runs pull-request content",
                job.id
            ),
        ),
    };
    Some(Verdict {
        job,
        severity,
        confidence,
        message,
        checkout,
        exec: exec.map(|(s, w, _)| (s, w)),
        artifact,
        reach,
    })
}

fn report(wf: &Workflow, trigger: &Trigger, v: Verdict<'_>, out: &mut Vec<Finding>) {
    let path = wf.path();
    let mut b = Finding::builder(&DangerousTrigger::META)
        .message(v.message)
        .severity(v.severity)
        .confidence(v.confidence)
        .location(
            loc(path, trigger.span, format!("on.{}", trigger.event))
                .with_note("runs with the base repository's token and secrets"),
        )
        .evidence("trigger", trigger.event.clone())
        .evidence("job", v.job.id.clone())
        .evidence("writes", v.reach.writes.clone())
        .evidence("default_permissions", v.reach.default_permissions)
        .evidence("secrets", v.reach.secrets.clone())
        .key(v.job.id.clone());
    if let Some((s, c)) = &v.checkout {
        b = b
            .location(
                loc(path, c.node.span, &s.route).with_note("checks out the pull request head"),
            )
            .evidence("checkout", c.what.clone());
    }
    if let Some((s, what)) = &v.exec {
        b = b
            .location(
                loc(path, step_span(s), &s.route)
                    .with_note(format!("runs attacker code with {}", v.reach.describe())),
            )
            .evidence("executes", what.clone());
    }
    if let Some((s, what)) = &v.artifact {
        b = b
            .location(
                loc(path, step_span(s), &s.route)
                    .with_note("downloads artifacts produced by the untrusted run"),
            )
            .evidence("artifact", what.clone());
    }
    out.push(b.build());
}

impl Audit for DangerousTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn workflow(&self, _repo: &Repo, wf: &Workflow, out: &mut Vec<Finding>) {
        for trigger in &wf.triggers {
            if !TRIGGERS.contains(&trigger.event.as_str()) {
                continue;
            }
            let worst = wf
                .jobs
                .iter()
                .filter(|j| !j.steps.is_empty())
                .filter_map(|j| judge(wf, j, &trigger.event))
                .max_by(|a, b| {
                    (a.severity, a.confidence)
                        .cmp(&(b.severity, b.confidence))
                        // On ties keep the first job in the file.
                        .then(std::cmp::Ordering::Greater)
                });
            if let Some(v) = worst {
                report(wf, trigger, v, out);
            }
        }
    }
}
