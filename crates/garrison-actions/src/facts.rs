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

/// A step's `with:` input as scalar text.
pub fn input_str<'a>(step: &'a Step, key: &str) -> Option<&'a str> {
    step.input(key).and_then(|n| n.as_str())
}

/// True for a YAML `false` (any case, quoted or not).
pub fn is_false(node: &garrison_yaml::Node) -> bool {
    node.as_str()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("false"))
}

/// The script of a `run:` step, if any.
pub fn run_script(step: &Step) -> Option<&str> {
    step.run.as_ref().and_then(|r| r.as_str())
}

/// Actions that create or upload to a GitHub release.
pub const RELEASE_ACTIONS: &[&str] = &[
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "svenstaro/upload-release-action",
    "actions/upload-release-asset",
    "actions/create-release",
];

/// True if the step publishes a package or release assets: PyPI uploads ([`step_publishes`]),
/// GitHub release actions, or `gh release create|upload`.
pub fn step_releases(step: &Step) -> bool {
    step_publishes(step)
        || RELEASE_ACTIONS.iter().any(|a| step.uses_action(a))
        || run_script(step).is_some_and(|s| {
            s.lines().any(|l| {
                let l = l.trim();
                !l.starts_with('#')
                    && (l.contains("gh release create") || l.contains("gh release upload"))
            })
        })
}

/// True if any step of the job publishes a package or release assets.
pub fn job_releases(job: &Job) -> bool {
    job.steps.iter().any(step_releases)
}

/// The jobs `job` depends on through `needs:`, transitively (without `job` itself).
pub fn upstream_jobs<'a>(wf: &'a Workflow, job: &Job) -> Vec<&'a Job> {
    let mut seen: Vec<&str> = Vec::new();
    let mut todo: Vec<String> = job.needs.clone();
    let mut out = Vec::new();
    while let Some(id) = todo.pop() {
        if seen.contains(&id.as_str()) || id == job.id || seen.len() > 1000 {
            continue;
        }
        if let Some(j) = wf.job(&id) {
            seen.push(j.id.as_str());
            todo.extend(j.needs.iter().cloned());
            out.push(j);
        }
    }
    out
}

/// Actions that request an OIDC token (`id-token: write`) from the runner.
pub const OIDC_ACTIONS: &[&str] = &[
    "pypa/gh-action-pypi-publish",
    "sigstore/gh-action-sigstore-python",
    "sigstore/cosign-installer",
    "actions/attest-build-provenance",
    "actions/attest-sbom",
    "actions/attest",
    "actions/deploy-pages",
    "aws-actions/configure-aws-credentials",
    "azure/login",
    "google-github-actions/auth",
    "hashicorp/vault-action",
    "octo-sts/action",
    "slsa-framework/slsa-github-generator",
    "codecov/codecov-action",
    "codecov/test-results-action",
    "prefix-dev/rattler-build-action",
    "docker/login-action",
    "anaconda/action-upload",
    "ossf/scorecard-action",
];

/// True if the step may use the job's OIDC token: a known OIDC action, a trusted-publishing
/// upload (`uv publish`, `twine upload`, …), `cosign`, `gh attestation`, or a script reading
/// `ACTIONS_ID_TOKEN_REQUEST_*`.
pub fn step_uses_oidc(step: &Step) -> bool {
    if OIDC_ACTIONS.iter().any(|a| step.uses_action(a)) || step_publishes(step) {
        return true;
    }
    // hynek/build-and-inspect-python-package attests with the OIDC token on request.
    if step.uses_action("hynek/build-and-inspect-python-package")
        && step
            .input("attest-build-provenance-github")
            .is_some_and(|n| n.is_true())
    {
        return true;
    }
    run_script(step).is_some_and(|s| {
        s.contains("ACTIONS_ID_TOKEN_REQUEST")
            || s.contains("cosign ")
            || s.contains("gh attestation")
            || s.contains("--provenance")
            || s.contains("npm publish")
            || s.contains("id-token")
            || s.contains("oidc")
            || s.contains("OIDC")
    })
}

/// True if the job may use its OIDC token: a step does ([`step_uses_oidc`]), it calls a
/// reusable workflow, or it uses a local action we cannot see into (or one that does).
pub fn job_uses_oidc(repo: &crate::Repo, job: &Job) -> bool {
    if job.uses.is_some() {
        return true;
    }
    job.steps.iter().any(|s| {
        step_uses_oidc(s)
            || match &s.uses {
                Some((garrison_workflows::Uses::Local { path }, _)) => repo
                    .local_action(path)
                    .is_none_or(|a| a.steps.iter().any(step_uses_oidc)),
                _ => false,
            }
    })
}

/// Where an environment variable visible to a step is set: the step's `env:`, then the job's,
/// then the workflow's. Returns the key node, the value node and the route of the entry.
pub fn env_lookup<'a>(
    wf: &'a Workflow,
    job: &'a Job,
    step: &'a Step,
    name: &str,
) -> Option<(&'a garrison_yaml::Node, &'a garrison_yaml::Node, String)> {
    if let Some((k, v)) = step.env.as_ref().and_then(|e| e.entry(name)) {
        return Some((k, v, format!("{}.env.{name}", step.route)));
    }
    if let Some((k, v)) = job.env.as_ref().and_then(|e| e.entry(name)) {
        return Some((k, v, format!("{}.env.{name}", job.route)));
    }
    wf.env
        .as_ref()
        .and_then(|e| e.entry(name))
        .map(|(k, v)| (k, v, format!("env.{name}")))
}

/// True if a scalar value reads a secret (`${{ secrets.X }}`), other than `GITHUB_TOKEN`.
pub fn reads_secret(node: &garrison_yaml::Node) -> bool {
    node.as_str().is_some_and(|s| {
        s.contains("secrets.")
            && !s.contains("secrets.GITHUB_TOKEN")
            && !s.contains("secrets.github_token")
    })
}

/// True if a step publishes only to TestPyPI (`repository-url: https://test.pypi.org/…`, or
/// a script whose upload names test.pypi.org or `--repository testpypi`).
pub fn step_publishes_to_testpypi(step: &Step) -> bool {
    let url = step
        .input("repository-url")
        .or_else(|| step.input("repository_url"))
        .and_then(|n| n.as_str());
    if url.is_some_and(|u| u.contains("test.pypi.org")) {
        return true;
    }
    run_script(step).is_some_and(|s| s.contains("test.pypi.org") || s.contains("testpypi"))
}

/// The publishing steps of a job ([`step_publishes`]).
pub fn publishing_steps(job: &Job) -> Vec<&Step> {
    job.steps.iter().filter(|s| step_publishes(s)).collect()
}

/// True if an `if:` text restricts a job or step to tag pushes, releases or manual runs.
pub fn guard_is_deliberate(cond: &str) -> bool {
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
