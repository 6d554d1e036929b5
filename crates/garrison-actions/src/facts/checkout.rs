//! Steps that check out or run pull-request code, and values earlier steps of a job derived
//! from the pull request under review.

use garrison_report::Location;
use garrison_workflows::{Step, WorkflowFile};
use garrison_yaml::Node;

use super::shell::{file_entries, is_ident, var_refs};

/// Contexts that name the head of a pull request (its branch, commit, merge ref or repository).
const PR_HEAD_MARKERS: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.head.repo",
    "github.event.pull_request.merge_commit_sha",
    "github.head_ref",
    "github.event.workflow_run.head_sha",
    "github.event.workflow_run.head_branch",
    "github.event.workflow_run.head_commit.id",
    "github.event.workflow_run.head_repository",
    "github.event.workflow_run.pull_requests",
    "refs/pull/",
];

/// How a step checks out pull-request code.
#[derive(Debug, Clone)]
pub struct PrCheckout {
    /// What gave it away (the `ref:` text or the command).
    pub what: String,
    /// The node to point at (`ref:` value or `run:`).
    pub node: Node,
    /// False when the ref comes from a step output and only probably names the PR head.
    pub certain: bool,
    /// The earlier step that looked the pull request's head up, when the ref or repository is
    /// a value derived at run time (`${{ env.BRANCH }}`, `${{ steps.pr.outputs.head_ref }}`).
    pub derived: Option<Derived>,
}

/// If `step` checks out the head of a pull request (or the head of the triggering run),
/// how, under `event`. `issue_comment` and `workflow_run` workflows usually look the ref up in
/// a previous step, so there a `ref:` from `steps.*.outputs.*` counts with lower certainty.
pub fn pr_checkout(step: &Step, event: &str) -> Option<PrCheckout> {
    pr_checkout_with(step, event, &PrDerived::default())
}

/// [`pr_checkout`], also recognising refs and repositories that earlier steps of the job
/// derived from the pull request (`known`, see [`PrDerived::observe`]).
pub fn pr_checkout_with(step: &Step, event: &str, known: &PrDerived) -> Option<PrCheckout> {
    let loose = event != "pull_request_target";
    if step.uses_action("actions/checkout") {
        let inputs: Vec<&Node> = ["ref", "repository"]
            .iter()
            .filter_map(|k| step.input(k))
            .collect();
        for r in &inputs {
            let text = r.as_str().unwrap_or_default();
            let lower = text.to_ascii_lowercase().replace(' ', "");
            if PR_HEAD_MARKERS
                .iter()
                .any(|m| marker_relevant(m, event) && lower.contains(m))
                || (lower.contains("${{") && names_pr_ref(text))
            {
                return Some(PrCheckout {
                    what: text.to_string(),
                    node: (*r).clone(),
                    certain: true,
                    derived: None,
                });
            }
            if let Some(d) = known.used_in(text) {
                return Some(PrCheckout {
                    what: text.to_string(),
                    node: (*r).clone(),
                    certain: true,
                    derived: Some(d.clone()),
                });
            }
        }
        let r = step.input("ref")?;
        let text = r.as_str().unwrap_or_default();
        let lower = text.to_ascii_lowercase().replace(' ', "");
        // `steps.pr.outputs.base_ref`: the base branch, not the head.
        let base = lower.split(".outputs.").skip(1).any(|o| {
            o.split(['}', ' ', '|', '&', ')'])
                .next()
                .is_some_and(|n| n.contains("base"))
        });
        if loose
            && !base
            && (lower.contains("steps.") || lower.contains("needs."))
            && lower.contains("${{")
        {
            return Some(PrCheckout {
                what: text.to_string(),
                node: r.clone(),
                certain: false,
                derived: None,
            });
        }
        return None;
    }
    let run = step.run.as_ref()?;
    let script = run.as_str()?;
    for line in script.lines() {
        let l = line.trim();
        if l.starts_with('#') {
            continue;
        }
        let fetch_pr = l.contains("git fetch") && (l.contains("pull/") || l.contains("refs/pull"));
        if l.contains("gh pr checkout") || l.contains("hub pr checkout") || fetch_pr {
            return Some(PrCheckout {
                what: l.to_string(),
                node: run.clone(),
                certain: true,
                derived: None,
            });
        }
        let git = [
            "git fetch",
            "git checkout",
            "git switch",
            "git clone",
            "git pull",
        ]
        .iter()
        .any(|g| l.contains(g));
        if git && let Some(d) = known.used_in(l) {
            return Some(PrCheckout {
                what: l.to_string(),
                node: run.clone(),
                certain: true,
                derived: Some(d.clone()),
            });
        }
    }
    None
}

/// Actions that build or run the code of the checked-out tree.
pub const CODE_RUNNING_ACTIONS: &[&str] = &[
    "pre-commit/action",
    "pypa/cibuildwheel",
    "pypa/build",
    "github/codeql-action/autobuild",
    "docker/build-push-action",
    "py-actions/py-dependency-install",
    "prefix-dev/setup-pixi",
    "mamba-org/setup-micromamba",
    "conda-incubator/setup-miniconda",
    "tox-dev/action-tox",
    "wntrblm/nox",
    "excitedleigh/setup-nox",
    "ts-graphviz/setup-graphviz",
];

/// Words in a script that run code of the working tree (build tools, test runners, scripts).
const BUILD_WORDS: &[&str] = &[
    "pip install",
    "pip3 install",
    "python ",
    "python3 ",
    "pytest",
    "tox",
    "nox",
    "make",
    "npm ",
    "yarn",
    "pnpm",
    "cargo ",
    "cmake",
    "meson",
    "./",
    "bash ",
    "sh ",
    "uv ",
    "pixi ",
    "conda ",
    "mamba ",
    "hatch ",
    "poetry ",
    "pdm ",
    "pre-commit",
    "prek",
    "sphinx",
    "asv ",
    "mkdocs",
    "jupyter",
    "go ",
    "mvn ",
    "gradle",
    "source ",
];

/// If `step` runs code from the checked-out tree, a short description and how sure that is.
pub fn runs_code(step: &Step) -> Option<(String, bool)> {
    if let Some((garrison_workflows::Uses::Local { path }, _)) = &step.uses {
        return Some((format!("local action ./{path}"), true));
    }
    if let Some(a) = CODE_RUNNING_ACTIONS.iter().find(|a| step.uses_action(a)) {
        return Some((format!("action {a}"), true));
    }
    let script = step.run.as_ref()?.as_str()?;
    let code: Vec<&str> = script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    if code.is_empty() {
        return None;
    }
    // The first line that builds or runs the tree names what runs (`npm ci`, `./mvnw verify`).
    let build = code.iter().find(|l| {
        BUILD_WORDS
            .iter()
            .any(|w| l.starts_with(w) || l.contains(&format!(" {w}")))
    });
    Some(match build {
        Some(line) => {
            let shown: String = line.chars().take(80).collect();
            let more = if shown.len() < line.len() { "…" } else { "" };
            (format!("`{shown}{more}`"), true)
        }
        None => ("a run: script".to_string(), false),
    })
}

/// If `step` downloads artifacts of another workflow run (the triggering run of a
/// `workflow_run` workflow), a short description.
pub fn artifact_download(step: &Step) -> Option<String> {
    if step.uses_action("dawidd6/action-download-artifact") {
        return Some("dawidd6/action-download-artifact".to_string());
    }
    if step.uses_action("actions/download-artifact")
        && (step.input("run-id").is_some() || step.input("github-token").is_some())
    {
        return Some("actions/download-artifact with run-id".to_string());
    }
    if step.uses_action("actions/github-script")
        && step
            .input("script")
            .and_then(Node::as_str)
            .is_some_and(|s| s.contains("downloadArtifact"))
    {
        return Some("actions/github-script downloadArtifact".to_string());
    }
    let script = step.run.as_ref()?.as_str()?;
    script
        .lines()
        .any(|l| !l.trim_start().starts_with('#') && l.contains("gh run download"))
        .then(|| "gh run download".to_string())
}

/// Actions that look up the pull request of an `issue_comment` and output its head ref/SHA.
pub const PR_REF_ACTIONS: &[&str] = &[
    "xt0rted/pull-request-comment-branch",
    "gotson/pull-request-comment-branch",
    "alessbell/pull-request-comment-branch",
    "eficode/resolve-pr-refs",
];

/// Fields of pull-request data (REST `pulls` JSON, `gh pr view --json`) naming its head.
const API_HEAD_FIELDS: &[&str] = &[
    "head.ref",
    "head.sha",
    "head.repo",
    "head.label",
    "headrefname",
    "headrefoid",
    "headrepository",
    "merge_commit_sha",
    "['head']",
    "[\"head\"]",
];

/// True if a script (or github-script) queries a pull request (REST `pulls`, `gh pr view`).
fn queries_pr(text: &str) -> bool {
    let l = text.to_ascii_lowercase();
    l.contains("/pulls")
        || l.contains("pulls/")
        || l.contains("pulls.get")
        || l.contains("gh pr view")
        || l.contains("gh pr list")
        || l.contains("getpullrequest")
}

fn names_api_head(text: &str) -> bool {
    let l = text.to_ascii_lowercase();
    API_HEAD_FIELDS.iter().any(|m| l.contains(m))
}

/// True if `marker` (one of [`PR_HEAD_MARKERS`]) is filled under `event`: only the payload of
/// the running event is, so `github.event.pull_request.*` is empty under `issue_comment`.
fn marker_relevant(marker: &str, event: &str) -> bool {
    match event {
        "workflow_run" => marker.contains("workflow_run") || marker == "refs/pull/",
        "issue_comment" => marker == "refs/pull/",
        _ => !marker.contains("workflow_run"),
    }
}

fn names_pr_head_context(text: &str, event: &str) -> bool {
    let lower = text.to_ascii_lowercase().replace(' ', "");
    PR_HEAD_MARKERS
        .iter()
        .any(|m| *m != "refs/pull/" && marker_relevant(m, event) && lower.contains(m))
}

/// True if `text` builds a pull-request ref: `refs/pull/<number>/merge` or `/head`, the
/// number from an expression or a variable (`refs/pull/${{ github.event.number }}/merge`).
fn names_pr_ref(text: &str) -> bool {
    let lower = text.to_ascii_lowercase().replace(' ', "");
    // `format('pull/{0}/head', github.event.number)` builds the same ref.
    lower.contains("refs/pull/") || lower.contains("pull/${{") || lower.contains("pull/{")
}

/// A value an earlier step derived from the pull request under review.
#[derive(Debug, Clone)]
pub struct Derived {
    /// `env.NAME` for a `$GITHUB_ENV` variable (name as written), `steps.<id>.outputs.<name>`
    /// for a step output, `steps.<id>.outputs.*` for every output of a step.
    pub name: String,
    /// How the step derived it, for messages.
    pub how: String,
    /// Where it is written or computed.
    pub at: Location,
}

/// What earlier steps of a job derived from the pull request under review: the
/// `issue_comment` ("IssueOps") pattern of looking up the head repository and branch at run
/// time, then checking them out.
#[derive(Debug, Clone, Default)]
pub struct PrDerived {
    /// The derived values seen so far, in step order.
    pub values: Vec<Derived>,
}

impl PrDerived {
    /// Records what `step` (of `file`, run under `event`) derives from the pull request:
    /// outputs of [`PR_REF_ACTIONS`] and of `actions/github-script` reading `pulls.get`, and
    /// `NAME=value` written to `$GITHUB_ENV` / `$GITHUB_OUTPUT` from the pulls API, from
    /// `gh pr view`, from pull-request head contexts, or from values derived earlier.
    pub fn observe(&mut self, file: &WorkflowFile, step: &Step, event: &str) {
        let id = step.id.as_deref().map(str::to_ascii_lowercase);
        let uses_span = step.uses_node.as_ref().map_or(step.node.span, |n| n.span);
        if let Some(id) = &id {
            if let Some(a) = PR_REF_ACTIONS.iter().find(|a| step.uses_action(a)) {
                self.values.push(Derived {
                    name: format!("steps.{id}.outputs.*"),
                    how: format!("{a} looks up the pull request's head"),
                    at: crate::loc(&file.path, uses_span, &step.route)
                        .with_note("looks up the pull request's head"),
                });
                return;
            }
            if step.uses_action("actions/github-script")
                && let Some(s) = step.input("script")
                && s.as_str()
                    .is_some_and(|t| queries_pr(t) && names_api_head(t))
            {
                self.values.push(Derived {
                    name: format!("steps.{id}.outputs.*"),
                    how: "actions/github-script reads the pull request's head".to_string(),
                    at: crate::loc(&file.path, s.span, step.route.then("with.script"))
                        .with_note("reads the pull request's head"),
                });
                return;
            }
            // Any other action handed the pull request's head (`ref: ${{ github.event.
            // pull_request.head.sha }}`, `refs/pull/<n>/merge`, a value derived earlier):
            // whatever it outputs is computed from that head.
            if let Some(with) = step.with.as_ref() {
                for (key, v) in with.entries() {
                    let value = v.as_str().unwrap_or_default();
                    if names_pr_head_context(value, event)
                        || (value.contains("${{") && names_pr_ref(value))
                        || self.used_in(value).is_some()
                    {
                        let action = step.action().unwrap_or_default();
                        self.values.push(Derived {
                            name: format!("steps.{id}.outputs.*"),
                            how: format!(
                                "{action} is given the pull request's head (`{key}: {}`)",
                                value.trim()
                            ),
                            at: crate::loc(&file.path, v.span, step.route.then("with").key(key))
                                .with_note("pull-request head handed to the action"),
                        });
                        return;
                    }
                }
            }
        }
        let Some(run) = &step.run else { return };
        let text = file.source.text();
        let raw = run.source(text);
        let base = run.span.start_offset;
        let api = queries_pr(raw);
        // Shell variables holding the head: `BRANCH=$(… | jq -r .head.ref)`.
        let mut shell: Vec<String> = Vec::new();
        let derived = |value: &str, shell: &[String], known: &PrDerived| -> bool {
            (api && names_api_head(value))
                || names_pr_head_context(value, event)
                || names_pr_ref(value)
                || var_refs(value)
                    .iter()
                    .any(|(n, ..)| shell.iter().any(|s| s == n))
                || known.used_in(value).is_some()
        };
        for line in raw.lines() {
            let l = line.trim();
            if l.starts_with('#') {
                continue;
            }
            let l = ["export ", "local ", "readonly ", "declare "]
                .iter()
                .fold(l, |l, p| l.strip_prefix(p).unwrap_or(l));
            let name: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if let Some(value) = l.get(name.len()..).and_then(|r| r.strip_prefix('='))
                && !name.is_empty()
                && derived(value, &shell, self)
                && !shell.contains(&name)
            {
                shell.push(name);
            }
        }
        for target in ["GITHUB_ENV", "GITHUB_OUTPUT"] {
            if target == "GITHUB_OUTPUT" && id.is_none() {
                continue;
            }
            for (name, s, e) in file_entries(raw, target) {
                let value = raw.get(s..e).unwrap_or_default();
                if !derived(value, &shell, self) {
                    continue;
                }
                let key = match (target, &id) {
                    ("GITHUB_OUTPUT", Some(id)) => {
                        format!("steps.{id}.outputs.{}", name.to_ascii_lowercase())
                    }
                    _ => format!("env.{name}"),
                };
                self.values.push(Derived {
                    name: key,
                    how: format!(
                        "`{name}` is written to ${target} from the pull request's head in step `{}`",
                        step.label()
                    ),
                    at: crate::loc(
                        &file.path,
                        file.source.span(base + s, base + e),
                        step.route.then("run"),
                    )
                    .with_note(format!("pull-request head written to ${target}")),
                });
            }
        }
    }

    /// Records the entries of an `env:` mapping (of the workflow, the job or a step, at
    /// `route` in `file`) whose values carry the pull request's head: a head context or a
    /// `refs/pull/<number>/…` ref. `${{ env.NAME }}` and `$NAME` then count as that head.
    pub fn observe_env(
        &mut self,
        file: &WorkflowFile,
        env: Option<&Node>,
        route: &garrison_workflows::Route,
        event: &str,
    ) {
        let Some(env) = env else { return };
        for (name, v) in env.entries() {
            let value = v.as_str().unwrap_or_default();
            if names_pr_head_context(value, event) || names_pr_ref(value) {
                self.values.push(Derived {
                    name: format!("env.{name}"),
                    how: format!("`{name}` is set from the pull request's head in `env:`"),
                    at: crate::loc(&file.path, v.span, route.then("env").key(name))
                        .with_note("pull-request head in env"),
                });
            }
        }
    }

    /// The derived value `text` (a `ref:`/`repository:` input or a script line) uses, if any.
    pub fn used_in(&self, text: &str) -> Option<&Derived> {
        let lower = text.to_ascii_lowercase().replace(' ', "");
        let refs = var_refs(text);
        self.values.iter().find(|d| {
            if let Some(n) = d.name.strip_prefix("env.") {
                contains_ref(&lower, &format!("env.{}", n.to_ascii_lowercase()))
                    || refs.iter().any(|(r, ..)| *r == n)
            } else if let Some(prefix) = d.name.strip_suffix('*') {
                lower.match_indices(prefix).any(|(i, _)| {
                    let out: String = lower
                        .get(i + prefix.len()..)
                        .unwrap_or_default()
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                        .collect();
                    !out.is_empty() && !out.contains("base")
                })
            } else {
                contains_ref(&lower, &d.name)
            }
        })
    }
}

/// True if `text` contains the context `name` not followed by more of an identifier.
fn contains_ref(text: &str, name: &str) -> bool {
    text.match_indices(name).any(|(i, _)| {
        text.as_bytes()
            .get(i + name.len())
            .is_none_or(|b| !(is_ident(*b) || *b == b'-'))
    })
}
