use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Dependabot, Route, Uses};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// A `dependabot.yml` with no `package-ecosystem: github-actions` update while the
    /// repository's workflows or actions use actions from other repositories.
    /// (A repository with no `dependabot.yml` at all may use Renovate, which this audit
    /// cannot see, and is not reported.)
    ///
    /// ## Why it matters
    /// Pinning actions to commit SHAs is only safe if the pins are kept up to date; otherwise
    /// workflows keep running versions with known vulnerabilities. Dependabot's
    /// `github-actions` ecosystem updates SHA pins and their version comments, and flags
    /// actions with security advisories.
    ///
    /// ## Example
    /// ```yaml
    /// version: 2
    /// updates:
    ///   - package-ecosystem: pip
    ///     directory: /
    ///     schedule: { interval: weekly }
    /// ```
    ///
    /// ## Remediation
    /// Add an update entry for GitHub Actions:
    /// `- package-ecosystem: github-actions` with `directory: /` and a schedule (group the
    /// updates to keep the noise down).
    pub DependabotMissingGithubActions {
        id: "dependabot/missing-github-actions",
        summary: "Dependabot does not update GitHub Actions",
        severity: Low,
        help: "add `- package-ecosystem: github-actions` with `directory: /` and a weekly schedule to dependabot.yml",
        references: [
            "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/keeping-your-actions-up-to-date-with-dependabot",
        ],
    }
}

fn third_party(ws: &Workspace) -> (usize, usize) {
    let mut total = 0;
    let mut pinned = 0;
    let mut count = |u: &Uses| {
        if matches!(u, Uses::Repository { .. }) {
            total += 1;
            if u.is_sha_pinned() {
                pinned += 1;
            }
        }
    };
    for wf in &ws.workflows {
        for job in &wf.jobs {
            if let Some((u, _)) = &job.uses {
                count(u);
            }
            for s in &job.steps {
                if let Some((u, _)) = &s.uses {
                    count(u);
                }
            }
        }
    }
    for a in &ws.actions {
        for s in &a.steps {
            if let Some((u, _)) = &s.uses {
                count(u);
            }
        }
    }
    (total, pinned)
}

impl Audit for DependabotMissingGithubActions {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn dependabot(&self, ws: &Workspace, config: &Dependabot, out: &mut Vec<Finding>) {
        if config.covers("github-actions") {
            return;
        }
        let (total, pinned) = third_party(ws);
        if total == 0 {
            return;
        }
        let (span, route) = match config.file.root.entry("updates") {
            Some((k, _)) => (k.span, Route::path("updates")),
            None => (config.file.root.span, Route::default()),
        };
        out.push(
            Finding::builder(&DependabotMissingGithubActions::META)
                .message(format!(
                    "dependabot.yml has no github-actions update, but workflows use {total} action reference{} from other repositories ({pinned} SHA-pinned)",
                    if total == 1 { "" } else { "s" }
                ))
                .severity(Severity::Low)
                .confidence(Confidence::Medium)
                .location(loc(&config.file.path, span, route).with_note("no github-actions ecosystem"))
                .evidence("action_references", total)
                .evidence("sha_pinned", pinned)
                .build(),
        );
    }
}
