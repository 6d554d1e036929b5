use garrison_report::{Finding, declare_rule};
use garrison_workflows::{Job, Route, StepIn, Workflow};
use garrison_yaml::Node;

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Workflows, jobs or steps (of workflow jobs and of composite actions) that set
    /// `ACTIONS_ALLOW_UNSECURE_COMMANDS` to true in `env:`.
    ///
    /// ## Why it matters
    /// The variable re-enables the deprecated `::set-env` and `::add-path` workflow commands,
    /// which any process that writes to the step's output can issue. Text an attacker
    /// controls (a log line, a test name, a pull-request title echoed by a script) can then
    /// set `LD_PRELOAD`, `PATH` or `NODE_OPTIONS` for every later step and run code with the
    /// job's token and secrets (CVE-2020-15228).
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   ACTIONS_ALLOW_UNSECURE_COMMANDS: true
    /// ```
    ///
    /// ## Remediation
    /// Remove the variable and write to the `$GITHUB_ENV` and `$GITHUB_PATH` files instead.
    pub InsecureCommands {
        id: "workflow/insecure-commands",
        summary: "deprecated workflow commands re-enabled with ACTIONS_ALLOW_UNSECURE_COMMANDS",
        severity: High,
        help: "remove ACTIONS_ALLOW_UNSECURE_COMMANDS; write to $GITHUB_ENV / $GITHUB_PATH instead",
        references: [
            "https://github.blog/changelog/2020-10-01-github-actions-deprecating-set-env-and-add-path-commands/",
            "https://github.com/advisories/GHSA-mfwh-5m23-j46w",
        ],
    }
}

fn check(path: &str, env: Option<&Node>, route: &Route, out: &mut Vec<Finding>) {
    let Some((key, value)) = env.and_then(|e| e.entry("ACTIONS_ALLOW_UNSECURE_COMMANDS")) else {
        return;
    };
    let literal_true = value.is_true();
    let dynamic = value.as_str().is_some_and(|s| s.contains("${{"));
    if !literal_true && !dynamic {
        return;
    }
    let f = Finding::builder(&InsecureCommands::META)
        .message(if literal_true {
            "ACTIONS_ALLOW_UNSECURE_COMMANDS is enabled: any output line can set environment variables and PATH"
        } else {
            "ACTIONS_ALLOW_UNSECURE_COMMANDS is set from an expression and may be enabled"
        })
        .confidence(if literal_true {
            garrison_report::Confidence::High
        } else {
            garrison_report::Confidence::Medium
        })
        .location(
            loc(
                path,
                key.span,
                route.then("env").key("ACTIONS_ALLOW_UNSECURE_COMMANDS"),
            )
            .with_note("enables ::set-env and ::add-path"),
        )
        .evidence("value", value.as_str().unwrap_or_default())
        .build();
    out.push(f);
}

impl Audit for InsecureCommands {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn workflow(&self, _ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
        check(wf.path(), wf.env.as_ref(), &Route::default(), out);
    }

    fn job(&self, _ws: &Workspace, wf: &Workflow, job: &Job, out: &mut Vec<Finding>) {
        check(wf.path(), job.env.as_ref(), &job.route, out);
    }

    fn step(&self, _ws: &Workspace, s: StepIn<'_>, out: &mut Vec<Finding>) {
        check(s.path(), s.step.env.as_ref(), &s.step.route, out);
    }
}
