use garrison_report::{
    Confidence, Finding, Location, RuleMeta, Severity, SourceFile, declare_rule,
};
use garrison_workflows::publishing;
use garrison_workspace::Codeowners;

use crate::{Check, SPEC8, Workspace};

declare_rule! {
    /// ## What it checks
    /// With a `CODEOWNERS` file present, whether the files that control releases have an
    /// owner: every workflow in `.github/workflows/` (publishing workflows are named in the
    /// message), `.github/dependabot.yml`, `pyproject.toml`, and `CODEOWNERS` itself.
    /// An unowned publishing workflow is medium, anything else low.
    /// Patterns are read the way GitHub reads them: gitignore-style, the last matching line
    /// wins, and a matching line without owners removes ownership.
    ///
    /// ## Why it matters
    /// Code-owner review only protects what `CODEOWNERS` assigns. A file that owns `/src/`
    /// but not `/.github/` lets any maintainer change the release workflow (and with it the
    /// publishing credentials) without the release team's approval.
    ///
    /// ## Example
    /// ```text
    /// /src/   @org/core
    /// /docs/  @org/docs
    /// ```
    /// leaves `.github/workflows/release.yml` and `pyproject.toml` without an owner.
    ///
    /// ## Remediation
    /// Add lines for the release-critical paths (the last match wins, so put them at the end):
    /// ```text
    /// /.github/        @org/release-team
    /// /pyproject.toml  @org/release-team
    /// ```
    /// Whether the owners have write access and whether code-owner review is required are
    /// repository settings this check cannot see.
    pub CodeownersGaps {
        id: "posture/codeowners-gaps",
        summary: "CODEOWNERS leaves release-critical files (workflows, dependabot, pyproject.toml) without an owner",
        severity: Low,
        help: "add `/.github/ @org/release-team` and `/pyproject.toml @org/release-team` at the end of CODEOWNERS",
        references: [
            SPEC8,
            "https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners",
        ],
    }
}

fn location(owners: &Codeowners, source: &SourceFile, target: &str) -> Location {
    match owners.rule_for(target) {
        Some(rule) => {
            let start = source.line_start(rule.line).unwrap_or(0);
            let len = source.line(rule.line).map_or(0, str::len);
            Location::span(&owners.path, source.span(start, start + len)).with_note(format!(
                "`{}` matches {target} but names no owner",
                rule.pattern
            ))
        }
        None => Location::file(&owners.path).with_note(format!("no line matches {target}")),
    }
}

impl Check for CodeownersGaps {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        let Some(owners) = &ws.codeowners else {
            return;
        };
        // An unreadable CODEOWNERS has no rules and no text.
        let empty = SourceFile::new("");
        let source = ws.text(&owners.path).unwrap_or(&empty);
        let publishing: Vec<&str> = publishing::publish_jobs(&ws.workflows)
            .iter()
            .map(|p| p.wf.path())
            .collect();

        // Workflows.
        let workflows: Vec<&str> = ws
            .files
            .iter()
            .map(|f| f.rel.as_str())
            .filter(|r| {
                r.strip_prefix(".github/workflows/").is_some_and(|n| {
                    !n.contains('/') && (n.ends_with(".yml") || n.ends_with(".yaml"))
                })
            })
            .collect();
        let unowned: Vec<&str> = workflows
            .iter()
            .copied()
            .filter(|w| !owners.owned(w))
            .collect();
        if !workflows.is_empty() && unowned.len() == workflows.len() {
            let publishers: Vec<&str> = unowned
                .iter()
                .copied()
                .filter(|w| publishing.contains(w))
                .collect();
            let mut f = Finding::builder(&Self::META)
                .message(format!(
                    "CODEOWNERS assigns no owner to .github/workflows/ ({} workflows{})",
                    workflows.len(),
                    if publishers.is_empty() {
                        String::new()
                    } else {
                        format!(", including publishing workflow {}", publishers.join(", "))
                    }
                ))
                .confidence(Confidence::High)
                .location(location(
                    owners,
                    source,
                    unowned
                        .first()
                        .copied()
                        .unwrap_or(".github/workflows/ci.yml"),
                ))
                .evidence("unowned", unowned.len())
                .evidence("publishing_workflows", publishers.clone())
                .key(".github/workflows/");
            if !publishers.is_empty() {
                f = f.severity(Severity::Medium);
            }
            out.push(f.build());
        } else {
            for w in unowned {
                let publishes = publishing.contains(&w);
                out.push(
                    Finding::builder(&Self::META)
                        .message(format!(
                            "CODEOWNERS assigns no owner to {}workflow {w}",
                            if publishes { "publishing " } else { "" }
                        ))
                        .severity(if publishes {
                            Severity::Medium
                        } else {
                            Severity::Low
                        })
                        .confidence(Confidence::High)
                        .location(location(owners, source, w))
                        .evidence("path", w)
                        .key(w)
                        .build(),
                );
            }
        }

        // Other release-critical files.
        let others = [
            ".github/dependabot.yml",
            ".github/dependabot.yaml",
            "pyproject.toml",
            owners.path.as_str(),
        ];
        for target in others {
            if !ws.has(target) || owners.owned(target) {
                continue;
            }
            out.push(
                Finding::builder(&Self::META)
                    .message(format!("CODEOWNERS assigns no owner to {target}"))
                    .confidence(Confidence::High)
                    .location(location(owners, source, target))
                    .evidence("path", target)
                    .key(target)
                    .build(),
            );
        }
    }
}
