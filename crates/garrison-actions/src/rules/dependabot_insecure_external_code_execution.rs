use garrison_report::{Confidence, Finding, Severity, declare_rule};
use garrison_workflows::{Dependabot, Route};

use crate::{Audit, Workspace, loc};

declare_rule! {
    /// ## What it checks
    /// `insecure-external-code-execution: allow` in a `dependabot.yml` update entry.
    ///
    /// ## Why it matters
    /// For `pip`-style ecosystems (and bundler, mix), resolving dependencies may execute code
    /// from the packages themselves (`setup.py`). With this setting Dependabot runs that code
    /// with access to the private registry credentials configured for the update, so any
    /// dependency — or a typosquat of one — can steal them.
    ///
    /// ## Example
    /// ```yaml
    /// updates:
    ///   - package-ecosystem: pip
    ///     directory: /
    ///     insecure-external-code-execution: allow
    /// ```
    ///
    /// ## Remediation
    /// Remove the setting (the default is `deny`); if resolution needs to build packages,
    /// publish wheels for them instead.
    pub DependabotInsecureExternalCodeExecution {
        id: "dependabot/insecure-external-code-execution",
        summary: "Dependabot allowed to execute code from dependencies",
        severity: High,
        help: "remove `insecure-external-code-execution: allow` (the default is deny)",
        references: [
            "https://docs.github.com/en/code-security/dependabot/working-with-dependabot/dependabot-options-reference#insecure-external-code-execution--",
        ],
    }
}

impl Audit for DependabotInsecureExternalCodeExecution {
    fn meta(&self) -> &'static garrison_report::RuleMeta {
        &Self::META
    }

    fn dependabot(&self, _ws: &Workspace, config: &Dependabot, out: &mut Vec<Finding>) {
        for u in &config.updates {
            let Some(v) = &u.insecure_external_code_execution else {
                continue;
            };
            if v.as_str().map(str::trim) != Some("allow") {
                continue;
            }
            let eco = u.ecosystem.as_deref().unwrap_or("?");
            out.push(
                Finding::builder(&DependabotInsecureExternalCodeExecution::META)
                    .message(format!(
                        "Dependabot may execute dependency code for the {eco} update of {}",
                        u.directory.as_deref().unwrap_or("/")
                    ))
                    .severity(Severity::High)
                    .confidence(Confidence::High)
                    .location(
                        loc(
                            &config.file.path,
                            v.span,
                            Route::path("updates")
                                .index(u.index)
                                .then("insecure-external-code-execution"),
                        )
                        .with_note("allow"),
                    )
                    .evidence("ecosystem", eco)
                    .build(),
            );
        }
    }
}
