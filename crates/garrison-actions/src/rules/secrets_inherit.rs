use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Job, Uses, Workflow};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Reusable-workflow calls with `secrets: inherit`. A call to a workflow in another
    /// repository is **high**; a call to a local workflow (`./.github/workflows/…`) is
    /// **low** (same repository, same reviewers, but still every secret instead of the ones
    /// it needs).
    ///
    /// ## Why it matters
    /// `secrets: inherit` passes every secret of the caller — PyPI tokens, deploy keys,
    /// cloud credentials — to the called workflow, whatever it actually uses. A workflow in
    /// another repository can change at any time (especially if not pinned to a SHA) and
    /// then read them all.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   docs:
    ///     uses: org/shared/.github/workflows/docs.yml@main
    ///     secrets: inherit
    /// ```
    ///
    /// ## Remediation
    /// Pass only the secrets the called workflow declares: `secrets: { token: ${{ secrets.DOCS_TOKEN }} }`.
    pub SecretsInherit {
        id: "workflow/secrets-inherit",
        summary: "every secret passed to a reusable workflow with `secrets: inherit`",
        severity: High,
        help: "replace `secrets: inherit` with an explicit mapping of only the secrets the called workflow needs",
        references: [
            "https://docs.github.com/en/actions/sharing-automations/reusing-workflows#passing-inputs-and-secrets-to-a-reusable-workflow",
        ],
    }
}

impl Audit for SecretsInherit {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn job(&self, _ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
        let Some(secrets) = &job.secrets else {
            return;
        };
        if secrets.as_str().map(str::trim) != Some("inherit") {
            return;
        }
        let Some((uses, node)) = &job.uses else {
            return;
        };
        let target = node.as_str().unwrap_or_default().trim();
        let local = matches!(uses, Uses::Local { .. });
        out.push(
            Finding::builder(&SecretsInherit::META)
                .message(if local {
                    format!(
                        "job {} passes every secret to local workflow {target}",
                        job.id
                    )
                } else {
                    format!(
                        "job {} passes every secret to {target}, a workflow in another repository",
                        job.id
                    )
                })
                .severity(if local { Severity::Low } else { Severity::High })
                .confidence(Confidence::High)
                .location(
                    loc(wf.path(), secrets.span, job.route.then("secrets"))
                        .with_note("all secrets"),
                )
                .location(loc(wf.path(), node.span, job.route.then("uses")))
                .evidence("workflow", target)
                .evidence("local", local)
                .build(),
        );
    }
}
