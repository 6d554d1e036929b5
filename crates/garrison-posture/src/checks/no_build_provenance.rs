use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity, declare_rule};
use garrison_workflows::oidc::job_has_id_token;
use garrison_workflows::publishing::{self, Method};
use garrison_workflows::{Step, Workflow};

use super::{ROOT, not_evaluated};
use crate::{Check, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Publishing jobs whose uploads carry no build provenance. Provenance counts as present
    /// when the workflow runs `actions/attest-build-provenance`, `actions/attest` or a
    /// Sigstore signing action (`sigstore/gh-action-sigstore-python`, `cosign sign`,
    /// `sigstore sign`), or when it publishes with `pypa/gh-action-pypi-publish` v1.11 or
    /// later under trusted publishing, which uploads PEP 740 attestations by default (unless
    /// `attestations: false`). For a commit-pinned action the version is read from the
    /// `# vX.Y.Z` comment after the SHA; without one the version is unknown and the finding
    /// says so with low confidence.
    ///
    /// ## Why it matters
    /// An attestation binds each wheel and sdist to the repository, workflow and commit that
    /// built it, signed by Sigstore and logged publicly. Users and tools can then reject a
    /// file uploaded with a stolen token or built somewhere else.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: pypa/gh-action-pypi-publish@v1.8.14   # predates attestations
    /// ```
    /// or `twine upload dist/*` with no attestation step.
    ///
    /// ## Remediation
    /// Publish with `pypa/gh-action-pypi-publish` ≥ v1.11 (pinned by SHA with a version
    /// comment) under trusted publishing, or add
    /// `actions/attest-build-provenance` with `subject-path: dist/*` and
    /// `permissions: attestations: write, id-token: write`.
    pub NoBuildProvenance {
        id: "posture/no-build-provenance",
        summary: "published distributions carry no build provenance (attestations)",
        severity: Medium,
        help: "publish with pypa/gh-action-pypi-publish >= v1.11 under trusted publishing, or add actions/attest-build-provenance",
        references: [
            "SPEC 8, \"Adopt SLSA through use of GitHub Attestations\": https://scientific-python.org/specs/spec-0008/",
            "https://docs.pypi.org/attestations/",
            "https://peps.python.org/pep-0740/",
        ],
    }
}

/// Actions that produce signed provenance or signatures.
const ATTEST_ACTIONS: &[&str] = &[
    "actions/attest-build-provenance",
    "actions/attest",
    "sigstore/gh-action-sigstore-python",
    "slsa-framework/slsa-github-generator",
];

fn step_attests(step: &Step) -> bool {
    ATTEST_ACTIONS.iter().any(|a| step.uses_action(a))
        || step.run.as_ref().and_then(|r| r.as_str()).is_some_and(|s| {
            s.contains("cosign sign")
                || s.contains("sigstore sign")
                || s.contains("python -m sigstore sign")
        })
}

fn workflow_attests(wf: &Workflow) -> bool {
    wf.jobs.iter().flat_map(|j| &j.steps).any(step_attests)
}

/// Parses `v1.12.3` / `1.11` into `(major, minor)`.
fn version(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('v');
    let mut parts = s.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|m| {
        let digits: String = m.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    });
    Some((major, minor.unwrap_or(u32::MAX)))
}

/// What the ref of the PyPA action says about attestation support.
enum Support {
    Yes,
    No(String),
    Unknown(String),
}

fn pypa_support(wf: &Workflow, step: &Step) -> Support {
    let Some((uses, node)) = &step.uses else {
        return Support::Unknown("unparsed uses".to_string());
    };
    let git_ref = uses.git_ref().unwrap_or("");
    if uses.is_sha_pinned() {
        // The version comment follows the value on the same line: `@<sha> # v1.12.4`.
        let line = wf
            .file
            .source
            .line(node.span.end_line as usize)
            .unwrap_or("");
        let after: String = line
            .chars()
            .skip(node.span.end_column.saturating_sub(1) as usize)
            .collect();
        let comment = after.split_once('#').map(|(_, c)| c.trim().to_string());
        let v = comment.as_deref().and_then(|c| {
            c.split_whitespace()
                .find_map(version)
                .map(|v| (v, c.to_string()))
        });
        return match v {
            Some(((maj, min), _)) if (maj, min) >= (1, 11) => Support::Yes,
            Some((_, c)) => Support::No(format!("{git_ref} # {c}")),
            None => Support::Unknown(git_ref.to_string()),
        };
    }
    // Branches (`release/v1`, `master`, `main`) and the moving `v1` tag are current.
    if matches!(
        git_ref,
        "release/v1" | "master" | "main" | "v1" | "unstable/v1"
    ) {
        return Support::Yes;
    }
    match version(git_ref) {
        Some(v) if v >= (1, 11) => Support::Yes,
        Some(_) => Support::No(git_ref.to_string()),
        None => Support::Unknown(git_ref.to_string()),
    }
}

impl Check for NoBuildProvenance {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let jobs = publishing::publish_jobs(&ws.workflows);
        if jobs.is_empty() {
            let mut f = not_evaluated::finding(
                Self::META.id,
                "build provenance",
                "release publishing not found in workflows (manual uploads cannot be checked)",
                Location::file(ROOT),
            );
            f.help = "if releases are uploaded by hand, publish from CI with Trusted Publishing instead: pypa/gh-action-pypi-publish then generates PEP 740 attestations".to_string();
            out.push(f);
            return;
        }
        for pj in &jobs {
            if workflow_attests(pj.wf) {
                continue;
            }
            let oidc = job_has_id_token(pj.wf, pj.job);
            for p in &pj.steps {
                let test = publishing::to_test_pypi(p.step);
                let span = p
                    .step
                    .uses_node
                    .as_ref()
                    .or(p.step.run.as_ref())
                    .map_or(p.step.node.span, |n| n.span);
                let location = loc(pj.wf.path(), span, p.step.route.clone());
                let token = publishing::credential(pj.wf, pj.job, p).is_some();
                let (why, confidence, severity) = match p.method {
                    Method::PypaAction => {
                        let disabled = p.step.input("attestations").and_then(|n| n.as_str()).is_some_and(|s| s.eq_ignore_ascii_case("false"));
                        if disabled {
                            ("attestations: false disables the action's attestations".to_string(), Confidence::High, Severity::Medium)
                        } else if token || !oidc {
                            ("the PyPA action only attests under trusted publishing, and this job uploads with a token".to_string(), Confidence::High, Severity::Medium)
                        } else {
                            match pypa_support(pj.wf, p.step) {
                                Support::Yes => continue,
                                Support::No(r) => (format!("pypa/gh-action-pypi-publish@{r} predates attestations (v1.11)"), Confidence::High, Severity::Medium),
                                Support::Unknown(r) => (format!("pypa/gh-action-pypi-publish@{r} has no version comment; attestations need v1.11 or later (assumed missing)"), Confidence::Low, Severity::Low),
                            }
                        }
                    }
                    Method::UvPublish | Method::Command => (
                        "the upload command does not create attestations and the workflow has no attestation step".to_string(),
                        Confidence::High,
                        Severity::Medium,
                    ),
                };
                out.push(
                    Finding::builder(&Self::META)
                        .message(format!(
                            "{} publishes without build provenance: {why}",
                            pj.job.route
                        ))
                        .severity(if test { Severity::Low } else { severity })
                        .confidence(confidence)
                        .location(location.with_note("no attestation for these uploads"))
                        .evidence("trusted_publishing", oidc && !token)
                        .evidence("attestation_step_in_workflow", false)
                        .key(p.step.route.clone())
                        .build(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::version;

    #[test]
    fn versions() {
        assert_eq!(version("v1.12.4"), Some((1, 12)));
        assert_eq!(version("1.8"), Some((1, 8)));
        assert_eq!(version("release/v1"), None);
        assert!(version("v2").is_some_and(|v| v >= (1, 11)));
    }
}
