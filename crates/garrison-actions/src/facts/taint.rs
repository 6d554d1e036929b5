//! Who chooses the value of a context interpolated into a script: the trigger tables of the
//! attacker-controlled context families, tainted `env:` variables, and attacker-controlled data
//! written to `$GITHUB_OUTPUT`.

use garrison_expr::SpannedExpr;
use garrison_report::Location;
use garrison_workflows::contexts::{Control, attacker_control};
use garrison_workflows::triggers::{EXTERNAL_TRIGGERS, PRIVILEGED_TRIGGERS};
use garrison_workflows::{Step, WorkflowFile};
use garrison_yaml::Node;

use super::shell::{file_entries, var_refs};

/// Who chooses the value of a context interpolated into a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// An outsider (fork pull request author, issue or comment author) via a privileged
    /// trigger that runs with secrets and a write token.
    OutsiderPrivileged,
    /// An outsider via an unprivileged trigger (`pull_request`: read-only token, no secrets
    /// for forks), or via a reusable workflow whose caller's trigger is unknown.
    Outsider,
    /// A commit author of pushed commits (messages and names of commits merged or pushed).
    Committer,
    /// Whoever calls the workflow or action (`inputs.*`, dispatch inputs, release text):
    /// attacker-controlled only if the caller passes attacker data.
    Caller,
    /// A computed value (`steps.*.outputs.*`, `needs.*.outputs.*`) that may carry attacker data.
    Computed,
}

/// The events that fill each attacker-controlled context family (by normalized prefix).
const POPULATED_BY: &[(&str, &[&str])] = &[
    (
        "github.head_ref",
        &[
            "pull_request",
            "pull_request_target",
            "pull_request_review",
            "pull_request_review_comment",
        ],
    ),
    (
        "github.event.pull_request",
        &[
            "pull_request",
            "pull_request_target",
            "pull_request_review",
            "pull_request_review_comment",
        ],
    ),
    ("github.event.issue", &["issues", "issue_comment"]),
    (
        "github.event.comment",
        &[
            "issue_comment",
            "pull_request_review_comment",
            "commit_comment",
            "discussion_comment",
        ],
    ),
    ("github.event.review", &["pull_request_review"]),
    (
        "github.event.review_comment",
        &["pull_request_review_comment"],
    ),
    (
        "github.event.discussion",
        &["discussion", "discussion_comment"],
    ),
    ("github.event.pages", &["gollum"]),
    ("github.event.workflow_run", &["workflow_run"]),
    ("github.event.check_suite", &["check_suite"]),
    ("github.event.check_run", &["check_run"]),
    (
        "github.event.head",
        &["pull_request", "pull_request_target"],
    ),
];

fn has_prefix(norm: &str, prefix: &str) -> bool {
    norm == prefix
        || norm
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
}

/// Classifies an interpolated context for a workflow with `triggers` (`None` for a composite
/// action, whose caller's trigger is unknown). Returns the source and the events that fill the
/// context (empty for callers/computed values), or `None` when no attacker can choose the value
/// under these triggers.
pub fn classify_context(
    ctx: &garrison_expr::Context,
    triggers: Option<&[&str]>,
) -> Option<(Source, Control, Vec<String>)> {
    let norm = ctx.normalized();
    let root = ctx.root();
    if root == "inputs" {
        return (norm != "inputs").then_some((Source::Caller, Control::Arbitrary, Vec::new()));
    }
    if (root == "steps" || root == "needs") && norm.contains(".outputs.") {
        let external = triggers.is_some_and(|t| t.iter().any(|e| EXTERNAL_TRIGGERS.contains(e)));
        return external.then_some((Source::Computed, Control::Arbitrary, Vec::new()));
    }
    if has_prefix(&norm, "github.event.inputs") || has_prefix(&norm, "github.event.client_payload")
    {
        return Some((Source::Caller, Control::Arbitrary, Vec::new()));
    }
    // Refs and tags are chosen by people with push access, or are `N/merge` for pull requests.
    if norm == "github.ref_name" || norm == "github.event.ref" {
        return None;
    }
    let control = attacker_control(ctx)?;
    if has_prefix(&norm, "github.event.release") {
        return Some((Source::Caller, control, Vec::new()));
    }
    if has_prefix(&norm, "github.event.commits") || has_prefix(&norm, "github.event.head_commit") {
        let pushed = triggers.is_none_or(|t| t.contains(&"push"));
        return pushed.then_some((Source::Committer, control, vec!["push".to_string()]));
    }
    let Some(triggers) = triggers else {
        return Some((Source::Outsider, control, Vec::new()));
    };
    let events: Vec<&str> = POPULATED_BY
        .iter()
        .find(|(p, _)| has_prefix(&norm, p))
        .map(|(_, ev)| {
            ev.iter()
                .copied()
                .filter(|e| triggers.contains(e))
                .collect()
        })
        // `github.event` as a whole (`toJSON(github.event)`): every external trigger fills it.
        .unwrap_or_else(|| {
            triggers
                .iter()
                .copied()
                .filter(|e| EXTERNAL_TRIGGERS.contains(e) && *e != "fork" && *e != "watch")
                .collect()
        });
    if events.iter().any(|e| PRIVILEGED_TRIGGERS.contains(e)) {
        return Some((
            Source::OutsiderPrivileged,
            control,
            events.iter().map(|e| (*e).to_string()).collect(),
        ));
    }
    if !events.is_empty() {
        return Some((
            Source::Outsider,
            control,
            events.iter().map(|e| (*e).to_string()).collect(),
        ));
    }
    // A reusable workflow sees its caller's event.
    if triggers.contains(&"workflow_call") {
        return Some((Source::Outsider, control, vec!["workflow_call".to_string()]));
    }
    None
}

/// The flowing contexts of `expr` as `(normalized name, source, control, events)`, deduplicated.
pub fn tainted_contexts(
    expr: &SpannedExpr,
    triggers: Option<&[&str]>,
) -> Vec<(String, Source, Control, Vec<String>)> {
    let mut out: Vec<(String, Source, Control, Vec<String>)> = Vec::new();
    for ctx in garrison_expr::flowing_contexts(expr) {
        if let Some((s, c, ev)) = classify_context(ctx, triggers) {
            let n = ctx.normalized();
            if !out.iter().any(|(m, ..)| *m == n) {
                out.push((n, s, c, ev));
            }
        }
    }
    out
}

/// An environment variable defined (in the nearest of `scopes`: step, job, workflow `env:`)
/// with a value that interpolates attacker-controlled contexts.
#[derive(Debug, Clone)]
pub struct TaintedEnv {
    /// The variable name as written.
    pub name: String,
    /// The definition's value node.
    pub value: Node,
    /// The tainted contexts of the value (normalized, source, control, events).
    pub contexts: Vec<(String, Source, Control, Vec<String>)>,
}

/// Looks `name` up (case-insensitively, as the `env` context does) in `scopes`, nearest first,
/// and returns it if its value carries attacker-controlled contexts.
pub fn tainted_env(
    file: &garrison_workflows::WorkflowFile,
    scopes: &[Option<&Node>],
    name: &str,
    triggers: Option<&[&str]>,
) -> Option<TaintedEnv> {
    let (key, value) = scopes.iter().flatten().find_map(|env| {
        env.as_map()?
            .iter()
            .find(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
            .map(|(k, v)| (k, v))
    })?;
    let mut contexts: Vec<(String, Source, Control, Vec<String>)> = Vec::new();
    for e in file.expressions(value) {
        if let Ok(p) = &e.parsed {
            for t in tainted_contexts(p, triggers) {
                // One level only: an env var defined from another env var is not followed.
                if !contexts.iter().any(|c| c.0 == t.0) {
                    contexts.push(t);
                }
            }
        }
    }
    if contexts.is_empty() {
        return None;
    }
    Some(TaintedEnv {
        name: key.as_str().unwrap_or(name).to_string(),
        value: value.clone(),
        contexts,
    })
}

/// Attacker-controlled data a step writes to `$GITHUB_OUTPUT` as `name=…` (or a `name<<EOF`
/// multi-line value): later steps read it back as `steps.<id>.outputs.<name>`.
#[derive(Debug, Clone)]
pub struct TaintedOutput {
    /// The writing step's `id`, lowercased.
    pub step: String,
    /// The output name, lowercased.
    pub name: String,
    /// The original attacker-controlled context.
    pub origin: String,
    /// Its source, control and the events that fill it.
    pub source: Source,
    /// How much of the value the attacker chooses.
    pub control: Control,
    /// The events that fill the origin.
    pub events: Vec<String>,
    /// Where the value is written.
    pub at: Location,
}

/// The outputs `step` (which must have an `id`) writes to `$GITHUB_OUTPUT` from
/// attacker-controlled data: a `${{ }}` context, `${{ env.X }}` or `$X` where `X` is defined
/// (in `scopes`: step, job, workflow `env:`) from one.
pub fn tainted_outputs(
    file: &WorkflowFile,
    step: &Step,
    scopes: &[Option<&Node>],
    triggers: Option<&[&str]>,
) -> Vec<TaintedOutput> {
    let mut out: Vec<TaintedOutput> = Vec::new();
    let (Some(id), Some(run)) = (step.id.as_deref(), step.run.as_ref()) else {
        return out;
    };
    let text = file.source.text();
    let raw = run.source(text);
    let base = run.span.start_offset;
    let exprs = file.expressions(run);
    for (name, s, e) in file_entries(raw, "GITHUB_OUTPUT") {
        let mut found: Vec<(String, Source, Control, Vec<String>)> = Vec::new();
        for x in &exprs {
            if x.span.start_offset < base + s || x.span.end_offset > base + e {
                continue;
            }
            let Ok(p) = &x.parsed else { continue };
            found.extend(tainted_contexts(p, triggers));
            for ctx in garrison_expr::flowing_contexts(p) {
                if let Some(var) = ctx.normalized().strip_prefix("env.")
                    && let Some(t) = tainted_env(file, scopes, var, triggers)
                {
                    found.extend(t.contexts);
                }
            }
        }
        for (var, ..) in var_refs(raw.get(s..e).unwrap_or_default()) {
            if let Some(t) = tainted_env(file, scopes, var, triggers) {
                found.extend(t.contexts);
            }
        }
        let Some((origin, source, control, events)) = found
            .into_iter()
            .filter(|f| f.1 != Source::Computed)
            .min_by(|a, b| (a.1, a.2).cmp(&(b.1, b.2)))
        else {
            continue;
        };
        out.push(TaintedOutput {
            step: id.to_ascii_lowercase(),
            name: name.to_ascii_lowercase(),
            origin,
            source,
            control,
            events,
            at: crate::loc(
                &file.path,
                file.source.span(base + s, base + e),
                step.route.then("run"),
            )
            .with_note("tainted output written here"),
        });
    }
    out
}

/// Where an attacker-controlled value comes from: context, source, control, events.
pub type Origin = (String, Source, Control, Vec<String>);

/// Shell variables that `run` (a `run:` script) assigns from attacker-controlled data, in
/// script order: `message=$(echo "$TITLE" | grep …)` where `TITLE` is defined from one in
/// `env:` (`scopes`), `export T="${{ github.event.issue.title }}"`, PowerShell
/// `$t = $env:TITLE`, and assignments from variables assigned so earlier. Returns each
/// variable's name with the origins of its value.
pub fn script_vars(
    file: &WorkflowFile,
    run: &Node,
    scopes: &[Option<&Node>],
    triggers: Option<&[&str]>,
) -> Vec<(String, Vec<Origin>)> {
    let mut vars: Vec<(String, Vec<Origin>)> = Vec::new();
    let text = file.source.text();
    let raw = run.source(text);
    let base = run.span.start_offset;
    let exprs = file.expressions(run);
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some((name, rhs_at)) = assignment(line) else {
            continue;
        };
        let rhs = line.get(rhs_at..).unwrap_or_default();
        let mut found: Vec<Origin> = Vec::new();
        for x in &exprs {
            if x.span.start_offset < base + start + rhs_at || x.span.end_offset > base + offset {
                continue;
            }
            let Ok(p) = &x.parsed else { continue };
            found.extend(tainted_contexts(p, triggers));
        }
        for (var, ..) in var_refs(rhs) {
            if var.eq_ignore_ascii_case(name) {
                continue;
            }
            if let Some((_, o)) = vars.iter().find(|(n, _)| n == var) {
                found.extend(o.iter().cloned());
            } else if let Some(t) = tainted_env(file, scopes, var, triggers) {
                found.extend(t.contexts);
            }
        }
        found.retain(|f| f.1 != Source::Computed);
        vars.retain(|(n, _)| n != name);
        if !found.is_empty() {
            vars.push((name.to_string(), found));
        }
    }
    vars
}

/// A variable assignment at the start of a script line: the name and where the value starts
/// (`NAME=…`, `export|local|declare|readonly NAME=…`, PowerShell `$NAME = …`).
fn assignment(line: &str) -> Option<(&str, usize)> {
    let trimmed = line.trim_start();
    let mut at = line.len() - trimmed.len();
    let mut rest = trimmed;
    for kw in ["export ", "local ", "declare ", "readonly ", "typeset "] {
        if let Some(r) = rest.strip_prefix(kw) {
            let r2 = r.trim_start();
            at += rest.len() - r2.len();
            rest = r2;
            break;
        }
    }
    let pwsh = rest.starts_with('$');
    if pwsh {
        rest = rest.get(1..)?;
        at += 1;
    }
    let len = rest
        .bytes()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == b'_')
        .count();
    let name = rest.get(..len)?;
    if name.is_empty() || name.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let after = rest.get(len..)?;
    let value = if pwsh {
        let a = after.trim_start();
        let v = a.strip_prefix('=')?;
        if v.starts_with('=') {
            return None;
        }
        at + len + (after.len() - a.len()) + 1
    } else {
        after.strip_prefix('=')?;
        at + len + 1
    };
    Some((name, value))
}

/// True if `name` is defined in one of the `env:` mappings `scopes`.
pub fn env_defined(scopes: &[Option<&Node>], name: &str) -> bool {
    scopes.iter().flatten().any(|env| {
        env.as_map().is_some_and(|m| {
            m.iter()
                .any(|(k, _)| k.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        })
    })
}

/// The names a `run:` script assigns (`NAME=…`, `export NAME=…`, `$name = …`, `for NAME in`,
/// `read NAME`), whatever the value.
pub fn assigned_names(raw: &str) -> Vec<&str> {
    let mut v = Vec::new();
    for line in raw.lines() {
        if let Some((name, _)) = assignment(line) {
            v.push(name);
        }
        let words: Vec<&str> = line.split_whitespace().collect();
        for w in words.windows(2) {
            if let [kw, name] = w
                && matches!(*kw, "for" | "read" | "-r")
            {
                v.push(name.trim_end_matches(';'));
            }
        }
    }
    v
}

/// An environment variable a composite action's script reads without defining it (not in
/// `env:`, not assigned by the script, not one the runner sets): its value comes from the
/// environment of the job that calls the action, so the caller chooses it, like `inputs.*`.
/// Only upper-case names count (shell locals are usually lower-case).
pub fn from_caller_env(name: &str, scopes: &[Option<&Node>], assigned: &[&str]) -> bool {
    const RUNNER: &[&str] = &[
        "HOME",
        "PATH",
        "PWD",
        "OLDPWD",
        "USER",
        "SHELL",
        "TEMP",
        "TMP",
        "TMPDIR",
        "CI",
        "IFS",
        "RANDOM",
        "LANG",
        "LC_ALL",
        "HOSTNAME",
        "TERM",
        "UID",
        "EUID",
        "PPID",
        "SECONDS",
        "LINENO",
        "BASH_SOURCE",
        "OSTYPE",
        "APPDATA",
        "LOCALAPPDATA",
        "USERPROFILE",
        "PROGRAMFILES",
        "SYSTEMROOT",
        "WINDIR",
        "COMSPEC",
        "PATHEXT",
    ];
    let upper = name
        .bytes()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_');
    upper
        && name.bytes().any(|c| c.is_ascii_uppercase())
        && !RUNNER.contains(&name)
        && !["GITHUB_", "RUNNER_", "ACTIONS_", "INPUT_", "STATE_"]
            .iter()
            .any(|p| name.starts_with(p))
        && !env_defined(scopes, name)
        && !assigned.iter().any(|a| a.eq_ignore_ascii_case(name))
}
