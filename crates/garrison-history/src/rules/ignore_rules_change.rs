use garrison_report::{RuleMeta, declare_rule};

use super::{CommitCx, Evidence, Signal, best_hit, is_ignore_rules};
use crate::content::HitKind;

declare_rule! {
    /// ## What it checks
    /// Changes to `.gitignore` and `.gitattributes`. Patterns added to `.gitignore` that match
    /// build inputs or executable types (`*.m4`, `configure`, `*.sh`, `CMakeLists.txt`,
    /// `*.py`, native libraries) weigh most; `.gitattributes` entries that drop files from
    /// release archives (`export-ignore`) or hide their diffs from review (`binary`, `-diff`,
    /// `linguist-generated` on source) weigh next. Routine ignores (`build/`, `dist/`,
    /// `*.egg-info`, `__pycache__`) weigh nothing.
    ///
    /// ## Why it matters
    /// The XZ Utils backdoor's trigger, `build-to-host.m4`, existed only in the release tarball;
    /// the repository's `.gitignore` listed it, so nobody expected to see it in git. Ignore and
    /// attribute rules decide what reviewers, `git archive` and GitHub's diff view show.
    ///
    /// ## Example
    /// Adding `m4/build-to-host.m4` to `.gitignore`, or `tests/files/* binary` to
    /// `.gitattributes`.
    ///
    /// ## Remediation
    /// Ask why the file must not be tracked or diffed; make sure release archives are built
    /// from the repository (and compare them with `garrison release verify`).
    pub IgnoreRulesChange {
        id: "history/ignore-rules-hide-files",
        summary: ".gitignore/.gitattributes changed to hide build inputs or diffs",
        severity: Medium,
        help: "ask why the files must be untracked or hidden; verify release archives against the repository",
        references: [
            "XZ Utils backdoor (CVE-2024-3094): https://research.swtch.com/xz-timeline",
            "https://git-scm.com/docs/gitattributes#_creating_an_archive",
        ],
    }
}

/// See [`IgnoreRulesChange`].
pub struct Rule;

impl Signal for Rule {
    fn meta(&self) -> &'static RuleMeta {
        &IgnoreRulesChange::META
    }

    fn check(&self, cx: &CommitCx<'_>, out: &mut Vec<Evidence>) {
        let c = cx.commit;
        if c.is_merge || c.parents.is_empty() {
            return;
        }
        let content = best_hit(cx, &IgnoreRulesChange::META, |_, h| {
            let weak = h.detail.contains("weak");
            match h.kind {
                HitKind::IGNORE_HIDES_BUILD_INPUT => Some(if weak {
                    (0.75, "ignore-weak")
                } else {
                    (5.0, "ignore-build-input")
                }),
                HitKind::EXPORT_IGNORE if weak => Some((0.5, "attributes-weak")),
                HitKind::EXPORT_IGNORE if h.detail.contains("export-ignore") => {
                    Some((3.0, "export-ignore"))
                }
                HitKind::EXPORT_IGNORE => Some((4.0, "hide-diff")),
                _ => None,
            }
        });
        if let Some(e) = content {
            out.push(e);
        }
        for f in c.files.iter().filter(|f| is_ignore_rules(&f.path)) {
            if f.added == 0 {
                continue;
            }
            out.push(
                Evidence::change(
                    &IgnoreRulesChange::META,
                    0.25,
                    format!("changes {} (+{} -{})", f.path, f.added, f.removed),
                )
                .at(&f.path, None),
            );
        }
    }
}
