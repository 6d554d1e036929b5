//! GitHub Actions audits.
//!
//! An audit is one file in [`mod@rules`] implementing [`Audit`], plus one line in the list of
//! [`rules::AUDITS`], fixtures under `tests/fixtures/<rule-name>/` and their snapshots (the
//! recipe is in `crates/README.md`).
//! Audits see the whole [`Workspace`] so they can follow local composite actions and reusable
//! workflows (`uses: ./…`) in the caller's trigger and permission context.

pub mod facts;
pub mod rules;

use garrison_report::{Finding, Location, RuleMeta, Span};
use garrison_workflows::{Action, Dependabot, Job, Parent, StepIn, Workflow};
use garrison_workspace::Kind;
use rayon::prelude::*;

pub use garrison_workspace::Workspace;

/// The inputs the workflow audits read: their load errors are the audits' to report.
pub const INPUTS: &[Option<Kind>] = &[
    Some(Kind::Workflow),
    Some(Kind::Action),
    Some(Kind::Dependabot),
];

/// One workflow audit. Implement the hooks that apply; the rest default to nothing.
///
/// [`run`] walks every workflow (workflow, then each job, its step list and each step) and
/// every action definition (the action, then its step list and each step), calling each
/// hook on the way: a rule that looks at steps implements [`Audit::step`] (or
/// [`Audit::steps`] when it follows data from one step to the next) and covers the steps of
/// workflow jobs and of composite actions alike.
pub trait Audit: Sync + Send {
    /// The rule this audit reports.
    fn meta(&self) -> &'static RuleMeta;

    /// Audits a workflow as a whole (workflow-level keys, analyses across jobs).
    fn workflow(&self, _ws: &Workspace, _wf: &Workflow, _out: &mut Vec<Finding>) {}

    /// Audits one job of a workflow.
    fn job(&self, _ws: &Workspace, _wf: &Workflow, _job: &Job, _out: &mut Vec<Finding>) {}

    /// Audits an action definition (`action.yml`) as a whole.
    fn action(&self, _ws: &Workspace, _action: &Action, _out: &mut Vec<Finding>) {}

    /// Audits the steps of a job or of a composite action, in order.
    fn steps(&self, _ws: &Workspace, _parent: Parent<'_>, _out: &mut Vec<Finding>) {}

    /// Audits one step of a job or of a composite action.
    fn step(&self, _ws: &Workspace, _step: StepIn<'_>, _out: &mut Vec<Finding>) {}

    /// Audits `dependabot.yml`.
    fn dependabot(&self, _ws: &Workspace, _config: &Dependabot, _out: &mut Vec<Finding>) {}

    /// Audits the repository as a whole (e.g. a missing dependabot configuration).
    fn repo(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

/// Calls `audit`'s step-list and step hooks on the steps of `parent`.
fn walk_steps(audit: &dyn Audit, ws: &Workspace, parent: Parent<'_>, out: &mut Vec<Finding>) {
    audit.steps(ws, parent, out);
    for step in parent.steps() {
        audit.step(ws, StepIn { parent, step }, out);
    }
}

/// Calls `audit`'s hooks on `wf`, its jobs and their steps.
fn walk_workflow(audit: &dyn Audit, ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
    audit.workflow(ws, wf, out);
    for job in &wf.jobs {
        audit.job(ws, wf, job, out);
        walk_steps(audit, ws, Parent::Job { workflow: wf, job }, out);
    }
}

/// Calls `audit`'s hooks on `action` and its steps.
fn walk_action(audit: &dyn Audit, ws: &Workspace, action: &Action, out: &mut Vec<Finding>) {
    audit.action(ws, action, out);
    walk_steps(audit, ws, Parent::Action(action), out);
}

/// Runs every audit `selected` accepts over `ws`, in parallel over files.
pub fn run(ws: &Workspace, selected: &dyn Fn(&str) -> bool) -> Vec<Finding> {
    let audits: Vec<&dyn Audit> = rules::AUDITS
        .iter()
        .copied()
        .filter(|a| selected(a.meta().id))
        .collect();
    let mut out: Vec<Finding> = ws
        .workflows
        .par_iter()
        .flat_map_iter(|wf| {
            let mut v = Vec::new();
            for a in &audits {
                walk_workflow(*a, ws, wf, &mut v);
            }
            v
        })
        .collect();
    for action in &ws.actions {
        for a in &audits {
            walk_action(*a, ws, action, &mut out);
        }
    }
    if let Some(d) = &ws.dependabot {
        for a in &audits {
            a.dependabot(ws, d, &mut out);
        }
    }
    for a in &audits {
        a.repo(ws, &mut out);
    }
    key_on_subjects(ws, &mut out);
    out
}

/// Keys each finding's fingerprint on what it is about rather than where
/// ([`Workspace::subject`]: a step by its action and ref, a job by nothing but its content), so
/// a baseline survives reordered steps and renamed jobs and never hides a replaced step.
pub fn key_on_subjects(ws: &Workspace, findings: &mut [Finding]) {
    for f in findings {
        let path = f.primary().map(|l| l.path.clone()).unwrap_or_default();
        f.rekey(&|t| ws.subject(&path, t));
    }
}

/// How many files the audits looked at: the GitHub inputs parsed, and those that failed to load.
pub fn file_count(ws: &Workspace) -> usize {
    ws.workflows.len()
        + ws.actions.len()
        + usize::from(ws.dependabot.is_some())
        + ws.errors_of(INPUTS).count()
}

/// Metadata of every workflow rule.
pub fn rules() -> Vec<&'static RuleMeta> {
    rules::AUDITS.iter().map(|a| a.meta()).collect()
}

/// A location in a file with a span and a route (a [`garrison_workflows::Route`], or a key
/// path of a file without jobs and steps).
pub fn loc(path: &str, span: Span, route: impl Into<String>) -> Location {
    Location::span(path, span).with_route(route)
}
