//! Which steps and jobs use the job's OIDC token (`id-token: write`).

use crate::model::{Action, Job, Permission, Permissions, Step, Workflow};
use crate::publishing::step_publishes;
use crate::uses::Uses;

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
    step.script().is_some_and(|s| {
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
/// reusable workflow, or it uses a local action (among `actions`) we cannot see into or one
/// that does.
pub fn job_uses_oidc(actions: &[Action], job: &Job) -> bool {
    if job.uses.is_some() {
        return true;
    }
    job.steps.iter().any(|s| {
        step_uses_oidc(s)
            || match &s.uses {
                Some((Uses::Local { path }, _)) => crate::local_action(actions, path)
                    .is_none_or(|a| a.steps.iter().any(step_uses_oidc)),
                _ => false,
            }
    })
}

/// True if the job can request an OIDC token (`id-token: write`, or `write-all`).
pub fn job_has_id_token(wf: &Workflow, job: &Job) -> bool {
    match job.effective_permissions(wf) {
        Some(Permissions::WriteAll(_)) => true,
        Some(p @ Permissions::Scoped(..)) => p.level("id-token") == Permission::Write,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn oidc_use_and_permission() {
        let wf = Workflow::parse(
            "w.yml",
            "on: push\npermissions:\n  id-token: write\njobs:\n  attest:\n    steps:\n      - uses: actions/attest-build-provenance@v2\n  local:\n    steps:\n      - uses: ./.github/actions/sign\n  missing:\n    steps:\n      - uses: ./.github/actions/missing\n  test:\n    permissions: read-all\n    steps:\n      - run: pytest\n",
        )
        .unwrap();
        let action = Action::parse(
            ".github/actions/sign/action.yml",
            "runs:\n  using: composite\n  steps:\n    - run: cosign sign-blob x\n      shell: bash\n",
        )
        .unwrap();
        let actions = [action];
        let job = |id: &str| wf.job(id).unwrap();
        assert!(job_uses_oidc(&actions, job("attest")));
        assert!(job_uses_oidc(&actions, job("local")));
        // A local action that is not in the checkout may use it.
        assert!(job_uses_oidc(&actions, job("missing")));
        assert!(!job_uses_oidc(&actions, job("test")));
        assert!(job_has_id_token(&wf, job("attest")));
        assert!(!job_has_id_token(&wf, job("test")));
    }
}
