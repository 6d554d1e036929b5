use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit, is_ci_file, is_release_workflow};
use crate::content::HitKind;

declare_rule! {
    /// ## What it checks
    /// Commits that change CI configuration: GitHub Actions workflows and local actions,
    /// GitLab CI, CircleCI, Cirrus, Travis, Azure Pipelines. A workflow whose file name says it
    /// builds or publishes releases (`release`, `publish`, `wheels`, `deploy`, `pypi`, `dist`)
    /// weighs more. On its own this is routine; it matters combined with who made the change
    /// and how it landed, and it is calibrated on how often the repository changes CI. A
    /// change that gives a workflow a privileged trigger (`pull_request_target`, `workflow_run`,
    /// `issue_comment`), `permissions: write-all` or `secrets: inherit` weighs more, and is one
    /// of the steps of a `history/campaign` when a release follows.
    ///
    /// ## Why it matters
    /// The release pipeline holds the keys: the PyPI publishing identity, signing, the build
    /// environment. The Ultralytics compromise (2024) ran through a workflow; a release
    /// workflow edited and pushed without review can ship whatever it builds.
    ///
    /// ## Example
    /// A direct push to `main` that edits `.github/workflows/wheels.yml`.
    ///
    /// ## Remediation
    /// Require review for workflow changes (CODEOWNERS on `.github/`), protect the release
    /// environment, and audit the workflow with `garrison actions`.
    pub CiWorkflowChange {
        id: "history/ci-workflow-change",
        summary: "CI or release workflow changed",
        severity: Info,
        help: "review workflow changes with `garrison actions`; require CODEOWNERS review for .github/",
        references: [
            "SPEC 8, \"Securing the Release Process\": https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

/// See [`CiWorkflowChange`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &CiWorkflowChange::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let c = cx.commit;
        if c.is_merge || c.parents.is_empty() {
            return;
        }
        let ci: Vec<_> = c.files.iter().filter(|f| is_ci_file(&f.path)).collect();
        let Some(first) = ci.first() else { return };
        let privileged = best_hit(cx, &CiWorkflowChange::META, |f, h| {
            (h.kind == HitKind::WORKFLOW_PRIVILEGED && is_ci_file(&f.path))
                .then_some((2.5, "privileged"))
        });
        if let Some(e) = privileged {
            out.push(e);
            return;
        }
        let release = ci.iter().find(|f| is_release_workflow(&f.path));
        let (w, f) = match release {
            Some(r) => (1.5, r),
            None => (0.75, first),
        };
        let what = if release.is_some() {
            "release workflow"
        } else {
            "CI configuration"
        };
        out.push(
            Evidence::change(
                &CiWorkflowChange::META,
                w,
                format!(
                    "changes {what} {} (+{} -{}){}",
                    f.path,
                    f.added,
                    f.removed,
                    if ci.len() > 1 {
                        format!(" and {} more CI file(s)", ci.len() - 1)
                    } else {
                        String::new()
                    }
                ),
            )
            .at(&f.path, None),
        );
    }
}
