//! GitHub Actions audits.
//!
//! An audit is one file in [`mod@rules`] implementing [`Audit`], plus one line in
//! [`registry::AUDITS`], fixtures under `tests/fixtures/<rule-name>/` and their snapshots.
//! Audits see the whole [`Workspace`] so they can follow local composite actions and reusable
//! workflows (`uses: ./…`) in the caller's trigger and permission context.

pub mod facts;
pub mod registry;
pub mod rules;

use garrison_report::{Finding, Location, RuleMeta, Span};
use garrison_workflows::{Action, Dependabot, Workflow};
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
pub trait Audit: Sync + Send {
    /// The rule this audit reports.
    fn meta(&self) -> &'static RuleMeta;

    /// Audits a workflow file.
    fn workflow(&self, _ws: &Workspace, _wf: &Workflow, _out: &mut Vec<Finding>) {}

    /// Audits an action definition (`action.yml`).
    fn action(&self, _ws: &Workspace, _action: &Action, _out: &mut Vec<Finding>) {}

    /// Audits `dependabot.yml`.
    fn dependabot(&self, _ws: &Workspace, _config: &Dependabot, _out: &mut Vec<Finding>) {}

    /// Audits the repository as a whole (e.g. a missing dependabot configuration).
    fn repo(&self, _ws: &Workspace, _out: &mut Vec<Finding>) {}
}

/// Runs every audit `selected` accepts over `ws`, in parallel over files.
pub fn run(ws: &Workspace, selected: &dyn Fn(&str) -> bool) -> Vec<Finding> {
    let audits: Vec<&dyn Audit> = registry::AUDITS
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
                a.workflow(ws, wf, &mut v);
            }
            v
        })
        .collect();
    for action in &ws.actions {
        for a in &audits {
            a.action(ws, action, &mut out);
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
    out
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
    registry::AUDITS.iter().map(|a| a.meta()).collect()
}

/// A location in a file with a route and an optional note.
pub fn loc(path: &str, span: Span, route: impl Into<String>) -> Location {
    Location::span(path, span).with_route(route)
}

/// Joins a route prefix (possibly empty, for the workflow level) and a suffix.
pub fn route(base: &str, rest: &str) -> String {
    if base.is_empty() {
        rest.to_string()
    } else {
        format!("{base}.{rest}")
    }
}
