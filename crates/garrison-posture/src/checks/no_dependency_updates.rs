use garrison_report::SourceFile;
use garrison_report::{Confidence, Finding, Location, RuleMeta, Severity, declare_rule};
use garrison_workspace::documents::RENOVATE_FILES;

use super::ROOT;
use crate::{Check, SPEC8, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// That a dependency-update tool covers both the Python dependencies and the GitHub
    /// Actions of the repository: `.github/dependabot.yml` with a `github-actions` entry and a
    /// Python entry (`pip`, which also covers pip-compile, pipenv and poetry files, or `uv`,
    /// `conda`), or a Renovate configuration (`renovate.json`, `.renovaterc`,
    /// `.github/renovate.json5`, …), which covers both unless `enabledManagers` leaves one
    /// out. pre-commit.ci only updates pre-commit hooks and does not count. Python is only
    /// required when the repository has Python manifests, Actions only when it has workflows.
    /// Missing Python updates are low when the repository pins dependencies (lock files,
    /// `requirements*.txt`) and info otherwise: version ranges in `pyproject.toml` do not go
    /// stale the way pins do. Each missing side is its own finding.
    ///
    /// ## Why it matters
    /// SPEC 8 pins actions to full commit SHAs; pins that nobody updates keep known
    /// vulnerabilities forever. An update bot turns each new release into a reviewed pull
    /// request instead.
    ///
    /// ## Example
    /// A `dependabot.yml` whose only entry is `package-ecosystem: pip` in a repository with
    /// workflows: the actions are never updated.
    ///
    /// ## Remediation
    /// Add the missing entry to `.github/dependabot.yml`:
    /// ```yaml
    /// - package-ecosystem: github-actions
    ///   directory: /
    ///   schedule: { interval: monthly }
    ///   groups: { actions: { patterns: ["*"] } }
    /// ```
    pub NoDependencyUpdates {
        id: "posture/no-dependency-updates",
        summary: "no dependency-update tool for Python dependencies or GitHub Actions",
        severity: Low,
        help: "add github-actions and pip (or uv) entries to .github/dependabot.yml, or configure Renovate",
        references: [
            "SPEC 8, \"Pin GitHub Actions release workflows to their full release commit SHAs\": https://scientific-python.org/specs/spec-0008/",
            SPEC8,
            "https://docs.github.com/en/code-security/dependabot/dependabot-version-updates/configuration-options-for-the-dependabot.yml-file",
        ],
    }
}

/// Dependabot ecosystems that update Python dependencies.
pub const PYTHON_ECOSYSTEMS: &[&str] = &["pip", "uv", "pipenv", "poetry", "pip-compile", "conda"];

/// Renovate managers for Python dependencies.
const RENOVATE_PYTHON: &[&str] = &[
    "pip_requirements",
    "pip_setup",
    "pip-compile",
    "pipenv",
    "poetry",
    "pep621",
    "pep723",
    "setup-cfg",
    "pixi",
    "conda",
];

/// What covers each side.
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    /// Tool covering Python dependencies.
    pub python: Option<String>,
    /// Tool covering GitHub Actions.
    pub actions: Option<String>,
    /// The repository has Python manifests.
    pub needs_python: bool,
    /// The repository has workflows.
    pub needs_actions: bool,
}

/// Works out which tool updates what.
pub fn coverage(ws: &Workspace) -> Coverage {
    let mut c = Coverage {
        needs_python: ws.files.iter().any(|f| {
            let name = f.rel.rsplit('/').next().unwrap_or(&f.rel);
            matches!(
                name,
                "pyproject.toml" | "setup.py" | "setup.cfg" | "Pipfile" | "environment.yml"
            ) || (name.starts_with("requirements") && name.ends_with(".txt"))
        }),
        needs_actions: !ws.workflows.is_empty()
            || ws
                .files
                .iter()
                .any(|f| f.rel.starts_with(".github/workflows/")),
        ..Coverage::default()
    };
    if let Some(d) = &ws.dependabot {
        if d.covers("github-actions") {
            c.actions = Some("dependabot (github-actions)".to_string());
        }
        if let Some(e) = PYTHON_ECOSYSTEMS.iter().find(|e| d.covers(e)) {
            c.python = Some(format!("dependabot ({e})"));
        }
    }
    for file in RENOVATE_FILES {
        if !ws.has(file) {
            continue;
        }
        let text = ws.text(file).map_or("", SourceFile::text);
        let managers: Option<Vec<String>> = serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .and_then(|v| {
                v.get("enabledManagers")?.as_array().map(|a| {
                    a.iter()
                        .filter_map(|m| m.as_str().map(str::to_string))
                        .collect()
                })
            });
        let (py, gha) = match &managers {
            Some(m) => (
                m.iter().any(|x| RENOVATE_PYTHON.contains(&x.as_str())),
                m.iter().any(|x| x == "github-actions"),
            ),
            None => (true, true),
        };
        if py && c.python.is_none() {
            c.python = Some(format!("renovate ({file})"));
        }
        if gha && c.actions.is_none() {
            c.actions = Some(format!("renovate ({file})"));
        }
    }
    c
}

/// Files that pin Python dependencies (locks and requirements files), whose pins go stale
/// without an update tool.
pub fn python_pins(ws: &Workspace) -> Vec<&str> {
    ws.files
        .iter()
        .map(|f| f.rel.as_str())
        .filter(|rel| {
            let name = rel.rsplit('/').next().unwrap_or(rel);
            matches!(
                name,
                "uv.lock"
                    | "poetry.lock"
                    | "Pipfile.lock"
                    | "pixi.lock"
                    | "pdm.lock"
                    | "pylock.toml"
            ) || (name.starts_with("pylock.") && name.ends_with(".toml"))
                || (name.starts_with("requirements") && name.ends_with(".txt"))
                || (rel.starts_with("requirements/") && name.ends_with(".txt"))
        })
        .collect()
}

impl Check for NoDependencyUpdates {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        // A dependabot.yml that could not be read or parsed is reported as such; what it
        // configures is unknown, so "no update tool" would be a guess.
        if ws.dependabot.is_none()
            && ws
                .errors
                .iter()
                .any(|e| e.kind == Some(garrison_workspace::Kind::Dependabot))
        {
            return;
        }
        let c = coverage(ws);
        let location = || match &ws.dependabot {
            Some(d) => match d.file.root.entry("updates") {
                Some((k, _)) => loc(&d.file.path, k.span, "updates"),
                None => Location::file(&d.file.path),
            },
            None => Location::file(ROOT),
        };
        let pre_commit_ci = ws
            .pre_commit
            .as_ref()
            .is_some_and(|p| p.root.get("ci").is_some());
        if c.needs_actions && c.actions.is_none() {
            out.push(
                Finding::builder(&Self::META)
                    .message(format!(
                        "no dependency-update tool for GitHub Actions ({} workflow{})",
                        ws.workflows.len(),
                        if ws.workflows.len() == 1 { "" } else { "s" }
                    ))
                    .confidence(Confidence::High)
                    .location(location().with_note("no github-actions updates"))
                    .evidence("missing", "github-actions")
                    .evidence("python_updates", c.python.clone().unwrap_or_default())
                    .evidence("pre_commit_ci", pre_commit_ci)
                    .key("github-actions")
                    .build(),
            );
        }
        if c.needs_python && c.python.is_none() {
            let pins = python_pins(ws);
            // Version ranges in pyproject.toml do not go stale the way pins do.
            let (severity, confidence, why) = if pins.is_empty() {
                (
                    Severity::Info,
                    Confidence::Low,
                    " (no lock or requirements file; pyproject.toml ranges only)".to_string(),
                )
            } else {
                (
                    Severity::Low,
                    Confidence::Medium,
                    format!(
                        " ({} pinned file{}, e.g. {})",
                        pins.len(),
                        if pins.len() == 1 { "" } else { "s" },
                        pins.first().copied().unwrap_or("")
                    ),
                )
            };
            out.push(
                Finding::builder(&Self::META)
                    .message(format!(
                        "no dependency-update tool for Python dependencies{why}"
                    ))
                    .severity(severity)
                    .confidence(confidence)
                    .location(location().with_note("no pip/uv updates"))
                    .evidence("missing", "python")
                    .evidence(
                        "pinned_files",
                        pins.iter().take(10).copied().collect::<Vec<_>>(),
                    )
                    .evidence("actions_updates", c.actions.clone().unwrap_or_default())
                    .evidence("pre_commit_ci", pre_commit_ci)
                    .key("python")
                    .build(),
            );
        }
    }
}
