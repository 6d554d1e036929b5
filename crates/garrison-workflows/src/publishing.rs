//! Which steps and jobs publish to a Python package index or a GitHub release, how they
//! authenticate, and whether they publish to TestPyPI only. One home for these facts: the
//! workflow audits and the posture checks both ask them.

use garrison_yaml::Node;

use crate::model::{Job, Step, Workflow};
use crate::route::Route;

/// The PyPA publishing action.
pub const PYPA_ACTION: &str = "pypa/gh-action-pypi-publish";

/// Actions that upload to PyPI.
pub const PYPI_PUBLISH_ACTIONS: &[&str] = &[PYPA_ACTION];

/// Upload commands of `run:` scripts, with the environment variables that carry each one's
/// token.
pub const UPLOAD_TOOLS: &[(&str, &[&str])] = &[
    ("twine upload", &["TWINE_PASSWORD"]),
    ("uv publish", &["UV_PUBLISH_TOKEN", "UV_PUBLISH_PASSWORD"]),
    (
        "poetry publish",
        &[
            "POETRY_PYPI_TOKEN_PYPI",
            "POETRY_PYPI_TOKEN_TESTPYPI",
            "POETRY_HTTP_BASIC_PYPI_PASSWORD",
        ],
    ),
    ("flit publish", &["FLIT_PASSWORD"]),
    ("hatch publish", &["HATCH_INDEX_AUTH"]),
    ("pdm publish", &["PDM_PUBLISH_PASSWORD"]),
    (
        "maturin publish",
        &["MATURIN_PYPI_TOKEN", "MATURIN_PASSWORD"],
    ),
    (
        "maturin upload",
        &["MATURIN_PYPI_TOKEN", "MATURIN_PASSWORD"],
    ),
];

/// How a step publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `pypa/gh-action-pypi-publish`.
    PypaAction,
    /// `uv publish` in a `run:` script.
    UvPublish,
    /// `twine upload`, `flit publish`, `poetry publish`, … in a `run:` script.
    Command,
}

/// How a step publishes to a Python package index, if it does: the PyPA action, or a `run:`
/// script with an upload command ([`UPLOAD_TOOLS`]) on a line that is not a comment.
pub fn step_method(step: &Step) -> Option<Method> {
    if PYPI_PUBLISH_ACTIONS.iter().any(|a| step.uses_action(a)) {
        return Some(Method::PypaAction);
    }
    let mut found = None;
    for line in step.script()?.lines() {
        let l = line.trim();
        if l.starts_with('#') {
            continue;
        }
        if l.contains("uv publish") {
            found = Some(Method::UvPublish);
        } else if found.is_none() && UPLOAD_TOOLS.iter().any(|(c, _)| l.contains(c)) {
            found = Some(Method::Command);
        }
    }
    found
}

/// True if the step publishes to a Python package index ([`step_method`]).
pub fn step_publishes(step: &Step) -> bool {
    step_method(step).is_some()
}

/// True if any step of the job publishes.
pub fn job_publishes(job: &Job) -> bool {
    job.steps.iter().any(step_publishes)
}

/// The publishing steps of a job ([`step_publishes`]).
pub fn publishing_steps(job: &Job) -> Vec<&Step> {
    job.steps.iter().filter(|s| step_publishes(s)).collect()
}

/// True if a step publishes only to TestPyPI (`repository-url: https://test.pypi.org/…`, or
/// a script whose upload names test.pypi.org or `--repository testpypi`).
pub fn to_test_pypi(step: &Step) -> bool {
    let url = step
        .input("repository-url")
        .or_else(|| step.input("repository_url"))
        .and_then(Node::as_str);
    if url.is_some_and(|u| u.contains("test.pypi.org")) {
        return true;
    }
    step.script()
        .is_some_and(|s| s.contains("test.pypi.org") || s.contains("testpypi"))
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
/// GitHub release actions ([`RELEASE_ACTIONS`]), or `gh release create|upload`.
pub fn step_releases(step: &Step) -> bool {
    step_publishes(step)
        || RELEASE_ACTIONS.iter().any(|a| step.uses_action(a))
        || step.script().is_some_and(|s| {
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

/// A step that uploads distributions.
#[derive(Debug, Clone, Copy)]
pub struct PublishStep<'a> {
    /// The step.
    pub step: &'a Step,
    /// How it publishes.
    pub method: Method,
}

/// A job with at least one publishing step.
#[derive(Debug, Clone)]
pub struct PublishJob<'a> {
    /// Its workflow.
    pub wf: &'a Workflow,
    /// The job.
    pub job: &'a Job,
    /// Its publishing steps.
    pub steps: Vec<PublishStep<'a>>,
}

/// Every publishing job of `workflows`, in workflow and job order.
pub fn publish_jobs(workflows: &[Workflow]) -> Vec<PublishJob<'_>> {
    let mut out = Vec::new();
    for wf in workflows {
        for job in &wf.jobs {
            let steps: Vec<PublishStep<'_>> = job
                .steps
                .iter()
                .filter_map(|step| {
                    Some(PublishStep {
                        step,
                        method: step_method(step)?,
                    })
                })
                .collect();
            if !steps.is_empty() {
                out.push(PublishJob { wf, job, steps });
            }
        }
    }
    out
}

/// A long-lived credential a publishing step uses.
#[derive(Debug, Clone)]
pub struct Credential<'a> {
    /// What carries it (`with.password`, `env.TWINE_PASSWORD`, `run: --token`).
    pub what: String,
    /// Symbolic route of the node (the step's, job's or workflow's `env:` entry).
    pub route: Route,
    /// The value node.
    pub node: &'a Node,
}

/// The long-lived credential a publishing step uses, if it (or its job or workflow `env:`)
/// sets one: the PyPA action's `password:` input, a token variable of an upload tool
/// ([`UPLOAD_TOOLS`]), or a token on the command line.
pub fn credential<'a>(
    wf: &'a Workflow,
    job: &'a Job,
    p: &PublishStep<'a>,
) -> Option<Credential<'a>> {
    let step = p.step;
    if p.method == Method::PypaAction {
        let v = step.input("password")?;
        if v.is_null() {
            return None;
        }
        return Some(Credential {
            what: "with.password".to_string(),
            route: step.route.then("with.password"),
            node: v,
        });
    }
    let scopes = [
        (step.env.as_ref(), step.route.then("env")),
        (job.env.as_ref(), job.route.then("env")),
        (wf.env.as_ref(), Route::path("env")),
    ];
    for (env, base) in scopes {
        let Some(env) = env else { continue };
        for (k, v) in env.entries() {
            if UPLOAD_TOOLS.iter().any(|(_, vars)| vars.contains(&k)) {
                return Some(Credential {
                    what: format!("env.{k}"),
                    route: base.key(k),
                    node: v,
                });
            }
        }
    }
    let run = step.run.as_ref()?;
    let script = run.as_str()?;
    let flag = ["--password", "--token", " -p ", "secrets."]
        .into_iter()
        .find(|f| script.contains(f))?;
    Some(Credential {
        what: format!("run: {}", flag.trim()),
        route: step.route.then("run"),
        node: run,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const WF: &str = r#"on: push
env:
  TWINE_PASSWORD: ${{ secrets.PYPI }}
jobs:
  pypa:
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
        with:
          repository-url: https://test.pypi.org/legacy/
          password: ${{ secrets.TEST_PYPI }}
  uv:
    steps:
      - run: |
          # twine upload is not used
          twine upload dist/*
          uv publish
  twine:
    steps:
      - run: twine upload dist/*
  poetry:
    env:
      POETRY_HTTP_BASIC_PYPI_PASSWORD: ${{ secrets.PYPI }}
    steps:
      - run: poetry publish
  release:
    steps:
      - run: gh release create v1 dist/*
      - uses: softprops/action-gh-release@v2
  none:
    steps:
      - run: |
          # uv publish
          echo done
"#;

    #[test]
    fn methods_steps_and_jobs() {
        let wf = Workflow::parse("w.yml", WF).unwrap();
        let job = |id: &str| wf.job(id).unwrap();
        assert_eq!(step_method(&job("pypa").steps[0]), Some(Method::PypaAction));
        assert_eq!(step_method(&job("uv").steps[0]), Some(Method::UvPublish));
        assert_eq!(step_method(&job("twine").steps[0]), Some(Method::Command));
        assert_eq!(step_method(&job("none").steps[0]), None);
        assert!(to_test_pypi(&job("pypa").steps[0]));
        assert!(!to_test_pypi(&job("twine").steps[0]));
        assert!(!job_publishes(job("release")) && job_releases(job("release")));
        assert!(job_releases(job("twine")));
        let jobs = publish_jobs(std::slice::from_ref(&wf));
        let ids: Vec<&str> = jobs.iter().map(|j| j.job.id.as_str()).collect();
        assert_eq!(ids, ["pypa", "uv", "twine", "poetry"]);
    }

    #[test]
    fn credentials() {
        let wf = Workflow::parse("w.yml", WF).unwrap();
        let jobs = publish_jobs(std::slice::from_ref(&wf));
        let cred = |i: usize| credential(jobs[i].wf, jobs[i].job, &jobs[i].steps[0]).unwrap();
        assert_eq!(cred(0).what, "with.password");
        assert_eq!(
            cred(0).route.to_string(),
            "jobs.pypa.steps[0].with.password"
        );
        // The workflow-level variable reaches every job.
        assert_eq!(cred(2).what, "env.TWINE_PASSWORD");
        assert_eq!(cred(2).route.to_string(), "env.TWINE_PASSWORD");
        // Every token variable of the upload tools counts, the job's before the workflow's.
        assert_eq!(cred(3).what, "env.POETRY_HTTP_BASIC_PYPI_PASSWORD");
        assert_eq!(
            cred(3).route.to_string(),
            "jobs.poetry.env.POETRY_HTTP_BASIC_PYPI_PASSWORD"
        );
    }
}
