use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::publishing::job_releases;
use garrison_workflows::{Job, Route, Step, Trigger, Workflow};
use garrison_yaml::Node;

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// Cache restores in jobs that build what users consume, and in any job those jobs
    /// `needs` (directly or transitively), whose outputs reach them as artifacts:
    ///
    /// - jobs that publish a package or release assets (PyPI upload, GitHub release
    ///   actions, `gh release create|upload`) — high severity, whatever the triggers;
    /// - jobs that push a container image (`docker/build-push-action` with `push:` not
    ///   `false`, `redhat-actions/push-to-registry`, `docker push`, `podman push`,
    ///   `docker buildx build --push`) or upload to anaconda.org (`anaconda upload`,
    ///   `rattler-build upload`, `scientific-python/upload-nightly-action`,
    ///   `anaconda/action-upload`) — high severity;
    /// - jobs that deploy a documentation site (`actions/deploy-pages`,
    ///   `actions/upload-pages-artifact`, `peaceiris/actions-gh-pages`,
    ///   `JamesIves/github-pages-deploy-action`, `nwtgck/actions-netlify`,
    ///   `cloudflare/pages-action`, `ghp-import`, `mkdocs gh-deploy`, `mike deploy --push`,
    ///   `git push` to `gh-pages`, `netlify deploy --prod`, or a push script after checking
    ///   out a `*.github.io` repository or the `gh-pages` branch with a token) — medium
    ///   severity.
    ///
    /// - every job of a workflow that runs for releases — a `release` event, a `push` of
    ///   tags, or a `push` to a release branch (a branch pattern naming `release`) — and shows
    ///   no publishing or deploying step — medium severity when the workflow only runs for
    ///   releases (what a release run builds is what gets attached, tagged or published, even
    ///   when the upload happens elsewhere), low when it is also an ordinary CI workflow
    ///   that happens to run on tags. (Where the workflow does show what it ships, only the
    ///   jobs that feed that step count.)
    ///
    /// Image, anaconda.org and documentation deployments are only reported in workflows with
    /// a trigger that makes the run a deployment: `release`, `push`, `workflow_dispatch`,
    /// `schedule`, `workflow_run`, `repository_dispatch` or `workflow_call`; a workflow that
    /// only runs on `pull_request` deploys nothing.
    ///
    /// Recognised restores: `actions/cache` and `actions/cache/restore` (not with
    /// `lookup-only: true`); `actions/setup-python`, `setup-node`, `setup-java`,
    /// `setup-dotnet` with a `cache:` input; `actions/setup-go` v4+ (caches unless
    /// `cache: false`); `astral-sh/setup-uv` with `enable-cache: true`, an expression, or
    /// `auto` before v10, or v6–v9 without the
    /// input (the default `auto` caches on GitHub-hosted runners; v10 no longer caches by
    /// default); `Swatinem/rust-cache` (not with `lookup-only: true`);
    /// `hendrikmuhs/ccache-action`; `mamba-org/setup-micromamba` with `cache-environment` or
    /// `cache-downloads`; `prefix-dev/setup-pixi` with `cache: true`; `ruby/setup-ruby` with
    /// `bundler-cache: true`; `PyO3/maturin-action` with `sccache:` (not `false`);
    /// `Mozilla-Actions/sccache-action`; `ramsey/composer-install` (unless `ignore-cache:
    /// true`); `actions/setup-node` v5+ without `package-manager-cache: false` (it caches npm's
    /// store by default when `package.json` names npm as its package manager). A SHA-pinned
    /// action whose version is unknown is assumed recent.
    ///
    /// ## Why it matters
    /// GitHub Actions caches are scoped by git ref: a run can restore caches saved on its
    /// own ref and on the repository's default branch. Release, tag, `push`,
    /// `workflow_dispatch` and scheduled runs therefore restore caches written by *any*
    /// default-branch run — and outsiders can cause default-branch runs:
    /// `pull_request_target`, `workflow_run` and `issue_comment` workflows run in the base
    /// branch's cache scope even when they handle a fork's pull request, and any code they
    /// execute (the pull request's code, a compromised test or build dependency) can save
    /// arbitrary cache entries with the run's cache token, or evict and replace existing
    /// ones. (A plain `pull_request` run only writes to the pull request's own
    /// `refs/pull/N/merge` scope, which deployment runs never read.) Files planted this way
    /// end up in what the deploying run ships: a package or image users install — this is how
    /// the Ultralytics PyPI releases were backdoored in December 2024 — or a documentation
    /// site whose JavaScript runs in every visitor's browser on the project's domain.
    ///
    /// ## Example
    /// ```yaml
    /// build:
    ///   steps:
    ///     - uses: actions/setup-python@v5
    ///       with:
    ///         cache: pip
    ///     - run: python -m build
    /// publish:
    ///   needs: build
    ///   steps:
    ///     - uses: pypa/gh-action-pypi-publish@release/v1
    /// ```
    ///
    /// ## Remediation
    /// Disable caching in the jobs that build release artifacts, images or the deployed
    /// site (remove `cache:`, set `enable-cache: false`, drop `actions/cache`), or key the
    /// deploying build's cache so it is never restored from other workflows. Releases and
    /// deployments should build from a clean state.
    pub CachePoisoning {
        id: "workflow/cache-poisoning",
        summary: "release or deployment build restores a cache that other workflows can write",
        severity: High,
        help: "disable caching in jobs that build or publish release artifacts",
        references: [
            "https://adnanthekhan.com/2024/05/06/the-monsters-in-your-build-cache-github-actions-cache-poisoning/",
            "https://blog.pypi.org/posts/2024-12-11-ultralytics-attack-analysis/",
        ],
    }
}

fn major(step: &Step) -> Option<u32> {
    let r = step.uses.as_ref()?.0.git_ref()?;
    let r = r.strip_prefix('v').unwrap_or(r);
    r.split('.').next()?.parse().ok()
}

fn input_on(step: &Step, key: &str) -> bool {
    step.input(key).is_some_and(|n| n.is_true())
}

/// An action input's boolean as toggles read it (`true`, `yes`, `1`, `on`, quoted or not).
fn truthy(n: &Node) -> bool {
    n.as_str().is_some_and(|s| {
        matches!(
            s.trim().to_ascii_lowercase().as_str(),
            "true" | "yes" | "1" | "on"
        )
    })
}

/// Why the step restores a cache, if it does.
fn restores_cache(step: &Step) -> Option<String> {
    let action = step.action()?;
    let with_cache = |k: &str| {
        step.input(k)
            .filter(|n| !n.is_false() && n.as_str().is_some_and(|s| !s.trim().is_empty()))
            .map(|n| format!("{action} with `{k}: {}`", n.as_str().unwrap_or_default()))
    };
    match action.as_str() {
        "actions/cache" | "actions/cache/restore" => {
            // `lookup-only: true` checks for a hit without downloading anything.
            (!input_on(step, "lookup-only")).then(|| format!("{action} restores a cache"))
        }
        // setup-node v5+ caches the package manager's store by default when package.json
        // names npm as its `packageManager`, unless `package-manager-cache: false`.
        "actions/setup-node" => with_cache("cache").or_else(|| {
            let default_on = major(step).is_none_or(|m| m >= 5);
            match step.input("package-manager-cache") {
                Some(n) if n.is_false() => None,
                Some(_) => Some("actions/setup-node with `package-manager-cache:`".to_string()),
                None if default_on => Some(
                    "actions/setup-node v5+ without `package-manager-cache: false` (caches npm's store by default)"
                        .to_string(),
                ),
                None => None,
            }
        }),
        "actions/setup-python" | "actions/setup-java" | "actions/setup-dotnet" => {
            with_cache("cache")
        }
        "actions/setup-go" => match step.input("cache") {
            Some(n) if n.is_false() => None,
            Some(_) => Some("actions/setup-go with `cache:`".to_string()),
            // Caching is on by default since v4; an unknown (SHA) ref is assumed recent.
            None if major(step).is_none_or(|m| m >= 4) => {
                Some("actions/setup-go v4+ caches by default".to_string())
            }
            None => None,
        },
        "astral-sh/setup-uv" => match step.input("enable-cache") {
            Some(n) if n.is_true() => Some("astral-sh/setup-uv with `enable-cache: true`".to_string()),
            Some(n) if n.as_str().is_some_and(|v| v.contains("${{")) => Some(format!(
                "astral-sh/setup-uv with `enable-cache: {}` (decided at run time)",
                n.as_str().unwrap_or_default().trim()
            )),
            // `auto` caches on GitHub-hosted runners before v10.
            Some(n)
                if n.as_str().is_some_and(|v| v.trim().eq_ignore_ascii_case("auto"))
                    && major(step).is_none_or(|m| m < 10) =>
            {
                Some(
                    "astral-sh/setup-uv with `enable-cache: auto` (caches on GitHub-hosted runners before v10)"
                        .to_string(),
                )
            }
            Some(_) => None,
            // v10 stopped caching by default; an unknown (SHA) ref is assumed to be v6–v9.
            None if major(step).is_none_or(|m| (6..10).contains(&m)) => Some(
                "astral-sh/setup-uv v6–v9 without `enable-cache` (default `auto` caches on GitHub-hosted runners)"
                    .to_string(),
            ),
            None => None,
        },
        "swatinem/rust-cache" => (!input_on(step, "lookup-only"))
            .then(|| "Swatinem/rust-cache restores a cache".to_string()),
        "hendrikmuhs/ccache-action" => Some("hendrikmuhs/ccache-action restores a compiler cache".to_string()),
        "mamba-org/setup-micromamba" => {
            if input_on(step, "cache-environment") {
                Some("mamba-org/setup-micromamba with `cache-environment: true`".to_string())
            } else if input_on(step, "cache-downloads") {
                Some("mamba-org/setup-micromamba with `cache-downloads: true`".to_string())
            } else {
                None
            }
        }
        "pyo3/maturin-action" => with_cache("sccache")
            .map(|w| w.replacen("pyo3/maturin-action", "PyO3/maturin-action", 1)),
        // Caches Composer's download directory unless `ignore-cache` is set.
        "ramsey/composer-install" => (!step.input("ignore-cache").is_some_and(truthy))
            .then(|| "ramsey/composer-install caches unless `ignore-cache: true`".to_string()),
        "mozilla-actions/sccache-action" => {
            Some("Mozilla-Actions/sccache-action sets up a compiler cache".to_string())
        }
        "prefix-dev/setup-pixi" => input_on(step, "cache")
            .then(|| "prefix-dev/setup-pixi with `cache: true`".to_string()),
        "ruby/setup-ruby" => input_on(step, "bundler-cache")
            .then(|| "ruby/setup-ruby with `bundler-cache: true`".to_string()),
        _ => None,
    }
}

fn report(wf: &Workflow, job: &Job, publisher: &Job, out: &mut Vec<Finding>) {
    for step in &job.steps {
        let Some(why) = restores_cache(step) else {
            continue;
        };
        let Some(node) = step.uses_node.as_ref() else {
            continue;
        };
        let direct = job.id == publisher.id;
        let message = if direct {
            format!("job {} publishes and restores a cache: {why}", job.id)
        } else {
            format!(
                "job {} builds for publishing job {} and restores a cache: {why}",
                job.id, publisher.id
            )
        };
        out.push(
            Finding::builder(&CachePoisoning::META)
                .message(message)
                .severity(Severity::High)
                .confidence(if direct {
                    Confidence::High
                } else {
                    Confidence::Medium
                })
                .location(
                    loc(wf.path(), node.span, step.route.then("uses"))
                        .with_note("restores a cache"),
                )
                .location(
                    loc(wf.path(), publisher.key_span, publisher.route.clone())
                        .with_note("publishes"),
                )
                .evidence("cache", why)
                .evidence("job", job.id.as_str())
                .evidence("publishing_job", publisher.id.as_str())
                .build(),
        );
    }
}

/// What a deploying job ships to users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    /// A documentation site (GitHub Pages, Netlify, …).
    Docs,
    /// Packages on anaconda.org.
    Conda,
    /// A container image pushed to a registry.
    Image,
}

impl Kind {
    fn label(self) -> &'static str {
        match self {
            Kind::Docs => "documentation or Pages site",
            Kind::Conda => "anaconda.org packages",
            Kind::Image => "container image",
        }
    }

    fn severity(self) -> Severity {
        match self {
            Kind::Docs => Severity::Medium,
            Kind::Conda | Kind::Image => Severity::High,
        }
    }

    fn help(self) -> &'static str {
        match self {
            Kind::Docs => {
                "disable caching in the jobs that build and deploy the documentation site (remove `cache:`/`enable-cache`, drop `actions/cache`) so the site is built from a clean environment"
            }
            Kind::Conda => {
                "disable caching in the jobs that build and upload packages to anaconda.org so uploads are built from a clean environment"
            }
            Kind::Image => {
                "disable caching in the jobs that build and push the container image so it is built from a clean environment"
            }
        }
    }
}

/// A step that deploys something users consume.
struct Deploy<'a> {
    kind: Kind,
    /// What the step does, e.g. "deploys GitHub Pages (actions/deploy-pages)".
    what: String,
    step: &'a Step,
    /// How sure the detection is (heuristics on push scripts are less certain).
    confidence: Confidence,
}

/// Script lines that are not comments, trimmed.
fn script_lines(step: &Step) -> impl Iterator<Item = &str> {
    step.script()
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

fn words(line: &str) -> impl Iterator<Item = &str> {
    line.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
        .filter(|w| !w.is_empty())
}

/// True for an installation line (`pip install ghp-import`), which mentions a tool without
/// running it.
fn installs(line: &str) -> bool {
    words(line).any(|w| w == "install" || w == "add")
}

/// Whether a single step deploys, and what.
fn step_deploys(step: &Step) -> Option<(Kind, String)> {
    if let Some(action) = step.action() {
        let docs = |what: &str| Some((Kind::Docs, format!("{what} ({action})")));
        match action.as_str() {
            "actions/deploy-pages" => return docs("deploys GitHub Pages"),
            "actions/upload-pages-artifact" => return docs("uploads the GitHub Pages site"),
            "peaceiris/actions-gh-pages" | "jamesives/github-pages-deploy-action" => {
                return docs("deploys GitHub Pages");
            }
            "nwtgck/actions-netlify" => return docs("deploys a Netlify site"),
            "cloudflare/pages-action" => return docs("deploys a Cloudflare Pages site"),
            "docker/build-push-action" => {
                return step
                    .input("push")
                    .filter(|n| !n.is_false() && n.as_str().is_some_and(|s| !s.trim().is_empty()))
                    .map(|n| {
                        let v = n.as_str().unwrap_or_default().trim();
                        (
                            Kind::Image,
                            format!("pushes a container image ({action} with `push: {v}`)"),
                        )
                    });
            }
            "redhat-actions/push-to-registry" => {
                return Some((Kind::Image, format!("pushes a container image ({action})")));
            }
            "scientific-python/upload-nightly-action" | "anaconda/action-upload" => {
                return Some((
                    Kind::Conda,
                    format!("uploads packages to anaconda.org ({action})"),
                ));
            }
            _ => return None,
        }
    }
    let script = step.script()?;
    let pushes_flag = script.contains("--push");
    for line in script_lines(step) {
        if installs(line) {
            continue;
        }
        let w: Vec<&str> = words(line).collect();
        let has = |a: &str, b: &str| w.windows(2).any(|p| p[0] == a && p[1] == b);
        if has("docker", "push") || has("podman", "push") || has("image", "push") {
            return Some((Kind::Image, format!("pushes a container image (`{line}`)")));
        }
        if (has("docker", "build") || has("buildx", "build") || has("buildx", "bake"))
            && pushes_flag
        {
            return Some((
                Kind::Image,
                format!("pushes a container image (`{line}` with `--push`)"),
            ));
        }
        if (w.contains(&"anaconda") && w.contains(&"upload")) || has("rattler-build", "upload") {
            return Some((
                Kind::Conda,
                format!("uploads packages to anaconda.org (`{line}`)"),
            ));
        }
        if w.contains(&"ghp-import") || has("mkdocs", "gh-deploy") {
            return Some((Kind::Docs, format!("deploys GitHub Pages (`{line}`)")));
        }
        if (has("mike", "deploy") || has("mike", "set-default"))
            && (w.contains(&"--push") || w.contains(&"-p"))
        {
            return Some((
                Kind::Docs,
                format!("deploys versioned documentation (`{line}`)"),
            ));
        }
        if has("git", "push") && line.contains("gh-pages") {
            return Some((Kind::Docs, format!("pushes GitHub Pages (`{line}`)")));
        }
        if has("netlify", "deploy") && w.contains(&"--prod") {
            return Some((Kind::Docs, format!("deploys a Netlify site (`{line}`)")));
        }
    }
    None
}

/// A checkout of a GitHub Pages repository (`*.github.io`) or of the `gh-pages` branch with
/// a credential that can push: the job is about to update the published site.
fn pages_checkout(step: &Step) -> Option<String> {
    if !step.uses_action("actions/checkout") {
        return None;
    }
    let credential = ["token", "ssh-key"]
        .iter()
        .any(|k| step.input_str(k).is_some_and(|v| !v.trim().is_empty()));
    if !credential {
        return None;
    }
    if let Some(repo) = step.input_str("repository").map(str::trim)
        && repo.to_ascii_lowercase().ends_with(".github.io")
    {
        return Some(repo.to_string());
    }
    step.input_str("ref")
        .map(str::trim)
        .filter(|r| *r == "gh-pages" || *r == "refs/heads/gh-pages")
        .map(|r| format!("the `{r}` branch"))
}

/// A later `run:` line that pushes: `git push`, or a script whose name says it pushes or
/// deploys (`source tools/ci/docbuild-push.sh`).
fn push_line(step: &Step) -> Option<&str> {
    script_lines(step).find(|line| {
        let w: Vec<&str> = words(line).collect();
        w.windows(2).any(|p| p[0] == "git" && p[1] == "push")
            || w.iter().any(|x| {
                let x = x.to_ascii_lowercase();
                (x.ends_with(".sh") || x.ends_with(".py"))
                    && (x.contains("push") || x.contains("deploy"))
            })
    })
}

/// The strongest deployment in a job (images and anaconda.org uploads before docs).
fn job_deploys<'a>(job: &'a Job) -> Option<Deploy<'a>> {
    let mut best: Option<Deploy<'a>> = None;
    let mut consider = |d: Deploy<'a>| {
        if best.as_ref().is_none_or(|b| d.kind > b.kind) {
            best = Some(d);
        }
    };
    let mut checkout: Option<String> = None;
    for step in &job.steps {
        if let Some((kind, what)) = step_deploys(step) {
            consider(Deploy {
                kind,
                what,
                step,
                confidence: Confidence::High,
            });
        }
        if let Some(c) = pages_checkout(step) {
            checkout.get_or_insert(c);
        } else if let Some(site) = &checkout
            && let Some(line) = push_line(step)
        {
            consider(Deploy {
                kind: Kind::Docs,
                what: format!(
                    "pushes documentation to {site} (checked out with a token; `{line}`)"
                ),
                step,
                confidence: Confidence::Medium,
            });
        }
    }
    best
}

/// Triggers that make a run a deployment (rather than a pull request check).
const DEPLOY_TRIGGERS: &[&str] = &[
    "release",
    "push",
    "workflow_dispatch",
    "schedule",
    "workflow_run",
    "repository_dispatch",
    "workflow_call",
];

fn scalars(node: Option<&Node>) -> Vec<&str> {
    match node {
        Some(n) => match n.as_seq() {
            Some(items) => items.iter().filter_map(Node::as_str).collect(),
            None => n.as_str().into_iter().collect(),
        },
        None => Vec::new(),
    }
}

/// A trigger as shown in messages: `push (branches: main; tags: v*)`, `release (published)`.
fn describe_trigger(t: &Trigger) -> String {
    let cfg = t.config.as_ref();
    let mut parts = Vec::new();
    for key in ["branches", "tags", "types"] {
        let vals = scalars(cfg.and_then(|c| c.get(key)));
        if !vals.is_empty() {
            if key == "types" {
                parts.push(vals.join(", "));
            } else {
                parts.push(format!("{key}: {}", vals.join(", ")));
            }
        }
    }
    if parts.is_empty() {
        t.event.clone()
    } else {
        format!("{} ({})", t.event, parts.join("; "))
    }
}

fn deploy_triggers(wf: &Workflow) -> Vec<&Trigger> {
    wf.triggers
        .iter()
        .filter(|t| DEPLOY_TRIGGERS.contains(&t.event.as_str()))
        .collect()
}

fn report_deploy(
    wf: &Workflow,
    job: &Job,
    deployer: &Job,
    deploy: &Deploy<'_>,
    triggers: &[&Trigger],
    out: &mut Vec<Finding>,
) {
    let on = triggers
        .iter()
        .map(|t| describe_trigger(t))
        .collect::<Vec<_>>()
        .join(", ");
    for step in &job.steps {
        let Some(why) = restores_cache(step) else {
            continue;
        };
        let Some(node) = step.uses_node.as_ref() else {
            continue;
        };
        let direct = job.id == deployer.id;
        let message = if direct {
            format!(
                "job {} {} on {on} and restores a cache that any default-branch run can write: {why}",
                job.id, deploy.what
            )
        } else {
            format!(
                "job {} builds for job {}, which {} on {on}, and restores a cache that any default-branch run can write: {why}",
                job.id, deployer.id, deploy.what
            )
        };
        let confidence = if direct {
            deploy.confidence
        } else {
            deploy.confidence.min(Confidence::Medium)
        };
        let (deploy_span, deploy_route) = match (&deploy.step.uses_node, &deploy.step.run) {
            (Some(n), _) => (n.span, deploy.step.route.then("uses")),
            (None, Some(n)) => (n.span, deploy.step.route.then("run")),
            (None, None) => (deploy.step.node.span, deploy.step.route.clone()),
        };
        let mut b = Finding::builder(&CachePoisoning::META)
            .message(message)
            .severity(deploy.kind.severity())
            .confidence(confidence)
            .location(
                loc(wf.path(), node.span, step.route.then("uses")).with_note("restores a cache"),
            )
            .location(
                loc(wf.path(), deploy_span, deploy_route)
                    .with_note(format!("ships the {}", deploy.kind.label())),
            );
        if let Some(t) = triggers.first() {
            b = b.location(
                loc(wf.path(), t.span, Route::path("on").key(&t.event))
                    .with_note("deployment trigger"),
            );
        }
        out.push(
            b.evidence("cache", why)
                .evidence("job", job.id.as_str())
                .evidence("deploying_job", deployer.id.as_str())
                .evidence("deployment", deploy.what.as_str())
                .evidence("deploy_kind", deploy.kind.label())
                .evidence("trigger", on.as_str())
                .help(deploy.kind.help())
                .build(),
        );
    }
}

/// Triggers that make a run a release: `release`, a `push` of tags, or a `push` to a branch
/// whose pattern names a release (`release`, `release/*`, `release-v2.0.0`).
fn release_triggers(wf: &Workflow) -> Vec<&Trigger> {
    wf.triggers
        .iter()
        .filter(|t| match t.event.as_str() {
            "release" => true,
            "push" => {
                let cfg = t.config.as_ref();
                !scalars(cfg.and_then(|c| c.get("tags"))).is_empty()
                    || scalars(cfg.and_then(|c| c.get("branches")))
                        .iter()
                        .any(|b| b.to_ascii_lowercase().contains("release"))
            }
            _ => false,
        })
        .collect()
}

/// True when every run of the workflow is a release (or a manual run): no trigger also runs
/// it for ordinary pushes, pull requests or schedules.
fn only_releases(wf: &Workflow) -> bool {
    wf.triggers.iter().all(|t| match t.event.as_str() {
        "release" | "workflow_dispatch" => true,
        "push" => {
            let cfg = t.config.as_ref();
            let branches = scalars(cfg.and_then(|c| c.get("branches")));
            let tags = scalars(cfg.and_then(|c| c.get("tags")));
            (!tags.is_empty() || !branches.is_empty())
                && branches
                    .iter()
                    .all(|b| b.to_ascii_lowercase().contains("release"))
        }
        _ => false,
    })
}

/// A cache restore in a job of a release-triggered workflow that neither publishes nor deploys
/// visibly (those are reported above, with the publishing step): medium when the workflow
/// only runs for releases, low when it is also an ordinary CI workflow (its jobs are mostly
/// checks that ship nothing).
fn report_release(wf: &Workflow, job: &Job, triggers: &[&Trigger], out: &mut Vec<Finding>) {
    let (severity, confidence) = if only_releases(wf) {
        (Severity::Medium, Confidence::Medium)
    } else {
        (Severity::Low, Confidence::Low)
    };
    let on = triggers
        .iter()
        .map(|t| describe_trigger(t))
        .collect::<Vec<_>>()
        .join(", ");
    for step in &job.steps {
        let Some(why) = restores_cache(step) else {
            continue;
        };
        let Some(node) = step.uses_node.as_ref() else {
            continue;
        };
        let mut b = Finding::builder(&CachePoisoning::META)
            .message(format!(
                "job {} runs for releases ({on}) and restores a cache that any default-branch run can write: {why}; what a release run builds is what gets tagged and shipped",
                job.id
            ))
            .severity(severity)
            .confidence(confidence)
            .location(
                loc(wf.path(), node.span, step.route.then("uses")).with_note("restores a cache"),
            );
        if let Some(t) = triggers.first() {
            b = b.location(
                loc(wf.path(), t.span, Route::path("on").key(&t.event))
                    .with_note("release trigger"),
            );
        }
        out.push(
            b.evidence("cache", why)
                .evidence("job", job.id.as_str())
                .evidence("trigger", on.as_str())
                .help("disable caching in jobs that run for releases and tags (remove `cache:`/`sccache:`, set `enable-cache: false` or `package-manager-cache: false`, drop cache actions) so release builds start from a clean state")
                .build(),
        );
    }
}

impl Audit for CachePoisoning {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn workflow(&self, _ws: &Workspace, wf: &Workflow, out: &mut Vec<Finding>) {
        let mut done: Vec<&str> = Vec::new();
        let publishers: Vec<&Job> = wf.jobs.iter().filter(|j| job_releases(j)).collect();
        // Publishing jobs first, then their builders, each job once.
        for p in &publishers {
            if !done.contains(&p.id.as_str()) {
                done.push(p.id.as_str());
                report(wf, p, p, out);
            }
        }
        for p in &publishers {
            for j in wf.upstream_jobs(p) {
                if !done.contains(&j.id.as_str()) {
                    done.push(j.id.as_str());
                    report(wf, j, p, out);
                }
            }
        }
        // Then deployments (images and anaconda.org uploads before documentation sites), in
        // workflows whose triggers make the run a deployment.
        let triggers = deploy_triggers(wf);
        if !triggers.is_empty() {
            deployments(wf, &triggers, &mut done, out);
        }
        // Then, in a release-triggered workflow that shows no publishing or deploying step
        // (the upload happens elsewhere, or is not recognised), every job: what the release
        // run builds is what ships. Where the workflow does show what ships, only the jobs
        // that feed it count (above).
        let releases = release_triggers(wf);
        let ships = !publishers.is_empty() || wf.jobs.iter().any(|j| job_deploys(j).is_some());
        if !releases.is_empty() && !ships {
            for j in &wf.jobs {
                if !done.contains(&j.id.as_str()) {
                    done.push(j.id.as_str());
                    report_release(wf, j, &releases, out);
                }
            }
        }
    }
}

fn deployments<'a>(
    wf: &'a Workflow,
    triggers: &[&Trigger],
    done: &mut Vec<&'a str>,
    out: &mut Vec<Finding>,
) {
        let mut deployers: Vec<(&Job, Deploy<'_>)> = wf
            .jobs
            .iter()
            .filter_map(|j| job_deploys(j).map(|d| (j, d)))
            .collect();
        deployers.sort_by_key(|d| std::cmp::Reverse(d.1.kind));
        for (d, deploy) in &deployers {
            if !done.contains(&d.id.as_str()) {
                done.push(d.id.as_str());
                report_deploy(wf, d, d, deploy, triggers, out);
            }
            for j in wf.upstream_jobs(d) {
                if !done.contains(&j.id.as_str()) {
                    done.push(j.id.as_str());
                    report_deploy(wf, j, d, deploy, triggers, out);
                }
            }
        }
}
