use garrison_report::{Confidence, Finding, Location, RuleMeta, declare_rule};
use garrison_workspace::documents::CODEOWNERS;

use super::ROOT;
use crate::{Check, SPEC8, Workspace};

declare_rule! {
    /// ## What it checks
    /// That the repository has a `CODEOWNERS` file where GitHub reads it: `.github/CODEOWNERS`,
    /// `CODEOWNERS` or `docs/CODEOWNERS`.
    ///
    /// ## Why it matters
    /// With branch protection's "require review from code owners", `CODEOWNERS` is what makes
    /// a change to the release workflow, the dependency-update configuration or the build
    /// configuration need approval from the release team rather than from any maintainer.
    /// Without it, anyone with write access can change how releases are built and published.
    ///
    /// ## Example
    /// A repository with `.github/workflows/release.yml` and no `CODEOWNERS` file.
    ///
    /// ## Remediation
    /// Add `.github/CODEOWNERS` assigning at least `.github/` and `pyproject.toml` to the
    /// release team, and enable "Require review from Code Owners" on the default branch.
    ///
    /// ```text
    /// /.github/        @org/release-team
    /// /pyproject.toml  @org/release-team
    /// ```
    pub MissingCodeowners {
        id: "posture/missing-codeowners",
        summary: "no CODEOWNERS file to require release-team review of workflows and build configuration",
        severity: Low,
        help: "add .github/CODEOWNERS owning /.github/ and /pyproject.toml, and require code-owner review on the default branch",
        references: [
            SPEC8,
            "https://docs.github.com/en/repositories/managing-your-repositorys-settings-and-features/customizing-your-repository/about-code-owners",
        ],
    }
}

impl Check for MissingCodeowners {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ws: &Workspace, out: &mut Vec<Finding>) {
        if ws.codeowners.is_some() {
            return;
        }
        out.push(
            Finding::builder(&Self::META)
                .message("no CODEOWNERS file: changes to workflows and build configuration need no owner review")
                .confidence(Confidence::High)
                .location(Location::file(ROOT))
                .evidence("searched", CODEOWNERS.join(", "))
                .build(),
        );
    }
}
