use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Job, Step, Workflow};

use crate::facts::{is_false, job_releases, upstream_jobs};
use crate::{Audit, Repo, loc};

declare_rule! {
    /// ## What it checks
    /// Cache restores in jobs that build what gets released: a job that publishes (PyPI
    /// upload, GitHub release assets), or any job it `needs` (directly or transitively),
    /// whose outputs reach it as artifacts. Recognised restores: `actions/cache` and
    /// `actions/cache/restore`; `actions/setup-python`, `setup-node`, `setup-java`,
    /// `setup-dotnet` with a `cache:` input; `actions/setup-go` v4+ (caches unless
    /// `cache: false`); `astral-sh/setup-uv` with `enable-cache: true`, or v6+ without the
    /// input (the default `auto` caches on GitHub-hosted runners); `Swatinem/rust-cache`;
    /// `hendrikmuhs/ccache-action`; `mamba-org/setup-micromamba` with `cache-environment` or
    /// `cache-downloads`; `prefix-dev/setup-pixi` with `cache: true`; `ruby/setup-ruby` with
    /// `bundler-cache: true`.
    ///
    /// ## Why it matters
    /// Caches are shared across workflows of the default branch. Any workflow that can write
    /// the cache — including one an outsider can trigger (`pull_request_target`,
    /// `issue_comment`) or one running a compromised test dependency — can plant files that
    /// the release build restores and ships. This is how the Ultralytics PyPI releases were
    /// backdoored in December 2024.
    ///
    /// ## Example
    /// ```yaml
    /// build:
    ///   steps:
    ///     - uses: actions/setup-python@v5
    ///       with:
    ///         cache: pip
    ///     - run: python -m build
    /// publish:
    ///   needs: build
    ///   steps:
    ///     - uses: pypa/gh-action-pypi-publish@release/v1
    /// ```
    ///
    /// ## Remediation
    /// Disable caching in the jobs that build release artifacts (remove `cache:`, set
    /// `enable-cache: false`, drop `actions/cache`), or key the release build's cache so it
    /// is never restored from other workflows. Releases should build from a clean state.
    pub CachePoisoning {
        id: "workflow/cache-poisoning",
        summary: "release build restores a cache that other workflows can write",
        severity: High,
        help: "disable caching in jobs that build or publish release artifacts",
        references: [
            "https://adnanthekhan.com/2024/05/06/the-monsters-in-your-build-cache-github-actions-cache-poisoning/",
            "https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/",
        ],
    }
}

fn major(step: &Step) -> Option<u32> {
    let r = step.uses.as_ref()?.0.git_ref()?;
    let r = r.strip_prefix('v').unwrap_or(r);
    r.split('.').next()?.parse().ok()
}

fn input_on(step: &Step, key: &str) -> bool {
    step.input(key).is_some_and(|n| n.is_true())
}

/// Why the step restores a cache, if it does.
fn restores_cache(step: &Step) -> Option<String> {
    let action = step.action()?;
    let with_cache = |k: &str| {
        step.input(k)
            .filter(|n| !is_false(n) && n.as_str().is_some_and(|s| !s.trim().is_empty()))
            .map(|n| format!("{action} with `{k}: {}`", n.as_str().unwrap_or_default()))
    };
    match action.as_str() {
        "actions/cache" | "actions/cache/restore" => Some(format!("{action} restores a cache")),
        "actions/setup-python" | "actions/setup-node" | "actions/setup-java" | "actions/setup-dotnet" => {
            with_cache("cache")
        }
        "actions/setup-go" => match step.input("cache") {
            Some(n) if is_false(n) => None,
            Some(_) => Some("actions/setup-go with `cache:`".to_string()),
            // Caching is on by default since v4; an unknown (SHA) ref is assumed recent.
            None if major(step).is_none_or(|m| m >= 4) => {
                Some("actions/setup-go v4+ caches by default".to_string())
            }
            None => None,
        },
        "astral-sh/setup-uv" => match step.input("enable-cache") {
            Some(n) if n.is_true() => Some("astral-sh/setup-uv with `enable-cache: true`".to_string()),
            Some(_) => None,
            None if major(step).is_none_or(|m| m >= 6) => Some(
                "astral-sh/setup-uv v6+ without `enable-cache` (default `auto` caches on GitHub-hosted runners)"
                    .to_string(),
            ),
            None => None,
        },
        "swatinem/rust-cache" => Some("Swatinem/rust-cache restores a cache".to_string()),
        "hendrikmuhs/ccache-action" => Some("hendrikmuhs/ccache-action restores a compiler cache".to_string()),
        "mamba-org/setup-micromamba" => {
            if input_on(step, "cache-environment") {
                Some("mamba-org/setup-micromamba with `cache-environment: true`".to_string())
            } else if input_on(step, "cache-downloads") {
                Some("mamba-org/setup-micromamba with `cache-downloads: true`".to_string())
            } else {
                None
            }
        }
        "prefix-dev/setup-pixi" => input_on(step, "cache")
            .then(|| "prefix-dev/setup-pixi with `cache: true`".to_string()),
        "ruby/setup-ruby" => input_on(step, "bundler-cache")
            .then(|| "ruby/setup-ruby with `bundler-cache: true`".to_string()),
        _ => None,
    }
}

fn report(wf: &Workflow, job: &Job, publisher: &Job, out: &mut Vec<Finding>) {
    for step in &job.steps {
        let Some(why) = restores_cache(step) else {
            continue;
        };
        let Some(node) = step.uses_node.as_ref() else {
            continue;
        };
        let direct = job.id == publisher.id;
        let message = if direct {
            format!("job {} publishes and restores a cache: {why}", job.id)
        } else {
            format!(
                "job {} builds for publishing job {} and restores a cache: {why}",
                job.id, publisher.id
            )
        };
        out.push(
            Finding::builder(&CachePoisoning::META)
                .message(message)
                .severity(Severity::High)
                .confidence(if direct {
                    Confidence::High
                } else {
                    Confidence::Medium
                })
                .location(
                    loc(wf.path(), node.span, crate::route(&step.route, "uses"))
                        .with_note("restores a cache"),
                )
                .location(
                    loc(wf.path(), publisher.key_span, publisher.route.clone())
                        .with_note("publishes"),
                )
                .evidence("cache", why)
                .evidence("job", job.id.as_str())
                .evidence("publishing_job", publisher.id.as_str())
                .build(),
        );
    }
}

impl Audit for CachePoisoning {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn workflow(&self, _repo: &Repo, wf: &Workflow, out: &mut Vec<Finding>) {
        let mut done: Vec<&str> = Vec::new();
        let publishers: Vec<&Job> = wf.jobs.iter().filter(|j| job_releases(j)).collect();
        // Publishing jobs first, then their builders, each job once.
        for p in &publishers {
            if !done.contains(&p.id.as_str()) {
                done.push(p.id.as_str());
                report(wf, p, p, out);
            }
        }
        for p in &publishers {
            for j in upstream_jobs(wf, p) {
                if !done.contains(&j.id.as_str()) {
                    done.push(j.id.as_str());
                    report(wf, j, p, out);
                }
            }
        }
    }
}
