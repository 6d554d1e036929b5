//! Typed views of workflows, jobs, steps and composite actions.

use garrison_expr::{ExprError, SpannedExpr};
use garrison_source::{FileError, SourceFile, Span};
use garrison_yaml::{Node, Value};

use crate::route::{Route, Segment};
use crate::uses::Uses;

/// A `${{ … }}` found in a value, with its exact span in the file.
#[derive(Debug, Clone)]
pub struct ExprAt {
    /// From `${{` to `}}` inclusive.
    pub span: Span,
    /// The text between the braces.
    pub inner: String,
    /// The parsed expression, or why it does not parse.
    pub parsed: Result<SpannedExpr, ExprError>,
}

/// A parsed YAML file with its path and text.
#[derive(Debug, Clone)]
pub struct WorkflowFile {
    /// Path relative to the scanned root, `/`-separated.
    pub path: String,
    /// The text, indexed by line.
    pub source: SourceFile,
    /// The YAML tree.
    pub root: Node,
}

impl WorkflowFile {
    /// Parses `text`; the error names the file, line and column.
    pub fn parse(path: &str, text: &str) -> Result<WorkflowFile, FileError> {
        let root = garrison_yaml::parse(text).map_err(|e| FileError {
            path: path.to_string(),
            line: Some(e.line),
            column: Some(e.column),
            message: format!("invalid YAML: {}", e.message),
        })?;
        Ok(WorkflowFile {
            path: path.to_string(),
            source: SourceFile::new(text),
            root,
        })
    }

    /// Every `${{ … }}` in `node`.
    pub fn expressions(&self, node: &Node) -> Vec<ExprAt> {
        crate::expressions_in(&self.source, node)
    }

    /// Every scalar value of the document (mapping values and sequence items, not keys) with
    /// its route, in document order, down to [`MAX_SCALAR_DEPTH`] levels of nesting. Jobs
    /// (`jobs.<id>`) and steps (`jobs.<id>.steps[i]`, `runs.steps[i]`) get their typed route
    /// segments.
    pub fn scalars(&self) -> Vec<(Route, &Node)> {
        let mut out = Vec::new();
        scalars(&self.root, &Route::default(), 0, &mut out);
        out
    }

    fn structure_error(&self, node: &Node, message: String) -> FileError {
        FileError {
            path: self.path.clone(),
            line: Some(node.span.start_line),
            column: Some(node.span.start_column),
            message,
        }
    }
}

/// Deepest nesting [`WorkflowFile::scalars`] walks.
pub const MAX_SCALAR_DEPTH: usize = 64;

fn scalars<'a>(node: &'a Node, route: &Route, depth: usize, out: &mut Vec<(Route, &'a Node)>) {
    if depth > MAX_SCALAR_DEPTH {
        return;
    }
    match &node.value {
        Value::Scalar(..) => out.push((route.clone(), node)),
        Value::Seq(items) => {
            // `jobs.<id>.steps` and `runs.steps` hold steps.
            let steps = match route.segments() {
                [Segment::Job(_), Segment::Key(k)] => k == "steps",
                [Segment::Key(r), Segment::Key(k)] => r == "runs" && k == "steps",
                _ => false,
            };
            for (i, n) in items.iter().enumerate() {
                let r = if steps {
                    let s = |k: &str| n.get(k).and_then(Node::as_str);
                    route.parent().step(i, s("id"), s("name"))
                } else {
                    route.index(i)
                };
                scalars(n, &r, depth + 1, out);
            }
        }
        Value::Map(entries) => {
            for (k, v) in entries {
                let key = k.as_str().unwrap_or("?");
                // `jobs.<id>` is a job.
                let r = match route.segments() {
                    [Segment::Key(j)] if j == "jobs" => Route::job(key),
                    _ => route.key(key),
                };
                scalars(v, &r, depth + 1, out);
            }
        }
    }
}

/// One event under `on:`.
#[derive(Debug, Clone)]
pub struct Trigger {
    /// Event name (`push`, `pull_request_target`, …).
    pub event: String,
    /// Span of the event name.
    pub span: Span,
    /// The event's configuration (`types`, `branches`, `inputs`, …), if any.
    pub config: Option<Node>,
}

/// A permission level.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permission {
    /// `none`
    None,
    /// `read`
    Read,
    /// `write`
    Write,
    /// Anything else (kept for messages).
    Other(String),
}

impl Permission {
    fn parse(s: &str) -> Permission {
        match s {
            "none" => Permission::None,
            "read" => Permission::Read,
            "write" => Permission::Write,
            other => Permission::Other(other.to_string()),
        }
    }
}

/// A `permissions:` block.
#[derive(Debug, Clone)]
pub enum Permissions {
    /// `read-all`.
    ReadAll(Span),
    /// `write-all`.
    WriteAll(Span),
    /// A mapping of scopes (`{}` is an empty mapping: no permissions at all).
    Scoped(Vec<(String, Permission, Span)>, Span),
    /// Something GitHub would reject.
    Invalid(Span),
}

impl Permissions {
    fn parse(node: &Node) -> Permissions {
        match &node.value {
            Value::Scalar(s, _) => match s.as_str() {
                "read-all" => Permissions::ReadAll(node.span),
                "write-all" => Permissions::WriteAll(node.span),
                _ => Permissions::Invalid(node.span),
            },
            Value::Map(_) => Permissions::Scoped(
                node.entries()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            Permission::parse(v.as_str().unwrap_or("")),
                            v.span,
                        )
                    })
                    .collect(),
                node.span,
            ),
            Value::Seq(_) => Permissions::Invalid(node.span),
        }
    }

    /// The span of the whole block.
    pub fn span(&self) -> Span {
        match self {
            Permissions::ReadAll(s)
            | Permissions::WriteAll(s)
            | Permissions::Scoped(_, s)
            | Permissions::Invalid(s) => *s,
        }
    }

    /// The level granted to `scope` (`contents`, `id-token`, …).
    pub fn level(&self, scope: &str) -> Permission {
        match self {
            Permissions::ReadAll(_) => {
                if scope == "id-token" {
                    Permission::None
                } else {
                    Permission::Read
                }
            }
            Permissions::WriteAll(_) => Permission::Write,
            Permissions::Scoped(v, _) => v
                .iter()
                .find(|(k, _, _)| k == scope)
                .map_or(Permission::None, |(_, p, _)| p.clone()),
            Permissions::Invalid(_) => Permission::None,
        }
    }

    /// Scopes granted `write`, with their spans.
    pub fn writes(&self) -> Vec<(String, Span)> {
        match self {
            Permissions::WriteAll(s) => vec![("write-all".to_string(), *s)],
            Permissions::Scoped(v, _) => v
                .iter()
                .filter(|(_, p, _)| *p == Permission::Write)
                .map(|(k, _, s)| (k.clone(), *s))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A job's `environment:`.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The environment name (may be an expression).
    pub name: Option<String>,
    /// The whole value.
    pub node: Node,
}

/// A step of a job or of a composite action.
#[derive(Debug, Clone)]
pub struct Step {
    /// Position in its list (0-based).
    pub index: usize,
    /// Symbolic route, e.g. `jobs.build.steps[2]`.
    pub route: Route,
    /// The step mapping.
    pub node: Node,
    /// `id:`.
    pub id: Option<String>,
    /// `name:`.
    pub name: Option<String>,
    /// `uses:`, parsed, with its node.
    pub uses: Option<(Uses, Node)>,
    /// `uses:` as written (also when it does not parse, e.g. an expression).
    pub uses_node: Option<Node>,
    /// `run:`.
    pub run: Option<Node>,
    /// `shell:`.
    pub shell: Option<String>,
    /// `with:`.
    pub with: Option<Node>,
    /// `env:`.
    pub env: Option<Node>,
    /// `if:`.
    pub if_cond: Option<Node>,
}

impl Step {
    /// Parses the step at `index` of the step list at `parent` (a job, or `runs`).
    fn parse(index: usize, parent: &Route, node: &Node) -> Step {
        let s = |k: &str| node.get(k).and_then(Node::as_str).map(str::to_string);
        let uses_node = node.get("uses").cloned();
        let uses = uses_node
            .as_ref()
            .and_then(|n| Some((Uses::parse(n.as_str()?)?, n.clone())));
        let (id, name) = (s("id"), s("name"));
        Step {
            index,
            route: parent.step(index, id.as_deref(), name.as_deref()),
            node: node.clone(),
            id,
            name,
            uses,
            uses_node,
            run: node.get("run").cloned(),
            shell: s("shell"),
            with: node.get("with").cloned(),
            env: node.get("env").cloned(),
            if_cond: node.get("if").cloned(),
        }
    }

    /// A `with:` input.
    pub fn input(&self, key: &str) -> Option<&Node> {
        self.with.as_ref()?.get(key)
    }

    /// A `with:` input as scalar text.
    pub fn input_str(&self, key: &str) -> Option<&str> {
        self.input(key).and_then(Node::as_str)
    }

    /// The script of a `run:` step, if any.
    pub fn script(&self) -> Option<&str> {
        self.run.as_ref().and_then(Node::as_str)
    }

    /// The action name (`owner/repo[/path]`, lowercased) for repository `uses:`.
    pub fn action(&self) -> Option<String> {
        self.uses.as_ref().and_then(|(u, _)| u.action_name())
    }

    /// True if this step uses `owner/repo` (any subpath, any ref), case-insensitively.
    pub fn uses_action(&self, name: &str) -> bool {
        self.action().is_some_and(|a| {
            a == name || (a.starts_with(name) && a.as_bytes().get(name.len()) == Some(&b'/'))
        })
    }

    /// How people refer to the step: its name, its id, or its position.
    pub fn label(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.id.clone())
            .unwrap_or_else(|| format!("step {}", self.index + 1))
    }
}

/// A job.
#[derive(Debug, Clone)]
pub struct Job {
    /// The job id.
    pub id: String,
    /// `jobs.<id>`.
    pub route: Route,
    /// Span of the job id key.
    pub key_span: Span,
    /// The job mapping.
    pub node: Node,
    /// `name:`.
    pub name: Option<String>,
    /// `runs-on:`.
    pub runs_on: Option<Node>,
    /// `permissions:`.
    pub permissions: Option<Permissions>,
    /// `environment:`.
    pub environment: Option<Environment>,
    /// `if:`.
    pub if_cond: Option<Node>,
    /// `uses:` of a reusable-workflow call job.
    pub uses: Option<(Uses, Node)>,
    /// `with:` of a reusable-workflow call.
    pub with: Option<Node>,
    /// `secrets:` of a reusable-workflow call (`inherit` or a mapping).
    pub secrets: Option<Node>,
    /// `steps:`.
    pub steps: Vec<Step>,
    /// `container:`.
    pub container: Option<Node>,
    /// `services:`.
    pub services: Option<Node>,
    /// `env:`.
    pub env: Option<Node>,
    /// `needs:`.
    pub needs: Vec<String>,
}

impl Job {
    fn parse(id: &str, key: &Node, node: &Node) -> Job {
        let route = Route::job(id);
        let steps = node
            .get("steps")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(i, n)| Step::parse(i, &route, n))
            .collect();
        let needs = match node.get("needs") {
            Some(n) => match &n.value {
                Value::Scalar(s, _) => vec![s.clone()],
                Value::Seq(v) => v
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                Value::Map(_) => Vec::new(),
            },
            None => Vec::new(),
        };
        Job {
            id: id.to_string(),
            route,
            key_span: key.span,
            node: node.clone(),
            name: node.get("name").and_then(Node::as_str).map(str::to_string),
            runs_on: node.get("runs-on").cloned(),
            permissions: node.get("permissions").map(Permissions::parse),
            environment: node.get("environment").map(|n| Environment {
                name: n
                    .as_str()
                    .or_else(|| n.get("name").and_then(Node::as_str))
                    .map(str::to_string),
                node: n.clone(),
            }),
            if_cond: node.get("if").cloned(),
            uses: node
                .get("uses")
                .and_then(|n| Some((Uses::parse(n.as_str()?)?, n.clone()))),
            with: node.get("with").cloned(),
            secrets: node.get("secrets").cloned(),
            steps,
            container: node.get("container").cloned(),
            services: node.get("services").cloned(),
            env: node.get("env").cloned(),
            needs,
        }
    }

    /// The permissions in force: the job's, else the workflow's.
    pub fn effective_permissions<'a>(&'a self, wf: &'a Workflow) -> Option<&'a Permissions> {
        self.permissions.as_ref().or(wf.permissions.as_ref())
    }
}

/// A workflow file (`.github/workflows/*.yml`).
#[derive(Debug, Clone)]
pub struct Workflow {
    /// The parsed file.
    pub file: WorkflowFile,
    /// `name:`.
    pub name: Option<String>,
    /// Span of the `on:` key.
    pub on_span: Option<Span>,
    /// Events under `on:`.
    pub triggers: Vec<Trigger>,
    /// Workflow-level `permissions:`.
    pub permissions: Option<Permissions>,
    /// Workflow-level `env:`.
    pub env: Option<Node>,
    /// Jobs in source order.
    pub jobs: Vec<Job>,
}

impl Workflow {
    /// Parses a workflow. YAML errors and a non-mapping document are errors; missing or
    /// oddly-shaped keys are tolerated (the audits see what is there).
    pub fn parse(path: &str, text: &str) -> Result<Workflow, FileError> {
        let file = WorkflowFile::parse(path, text)?;
        if file.root.as_map().is_none() {
            return Err(file.structure_error(
                &file.root,
                "a workflow must be a YAML mapping with `on:` and `jobs:`".to_string(),
            ));
        }
        let root = &file.root;
        let (on_span, triggers) = match root.entry("on") {
            Some((k, v)) => (Some(k.span), parse_triggers(v)),
            None => (None, Vec::new()),
        };
        let jobs = root
            .get("jobs")
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| Some(Job::parse(k.as_str()?, k, v)))
            .collect();
        Ok(Workflow {
            name: root.get("name").and_then(Node::as_str).map(str::to_string),
            on_span,
            triggers,
            permissions: root.get("permissions").map(Permissions::parse),
            env: root.get("env").cloned(),
            jobs,
            file,
        })
    }

    /// The file path.
    pub fn path(&self) -> &str {
        &self.file.path
    }

    /// True if `on:` includes `event`.
    pub fn has_trigger(&self, event: &str) -> bool {
        self.triggers.iter().any(|t| t.event == event)
    }

    /// The trigger named `event`.
    pub fn trigger(&self, event: &str) -> Option<&Trigger> {
        self.triggers.iter().find(|t| t.event == event)
    }

    /// Every `${{ … }}` in `node`.
    pub fn expressions(&self, node: &Node) -> Vec<ExprAt> {
        self.file.expressions(node)
    }

    /// A job by id.
    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// The jobs `job` depends on through `needs:`, transitively (without `job` itself).
    pub fn upstream_jobs(&self, job: &Job) -> Vec<&Job> {
        let mut seen: Vec<&str> = Vec::new();
        let mut todo: Vec<String> = job.needs.clone();
        let mut out = Vec::new();
        while let Some(id) = todo.pop() {
            if seen.contains(&id.as_str()) || id == job.id || seen.len() > 1000 {
                continue;
            }
            if let Some(j) = self.job(&id) {
                seen.push(j.id.as_str());
                todo.extend(j.needs.iter().cloned());
                out.push(j);
            }
        }
        out
    }
}

fn parse_triggers(v: &Node) -> Vec<Trigger> {
    match &v.value {
        Value::Scalar(s, _) => vec![Trigger {
            event: s.clone(),
            span: v.span,
            config: None,
        }],
        Value::Seq(items) => items
            .iter()
            .filter_map(|n| {
                Some(Trigger {
                    event: n.as_str()?.to_string(),
                    span: n.span,
                    config: None,
                })
            })
            .collect(),
        Value::Map(entries) => entries
            .iter()
            .filter_map(|(k, n)| {
                Some(Trigger {
                    event: k.as_str()?.to_string(),
                    span: k.span,
                    config: if n.is_null() { None } else { Some(n.clone()) },
                })
            })
            .collect(),
    }
}

/// A composite (or JavaScript/Docker) action definition, `action.yml`.
#[derive(Debug, Clone)]
pub struct Action {
    /// The parsed file.
    pub file: WorkflowFile,
    /// `name:`.
    pub name: Option<String>,
    /// `runs.using:` (`composite`, `node20`, `docker`).
    pub using: Option<String>,
    /// `runs.steps` of a composite action (routes `runs.steps[i]`).
    pub steps: Vec<Step>,
    /// `runs.image` of a Docker action.
    pub image: Option<Node>,
    /// Names of declared `inputs:`.
    pub inputs: Vec<String>,
}

impl Action {
    /// Parses an `action.yml`.
    pub fn parse(path: &str, text: &str) -> Result<Action, FileError> {
        let file = WorkflowFile::parse(path, text)?;
        if file.root.as_map().is_none() {
            return Err(file.structure_error(
                &file.root,
                "an action definition must be a YAML mapping with `runs:`".to_string(),
            ));
        }
        let runs = file.root.get("runs");
        let runs_route = Route::path("runs");
        let steps = runs
            .and_then(|r| r.get("steps"))
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .enumerate()
            .map(|(i, n)| Step::parse(i, &runs_route, n))
            .collect();
        Ok(Action {
            name: file
                .root
                .get("name")
                .and_then(Node::as_str)
                .map(str::to_string),
            using: runs
                .and_then(|r| r.get("using"))
                .and_then(Node::as_str)
                .map(str::to_string),
            steps,
            image: runs.and_then(|r| r.get("image")).cloned(),
            inputs: file
                .root
                .get("inputs")
                .map(|i| i.entries().map(|(k, _)| k.to_string()).collect())
                .unwrap_or_default(),
            file,
        })
    }

    /// The file path.
    pub fn path(&self) -> &str {
        &self.file.path
    }

    /// Every `${{ … }}` in `node`.
    pub fn expressions(&self, node: &Node) -> Vec<ExprAt> {
        self.file.expressions(node)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const WF: &str = r#"name: CI
on:
  pull_request_target:
    types: [opened]
  push:
permissions:
  contents: read
jobs:
  build:
    runs-on: ubuntu-latest
    permissions: write-all
    environment: pypi
    steps:
      - uses: actions/checkout@v4
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - name: Greet
        run: |
          echo "hi"
          echo "${{ github.event.pull_request.title }}"
  call:
    uses: ./.github/workflows/reusable.yml
    secrets: inherit
    needs: build
"#;

    #[test]
    fn workflow_model() {
        let wf = Workflow::parse("ci.yml", WF).unwrap();
        assert_eq!(wf.name.as_deref(), Some("CI"));
        let events: Vec<_> = wf.triggers.iter().map(|t| t.event.as_str()).collect();
        assert_eq!(events, ["pull_request_target", "push"]);
        assert_eq!(wf.triggers[0].span.start_line, 3);
        assert!(wf.trigger("push").unwrap().config.is_none());
        let build = wf.job("build").unwrap();
        assert!(matches!(build.permissions, Some(Permissions::WriteAll(_))));
        assert_eq!(
            wf.permissions.as_ref().unwrap().level("contents"),
            Permission::Read
        );
        assert_eq!(
            build.environment.as_ref().unwrap().name.as_deref(),
            Some("pypi")
        );
        assert_eq!(build.steps.len(), 2);
        assert!(build.steps[0].uses_action("actions/checkout"));
        assert_eq!(build.steps[1].route.to_string(), "jobs.build.steps[1]");
        let run = build.steps[1].run.as_ref().unwrap();
        let exprs = wf.expressions(run);
        assert_eq!(exprs.len(), 1);
        assert_eq!(exprs[0].span.start_line, 20);
        assert_eq!(exprs[0].span.start_column, 17);
        assert_eq!(exprs[0].inner.trim(), "github.event.pull_request.title");
        let call = wf.job("call").unwrap();
        assert!(call.uses.as_ref().unwrap().0.is_reusable_workflow());
        assert_eq!(call.needs, ["build"]);
    }

    #[test]
    fn scalars_with_typed_routes() {
        let wf = Workflow::parse("ci.yml", WF).unwrap();
        let all = wf.file.scalars();
        let find = |r: &str| all.iter().find(|(route, _)| route.to_string() == r);
        let (route, node) = find("jobs.build.steps[1].run").unwrap();
        assert!(node.as_str().unwrap().contains("echo"));
        assert!(matches!(
            route.segments(),
            [Segment::Job(j), Segment::Step { index: 1, name: Some(n), .. }, Segment::Key(k)]
                if j == "build" && n == "Greet" && k == "run"
        ));
        assert!(find("jobs.build.steps[0].with.ref").is_some());
        assert!(find("on.pull_request_target.types[0]").is_some());
        assert_eq!(find("jobs.call.needs").unwrap().1.as_str(), Some("build"));
        let a = Action::parse(
            "action.yml",
            "runs:\n  using: composite\n  steps:\n    - id: x\n      run: echo\n",
        )
        .unwrap();
        let all = a.file.scalars();
        assert!(matches!(
            all.last().map(|(r, _)| r.segments()),
            Some([
                Segment::Key(_),
                Segment::Step { id: Some(_), .. },
                Segment::Key(_)
            ])
        ));
        assert_eq!(all.last().unwrap().0.to_string(), "runs.steps[0].run");
    }

    #[test]
    fn trigger_forms() {
        let wf = Workflow::parse("a.yml", "on: push\njobs: {}\n").unwrap();
        assert_eq!(wf.triggers[0].event, "push");
        let wf = Workflow::parse("a.yml", "on: [push, pull_request]\njobs: {}\n").unwrap();
        assert_eq!(wf.triggers.len(), 2);
        let e = Workflow::parse("a.yml", "- a\n").unwrap_err();
        assert_eq!(e.line, Some(1));
        let e = Workflow::parse("a.yml", "on: push\non: pull\n").unwrap_err();
        assert!(e.message.contains("duplicate key"), "{}", e.message);
    }

    #[test]
    fn composite_action() {
        let a = Action::parse(
            ".github/actions/x/action.yml",
            "name: x\ninputs:\n  who: {}\nruns:\n  using: composite\n  steps:\n    - run: echo ${{ inputs.who }}\n      shell: bash\n",
        )
        .unwrap();
        assert_eq!(a.using.as_deref(), Some("composite"));
        assert_eq!(a.inputs, ["who"]);
        assert_eq!(a.steps[0].route.to_string(), "runs.steps[0]");
        assert_eq!(a.steps[0].shell.as_deref(), Some("bash"));
    }
}
