//! A GitHub Actions model with exact spans: workflows, composite actions, `dependabot.yml`.
//!
//! The model is a typed view over a [`garrison_yaml::Node`] tree, so every value keeps the
//! span it came from and every finding can name a symbolic route such as
//! `jobs.publish.steps[2].run`. Unknown keys are kept (in the tree), never rejected: GitHub adds
//! keys faster than any model.
//!
//! The facts several analyses ask of the model live here too, once: which events are
//! privileged or external ([`triggers`]), which steps publish and how they authenticate
//! ([`publishing`]), which use the OIDC token ([`oidc`]), which contexts an attacker controls
//! ([`contexts`]).

pub mod contexts;
pub mod dependabot;
pub mod model;
pub mod oidc;
pub mod publishing;
pub mod route;
pub mod steps;
pub mod triggers;
pub mod uses;

pub use dependabot::{Dependabot, Update};
pub use model::{
    Action, Environment, ExprAt, Job, Permission, Permissions, Step, Trigger, Workflow,
    WorkflowFile,
};
pub use route::Route;
pub use steps::{Parent, StepIn};
pub use uses::Uses;

use garrison_source::{SourceFile, Span};
use garrison_yaml::Node;

/// Every `${{ … }}` inside `node`, located in the file. Expressions are found in the node's
/// raw source text, so positions are exact even inside block scalars.
pub fn expressions_in(source: &SourceFile, node: &Node) -> Vec<ExprAt> {
    let base = node.span.start_offset;
    let raw = node.source(source.text());
    garrison_expr::find_embedded(raw)
        .into_iter()
        .map(|e| ExprAt {
            span: source.span(base + e.outer.start, base + e.outer.end),
            inner: raw.get(e.inner.clone()).unwrap_or("").to_string(),
            parsed: e.parsed,
        })
        .collect()
}

/// The span of a whole node.
pub fn span(node: &Node) -> Span {
    node.span
}

/// The local composite action at `./path` (a directory holding `action.yml`) among `actions`.
pub fn local_action<'a>(actions: &'a [Action], path: &str) -> Option<&'a Action> {
    let dir = path.trim_start_matches("./").trim_end_matches('/');
    actions.iter().find(|a| {
        let p = a.path();
        p.strip_suffix("action.yml")
            .or_else(|| p.strip_suffix("action.yaml"))
            .is_some_and(|d| d.trim_end_matches('/') == dir)
    })
}

/// The local reusable workflow at `./.github/workflows/x.yml` among `workflows`.
pub fn local_workflow<'a>(workflows: &'a [Workflow], path: &str) -> Option<&'a Workflow> {
    let p = path.trim_start_matches("./");
    workflows.iter().find(|w| w.path() == p)
}
