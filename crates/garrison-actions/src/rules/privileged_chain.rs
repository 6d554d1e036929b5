use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity, Span, declare_rule};
use garrison_workflows::triggers;
use garrison_workflows::{Job, Route, Step, Uses, Workflow, WorkflowFile};
use garrison_yaml::Node;

use crate::facts::checkout;
use crate::facts::reach::Reach;
use crate::facts::taint::{self, Source};
use crate::rules::template_injection::sinks;
use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Jobs of workflows with a privileged trigger (`pull_request_target`, `workflow_run`,
    /// `issue_comment`, `issues`, `discussion*`, `pull_request_review*`) that hand their
    /// privileges to code the workflow file does not show:
    ///
    /// - a third-party action or reusable workflow at a mutable ref (a tag or branch, not a
    ///   40-hex commit SHA): whoever controls that ref runs code with the job's token and
    ///   secrets;
    /// - attacker-controlled values passed through `with:` into an action or reusable workflow;
    /// - local composite actions (`uses: ./.github/actions/x`) and local reusable workflows
    ///   (`uses: ./.github/workflows/y.yml`), followed recursively (up to 5 levels) and audited
    ///   in the caller's trigger and permission context: `${{ inputs.X }}` in a `run:` where the
    ///   caller passed attacker data as `X`, attacker-controlled contexts used directly, a
    ///   checkout of the pull-request head, and mutable third-party refs inside the callee
    ///   (checkouts inside reusable workflows called under `pull_request_target`,
    ///   `workflow_run` or `issue_comment` are reported by `workflow/dangerous-trigger`).
    ///
    /// ## Why it matters
    /// Per-file audits see a composite action's `run: echo ${{ inputs.title }}` as harmless (who
    /// knows what the caller passes?) and the caller's `with: title: ${{ github.event.issue.title }}`
    /// as harmless (it is not a script). Together, under `issues`, they are a script injection
    /// with the repository's secrets. Likewise a tag-pinned action is a minor hygiene issue in a
    /// `push` workflow but a direct path to the write token in a `pull_request_target` job.
    ///
    /// ## Example
    /// ```yaml
    /// # .github/workflows/triage.yml
    /// on: issues
    /// jobs:
    ///   triage:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - uses: ./.github/actions/label
    ///         with:
    ///           title: ${{ github.event.issue.title }}
    /// # .github/actions/label/action.yml
    /// runs:
    ///   using: composite
    ///   steps:
    ///     - run: ./label.sh "${{ inputs.title }}"
    ///       shell: bash
    /// ```
    ///
    /// ## Remediation
    /// Inside actions and reusable workflows, read inputs through the environment
    /// (`env: TITLE: ${{ inputs.title }}` then `"$TITLE"`), never by interpolation. Pin every
    /// third-party action and reusable workflow used by privileged workflows to a full commit
    /// SHA (with a version comment, kept current by Dependabot). Give privileged jobs the
    /// narrowest `permissions:` and pass only the secrets a callee needs instead of
    /// `secrets: inherit`.
    pub PrivilegedChain {
        id: "workflow/privileged-chain",
        summary: "privileged workflow hands its token or secrets to mutable or attacker-fed code",
        severity: High,
        help: "pin third-party actions to a commit SHA and read inputs through env: inside actions and reusable workflows",
        references: [
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
            "https://securitylab.github.com/resources/github-actions-untrusted-input/",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#using-third-party-actions",
            "https://blog.yossarian.net/2024/12/06/zizmor-ultralytics-injection",
            "https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

const MAX_DEPTH: usize = 5;

/// An input of a callee that carries attacker-controlled data.
#[derive(Clone)]
struct Tainted {
    /// Input name, lowercased.
    input: String,
    /// The original attacker-controlled context.
    origin: String,
    /// Where the caller passes it.
    at: Location,
}

/// The caller's context while walking into callees.
struct Walk<'a> {
    ws: &'a Workspace,
    wf: &'a Workflow,
    triggers: Vec<&'a str>,
    event: &'a str,
    reach: Reach,
    out: &'a mut Vec<Finding>,
}

impl Walk<'_> {
    fn in_reach(&self) -> bool {
        self.reach.privileged()
    }

    fn base(
        &self,
        message: String,
        severity: Severity,
        confidence: Confidence,
    ) -> garrison_report::FindingBuilder {
        Finding::builder(&PrivilegedChain::META)
            .message(message)
            .severity(severity)
            .confidence(confidence)
            .evidence("triggers", triggers::privileged_triggers(self.wf))
            .evidence("workflow", self.wf.path())
            .evidence("reach", self.reach.describe())
    }

    /// Attacker-controlled values in a `with:` mapping: (input, origin context, span).
    fn tainted_with(
        &self,
        file: &WorkflowFile,
        with: Option<&Node>,
        taint: &[Tainted],
    ) -> Vec<(String, String, Span)> {
        let mut v = Vec::new();
        let Some(map) = with.and_then(Node::as_map) else {
            return v;
        };
        for (k, val) in map {
            let Some(key) = k.as_str() else { continue };
            for e in file.expressions(val) {
                let Ok(p) = &e.parsed else { continue };
                for ctx in garrison_expr::flowing_contexts(p) {
                    let norm = ctx.normalized();
                    let origin = if let Some(i) = norm.strip_prefix("inputs.") {
                        taint
                            .iter()
                            .find(|t| t.input == i)
                            .map(|t| t.origin.clone())
                    } else {
                        taint::classify_context(ctx, Some(&self.triggers))
                            .filter(|(s, ..)| *s == Source::OutsiderPrivileged)
                            .map(|_| norm.clone())
                    };
                    if let Some(o) = origin
                        && !v
                            .iter()
                            .any(|(kk, _, _): &(String, String, Span)| kk == key)
                    {
                        v.push((key.to_ascii_lowercase(), o, e.span));
                    }
                }
            }
        }
        v
    }

    fn mutable_ref(&mut self, path: &str, node: &Node, uses: &Uses, route: Route) {
        if !uses.is_third_party() || uses.is_sha_pinned() {
            return;
        }
        let name = uses.action_name().unwrap_or_default();
        let r = uses.git_ref().unwrap_or("(none)").to_string();
        let (severity, confidence) = if self.in_reach() {
            (Severity::High, Confidence::Medium)
        } else {
            (Severity::Medium, Confidence::Medium)
        };
        let f = self
            .base(
                format!(
                    "`{name}@{r}` runs in a privileged {} job with {}; whoever can move the ref `{r}` runs code with them",
                    self.event,
                    self.reach.describe()
                ),
                severity,
                confidence,
            )
            .location(loc(path, node.span, route).with_note("mutable ref in a privileged job"))
            .evidence("action", name.clone())
            .evidence("ref", r)
            .help(format!(
                "pin `{name}` to a full commit SHA (`{name}@<sha> # <version>`) and let Dependabot update it"
            ))
            .key(name)
            .build();
        self.out.push(f);
    }

    fn step(
        &mut self,
        file: &WorkflowFile,
        step: &Step,
        prefix: &Route,
        taint: &[Tainted],
        depth: usize,
        visited: &mut Vec<String>,
    ) {
        let route = prefix.join(&step.route);
        // Sinks and checkouts inside callees (the caller's own file is covered by
        // template-injection and dangerous-trigger).
        if depth > 0 {
            for sink in sinks(step) {
                for e in file.expressions(sink.node) {
                    let Ok(p) = &e.parsed else { continue };
                    for ctx in garrison_expr::flowing_contexts(p) {
                        let norm = ctx.normalized();
                        let hit = if let Some(i) = norm.strip_prefix("inputs.") {
                            taint
                                .iter()
                                .find(|t| t.input == i)
                                .map(|t| (t.origin.clone(), Some(t.at.clone())))
                        } else {
                            taint::classify_context(ctx, Some(&self.triggers))
                                .filter(|(s, ..)| *s == Source::OutsiderPrivileged)
                                .map(|_| (norm.clone(), None))
                        };
                        let Some((origin, at)) = hit else { continue };
                        let severity = if self.in_reach() {
                            Severity::Critical
                        } else {
                            Severity::High
                        };
                        let mut b = self
                            .base(
                                format!(
                                    "`{norm}` in a {} script of `{}` carries attacker-controlled `{origin}` from the {} trigger",
                                    sink.sink, file.path, self.event
                                ),
                                severity,
                                Confidence::High,
                            )
                            .location(
                                loc(&file.path, e.span, route.then(&sink.suffix))
                                    .with_note(format!("{origin} becomes part of the script")),
                            )
                            .evidence("context", norm.clone())
                            .evidence("origin", origin.clone())
                            .evidence("sink", sink.sink)
                            .help(format!(
                                "in `{}`, pass the value through the environment (`env: VALUE: ${{{{ {norm} }}}}`) and use \"$VALUE\"",
                                file.path
                            ))
                            .key(format!("{route}:{norm}"));
                        if let Some(at) = at {
                            b = b.location(at.with_note("attacker-controlled value passed here"));
                        }
                        self.out.push(b.build());
                    }
                }
            }
            // Checkouts in called reusable workflows under the triggers dangerous-trigger
            // follows are reported there, with the run that follows them.
            let covered = self.ws.local_workflow(&file.path).is_some()
                && self
                    .triggers
                    .iter()
                    .any(|t| crate::rules::dangerous_trigger::TRIGGERS.contains(t));
            if !covered && let Some(c) = checkout::pr_checkout(step, self.event) {
                let f = self
                    .base(
                        format!(
                            "`{}` checks out the pull request head inside a privileged {} job with {}",
                            file.path,
                            self.event,
                            self.reach.describe()
                        ),
                        if self.in_reach() { Severity::Critical } else { Severity::High },
                        Confidence::Medium,
                    )
                    .location(
                        loc(&file.path, c.node.span, route.clone())
                            .with_note("checks out the pull request head"),
                    )
                    .evidence("checkout", c.what)
                    .key(format!("{route}:checkout"))
                    .build();
                self.out.push(f);
            }
        }
        let Some((uses, node)) = &step.uses else {
            return;
        };
        match uses {
            Uses::Repository { .. } => {
                self.mutable_ref(&file.path, node, uses, route.then("uses"));
                if step.uses_action("actions/github-script") {
                    return;
                }
                for (input, origin, span) in self.tainted_with(file, step.with.as_ref(), taint) {
                    let name = uses.action_name().unwrap_or_default();
                    let f = self
                        .base(
                            format!(
                                "attacker-controlled `{origin}` is passed as input `{input}` to `{name}` in a privileged {} job",
                                self.event
                            ),
                            Severity::Medium,
                            Confidence::Low,
                        )
                        .location(
                            loc(&file.path, span, route.then("with").key(&input))
                                .with_note("attacker-controlled input"),
                        )
                        .evidence("action", name)
                        .evidence("input", input.clone())
                        .evidence("origin", origin)
                        .help("check that the action treats this input as data (never as code, a path or a ref), or pass a validated value")
                        .key(format!("{route}:{input}"))
                        .build();
                    self.out.push(f);
                }
            }
            Uses::Local { path } => {
                if depth >= MAX_DEPTH || visited.contains(path) {
                    return;
                }
                let Some(action) = self.ws.local_action(path) else {
                    return;
                };
                let inner = self.pass(file, step.with.as_ref(), taint, &route);
                visited.push(path.clone());
                let prefix = route.call(path, &Route::default());
                for s in &action.steps {
                    self.step(&action.file, s, &prefix, &inner, depth + 1, visited);
                }
                visited.pop();
            }
            Uses::Docker { .. } => {}
        }
    }

    /// The taint of a callee's inputs, given the caller's `with:`.
    fn pass(
        &self,
        file: &WorkflowFile,
        with: Option<&Node>,
        taint: &[Tainted],
        route: &Route,
    ) -> Vec<Tainted> {
        self.tainted_with(file, with, taint)
            .into_iter()
            .map(|(input, origin, span)| {
                let at = taint
                    .iter()
                    .find(|t| t.origin == origin)
                    .map(|t| t.at.clone())
                    .unwrap_or_else(|| loc(&file.path, span, route.then("with").key(&input)));
                Tainted { input, origin, at }
            })
            .collect()
    }

    fn job(
        &mut self,
        file: &WorkflowFile,
        job: &Job,
        prefix: &Route,
        taint: &[Tainted],
        depth: usize,
        visited: &mut Vec<String>,
    ) {
        let route = prefix.join(&job.route);
        if let Some((uses, node)) = &job.uses {
            match uses {
                Uses::Repository { .. } => {
                    self.mutable_ref(&file.path, node, uses, route.then("uses"));
                }
                Uses::Local { path } => {
                    if depth >= MAX_DEPTH || visited.contains(path) {
                        return;
                    }
                    let Some(callee) = self.ws.local_workflow(path) else {
                        return;
                    };
                    let inner = self.pass(file, job.with.as_ref(), taint, &route);
                    visited.push(path.clone());
                    let prefix = route.call(path, &Route::default());
                    for j in &callee.jobs {
                        self.job(&callee.file, j, &prefix, &inner, depth + 1, visited);
                    }
                    visited.pop();
                }
                Uses::Docker { .. } => {}
            }
        }
        for s in &job.steps {
            self.step(file, s, prefix, taint, depth, visited);
        }
    }
}

impl Audit for PrivilegedChain {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn workflow(&self, ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
        let privileged = triggers::privileged_triggers(wf);
        let Some(first) = privileged.first() else {
            return;
        };
        let event = if privileged.contains(&"pull_request_target") {
            "pull_request_target"
        } else {
            first
        };
        for job in &wf.jobs {
            let mut walk = Walk {
                ws,
                wf,
                triggers: triggers::trigger_names(wf),
                event,
                reach: Reach::of(wf, job),
                out,
            };
            let mut visited = Vec::new();
            walk.job(&wf.file, job, &Route::default(), &[], 0, &mut visited);
        }
    }
}
