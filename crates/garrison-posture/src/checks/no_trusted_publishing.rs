use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity, declare_rule};
use garrison_workflows::oidc::job_has_id_token;
use garrison_workflows::publishing::{self, Method};

use super::{ROOT, not_evaluated};
use crate::{Check, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Workflow jobs that upload to PyPI (`pypa/gh-action-pypi-publish`, `twine upload`,
    /// `uv publish`, `flit`/`poetry`/`hatch`/`pdm`/`maturin publish`) with a long-lived
    /// credential (`password:` input, `TWINE_PASSWORD`, `UV_PUBLISH_TOKEN`, `--token`, …), or
    /// without the `id-token: write` permission that trusted publishing needs. When no
    /// workflow publishes, it reports `info/not-evaluated`: manual uploads cannot be checked.
    ///
    /// ## Why it matters
    /// A PyPI API token in repository secrets is valid until someone revokes it, works from
    /// anywhere, and leaks through any step or action that can read the job's secrets.
    /// Trusted publishing (OIDC) replaces it with a token that lives for minutes, is bound to
    /// this repository, workflow and environment, and is never stored.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: pypa/gh-action-pypi-publish@release/v1
    ///   with:
    ///     password: ${{ secrets.PYPI_API_TOKEN }}
    /// ```
    ///
    /// ## Remediation
    /// Configure a trusted publisher for the project on pypi.org, give the publishing job
    /// `permissions: id-token: write` and an `environment:` with required reviewers, remove
    /// the `password:` input, then revoke the API token on PyPI and delete the secret.
    pub NoTrustedPublishing {
        id: "posture/no-trusted-publishing",
        summary: "PyPI upload with a long-lived token instead of trusted publishing (OIDC)",
        severity: Medium,
        help: "use PyPI trusted publishing: `permissions: id-token: write` on the job, no password input; then revoke the token",
        references: [
            "SPEC 8, \"Adopt OIDC through the use of PyPI Trusted Publishers\": https://scientific-python.org/specs/spec-0008/",
            "https://docs.pypi.org/trusted-publishers/",
        ],
    }
}

impl Check for NoTrustedPublishing {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let jobs = publishing::publish_jobs(&ws.workflows);
        if jobs.is_empty() {
            let mut f = not_evaluated::finding(
                Self::META.id,
                "trusted publishing",
                "release publishing not found in workflows (manual uploads cannot be checked)",
                Location::file(ROOT),
            );
            f.help = "if releases are uploaded by hand, publish from a CI workflow with Trusted Publishing (OIDC) instead of an API token".to_string();
            out.push(f);
            return;
        }
        for pj in &jobs {
            let oidc = job_has_id_token(pj.wf, pj.job);
            for p in &pj.steps {
                let test = publishing::to_test_pypi(p.step);
                let tool = match p.method {
                    Method::PypaAction => "pypa/gh-action-pypi-publish",
                    Method::UvPublish => "uv publish",
                    Method::Command => "an upload command",
                };
                if let Some(cred) = publishing::credential(pj.wf, pj.job, p) {
                    let (what, node) = (cred.what, cred.node);
                    let value = node
                        .as_str()
                        .unwrap_or("")
                        .lines()
                        .next()
                        .unwrap_or("")
                        .to_string();
                    out.push(
                        Finding::builder(&Self::META)
                            .message(format!(
                                "{} publishes to {} with {tool} using a long-lived credential ({what})",
                                pj.job.route,
                                if test { "TestPyPI" } else { "PyPI" }
                            ))
                            .severity(if test { Severity::Low } else { Severity::Medium })
                            .confidence(Confidence::High)
                            .location(
                                loc(pj.wf.path(), node.span, cred.route)
                                    .with_note("long-lived credential"),
                            )
                            .evidence("credential", what.as_str())
                            .evidence("value", value)
                            .evidence("id_token_write", oidc)
                            .key(format!("{}:{what}", p.step.route))
                            .build(),
                    );
                } else if !oidc {
                    let span = p
                        .step
                        .uses_node
                        .as_ref()
                        .or(p.step.run.as_ref())
                        .map_or(p.step.node.span, |n| n.span);
                    out.push(
                        Finding::builder(&Self::META)
                            .message(format!(
                                "{} publishes with {tool} without `id-token: write`, so it cannot use trusted publishing",
                                pj.job.route
                            ))
                            .severity(if test { Severity::Low } else { Severity::Medium })
                            .confidence(Confidence::Medium)
                            .location(
                                loc(pj.wf.path(), span, p.step.route.clone())
                                    .with_note("no OIDC token available to this job"),
                            )
                            .evidence("id_token_write", false)
                            .key(p.step.route.clone())
                            .build(),
                    );
                }
            }
        }
    }
}
