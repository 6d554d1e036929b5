//! GitHub Actions audits.
//!
//! An audit is one file in [`mod@rules`] implementing [`Audit`], plus one line in
//! [`registry::AUDITS`], fixtures under `tests/fixtures/<rule-name>/` and their snapshots.
//! Audits see the whole [`Repo`] so they can follow local composite actions and reusable
//! workflows (`uses: ./…`) in the caller's trigger and permission context.

pub mod facts;
pub mod registry;
pub mod repo;
pub mod rules;

use garrison_report::{Finding, Location, RuleMeta, Span};
use garrison_workflows::{Action, Dependabot, Workflow};
use rayon::prelude::*;

pub use repo::Repo;

/// One workflow audit. Implement the hooks that apply; the rest default to nothing.
pub trait Audit: Sync + Send {
    /// The rule this audit reports.
    fn meta(&self) -> &'static RuleMeta;

    /// Audits a workflow file.
    fn workflow(&self, _repo: &Repo, _wf: &Workflow, _out: &mut Vec<Finding>) {}

    /// Audits an action definition (`action.yml`).
    fn action(&self, _repo: &Repo, _action: &Action, _out: &mut Vec<Finding>) {}

    /// Audits `dependabot.yml`.
    fn dependabot(&self, _repo: &Repo, _config: &Dependabot, _out: &mut Vec<Finding>) {}

    /// Audits the repository as a whole (e.g. a missing dependabot configuration).
    fn repo(&self, _repo: &Repo, _out: &mut Vec<Finding>) {}
}

/// Runs every audit `selected` accepts over `repo`, in parallel over files.
pub fn run(repo: &Repo, selected: &dyn Fn(&str) -> bool) -> Vec<Finding> {
    let audits: Vec<&dyn Audit> = registry::AUDITS
        .iter()
        .copied()
        .filter(|a| selected(a.meta().id))
        .collect();
    let mut out: Vec<Finding> = repo
        .workflows
        .par_iter()
        .flat_map_iter(|wf| {
            let mut v = Vec::new();
            for a in &audits {
                a.workflow(repo, wf, &mut v);
            }
            v
        })
        .collect();
    for action in &repo.actions {
        for a in &audits {
            a.action(repo, action, &mut out);
        }
    }
    if let Some(d) = &repo.dependabot {
        for a in &audits {
            a.dependabot(repo, d, &mut out);
        }
    }
    for a in &audits {
        a.repo(repo, &mut out);
    }
    out
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
