use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::publishing::{publishing_steps, to_test_pypi};
use garrison_workflows::{Job, Trigger, Workflow};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Jobs that upload to a Python package index and can run on a trigger that is not a
    /// deliberate release: `push` to branches (a `push` without a `tags:`-only filter),
    /// `pull_request`, `pull_request_target`, `schedule`, `issue_comment`, `workflow_run`,
    /// `merge_group`. The deliberate triggers are `release`, `push: tags:` and
    /// `workflow_dispatch`. An `if:` on the job, on an upstream job it `needs`, or on the
    /// publishing step that restricts to tags, releases or manual runs
    /// (`startsWith(github.ref, 'refs/tags/')`, `github.event_name == 'release'`, …) makes it
    /// deliberate. Pull-request and comment triggers are **high**, branch pushes and schedules
    /// **medium**, TestPyPI-only uploads **low**.
    ///
    /// ## Why it matters
    /// Releases should be an intentional act of a maintainer. A publish job reachable from a
    /// branch push or a pull request lets anyone who can push a branch (or get a PR workflow
    /// to run with secrets) release whatever that branch contains, and makes accidental
    /// releases easy.
    ///
    /// ## Example
    /// ```yaml
    /// on: [push, pull_request]
    /// jobs:
    ///   publish:
    ///     steps:
    ///       - uses: pypa/gh-action-pypi-publish@release/v1
    /// ```
    ///
    /// ## Remediation
    /// Trigger publishing on `release: types: [published]` (or `push: tags: ['v*']`), or guard
    /// the job with `if: github.event_name == 'release'`, and protect it with an environment.
    pub PublishTrigger {
        id: "workflow/publish-trigger",
        summary: "package publishing reachable from a non-release trigger",
        severity: Medium,
        help: "publish only on `release: types: [published]` or tag pushes, or guard the job with `if: github.event_name == 'release'`",
        references: [
            "https://packaging.python.org/en/latest/guides/publishing-package-distribution-releases-using-github-actions-ci-cd-workflows/",
        ],
    }
}

/// The trigger reaches publishing if it is not a tag-only push or a deliberate event.
fn risky(t: &Trigger) -> Option<Severity> {
    match t.event.as_str() {
        "push" => {
            let cfg = t.config.as_ref();
            let tags =
                cfg.is_some_and(|c| c.get("tags").is_some() || c.get("tags-ignore").is_some());
            let branches = cfg
                .is_some_and(|c| c.get("branches").is_some() || c.get("branches-ignore").is_some());
            // `push: tags: [...]` alone only fires on tags.
            if tags && !branches {
                None
            } else {
                Some(Severity::Medium)
            }
        }
        "schedule" | "merge_group" => Some(Severity::Medium),
        "pull_request" | "pull_request_target" | "issue_comment" | "workflow_run" => {
            Some(Severity::High)
        }
        _ => None,
    }
}

fn cond_text(n: Option<&garrison_yaml::Node>) -> &str {
    n.and_then(|n| n.as_str()).unwrap_or("")
}

/// The `if:` conditions that gate the job's publishing: its own, its upstream jobs', and the
/// publishing steps' when every publishing step has one.
fn guards<'a>(wf: &'a Workflow, job: &'a Job) -> Vec<&'a str> {
    let mut v = vec![cond_text(job.if_cond.as_ref())];
    v.extend(
        wf.upstream_jobs(job)
            .iter()
            .map(|j| cond_text(j.if_cond.as_ref())),
    );
    let steps = publishing_steps(job);
    if steps.iter().all(|s| s.if_cond.is_some()) {
        v.extend(steps.iter().map(|s| cond_text(s.if_cond.as_ref())));
    }
    v.retain(|c| {
        let c = c.trim();
        !c.is_empty()
            && !matches!(
                c,
                "success()" | "always()" | "${{ success() }}" | "${{ always() }}" | "!cancelled()"
            )
    });
    v
}

/// True if an `if:` text restricts a job or step to tag pushes, releases or manual runs.
fn guard_is_deliberate(cond: &str) -> bool {
    let c: String = cond
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace('"', "'");
    c.contains("refs/tags")
        || c.contains("ref_type=='tag'")
        || c.contains("event_name=='release'")
        || c.contains("event_name=='workflow_dispatch'")
        || c.contains("event.action=='published'")
        || c.contains("event_name!='pull_request'") && c.contains("startsWith")
}

/// A guard restricting to branch pushes (`github.ref == 'refs/heads/main'`,
/// `github.event_name == 'push'`) excludes pull-request and comment events.
fn excludes_pull_requests(cond: &str) -> bool {
    let c: String = cond
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace('"', "'");
    c.contains("github.ref=='refs/heads/")
        || c.contains("event_name=='push'")
        || c.contains("event_name=='schedule'")
}

impl Audit for PublishTrigger {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn job(&self, _ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
        let all_risky: Vec<(&Trigger, Severity)> = wf
            .triggers
            .iter()
            .filter_map(|t| risky(t).map(|s| (t, s)))
            .collect();
        if all_risky.is_empty() {
            return;
        }
        let steps = publishing_steps(job);
        let Some(first) = steps.first() else {
            return;
        };
        let conds = guards(wf, job);
        if conds.iter().any(|c| guard_is_deliberate(c)) {
            return;
        }
        let no_prs = conds.iter().any(|c| excludes_pull_requests(c));
        let risky_triggers: Vec<(&Trigger, Severity)> = all_risky
            .iter()
            .filter(|(t, _)| {
                !no_prs
                    || !matches!(
                        t.event.as_str(),
                        "pull_request" | "pull_request_target" | "issue_comment"
                    )
            })
            .copied()
            .collect();
        if risky_triggers.is_empty() {
            return;
        }
        // A condition we do not understand (e.g. on a computed output) may well restrict
        // publishing to releases: report it as a weak signal only.
        let opaque = !no_prs && !conds.is_empty();
        let test_only = steps.iter().all(|s| to_test_pypi(s));
        let severity = if test_only || opaque {
            Severity::Low
        } else {
            risky_triggers
                .iter()
                .map(|(_, s)| *s)
                .max()
                .unwrap_or(Severity::Medium)
        };
        let names: Vec<&str> = risky_triggers
            .iter()
            .map(|(t, _)| t.event.as_str())
            .collect();
        let index = if test_only { "TestPyPI" } else { "PyPI" };
        let step_span = first
            .uses_node
            .as_ref()
            .map(|n| (n.span, first.route.then("uses")))
            .or_else(|| {
                first
                    .run
                    .as_ref()
                    .map(|n| (n.span, first.route.then("run")))
            })
            .unwrap_or((first.node.span, first.route.clone()));
        let mut b = Finding::builder(&PublishTrigger::META)
            .message(format!(
                "job {} publishes to {index} and runs on {} without a tag or release condition",
                job.id,
                names.join(", ")
            ))
            .severity(severity)
            .confidence(if opaque {
                Confidence::Low
            } else {
                Confidence::Medium
            })
            .location(loc(wf.path(), step_span.0, step_span.1).with_note("publishes here"));
        for (t, _) in &risky_triggers {
            b = b.location(
                loc(wf.path(), t.span, format!("on.{}", t.event))
                    .with_note("not a release trigger"),
            );
        }
        out.push(
            b.evidence("job", job.id.as_str())
                .evidence("triggers", names)
                .evidence("index", index)
                .evidence("conditions", conds)
                .build(),
        );
    }
}
