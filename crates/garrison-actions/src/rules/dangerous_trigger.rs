use garrison_report::{Confidence, Finding, RuleMeta, Severity, declare_rule};
use garrison_workflows::{Job, Route, Step, Trigger, Uses, Workflow};

use crate::facts::checkout::{self, PrCheckout, PrDerived};
use crate::facts::reach::Reach;
use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Workflows triggered by `pull_request_target` or `workflow_run` (and `issue_comment`
    /// workflows that check out pull-request code), rated by what their jobs do:
    ///
    /// - check out the pull request head (`actions/checkout` with `ref:` set to
    ///   `github.event.pull_request.head.sha`/`.ref`, `github.head_ref`, `refs/pull/N/merge`,
    ///   `github.event.workflow_run.head_sha`/`head_branch`, or `gh pr checkout` /
    ///   `git fetch origin pull/N/head`) and then run anything from it (a `run:` step, a local
    ///   action, a build or test action): a "pwn request", critical when the job holds a write
    ///   token or secrets. The head also counts when it is looked up at run time, the usual
    ///   `issue_comment` ("IssueOps") pattern: `repository:`/`ref:` (or a `git fetch`/`git
    ///   checkout`/`git clone` line) using `${{ env.X }}` or `$X` that an earlier step wrote to
    ///   `$GITHUB_ENV` from the pulls API or `gh pr view` (`jq .head.ref`, `headRefName`) or
    ///   from a pull-request head context, or `${{ steps.X.outputs.Y }}` of
    ///   `xt0rted/pull-request-comment-branch` (and its forks) or of an `actions/github-script`
    ///   step that reads `pulls.get` and returns the head (`base_*` outputs do not count).
    ///   The head also counts when it reaches the checkout through an `env:` mapping of the
    ///   workflow, the job or the step (`PR_REF: ${{ github.event.pull_request.head.sha }}`,
    ///   then `ref: ${{ env.PR_REF }}` or `git checkout $PR_REF`), and when an earlier step
    ///   writes a `refs/pull/<number>/merge` (or `/head`) ref to `$GITHUB_OUTPUT` or
    ///   `$GITHUB_ENV`, when the ref is built with `format()` (`format('refs/pull/{0}/merge',
    ///   github.event.number)`, `format('pull/{0}/head', …)`), and when it is the output of
    ///   an action step whose inputs carry the head (`with: ref: ${{ github.event.
    ///   pull_request.head.ref }}`, then `ref: ${{ steps.<id>.outputs.sha }}`). The finding
    ///   names the step that then builds or runs the code (its first build or test line:
    ///   `npm ci`, `pip install .`, `./mvnw verify`, `make`, `pytest`) as a location, and its
    ///   `chain` evidence lists the links from the trigger to that execution with their lines
    ///   (trigger and privileges, how the head was derived, the checkout, the execution);
    /// - the same inside local reusable workflows (`uses: ./.github/workflows/x.yml`) called by
    ///   the privileged workflow, followed up to 5 levels deep and judged with the caller's
    ///   trigger, permissions and passed secrets;
    /// - download artifacts of the triggering run (`actions/download-artifact` with `run-id`,
    ///   `dawidd6/action-download-artifact`, `github-script` `downloadArtifact`) and then use
    ///   them (artifact poisoning);
    /// - hand the job's write token or secrets to a third-party action (not `actions/*` or
    ///   `github/*`) at a mutable ref (a tag or branch, not a full commit SHA): **high**, high
    ///   confidence, on the trigger line — whoever can move that ref runs code with the token
    ///   and secrets on every pull request from a fork;
    /// - otherwise, report the trigger so that it is reviewed: medium when the job holds
    ///   secrets, the repository's default token (no `permissions:` block) or write access to
    ///   contents, actions, packages, deployments or `id-token`; low when it can only label,
    ///   comment or set statuses (`pull-requests`, `issues`, `checks`, `statuses`,
    ///   `discussions`), as `actions/labeler` needs.
    ///
    /// A job (or a job it `needs:`) gated on a label, on the commenter's `author_association`
    /// (OWNER, MEMBER, COLLABORATOR) or on an allow-list of logins is reported at high severity
    /// and lower confidence: a maintainer must approve, though commits pushed after the approval
    /// run too. A condition on the comment's text alone lets anyone trigger the job.
    ///
    /// ## Why it matters
    /// These triggers run the workflow of the default branch with the base repository's
    /// secrets and a token that can write, even for pull requests from forks. As soon as the
    /// job checks out the fork's code and runs its build, tests, `setup.py` or `conftest.py`,
    /// the fork author runs code with those secrets and that token, and can also poison the
    /// Actions cache of the default branch. `workflow_run` artifacts are produced by the
    /// untrusted pull-request run, so their contents are attacker-controlled too.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///         with:
    ///           ref: ${{ github.event.pull_request.head.sha }}
    ///       - run: pip install . && pytest
    ///         env:
    ///           CODECOV_TOKEN: ${{ secrets.CODECOV_TOKEN }}
    /// ```
    ///
    /// ## Remediation
    /// Build and test pull requests under `pull_request`, which runs fork code without secrets
    /// and with a read-only token. If a privileged step must follow (commenting, labelling,
    /// uploading coverage), split the workflow: the `pull_request` workflow uploads its results
    /// as an artifact, and a `workflow_run` workflow that never executes or trusts the
    /// artifact's contents (treat them as data, validate numbers) performs the privileged
    /// action. Keep `pull_request_target` jobs to fixed actions that never check out the head,
    /// set `permissions:` to the minimum, and add `persist-credentials: false` to checkouts.
    pub DangerousTrigger {
        id: "workflow/dangerous-trigger",
        summary: "privileged trigger (pull_request_target, workflow_run) handling untrusted code",
        severity: High,
        help: "run untrusted code under `pull_request` (no secrets, read-only token); keep privileged workflows free of pull-request code and artifacts",
        references: [
            "https://securitylab.github.com/resources/github-actions-preventing-pwn-requests/",
            "https://securitylab.github.com/resources/github-actions-building-blocks/",
            "https://docs.github.com/en/actions/security-for-github-actions/security-guides/security-hardening-for-github-actions",
            "https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

/// The triggers this audit covers (privileged-chain leaves their callee checkouts to it).
pub(crate) const TRIGGERS: &[&str] = &["pull_request_target", "workflow_run", "issue_comment"];

/// How deep local reusable workflows are followed.
const MAX_DEPTH: usize = 5;

/// How a job of a local reusable workflow is reached from the triggering workflow.
#[derive(Clone)]
struct Call<'a> {
    /// The job of the triggering workflow that calls the (first) reusable workflow.
    caller: &'a Job,
    /// The local path of the reusable workflow holding the judged job.
    path: String,
    /// Route prefix for locations in the callee (`jobs.x -> ./.github/workflows/y.yml: `).
    prefix: Route,
}

/// What one job does under a privileged trigger.
struct Verdict<'a> {
    /// The workflow file holding the job (the triggering one, or a called reusable workflow).
    file: &'a Workflow,
    call: Option<Call<'a>>,
    job: &'a Job,
    severity: Severity,
    confidence: Confidence,
    message: String,
    checkout: Option<(&'a Step, PrCheckout)>,
    exec: Option<(&'a Step, String)>,
    artifact: Option<(&'a Step, String)>,
    /// The mutable third-party action handed the job's token or secrets.
    third_party: Option<&'a Step>,
    reach: Reach,
}

fn step_span(step: &Step) -> garrison_report::Span {
    step.run
        .as_ref()
        .or(step.uses_node.as_ref())
        .map_or(step.node.span, |n| n.span)
}

/// True if an `if:` lets only trusted commenters or authors through: an `author_association`
/// check (OWNER, MEMBER, COLLABORATOR) or an allow-list of logins (`comment.user.login ==`,
/// `contains(fromJSON('[…]'), github.actor)`).
fn trusted_actor_gate(cond: &str) -> bool {
    let c: String = cond
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase()
        .replace('"', "'");
    if c.contains("author_association")
        && ["'owner'", "'member'", "'collaborator'"]
            .iter()
            .any(|r| c.contains(r))
    {
        return true;
    }
    ["user.login", "github.actor", "github.triggering_actor"]
        .iter()
        .any(|t| {
            c.match_indices(t).any(|(i, _)| {
                let after = c.get(i + t.len()..).unwrap_or_default();
                let before = c.get(..i).unwrap_or_default();
                after.starts_with("==")
                    || before.ends_with("==")
                    || (before.contains("contains(")
                        && (before.ends_with(',') || after.starts_with(',')))
            })
        })
}

fn job_gates(wf: &Workflow, job: &Job) -> Vec<String> {
    std::iter::once(job)
        .chain(wf.upstream_jobs(job))
        .filter_map(|j| j.if_cond.as_ref().and_then(garrison_yaml::Node::as_str))
        .map(str::to_string)
        .collect()
}

/// The reach of a job of a called reusable workflow: its own `permissions:` if any (they
/// cannot exceed the caller's), else the caller's; the caller's secrets, and the callee's own
/// secret references when the caller passes any secrets.
fn callee_reach(caller: &Reach, wf: &Workflow, job: &Job) -> Reach {
    let own = Reach::of(wf, job);
    let (writes, default_permissions) = if job.effective_permissions(wf).is_some() {
        (own.writes, false)
    } else {
        (caller.writes.clone(), caller.default_permissions)
    };
    let mut secrets = caller.secrets.clone();
    let passes = !caller.non_token_secrets().is_empty();
    for s in own.secrets {
        if (passes || s == "secrets.github_token") && !secrets.contains(&s) {
            secrets.push(s);
        }
    }
    Reach {
        writes,
        default_permissions,
        secrets,
    }
}

fn judge<'a>(
    wf: &'a Workflow,
    job: &'a Job,
    event: &str,
    reach: Reach,
    gates: &[String],
    call: Option<Call<'a>>,
) -> Option<Verdict<'a>> {
    let mut checkout: Option<(&Step, PrCheckout)> = None;
    let mut exec: Option<(&Step, String, bool)> = None;
    let mut artifact: Option<(&Step, String)> = None;
    let mut artifact_use: Option<&Step> = None;
    let mut known = PrDerived::default();
    // `env:` of the workflow and the job carrying the head (`PR_REF: ${{ github.event.
    // pull_request.head.sha }}`, then `ref: ${{ env.PR_REF }}` or `git checkout $PR_REF`).
    known.observe_env(&wf.file, wf.env.as_ref(), &Route::default(), event);
    known.observe_env(&wf.file, job.env.as_ref(), &job.route, event);
    for step in &job.steps {
        if checkout.is_none() {
            // A step's own `env:` applies to that step only.
            let mut here = known.clone();
            here.observe_env(&wf.file, step.env.as_ref(), &step.route, event);
            if let Some(c) = checkout::pr_checkout_with(step, event, &here) {
                let inline_run = step.run.is_some();
                checkout = Some((step, c));
                if !inline_run {
                    continue;
                }
            } else {
                known.observe(&wf.file, step, event);
            }
        } else if exec.as_ref().is_none_or(|(_, _, sure)| !sure)
            && let Some((what, sure)) = checkout::runs_code(step)
            && (exec.is_none() || sure)
        {
            // Prefer the first step that surely runs the tree (a build, a test run, a script)
            // over an earlier script that may only inspect it.
            exec = Some((step, what, sure));
        }
        if event == "workflow_run" {
            if artifact.is_none() {
                if let Some(a) = checkout::artifact_download(step) {
                    artifact = Some((step, a));
                    continue;
                }
            } else if artifact_use.is_none()
                && (step.run.is_some() || step.uses_action("actions/github-script"))
            {
                artifact_use = Some(step);
            }
        }
    }
    // `gh pr checkout` followed by commands in the same script.
    if let Some((s, c)) = &checkout
        && exec.is_none()
        && s.run.is_some()
        && let Some((what, sure)) = checkout::runs_code(s)
        && sure
    {
        exec = Some((s, what, c.certain));
    }
    // Jobs of called workflows are only reported for what they do with pull-request code.
    if call.is_some() && checkout.is_none() && !(artifact.is_some() && artifact_use.is_some()) {
        return None;
    }
    let trig = event;
    let job_phrase = match &call {
        Some(c) => format!(
            "job `{}` of `./{}` (called by job `{}`)",
            job.id, c.path, c.caller.id
        ),
        None => format!("job `{}`", job.id),
    };
    let mut third_party: Option<&Step> = None;
    // A third-party action at a mutable ref runs with the job's token and secrets: whoever
    // can move that tag or branch (a compromised maintainer account, tj-actions 2025) runs
    // code with them on every fork's pull request.
    let third = (checkout.is_none() && event != "issue_comment" && reach.privileged())
        .then(|| mutable_third_party(job))
        .flatten();
    let (severity, confidence, message) = match (&checkout, &exec) {
        (Some((s, c)), Some((_, what, sure))) => {
            // `if: contains(github.event.pull_request.labels.*.name, 'safe-to-test')`: a
            // maintainer approves each run (still racy: commits pushed after labelling run too).
            let labelled = gates
                .iter()
                .any(|c| c.contains("labels") || c.contains("event.label"));
            // `author_association == 'MEMBER'` / a login allow-list: someone with write access
            // must comment (commits pushed after the comment still run).
            let step_if = s.if_cond.as_ref().and_then(garrison_yaml::Node::as_str);
            let trusted = gates
                .iter()
                .map(String::as_str)
                .chain(step_if)
                .any(trusted_actor_gate);
            let gated = labelled || trusted;
            let severity = if gated {
                Severity::High
            } else if reach.privileged() {
                Severity::Critical
            } else {
                Severity::High
            };
            let confidence = if trusted {
                Confidence::Low
            } else if c.certain && *sure && !gated {
                Confidence::High
            } else {
                Confidence::Medium
            };
            let gate = if labelled {
                " (gated on a label: commits pushed after labelling also run)"
            } else if trusted {
                " (gated on a trusted commenter or author: commits pushed after the approval also run)"
            } else {
                ""
            };
            (
                severity,
                confidence,
                format!(
                    "{trig} workflow checks out the pull request head in {job_phrase} and runs it ({what}) with {}{gate}",
                    reach.describe(),
                ),
            )
        }
        _ if artifact.is_some() && artifact_use.is_some() => (
            Severity::High,
            Confidence::Medium,
            format!(
                "{trig} workflow uses artifacts of the triggering (untrusted) run in {job_phrase} with {}",
                reach.describe()
            ),
        ),
        (Some(_), None) => (
            Severity::Medium,
            Confidence::Medium,
            format!(
                "{trig} workflow checks out the pull request head in {job_phrase} with {}; nothing obviously runs it, but any later build step would",
                reach.describe()
            ),
        ),
        (None, _) if event == "issue_comment" => return None,
        // A third-party action at a mutable ref runs with the job's token and secrets: whoever
        // can move that tag or branch (a compromised maintainer account, tj-actions 2025) runs
        // code with them on every fork's pull request.
        (None, _) if third.is_some() => {
            let name = third.as_ref().map(|(_, n)| n.clone()).unwrap_or_default();
            third_party = third.as_ref().map(|(s, _)| *s);
            (
                Severity::High,
                Confidence::High,
                format!(
                    "{trig} workflow {job_phrase} hands {} to the third-party action `{name}` at a mutable ref, on every pull request from a fork",
                    reach.describe()
                ),
            )
        }
        // Nothing of the pull request is checked out or downloaded and no mutable third-party
        // action runs: what remains is a review reminder, weighed by what a slip would expose.
        // Secrets, the repository default token (possibly write-all) or write access to the
        // code, workflows, packages or OIDC are medium; a token that can only label, comment
        // or set statuses (actions/labeler, failure reports) is low.
        (None, _) if reach.privileged() => (
            if reach.non_token_secrets().is_empty()
                && !reach.default_permissions
                && reach.writes.iter().all(|w| NARROW_WRITES.contains(&w.as_str()))
            {
                Severity::Low
            } else {
                Severity::Medium
            },
            Confidence::Low,
            format!(
                "{trig} workflow {job_phrase} runs with {} while handling pull requests from forks; verify it never runs or trusts pull-request content",
                reach.describe()
            ),
        ),
        (None, _) => (
            Severity::Low,
            Confidence::Low,
            format!(
                "{trig} workflow {job_phrase} runs in the base repository's context (read-only token, no secrets); verify it never runs pull-request content"
            ),
        ),
    };
    Some(Verdict {
        file: wf,
        call,
        job,
        severity,
        confidence,
        message,
        checkout,
        exec: exec.map(|(s, w, _)| (s, w)),
        artifact,
        third_party,
        reach,
    })
}

/// Write scopes that cannot change code, workflows, releases, packages or identities: a job
/// holding only these (labelling, commenting, statuses) exposes little if it goes wrong.
const NARROW_WRITES: &[&str] = &[
    "pull-requests",
    "issues",
    "checks",
    "statuses",
    "discussions",
];

/// The first step of `job` using a third-party action (not `actions/*` or `github/*`) at a
/// ref other than a full commit SHA, with the action as written.
fn mutable_third_party(job: &Job) -> Option<(&Step, String)> {
    job.steps.iter().find_map(|s| {
        let (u, node) = s.uses.as_ref()?;
        (u.is_third_party() && !u.is_sha_pinned() && !u.is_reusable_workflow())
            .then(|| (s, node.as_str().unwrap_or_default().trim().to_string()))
    })
}

/// Judges the jobs of the local reusable workflow `job` calls (and the workflows they call,
/// up to [`MAX_DEPTH`]) in the caller's trigger and reach.
#[allow(clippy::too_many_arguments)]
fn follow<'a>(
    ws: &'a Workspace,
    wf: &'a Workflow,
    job: &'a Job,
    event: &str,
    reach: &Reach,
    gates: &[String],
    call: Option<&Call<'a>>,
    depth: usize,
    visited: &mut Vec<String>,
    out: &mut Vec<Verdict<'a>>,
) {
    let Some((Uses::Local { path }, _)) = &job.uses else {
        return;
    };
    if depth >= MAX_DEPTH || visited.contains(path) {
        return;
    }
    let Some(callee) = ws.local_workflow(path) else {
        return;
    };
    let path = path.trim_start_matches("./").to_string();
    let prefix = call
        .map_or_else(Route::default, |c| c.prefix.clone())
        .join(&job.route)
        .call(&path, &Route::default());
    let mut gates = gates.to_vec();
    gates.extend(job_gates(wf, job));
    visited.push(path.clone());
    for j in &callee.jobs {
        let reach = callee_reach(reach, callee, j);
        let c = Call {
            caller: call.map_or(job, |c| c.caller),
            path: path.clone(),
            prefix: prefix.clone(),
        };
        if j.uses.is_some() {
            follow(
                ws,
                callee,
                j,
                event,
                &reach,
                &gates,
                Some(&c),
                depth + 1,
                visited,
                out,
            );
            continue;
        }
        let mut g = gates.clone();
        g.extend(job_gates(callee, j));
        if let Some(v) = judge(callee, j, event, reach, &g, Some(c)) {
            out.push(v);
        }
    }
    visited.pop();
}

fn report(wf: &Workflow, trigger: &Trigger, v: Verdict<'_>, out: &mut Vec<Finding>) {
    let path = wf.path();
    let at = v.file.path();
    let prefix = v
        .call
        .as_ref()
        .map_or_else(Route::default, |c| c.prefix.clone());
    // The job as a route (`jobs.<id>`), so the fingerprint names it by its content, not its
    // id: renaming the job keeps the finding (garrison_workspace::Workspace::subject).
    let key = match &v.call {
        Some(c) => format!("{}jobs.{}", c.prefix, v.job.id),
        None => format!("jobs.{}", v.job.id),
    };
    let mut b = Finding::builder(&DangerousTrigger::META)
        .message(v.message)
        .severity(v.severity)
        .confidence(v.confidence)
        .location(
            loc(path, trigger.span, Route::path("on").key(&trigger.event))
                .with_note("runs with the base repository's token and secrets"),
        )
        .evidence("trigger", trigger.event.clone())
        .evidence("job", v.job.id.clone())
        .evidence("writes", v.reach.writes.clone())
        .evidence("default_permissions", v.reach.default_permissions)
        .evidence("secrets", v.reach.secrets.clone())
        .key(key);
    if let Some(c) = &v.call {
        let span = c
            .caller
            .uses
            .as_ref()
            .map_or(c.caller.key_span, |(_, n)| n.span);
        b = b
            .location(
                loc(path, span, c.caller.route.then("uses"))
                    .with_note(format!("calls ./{} in this trigger's context", c.path)),
            )
            .evidence("via", c.prefix.join(&v.job.route).to_string());
    }
    if let Some((s, c)) = &v.checkout {
        if let Some(d) = &c.derived {
            let mut l = d.at.clone();
            l.route = l.route.map(|r| format!("{prefix}{r}"));
            b = b.location(l).evidence("derived", d.how.clone());
        }
        b = b
            .location(
                loc(at, c.node.span, prefix.join(&s.route))
                    .with_note("checks out the pull request head"),
            )
            .evidence("checkout", c.what.clone());
    }
    // The chain from the trigger to the execution, in order, for the reader.
    if let (Some((cs, c)), Some((es, what))) = (&v.checkout, &v.exec) {
        let line = |l: &garrison_report::Location| {
            l.span.map_or(String::new(), |s| format!(" (line {})", s.start_line))
        };
        let mut chain = vec![format!(
            "`{}` runs the workflow with {}{}",
            trigger.event,
            v.reach.describe(),
            line(&loc(path, trigger.span, ""))
        )];
        if let Some(d) = &c.derived {
            chain.push(format!("{}{}", d.how, line(&d.at)));
        }
        chain.push(format!(
            "step `{}` checks out `{}`{}",
            cs.label(),
            c.what.trim(),
            line(&loc(at, c.node.span, ""))
        ));
        if !std::ptr::eq(*cs, *es) {
            chain.push(format!(
                "step `{}` runs it: {what}{}",
                es.label(),
                line(&loc(at, step_span(es), ""))
            ));
        } else {
            chain.push(format!("the same step runs it: {what}"));
        }
        b = b.evidence("chain", chain);
    }
    if let Some((s, what)) = &v.exec {
        b = b
            .location(
                loc(at, step_span(s), prefix.join(&s.route))
                    .with_note(format!("runs attacker code with {}", v.reach.describe())),
            )
            .evidence("executes", what.clone());
    }
    if let Some((s, what)) = &v.artifact {
        b = b
            .location(
                loc(at, step_span(s), prefix.join(&s.route))
                    .with_note("downloads artifacts produced by the untrusted run"),
            )
            .evidence("artifact", what.clone());
    }
    if let Some(s) = v.third_party {
        let action = s
            .uses_node
            .as_ref()
            .and_then(|n| n.as_str())
            .unwrap_or_default()
            .trim()
            .to_string();
        b = b
            .location(
                loc(at, step_span(s), prefix.join(&s.route))
                    .with_note(format!("mutable third-party action with {}", v.reach.describe())),
            )
            .evidence("third_party_action", action);
    }
    out.push(b.build());
}

impl Audit for DangerousTrigger {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn workflow(&self, ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
        for trigger in &wf.triggers {
            if !TRIGGERS.contains(&trigger.event.as_str()) {
                continue;
            }
            let event = trigger.event.as_str();
            let mut verdicts: Vec<Verdict<'_>> = Vec::new();
            for j in &wf.jobs {
                if j.uses.is_some() {
                    let mut visited = Vec::new();
                    follow(
                        ws,
                        wf,
                        j,
                        event,
                        &Reach::of(wf, j),
                        &[],
                        None,
                        0,
                        &mut visited,
                        &mut verdicts,
                    );
                } else if !j.steps.is_empty()
                    && let Some(v) = judge(wf, j, event, Reach::of(wf, j), &job_gates(wf, j), None)
                {
                    verdicts.push(v);
                }
            }
            let worst = verdicts.into_iter().max_by(|a, b| {
                (a.severity, a.confidence)
                    .cmp(&(b.severity, b.confidence))
                    // On ties keep the first job in the file.
                    .then(std::cmp::Ordering::Greater)
            });
            if let Some(v) = worst {
                report(wf, trigger, v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::trusted_actor_gate;

    #[test]
    fn gates() {
        assert!(trusted_actor_gate(
            "contains(fromJSON('[\"OWNER\", \"MEMBER\"]'), github.event.comment.author_association)"
        ));
        assert!(trusted_actor_gate(
            "github.event.comment.user.login == 'alice'"
        ));
        assert!(!trusted_actor_gate("github.actor != 'dependabot[bot]'"));
        assert!(!trusted_actor_gate(
            "contains(github.event.comment.body, '/test')"
        ));
    }
}
