use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::contexts::reads_secret;
use garrison_workflows::publishing::UPLOAD_TOOLS;
use garrison_workflows::{Route, StepIn};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Uploads to PyPI with a long-lived API token instead of Trusted Publishing:
    /// `pypa/gh-action-pypi-publish` with a `password:` input, `twine upload` with
    /// `TWINE_PASSWORD` (or `-p`/`--password`) from a secret, `uv publish` with `--token` or
    /// `UV_PUBLISH_TOKEN`, `poetry publish` with `POETRY_PYPI_TOKEN_*`, `flit publish` with
    /// `FLIT_PASSWORD`, `hatch publish` with `HATCH_INDEX_AUTH`, `maturin` with
    /// `MATURIN_PYPI_TOKEN`. Uploads to an index other than PyPI/TestPyPI are not reported
    /// (Trusted Publishing is PyPI's feature).
    ///
    /// Steps of composite actions are checked like the steps of workflow jobs.
    ///
    /// ## Why it matters
    /// A PyPI API token is a long-lived bearer credential, usually scoped to the whole
    /// account or project. Anything that can read the job's secrets — a compromised action, a
    /// build dependency, an injection — can steal it and publish malicious releases later,
    /// from anywhere. Trusted Publishing exchanges a short-lived OIDC token bound to this
    /// repository, workflow and environment instead.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: pypa/gh-action-pypi-publish@release/v1
    ///   with:
    ///     password: ${{ secrets.PYPI_API_TOKEN }}
    /// ```
    ///
    /// ## Remediation
    /// Configure a Trusted Publisher on PyPI for this repository, workflow and environment,
    /// give the publishing job `permissions: id-token: write`, remove the `password:`/token,
    /// then revoke the API token on PyPI.
    pub PypiToken {
        id: "workflow/pypi-token",
        summary: "PyPI upload with a long-lived API token instead of Trusted Publishing",
        severity: Medium,
        help: "configure a PyPI Trusted Publisher, grant `id-token: write` to the publishing job, drop the token input and revoke the token",
        references: [
            "https://docs.pypi.org/trusted-publishers/",
            "https://github.com/pypa/gh-action-pypi-publish#trusted-publishing",
        ],
    }
}

fn other_index(url: &str) -> bool {
    !url.trim().is_empty() && !url.contains("pypi.org") && !url.contains("${{")
}

fn push(
    path: &str,
    span: garrison_report::Span,
    route: Route,
    msg: String,
    tool: &str,
    via: &str,
    out: &mut Vec<Finding>,
) {
    out.push(
        Finding::builder(&PypiToken::META)
            .message(msg)
            .severity(Severity::Medium)
            .confidence(Confidence::High)
            .location(loc(path, span, route).with_note("long-lived token"))
            .evidence("tool", tool)
            .evidence("credential", via)
            .build(),
    );
}

fn check_step(s: StepIn<'_>, out: &mut Vec<Finding>) {
    let step = s.step;
    if step.uses_action("pypa/gh-action-pypi-publish") {
        if step
            .input("repository-url")
            .or_else(|| step.input("repository_url"))
            .and_then(|n| n.as_str())
            .is_some_and(other_index)
        {
            return;
        }
        if let Some((k, v)) = step.with.as_ref().and_then(|w| w.entry("password")) {
            let value = v.as_str().unwrap_or_default().trim();
            if value.is_empty() {
                return;
            }
            push(
                s.path(),
                k.span,
                step.route.then("with.password"),
                format!(
                    "{} publishes to PyPI with an API token ({value}) instead of Trusted Publishing",
                    step.label()
                ),
                "pypa/gh-action-pypi-publish",
                value,
                out,
            );
        }
        return;
    }
    let Some(script) = step.script() else {
        return;
    };
    for (tool, vars) in UPLOAD_TOOLS {
        let lines: Vec<&str> = script
            .lines()
            .filter(|l| !l.trim_start().starts_with('#') && l.contains(tool))
            .collect();
        if lines.is_empty() {
            continue;
        }
        if lines.iter().any(|l| {
            l.split_whitespace()
                .any(|w| (w.starts_with("http://") || w.starts_with("https://")) && other_index(w))
                || l.contains("--repository ") && !l.contains("pypi")
        }) {
            continue;
        }
        let mut hit = false;
        for var in *vars {
            if let Some((k, v, route)) = s.env_entry(var)
                && reads_secret(v)
            {
                push(
                    s.path(),
                    k.span,
                    route,
                    format!(
                        "`{tool}` in {} uploads with {var} from a secret instead of Trusted Publishing",
                        step.label()
                    ),
                    tool,
                    var,
                    out,
                );
                hit = true;
                break;
            }
        }
        if hit {
            continue;
        }
        // A token on the command line: `twine upload -p ${{ secrets.X }}`, `uv publish --token …`.
        let flagged = lines.iter().any(|l| {
            l.contains("secrets.")
                && (l.contains(" -p ")
                    || l.contains("--password")
                    || l.contains("--token")
                    || l.contains(" -t ")
                    || l.contains("--api-token"))
        });
        if flagged && let Some(run) = &step.run {
            push(
                s.path(),
                run.span,
                step.route.then("run"),
                format!(
                    "`{tool}` in {} passes an API token on the command line instead of Trusted Publishing",
                    step.label()
                ),
                tool,
                "command-line token",
                out,
            );
        }
    }
}

impl Audit for PypiToken {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn step(&self, _ws: &Workspace, s: StepIn<'_>, out: &mut Vec<Finding>) {
        check_step(s, out);
    }
}
