use garrison_report::{Confidence, Finding, RuleMeta, Severity, Span, declare_rule};
use garrison_workflows::contexts::Control;
use garrison_workflows::{Parent, Step, WorkflowFile};
use garrison_yaml::Node;

use crate::facts::taint::{self, Source};
use crate::facts::{checkout, shell};
use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// `run:` scripts that write attacker-controlled data into the `$GITHUB_ENV` or
    /// `$GITHUB_PATH` files: an `${{ … }}` expression with an attacker-controlled context, or a
    /// shell variable whose `env:` definition is one (or that the script assigns from one:
    /// `message=$(echo "$TITLE" | grep …)`, PowerShell `$dir = $env:TITLE`), on a line
    /// redirected to the file
    /// (`>> $GITHUB_ENV`, `>>"${GITHUB_ENV}"`, `| tee -a $GITHUB_ENV`, PowerShell
    /// `Out-File -FilePath $env:GITHUB_ENV -Append`, `Add-Content $env:GITHUB_ENV`, heredocs and
    /// `{ …; } >> $GITHUB_ENV` groups). In a composite action, an upper-case environment
    /// variable the action neither defines in `env:` nor assigns, and the runner does not set
    /// (`$BAR`, `$env:BAR`, `%BAR%`), comes from the calling job's environment: the caller
    /// chooses it, like `inputs.*` (low). In `workflow_run` workflows it also reports file
    /// contents of a downloaded artifact (`$(cat pr_number)`) written to these files.
    /// Attacker-controlled data written to `$GITHUB_OUTPUT` is not code execution by itself;
    /// `workflow/template-injection` follows it to the `steps.<id>.outputs.<name>` that read it.
    ///
    /// ## Why it matters
    /// Every later step of the job reads `$GITHUB_ENV` as `NAME=value` lines. A value with a
    /// newline adds variables of the attacker's choosing: `LD_PRELOAD`, `BASH_ENV` or
    /// `NODE_OPTIONS=--require=/tmp/x.js` run code in every following step, with the job's
    /// secrets and token, even where the later steps never interpolate anything. A path written
    /// to `$GITHUB_PATH` lets the attacker shadow `git`, `python` or `gh`. Quoting does not help:
    /// the injection happens in the file format, not in the shell.
    ///
    /// ## Example
    /// ```yaml
    /// on: issues
    /// jobs:
    ///   triage:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: echo "TITLE=${{ github.event.issue.title }}" >> "$GITHUB_ENV"
    /// ```
    ///
    /// ## Remediation
    /// Do not move untrusted values through `$GITHUB_ENV`. Set them with `env:` on the steps
    /// that need them (`env: TITLE: ${{ github.event.issue.title }}`), or write them to
    /// `$GITHUB_OUTPUT` and read them through `steps.<id>.outputs` in an `env:` block. If a
    /// value must go through the file, validate it first (for a number: `[[ $PR =~ ^[0-9]+$ ]]`)
    /// or use a random heredoc delimiter.
    pub GithubEnvInjection {
        id: "workflow/github-env-injection",
        summary: "attacker-controlled data written to $GITHUB_ENV or $GITHUB_PATH",
        severity: High,
        help: "set the value with `env:` on the steps that need it instead of writing it to $GITHUB_ENV",
        references: [
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions#understanding-the-risk-of-script-injections",
            "https://securitylab.github.com/resources/github-actions-new-patterns-and-mitigations/",
            "https://securitylab.github.com/resources/github-actions-untrusted-input/",
            "https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

const TARGETS: &[&str] = &["GITHUB_ENV", "GITHUB_PATH"];

fn rating(source: Source) -> Option<(Severity, Confidence)> {
    match source {
        Source::OutsiderPrivileged => Some((Severity::High, Confidence::High)),
        Source::Outsider => Some((Severity::Medium, Confidence::Medium)),
        Source::Committer => Some((Severity::Low, Confidence::Medium)),
        Source::Caller => Some((Severity::Low, Confidence::Low)),
        Source::Computed => None,
    }
}

struct Ctx<'a> {
    file: &'a WorkflowFile,
    triggers: Option<&'a [&'a str]>,
    scopes: [Option<&'a Node>; 3],
    artifact: Option<String>,
}

#[allow(clippy::too_many_arguments)]
fn push(
    cx: &Ctx<'_>,
    step: &Step,
    target: &str,
    span: Span,
    what: String,
    context: &str,
    source: Source,
    control: Control,
    events: &[String],
    out: &mut Vec<Finding>,
) {
    let Some((mut severity, mut confidence)) = rating(source) else {
        return;
    };
    if control == Control::Structured {
        // Branch names and logins cannot hold a newline: no new variables, but a path entry.
        if target == "GITHUB_ENV" {
            return;
        }
        severity = severity.min(Severity::Medium);
        confidence = Confidence::Low;
    }
    let effect = if target == "GITHUB_ENV" {
        "a newline in it sets variables such as LD_PRELOAD or BASH_ENV for every later step"
    } else {
        "it puts a directory of the attacker's choosing on PATH for every later step"
    };
    let mut b = Finding::builder(&GithubEnvInjection::META)
        .message(format!(
            "{what} is written to ${target} in step `{}`; {effect}",
            step.label()
        ))
        .severity(severity)
        .confidence(confidence)
        .location(
            loc(&cx.file.path, span, step.route.then("run"))
                .with_note(format!("attacker-controlled data written to ${target}")),
        )
        .evidence("context", context)
        .evidence("sink", target)
        .key(format!("{target}:{context}"));
    if !events.is_empty() {
        b = b.evidence("triggers", events.to_vec());
    }
    out.push(b.build());
}

fn check_step(cx: &Ctx<'_>, step: &Step, after_download: bool, out: &mut Vec<Finding>) {
    let Some(run) = &step.run else { return };
    let text = cx.file.source.text();
    let raw = run.source(text);
    let base = run.span.start_offset;
    let exprs = cx.file.expressions(run);
    let mut seen: Vec<String> = Vec::new();
    let assigned = taint::script_vars(cx.file, run, &cx.scopes, cx.triggers);
    let assigned_names = taint::assigned_names(raw);
    for (target, first, line_end, end) in shell::file_writes(raw, TARGETS) {
        for e in &exprs {
            let (s, en) = (e.span.start_offset, e.span.end_offset);
            if s < base + first || en > base + end {
                continue;
            }
            let Ok(p) = &e.parsed else { continue };
            let mut found = taint::tainted_contexts(p, cx.triggers);
            for ctx in garrison_expr::flowing_contexts(p) {
                let norm = ctx.normalized();
                if let Some(var) = norm.strip_prefix("env.")
                    && let Some(t) = taint::tainted_env(cx.file, &cx.scopes, var, cx.triggers)
                {
                    for (_, s, c, ev) in t.contexts {
                        found.push((norm.clone(), s, c, ev));
                    }
                }
            }
            for (n, source, control, events) in found {
                if seen.contains(&n) {
                    continue;
                }
                seen.push(n.clone());
                push(
                    cx,
                    step,
                    target,
                    e.span,
                    format!("`{n}`"),
                    &n,
                    source,
                    control,
                    &events,
                    out,
                );
            }
        }
        let data = raw.get(first..end).unwrap_or_default();
        for (name, s, e) in shell::var_refs(data) {
            if TARGETS.contains(&name) {
                continue;
            }
            // A variable the script itself assigned before the write, else one of `env:`.
            let (shown, origins, how) =
                if let Some((n, o)) = assigned.iter().rev().find(|(n, _)| n == name) {
                    (n.clone(), o.clone(), "assigned in the script from")
                } else if let Some(t) = taint::tainted_env(cx.file, &cx.scopes, name, cx.triggers)
                {
                    (t.name, t.contexts, "set from")
                } else if cx.triggers.is_none()
                    && taint::from_caller_env(name, &cx.scopes, &assigned_names)
                {
                    // A composite action reading its caller's environment.
                    let origin = (
                        format!("env.{name}"),
                        Source::Caller,
                        Control::Arbitrary,
                        Vec::new(),
                    );
                    (name.to_string(), vec![origin], "read from the caller's environment as")
                } else {
                    continue;
                };
            let key = format!("env.{}", name.to_ascii_lowercase());
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let Some((ctx, source, control, events)) = origins.iter().min_by_key(|c| (c.1, c.2))
            else {
                continue;
            };
            let span = cx.file.source.span(base + first + s, base + first + e);
            push(
                cx,
                step,
                target,
                span,
                format!("`${shown}` ({how} `{ctx}`)"),
                ctx,
                *source,
                *control,
                events,
                out,
            );
        }
        // Contents of a downloaded artifact from the triggering run.
        let write_line = raw.get(first..line_end).unwrap_or_default();
        if after_download
            && !seen.iter().any(|s| s == "artifact")
            && let Some(i) = ["$(cat ", "$(<", "$(head ", "$(jq ", "`cat "]
                .iter()
                .filter_map(|p| write_line.find(p))
                .min()
        {
            seen.push("artifact".to_string());
            let span = cx.file.source.span(base + first + i, base + line_end);
            let mut b = Finding::builder(&GithubEnvInjection::META)
                .message(format!(
                    "file contents from an artifact of the triggering run are written to ${target} in step `{}`; a newline in the file sets variables for every later step",
                    step.label()
                ))
                .severity(Severity::High)
                .confidence(Confidence::Medium)
                .location(
                    loc(&cx.file.path, span, step.route.then("run"))
                        .with_note("artifact contents are chosen by the pull request"),
                )
                .evidence("sink", target)
                .evidence("triggers", vec!["workflow_run"])
                .help("validate the value before writing it (for a PR number: `[[ $PR =~ ^[0-9]+$ ]]`), or pass it with `env:`/`$GITHUB_OUTPUT` instead of $GITHUB_ENV")
                .key(format!("{target}:artifact"));
            if let Some(a) = &cx.artifact {
                b = b.evidence("artifact", a.clone());
            }
            out.push(b.build());
        }
    }
}

impl Audit for GithubEnvInjection {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn steps(&self, _ws: &Workspace, parent: Parent<'_>, out: &mut Vec<Finding>) {
        let triggers = parent.triggers();
        let workflow_run = parent
            .workflow()
            .is_some_and(|wf| wf.has_trigger("workflow_run"));
        let mut artifact: Option<String> = None;
        for step in parent.steps() {
            let cx = Ctx {
                file: parent.file(),
                triggers: triggers.as_deref(),
                scopes: parent.env_scopes(step),
                artifact: artifact.clone(),
            };
            check_step(&cx, step, workflow_run && artifact.is_some(), out);
            if artifact.is_none() {
                artifact = checkout::artifact_download(step);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        for l in [
            "echo \"X=$Y\" >> $GITHUB_ENV",
            "echo x >>\"${GITHUB_ENV}\"",
            "echo x | tee -a $GITHUB_PATH",
            "\"X=1\" | Out-File -FilePath $env:GITHUB_ENV -Append",
            "Add-Content $env:GITHUB_ENV \"X=1\"",
            "echo X=1>>%GITHUB_ENV%",
        ] {
            assert!(shell::write_target(l, TARGETS).is_some(), "{l}");
        }
        for l in [
            "echo $GITHUB_ENV",
            "cat $GITHUB_ENV",
            "echo x >> $GITHUB_ENVX",
            "echo x >> $GITHUB_OUTPUT",
        ] {
            assert!(shell::write_target(l, TARGETS).is_none(), "{l}");
        }
    }

    #[test]
    fn refs() {
        let v: Vec<_> = shell::var_refs("a $A ${B} $env:C %D% $1 $$")
            .into_iter()
            .map(|x| x.0)
            .collect();
        assert_eq!(v, ["A", "B", "C", "D"]);
    }
}
