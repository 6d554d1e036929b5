//! Facts about workflows that several audits share: which triggers are privileged, which
//! jobs publish, which steps check out untrusted code.

use garrison_expr::SpannedExpr;
use garrison_report::Location;
use garrison_workflows::contexts::{Control, attacker_control};
use garrison_workflows::{Job, Step, Workflow, WorkflowFile};
use garrison_yaml::Node;

/// Triggers that run with the base repository's secrets and a write token while handling
/// input from forks (`pull_request_target`, `workflow_run`) or from anyone who can comment or
/// open an issue.
pub const PRIVILEGED_TRIGGERS: &[&str] = &[
    "pull_request_target",
    "workflow_run",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "pull_request_review",
    "pull_request_review_comment",
];

/// Triggers an outsider can cause (fork pull requests, issues, comments).
pub const EXTERNAL_TRIGGERS: &[&str] = &[
    "pull_request",
    "pull_request_target",
    "workflow_run",
    "issue_comment",
    "issues",
    "discussion",
    "discussion_comment",
    "pull_request_review",
    "pull_request_review_comment",
    "fork",
    "watch",
];

/// The privileged triggers of `wf`.
pub fn privileged_triggers(wf: &Workflow) -> Vec<&str> {
    wf.triggers
        .iter()
        .map(|t| t.event.as_str())
        .filter(|e| PRIVILEGED_TRIGGERS.contains(e))
        .collect()
}

/// Actions that upload to PyPI.
pub const PYPI_PUBLISH_ACTIONS: &[&str] = &["pypa/gh-action-pypi-publish"];

/// True if the step publishes to a Python package index (the PyPA action, `twine upload`,
/// `uv publish`, `flit publish`, `poetry publish`, `hatch publish`, `pdm publish`).
pub fn step_publishes(step: &Step) -> bool {
    if PYPI_PUBLISH_ACTIONS.iter().any(|a| step.uses_action(a)) {
        return true;
    }
    step.run
        .as_ref()
        .and_then(|r| r.as_str())
        .is_some_and(run_publishes)
}

/// True if a shell script uploads to a package index.
pub fn run_publishes(script: &str) -> bool {
    script.lines().any(|l| {
        let l = l.trim();
        !l.starts_with('#')
            && (l.contains("twine upload")
                || l.contains("uv publish")
                || l.contains("flit publish")
                || l.contains("poetry publish")
                || l.contains("hatch publish")
                || l.contains("pdm publish")
                || l.contains("maturin publish")
                || l.contains("maturin upload"))
    })
}

/// True if any step of the job publishes.
pub fn job_publishes(job: &Job) -> bool {
    job.steps.iter().any(step_publishes)
}

/// A step's `with:` input as scalar text.
pub fn input_str<'a>(step: &'a Step, key: &str) -> Option<&'a str> {
    step.input(key).and_then(|n| n.as_str())
}

/// True for a YAML `false` (any case, quoted or not).
pub fn is_false(node: &garrison_yaml::Node) -> bool {
    node.as_str()
        .is_some_and(|s| s.trim().eq_ignore_ascii_case("false"))
}

/// The script of a `run:` step, if any.
pub fn run_script(step: &Step) -> Option<&str> {
    step.run.as_ref().and_then(|r| r.as_str())
}

/// Actions that create or upload to a GitHub release.
pub const RELEASE_ACTIONS: &[&str] = &[
    "softprops/action-gh-release",
    "ncipollo/release-action",
    "svenstaro/upload-release-action",
    "actions/upload-release-asset",
    "actions/create-release",
];

/// True if the step publishes a package or release assets: PyPI uploads ([`step_publishes`]),
/// GitHub release actions, or `gh release create|upload`.
pub fn step_releases(step: &Step) -> bool {
    step_publishes(step)
        || RELEASE_ACTIONS.iter().any(|a| step.uses_action(a))
        || run_script(step).is_some_and(|s| {
            s.lines().any(|l| {
                let l = l.trim();
                !l.starts_with('#')
                    && (l.contains("gh release create") || l.contains("gh release upload"))
            })
        })
}

/// True if any step of the job publishes a package or release assets.
pub fn job_releases(job: &Job) -> bool {
    job.steps.iter().any(step_releases)
}

/// The jobs `job` depends on through `needs:`, transitively (without `job` itself).
pub fn upstream_jobs<'a>(wf: &'a Workflow, job: &Job) -> Vec<&'a Job> {
    let mut seen: Vec<&str> = Vec::new();
    let mut todo: Vec<String> = job.needs.clone();
    let mut out = Vec::new();
    while let Some(id) = todo.pop() {
        if seen.contains(&id.as_str()) || id == job.id || seen.len() > 1000 {
            continue;
        }
        if let Some(j) = wf.job(&id) {
            seen.push(j.id.as_str());
            todo.extend(j.needs.iter().cloned());
            out.push(j);
        }
    }
    out
}

/// Actions that request an OIDC token (`id-token: write`) from the runner.
pub const OIDC_ACTIONS: &[&str] = &[
    "pypa/gh-action-pypi-publish",
    "sigstore/gh-action-sigstore-python",
    "sigstore/cosign-installer",
    "actions/attest-build-provenance",
    "actions/attest-sbom",
    "actions/attest",
    "actions/deploy-pages",
    "aws-actions/configure-aws-credentials",
    "azure/login",
    "google-github-actions/auth",
    "hashicorp/vault-action",
    "octo-sts/action",
    "slsa-framework/slsa-github-generator",
    "codecov/codecov-action",
    "codecov/test-results-action",
    "prefix-dev/rattler-build-action",
    "docker/login-action",
    "anaconda/action-upload",
    "ossf/scorecard-action",
];

/// True if the step may use the job's OIDC token: a known OIDC action, a trusted-publishing
/// upload (`uv publish`, `twine upload`, …), `cosign`, `gh attestation`, or a script reading
/// `ACTIONS_ID_TOKEN_REQUEST_*`.
pub fn step_uses_oidc(step: &Step) -> bool {
    if OIDC_ACTIONS.iter().any(|a| step.uses_action(a)) || step_publishes(step) {
        return true;
    }
    // hynek/build-and-inspect-python-package attests with the OIDC token on request.
    if step.uses_action("hynek/build-and-inspect-python-package")
        && step
            .input("attest-build-provenance-github")
            .is_some_and(|n| n.is_true())
    {
        return true;
    }
    run_script(step).is_some_and(|s| {
        s.contains("ACTIONS_ID_TOKEN_REQUEST")
            || s.contains("cosign ")
            || s.contains("gh attestation")
            || s.contains("--provenance")
            || s.contains("npm publish")
            || s.contains("id-token")
            || s.contains("oidc")
            || s.contains("OIDC")
    })
}

/// True if the job may use its OIDC token: a step does ([`step_uses_oidc`]), it calls a
/// reusable workflow, or it uses a local action we cannot see into (or one that does).
pub fn job_uses_oidc(ws: &crate::Workspace, job: &Job) -> bool {
    if job.uses.is_some() {
        return true;
    }
    job.steps.iter().any(|s| {
        step_uses_oidc(s)
            || match &s.uses {
                Some((garrison_workflows::Uses::Local { path }, _)) => ws
                    .local_action(path)
                    .is_none_or(|a| a.steps.iter().any(step_uses_oidc)),
                _ => false,
            }
    })
}

/// Where an environment variable visible to a step is set: the step's `env:`, then the job's,
/// then the workflow's. Returns the key node, the value node and the route of the entry.
pub fn env_lookup<'a>(
    wf: &'a Workflow,
    job: &'a Job,
    step: &'a Step,
    name: &str,
) -> Option<(&'a garrison_yaml::Node, &'a garrison_yaml::Node, String)> {
    if let Some((k, v)) = step.env.as_ref().and_then(|e| e.entry(name)) {
        return Some((k, v, format!("{}.env.{name}", step.route)));
    }
    if let Some((k, v)) = job.env.as_ref().and_then(|e| e.entry(name)) {
        return Some((k, v, format!("{}.env.{name}", job.route)));
    }
    wf.env
        .as_ref()
        .and_then(|e| e.entry(name))
        .map(|(k, v)| (k, v, format!("env.{name}")))
}

/// True if a scalar value reads a secret (`${{ secrets.X }}`), other than `GITHUB_TOKEN`.
pub fn reads_secret(node: &garrison_yaml::Node) -> bool {
    node.as_str().is_some_and(|s| {
        s.contains("secrets.")
            && !s.contains("secrets.GITHUB_TOKEN")
            && !s.contains("secrets.github_token")
    })
}

/// True if a step publishes only to TestPyPI (`repository-url: https://test.pypi.org/…`, or
/// a script whose upload names test.pypi.org or `--repository testpypi`).
pub fn step_publishes_to_testpypi(step: &Step) -> bool {
    let url = step
        .input("repository-url")
        .or_else(|| step.input("repository_url"))
        .and_then(|n| n.as_str());
    if url.is_some_and(|u| u.contains("test.pypi.org")) {
        return true;
    }
    run_script(step).is_some_and(|s| s.contains("test.pypi.org") || s.contains("testpypi"))
}

/// The publishing steps of a job ([`step_publishes`]).
pub fn publishing_steps(job: &Job) -> Vec<&Step> {
    job.steps.iter().filter(|s| step_publishes(s)).collect()
}

/// True if an `if:` text restricts a job or step to tag pushes, releases or manual runs.
pub fn guard_is_deliberate(cond: &str) -> bool {
    let c: String = cond
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .replace('"', "'");
    c.contains("refs/tags")
        || c.contains("ref_type=='tag'")
        || c.contains("event_name=='release'")
        || c.contains("event_name=='workflow_dispatch'")
        || c.contains("event.action=='published'")
        || c.contains("event_name!='pull_request'") && c.contains("startsWith")
}

// ---------------------------------------------------------------------------------------------
// Shared facts for the injection and trigger audits.

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

/// The event names of a workflow's triggers.
pub fn trigger_names(wf: &Workflow) -> Vec<&str> {
    wf.triggers.iter().map(|t| t.event.as_str()).collect()
}

/// True if the workflow has any trigger an outsider can cause.
pub fn has_external_trigger(wf: &Workflow) -> bool {
    wf.triggers
        .iter()
        .any(|t| EXTERNAL_TRIGGERS.contains(&t.event.as_str()))
}

/// The `secrets.*` contexts referenced anywhere in `node` (normalized, deduplicated).
pub fn secrets_in(file: &garrison_workflows::WorkflowFile, node: &Node) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for e in file.expressions(node) {
        if let Ok(p) = &e.parsed {
            for c in garrison_expr::all_contexts(p) {
                if garrison_workflows::contexts::is_secret(c) {
                    let n = c.normalized();
                    if !out.contains(&n) {
                        out.push(n);
                    }
                }
            }
        }
    }
    out
}

/// What a job can do with its token and secrets: write scopes (or `default` when no
/// `permissions:` applies and the default token may be read-write), secrets referenced.
#[derive(Debug, Clone, Default)]
pub struct Reach {
    /// Scopes granted write, `write-all`, or `default token (no permissions block)`.
    pub writes: Vec<String>,
    /// True when no `permissions:` block applies (the repository default may be write-all).
    pub default_permissions: bool,
    /// `secrets.*` referenced by the job (including `secrets: inherit`).
    pub secrets: Vec<String>,
}

impl Reach {
    /// Computes the reach of `job` in `wf`.
    pub fn of(wf: &Workflow, job: &Job) -> Reach {
        let perms = job.effective_permissions(wf);
        let writes = perms
            .map(|p| p.writes().into_iter().map(|(s, _)| s).collect())
            .unwrap_or_default();
        let mut secrets = secrets_in(&wf.file, &job.node);
        if job
            .secrets
            .as_ref()
            .and_then(Node::as_str)
            .is_some_and(|s| s == "inherit")
        {
            secrets.push("secrets: inherit".to_string());
        }
        Reach {
            writes,
            default_permissions: perms.is_none(),
            secrets,
        }
    }

    /// True if the job holds a write token (explicitly or by default) or secrets.
    pub fn privileged(&self) -> bool {
        !self.writes.is_empty() || self.default_permissions || !self.non_token_secrets().is_empty()
    }

    /// Secrets other than the automatic `GITHUB_TOKEN`.
    pub fn non_token_secrets(&self) -> Vec<&str> {
        self.secrets
            .iter()
            .map(String::as_str)
            .filter(|s| *s != "secrets.github_token")
            .collect()
    }

    /// A short description for messages and evidence.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.writes.is_empty() {
            parts.push(format!("write permissions ({})", self.writes.join(", ")));
        } else if self.default_permissions {
            parts.push("the default token (no permissions block)".to_string());
        }
        let s = self.non_token_secrets();
        if !s.is_empty() {
            parts.push(format!("secrets ({})", s.join(", ")));
        }
        if parts.is_empty() {
            "a read-only token".to_string()
        } else {
            parts.join(" and ")
        }
    }
}

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
    let build = code.iter().any(|l| {
        BUILD_WORDS
            .iter()
            .any(|w| l.starts_with(w) || l.contains(&format!(" {w}")))
    });
    Some(("a run: script".to_string(), build))
}

/// True for a repository action owned by someone other than GitHub (`actions/*`, `github/*`).
pub fn third_party(uses: &garrison_workflows::Uses) -> bool {
    match uses {
        garrison_workflows::Uses::Repository { owner, .. } => {
            let o = owner.to_ascii_lowercase();
            o != "actions" && o != "github"
        }
        _ => false,
    }
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

// ---------------------------------------------------------------------------------------------
// Writes to the runner's environment files ($GITHUB_ENV, $GITHUB_PATH, $GITHUB_OUTPUT).

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The environment file among `targets` (`GITHUB_ENV`, `GITHUB_OUTPUT`, …) a shell line writes
/// to, if any: `>> $GITHUB_ENV`, `>>"${GITHUB_ENV}"`, `| tee -a $GITHUB_ENV`, PowerShell
/// `Out-File -FilePath $env:GITHUB_ENV`, `Add-Content $env:GITHUB_ENV`, `%GITHUB_ENV%`.
pub fn write_target(line: &str, targets: &[&'static str]) -> Option<&'static str> {
    for t in targets {
        let mut from = 0;
        while let Some(i) = line.get(from..).and_then(|r| r.find(t)) {
            let pos = from + i;
            from = pos + t.len();
            let after = line.as_bytes().get(pos + t.len()).copied();
            if after.is_some_and(is_ident) {
                continue;
            }
            let before = line.get(..pos).unwrap_or_default();
            let mut b = before;
            for p in ["$env:", "${env:", "$Env:", "${Env:", "$ENV:"] {
                if let Some(x) = b.strip_suffix(p) {
                    b = x;
                }
            }
            let b = b.trim_end_matches(['$', '{', '"', '\'', ' ', '%', '(']);
            let redirect = b.ends_with('>');
            let tool = [
                "tee ",
                "Out-File",
                "Add-Content",
                "Set-Content",
                "-FilePath",
                "-Path",
            ]
            .iter()
            .any(|w| before.contains(w));
            if redirect || tool {
                return Some(t);
            }
        }
    }
    None
}

/// Each write of a script to one of the environment files `targets`, as
/// `(target, first, line_end, end)` byte offsets relative to `raw`: the data runs from `first`
/// (the writing line, or the `{` of a `{ …; } >> $FILE` group) to `end` (past the heredoc body
/// of `cat >> $FILE <<EOF`), and the writing line ends at `line_end`.
pub fn file_writes(
    raw: &str,
    targets: &[&'static str],
) -> Vec<(&'static str, usize, usize, usize)> {
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut off = 0;
    for l in raw.split_inclusive('\n') {
        lines.push((off, l.trim_end_matches(['\n', '\r'])));
        off += l.len();
    }
    let mut out = Vec::new();
    for (i, (start, line)) in lines.iter().enumerate() {
        let t = line.trim_start();
        if t.starts_with('#') {
            continue;
        }
        let Some(target) = write_target(line, targets) else {
            continue;
        };
        let mut first = *start;
        let mut end = start + line.len();
        // `{ …; } >> $GITHUB_ENV`: the group's lines are written too.
        if t.starts_with('}')
            && let Some((s, _)) = lines
                .get(..i)
                .unwrap_or_default()
                .iter()
                .rev()
                .find(|(_, l)| l.trim() == "{" || l.trim_end().ends_with(" {"))
        {
            first = *s;
        }
        // Heredoc: `cat >> "$GITHUB_ENV" <<EOF` … `EOF`.
        if let Some(h) = line.find("<<") {
            let delim: String = line
                .get(h + 2..)
                .unwrap_or_default()
                .trim_start_matches(['-', '~'])
                .trim_start()
                .trim_start_matches(['\'', '"'])
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if !delim.is_empty() && !heredoc_in_data(line, h) {
                for (s, l) in lines.get(i + 1..).unwrap_or_default() {
                    if l.trim() == delim {
                        break;
                    }
                    end = s + l.len();
                }
            }
        }
        out.push((target, first, start + line.len(), end));
    }
    out
}

/// True when the `<<` at `at` is inside quotes, i.e. part of the written data
/// (`echo "body<<EOF" >> $GITHUB_OUTPUT`, a multi-line value's opening) rather than a shell heredoc.
fn heredoc_in_data(line: &str, at: usize) -> bool {
    let before = line.get(..at).unwrap_or_default();
    before.matches('"').count() % 2 == 1 || before.matches('\'').count() % 2 == 1
}

/// Shell variable references in `text`: `$NAME`, `${NAME}`, `$env:NAME`, `%NAME%`, as
/// (name, start, end) relative to `text`.
pub fn var_refs(text: &str) -> Vec<(&str, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or_default();
        if c == b'$' {
            let mut j = i + 1;
            let braced = b.get(j) == Some(&b'{');
            if braced {
                j += 1;
            }
            if let Some(rest) = text.get(j..)
                && (rest.starts_with("env:")
                    || rest.starts_with("Env:")
                    || rest.starts_with("ENV:"))
            {
                j += 4;
            }
            let s = j;
            while b.get(j).copied().is_some_and(is_ident) {
                j += 1;
            }
            if j > s && b.get(s).is_some_and(|x| !x.is_ascii_digit()) {
                if braced && b.get(j) == Some(&b'}') {
                    j += 1;
                }
                if let Some(name) = text.get(s..j.min(b.len())).map(|n| n.trim_end_matches('}')) {
                    out.push((name, i, j));
                }
                i = j;
                continue;
            }
        } else if c == b'%' {
            let s = i + 1;
            let mut j = s;
            while b.get(j).copied().is_some_and(is_ident) {
                j += 1;
            }
            if j > s && b.get(j) == Some(&b'%') {
                if let Some(name) = text.get(s..j) {
                    out.push((name, i, j + 1));
                }
                i = j + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// The `NAME` of a `NAME=value` or `NAME<<DELIM` entry written on a line (after `echo`,
/// `printf`, quotes), with the byte offset where the value (or delimiter) starts and whether
/// it opens a multi-line value (`<<`), with its delimiter.
fn file_entry(line: &str) -> Option<(&str, usize, Option<String>)> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = b.get(i).copied().unwrap_or_default();
        let boundary = i == 0 || matches!(b.get(i - 1), Some(b' ' | b'"' | b'\'' | b'\t'));
        if boundary && (c.is_ascii_alphabetic() || c == b'_') {
            let s = i;
            let mut j = i;
            while b.get(j).copied().is_some_and(is_ident) {
                j += 1;
            }
            let name = line.get(s..j).unwrap_or_default();
            let rest = line.get(j..).unwrap_or_default();
            if rest.starts_with("<<") {
                let delim: String = rest
                    .get(2..)
                    .unwrap_or_default()
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                return Some((name, j + 2, (!delim.is_empty()).then_some(delim)));
            }
            if rest.starts_with('=') && !rest.starts_with("==") && name != "echo" {
                return Some((name, j + 1, None));
            }
            i = j;
            continue;
        }
        i += 1;
    }
    None
}

/// Every `NAME` entry a script writes to `target` (`GITHUB_ENV`, `GITHUB_OUTPUT`), as
/// `(name, value start, value end)` byte ranges relative to `raw`. Multi-line values (`NAME<<EOF`
/// followed by lines written up to `EOF`, in one write or in several) cover all their lines.
pub fn file_entries<'r>(raw: &'r str, target: &'static str) -> Vec<(&'r str, usize, usize)> {
    let mut out: Vec<(&str, usize, usize)> = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (_, first, _, end) in file_writes(raw, &[target]) {
        let data = raw.get(first..end).unwrap_or_default();
        let mut off = first;
        for line in data.split_inclusive('\n') {
            let l = line.trim_end_matches(['\n', '\r']);
            let content = l
                .trim()
                .trim_start_matches("echo ")
                .trim_start_matches("-e ")
                .trim_matches(['"', '\'', ' ', ';']);
            if let Some((idx, delim)) = &open {
                let done = content.starts_with(delim.as_str())
                    || l.split_whitespace()
                        .any(|w| w.trim_matches(['"', '\'', ';']) == delim);
                if done {
                    open = None;
                } else if let Some(e) = out.get_mut(*idx) {
                    e.2 = off + l.len();
                }
            } else if let Some((name, v, delim)) = file_entry(l) {
                out.push((name, off + v, off + l.len()));
                if let Some(d) = delim {
                    open = Some((out.len() - 1, d));
                }
            }
            off += line.len();
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Values laundered through earlier steps: pull-request refs looked up at run time, and
// attacker-controlled data written to $GITHUB_OUTPUT.

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
                    at: crate::loc(&file.path, s.span, crate::route(&step.route, "with.script"))
                        .with_note("reads the pull request's head"),
                });
                return;
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
                        crate::route(&step.route, "run"),
                    )
                    .with_note(format!("pull-request head written to ${target}")),
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
                crate::route(&step.route, "run"),
            )
            .with_note("tainted output written here"),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_entries() {
        let raw = "echo \"title=$T\" >> \"$GITHUB_OUTPUT\"\n{\n  echo \"body<<EOF\"\n  echo \"$B\"\n  echo \"EOF\"\n} >> \"$GITHUB_OUTPUT\"\necho \"x=1\" >> \"$GITHUB_ENV\"\n";
        let names: Vec<(&str, &str)> = file_entries(raw, "GITHUB_OUTPUT")
            .into_iter()
            .map(|(n, s, e)| (n, raw.get(s..e).unwrap_or_default()))
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        assert_eq!(names[0].0, "title");
        assert_eq!(names[1].0, "body");
        assert!(names[1].1.contains("$B"), "{names:?}");
        assert_eq!(file_entries(raw, "GITHUB_ENV").len(), 1);
    }
}
