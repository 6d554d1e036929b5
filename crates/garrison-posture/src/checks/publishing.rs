//! Which workflow jobs publish to a Python package index, and how they authenticate.
//!
//! (garrison-actions has its own copy of the publishing facts; analysis crates do not
//! depend on each other.)

use garrison_workflows::{Job, Permission, Permissions, Step, Workflow};
use garrison_yaml::Node;

use crate::Workspace;

/// The PyPA publishing action.
pub const PYPA_ACTION: &str = "pypa/gh-action-pypi-publish";

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

const UPLOAD_COMMANDS: &[&str] = &[
    "twine upload",
    "flit publish",
    "poetry publish",
    "hatch publish",
    "pdm publish",
    "maturin publish",
    "maturin upload",
];

/// How a step publishes, if it does.
pub fn step_method(step: &Step) -> Option<Method> {
    if step.uses_action(PYPA_ACTION) {
        return Some(Method::PypaAction);
    }
    let script = step.run.as_ref()?.as_str()?;
    let mut found = None;
    for line in script.lines() {
        let l = line.trim();
        if l.starts_with('#') {
            continue;
        }
        if l.contains("uv publish") {
            found = Some(Method::UvPublish);
        } else if found.is_none() && UPLOAD_COMMANDS.iter().any(|c| l.contains(c)) {
            found = Some(Method::Command);
        }
    }
    found
}

/// Every publishing job of the checkout, in workflow and job order.
pub fn publish_jobs(ws: &Workspace) -> Vec<PublishJob<'_>> {
    let mut out = Vec::new();
    for wf in &ws.workflows {
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

/// True if the job can request an OIDC token (`id-token: write`, or `write-all`).
pub fn has_id_token(wf: &Workflow, job: &Job) -> bool {
    match job.effective_permissions(wf) {
        Some(Permissions::WriteAll(_)) => true,
        Some(p @ Permissions::Scoped(..)) => p.level("id-token") == Permission::Write,
        _ => false,
    }
}

/// A long-lived credential a publishing step uses.
#[derive(Debug, Clone)]
pub struct Credential<'a> {
    /// What carries it (`with.password`, `env.TWINE_PASSWORD`, `run --token`).
    pub what: String,
    /// Symbolic route of the node (the step's, job's or workflow's `env:` entry).
    pub route: String,
    /// The value node.
    pub node: &'a Node,
}

/// The long-lived credential a publishing step uses, if it (or its job or workflow `env:`)
/// sets one.
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
            route: format!("{}.with.password", step.route),
            node: v,
        });
    }
    const VARS: &[&str] = &[
        "TWINE_PASSWORD",
        "UV_PUBLISH_TOKEN",
        "UV_PUBLISH_PASSWORD",
        "FLIT_PASSWORD",
        "POETRY_PYPI_TOKEN_PYPI",
        "HATCH_INDEX_AUTH",
        "PDM_PUBLISH_PASSWORD",
        "MATURIN_PYPI_TOKEN",
        "MATURIN_PASSWORD",
    ];
    let scopes = [
        (step.env.as_ref(), format!("{}.env", step.route)),
        (job.env.as_ref(), format!("{}.env", job.route)),
        (wf.env.as_ref(), "env".to_string()),
    ];
    for (env, base) in scopes {
        let Some(env) = env else { continue };
        for (k, v) in env.entries() {
            if VARS.contains(&k) {
                return Some(Credential {
                    what: format!("env.{k}"),
                    route: format!("{base}.{k}"),
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
        route: format!("{}.run", step.route),
        node: run,
    })
}

/// True if the publishing step goes to TestPyPI only.
pub fn to_test_pypi(step: &Step) -> bool {
    let in_input = step
        .input("repository-url")
        .or_else(|| step.input("repository_url"))
        .and_then(Node::as_str)
        .is_some_and(|u| u.contains("test.pypi.org"));
    let in_run = step
        .run
        .as_ref()
        .and_then(Node::as_str)
        .is_some_and(|s| s.contains("test.pypi.org") || s.contains("testpypi"));
    in_input || in_run
}
