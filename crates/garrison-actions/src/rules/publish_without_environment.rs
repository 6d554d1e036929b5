use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::publishing::{publishing_steps, to_test_pypi};
use garrison_workflows::{Job, Workflow};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Jobs that upload to a Python package index (the PyPA publish action, `twine upload`,
    /// `uv publish`, …) without an `environment:`. Publishing only to TestPyPI is **low**.
    ///
    /// ## Why it matters
    /// A deployment environment is where the protections of a release live: required
    /// reviewers (a second maintainer approves each upload), branch and tag restrictions,
    /// and secrets or Trusted Publisher claims scoped to that environment so that no other
    /// job or workflow can use them. PyPI Trusted Publishers should name the environment so
    /// that a token minted by any other job of the repository is rejected.
    ///
    /// ## Example
    /// ```yaml
    /// publish:
    ///   runs-on: ubuntu-latest
    ///   permissions:
    ///     id-token: write
    ///   steps:
    ///     - uses: pypa/gh-action-pypi-publish@release/v1
    /// ```
    ///
    /// ## Remediation
    /// Add `environment: pypi` (with `url: https://pypi.org/p/<project>`), create the
    /// environment in the repository settings with required reviewers and a tag rule, and
    /// name it in the PyPI Trusted Publisher configuration.
    pub PublishWithoutEnvironment {
        id: "workflow/publish-without-environment",
        summary: "package publishing job without a deployment environment",
        severity: Medium,
        help: "add `environment: pypi` to the job, protect the environment with required reviewers, and name it in the PyPI Trusted Publisher",
        references: [
            "https://docs.github.com/en/actions/managing-workflow-runs-and-deployments/managing-deployments/managing-environments-for-deployment",
            "https://docs.pypi.org/trusted-publishers/adding-a-publisher/",
        ],
    }
}

impl Audit for PublishWithoutEnvironment {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn job(&self, _ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
        if job.environment.is_some() {
            return;
        }
        let steps = publishing_steps(job);
        let Some(first) = steps.first() else {
            return;
        };
        let test_only = steps.iter().all(|s| to_test_pypi(s));
        let index = if test_only { "TestPyPI" } else { "PyPI" };
        let at = first
            .uses_node
            .as_ref()
            .map(|n| (n.span, first.route.then("uses")))
            .or_else(|| {
                first
                    .run
                    .as_ref()
                    .map(|n| (n.span, first.route.then("run")))
            });
        out.push(
            Finding::builder(&PublishWithoutEnvironment::META)
                .message(format!(
                    "job {} publishes to {index} without a deployment environment",
                    job.id
                ))
                .severity(if test_only {
                    Severity::Low
                } else {
                    Severity::Medium
                })
                .confidence(Confidence::High)
                .location(
                    loc(wf.path(), job.key_span, job.route.clone()).with_note("no `environment:`"),
                )
                .location(match at {
                    Some((span, route)) => loc(wf.path(), span, route).with_note("publishes here"),
                    None => loc(wf.path(), first.node.span, first.route.clone()),
                })
                .evidence("job", job.id.as_str())
                .evidence("step", first.label())
                .evidence("index", index)
                .build(),
        );
    }
}
