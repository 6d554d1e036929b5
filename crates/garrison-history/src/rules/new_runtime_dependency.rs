use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit};
use crate::content::HitKind;

declare_rule! {
    /// ## What it checks
    /// Commits that add a third-party package to a manifest's runtime dependencies, where the
    /// file did not name it before: `[project] dependencies` and `[tool.poetry.dependencies]`
    /// of `pyproject.toml`, `install_requires` of `setup.cfg` and `setup.py`, runtime
    /// requirements files (not the dev, test or docs ones), `"dependencies"` of `package.json`.
    /// Version changes of a dependency already named are not reported. On its own the signal
    /// weighs little; it is one of the sensitive changes a `history/campaign` is made of, and
    /// it counts more there when the same newcomer also bumps the release version.
    ///
    /// ## Why it matters
    /// Every user of a package installs its runtime dependencies. In event-stream (2018) a
    /// newcomer who had been handed the package added `flatmap-stream` as a dependency, and a
    /// later release of that dependency carried the payload; the manifest line looked like
    /// routine maintenance.
    ///
    /// ## Example
    /// `"flatmap-stream": "^0.1.0"` added to `"dependencies"` in `package.json`, or
    /// `"quaternionic>=1"` added to `[project] dependencies`.
    ///
    /// ## Remediation
    /// Ask why the dependency is needed at run time, who maintains it and since when; prefer
    /// an optional extra; pin and review it like code you ship.
    pub NewRuntimeDependency {
        id: "history/new-runtime-dependency",
        summary: "a new third-party runtime dependency was added to a manifest",
        severity: Info,
        help: "ask why it is needed at run time and who maintains it; review it like code you ship",
        references: [
            "event-stream incident (2018): https://blog.npmjs.org/post/180565383195/details-about-the-event-stream-incident",
            "SPEC 8, \"Securing the Release Process\": https://scientific-python.org/specs/spec-0008/",
        ],
    }
}

/// See [`NewRuntimeDependency`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &NewRuntimeDependency::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        if cx.commit.is_merge || cx.commit.parents.is_empty() {
            return;
        }
        let e = best_hit(cx, &NewRuntimeDependency::META, |_, h| {
            (h.kind == HitKind::NEW_RUNTIME_DEPENDENCY).then_some((0.75, "added"))
        });
        out.extend(e);
    }
}
